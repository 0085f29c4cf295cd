// Display formatting. Amounts arrive as integer minor units; only here, at the
// very edge, are they turned into a localised string, never back.

import type { Money } from "../api/types";

const cache = new Map<string, Intl.NumberFormat>();

function currencyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      // An unknown locale or currency code must not break a page.
      f = new Intl.NumberFormat("en", { style: "currency", currency: safeCurrency(currency) });
    }
    cache.set(key, f);
  }
  return f;
}

function safeCurrency(c: string): string {
  return /^[A-Z]{3}$/.test(c) ? c : "EUR";
}

/** Digits after the decimal point for a currency (2 for EUR, 0 for JPY, 3 for BHD). */
export function minorDigits(currency: string): number {
  return currencyFormat("en", safeCurrency(currency)).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(m: Money | null | undefined, locale: string): string {
  if (!m || typeof m.amount !== "number" || typeof m.currency !== "string") return "—";
  const digits = minorDigits(m.currency);
  return currencyFormat(locale, m.currency).format(m.amount / 10 ** digits);
}

/**
 * Parses what a person typed as a price ("12", "12.5", "12,50") into minor
 * units, or null when it is not a non-negative amount.
 */
export function parseMajorToMinor(input: string, currency: string): number | null {
  const s = input.trim().replace(",", ".");
  if (!/^\d{1,9}(\.\d{0,3})?$/.test(s)) return null;
  const digits = minorDigits(currency);
  const [whole = "0", frac = ""] = s.split(".");
  if (frac.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, "0") || "0");
}

export function formatDateTime(iso: string | undefined, locale: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(d);
}

/** The browser's language when the customer has not chosen one. */
export function browserLocale(): string {
  return (typeof navigator !== "undefined" && navigator.language) || "en";
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
