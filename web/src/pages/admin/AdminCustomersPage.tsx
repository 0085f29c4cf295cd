// The back office's customer search (support and admin). Each word of the
// query must begin a word of the customer's name or their email address —
// a prefix search, which the server answers from an index; a user id finds
// that customer. Results are newest customer first, paged.

import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { isApiError } from "../../api/client";
import { Field } from "../../components/Field";
import { Pagination } from "../../components/Pagination";
import { Empty, ErrorView, FormError, Loading } from "../../components/Status";
import { formatDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";

/** The API's bound on q (longer is refused with 422). */
const MAX_QUERY = 100;

export function AdminCustomersPage() {
  const { api, locale } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const page = Math.max(1, Math.trunc(Number(params.get("page"))) || 1);
  const [draft, setDraft] = useState(q);
  const customers = useLoad(
    () => api.admin.customers({ q: q || undefined, page: page > 1 ? page : undefined }),
    [api, q, page],
  );

  const search = (e: FormEvent) => {
    e.preventDefault();
    setParams(draft.trim() ? { q: draft.trim() } : {});
  };
  const goTo = (n: number) => {
    const next = new URLSearchParams(params);
    if (n > 1) next.set("page", String(n));
    else next.delete("page");
    setParams(next);
  };
  const invalid = customers.status === "error" && isApiError(customers.error) && customers.error.status === 422;
  const data = customers.status === "ok" ? customers.data : undefined;

  return (
    <section aria-labelledby="ac-h">
      <h2 id="ac-h">Customers</h2>
      <form className="filters" role="search" aria-label="Search customers" onSubmit={search}>
        <Field label="Name, email or customer id" name="q" type="search" value={draft} maxLength={MAX_QUERY}
          hint="Each word matches the start of a name or email (“ada lo”, “ada.lovelace@”)."
          error={invalid ? customers.error : undefined} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      {customers.status === "loading" && <Loading label="Searching customers…" />}
      {invalid && <FormError error={customers.error} shownFields={["q"]} />}
      {customers.status === "error" && !invalid && (
        <ErrorView what="Customers" error={customers.error} onRetry={customers.reload} />
      )}
      {data &&
        (data.items.length === 0 ? (
          <Empty>
            <p>{data.total > 0 ? "No customers on this page." : "No customers match."}</p>
          </Empty>
        ) : (
          <>
            <p className="muted" aria-live="polite">
              {data.total === 1 ? "1 customer" : `${data.total} customers`}
            </p>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Customer since</th>
                  <th scope="col">Orders</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((c) => (
                  <tr key={c.id}>
                    <td data-label="Name">
                      <Link to={`/admin/customers/${encodeURIComponent(c.id)}`}>{c.name || "(no name)"}</Link>
                    </td>
                    <td data-label="Email">{c.email || "—"}</td>
                    <td data-label="Customer since">{formatDateTime(c.createdAt, locale)}</td>
                    <td data-label="Orders">
                      <Link to={`/admin/orders?q=${encodeURIComponent(c.id)}`}>Their orders</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ))}
      {data && <Pagination page={page} pageSize={data.pageSize} total={data.total} onPage={goTo} />}
    </section>
  );
}
