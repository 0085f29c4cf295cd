import type { OrderStatus } from "../api/types";

const TERMINAL: ReadonlySet<string> = new Set(["Paid", "Shipped", "Delivered", "Cancelled", "Refunded", "PartiallyRefunded"]);

/**
 * Whether the checkout saga can still move an order by itself. Paid and later
 * only change by staff action, so polling stops there.
 */
export function isSettled(status: OrderStatus | string): boolean {
  return TERMINAL.has(status);
}

const LABELS: Record<string, string> = {
  Placed: "Placed",
  Paid: "Paid",
  Shipped: "Shipped",
  Delivered: "Delivered",
  Cancelled: "Cancelled",
  Refunded: "Refunded",
  PartiallyRefunded: "Partially refunded",
};

export function statusLabel(s: string): string {
  return LABELS[s] ?? s;
}

export function statusTone(s: string): "ok" | "bad" | "wait" {
  if (s === "Cancelled" || s === "Refunded") return "bad";
  if (TERMINAL.has(s)) return "ok";
  return "wait";
}

/** Turns a gateway reason code such as card_declined into words. */
export function humanReason(reason: string | undefined): string {
  if (!reason) return "";
  const known: Record<string, string> = {
    card_declined: "The card was declined.",
    insufficient_funds: "The card has insufficient funds.",
    "payment timeout": "The payment was not authorised in time.",
  };
  for (const [code, text] of Object.entries(known)) {
    if (reason.toLowerCase().includes(code)) return `${text} (${reason})`;
  }
  return reason;
}
