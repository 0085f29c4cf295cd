import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { ErrorView, Loading } from "../components/Status";
import { useSession } from "../state/session";

/** Landing page of the link in the verification email: /verify?token=… */
export function VerifyPage() {
  const { api } = useSession();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [state, setState] = useState<{ status: "working" | "ok" | "error"; error?: unknown }>({ status: "working" });
  // The token is single-use: StrictMode's double effect must not spend it twice.
  const sent = useRef<string | null>(null);

  useEffect(() => {
    if (!token || sent.current === token) return;
    sent.current = token;
    api.auth.verify(token).then(
      () => setState({ status: "ok" }),
      (error: unknown) => setState({ status: "error", error }),
    );
  }, [api, token]);

  return (
    <section className="narrow-page">
      <h1>Verify your email</h1>
      {!token ? (
        <p role="alert">This link has no token. Open the link from your email again.</p>
      ) : state.status === "working" ? (
        <Loading label="Verifying…" />
      ) : state.status === "ok" ? (
        <p role="status" data-testid="verified">
          Your email address is verified. <Link to="/login?verified=1">Sign in</Link>
        </p>
      ) : (
        <>
          <ErrorView what="Verification failed" error={state.error} />
          <p>The link may have expired or been used already.</p>
        </>
      )}
    </section>
  );
}
