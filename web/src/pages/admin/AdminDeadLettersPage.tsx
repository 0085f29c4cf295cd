import { useState } from "react";
import { useAnnounce } from "../../components/Layout";
import { Empty, ErrorView, Loading } from "../../components/Status";
import { formatDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";

export function AdminDeadLettersPage() {
  const { api, locale } = useSession();
  const announce = useAnnounce();
  const list = useLoad(() => api.admin.deadLetters(), [api]);
  const [errors, setErrors] = useState<Record<string, unknown>>({});
  const [busy, setBusy] = useState<string | null>(null);

  const redrive = async (id: string) => {
    setBusy(id);
    setErrors((e) => ({ ...e, [id]: null }));
    try {
      await api.admin.redrive(id);
      announce("Message sent back to its handler.");
      list.reload();
    } catch (err) {
      setErrors((e) => ({ ...e, [id]: err }));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="ad-h">
      <h2 id="ad-h">Dead letters</h2>
      {list.status === "loading" && <Loading label="Loading dead letters…" />}
      {list.status === "error" && <ErrorView what="Dead letters" error={list.error} onRetry={list.reload} />}
      {list.status === "ok" &&
        (list.data.length === 0 ? (
          <Empty>
            <p>No dead letters. Every message was handled.</p>
          </Empty>
        ) : (
          <ul className="plain deadletters">
            {list.data.map((d) => (
              <li key={d.id} className="panel">
                <p>
                  <strong>{d.name ?? d.topic}</strong> → {d.handler}
                  <span className="muted">
                    {" "}
                    · {formatDateTime(d.failedAt, locale)}
                  </span>
                </p>
                {d.reason && <p>Reason: {d.reason}</p>}
                {d.payload !== undefined && (
                  <details>
                    <summary>Payload</summary>
                    <pre>{typeof d.payload === "string" ? d.payload : JSON.stringify(d.payload, null, 2)}</pre>
                  </details>
                )}
                <button type="button" onClick={() => redrive(d.id)} disabled={busy === d.id}>
                  {busy === d.id ? "Redriving…" : "Redrive"}
                </button>
                {errors[d.id] != null && <ErrorView error={errors[d.id]} />}
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
