// Browse: search, category, price range, sort and pagination all live in the
// URL, so a filtered view can be bookmarked, shared and navigated with Back.

import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import type { ProductSort } from "../api/types";
import { ProductCard } from "../components/ProductCard";
import { Pagination } from "../components/Pagination";
import { Empty, ErrorView, Loading } from "../components/Status";
import { useAnnounce } from "../components/Layout";
import { parseMajorToMinor, minorDigits } from "../lib/format";
import { useLoad } from "../lib/useLoad";
import { useBasket } from "../state/basket";
import { useSession } from "../state/session";

const PAGE_SIZE = 12;
const SORTS: { value: ProductSort; label: string }[] = [
  { value: "name", label: "Name" },
  { value: "price_asc", label: "Price: low to high" },
  { value: "price_desc", label: "Price: high to low" },
  { value: "newest", label: "Newest" },
];

function toSort(v: string | null): ProductSort | undefined {
  return SORTS.some((s) => s.value === v) ? (v as ProductSort) : undefined;
}

function positiveInt(v: string | null, fallback: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function minorToInput(v: string | null, currency: string): string {
  const n = Number(v);
  if (v === null || v === "" || !Number.isInteger(n) || n < 0) return "";
  return String(n / 10 ** minorDigits(currency));
}

export function CatalogPage() {
  const { api, preferences, me } = useSession();
  const basket = useBasket();
  const announce = useAnnounce();
  const [params, setParams] = useSearchParams();
  const currency = preferences?.currency || "EUR";

  const q = params.get("q") ?? "";
  const category = params.get("category") ?? "";
  const sort = toSort(params.get("sort"));
  const page = positiveInt(params.get("page"), 1);
  const minPrice = params.get("minPrice");
  const maxPrice = params.get("maxPrice");

  const [draft, setDraft] = useState({
    q,
    category,
    sort: sort ?? "",
    min: minorToInput(minPrice, currency),
    max: minorToInput(maxPrice, currency),
  });
  const [priceError, setPriceError] = useState<string | null>(null);
  const [addError, setAddError] = useState<unknown>(null);

  const categories = useLoad(() => api.catalog.categories(), [api]);
  const products = useLoad(
    () =>
      api.catalog.products({
        q: q || undefined,
        category: category || undefined,
        sort,
        page,
        pageSize: PAGE_SIZE,
        minPrice: minPrice ? Number(minPrice) : undefined,
        maxPrice: maxPrice ? Number(maxPrice) : undefined,
      }),
    [api, q, category, sort, page, minPrice, maxPrice],
  );
  const recommendations = useLoad(
    () => (me ? api.clients.recommendations() : Promise.resolve([])),
    [api, me?.id],
  );

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const min = draft.min ? parseMajorToMinor(draft.min, currency) : null;
    const max = draft.max ? parseMajorToMinor(draft.max, currency) : null;
    if ((draft.min && min === null) || (draft.max && max === null)) {
      setPriceError("Enter prices as plain amounts, e.g. 10 or 24.99.");
      return;
    }
    if (min !== null && max !== null && min > max) {
      setPriceError("The minimum price is above the maximum.");
      return;
    }
    setPriceError(null);
    const next = new URLSearchParams();
    if (draft.q.trim()) next.set("q", draft.q.trim());
    if (draft.category) next.set("category", draft.category);
    if (draft.sort) next.set("sort", draft.sort);
    if (min !== null) next.set("minPrice", String(min));
    if (max !== null) next.set("maxPrice", String(max));
    setParams(next);
  };

  const setPage = (p: number) => {
    const next = new URLSearchParams(params);
    next.set("page", String(p));
    setParams(next);
  };

  const add = async (sku: string) => {
    setAddError(null);
    try {
      if (await basket.add(sku, 1)) {
        const name = products.data?.items.find((p) => p.sku === sku)?.name ?? sku;
        announce(`Added ${name} to your basket.`);
      }
    } catch (e) {
      setAddError(e);
    }
  };

  return (
    <>
      <h1>Shop</h1>
      <form className="filters" role="search" aria-label="Filter products" onSubmit={apply}>
        <div className="field">
          <label htmlFor="f-q">Search</label>
          <input id="f-q" type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="f-category">Category</label>
          <select
            id="f-category"
            value={draft.category}
            onChange={(e) => setDraft({ ...draft, category: e.target.value })}
          >
            <option value="">All categories</option>
            {categories.data?.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
                {` (${c.count})`}
              </option>
            ))}
          </select>
        </div>
        <div className="field narrow">
          <label htmlFor="f-min">Min price ({currency})</label>
          <input id="f-min" inputMode="decimal" value={draft.min} onChange={(e) => setDraft({ ...draft, min: e.target.value })} />
        </div>
        <div className="field narrow">
          <label htmlFor="f-max">Max price ({currency})</label>
          <input id="f-max" inputMode="decimal" value={draft.max} onChange={(e) => setDraft({ ...draft, max: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="f-sort">Sort by</label>
          <select id="f-sort" value={draft.sort} onChange={(e) => setDraft({ ...draft, sort: e.target.value })}>
            <option value="">Relevance</option>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Apply</button>
        {priceError && (
          <p className="field-error" role="alert">
            {priceError}
          </p>
        )}
      </form>
      {categories.status === "error" && <ErrorView what="Categories" error={categories.error} onRetry={categories.reload} />}
      {basket.notice && (
        <p className="notice" role="alert">
          {basket.notice}
        </p>
      )}
      {addError != null && <ErrorView what="Could not add to basket" error={addError} />}

      {products.status === "loading" && !products.data && <Loading label="Loading products…" />}
      {products.status === "error" && <ErrorView what="Products" error={products.error} onRetry={products.reload} />}
      {products.data && products.status !== "error" && (
        <section aria-labelledby="results-h" aria-busy={products.status === "loading"}>
          <h2 id="results-h" className="visually-hidden">
            Results
          </h2>
          <p className="muted" aria-live="polite">
            {products.data.total} product{products.data.total === 1 ? "" : "s"}
          </p>
          {products.data.items.length === 0 ? (
            <Empty>
              <p>No products match these filters.</p>
            </Empty>
          ) : (
            <div className="grid">
              {products.data.items.map((p) => (
                <ProductCard key={p.sku} product={p} onAdd={add} busy={basket.busy || !basket.ready} />
              ))}
            </div>
          )}
          <Pagination
            page={products.data.page}
            pageSize={products.data.pageSize}
            total={products.data.total}
            onPage={setPage}
          />
        </section>
      )}

      {me && recommendations.status === "ok" && recommendations.data.length > 0 && (
        <section aria-labelledby="reco-h">
          <h2 id="reco-h">Recommended for you</h2>
          <div className="grid">
            {recommendations.data.slice(0, 4).map((p) => (
              <ProductCard key={p.sku} product={p} onAdd={add} busy={basket.busy || !basket.ready} />
            ))}
          </div>
        </section>
      )}
    </>
  );
}
