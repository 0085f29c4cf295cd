import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { Field } from "../components/Field";
import { FormError } from "../components/Status";
import { useBasket } from "../state/basket";
import { useSession } from "../state/session";

/** Only same-site paths are allowed as a post-login target (no open redirect). */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

export function LoginPage() {
  const { api, reload } = useSession();
  const basket = useBasket();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.auth.login({ email: email.trim(), password });
      // The guest basket (basket_id cookie) joins the customer's basket.
      await api.basket.merge().catch((err: unknown) => console.warn("basket merge failed", err));
      await reload();
      await basket.reload();
      navigate(safeNext(params.get("next")), { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="narrow-page">
      <h1>Sign in</h1>
      {params.get("verified") === "1" && (
        <p className="notice" role="status">
          Your email address is verified. You can sign in now.
        </p>
      )}
      {params.get("invited") === "1" && (
        <p className="notice" role="status">
          Your invitation is accepted and your password set. Sign in to open the back office.
        </p>
      )}
      {params.get("reset") === "1" && (
        <p className="notice" role="status">
          Your password was changed. Sign in with the new one.
        </p>
      )}
      <form onSubmit={submit} noValidate aria-describedby={error ? "login-error" : undefined}>
        <div id="login-error">
          <FormError error={error} shownFields={["email", "password"]} />
        </div>
        <Field label="Email" name="email" type="email" autoComplete="email" required value={email} error={error}
          onChange={(e) => setEmail(e.target.value)} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password}
          error={error} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link> · <Link to="/register">Create an account</Link>
      </p>
    </section>
  );
}
