import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { ApiError } from "../../api/client";
import type { Product, ProductInput, StockReason, TaxClass } from "../../api/types";
import { Field } from "../../components/Field";
import { useAnnounce } from "../../components/Layout";
import { Empty, ErrorView, FormError, Loading } from "../../components/Status";
import { formatDateTime, minorDigits, parseMajorToMinor } from "../../lib/format";
import { newUUID } from "../../lib/id";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";
import { VariantsEditor } from "./VariantsEditor";

// The API's limits, checked here first so a form shows them beside the field.
const MAX_NAME = 120;
const MAX_DESCRIPTION = 4000;
const MAX_WEIGHT = 1_000_000;
const MAX_STOCK = 1_000_000;
const MAX_NOTE = 500;
const MAX_IMAGES = 8;
const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{2,31}$/;

const REASONS: { value: StockReason; label: string; sign: 1 | -1 | 0 }[] = [
  { value: "received", label: "Received (goods in)", sign: 1 },
  { value: "correction", label: "Correction (count)", sign: 0 },
  { value: "damaged", label: "Damaged", sign: -1 },
  { value: "lost", label: "Lost", sign: -1 },
  { value: "returned", label: "Returned, back in stock", sign: 1 },
  { value: "written_off", label: "Written off", sign: -1 },
  { value: "other", label: "Other (say why in the note)", sign: 0 },
];

/** Local refusals shaped like the API's problem+json, so Field shows both the same way. */
function invalid(errors: { field: string; reason: string }[]): ApiError | null {
  return errors.length ? new ApiError(422, { title: "Invalid input", errors }) : null;
}

/** One product in the back office: its details, images, stock with its history; /admin/products/new creates one. */
export function AdminProductPage() {
  const { sku = "new" } = useParams();
  if (sku === "new") return <ProductEditor />;
  return <ExistingProduct sku={sku} />;
}

function ExistingProduct({ sku }: { sku: string }) {
  const { api, me } = useSession();
  const isAdmin = !!me?.roles?.includes("admin");
  const product = useLoad(() => api.catalog.product(sku), [api, sku]);
  const [history, setHistory] = useState(0); // bumped to reload the history after an adjustment

  if (product.status === "loading" && !product.data) return <Loading label="Loading the product…" />;
  if (product.status === "error" && !product.data) return <ErrorView what="Product" error={product.error} onRetry={product.reload} />;
  const p = product.data as Product;
  return (
    <section aria-labelledby="prod-h">
      <p>
        <Link to="/admin/products">← Products</Link>
      </p>
      <h2 id="prod-h">
        {p.name} <small className="muted">{p.sku}</small>
      </h2>
      <p>
        {p.archived ? <strong>Archived</strong> : "On sale"} · {p.stock} available
        {typeof p.onHand === "number" && ` · ${p.onHand} on hand · ${p.reserved ?? 0} reserved`}
      </p>
      {isAdmin ? (
        <>
          <ProductEditor product={p} onSaved={product.reload} />
          <ArchiveButton product={p} onDone={product.reload} />
          <Images product={p} onChanged={product.reload} />
          <VariantsEditor sku={p.sku} />
          <StockAdjust
            product={p}
            onDone={() => {
              product.reload();
              setHistory((n) => n + 1);
            }}
          />
        </>
      ) : (
        <p className="muted">Support staff can see products and their stock history; admins change them.</p>
      )}
      <StockHistory sku={p.sku} generation={history} />
    </section>
  );
}

