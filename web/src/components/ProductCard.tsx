import { Link } from "react-router-dom";
import type { Product } from "../api/types";
import { Price } from "./Price";

export function ProductCard({ product, onAdd, busy }: { product: Product; onAdd?: (sku: string) => void; busy?: boolean }) {
  const img = product.images?.[0];
  const soldOut = typeof product.stock === "number" && product.stock <= 0;
  return (
    <article className="card product-card" data-sku={product.sku}>
      <Link to={`/products/${encodeURIComponent(product.sku)}`} className="card-link">
        {img ? (
          <img src={img} alt="" loading="lazy" width={320} height={240} />
        ) : (
          <div className="img-placeholder" aria-hidden="true" />
        )}
        <h2 className="card-title">{product.name}</h2>
      </Link>
      <p className="muted">{product.category}</p>
      <p>
        <Price value={product.price} />
      </p>
      {onAdd && (
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
