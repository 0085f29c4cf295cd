// Read-model health: position, lag, state. A rebuild replays history into a
// shadow copy on the server; while any projection reports a rebuilding state
// this page polls every second and shows its progress.

import { useState } from "react";
import { useAnnounce } from "../../components/Layout";
import { Empty, ErrorView, Loading } from "../../components/Status";
import { formatDuration } from "../../lib/format";
import { usePolling } from "../../lib/usePolling";
import { useSession } from "../../state/session";
import type { ProjectionStatus } from "../../api/types";

export function isRebuilding(p: ProjectionStatus): boolean {
  return /rebuild|replay|catch/i.test(p.state ?? "");
}

export function AdminProjectionsPage() {
  const { api } = useSession();
  const announce = useAnnounce();
  const [round, setRound] = useState(0);
  const [errors, setErrors] = useState<Record<string, unknown>>({});
  const list = usePolling(
    () => api.admin.projections(),
    `projections-${round}`,
    1000,
    (ps) => !ps.some(isRebuilding),
  );

  const rebuild = async (name: string) => {
    if (!window.confirm(`Rebuild ${name} from the start of history?`)) return;
    setErrors((e) => ({ ...e, [name]: null }));
    try {
      await api.admin.rebuild(name);
      announce(`Rebuild of ${name} started.`);
      setRound((r) => r + 1);
    } catch (err) {
      setErrors((e) => ({ ...e, [name]: err }));
    }
  };

  return (
    <section aria-labelledby="ap-h">
      <h2 id="ap-h">Projections</h2>
      {list.loading && <Loading label="Loading projections…" />}
      {list.error != null && !list.data && <ErrorView what="Projections" error={list.error} />}
      {list.data &&
        (list.data.length === 0 ? (
          <Empty>
            <p>No projections reported.</p>
          </Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Position</th>
                <th scope="col">Lag (events)</th>
                <th scope="col">Lag (time)</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((p) => (
                <tr key={p.name}>
                  <td data-label="Name">{p.name}</td>
                  <td data-label="Checkpoint">{p.checkpoint}</td>
                  <td data-label="Lag (events)">{p.lagEvents}</td>
                  <td data-label="Lag (time)">{formatDuration(p.lagSeconds)}</td>
                  <td data-label="State">
                    {p.state}
                    {isRebuilding(p) && <RebuildProgress p={p} />}
                  </td>
                  <td>
                    <button type="button" onClick={() => rebuild(p.name)} disabled={isRebuilding(p)}>
                      Rebuild
                    </button>
                    {errors[p.name] != null && <ErrorView error={errors[p.name]} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}

function RebuildProgress({ p }: { p: ProjectionStatus }) {
  // How far the checkpoint has come towards the store's head.
  const fraction = p.checkpoint + p.lagEvents > 0 ? p.checkpoint / (p.checkpoint + p.lagEvents) : 0;
  const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
  return (
    <div>
      <progress max={100} value={pct} aria-label={`Rebuild of ${p.name}`}>
        {pct}%
      </progress>{" "}
      {pct}%
    </div>
  );
}
