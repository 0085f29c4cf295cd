import { useState, type FormEvent } from "react";
import { Field } from "../../components/Field";
import { useAnnounce } from "../../components/Layout";
import { Empty, ErrorView, FormError, Loading } from "../../components/Status";
import { formatDateTime, parseMajorToMinor } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";
import type { DiscountCode, DiscountCodeInput } from "../../api/types";

/** Admins create discount codes, pause and resume them, and watch how many uses are taken. */
export function AdminDiscountsPage() {
  const { api } = useSession();
  const list = useLoad(() => api.admin.discounts(), [api]);
  const [creating, setCreating] = useState(false);

  return (
    <section aria-labelledby="dc-h">
      <h2 id="dc-h">Discount codes</h2>
      <p className="muted">
        A use is reserved when an order is placed, counted as used when it is paid and released when it is cancelled. Limits
        count reserved and used orders.
      </p>
      {creating ? (
        <CodeForm
          onCancel={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
            list.reload();
          }}
        />
      ) : (
        <button type="button" onClick={() => setCreating(true)}>
          New code
        </button>
      )}
      {list.status === "loading" && <Loading label="Loading discount codes…" />}
      {list.status === "error" && <ErrorView what="Discount codes" error={list.error} onRetry={list.reload} />}
      {list.status === "ok" &&
        (list.data.length === 0 ? (
          <Empty>
            <p>No discount codes yet.</p>
          </Empty>
        ) : (
          <CodeTable codes={list.data} onChanged={list.reload} />
        ))}
    </section>
  );
}

