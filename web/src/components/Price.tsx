import type { Money } from "../api/types";
import { formatMoney } from "../lib/format";
import { useSession } from "../state/session";

/** A money amount in the customer's language (the amount keeps its own currency). */
export function Price({ value, className }: { value: Money | null | undefined; className?: string }) {
  const { locale } = useSession();
  return <span className={`price ${className ?? ""}`}>{formatMoney(value, locale)}</span>;
}
