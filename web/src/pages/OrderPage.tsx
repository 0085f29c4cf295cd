// Order detail and confirmation. While the checkout saga is still working the
// page follows the order, so the customer watches Placed → … → Paid (or a
// cancellation with its reason) without reloading: each read is held by the
// shop until the order changes (If-None-Match with Prefer: wait), or, from a
// shop that does not hold reads, repeated every 1.5 s.

import { useRef } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { isApiError } from "../api/client";
import type { OrderDetail, Payment } from "../api/types";
import { PayPalApproval } from "../components/PayPalApproval";
import { OrderReturns } from "./OrderReturns";
import { Price } from "../components/Price";
import { PriceBreakdown } from "../components/PriceBreakdown";
import { StatusBadge } from "../components/StatusBadge";
import { ErrorView, Loading } from "../components/Status";
import { formatDateTime } from "../lib/format";
import { humanReason, isSettled, statusLabel } from "../lib/orders";
import { usePolling } from "../lib/usePolling";
import { useSession } from "../state/session";

const CAPTURED = new Set(["captured", "refunded", "partiallyrefunded"]);
/** Statuses of an order that was paid, so has (or is about to have) an invoice. */
const INVOICED = new Set(["Paid", "Shipped", "Delivered", "PartiallyRefunded", "Refunded"]);
const INVOICE_WAITS = 4;

export function hasCapture(payments: Payment[] | undefined): boolean {
  return !!payments?.some((p) => CAPTURED.has(p.status.toLowerCase().replace(/[^a-z]/g, "")));
}

