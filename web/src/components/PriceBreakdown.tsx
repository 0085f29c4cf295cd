// The tax and shipping breakdown an order records (net, tax per rate,
// shipping, discount, total). Orders placed before tax and shipping existed
// have none; the component then renders nothing.
import type { OrderDetail } from "../api/types";
import { Price } from "./Price";

export type Breakdown = NonNullable<OrderDetail["breakdown"]>;

/** 1900 basis points → "19 %", 550 → "5.5 %". */
export function ratePercent(bp: number): string {
  return `${(bp / 100).toLocaleString("en", { maximumFractionDigits: 2 })} %`;
}

export function PriceBreakdown({ breakdown }: { breakdown: Breakdown | undefined }) {
  if (!breakdown) return null;
  const b = breakdown;
  return (
    <table className="table breakdown" data-testid="price-breakdown">
      <caption>{b.pricesIncludeTax ? "Prices include tax" : "Tax added to net prices"} ({b.country})</caption>
      <tbody>
        <tr>
          <th scope="row">Items</th>
          <td>
            <Price value={b.subtotal} />
          </td>
        </tr>
        {b.discount.amount > 0 && (
          <tr data-testid="breakdown-discount">
            <th scope="row">Discount{b.discountCode ? ` (${b.discountCode})` : ""}</th>
            <td>
              −<Price value={b.discount} />
            </td>
          </tr>
        )}
        {b.shipping && (
          <tr data-testid="breakdown-shipping">
            <th scope="row">Shipping: {b.shipping.name}</th>
            <td>
              <Price value={b.shipping.gross} />
            </td>
          </tr>
        )}
        <tr>
          <th scope="row">Net</th>
          <td>
            <Price value={b.net} />
          </td>
        </tr>
        {b.taxRates.map((r) => (
          <tr key={r.rateBp} data-testid="breakdown-rate">
            <th scope="row">
              Tax {ratePercent(r.rateBp)} on <Price value={r.net} />
            </th>
            <td>
              <Price value={r.tax} />
            </td>
          </tr>
        ))}
        <tr>
          <th scope="row">Total</th>
          <td>
            <strong>
              <Price value={b.gross} />
            </strong>
          </td>
        </tr>
      </tbody>
    </table>
  );
}
