import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import type { BasketLine } from "../api/types";
import { Price } from "../components/Price";
import { PriceBreakdown } from "../components/PriceBreakdown";
import { Empty, ErrorView, Loading } from "../components/Status";
import { useAnnounce } from "../components/Layout";
import { ESTIMATE_COUNTRIES, refusalMessage } from "../lib/checkout";
import { formatMoney } from "../lib/format";
import { useBasket } from "../state/basket";
import { useSession } from "../state/session";

export function BasketPage() {
  const { me } = useSession();
  const b = useBasket();
  const [error, setError] = useState<unknown>(null);

  if (b.loading && !b.basket) return <Loading label="Loading your basket…" />;
  if (b.error != null && !b.basket)
    return (
      <>
        <h1>Basket</h1>
        <ErrorView error={b.error} onRetry={b.reload} />
      </>
    );

  const lines = b.basket?.lines ?? [];
  return (
    <>
      <h1>Basket</h1>
      {b.notice && (
        <div className="notice" role="alert">
          <p>{b.notice}</p>
          <button type="button" className="link-button" onClick={b.dismissNotice}>
            Dismiss
          </button>
        </div>
      )}
      {error != null && <ErrorView error={error} />}
      {lines.length === 0 ? (
        <Empty>
          <p>Your basket is empty.</p>
          <Link to="/">Browse the shop</Link>
        </Empty>
      ) : (
        <>
          <table className="table basket-table">
            <caption className="visually-hidden">Items in your basket</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Price</th>
                <th scope="col">Quantity</th>
                <th scope="col">Total</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <BasketRow key={l.sku} line={l} onError={setError} />
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={3}>
                  Total
                </th>
                <td data-testid="basket-total">
                  <Price value={b.basket?.total} />
                </td>
                <td />
              </tr>
            </tfoot>
          </table>
          <DiscountForm />
          <Estimate />
          <p className="actions">
            <Link to="/">Continue shopping</Link>
            {!me && <Link to="/login?next=%2Fcheckout">Sign in to check out</Link>}
            <Link className="button primary" to="/checkout">
              {me ? "Checkout" : "Check out as a guest"}
            </Link>
          </p>
        </>
      )}
    </>
  );
}

function BasketRow({ line, onError }: { line: BasketLine; onError: (e: unknown) => void }) {
  const b = useBasket();
  const announce = useAnnounce();
  const [qty, setQty] = useState(String(line.quantity));
  useEffect(() => setQty(String(line.quantity)), [line.quantity]);
  const parsed = Number(qty);
  const valid = Number.isInteger(parsed) && parsed >= 1 && parsed <= 99;
  const inputId = `qty-${line.sku}`;

  const run = async (f: () => Promise<boolean>, done: string) => {
    onError(null);
    try {
      if (await f()) announce(done);
    } catch (e) {
      onError(e);
    }
  };

  return (
    <tr data-sku={line.sku}>
      <td data-label="Product">
        <Link to={`/products/${encodeURIComponent(line.sku)}`}>{line.name}</Link>
      </td>
      <td data-label="Price">
        <Price value={line.unitPrice} />
      </td>
      <td data-label="Quantity">
        <form
          className="qty-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid && parsed !== line.quantity)
              void run(() => b.setQuantity(line.sku, parsed), `${line.name}: quantity ${parsed}.`);
          }}
        >
          <label htmlFor={inputId} className="visually-hidden">
            Quantity of {line.name}
          </label>
          <input
            id={inputId}
            type="number"
            min={1}
            max={99}
            value={qty}
            aria-invalid={!valid || undefined}
            onChange={(e) => setQty(e.target.value)}
          />
          <button type="submit" disabled={!valid || parsed === line.quantity || b.busy}>
            Update
          </button>
        </form>
      </td>
      <td data-label="Total">
        <Price value={line.lineTotal} />
      </td>
      <td>
        <button
          type="button"
          className="danger"
          disabled={b.busy}
          aria-label={`Remove ${line.name}`}
          onClick={() => void run(() => b.remove(line.sku), `Removed ${line.name}.`)}
        >
          Remove
        </button>
      </td>
    </tr>
  );
}

