import { Link, useSearchParams } from "react-router-dom";
import { Pagination } from "../components/Pagination";
import { Price } from "../components/Price";
import { StatusBadge } from "../components/StatusBadge";
import { Empty, ErrorView, Loading } from "../components/Status";
import { formatDateTime } from "../lib/format";
import { isSettled } from "../lib/orders";
import { usePolling } from "../lib/usePolling";
import { useSession } from "../state/session";

export function OrdersPage() {
  const { api, locale } = useSession();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page")) || 1);
  // Live status: keep polling while any order on this page is still moving.
  const orders = usePolling(
    () => api.orders.list(page),
    `orders-${page}`,
    2000,
    (p) => p.items.every((o) => isSettled(o.status)),
  );

  return (
    <>
      <h1>My orders</h1>
      {orders.loading && <Loading label="Loading your orders…" />}
      {orders.error != null && !orders.data && <ErrorView error={orders.error} />}
      {orders.data &&
        (orders.data.items.length === 0 ? (
          <Empty>
            <p>You have no orders yet.</p>
            <Link to="/">Start shopping</Link>
          </Empty>
        ) : (
          <>
            <table className="table">
              <caption className="visually-hidden">Your orders, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Status</th>
                  <th scope="col">Total</th>
                </tr>
              </thead>
              <tbody>
                {orders.data.items.map((o) => (
                  <tr key={o.orderId} data-order-id={o.orderId}>
                    <td data-label="Order">
                      <Link to={`/orders/${encodeURIComponent(o.orderId)}`}>{o.orderId.slice(0, 8)}</Link>
                    </td>
                    <td data-label="Placed">{formatDateTime(o.placedAt, locale)}</td>
                    <td data-label="Status" aria-live="polite">
                      <StatusBadge status={o.status} />
                    </td>
                    <td data-label="Total">
                      <Price value={o.total} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination
              page={orders.data.page}
              pageSize={orders.data.pageSize}
              total={orders.data.total}
              onPage={(p) => setParams({ page: String(p) })}
            />
          </>
        ))}
    </>
  );
}
