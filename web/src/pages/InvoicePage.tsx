// The printable invoice or credit note of an order. It is an ordinary page of
// the shop on screen; printed (the Print button, or the browser's own), the
// print stylesheet drops the shop's header, footer and buttons and leaves the
// document alone on the sheet.

import { Link, useParams, useSearchParams } from "react-router-dom";
import { isApiError } from "../api/client";
import type { OrderDocument } from "../api/types";
import { Price } from "../components/Price";
import { ErrorView, Loading } from "../components/Status";
import { formatDateTime } from "../lib/format";
import { useLoad } from "../lib/useLoad";
import { useSession } from "../state/session";

export function InvoicePage() {
  const { orderId = "", number } = useParams();
  const [params] = useSearchParams();
  // A guest opens the documents through the order's signed token.
  const token = params.get("token") ?? undefined;
  const { api } = useSession();
  const doc = useLoad(
    () => (number ? api.orders.creditNote(orderId, number, token) : api.orders.invoice(orderId, token)),
    [api, orderId, number, token],
  );
  const back = `/orders/${encodeURIComponent(orderId)}${token ? `?token=${encodeURIComponent(token)}` : ""}`;
  const what = number ? "credit note" : "invoice";

  if (doc.status === "loading" && !doc.data) return <Loading label={`Loading the ${what}…`} />;
  if (!doc.data) {
    const missing = isApiError(doc.error) && doc.error.status === 404;
    return (
      <>
        <h1>{number ? "Credit note" : "Invoice"}</h1>
        {missing ? (
          <p role="status" data-testid="document-missing">
            {number
              ? "There is no such credit note for this order."
              : "This order has no invoice yet: it is issued once the payment has gone through."}
          </p>
        ) : (
          <ErrorView what={number ? "Credit note" : "Invoice"} error={doc.error} onRetry={doc.reload} />
        )}
        <p className="no-print">
          <Link to={back}>Back to the order</Link>
        </p>
      </>
    );
  }
  return <Document doc={doc.data} back={back} />;
}

function Document({ doc, back }: { doc: OrderDocument; back: string }) {
  const { locale } = useSession();
  const invoice = doc.kind === "invoice";
  const title = invoice ? "Invoice" : "Credit note";
  return (
    <article className="invoice" data-testid="document" data-kind={doc.kind}>
      <p className="no-print invoice-actions">
        <Link to={back}>← Back to the order</Link>{" "}
        <button type="button" onClick={() => window.print()}>
          Print
        </button>
      </p>
      <header className="invoice-head">
        <div>
          <h1>
            {title} <span data-testid="document-number">{doc.number}</span>
          </h1>
          <dl className="invoice-facts">
            <dt>Issued</dt>
            <dd>{formatDateTime(doc.issuedAt, locale)}</dd>
            <dt>Order</dt>
            <dd>
              <code>{doc.orderId}</code> of {formatDateTime(doc.orderedAt, locale)}
            </dd>
            {doc.invoiceNumber && (
              <>
                <dt>Corrects invoice</dt>
                <dd>{doc.invoiceNumber}</dd>
              </>
            )}
            <dt>Payment</dt>
            <dd>{doc.paymentMethod}</dd>
          </dl>
        </div>
        <address className="invoice-party" data-testid="seller">
          <strong>{doc.seller.name}</strong>
          {doc.seller.address.map((l) => (
            <span key={l}>{l}</span>
          ))}
          {doc.seller.vatId && <span>VAT ID {doc.seller.vatId}</span>}
          {doc.seller.email && <span>{doc.seller.email}</span>}
        </address>
      </header>

      <section aria-labelledby="buyer-h" className="invoice-party" data-testid="buyer">
        <h2 id="buyer-h">{invoice ? "Billed to" : "Credited to"}</h2>
        <address>
          <strong>{doc.buyer.name}</strong>
          <span>{doc.buyer.address.line1}</span>
          {doc.buyer.address.line2 && <span>{doc.buyer.address.line2}</span>}
          <span>
            {doc.buyer.address.postalCode} {doc.buyer.address.city}
          </span>
          <span>{doc.buyer.address.country}</span>
          <span>{doc.buyer.email}</span>
          {doc.buyer.vatId && <span>VAT ID {doc.buyer.vatId}</span>}
        </address>
      </section>

      {invoice ? (
        <table className="table invoice-lines">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">SKU</th>
              <th scope="col" className="num">Quantity</th>
              <th scope="col" className="num">Unit price</th>
              <th scope="col" className="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            {doc.lines.map((l) => (
              <tr key={l.sku}>
                <td data-label="Item">{l.name}</td>
                <td data-label="SKU">{l.sku}</td>
                <td data-label="Quantity" className="num">{l.quantity}</td>
                <td data-label="Unit price" className="num">
                  <Price value={l.unitPrice} />
                </td>
                <td data-label="Amount" className="num">
                  <Price value={l.total} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Refund {doc.refundId && <code>{doc.refundId}</code>} of the order's payment.</p>
      )}
      {invoice && doc.breakdown && <TaxBreakdown b={doc.breakdown} />}
      <p className="big invoice-total" data-testid="document-total">
        {invoice ? "Total" : "Credited"} <Price value={doc.total} />
      </p>

      {invoice && doc.creditNotes && doc.creditNotes.length > 0 && (
        <section aria-labelledby="cn-h">
          <h2 id="cn-h">Credit notes</h2>
          <ul>
            {doc.creditNotes.map((n) => (
              <li key={n.number}>
                <Link to={`/orders/${doc.orderId}/credit-notes/${encodeURIComponent(n.number)}`}>{n.number}</Link>{" "}
                <Price value={n.amount} /> · {formatDateTime(n.issuedAt, locale)}
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}

type Breakdown = NonNullable<OrderDocument["breakdown"]>;

/** A rate in basis points as a percentage ("20 %", "5.5 %"). */
export function ratePercent(bp: number): string {
  return `${(bp / 100).toLocaleString("en", { maximumFractionDigits: 2 })} %`;
}

/** Shipping, discount and tax per rate, then net, tax and gross: what tax law wants on the invoice. */
function TaxBreakdown({ b }: { b: Breakdown }) {
  return (
    <section aria-labelledby="tax-h" data-testid="tax-breakdown">
      <h2 id="tax-h">Tax</h2>
      <table className="table invoice-lines">
        <tbody>
          {b.shipping && (
            <tr>
              <th scope="row">Shipping ({b.shipping.name || b.shipping.method})</th>
              <td className="num">
                <Price value={b.shipping.gross} />
              </td>
            </tr>
          )}
          {b.discount.amount > 0 && (
            <tr>
              <th scope="row">Discount{b.discountCode ? ` (${b.discountCode})` : ""}</th>
              <td className="num">
                −<Price value={b.discount} />
              </td>
            </tr>
          )}
          {b.taxRates.map((r) => (
            <tr key={r.rateBp} data-testid="tax-rate">
              <th scope="row">
                VAT {ratePercent(r.rateBp)} on <Price value={r.net} />
              </th>
              <td className="num">
                <Price value={r.tax} />
              </td>
            </tr>
          ))}
          <tr>
            <th scope="row">Net</th>
            <td className="num">
              <Price value={b.net} />
            </td>
          </tr>
          <tr>
            <th scope="row">Tax</th>
            <td className="num">
              <Price value={b.tax} />
            </td>
          </tr>
        </tbody>
      </table>
      <p className="muted">
        Prices {b.pricesIncludeTax ? "include" : "exclude"} tax; rates of {b.country}.
      </p>
    </section>
  );
}