/** The discount code: enter one, see why it was refused, or remove it. */
function DiscountForm() {
  const b = useBasket();
  const announce = useAnnounce();
  const [code, setCode] = useState("");
  const [refusal, setRefusal] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const current = b.basket?.discount;

  const apply = async (e: FormEvent) => {
    e.preventDefault();
    setRefusal(null);
    setError(null);
    try {
      if (await b.applyDiscount(code.trim())) {
        announce(`Discount code ${code.trim().toUpperCase()} applied.`);
        setCode("");
      }
    } catch (err) {
      const why = refusalMessage(err);
      if (why) setRefusal(why);
      else setError(err);
    }
  };
  const remove = async () => {
    setError(null);
    try {
      if (await b.removeDiscount()) announce("Discount code removed.");
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="discount" aria-labelledby="discount-h">
      <h2 id="discount-h">Have a discount code?</h2>
      {current ? (
        <p data-testid="discount-code">
          <code>{current.code}</code>{" "}
          {current.kind === "percentage" && `${current.percentOff} % off`}
          {current.kind === "fixed" && current.amountOff && (
            <>
              <Price value={current.amountOff} /> off
            </>
          )}
          {current.kind === "free_shipping" && "free shipping"}{" "}
          <button type="button" className="link-button" disabled={b.busy} onClick={() => void remove()}>
            Remove code
          </button>
        </p>
      ) : (
        <form className="row" onSubmit={apply} aria-label="Apply a discount code">
          <label htmlFor="discount-code-input" className="visually-hidden">
            Discount code
          </label>
          <input
            id="discount-code-input"
            value={code}
            maxLength={32}
            autoComplete="off"
            aria-invalid={refusal ? true : undefined}
            aria-describedby={refusal ? "discount-refusal" : undefined}
            onChange={(e) => setCode(e.target.value)}
          />
          <button type="submit" disabled={!code.trim() || b.busy}>
            Apply
          </button>
        </form>
      )}
      {refusal && (
        <p id="discount-refusal" className="field-error" role="alert">
          {refusal}
        </p>
      )}
      {error != null && <ErrorView error={error} />}
    </section>
  );
}

/**
 * The basket priced for a destination: tax, shipping and the code. It starts
 * with the signed-in customer's default address country when they have one,
 * else the shop's country.
 */
function Estimate() {
  const { api, me, locale } = useSession();
  const b = useBasket();
  const [error, setError] = useState<unknown>(null);
  const asked = useRef(false);
  const est = b.basket?.estimate;

  useEffect(() => {
    if (!me || asked.current || b.estimateFor.country) return;
    asked.current = true;
    api.clients
      .profile()
      .then((p) => {
        const home = (p.addresses ?? []).find((a) => a.default) ?? p.addresses?.[0];
        if (home?.country) return b.setEstimateFor({ country: home.country });
      })
      .catch(() => undefined); // the shop's country stays
  }, [api, me, b]);

  if (!est) return null;
  const choose = async (q: { country?: string; shippingMethod?: string }) => {
    setError(null);
    try {
      await b.setEstimateFor(q);
    } catch (e) {
      setError(e);
    }
  };
  const countries = ESTIMATE_COUNTRIES.some((c) => c.code === est.country)
    ? ESTIMATE_COUNTRIES
    : [...ESTIMATE_COUNTRIES, { code: est.country, name: est.country }];

  return (
    <section className="estimate" aria-labelledby="estimate-h">
      <h2 id="estimate-h">Estimate</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="estimate-country">Deliver to</label>
          <select id="estimate-country" value={est.country} disabled={b.busy}
            onChange={(e) => void choose({ country: e.target.value })}>
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="estimate-method">Shipping</label>
          <select id="estimate-method" value={est.shippingMethod ?? ""} disabled={b.busy}
            onChange={(e) => void choose({ country: est.country, shippingMethod: e.target.value || undefined })}>
            <option value="">Choose at checkout</option>
            {est.shippingMethods.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} — {m.price.amount === 0 ? "free" : formatMoney(m.price, locale)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {error != null && <ErrorView error={error} />}
      <PriceBreakdown breakdown={est.breakdown} />
    </section>
  );
}
