import { statusLabel, statusTone } from "../lib/orders";

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${statusTone(status)}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
