import { useEffect, useMemo, useState } from "react";
import type { Product, ProductVariant } from "../api/types";
import { Link, useParams } from "react-router-dom";
import { Price } from "../components/Price";
import { formatMoney } from "../lib/format";
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
  // The shopper's choice per option name, for the product it was made on;
  // until one is made, the values of the SKU in the URL.
  const [choice, setChoice] = useState<{ of: string; values: Record<string, string> } | null>(null);

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
  const chosen =
    choice?.of === p.sku ? choice.values : Object.fromEntries((p.selectedOptions ?? []).map((o) => [o.name, o.value]));
  const options = p.options ?? [];
  const picking = options.length > 0 && (p.variants?.length ?? 0) > 0;
  // The variant the choices name (none when that combination is not sold).
  const variant: ProductVariant | undefined = picking ? findVariant(p, chosen) : undefined;
  const current = picking
    ? variant
      ? { sku: variant.sku, price: variant.price, stock: variant.stock, images: variant.images }
      : undefined
    : { sku: p.sku, price: p.price, stock: p.stock, images: p.images };
  const soldOut = current !== undefined && typeof current.stock === "number" && current.stock <= 0;
  const label = variant ? variant.options.map((o) => o.value).join(" / ") : "";
  const fullName = label ? `${p.name} — ${label}` : p.name;
  const attrs = Object.entries(p.attributes ?? {});

  const add = async () => {
    if (!current) return;
    setError(null);
    try {
      if (await basket.add(current.sku, qty)) announce(`Added ${qty} × ${fullName} to your basket.`);
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
          {(current?.images ?? p.images)?.length ? (
            (current?.images ?? p.images).map((src, i) => (
              <img key={src} src={src} alt={i === 0 ? fullName : `${fullName}, view ${i + 1}`} />
            ))
          ) : (
            <div className="img-placeholder" aria-hidden="true" />
          )}
        </div>
        <div>
          <h1>{p.name}</h1>
          <p className="muted">
            {p.category} · SKU {current?.sku ?? "—"}
          </p>
          {picking && <VariantPicker product={p} chosen={chosen} onChoose={(name, value) => setChoice({ of: p.sku, values: { ...chosen, [name]: value } })} />}
          {current ? (
            <>
              <p className="big">
                <Price value={current.price} />
              </p>
              <p>{soldOut ? "Out of stock" : typeof current.stock === "number" ? `${current.stock} in stock` : ""}</p>
            </>
          ) : (
            <p role="status">This combination is not available.</p>
          )}
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
            <button type="button" onClick={add} disabled={!current || soldOut || basket.busy || !basket.ready}>
              Add to basket
            </button>
          </div>
          {error != null && <ErrorView what="Could not add to basket" error={error} />}
          {soldOut && current && <BackInStockButton key={current.sku} sku={current.sku} name={fullName} />}
        </div>
      </div>
    </article>
  );
}

const sameValue = (a: string, b: string | undefined) => b !== undefined && a.toLowerCase() === b.toLowerCase();

/** The variant whose option values are all the chosen ones. */
function findVariant(p: Product, chosen: Record<string, string>): ProductVariant | undefined {
  return p.variants?.find((v) => v.options.every((o) => sameValue(o.value, chosen[o.name])));
}

/**
 * One group of choices per option (size, colour); each choice says the
 * price and availability of the variant it leads to with the other choices
 * kept, so a shopper sees what is sold out before picking it.
 */
function VariantPicker({
  product,
  chosen,
  onChoose,
}: {
  product: Product;
  chosen: Record<string, string>;
  onChoose: (name: string, value: string) => void;
}) {
  const { locale } = useSession();
  const options = product.options ?? [];
  const hints = useMemo(
    () =>
      options.map((o) =>
        o.values.map((value) => {
          const v = findVariant(product, { ...chosen, [o.name]: value });
          if (!v) return "not available";
          const price = formatMoney(v.price, locale);
          return v.stock > 0 ? price : `${price}, sold out`;
        }),
      ),
    [options, product, chosen, locale],
  );
  return (
    <div className="variant-picker">
      {options.map((o, i) => (
        <fieldset key={o.name} className="variant-option">
          <legend>{o.name}</legend>
          {o.values.map((value, j) => (
            <label key={value} className={`variant-choice ${sameValue(value, chosen[o.name]) ? "selected" : ""}`}>
              <input
                type="radio"
                name={`option-${o.name}`}
                value={value}
                checked={sameValue(value, chosen[o.name])}
                onChange={() => onChoose(o.name, value)}
              />
              <span>{value}</span> <small className="muted">({hints[i]?.[j]})</small>
            </label>
          ))}
        </fieldset>
      ))}
    </div>
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
