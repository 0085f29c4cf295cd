import { useEffect, useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import type { Preferences, Profile, SavedAddress } from "../api/types";
import { Field } from "../components/Field";
import { ErrorView, FormError, Loading } from "../components/Status";
import { useAnnounce } from "../components/Layout";
import { newUUID } from "../lib/id";
import { useLoad } from "../lib/useLoad";
import { useSession } from "../state/session";

const LANGUAGES = [
  { value: "en", label: "English" },
  { value: "de", label: "Deutsch" },
  { value: "fr", label: "Français" },
];
const CURRENCIES = ["EUR", "USD", "GBP", "CHF"];

export function ProfilePage() {
  const { api, me } = useSession();
  const profile = useLoad(() => api.clients.profile(), [api, me?.id]);
  const prefs = useLoad(() => api.clients.preferences(), [api, me?.id]);

  return (
    <>
      <h1>Your profile</h1>
      <p className="muted">Signed in as {me?.email}</p>
      {profile.status === "loading" && <Loading label="Loading your profile…" />}
      {profile.status === "error" && <ErrorView what="Profile" error={profile.error} onRetry={profile.reload} />}
      {profile.status === "ok" && <ProfileForm initial={profile.data} />}
      {prefs.status === "loading" && <Loading label="Loading your preferences…" />}
      {prefs.status === "error" && <ErrorView what="Preferences" error={prefs.error} onRetry={prefs.reload} />}
      {prefs.status === "ok" && <PreferencesForm initial={prefs.data} />}
      <DataSection />
    </>
  );
}

function blankAddress(isFirst: boolean): SavedAddress {
  return { id: newUUID(), label: "", name: "", line1: "", line2: "", city: "", postalCode: "", country: "", default: isFirst };
}

function ProfileForm({ initial }: { initial: Profile }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [p, setP] = useState<Profile>({ name: initial.name ?? "", phone: initial.phone ?? "", addresses: initial.addresses ?? [] });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const setAddr = (i: number, patch: Partial<SavedAddress>) =>
    setP((cur) => ({
      ...cur,
      addresses: cur.addresses.map((a, j) =>
        j === i ? { ...a, ...patch } : patch.default ? { ...a, default: false } : a,
      ),
    }));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await api.clients.saveProfile(p);
      if (saved && typeof saved === "object" && Array.isArray(saved.addresses)) setP(saved);
      announce("Profile saved.");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} noValidate className="panel" aria-labelledby="profile-h">
      <h2 id="profile-h">Contact and addresses</h2>
      <FormError error={error} shownFields={["name", "phone"]} />
      <div className="row">
        <Field label="Name" name="name" autoComplete="name" value={p.name} error={error}
          onChange={(e) => setP({ ...p, name: e.target.value })} />
        <Field label="Phone" name="phone" type="tel" autoComplete="tel" value={p.phone} error={error}
          onChange={(e) => setP({ ...p, phone: e.target.value })} />
      </div>
      {p.addresses.length === 0 && <p className="muted">No saved addresses yet.</p>}
      {p.addresses.map((a, i) => (
        <fieldset key={a.id} className="address">
          <legend>{a.label || `Address ${i + 1}`}</legend>
          <div className="row">
            <Field label="Label" name={`addresses[${i}].label`} value={a.label} error={error}
              onChange={(e) => setAddr(i, { label: e.target.value })} />
            <Field label="Name" name={`addresses[${i}].name`} value={a.name} error={error}
              onChange={(e) => setAddr(i, { name: e.target.value })} />
          </div>
          <Field label="Address line 1" name={`addresses[${i}].line1`} value={a.line1} error={error}
            onChange={(e) => setAddr(i, { line1: e.target.value })} />
          <Field label="Address line 2" name={`addresses[${i}].line2`} value={a.line2} error={error}
            onChange={(e) => setAddr(i, { line2: e.target.value })} />
          <div className="row">
            <Field label="Postal code" name={`addresses[${i}].postalCode`} value={a.postalCode} error={error}
              onChange={(e) => setAddr(i, { postalCode: e.target.value })} />
            <Field label="City" name={`addresses[${i}].city`} value={a.city} error={error}
              onChange={(e) => setAddr(i, { city: e.target.value })} />
            <Field label="Country" name={`addresses[${i}].country`} maxLength={2} value={a.country} error={error}
              onChange={(e) => setAddr(i, { country: e.target.value.toUpperCase() })} />
          </div>
          <div className="row">
            <label className="check">
              <input type="radio" name="default-address" checked={a.default} onChange={() => setAddr(i, { default: true })} />
              Default shipping address
            </label>
            <button type="button" className="danger"
              onClick={() => setP({ ...p, addresses: p.addresses.filter((_, j) => j !== i) })}>
              Remove this address
            </button>
          </div>
        </fieldset>
      ))}
      <div className="row">
        <button type="button"
          onClick={() => setP({ ...p, addresses: [...p.addresses, blankAddress(p.addresses.length === 0)] })}>
          Add an address
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Save profile
        </button>
      </div>
    </form>
  );
}

