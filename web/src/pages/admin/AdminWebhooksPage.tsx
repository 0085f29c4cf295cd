import { useState, type FormEvent } from "react";
import { Field } from "../../components/Field";
import { useAnnounce } from "../../components/Layout";
import { Empty, ErrorView, FormError, Loading } from "../../components/Status";
import { formatDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";
import {
  WEBHOOK_EVENT_TYPES,
  type WebhookEndpoint,
  type WebhookEndpointCreated,
  type WebhookEventType,
} from "../../api/types";

/** Admins register the endpoints integrators gave them, and watch what was sent. */
export function AdminWebhooksPage() {
  const { api } = useSession();
  const list = useLoad(() => api.admin.webhooks(), [api]);
  const [editing, setEditing] = useState<WebhookEndpoint | "new" | null>(null);
  const [created, setCreated] = useState<WebhookEndpointCreated | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  return (
    <section aria-labelledby="wh-h">
      <h2 id="wh-h">Webhooks</h2>
      <p className="muted">
        The shop POSTs signed events (Evshop-Signature) to these endpoints, retrying for a day. Targets on private,
        loopback or metadata addresses are refused.
      </p>
      {created && (
        <div className="panel" role="status">
          <p>
            Endpoint registered. Its signing secret is shown <strong>only now</strong>; give it to the receiver:
          </p>
          <pre aria-label="Signing secret">{created.secret}</pre>
          <button type="button" onClick={() => setCreated(null)}>
            I have saved it
          </button>
        </div>
      )}
      {editing === null ? (
        <button type="button" onClick={() => setEditing("new")}>
          Add endpoint
        </button>
      ) : (
        <EndpointForm
          endpoint={editing === "new" ? undefined : editing}
          onCancel={() => setEditing(null)}
          onSaved={(e) => {
            setEditing(null);
            if ("secret" in e) setCreated(e as WebhookEndpointCreated);
            list.reload();
          }}
        />
      )}
      {list.status === "loading" && <Loading label="Loading webhook endpoints…" />}
      {list.status === "error" && <ErrorView what="Webhooks" error={list.error} onRetry={list.reload} />}
      {list.status === "ok" &&
        (list.data.length === 0 ? (
          <Empty>
            <p>No webhook endpoints yet.</p>
          </Empty>
        ) : (
          <ul className="plain webhooks">
            {list.data.map((e) => (
              <li key={e.id} className="panel">
                <p>
                  <strong>{e.url}</strong> {e.enabled ? "" : <span className="muted">(disabled)</span>}
                </p>
                {e.description && <p>{e.description}</p>}
                <p className="muted">{e.eventTypes.join(", ")}</p>
                <button type="button" onClick={() => setEditing(e)}>
                  Edit
                </button>{" "}
                <button type="button" onClick={() => setOpen(open === e.id ? null : e.id)} aria-expanded={open === e.id}>
                  {open === e.id ? "Hide deliveries" : "Deliveries"}
                </button>{" "}
                <DeleteButton endpoint={e} onDeleted={list.reload} />
                {open === e.id && <DeliveryLog endpoint={e} />}
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

function EndpointForm({
  endpoint,
  onCancel,
  onSaved,
}: {
  endpoint?: WebhookEndpoint;
  onCancel: () => void;
  onSaved: (e: WebhookEndpoint | WebhookEndpointCreated) => void;
}) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [url, setUrl] = useState(endpoint?.url ?? "");
  const [description, setDescription] = useState(endpoint?.description ?? "");
  const [types, setTypes] = useState<WebhookEventType[]>(endpoint?.eventTypes ?? []);
  const [enabled, setEnabled] = useState(endpoint?.enabled ?? true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (t: WebhookEventType) => setTypes((ts) => (ts.includes(t) ? ts.filter((x) => x !== t) : [...ts, t]));

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    const input = { url, description, eventTypes: types, enabled };
    try {
      const saved = endpoint ? await api.admin.updateWebhook(endpoint.id, input) : await api.admin.createWebhook(input);
      announce(endpoint ? "Webhook endpoint saved." : "Webhook endpoint registered.");
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="panel" aria-label={endpoint ? "Edit webhook endpoint" : "New webhook endpoint"}>
      <Field label="URL" name="url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} error={error} />
      <Field
        label="Description"
        name="description"
        value={description}
        maxLength={200}
        onChange={(e) => setDescription(e.target.value)}
        error={error}
      />
      <fieldset>
        <legend>Events</legend>
        {WEBHOOK_EVENT_TYPES.map((t) => (
          <label key={t}>
            <input type="checkbox" checked={types.includes(t)} onChange={() => toggle(t)} /> {t}
            {t === "return.received.v1" && <span className="muted"> (sent once returns exist)</span>}
          </label>
        ))}
      </fieldset>
      <label>
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      <FormError error={error} shownFields={["url", "description"]} />
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : endpoint ? "Save" : "Register"}
      </button>{" "}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

function DeleteButton({ endpoint, onDeleted }: { endpoint: WebhookEndpoint; onDeleted: () => void }) {
  const { api } = useSession();
  const [error, setError] = useState<unknown>(null);
  const remove = async () => {
    if (!window.confirm(`Delete ${endpoint.url} and its delivery log?`)) return;
    try {
      await api.admin.deleteWebhook(endpoint.id);
      onDeleted();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <button type="button" onClick={remove}>
        Delete
      </button>
      {error != null && <ErrorView error={error} />}
    </>
  );
}

function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { api, locale } = useSession();
  const announce = useAnnounce();
  const log = useLoad(() => api.admin.webhookDeliveries(endpoint.id), [api, endpoint.id]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const redeliver = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      await api.admin.redeliverWebhook(endpoint.id, id);
      announce("Delivery queued again.");
      log.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  if (log.status === "loading") return <Loading label="Loading deliveries…" />;
  if (log.status === "error") return <ErrorView what="Deliveries" error={log.error} onRetry={log.reload} />;
  if (log.data.length === 0) return <p className="muted">Nothing sent to this endpoint yet.</p>;
  return (
    <>
      {error != null && <ErrorView error={error} />}
      <table aria-label={`Deliveries to ${endpoint.url}`}>
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Last answer</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {log.data.map((d) => (
            <tr key={d.id}>
              <td>
                {d.eventType}
                <br />
                <small className="muted">{d.eventId}</small>
              </td>
              <td>
                {d.status}
                {d.status === "pending" && d.nextAttemptAt && (
                  <small className="muted"> · next {formatDateTime(d.nextAttemptAt, locale)}</small>
                )}
              </td>
              <td>{d.attempts}</td>
              <td>{d.lastStatus ? `HTTP ${d.lastStatus}` : (d.lastError ?? "—")}</td>
              <td>{formatDateTime(d.createdAt, locale)}</td>
              <td>
                <button type="button" onClick={() => redeliver(d.id)} disabled={busy === d.id}>
                  {busy === d.id ? "Redelivering…" : "Redeliver"}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
