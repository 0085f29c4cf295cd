// The owner's sales dashboard: totals, revenue over time, top products and
// basket-to-order conversion for a period picked by date (days in the shop's
// time zone), with the CSV of each breakdown to download. Figures come from
// GET /api/admin/sales (admins only); amounts are minor units.

import { useState, type FormEvent } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { salesCsvUrl, type SalesQuery } from "../../api/endpoints";
import type { SalesReport } from "../../api/types";
import { ErrorView, Loading } from "../../components/Status";
import { formatMoney, minorDigits } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";

/** YYYY-MM-DD of a date as the browser sees it (the server counts days in the shop's zone). */
export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The period of the last n days to today. */
export function lastDays(n: number, today = new Date()): { from: string; to: string } {
  const from = new Date(today);
  from.setDate(from.getDate() - (n - 1));
  return { from: isoDay(from), to: isoDay(today) };
}

const MAX_DAYS = 366;

/** Why a period cannot be asked for, or null (the server checks the same). */
export function periodError(from: string, to: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return "Pick both dates.";
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days < 1) return "The end date must not be before the start date.";
  if (days > MAX_DAYS) return `Pick at most ${MAX_DAYS} days.`;
  return null;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function AdminSalesPage() {
  const { api, locale } = useSession();
  const [draft, setDraft] = useState(() => lastDays(30));
  const [period, setPeriod] = useState(draft);
  const invalid = periodError(draft.from, draft.to);
  const byDay = useLoad(() => api.admin.sales({ ...period, by: "day" }), [api, period.from, period.to]);
  const byProduct = useLoad(() => api.admin.sales({ ...period, by: "product" }), [api, period.from, period.to]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (!invalid) setPeriod(draft);
  };
  const preset = (n: number) => {
    const p = lastDays(n);
    setDraft(p);
    setPeriod(p);
  };

  return (
    <section aria-labelledby="as-h" className="sales">
      <h2 id="as-h">Sales</h2>
      <form className="sales-period" onSubmit={apply} aria-label="Period">
        <label>
          From <input type="date" value={draft.from} max={draft.to} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </label>
        <label>
          To <input type="date" value={draft.to} min={draft.from} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <button type="submit" disabled={invalid != null}>
          Show
        </button>
        {[7, 30, 90].map((n) => (
          <button type="button" key={n} onClick={() => preset(n)}>
            Last {n} days
          </button>
        ))}
        {invalid && <p role="alert">{invalid}</p>}
      </form>
      <p className="sales-downloads">
        Download CSV:{" "}
        {(["day", "product", "category"] as const).map((by) => (
          <a key={by} href={salesCsvUrl({ ...period, by } satisfies SalesQuery)} download>
            by {by}
          </a>
        ))}
      </p>
      {byDay.status === "loading" && !byDay.data && <Loading label="Loading sales…" />}
      {byDay.status === "error" && <ErrorView what="Sales" error={byDay.error} />}
      {byDay.data && <Overview report={byDay.data} locale={locale} />}
      {byProduct.status === "error" && <ErrorView what="Top products" error={byProduct.error} />}
      {byProduct.data && <TopProducts report={byProduct.data} locale={locale} />}
    </section>
  );
}

function Overview({ report, locale }: { report: SalesReport; locale: string }) {
  const currency = report.totals[0]?.currency || "EUR";
  const major = (n: number) => n / 10 ** minorDigits(currency);
  const days = (report.days ?? []).map((d) => ({
    day: d.day,
    revenue: d.currency === currency || d.currency === "" ? major(d.gross) : 0,
    refunded: d.currency === currency || d.currency === "" ? major(d.refunded) : 0,
    filled: d.basketsFilled,
    checkedOut: d.basketsCheckedOut,
  }));
  const money = (n: number) => formatMoney({ amount: Math.round(n * 10 ** minorDigits(currency)), currency }, locale);
  const c = report.conversion;
  return (
    <>
      <p className="sales-zone">
        {report.from} to {report.to}, days in {report.timeZone}. Net is without tax; products count after discounts.
      </p>
      <dl className="sales-totals">
        {report.totals.length === 0 && (
          <div>
            <dt>Revenue</dt>
            <dd>No paid orders in this period.</dd>
          </div>
        )}
        {report.totals.map((t) => (
          <div key={t.currency} className="sales-currency">
            <div>
              <dt>Revenue (gross)</dt>
              <dd>{formatMoney({ amount: t.gross, currency: t.currency }, locale)}</dd>
            </div>
            <div>
              <dt>Revenue (net)</dt>
              <dd>{formatMoney({ amount: t.net, currency: t.currency }, locale)}</dd>
            </div>
            <div>
              <dt>Orders</dt>
              <dd>{t.orders}</dd>
            </div>
            <div>
              <dt>Average order</dt>
              <dd>{formatMoney({ amount: t.averageOrderValue, currency: t.currency }, locale)}</dd>
            </div>
            <div>
              <dt>Refunds</dt>
              <dd>
                {t.refunds} ({formatMoney({ amount: t.refunded, currency: t.currency }, locale)}, rate {pct(t.refundRate)})
              </dd>
            </div>
          </div>
        ))}
        <div>
          <dt>Conversion</dt>
          <dd>
            {pct(c.rate)} ({c.basketsCheckedOut} of {c.basketsFilled} baskets checked out)
          </dd>
        </div>
      </dl>
      <figure className="chart" aria-label="Revenue over time">
        <figcaption>Revenue over time ({currency})</figcaption>
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={days}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis />
            <Tooltip formatter={(v) => money(Number(v))} />
            <Legend />
            <Line type="linear" dataKey="revenue" name="Revenue" stroke="#2563eb" dot={false} isAnimationActive={false} />
            <Line type="linear" dataKey="refunded" name="Refunded" stroke="#dc2626" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" aria-label="Conversion">
        <figcaption>Baskets filled and checked out per day</figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={days}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Bar dataKey="filled" name="Baskets filled" fill="#94a3b8" isAnimationActive={false} />
            <Bar dataKey="checkedOut" name="Checked out" fill="#16a34a" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
    </>
  );
}

function TopProducts({ report, locale }: { report: SalesReport; locale: string }) {
  const top = (report.products ?? []).slice(0, 10);
  if (top.length === 0) return <p>No products sold in this period.</p>;
  const data = top.map((p) => ({ name: p.name || p.sku, revenue: p.gross / 10 ** minorDigits(p.currency) }));
  return (
    <figure className="chart" aria-label="Top products">
      <figcaption>Top products by revenue</figcaption>
      <ResponsiveContainer width="100%" height={40 + 32 * data.length}>
        <BarChart data={data} layout="vertical" margin={{ left: 24 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" />
          <YAxis type="category" dataKey="name" width={140} />
          <Tooltip />
          <Bar dataKey="revenue" name="Revenue" fill="#2563eb" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">SKU</th>
            <th scope="col">Category</th>
            <th scope="col">Quantity</th>
            <th scope="col">Orders</th>
            <th scope="col">Revenue</th>
          </tr>
        </thead>
        <tbody>
          {top.map((p) => (
            <tr key={`${p.sku}/${p.category}/${p.currency}`}>
              <td data-label="Product">{p.name}</td>
              <td data-label="SKU">{p.sku}</td>
              <td data-label="Category">{p.category}</td>
              <td data-label="Quantity">{p.quantity}</td>
              <td data-label="Orders">{p.orders}</td>
              <td data-label="Revenue">{formatMoney({ amount: p.gross, currency: p.currency }, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
