import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { Empty, ErrorView, Loading } from "../../components/Status";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";

export function AdminCustomersPage() {
  const { api } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const [draft, setDraft] = useState(q);
  const customers = useLoad(() => api.admin.customers(q), [api, q]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setParams(draft.trim() ? { q: draft.trim() } : {});
  };

  return (
    <section aria-labelledby="ac-h">
      <h2 id="ac-h">Customers</h2>
      <form className="filters" role="search" aria-label="Search customers" onSubmit={search}>
        <div className="field">
          <label htmlFor="ac-q">Name or email</label>
          <input id="ac-q" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </div>
        <button type="submit">Search</button>
      </form>
      {customers.status === "loading" && <Loading label="Searching customers…" />}
      {customers.status === "error" && <ErrorView what="Customers" error={customers.error} onRetry={customers.reload} />}
      {customers.status === "ok" &&
        (customers.data.length === 0 ? (
          <Empty>
            <p>No customers match.</p>
          </Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Roles</th>
                <th scope="col">Orders</th>
              </tr>
            </thead>
            <tbody>
              {customers.data.map((c) => (
                <tr key={c.id}>
                  <td data-label="Name">{c.name}</td>
                  <td data-label="Email">
                    {c.email}
                    {c.verified === false && <span className="muted"> (unverified)</span>}
                  </td>
                  <td data-label="Roles">{c.roles?.join(", ") ?? "customer"}</td>
                  <td data-label="Orders">
                    <Link to={`/admin/orders?q=${encodeURIComponent(c.email || c.id)}`}>Their orders</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