export function OrderPage() {
  const { orderId = "" } = useParams();
  const [params] = useSearchParams();
  const { api, locale, me } = useSession();
  const placed = params.get("placed") === "1";
  // A guest reads the order through the signed token of its status link.
  const token = params.get("token") ?? undefined;
  const guest = !!token && !me;

  // A paid order's invoice is numbered a moment after the payment: keep
  // reading a few more times for it, then stop (a reload shows it later).
  const invoiceWaits = useRef(0);
  // The order as last read and its ETag; waits: whether the shop holds reads
  // (unknown until it was asked once).
  const followed = useRef<{ id: string; etag: string | null; order?: OrderDetail; waits?: boolean }>({ id: "", etag: null });
  const order = usePolling(
    async (signal) => {
      const last = followed.current.id === orderId ? followed.current : { id: orderId, etag: null };
      const r = await api.orders.follow(orderId, last.order ? last.etag : null, token, signal);
      const o = r.order ?? last.order!; // null only when an order was held
      followed.current = { id: orderId, etag: r.etag, order: o, waits: r.holds ?? last.waits };
      return o;
    },
    `order-${orderId}`,
    1500,
    (o) => isSettled(o.status) && (!!o.invoice || !INVOICED.has(o.status) || ++invoiceWaits.current > INVOICE_WAITS),
    undefined,
    () => followed.current.etag !== null && followed.current.waits !== false,
  );
  const settled = order.data ? isSettled(order.data.status) : false;
  // Payments follow the order: poll until the order settles, then read once more.
  const payments = usePolling(
    () => api.payments.forOrder(orderId, guest ? token : undefined),
    `payments-${orderId}`,
    1500,
    () => settled,
    settled,
  );

  if (order.loading) return <Loading label="Loading your order…" />;
  if (!order.data) {
    // Right after checkout the read model may lag a moment behind the command.
    const lagging = placed && isApiError(order.error) && order.error.status === 404;
    return (
      <>
        <h1>{placed ? "Thank you!" : "Order"}</h1>
        {lagging ? <Loading label="Your order is being placed…" /> : <ErrorView error={order.error} />}
      </>
    );
  }
  const o = order.data;
  return (
    <article className="order">
      <h1>{placed && o.status !== "Cancelled" ? "Thank you for your order!" : "Order"}</h1>
      <p className="muted">
        Order <code data-testid="order-id">{o.orderId}</code>
        {o.placedAt ? ` · placed ${formatDateTime(o.placedAt, locale)}` : ""}
      </p>
      <div className="order-status" role="status" aria-live="polite" data-testid="order-status" data-status={o.status}>
        Status: <StatusBadge status={o.status} />
        {!settled && <span className="spinner" aria-hidden="true" />}
        {!settled && <span className="muted"> updating…</span>}
      </div>
      <Outcome order={o} payments={payments.data} />
      {!settled && <PayPalApproval payments={payments.data} orderToken={guest ? token : undefined} />}
      <Documents order={o} token={guest ? token : undefined} />
      {order.error != null && (
        <p className="muted" role="status">
          Could not refresh just now; retrying.
        </p>
      )}

      <section aria-labelledby="lines-h">
        <h2 id="lines-h">Items</h2>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Quantity</th>
              <th scope="col">Price</th>
            </tr>
          </thead>
          <tbody>
            {(o.lines ?? []).map((l) => (
              <tr key={l.sku}>
                <td data-label="Product">{l.name}</td>
                <td data-label="Quantity">{l.quantity}</td>
                <td data-label="Price">
                  <Price value={l.unitPrice} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="big">
          Total <Price value={o.total} />
        </p>
        <PriceBreakdown breakdown={o.breakdown} />
      </section>

      {o.shippingAddress && (
        <section aria-labelledby="ship-h">
          <h2 id="ship-h">Shipping to</h2>
          <address>
            {o.shippingAddress.name}
            <br />
            {o.shippingAddress.line1}
            {o.shippingAddress.line2 && (
              <>
                <br />
                {o.shippingAddress.line2}
              </>
            )}
            <br />
            {o.shippingAddress.postalCode} {o.shippingAddress.city}
            <br />
            {o.shippingAddress.country}
          </address>
          {o.trackingNumber && (
            <p>
              Tracking: {o.carrier} {o.trackingNumber}
            </p>
          )}
        </section>
      )}

      {!guest && <OrderReturns orderId={o.orderId} />}

      <section aria-labelledby="history-h">
        <h2 id="history-h">History</h2>
        <ol className="history" data-testid="order-history">
          {(o.history ?? []).map((h, i) => (
            <li key={`${h.status}-${i}`}>
              <StatusBadge status={h.status} /> {formatDateTime(h.at, locale)}
              {h.reason && <span> — {humanReason(h.reason)}</span>}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="payments-h">
        <h2 id="payments-h">Payments</h2>
        {payments.loading && <Loading label="Loading payments…" />}
        {payments.error != null && !payments.data && <ErrorView what="Payments" error={payments.error} />}
        {payments.data &&
          (payments.data.length === 0 ? (
            <p className="muted">No payment recorded yet.</p>
          ) : (
            <table className="table" data-testid="payments">
              <thead>
                <tr>
                  <th scope="col">Payment</th>
                  <th scope="col">Status</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Card</th>
                </tr>
              </thead>
              <tbody>
                {payments.data.map((p) => (
                  <tr key={p.paymentId} data-payment-status={p.status}>
                    <td data-label="Payment">{p.paymentId.slice(0, 8)}</td>
                    <td data-label="Status">
                      {p.status}
                      {failureReason(p) && <span> — {humanReason(failureReason(p))}</span>}
                    </td>
                    <td data-label="Amount">
                      <Price value={p.amount} />
                    </td>
                    <td data-label="Card">{p.last4 ? `•••• ${p.last4}` : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
      </section>
      <p>
        <Link to="/orders">All my orders</Link>
      </p>
    </article>
  );
}

function Outcome({ order, payments }: { order: OrderDetail; payments: Payment[] | undefined }) {
  if (order.status === "Cancelled") {
    const reason = order.cancelReason ?? order.history?.find((h) => h.status === "Cancelled")?.reason;
    const failed = payments?.map(failureReason).find(Boolean);
    return (
      <div className="outcome outcome-bad" role="alert" data-testid="order-outcome">
        <p>
          <strong>Your order was cancelled.</strong> {humanReason(reason ?? failed) || "No reason was given."}
        </p>
        {payments && !hasCapture(payments) && <p>No money was taken from your card.</p>}
      </div>
    );
  }
  if (order.status === "Paid" || order.status === "Shipped" || order.status === "Delivered") {
    return (
      <div className="outcome outcome-ok" data-testid="order-outcome">
        <p>
          <strong>{statusLabel(order.status)}.</strong>{" "}
          {order.status === "Paid" ? "Your payment went through; we will ship your order soon." : ""}
        </p>
      </div>
    );
  }
  if (order.status === "PartiallyRefunded")
    return (
      <div className="outcome outcome-ok" data-testid="order-outcome">
        <p>
          <strong>Partially refunded.</strong> <Price value={order.refunded} /> of <Price value={order.total} /> is on its
          way back to your card.
        </p>
      </div>
    );
  if (order.status === "Refunded")
    return (
      <div className="outcome outcome-bad" data-testid="order-outcome">
        <p>
          <strong>Refunded.</strong> The money is on its way back to your card.
        </p>
      </div>
    );
  return null;
}

/** Why a payment failed, as the ledger records it (the gateway's reason, else its code). */
function failureReason(p: Payment): string {
  return p.reason || p.failCode || "";
}

/** Links to the order's invoice and credit notes, once they are issued. */
function Documents({ order, token }: { order: OrderDetail; token?: string }) {
  if (!order.invoice) return null;
  const base = `/orders/${encodeURIComponent(order.orderId)}`;
  const link = token ? `?token=${encodeURIComponent(token)}` : "";
  return (
    <p data-testid="order-documents">
      <Link to={`${base}/invoice${link}`}>Invoice {order.invoice.number}</Link>
      {(order.creditNotes ?? []).map((n) => (
        <span key={n.number}>
          {" · "}
          <Link to={`${base}/credit-notes/${encodeURIComponent(n.number)}${link}`}>Credit note {n.number}</Link>
        </span>
      ))}
    </p>
  );
}
