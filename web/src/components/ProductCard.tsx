import { Link } from "react-router-dom";
import type { Product } from "../api/types";
import { Price } from "./Price";

export function ProductCard({ product, onAdd, busy }: { product: Product; onAdd?: (sku: string) => void; busy?: boolean }) {
  const img = product.images?.[0];
  const soldOut = typeof product.stock === "number" && product.stock <= 0;
  // A family of variants is bought from its page, where the shopper picks one.
  const choose = (product.variantCount ?? 1) > 1;
  const from = choose && product.fromPrice && product.toPrice && product.fromPrice.amount !== product.toPrice.amount;
  const href = `/products/${encodeURIComponent(product.sku)}`;
  return (
    <article className="card product-card" data-sku={product.sku}>
      <Link to={href} className="card-link">
        {img ? (
          <img src={img} alt="" loading="lazy" width={320} height={240} />
        ) : (
          <div className="img-placeholder" aria-hidden="true" />
        )}
        <h2 className="card-title">{product.name}</h2>
      </Link>
      <p className="muted">{product.category}</p>
      <p>
        {from ? (
          <>
            From <Price value={product.fromPrice} />
          </>
        ) : (
          <Price value={choose && product.fromPrice ? product.fromPrice : product.price} />
        )}
      </p>
      {onAdd && choose && !soldOut && (
        <Link to={href} className="button" aria-label={`Choose options of ${product.name}`}>
          Choose options
        </Link>
      )}
      {onAdd && (!choose || soldOut) && (
        <button
          type="button"
          onClick={() => onAdd(product.sku)}
          disabled={busy || soldOut}
          aria-label={`Add ${product.name} to basket`}
        >
          {soldOut ? "Sold out" : "Add to basket"}
        </button>
      )}
    </article>
  );
}
