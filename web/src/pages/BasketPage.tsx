import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import type { BasketLine } from "../api/types";
import { Price } from "../components/Price";
import { Empty, ErrorView, Loading } from "../components/Status";
import { useAnnounce } from "../components/Layout";
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
          <p className="actions">
            <Link to="/">Continue shopping</Link>
            <Link className="button primary" to={me ? "/checkout" : "/login?next=%2Fcheckout"}>
              {me ? "Checkout" : "Sign in to check out"}
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