function ProductEditor({ product, onSaved }: { product?: Product; onSaved?: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const navigate = useNavigate();
  const creating = !product;
  const [sku, setSku] = useState("");
  const [name, setName] = useState(product?.name ?? "");
  const [description, setDescription] = useState(product?.description ?? "");
  const [category, setCategory] = useState(product?.category ?? "");
  const currency0 = product?.price.currency ?? "EUR";
  const [currency, setCurrency] = useState(currency0);
  const [price, setPrice] = useState(
    product ? (product.price.amount / 10 ** minorDigits(currency0)).toFixed(minorDigits(currency0)) : "",
  );
  const [taxClass, setTaxClass] = useState<TaxClass>(product?.taxClass ?? "standard");
  const [weight, setWeight] = useState(String(product?.weightGrams ?? 0));
  const [stock, setStock] = useState("0");
  const [attributes, setAttributes] = useState(JSON.stringify(product?.attributes ?? {}, null, 2));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: { field: string; reason: string }[] = [];
    if (creating && !SKU_PATTERN.test(sku.trim())) errs.push({ field: "sku", reason: "must be 3–32 letters, digits or dashes" });
    if (!name.trim()) errs.push({ field: "name", reason: "is required" });
    else if (name.length > MAX_NAME) errs.push({ field: "name", reason: `is longer than ${MAX_NAME} characters` });
    if (description.length > MAX_DESCRIPTION) errs.push({ field: "description", reason: `is longer than ${MAX_DESCRIPTION} characters` });
    if (!category.trim()) errs.push({ field: "category", reason: "is required" });
    if (!/^[A-Z]{3}$/.test(currency)) errs.push({ field: "currency", reason: "must be an ISO code such as EUR" });
    const amount = /^[A-Z]{3}$/.test(currency) ? parseMajorToMinor(price, currency) : null;
    if (amount === null || amount <= 0) errs.push({ field: "price", reason: "must be a positive amount, e.g. 12.50" });
    const grams = Number(weight);
    if (!Number.isInteger(grams) || grams < 0 || grams > MAX_WEIGHT) errs.push({ field: "weightGrams", reason: `must be 0–${MAX_WEIGHT} grams` });
    const units = Number(stock);
    if (creating && (!Number.isInteger(units) || units < 0 || units > MAX_STOCK)) errs.push({ field: "stock", reason: `must be 0–${MAX_STOCK}` });
    let attrs: Record<string, unknown> = {};
    try {
      const v: unknown = JSON.parse(attributes || "{}");
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
      attrs = v as Record<string, unknown>;
    } catch {
      errs.push({ field: "attributes", reason: 'must be a JSON object, e.g. {"colour": "red"}' });
    }
    const local = invalid(errs);
    if (local) {
      setError(local);
      return;
    }
    const input: ProductInput = {
      name: name.trim(),
      description,
      category: category.trim(),
      price: { amount: amount as number, currency },
      taxClass,
      weightGrams: grams,
      attributes: attrs,
      images: product?.images ?? [],
    };
    setBusy(true);
    setError(null);
    try {
      if (product) {
        await api.catalogAdmin.update(product.sku, { ...input, version: product.version });
        announce(`${input.name} saved.`);
        onSaved?.();
      } else {
        const created = await api.catalogAdmin.create({ ...input, sku: sku.trim(), stock: units });
        announce(`${created.name} created.`);
        navigate(`/admin/products/${encodeURIComponent(created.sku)}`);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const shown = ["sku", "name", "description", "category", "currency", "price", "taxClass", "weightGrams", "stock", "attributes"];
  return (
    <form aria-label={creating ? "New product" : "Product details"} onSubmit={submit} noValidate>
      {creating && <h2>New product</h2>}
      {creating && <Field label="SKU" name="sku" value={sku} onChange={(e) => setSku(e.target.value)} error={error} maxLength={32} />}
      <Field label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={error} maxLength={MAX_NAME} />
      <TextArea label="Description" name="description" value={description} onChange={setDescription} error={error} rows={4} />
      <Field label="Category" name="category" value={category} onChange={(e) => setCategory(e.target.value)} error={error} />
      <Field label="Price" name="price" inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} error={error} />
      <Field label="Currency" name="currency" value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} error={error} maxLength={3} />
      <div className="field">
        <label htmlFor="prod-tax">Tax class</label>
        <select id="prod-tax" name="taxClass" value={taxClass} onChange={(e) => setTaxClass(e.target.value as TaxClass)}>
          <option value="standard">Standard</option>
          <option value="reduced">Reduced</option>
          <option value="zero">Zero</option>
        </select>
      </div>
      <Field label="Weight (grams)" name="weightGrams" inputMode="numeric" value={weight} onChange={(e) => setWeight(e.target.value)} error={error} />
      {creating && (
        <Field label="Initial stock" name="stock" inputMode="numeric" value={stock} onChange={(e) => setStock(e.target.value)} error={error} />
      )}
      <TextArea label="Attributes (JSON)" name="attributes" value={attributes} onChange={setAttributes} error={error} rows={4} />
      <FormError error={error} shownFields={shown} />
      <button type="submit" disabled={busy}>
        {creating ? "Create product" : "Save details"}
      </button>
    </form>
  );
}

function TextArea(props: { label: string; name: string; value: string; onChange: (v: string) => void; error: unknown; rows: number }) {
  const reason = props.error instanceof ApiError ? props.error.fieldError(props.name) : undefined;
  const id = `ta-${props.name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={reason ? true : undefined}
        aria-describedby={reason ? `${id}-err` : undefined}
      />
      {reason && (
        <small id={`${id}-err`} className="field-error">
          {reason}
        </small>
      )}
    </div>
  );
}

function ArchiveButton({ product, onDone }: { product: Product; onDone: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (product.archived) {
    return <p className="muted">Archived: hidden from shoppers, kept for past orders. (Putting it back on sale is not supported yet.)</p>;
  }
  const archive = async () => {
    if (!window.confirm(`Archive ${product.name}? Shoppers will no longer see it.`)) return;
    setBusy(true);
    setError(null);
    try {
      await api.catalogAdmin.archive(product.sku);
      announce(`${product.name} archived.`);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <button type="button" onClick={archive} disabled={busy}>
        Archive
      </button>
      <FormError error={error} />
    </div>
  );
}

function Images({ product, onChanged }: { product: Product; onChanged: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      announce(what);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const images = product.images;
  const move = (i: number, by: number) => {
    const next = [...images];
    next.splice(i + by, 0, ...next.splice(i, 1));
    void run("Images reordered.", () => api.catalogAdmin.setImages(product.sku, next));
  };
  const upload = (file: File | undefined) => {
    if (!file) return;
    // The server checks the content; this only spares a round trip for the obvious.
    if (!/^image\/(jpeg|png|gif|webp)$/.test(file.type)) {
      setError(invalid([{ field: "file", reason: "must be a JPEG, PNG, GIF or WebP image" }]));
      return;
    }
    void run(`${file.name} uploaded.`, () => api.catalogAdmin.uploadImage(product.sku, file));
  };
  return (
    <section aria-labelledby="img-h">
      <h3 id="img-h">Images</h3>
      {images.length === 0 ? (
        <p className="muted">No images yet.</p>
      ) : (
        <ol className="admin-images">
          {images.map((src, i) => (
            <li key={src}>
              <img src={src} alt={`Image ${i + 1} of ${product.name}`} width={96} height={72} />
              <button type="button" disabled={busy || i === 0} onClick={() => move(i, -1)} aria-label={`Move image ${i + 1} up`}>
                ↑
              </button>
              <button type="button" disabled={busy || i === images.length - 1} onClick={() => move(i, 1)} aria-label={`Move image ${i + 1} down`}>
                ↓
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() => void run("Image removed.", () => api.catalogAdmin.setImages(product.sku, images.filter((s) => s !== src)))}
                aria-label={`Remove image ${i + 1}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
      {images.length < MAX_IMAGES ? (
        <div className="field">
          <label htmlFor="img-file">Upload an image (JPEG, PNG, GIF or WebP)</label>
          <input
            id="img-file"
            type="file"
            accept="image/jpeg,image/png,image/gif,image/webp"
            disabled={busy}
            onChange={(e) => {
              upload(e.target.files?.[0]);
              e.target.value = "";
            }}
          />
        </div>
      ) : (
        <p className="muted">A product has at most {MAX_IMAGES} images: remove one to upload another.</p>
      )}
      <FormError error={error} />
    </section>
  );
}

