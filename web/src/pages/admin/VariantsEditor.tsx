import { useState, type FormEvent } from "react";
import type { Product, ProductOption, VariantInput } from "../../api/types";
import { isApiError } from "../../api/client";
import { Field } from "../../components/Field";
import { Price } from "../../components/Price";
import { ErrorView, FormError, Loading } from "../../components/Status";
import { useAnnounce } from "../../components/Layout";
import { parseMajorToMinor } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";

/** The request fields this form shows beside an input; others go above it. */
const SHOWN = ["sku", "options", "productOptions", "price", "stock"];

const label = (opts: ProductOption[]) => opts.map((o) => o.value).join(" / ") || "—";

/**
 * The variants of the product family sku belongs to, with their options,
 * price and stock, and a form to add one (the API's field errors shown at
 * their fields). Standalone: the admin product page mounts it.
 */
export function VariantsEditor({ sku }: { sku: string }) {
  const { api } = useSession();
  const product = useLoad(() => api.catalog.product(sku), [api, sku]);
  if (product.status === "loading") return <Loading label="Loading variants…" />;
  if (product.status === "error") return <ErrorView what="Could not load the variants" error={product.error} onRetry={product.reload} />;
  return <Variants product={product.data} reload={product.reload} />;
}

function Variants({ product: p, reload }: { product: Product; reload: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [archiveError, setArchiveError] = useState<unknown>(null);
  const variants = p.variants ?? [];
  const names = (p.options ?? []).map((o) => o.name);
  const currency = p.price.currency;

  const archive = async (variantSku: string) => {
    setArchiveError(null);
    try {
      await api.catalog.archiveVariant(variantSku);
      announce(`${variantSku} archived.`);
      reload();
    } catch (e) {
      setArchiveError(e);
    }
  };

  return (
    <section className="variants-editor" aria-labelledby="variants-title">
      <h2 id="variants-title">Variants</h2>
      <table aria-label="Variants of this product">
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">{names.length ? names.join(" / ") : "Options"}</th>
            <th scope="col">Price</th>
            <th scope="col">Available</th>
            <th scope="col">On hand</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {variants.map((v) => (
            <tr key={v.sku}>
              <th scope="row">{v.sku}</th>
              <td>{label(v.options)}</td>
              <td>
                <Price value={v.price} />
              </td>
              <td>{v.stock}</td>
              <td>{v.onHand ?? "—"}</td>
              <td>{v.archived ? "Archived" : "On sale"}</td>
              <td>
                {!v.archived && (
                  <button type="button" onClick={() => archive(v.sku)} aria-label={`Archive ${v.sku}`}>
                    Archive
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {archiveError != null && <ErrorView what="Could not archive the variant" error={archiveError} />}
      <AddVariant product={p} names={names} currency={currency} onAdded={reload} />
    </section>
  );
}

function AddVariant({
  product: p,
  names,
  currency,
  onAdded,
}: {
  product: Product;
  names: string[];
  currency: string;
  onAdded: () => void;
}) {
  const { api } = useSession();
  const announce = useAnnounce();
  const first = names.length === 0; // a single product: name its option and its own value too
  const [sku, setSku] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [optionName, setOptionName] = useState("");
  const [ownValue, setOwnValue] = useState("");
  const [price, setPrice] = useState("");
  const [stock, setStock] = useState("0");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [localError, setLocalError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setLocalError(null);
    const body: VariantInput = { sku: sku.trim(), options: [], stock: Math.trunc(Number(stock)) || 0 };
    if (first) {
      body.options = [{ name: optionName, value: values[""] ?? "" }];
      body.productOptions = [{ name: optionName, value: ownValue }];
    } else {
      body.options = names.map((name) => ({ name, value: values[name] ?? "" }));
    }
    if (price.trim() !== "") {
      const amount = parseMajorToMinor(price, currency);
      if (amount === null) {
        setLocalError(`The price must be an amount in ${currency}, e.g. 29.90.`);
        return;
      }
      body.price = { amount, currency };
    }
    setBusy(true);
    try {
      const v = await api.catalog.addVariant(p.sku, body);
      announce(`Variant ${v.sku} added.`);
      setSku("");
      setValues({});
      setPrice("");
      setStock("0");
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const optionsReason = isApiError(error) ? error.fieldError("options") : undefined;
  return (
    <form onSubmit={submit} aria-labelledby="add-variant-title" noValidate>
      <h3 id="add-variant-title">Add a variant</h3>
      <FormError error={error} shownFields={SHOWN} />
      {localError && (
        <p className="form-error" role="alert">
          {localError}
        </p>
      )}
      <Field label="SKU" name="sku" value={sku} onChange={(e) => setSku(e.target.value)} error={error} required />
      {first ? (
        <>
          <Field
            label="Option name"
            name="options"
            hint="What tells the variants apart, e.g. Size or Colour"
            value={optionName}
            onChange={(e) => setOptionName(e.target.value)}
            error={error}
          />
          <Field
            label={`Value of ${p.sku}`}
            name="productOptions"
            hint="This product's own value, e.g. S"
            value={ownValue}
            onChange={(e) => setOwnValue(e.target.value)}
            error={error}
          />
          <Field label="Value of the new variant" name="value" value={values[""] ?? ""} onChange={(e) => setValues({ "": e.target.value })} />
        </>
      ) : (
        names.map((name) => (
          <Field
            key={name}
            label={name}
            name={`option-${name}`}
            value={values[name] ?? ""}
            onChange={(e) => setValues({ ...values, [name]: e.target.value })}
            aria-invalid={optionsReason ? true : undefined}
          />
        ))
      )}
      {!first && optionsReason && (
        <p className="field-error" role="alert">
          {optionsReason}
        </p>
      )}
      <Field
        label={`Price (${currency})`}
        name="price"
        hint="Empty: the product's price"
        inputMode="decimal"
        value={price}
        onChange={(e) => setPrice(e.target.value)}
        error={error}
      />
      <Field label="Stock" name="stock" type="number" min={0} value={stock} onChange={(e) => setStock(e.target.value)} error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Add variant
      </button>
    </form>
  );
}
