// One order for staff: its state, the full event timeline across the order,
// payment and stock streams, and the fulfilment actions the API allows.
// Illegal transitions are refused by the server; its problem is shown as is.

import { useState, type FormEvent, type ReactNode } from "react";
import { Link, useParams } from "react-router-dom";
import { Field } from "../../components/Field";
import { Price } from "../../components/Price";
import { PriceBreakdown } from "../../components/PriceBreakdown";
import { StatusBadge } from "../../components/StatusBadge";
import { ErrorView, FormError, Loading } from "../../components/Status";
import { useAnnounce } from "../../components/Layout";
import { formatDateTime, parseMajorToMinor } from "../../lib/format";
import { useIdempotencyKey } from "../../lib/id";
import { humanReason } from "../../lib/orders";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";
import { OrderReturnsForStaff } from "./AdminReturnsPage";

export function AdminOrderPage() {
  const { orderId = "" } = useParams();
  const { api, locale, me } = useSession();
  // Refunds move money out of the shop: the server allows them to admins only.
  const isAdmin = !!me?.roles?.includes("admin");
  const order = useLoad(() => api.admin.order(orderId), [api, orderId]);
  const timeline = useLoad(() => api.admin.timeline(orderId), [api, orderId]);
  const reload = () => {
    order.reload();
    timeline.reload();
  };

  return (
    <section aria-labelledby="aod-h">
      <p>
        <Link to="/admin/orders">← All orders</Link>
      </p>
      <h2 id="aod-h">
        Order <code>{orderId}</code>
      </h2>
      {order.status === "loading" && !order.data && <Loading label="Loading the order…" />}
      {order.status === "error" && <ErrorView what="Order" error={order.error} onRetry={order.reload} />}
      {order.data && (
        <>
          <p>
            Status: <StatusBadge status={order.data.status} /> · Total <Price value={order.data.total} />
            {order.data.refunded && <> · Refunded <Price value={order.data.refunded} /></>}
            {order.data.cancelReason && <> · Reason: {humanReason(order.data.cancelReason)}</>}
            {order.data.invoice && (
              <>
                {" · "}
                <Link to={`/orders/${encodeURIComponent(orderId)}/invoice`} data-testid="admin-invoice-link">
                  Invoice {order.data.invoice.number}
                </Link>
              </>
            )}
          </p>
          <PriceBreakdown breakdown={order.data.breakdown} />
          <div className="admin-actions">
            <ShipForm orderId={orderId} onDone={reload} />
            <ActionForm title="Mark delivered" button="Mark delivered" onDone={reload}
              run={() => api.admin.deliver(orderId)} />
            <ReasonForm orderId={orderId} onDone={reload} />
            {isAdmin && <RefundForm orderId={orderId} currency={order.data.total?.currency ?? "EUR"} onDone={reload} />}
          </div>
        </>
      )}
      <OrderReturnsForStaff orderId={orderId} />
      <h3>Timeline</h3>
      {timeline.status === "loading" && !timeline.data && <Loading label="Loading the timeline…" />}
      {timeline.status === "error" && <ErrorView what="Timeline" error={timeline.error} onRetry={timeline.reload} />}
      {timeline.data &&
        (timeline.data.length === 0 ? (
          <p className="muted">No events.</p>
        ) : (
          <ol className="timeline">
            {timeline.data.map((t, i) => (
              <li key={`${t.position ?? i}-${t.type}`}>
                <strong>{t.type}</strong> <span className="muted">{formatDateTime(t.at, locale)}</span>
                {t.stream && <span className="muted"> · {t.stream}</span>}
                {t.data !== undefined && (
                  <details>
                    <summary>Data</summary>
                    <pre>{JSON.stringify(t.data, null, 2)}</pre>
                  </details>
                )}
              </li>
            ))}
          </ol>
        ))}
    </section>
  );
}

function ActionForm({
  title,
  button,
  run,
  onDone,
  children,
  confirmText,
}: {
  title: string;
  button: string;
  run: () => Promise<unknown>;
  onDone: () => void;
  children?: ReactNode;
  confirmText?: string;
}) {
  const announce = useAnnounce();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (confirmText && !window.confirm(confirmText)) return;
    setBusy(true);
    setError(null);
    try {
      await run();
      announce(`${title}: done.`);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="panel" aria-label={title}>
      <h4>{title}</h4>
      <FormError error={error} />
      {children}
      <button type="submit" disabled={busy}>
        {button}
      </button>
    </form>
  );
}

function ShipForm({ orderId, onDone }: { orderId: string; onDone: () => void }) {
  const { api } = useSession();
  const [carrier, setCarrier] = useState("");
  const [tracking, setTracking] = useState("");
  return (
    <ActionForm title="Ship" button="Mark shipped" onDone={onDone}
      run={() => api.admin.ship(orderId, carrier.trim(), tracking.trim())}>
      <Field label="Carrier" name="carrier" value={carrier} onChange={(e) => setCarrier(e.target.value)} />
      <Field label="Tracking number" name="trackingNumber" value={tracking} onChange={(e) => setTracking(e.target.value)} />
    </ActionForm>
  );
}

function ReasonForm({ orderId, onDone }: { orderId: string; onDone: () => void }) {
  const { api } = useSession();
  const [reason, setReason] = useState("");
  return (
    <ActionForm title="Cancel" button="Cancel order" onDone={onDone} confirmText="Cancel this order?"
      run={() => api.admin.cancel(orderId, reason.trim())}>
      <Field label="Reason" name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
    </ActionForm>
  );
}

function RefundForm({ orderId, currency, onDone }: { orderId: string; currency: string; onDone: () => void }) {
  const { api } = useSession();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const keyFor = useIdempotencyKey();
  const run = async () => {
    const minor = parseMajorToMinor(amount, currency);
    if (minor === null || minor <= 0) throw new Error(`Enter a positive amount in ${currency}, e.g. 12.50.`);
    const body = { amount: { amount: minor, currency }, reason: reason.trim() };
    return api.admin.refund(orderId, body.amount, body.reason, keyFor({ orderId, ...body }));
  };
  return (
    <ActionForm title="Refund" button="Refund" onDone={onDone} confirmText="Refund this amount?" run={run}>
      <p className="muted">The payment provider gives the money back first; the order then shows Partially refunded, or Refunded once the whole total is back. Refunds are for admins.</p>
      <Field label={`Amount (${currency})`} name="amount" inputMode="decimal" value={amount}
        onChange={(e) => setAmount(e.target.value)} />
      <Field label="Reason" name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
    </ActionForm>
  );
}
