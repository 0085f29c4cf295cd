// Staff's list of returns, filtered by status (Requested first: the ones
// waiting for a decision).

import { Link, useSearchParams } from "react-router-dom";
import { Price } from "../../components/Price";
import { Empty, ErrorView, Loading } from "../../components/Status";
import { formatDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";
import type { ReturnStatus } from "../../api/types";

export const RETURN_STATUSES: ReturnStatus[] = ["Requested", "Approved", "Received", "Refunded", "Rejected"];

export function AdminReturnsPage() {
  const { api, locale } = useSession();
  const [params, setParams] = useSearchParams();
  const raw = params.get("status");
  const status = raw === "" ? undefined : ((raw ?? "Requested") as ReturnStatus);
  const list = useLoad(() => api.admin.returns(status), [api, status]);

  return (
    <section aria-labelledby="ar-h">
      <h2 id="ar-h">Returns</h2>
      <div className="field">
        <label htmlFor="ar-status">Status</label>
        <select id="ar-status" value={status ?? ""} onChange={(e) => setParams({ status: e.target.value })}>
          <option value="">All</option>
          {RETURN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {list.status === "loading" && !list.data && <Loading label="Loading returns…" />}
      {list.status === "error" && <ErrorView what="Returns" error={list.error} onRetry={list.reload} />}
      {list.data &&
        (list.data.length === 0 ? (
          <Empty>
            <p>No {status ? status.toLowerCase() : ""} returns.</p>
          </Empty>
        ) : (
          <table className="table">
            <caption className="visually-hidden">Returns</caption>
            <thead>
              <tr>
                <th scope="col">Return</th>
                <th scope="col">Asked</th>
                <th scope="col">Customer</th>
                <th scope="col">Items</th>
                <th scope="col">Reason</th>
                <th scope="col">Status</th>
                <th scope="col">Refund</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link to={`/admin/returns/${encodeURIComponent(r.id)}`}>{r.id.slice(0, 8)}…{r.id.slice(r.id.lastIndexOf("-r"))}</Link>
                  </th>
                  <td>{formatDateTime(r.requestedAt, locale)}</td>
                  <td>{r.email ?? r.customerId}</td>
                  <td>{r.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ")}</td>
                  <td>{r.reason}</td>
                  <td>{r.status}</td>
                  <td>{r.refund ? <Price value={r.refund} /> : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}

/** The returns of one order, for its staff page: status, units and refund, each linked to its return page. */
export function OrderReturnsForStaff({ orderId }: { orderId: string }) {
  const { api } = useSession();
  const data = useLoad(() => api.orders.returns(orderId), [api, orderId]);
  if (!data.data || data.data.items.length === 0) return null;
  return (
    <section aria-labelledby="aor-h" data-testid="admin-order-returns">
      <h3 id="aor-h">Returns</h3>
      <ul>
        {data.data.items.map((r) => (
          <li key={r.id}>
            <Link to={`/admin/returns/${encodeURIComponent(r.id)}`}>{r.id.slice(r.id.lastIndexOf("-r") + 1)}</Link> · {r.status} ·{" "}
            {r.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ")}
            {r.refund && (
              <>
                {" "}
                · refund <Price value={r.refund} />
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
