// One return for staff: what was asked and why, the decision (approve, or
// reject with a reason the customer is told), and on receipt, per line, how
// many units go back into stock and how many are written off. The refund is
// computed by the server and shown once received.

import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { Price } from "../../components/Price";
import { ErrorView, FormError, Loading } from "../../components/Status";
import { useAnnounce } from "../../components/Layout";
import { formatDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";
import type { Return } from "../../api/types";

export function AdminReturnPage() {
  const { returnId = "" } = useParams();
  const { api, locale, me } = useSession();
  // Receiving refunds the money: admins only, like every refund.
  const isAdmin = !!me?.roles?.includes("admin");
  const ret = useLoad(() => api.admin.getReturn(returnId), [api, returnId]);

  return (
    <section aria-labelledby="ard-h">
      <p>
        <Link to="/admin/returns">← All returns</Link>
      </p>
      <h2 id="ard-h">
        Return <code>{returnId}</code>
      </h2>
      {ret.status === "loading" && !ret.data && <Loading label="Loading the return…" />}
      {ret.status === "error" && <ErrorView what="Return" error={ret.error} onRetry={ret.reload} />}
      {ret.data && (
        <>
          <dl className="facts" data-testid="return-facts">
            <dt>Status</dt>
            <dd data-testid="return-status">{ret.data.status}</dd>
            <dt>Order</dt>
            <dd>
              <Link to={`/admin/orders/${encodeURIComponent(ret.data.orderId)}`}>{ret.data.orderId}</Link>
            </dd>
            <dt>Customer</dt>
            <dd>{ret.data.email ?? ret.data.customerId}</dd>
            <dt>Asked</dt>
            <dd>{formatDateTime(ret.data.requestedAt, locale)}</dd>
            <dt>Reason</dt>
            <dd>
              {ret.data.reason}
              {ret.data.note && <> — “{ret.data.note}”</>}
            </dd>
            {ret.data.rejectReason && (
              <>
                <dt>Rejected because</dt>
                <dd>{ret.data.rejectReason}</dd>
              </>
            )}
            {ret.data.refund && (
              <>
                <dt>Refund</dt>
                <dd data-testid="return-refund">
                  <Price value={ret.data.refund} />
                  {ret.data.shippingRefund && ret.data.shippingRefund.amount > 0 && (
                    <>
                      {" "}
                      (shipping <Price value={ret.data.shippingRefund} /> included)
                    </>
                  )}
                  {ret.data.status === "Refunded" ? " — refunded" : " — sent to the payment provider"}
                </dd>
              </>
            )}
          </dl>
          <table className="table">
            <caption className="visually-hidden">Returned items</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Units</th>
                <th scope="col">Restocked</th>
                <th scope="col">Damaged</th>
                <th scope="col">Refund</th>
              </tr>
            </thead>
            <tbody>
              {ret.data.lines.map((l) => {
                const got = ret.data!.received.find((x) => x.sku === l.sku);
                return (
                  <tr key={l.sku}>
                    <th scope="row">
                      {l.name} <small className="muted">{l.sku}</small>
                    </th>
                    <td>{l.quantity}</td>
                    <td>{got ? got.restock : "—"}</td>
                    <td>{got ? got.damaged : "—"}</td>
                    <td>{got ? <Price value={got.refund} /> : "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {ret.data.status === "Requested" && <Decide ret={ret.data} onDone={ret.reload} />}
          {ret.data.status === "Approved" &&
            (isAdmin ? (
              <Receive ret={ret.data} onDone={ret.reload} />
            ) : (
              <p data-testid="receive-admin-only">An admin receives the goods: receiving refunds the money.</p>
            ))}
        </>
      )}
    </section>
  );
}

function Decide({ ret, onDone }: { ret: Return; onDone: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (fn: () => Promise<unknown>, said: string) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      announce(said);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const reject = (e: FormEvent) => {
    e.preventDefault();
    void run(() => api.admin.rejectReturn(ret.id, reason.trim()), "Return rejected.");
  };
  return (
    <div className="admin-actions">
      <button type="button" disabled={busy} onClick={() => void run(() => api.admin.approveReturn(ret.id), "Return approved.")}>
        Approve
      </button>
      <form aria-label="Reject the return" onSubmit={reject}>
        <div className="field">
          <label htmlFor="rej-reason">Reason told to the customer</label>
          <input id="rej-reason" name="reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Reject
        </button>
      </form>
      <FormError error={error} />
    </div>
  );
}

function Receive({ ret, onDone }: { ret: Return; onDone: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  // Every unit is restocked unless staff mark it damaged.
  const [damaged, setDamaged] = useState<Record<string, number>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const lines = ret.lines.map((l) => {
        const d = Math.min(l.quantity, damaged[l.sku] ?? 0);
        return { sku: l.sku, restock: l.quantity - d, damaged: d };
      });
      await api.admin.receiveReturn(ret.id, lines);
      announce("Return received; the refund is on its way.");
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form aria-label="Receive the goods" onSubmit={submit}>
      <h3>Goods received</h3>
      {ret.lines.map((l) => (
        <div className="field" key={l.sku}>
          <label htmlFor={`dmg-${l.sku}`}>Damaged units of {l.name}</label>
          <input
            id={`dmg-${l.sku}`}
            type="number"
            min={0}
            max={l.quantity}
            value={damaged[l.sku] ?? 0}
            onChange={(e) => setDamaged({ ...damaged, [l.sku]: Math.max(0, Math.min(l.quantity, Number(e.target.value) || 0)) })}
          />
          <small className="muted"> the other {l.quantity - Math.min(l.quantity, damaged[l.sku] ?? 0)} go back into stock</small>
        </div>
      ))}
      <FormError error={error} />
      <button type="submit" disabled={busy}>
        Receive and refund
      </button>
    </form>
  );
}
