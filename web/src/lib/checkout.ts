// What the basket and the checkout pages say about discount refusals and
// changed prices, from the problem the API answers with.
import { isApiError } from "../api/client";
import type { ChangedLine, DiscountRefusalReason } from "../api/types";

/** Countries offered for the basket's estimate (the shop's tax table decides; others answer 422). */
export const ESTIMATE_COUNTRIES: { code: string; name: string }[] = [
  { code: "DE", name: "Germany" },
  { code: "AT", name: "Austria" },
  { code: "BE", name: "Belgium" },
  { code: "FR", name: "France" },
  { code: "IT", name: "Italy" },
  { code: "NL", name: "Netherlands" },
  { code: "ES", name: "Spain" },
  { code: "CH", name: "Switzerland" },
  { code: "GB", name: "United Kingdom" },
  { code: "US", name: "United States" },
];

const REASONS: Record<DiscountRefusalReason, string> = {
  unknown: "There is no such discount code.",
  paused: "This discount code is paused at the moment.",
  not_yet_valid: "This discount code is not valid yet.",
  expired: "This discount code has expired.",
  minimum_not_met: "Your basket is below this code's minimum order value.",
  used_up: "This discount code has been used up.",
  customer_limit: "You have already used this discount code as often as allowed.",
  not_applicable: "This discount code does not apply to anything in your basket.",
};

/** The refusal reason of a discount code problem (its `reason` member or its urn:evshop:discount: type). */
export function refusalReason(e: unknown): DiscountRefusalReason | null {
  if (!isApiError(e)) return null;
  const r = e.members.reason ?? e.type?.replace(/^urn:evshop:discount:/, "");
  return typeof r === "string" && r in REASONS ? (r as DiscountRefusalReason) : null;
}

/** A sentence for a refused code, or null when e is no refusal. */
export function refusalMessage(e: unknown): string | null {
  const r = refusalReason(e);
  return r ? REASONS[r] : null;
}

/** The lines whose price changed, when e is the checkout's 409 about them. */
export function changedLines(e: unknown): ChangedLine[] | null {
  if (!isApiError(e) || e.status !== 409 || !Array.isArray(e.members.changedLines)) return null;
  return e.members.changedLines as ChangedLine[];
}
