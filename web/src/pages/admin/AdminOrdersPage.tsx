import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { ORDER_STATUSES } from "../../api/types";
import { Price } from "../../components/Price";
import { StatusBadge } from "../../components/StatusBadge";
import { Empty, ErrorView, Loading } from "../../components/Status";
import { formatDateTime } from "../../lib/format";
import { statusLabel } from "../../lib/orders";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";

export function AdminOrdersPage() {
  const { api, locale } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const status = params.get("status") ?? "";
  const [draft, setDraft] = useState({ q, status });
  const orders = useLoad(() => api.admin.orders({ q: q || undefined, status: status || undefined }), [api, q, status]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    if (draft.q.trim()) next.set("q", draft.q.trim());
    if (draft.status) next.set("status", draft.status);
    setParams(next);
  };

  return (
    <section aria-labelledby="ao-h">
      <h2 id="ao-h">Orders</h2>
      <form className="filters" role="search" aria-label="Search orders" onSubmit={search}>
        <div className="field">
          <label htmlFor="ao-q">Order id, email or customer</label>
          <input id="ao-q" type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="ao-status">Status</label>
          <select id="ao-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      {orders.status === "loading" && <Loading label="Loading orders…" />}
      {orders.status === "error" && <ErrorView what="Orders" error={orders.error} onRetry={orders.reload} />}
      {orders.status === "ok" &&
        (orders.data.items.length === 0 ? (
          <Empty>
            <p>No orders match.</p>
          </Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Customer</th>
                <th scope="col">Placed</th>
                <th scope="col">Status</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {orders.data.items.map((o) => (
                <tr key={o.orderId}>
                  <td data-label="Order">
                    <Link to={`/admin/orders/${encodeURIComponent(o.orderId)}`}>{o.orderId.slice(0, 8)}</Link>
                  </td>
                  <td data-label="Customer">{o.email ?? o.customerId ?? "—"}</td>
                  <td data-label="Placed">{formatDateTime(o.placedAt, locale)}</td>
                  <td data-label="Status">
                    <StatusBadge status={o.status} />
                  </td>
                  <td data-label="Total">
                    <Price value={o.total} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
