// Loading, empty and error states shared by every page, so each one looks and
// is announced the same way (role=status / role=alert for screen readers).

import type { ReactNode } from "react";
import { isApiError } from "../api/client";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

/** Title, detail and field errors of a failed call, or a generic message. */
export function describeError(e: unknown): { title: string; detail?: string; fields: string[] } {
  if (isApiError(e)) {
    const fields = e.fieldErrors.map((f) => `${f.field}: ${f.reason}`);
    if (e.notAvailable && e.status === 501) {
      return { title: "Not available yet", detail: e.detail ?? "This part of the shop is not implemented on the server yet.", fields };
    }
    return { title: e.title, detail: e.detail, fields };
  }
  if (e instanceof Error) return { title: "Something went wrong", detail: e.message, fields: [] };
  return { title: "Something went wrong", fields: [] };
}

export function ErrorView({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what?: string }) {
  const d = describeError(error);
  const missing = isApiError(error) && error.notAvailable;
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">
        <strong>{what ? `${what}: ${d.title}` : d.title}</strong>
      </p>
      {d.detail && <p>{d.detail}</p>}
      {missing && isApiError(error) && (
        <p className="muted">
          The server answered {error.status}; this feature may not be available on this shop yet.
        </p>
      )}
      {d.fields.length > 0 && (
        <ul>
          {d.fields.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Problem shown above a form: detail plus the field errors not shown beside a field. */
export function FormError({ error, shownFields = [] }: { error: unknown; shownFields?: string[] }) {
  if (!error) return null;
  const d = describeError(error);
  const others = isApiError(error)
    ? error.fieldErrors.filter((f) => !shownFields.includes(f.field)).map((f) => `${f.field}: ${f.reason}`)
    : [];
  return (
    <div className="form-error" role="alert">
      <strong>{d.title}</strong>
      {d.detail && <span> — {d.detail}</span>}
      {others.length > 0 && (
        <ul>
          {others.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
