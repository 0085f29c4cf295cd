// The returns section of a customer's order page: the order's returns with
// their status and refund, and, while the return window is open, a form to
// ask for units back (lines, quantities, one reason).

import { useMemo, useState, type FormEvent } from "react";
import { isApiError } from "../api/client";
import type { OrderReturns as OrderReturnsData, Return, ReturnReason } from "../api/types";
import { Price } from "../components/Price";
import { ErrorView, FormError } from "../components/Status";
import { formatDateTime } from "../lib/format";
import { newUUID } from "../lib/id";
import { useLoad } from "../lib/useLoad";
import { useSession } from "../state/session";

export const REASONS: { value: ReturnReason; label: string }[] = [
  { value: "damaged", label: "Arrived damaged" },
  { value: "defective", label: "Does not work" },
  { value: "wrong_item", label: "Wrong item sent" },
  { value: "not_as_described", label: "Not as described" },
  { value: "no_longer_needed", label: "No longer needed" },
  { value: "other", label: "Other (please say why)" },
];

const STATUS_TEXT: Record<Return["status"], string> = {
  Requested: "Requested — we will reply soon",
  Approved: "Approved — please send the items back",
  Rejected: "Rejected",
  Received: "Received — your refund is on its way",
  Refunded: "Refunded",
};

export function OrderReturns({ orderId }: { orderId: string }) {
  const { api, locale } = useSession();
  const data = useLoad(() => api.orders.returns(orderId), [api, orderId]);
  const [asking, setAsking] = useState(false);

  // A shop without returns (an older server) answers 404/503: show nothing.
  if (data.status === "error" && isApiError(data.error) && [404, 501, 503].includes(data.error.status)) return null;
  if (data.status === "loading" && !data.data) return null;
  if (data.status === "error" && !data.data) return <ErrorView what="Returns" error={data.error} onRetry={data.reload} />;
  const r = data.data as OrderReturnsData;
  const returnable = r.lines.some((l) => l.returnable > 0);
  if (r.items.length === 0 && !r.open) return null;

  return (
    <section aria-labelledby="returns-h" data-testid="order-returns">
      <h2 id="returns-h">Returns</h2>
      {r.items.length > 0 && (
        <ul className="returns">
          {r.items.map((it) => (
            <li key={it.id} data-return-status={it.status}>
              <strong>{it.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ")}</strong> — {STATUS_TEXT[it.status]}
              {it.rejectReason && <span>: {it.rejectReason}</span>}
              {it.refund && (it.status === "Received" || it.status === "Refunded") && (
                <span>
                  {" "}
                  (refund <Price value={it.refund} />)
                </span>
              )}
              <small className="muted"> · asked {formatDateTime(it.requestedAt, locale)}</small>
            </li>
          ))}
        </ul>
      )}
      {r.open && r.closesAt && (
        <p className="muted">You can ask to return items until {formatDateTime(r.closesAt, locale)}.</p>
      )}
      {r.open &&
        returnable &&
        (asking ? (
          <ReturnForm
            orderId={orderId}
            data={r}
            onCancel={() => setAsking(false)}
            onDone={() => {
              setAsking(false);
              data.reload();
            }}
          />
        ) : (
          <button type="button" onClick={() => setAsking(true)}>
            Return items
          </button>
        ))}
    </section>
  );
}

function ReturnForm({
  orderId,
  data,
  onCancel,
  onDone,
}: {
  orderId: string;
  data: OrderReturnsData;
  onCancel: () => void;
  onDone: () => void;
}) {
  const { api } = useSession();
  // One key per filled-in form: a double submit or a retry records one return.
  const key = useMemo(() => newUUID(), []);
  const [qty, setQty] = useState<Record<string, number>>({});
  const [reason, setReason] = useState<ReturnReason | "">("");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The SKUs of the last request, in its order: field errors name lines[i].
  const [sent, setSent] = useState<string[]>([]);
  const lines = data.lines.filter((l) => l.returnable > 0);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const chosen = lines.filter((l) => (qty[l.sku] ?? 0) > 0).map((l) => ({ sku: l.sku, quantity: qty[l.sku] ?? 0 }));
    if (chosen.length === 0) {
      setError(new Error("Choose at least one item to return."));
      return;
    }
    if (!reason) {
      setError(new Error("Choose a reason."));
      return;
    }
    setBusy(true);
    setError(null);
    setSent(chosen.map((l) => l.sku));
    try {
      await api.orders.requestReturn(orderId, { lines: chosen, reason, note: note.trim() || undefined }, key);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (f: string) => (isApiError(error) ? error.fieldError(f) : undefined);

  return (
    <form aria-label="Return items" onSubmit={submit}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Return</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => {
            const lineError = fieldError(`lines[${sent.indexOf(l.sku)}].quantity`) ?? fieldError(`lines[${sent.indexOf(l.sku)}].sku`);
            return (
              <tr key={l.sku}>
                <td>
                  <label htmlFor={`ret-${l.sku}`}>{l.name}</label>
                </td>
                <td>
                  <input
                    id={`ret-${l.sku}`}
                    type="number"
                    min={0}
                    max={l.returnable}
                    value={qty[l.sku] ?? 0}
                    onChange={(e) => setQty({ ...qty, [l.sku]: Math.max(0, Math.min(l.returnable, Number(e.target.value) || 0)) })}
                  />{" "}
                  <small className="muted">of {l.returnable}</small>
                  {lineError && <small className="field-error"> {lineError}</small>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="field">
        <label htmlFor="ret-reason">Reason</label>
        <select id="ret-reason" value={reason} onChange={(e) => setReason(e.target.value as ReturnReason)}>
          <option value="">Choose…</option>
          {REASONS.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
        {fieldError("reason") && <small className="field-error">{fieldError("reason")}</small>}
      </div>
      <div className="field">
        <label htmlFor="ret-note">Anything we should know?</label>
        <textarea id="ret-note" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
        {fieldError("note") && <small className="field-error">{fieldError("note")}</small>}
      </div>
      <FormError error={error} shownFields={["reason", "note", ...sent.flatMap((_, i) => [`lines[${i}].quantity`, `lines[${i}].sku`])]} />
      <button type="submit" disabled={busy}>
        Ask for the return
      </button>{" "}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
