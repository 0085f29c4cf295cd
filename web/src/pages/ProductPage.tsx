import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { Price } from "../components/Price";
import { ErrorView, Loading } from "../components/Status";
import { useAnnounce } from "../components/Layout";
import { useLoad } from "../lib/useLoad";
import { useBasket } from "../state/basket";
import { useSession } from "../state/session";

export function ProductPage() {
  const { sku = "" } = useParams();
  const { api } = useSession();
  const basket = useBasket();
  const announce = useAnnounce();
  const product = useLoad(() => api.catalog.product(sku), [api, sku]);
  const [qty, setQty] = useState(1);
  const [error, setError] = useState<unknown>(null);

  if (product.status === "loading") return <Loading label="Loading product…" />;
  if (product.status === "error")
    return (
      <>
        <h1>Product</h1>
        <ErrorView error={product.error} onRetry={product.reload} />
        <Link to="/">Back to the shop</Link>
      </>
    );
  const p = product.data;
  const soldOut = typeof p.stock === "number" && p.stock <= 0;
  const attrs = Object.entries(p.attributes ?? {});

  const add = async () => {
    setError(null);
    try {
      if (await basket.add(p.sku, qty)) announce(`Added ${qty} × ${p.name} to your basket.`);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <article className="product-detail">
      <p>
        <Link to="/">← Back to the shop</Link>
      </p>
      <div className="product-layout">
        <div className="gallery">
          {p.images?.length ? (
            p.images.map((src, i) => <img key={src} src={src} alt={i === 0 ? p.name : `${p.name}, view ${i + 1}`} />)
          ) : (
            <div className="img-placeholder" aria-hidden="true" />
          )}
        </div>
        <div>
          <h1>{p.name}</h1>
          <p className="muted">
            {p.category} · SKU {p.sku}
          </p>
          <p className="big">
            <Price value={p.price} />
          </p>
          <p>{soldOut ? "Out of stock" : typeof p.stock === "number" ? `${p.stock} in stock` : ""}</p>
          <p className="description">{p.description}</p>
          {attrs.length > 0 && (
            <dl className="attributes">
              {attrs.map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
                </div>
              ))}
            </dl>
          )}
          {basket.notice && (
            <p className="notice" role="alert">
              {basket.notice}
            </p>
          )}
          <div className="row">
            <div className="field narrow">
              <label htmlFor="qty">Quantity</label>
              <input
                id="qty"
                type="number"
                min={1}
                max={99}
                value={qty}
                onChange={(e) => setQty(Math.min(99, Math.max(1, Math.trunc(Number(e.target.value)) || 1)))}
              />
            </div>
            <button type="button" onClick={add} disabled={soldOut || basket.busy || !basket.ready}>
              Add to basket
            </button>
          </div>
          {error != null && <ErrorView what="Could not add to basket" error={error} />}
          {soldOut && <BackInStockButton sku={p.sku} name={p.name} />}
        </div>
      </div>
    </article>
  );
}

/** Opt in to (or out of) one email when a sold-out SKU is back in stock. */
function BackInStockButton({ sku, name }: { sku: string; name: string }) {
  const { api, me } = useSession();
  const announce = useAnnounce();
  const [subscribed, setSubscribed] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!me) return;
    let live = true;
    api.notifications
      .backInStock(sku)
      .then((r) => live && setSubscribed(r.subscribed))
      .catch(() => live && setSubscribed(false));
    return () => {
      live = false;
    };
  }, [api, me, sku]);

  if (me === undefined) return null;
  if (me === null)
    return (
      <p className="back-in-stock">
        <Link to={`/login?next=${encodeURIComponent(`/products/${sku}`)}`}>Sign in</Link> to be emailed when it is back in
        stock.
      </p>
    );

  const toggle = async () => {
    setError(null);
    setBusy(true);
    try {
      const r = subscribed
        ? await api.notifications.unsubscribeBackInStock(sku)
        : await api.notifications.subscribeBackInStock(sku);
      setSubscribed(r.subscribed);
      announce(r.subscribed ? `We will email you when ${name} is back in stock.` : `No email about ${name}.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="back-in-stock">
      {subscribed && <p>We will email you once when it is back in stock.</p>}
      <button type="button" className={subscribed ? undefined : "primary"} onClick={toggle} disabled={busy || subscribed === null}>
        {subscribed ? "Do not email me" : "Email me when it is back"}
      </button>
      {error != null && <ErrorView what="Could not save your request" error={error} />}
    </div>
  );
}
