import { useRef } from "react";

// Idempotency keys must be UUIDs. crypto.randomUUID exists only in secure
// contexts (HTTPS or localhost); a plain-HTTP LAN address falls back to
// getRandomValues, which is available everywhere.
export function newUUID(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * One Idempotency-Key per attempt (a checkout, a refund): a resubmit of the
 * same request (double click, network retry) reuses it so the server acts once;
 * a changed request is a new attempt with a new key.
 */
export function useIdempotencyKey(): (body: unknown) => string {
  const last = useRef<{ body: string; key: string } | null>(null);
  return (body) => {
    const json = JSON.stringify(body);
    if (!last.current || last.current.body !== json) last.current = { body: json, key: newUUID() };
    return last.current.key;
  };
}
