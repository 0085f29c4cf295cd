// One customer for staff: profile, saved addresses, preferences, the orders
// they placed signed in (GET /api/admin/orders?customerId=), the export of
// their data, and — for admins — the erasure of it, confirmed by typing
// ERASE. Erasures are listed with who asked for them; orders are kept.

import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import type { Customer } from "../../api/types";
import { Field } from "../../components/Field";
import { Pagination } from "../../components/Pagination";
import { Price } from "../../components/Price";
import { StatusBadge } from "../../components/StatusBadge";
import { Empty, ErrorView, FormError, Loading } from "../../components/Status";
import { useAnnounce } from "../../components/Layout";
import { downloadJson } from "../../lib/download";
import { formatDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";

export function AdminCustomerPage() {
  const { customerId = "" } = useParams();
  const { api, locale, me } = useSession();
  // Erasure cannot be undone: the server allows it to admins only.
  const isAdmin = !!me?.roles?.includes("admin");
  const customer = useLoad(() => api.admin.customer(customerId), [api, customerId]);
  const c = customer.data;

  return (
    <section aria-labelledby="acd-h">
      <p>
        <Link to="/admin/customers">← All customers</Link>
      </p>
      <h2 id="acd-h">{c ? (c.erased ? "Erased customer" : c.name || "(no name)") : "Customer"}</h2>
      <p className="muted">
        <code>{customerId}</code>
      </p>
      {customer.status === "loading" && !c && <Loading label="Loading the customer…" />}
      {customer.status === "error" && <ErrorView what="Customer" error={customer.error} onRetry={customer.reload} />}
      {c && (
        <>
          <ProfileSection customer={c} locale={locale} />
          <Erasures customer={c} locale={locale} />
          <Orders customerId={customerId} email={c.email} locale={locale} />
          <DataSection customer={c} isAdmin={isAdmin} onErased={customer.reload} />
        </>
      )}
    </section>
  );
}

function ProfileSection({ customer: c, locale }: { customer: Customer; locale: string }) {
  if (c.erased || !c.profile) {
    return (
      <section className="panel" aria-labelledby="acd-profile">
        <h3 id="acd-profile">Profile</h3>
        <p>This customer's profile, preferences and history were erased. Their orders are kept.</p>
      </section>
    );
  }
  const p = c.profile;
  const prefs = c.preferences;
  return (
    <section className="panel" aria-labelledby="acd-profile">
      <h3 id="acd-profile">Profile</h3>
      <dl>
        <dt>Email</dt>
        <dd>{c.email || "—"}</dd>
        <dt>Phone</dt>
        <dd>{p.phone || "—"}</dd>
        <dt>Customer since</dt>
        <dd>{formatDateTime(c.createdAt, locale)}</dd>
        <dt>Language · currency</dt>
        <dd>
          {prefs.language} · {prefs.currency}
        </dd>
        <dt>Marketing email</dt>
        <dd>{prefs.marketingOptIn ? "Opted in" : "Not opted in"}</dd>
        {prefs.favouriteCategories && prefs.favouriteCategories.length > 0 && (
          <>
            <dt>Favourite categories</dt>
            <dd>{prefs.favouriteCategories.join(", ")}</dd>
          </>
        )}
      </dl>
      <h4>Addresses</h4>
      {p.addresses.length === 0 ? (
        <p className="muted">No saved addresses.</p>
      ) : (
        <ul aria-label="Addresses">
          {p.addresses.map((a) => (
            <li key={a.id}>
              <strong>{a.label || "Address"}</strong>
              {a.default && <span className="muted"> (default)</span>}
              <br />
              {[a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.country].filter(Boolean).join(", ")}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Erasures({ customer: c, locale }: { customer: Customer; locale: string }) {
  if (c.erasures.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="acd-erasures">
      <h3 id="acd-erasures">Erasures</h3>
      <ul>
        {c.erasures.map((e) => (
          <li key={`${e.at}-${e.by}`}>
            {formatDateTime(e.at, locale)} — {e.byCustomer ? "by the customer" : <>by admin <code>{e.by}</code></>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Orders({ customerId, email, locale }: { customerId: string; email: string; locale: string }) {
  const { api } = useSession();
  const [page, setPage] = useState(1);
  const orders = useLoad(() => api.admin.orders({ customerId, page }), [api, customerId, page]);
  return (
    <section aria-labelledby="acd-orders">
      <h3 id="acd-orders">Orders</h3>
      {email && (
        <p>
          <Link to={`/admin/orders?q=${encodeURIComponent(email)}`}>Every order placed with {email}</Link>
          <span className="muted"> (guest orders included)</span>
        </p>
      )}
      {orders.status === "loading" && !orders.data && <Loading label="Loading orders…" />}
      {orders.status === "error" && <ErrorView what="Orders" error={orders.error} onRetry={orders.reload} />}
      {orders.data &&
        (orders.data.items.length === 0 ? (
          <Empty>
            <p>No orders placed while signed in.</p>
          </Empty>
        ) : (
          <>
            <table className="table">
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
                  <tr key={o.orderId}>
                    <td data-label="Order">
                      <Link to={`/admin/orders/${encodeURIComponent(o.orderId)}`}>{o.orderId.slice(0, 8)}</Link>
                    </td>
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
            <Pagination page={page} pageSize={orders.data.pageSize} total={orders.data.total} onPage={setPage} />
          </>
        ))}
    </section>
  );
}

function DataSection({ customer: c, isAdmin, onErased }: { customer: Customer; isAdmin: boolean; onErased: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState("");
  const [busy, setBusy] = useState(false);

  const download = async () => {
    setError(null);
    try {
      downloadJson(await api.admin.exportCustomer(c.id), `customer-${c.id}.json`);
    } catch (e) {
      setError(e);
    }
  };

  const erase = async (e: FormEvent) => {
    e.preventDefault();
    if (confirm !== "ERASE") return;
    setBusy(true);
    setError(null);
    try {
      await api.admin.eraseCustomer(c.id);
      setConfirm("");
      announce("The customer's data was erased.");
      onErased();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="acd-data">
      <h3 id="acd-data">Their data</h3>
      <FormError error={error} />
      <p>
        <button type="button" onClick={download}>
          Download their data (JSON)
        </button>
      </p>
      {isAdmin && (
        <form onSubmit={erase} className="danger-zone" aria-label="Erase this customer's data">
          <p>
            Erasing deletes the profile, addresses, preferences and personalisation history, and records that you did it.
            Orders and the sign-in account are kept. It cannot be undone.
          </p>
          <Field label="Type ERASE to confirm" name="confirm" value={confirm} autoComplete="off"
            onChange={(e) => setConfirm(e.target.value)} />
          <button type="submit" className="danger" disabled={confirm !== "ERASE" || busy}>
            Erase this customer's data
          </button>
        </form>
      )}
    </section>
  );
}
