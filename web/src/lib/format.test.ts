import { describe, expect, it } from "vitest";
import { formatMoney, minorDigits, parseMajorToMinor } from "./format";
import { cardLooksValid } from "../pages/CheckoutPage";
import { humanReason, isSettled } from "./orders";
import { newUUID } from "./id";

// Intl output uses narrow no-break spaces in some locales; compare loosely.
const norm = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("formatMoney", () => {
  it.each([
    { m: { amount: 1999, currency: "EUR" }, locale: "de-DE", want: "19,99 €" },
    { m: { amount: 1999, currency: "USD" }, locale: "en-US", want: "$19.99" },
    { m: { amount: 500, currency: "JPY" }, locale: "en-US", want: "¥500" },
    { m: { amount: 123456, currency: "GBP" }, locale: "en-GB", want: "£1,234.56" },
    { m: { amount: 1000, currency: "EUR" }, locale: "not a locale!", want: "€10.00" },
  ])("$m.amount $m.currency in $locale", ({ m, locale, want }) => {
    expect(norm(formatMoney(m, locale))).toBe(want);
  });

  it("shows a dash for a missing amount", () => {
    expect(formatMoney(null, "en")).toBe("—");
  });
});

describe("parseMajorToMinor", () => {
  it.each([
    ["12", "EUR", 1200],
    ["12.5", "EUR", 1250],
    ["12,50", "EUR", 1250],
    ["0.01", "EUR", 1],
    ["500", "JPY", 500],
    ["1.234", "EUR", null],
    ["-1", "EUR", null],
    ["abc", "EUR", null],
    ["", "EUR", null],
  ])("%s %s → %s", (input, cur, want) => {
    expect(parseMajorToMinor(input, cur)).toBe(want);
  });

  it("knows minor digits per currency", () => {
    expect(minorDigits("EUR")).toBe(2);
    expect(minorDigits("JPY")).toBe(0);
  });
});

describe("small helpers", () => {
  it.each([
    ["4242 4242 4242 4242", true],
    ["4000-0000-0000-0002", true],
    ["4242", false],
    ["4242 4242 4242 424x", false],
  ])("card %s looks valid: %s", (n, ok) => {
    expect(cardLooksValid(n)).toBe(ok);
  });

  it.each([
    ["Placed", false],
    ["Paid", true],
    ["Cancelled", true],
  ])("%s settled: %s", (s, want) => {
    expect(isSettled(s)).toBe(want);
  });

  it("explains decline codes", () => {
    expect(humanReason("card_declined")).toBe("The card was declined. (card_declined)");
    expect(humanReason("")).toBe("");
  });

  it("makes RFC 4122 v4 UUIDs", () => {
    const id = newUUID();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newUUID()).not.toBe(id);
  });
});
