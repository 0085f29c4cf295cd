import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { Field } from "../components/Field";
import { FormError } from "../components/Status";
import { useSession } from "../state/session";

export function RegisterPage() {
  const { api } = useSession();
  const [form, setForm] = useState({ name: "", email: "", password: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.auth.register({ name: form.name.trim(), email: form.email.trim(), password: form.password });
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (done)
    return (
      <section className="narrow-page">
        <h1>Check your email</h1>
        <p role="status" data-testid="registered">
          We sent a verification link to <strong>{form.email}</strong>. Open it to activate your account, then{" "}
          <Link to="/login">sign in</Link>.
        </p>
      </section>
    );

  return (
    <section className="narrow-page">
      <h1>Create an account</h1>
      <form onSubmit={submit} noValidate>
        <FormError error={error} shownFields={["name", "email", "password"]} />
        <Field label="Name" name="name" autoComplete="name" required value={form.name} error={error}
          onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <Field label="Email" name="email" type="email" autoComplete="email" required value={form.email} error={error}
          onChange={(e) => setForm({ ...form, email: e.target.value })} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" required minLength={8}
          maxLength={128} hint="8 to 128 characters; common passwords are refused." value={form.password} error={error}
          onChange={(e) => setForm({ ...form, password: e.target.value })} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </section>
  );
}
