import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { Empty, ErrorView, Loading } from "../../components/Status";
import { formatMoney } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";

const PAGE_SIZE = 20;

/** Staff find products (archived ones included) by text and category, page through them and open one. */
export function AdminProductsPage() {
  const { api, locale, me } = useSession();
  const isAdmin = !!me?.roles?.includes("admin");
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const category = params.get("category") ?? "";
  // Only admins may list archived products (the API refuses support).
  const archived = isAdmin && params.get("archived") === "1";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const [draft, setDraft] = useState(q);
  const categories = useLoad(() => api.catalog.categories(), [api]);
  const list = useLoad(
    () => api.catalogAdmin.products({ q: q || undefined, category: category || undefined, includeArchived: archived, page, pageSize: PAGE_SIZE }),
    [api, q, category, archived, page],
  );

  const set = (change: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(change)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!("page" in change)) next.delete("page");
    setParams(next);
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    set({ q: draft.trim() });
  };
  const pages = list.status === "ok" ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;

  return (
    <section aria-labelledby="ap-h">
      <h2 id="ap-h">Products</h2>
      {isAdmin && (
        <p>
          <Link to="/admin/products/new">New product</Link>
        </p>
      )}
      <form className="filters" role="search" aria-label="Search products" onSubmit={search}>
        <div className="field">
          <label htmlFor="ap-q">Name, SKU or description</label>
          <input id="ap-q" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="ap-cat">Category</label>
          <select id="ap-cat" value={category} onChange={(e) => set({ category: e.target.value })}>
            <option value="">All categories</option>
            {(categories.data ?? []).map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.count})
              </option>
            ))}
          </select>
        </div>
        {isAdmin && (
          <div className="field">
            <label>
              <input type="checkbox" checked={archived} onChange={(e) => set({ archived: e.target.checked ? "1" : "" })} /> Include
              archived
            </label>
          </div>
        )}
        <button type="submit">Search</button>
      </form>
      {list.status === "loading" && <Loading label="Loading products…" />}
      {list.status === "error" && <ErrorView what="Products" error={list.error} onRetry={list.reload} />}
      {list.status === "ok" &&
        (list.data.items.length === 0 ? (
          <Empty>
            <p>No products match.</p>
          </Empty>
        ) : (
          <>
            <table className="table">
              <caption className="visually-hidden">Products</caption>
              <thead>
                <tr>
                  <th scope="col">SKU</th>
                  <th scope="col">Name</th>
                  <th scope="col">Category</th>
                  <th scope="col">Price</th>
                  <th scope="col">Available</th>
                  <th scope="col">On hand</th>
                  <th scope="col">Reserved</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((p) => (
                  <tr key={p.sku}>
                    <th scope="row" data-label="SKU">
                      <Link to={`/admin/products/${encodeURIComponent(p.sku)}`}>{p.sku}</Link>
                    </th>
                    <td data-label="Name">{p.name}</td>
                    <td data-label="Category">{p.category}</td>
                    <td data-label="Price">{formatMoney(p.price, locale)}</td>
                    <td data-label="Available">{p.stock}</td>
                    <td data-label="On hand">{p.onHand ?? "—"}</td>
                    <td data-label="Reserved">{p.reserved ?? "—"}</td>
                    <td data-label="State">{p.archived ? "Archived" : "On sale"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <nav aria-label="Product pages" className="pagination">
              <button type="button" disabled={page <= 1} onClick={() => set({ page: String(page - 1) })}>
                Previous
              </button>
              <span>
                Page {page} of {pages} · {list.data.total} products
              </span>
              <button type="button" disabled={page >= pages} onClick={() => set({ page: String(page + 1) })}>
                Next
              </button>
            </nav>
          </>
        ))}
    </section>
  );
}