function StockAdjust({ product, onDone }: { product: Product; onDone: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState<StockReason | "">("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // One key per intended adjustment: a double submit or a retry moves stock once.
  const [key, setKey] = useState(newUUID);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = Number(delta);
    const errs: { field: string; reason: string }[] = [];
    const r = REASONS.find((x) => x.value === reason);
    if (!Number.isInteger(n) || n === 0 || Math.abs(n) > MAX_STOCK) errs.push({ field: "delta", reason: "must be a non-zero whole number of units" });
    else if (r?.sign === 1 && n < 0) errs.push({ field: "delta", reason: `must be positive: ${r.value} units are added` });
    else if (r?.sign === -1 && n > 0) errs.push({ field: "delta", reason: `must be negative: ${r.value} units are removed` });
    if (!r) errs.push({ field: "reason", reason: "is required" });
    if (reason === "other" && !note.trim()) errs.push({ field: "note", reason: "is required when the reason is other" });
    if (note.length > MAX_NOTE) errs.push({ field: "note", reason: `is longer than ${MAX_NOTE} characters` });
    const local = invalid(errs);
    if (local) {
      setError(local);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.catalogAdmin.adjustStock(product.sku, { delta: n, reason: reason as StockReason, note: note.trim() || undefined }, key);
      announce(`Stock of ${product.sku} changed by ${n}.`);
      setDelta("");
      setNote("");
      setReason("");
      setKey(newUUID());
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form aria-label="Adjust stock" onSubmit={submit} noValidate>
      <h3>Adjust stock</h3>
      <Field label="Units (+ in, − out)" name="delta" inputMode="numeric" value={delta} onChange={(e) => setDelta(e.target.value)} error={error} />
      <div className="field">
        <label htmlFor="adj-reason">Reason</label>
        <select
          id="adj-reason"
          name="reason"
          value={reason}
          onChange={(e) => setReason(e.target.value as StockReason)}
          aria-invalid={error instanceof ApiError && error.fieldError("reason") ? true : undefined}
          aria-describedby={error instanceof ApiError && error.fieldError("reason") ? "adj-reason-err" : undefined}
        >
          <option value="">Choose…</option>
          {REASONS.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
        {error instanceof ApiError && error.fieldError("reason") && (
          <small id="adj-reason-err" className="field-error">
            {error.fieldError("reason")}
          </small>
        )}
      </div>
      <Field label="Note" name="note" value={note} onChange={(e) => setNote(e.target.value)} error={error} maxLength={MAX_NOTE} />
      <FormError error={error} shownFields={["delta", "reason", "note"]} />
      <button type="submit" disabled={busy}>
        Adjust
      </button>
    </form>
  );
}

const HISTORY_SIZE = 20;

function StockHistory({ sku, generation }: { sku: string; generation: number }) {
  const { api, locale } = useSession();
  const [page, setPage] = useState(1);
  const moves = useLoad(() => api.catalogAdmin.movements(sku, page, HISTORY_SIZE), [api, sku, page, generation]);
  const pages = moves.data ? Math.max(1, Math.ceil(moves.data.total / HISTORY_SIZE)) : 1;
  return (
    <section aria-labelledby="hist-h">
      <h3 id="hist-h">Stock history</h3>
      {moves.status === "loading" && !moves.data && <Loading label="Loading the stock history…" />}
      {moves.status === "error" && <ErrorView what="Stock history" error={moves.error} onRetry={moves.reload} />}
      {moves.data &&
        (moves.data.items.length === 0 ? (
          <Empty>
            <p>No stock movements recorded yet.</p>
          </Empty>
        ) : (
          <>
            <table className="table">
              <caption className="visually-hidden">Stock movements, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Change</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Note</th>
                  <th scope="col">By</th>
                  <th scope="col">On hand after</th>
                </tr>
              </thead>
              <tbody>
                {moves.data.items.map((m) => (
                  <tr key={m.id}>
                    <td data-label="When">{formatDateTime(m.at, locale)}</td>
                    <td data-label="Change">{m.delta === 0 ? `${m.quantity} not restocked` : m.delta > 0 ? `+${m.delta}` : String(m.delta)}</td>
                    <td data-label="Reason">{m.reason.replace("_", " ")}</td>
                    <td data-label="Note">{m.note || (m.ref.startsWith("order:") ? `order ${m.ref.slice(6)}` : "")}</td>
                    <td data-label="By">{m.actor}</td>
                    <td data-label="On hand after">{m.onHandAfter ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <nav aria-label="Stock history pages" className="pagination">
              <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Newer
              </button>
              <span>
                Page {page} of {pages}
              </span>
              <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
                Older
              </button>
            </nav>
          </>
        ))}
    </section>
  );
}

