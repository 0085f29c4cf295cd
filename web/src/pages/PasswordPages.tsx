import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { Field } from "../components/Field";
import { FormError } from "../components/Status";
import { useSession } from "../state/session";

export function ForgotPasswordPage() {
  const { api } = useSession();
  const [email, setEmail] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.auth.forgotPassword(email.trim());
      setSent(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="narrow-page">
      <h1>Forgot your password?</h1>
      {sent ? (
        // Same words whether or not the account exists: the API does not tell, and neither do we.
        <p role="status">If an account exists for {email}, we sent it a link to choose a new password.</p>
      ) : (
        <form onSubmit={submit} noValidate>
          <FormError error={error} shownFields={["email"]} />
          <Field label="Email" name="email" type="email" autoComplete="email" required value={email} error={error}
            onChange={(e) => setEmail(e.target.value)} />
          <button type="submit" className="primary" disabled={busy}>
            Send reset link
          </button>
        </form>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}

/**
 * Chooses a new password from a reset link, or, with `invite`, the first password from a staff
 * invitation's link (/accept-invite), which also verifies the address. Neither signs in.
 */
export function ResetPasswordPage({ invite = false }: { invite?: boolean }) {
  const { api } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    setError(null);
    try {
      if (invite) {
        await api.auth.acceptInvitation(token, password);
        navigate("/login?invited=1", { replace: true });
      } else {
        await api.auth.resetPassword(token, password);
        navigate("/login?reset=1", { replace: true });
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const title = invite ? "Accept your staff invitation" : "Choose a new password";
  if (!token)
    return (
      <section className="narrow-page">
        <h1>{title}</h1>
        {invite ? (
          <p role="alert">This link has no token. Ask an administrator to invite you again.</p>
        ) : (
          <p role="alert">
            This link has no token. <Link to="/forgot-password">Request a new link</Link>.
          </p>
        )}
      </section>
    );

  return (
    <section className="narrow-page">
      <h1>{title}</h1>
      {invite && <p>Choose the password you will sign in with. The link works once and expires after 7 days.</p>}
      <form onSubmit={submit} noValidate>
        <FormError error={error} shownFields={["password"]} />
        <Field label={invite ? "Password" : "New password"} name="password" type="password" autoComplete="new-password" required minLength={8}
          maxLength={128} value={password} error={error} onChange={(e) => setPassword(e.target.value)} />
        <Field label={invite ? "Repeat the password" : "Repeat the new password"} name="confirm" type="password" autoComplete="new-password" required
          value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        {mismatch && (
          <p className="field-error" role="alert">
            The two passwords differ.
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {invite ? "Set password and accept" : "Change password"}
        </button>
      </form>
    </section>
  );
}