function CodeTable({ codes, onChanged }: { codes: DiscountCode[]; onChanged: () => void }) {
  const { locale } = useSession();
  return (
    <table className="discounts">
      <caption className="visually-hidden">Discount codes and their usage</caption>
      <thead>
        <tr>
          <th scope="col">Code</th>
          <th scope="col">Takes off</th>
          <th scope="col">Valid</th>
          <th scope="col">Used</th>
          <th scope="col">Reserved</th>
          <th scope="col">Released</th>
          <th scope="col">Limit</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {codes.map((c) => (
          <tr key={c.code}>
            <th scope="row">
              <code>{c.code}</code>
            </th>
            <td>{c.description}</td>
            <td>
              {c.validFrom || c.validUntil
                ? `${c.validFrom ? formatDateTime(c.validFrom, locale) : "…"} – ${c.validUntil ? formatDateTime(c.validUntil, locale) : "…"}`
                : "always"}
            </td>
            <td>{c.usage.used}</td>
            <td>{c.usage.reserved}</td>
            <td>{c.usage.released}</td>
            <td>
              {c.maxUses > 0 ? `${c.maxUses} (${c.usage.remaining ?? 0} left)` : "unlimited"}
              {c.maxUsesPerCustomer > 0 && <small className="muted"> · {c.maxUsesPerCustomer} per customer</small>}
            </td>
            <td>
              {c.paused ? "Paused" : "Active"} <PauseButton code={c} onChanged={onChanged} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PauseButton({ code, onChanged }: { code: DiscountCode; onChanged: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.admin.updateDiscount(code.code, { paused: !code.paused });
      announce(`${code.code} ${code.paused ? "resumed" : "paused"}.`);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={toggle} disabled={busy} aria-label={`${code.paused ? "Resume" : "Pause"} ${code.code}`}>
        {code.paused ? "Resume" : "Pause"}
      </button>
      <FormError error={error} />
    </>
  );
}

type Kind = "percentage" | "fixed" | "free_shipping";

/** datetime-local gives the browser's local time without a zone; the API wants an instant. */
function toInstant(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function CodeForm({ onCancel, onSaved }: { onCancel: () => void; onSaved: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [code, setCode] = useState("");
  const [kind, setKind] = useState<Kind>("percentage");
  const [percent, setPercent] = useState("10");
  const [currency, setCurrency] = useState("EUR");
  const [amount, setAmount] = useState("");
  const [minimum, setMinimum] = useState("");
  const [from, setFrom] = useState("");
  const [until, setUntil] = useState("");
  const [maxUses, setMaxUses] = useState("0");
  const [perCustomer, setPerCustomer] = useState("0");
  const [categories, setCategories] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const money = (typed: string, field: string) => {
    const minor = parseMajorToMinor(typed, currency);
    if (minor === null) throw new Error(`${field}: enter an amount like 12.50`);
    return { amount: minor, currency };
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    setLocalError(null);
    let input: DiscountCodeInput;
    try {
      input = {
        code: code.trim(),
        kind,
        maxUses: Number(maxUses) || 0,
        maxUsesPerCustomer: Number(perCustomer) || 0,
        categories: categories
          .split(",")
          .map((c) => c.trim())
          .filter(Boolean),
      };
      if (kind === "percentage") input.percentOff = Number(percent);
      if (kind === "fixed") input.amountOff = money(amount, "Amount off");
      if (minimum.trim()) input.minSubtotal = money(minimum, "Minimum basket");
      const validFrom = toInstant(from);
      const validUntil = toInstant(until);
      if (validFrom) input.validFrom = validFrom;
      if (validUntil) input.validUntil = validUntil;
    } catch (err) {
      setLocalError((err as Error).message);
      return;
    }
    setBusy(true);
    try {
      const saved = await api.admin.createDiscount(input);
      announce(`Discount code ${saved.code} created.`);
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="panel" aria-label="New discount code">
      <Field
        label="Code"
        name="code"
        required
        value={code}
        maxLength={32}
        hint="3–32 letters, digits, - or _; buyers may type it in any case"
        onChange={(e) => setCode(e.target.value)}
        error={error}
      />
      <fieldset>
        <legend>Takes off</legend>
        {(
          [
            ["percentage", "A percentage"],
            ["fixed", "A fixed amount"],
            ["free_shipping", "The shipping charge"],
          ] as const
        ).map(([k, label]) => (
          <label key={k}>
            <input type="radio" name="kind" checked={kind === k} onChange={() => setKind(k)} /> {label}
          </label>
        ))}
      </fieldset>
      {kind === "percentage" && (
        <Field
          label="Percent off"
          name="percentOff"
          type="number"
          min={1}
          max={100}
          required
          value={percent}
          onChange={(e) => setPercent(e.target.value)}
          error={error}
        />
      )}
      <Field label="Currency" name="currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value.toUpperCase())} />
      {kind === "fixed" && (
        <Field label="Amount off" name="amountOff" required value={amount} onChange={(e) => setAmount(e.target.value)} error={error} />
      )}
      <Field
        label="Minimum basket"
        name="minSubtotal"
        value={minimum}
        hint="Leave empty for none"
        onChange={(e) => setMinimum(e.target.value)}
        error={error}
      />
      <Field label="Valid from" name="validFrom" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} error={error} />
      <Field
        label="Valid until"
        name="validUntil"
        type="datetime-local"
        value={until}
        onChange={(e) => setUntil(e.target.value)}
        error={error}
      />
      <Field
        label="Uses in all"
        name="maxUses"
        type="number"
        min={0}
        value={maxUses}
        hint="0 for unlimited"
        onChange={(e) => setMaxUses(e.target.value)}
        error={error}
      />
      <Field
        label="Uses per customer"
        name="maxUsesPerCustomer"
        type="number"
        min={0}
        value={perCustomer}
        hint="0 for unlimited"
        onChange={(e) => setPerCustomer(e.target.value)}
        error={error}
      />
      <Field
        label="Only for categories"
        name="categories"
        value={categories}
        hint="Comma-separated catalog categories, exactly as named; empty for every product"
        onChange={(e) => setCategories(e.target.value)}
        error={error}
      />
      {localError && (
        <p role="alert" className="field-error">
          {localError}
        </p>
      )}
      <FormError
        error={error}
        shownFields={["code", "percentOff", "amountOff", "minSubtotal", "validFrom", "validUntil", "maxUses", "maxUsesPerCustomer", "categories"]}
      />
      <button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create"}
      </button>{" "}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