function PreferencesForm({ initial }: { initial: Preferences }) {
  const { api, setPreferences } = useSession();
  const announce = useAnnounce();
  const categories = useLoad(() => api.catalog.categories(), [api]);
  const [p, setP] = useState<Preferences>({
    language: initial.language || "en",
    currency: initial.currency || "EUR",
    marketingOptIn: !!initial.marketingOptIn,
    favouriteCategories: initial.favouriteCategories ?? [],
    extra: initial.extra ?? {},
  });
  const [extraRows, setExtraRows] = useState(() => Object.entries(p.extra).map(([k, v]) => ({ k, v })));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setP((cur) => ({ ...cur, extra: Object.fromEntries(extraRows.filter((r) => r.k.trim()).map((r) => [r.k.trim(), r.v])) }));
  }, [extraRows]);

  const toggleFav = (name: string) =>
    setP((cur) => ({
      ...cur,
      favouriteCategories: cur.favouriteCategories.includes(name)
        ? cur.favouriteCategories.filter((c) => c !== name)
        : [...cur.favouriteCategories, name],
    }));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await api.clients.savePreferences(p);
      setPreferences(saved && typeof saved === "object" && "language" in saved ? saved : p);
      announce("Preferences saved.");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} noValidate className="panel" aria-labelledby="prefs-h">
      <h2 id="prefs-h">Preferences</h2>
      <FormError error={error} />
      <div className="row">
        <div className="field">
          <label htmlFor="pref-lang">Language</label>
          <select id="pref-lang" value={p.language} onChange={(e) => setP({ ...p, language: e.target.value })}>
            {LANGUAGES.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="pref-cur">Currency</label>
          <select id="pref-cur" value={p.currency} onChange={(e) => setP({ ...p, currency: e.target.value })}>
            {CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
      </div>
      <label className="check">
        <input type="checkbox" checked={p.marketingOptIn} onChange={(e) => setP({ ...p, marketingOptIn: e.target.checked })} />
        Send me offers and basket reminders by email
      </label>
      <fieldset>
        <legend>Favourite categories</legend>
        {categories.status === "loading" && <Loading label="Loading categories…" />}
        {categories.status === "error" && <ErrorView what="Categories" error={categories.error} />}
        {categories.data?.map((c) => (
          <label key={c.name} className="check">
            <input type="checkbox" checked={p.favouriteCategories.includes(c.name)} onChange={() => toggleFav(c.name)} />
            {c.name}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Other settings</legend>
        {extraRows.map((r, i) => (
          <div className="row" key={i}>
            <div className="field">
              <label htmlFor={`extra-k-${i}`}>Key</label>
              <input id={`extra-k-${i}`} value={r.k}
                onChange={(e) => setExtraRows(extraRows.map((x, j) => (j === i ? { ...x, k: e.target.value } : x)))} />
            </div>
            <div className="field">
              <label htmlFor={`extra-v-${i}`}>Value</label>
              <input id={`extra-v-${i}`} value={r.v}
                onChange={(e) => setExtraRows(extraRows.map((x, j) => (j === i ? { ...x, v: e.target.value } : x)))} />
            </div>
            <button type="button" className="danger" onClick={() => setExtraRows(extraRows.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setExtraRows([...extraRows, { k: "", v: "" }])}>
          Add a setting
        </button>
      </fieldset>
      <button type="submit" className="primary" disabled={busy}>
        Save preferences
      </button>
    </form>
  );
}

function DataSection() {
  const { api, logout } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState("");
  const [busy, setBusy] = useState(false);

  const download = async () => {
    setError(null);
    try {
      const data = await api.clients.exportData();
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = "evshop-my-data.json";
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setError(e);
    }
  };

  const erase = async (e: FormEvent) => {
    e.preventDefault();
    if (confirm !== "DELETE") return;
    setBusy(true);
    setError(null);
    try {
      await api.clients.erase();
      await logout().catch(() => undefined);
      navigate("/");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="data-h">
      <h2 id="data-h">Your data</h2>
      {error != null && <ErrorView error={error} />}
      <p>
        <button type="button" onClick={download}>
          Download my data (JSON)
        </button>
      </p>
      <form onSubmit={erase} className="danger-zone">
        <Field label='Type DELETE to erase your profile' name="confirm" value={confirm} autoComplete="off"
          onChange={(e) => setConfirm(e.target.value)} />
        <button type="submit" className="danger" disabled={confirm !== "DELETE" || busy}>
          Erase my profile
        </button>
      </form>
    </section>
  );
}
