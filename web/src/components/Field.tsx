import { useId, type InputHTMLAttributes } from "react";
import { isApiError } from "../api/client";

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, "id"> & {
  label: string;
  /** The request field name the server uses in problem errors[].field. */
  name: string;
  error?: unknown;
  hint?: string;
};

/** A labelled input that shows the server's reason for its field. */
export function Field({ label, name, error, hint, className, ...input }: Props) {
  const id = useId();
  const reason = isApiError(error) ? error.fieldError(name) : undefined;
  const describedBy = [hint ? `${id}-hint` : "", reason ? `${id}-err` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field ${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={reason ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
      {reason && (
        <small id={`${id}-err`} className="field-error">
          {reason}
        </small>
      )}
    </div>
  );
}
