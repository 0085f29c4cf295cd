// Baskets with an estimate, as GET /api/basket answers them, for the basket
// and checkout page tests.
import { eur, json, type FakeReply, type FakeRequest } from "./fakeShop";

/** A breakdown as the API sends it: gross lines, tax of one rate, optional shipping. */
export function breakdown(country: string, gross: number, tax: number, shipping?: { name: string; gross: number }, code?: string) {
  const total = gross + (shipping?.gross ?? 0);
  return {
    currency: "EUR",
    country,
    pricesIncludeTax: true,
    lines: [],
    ...(shipping
      ? { shipping: { method: "standard", name: shipping.name, taxClass: "standard", rateBp: 1900, amount: eur(shipping.gross), discount: eur(0), net: eur(shipping.gross), tax: eur(0), gross: eur(shipping.gross) } }
      : {}),
    ...(code ? { discountCode: code } : {}),
    taxRates: [{ rateBp: country === "FR" ? 2000 : 1900, net: eur(total - tax), tax: eur(tax), gross: eur(total) }],
    subtotal: eur(gross),
    discount: eur(code ? 200 : 0),
    net: eur(total - tax),
    tax: eur(tax),
    gross: eur(total),
  };
}

/** The basket the fake shop answers with, priced for the request's ?country= and ?shippingMethod=. */
export function pricedBasket(req: FakeRequest, opts: { rev?: number; discount?: object | null } = {}): FakeReply {
  const country = req.query.get("country") ?? "DE";
  const method = req.query.get("shippingMethod") ?? undefined;
  const rev = opts.rev ?? 2;
  const code = opts.discount ? "TEN" : undefined;
  const gross = code ? 1800 : 2000;
  return json(
    {
      lines: [{ sku: "MUG", name: "Blue mug", category: "kitchen", quantity: 2, unitPrice: eur(1000), lineTotal: eur(2000) }],
      total: eur(2000),
      itemCount: 2,
      revision: rev,
      discount: opts.discount ?? null,
      estimate: {
        country,
        ...(method ? { shippingMethod: method } : {}),
        breakdown: breakdown(country, gross, country === "FR" ? 300 : 287, method ? { name: "Standard", gross: 495 } : undefined, code),
        shippingMethods: [
          { id: "standard", name: "Standard", price: eur(495) },
          { id: "express", name: "Express", price: eur(1490) },
        ],
      },
    },
    200,
    { ETag: `"${rev}"` },
  );
}
