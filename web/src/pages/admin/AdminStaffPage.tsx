import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { Field } from "../../components/Field";
import { useAnnounce } from "../../components/Layout";
import { Empty, ErrorView, FormError, Loading } from "../../components/Status";
import { formatDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { useSession } from "../../state/session";
import type { StaffAuditEntry, StaffMember, StaffRole } from "../../api/types";

const ROLES: StaffRole[] = ["support", "admin"];
const ROLE_LABEL: Record<StaffRole, string> = { support: "Support", admin: "Admin" };

/**
 * Admins invite staff by email, grant and revoke the support and admin roles, and read who
 * granted or revoked what. A change reaches the person's session within 15 minutes (their next
 * token refresh).
 */
export function AdminStaffPage() {
  const { api } = useSession();
  const staff = useLoad(() => api.staff.list(), [api]);
  const [auditVersion, setAuditVersion] = useState(0);
  const changed = () => {
    staff.reload();
    setAuditVersion((v) => v + 1);
  };

  return (
    <section aria-labelledby="staff-h">
      <h2 id="staff-h">Staff</h2>
      <p className="muted">
        Support staff see orders, customers and returns; admins also manage staff, sales, webhooks and discount codes. A
        granted or revoked role takes effect within 15 minutes.
      </p>
      <InviteForm onInvited={changed} />
      {staff.status === "loading" && <Loading label="Loading staff…" />}
      {staff.status === "error" && <ErrorView what="Staff" error={staff.error} onRetry={staff.reload} />}
      {staff.status === "ok" &&
        (staff.data.length === 0 ? (
          <Empty>
            <p>Nobody holds a staff role yet.</p>
          </Empty>
        ) : (
          <StaffTable members={staff.data} onChanged={changed} />
        ))}
      <AuditLog key={auditVersion} />
    </section>
  );
}

/** The checks the API makes, so most mistakes are shown before a round trip. */
function validateInvite(email: string, role: string, name: string): ApiError | null {
  const errors: { field: string; reason: string }[] = [];
  const e = email.trim();
  if (!e) errors.push({ field: "email", reason: "is required" });
  else if (e.length > 254 || !/^[^\s@<>]+@[^\s@.<>]+(\.[^\s@.<>]+)+$/.test(e))
    errors.push({ field: "email", reason: "is not a valid email address" });
  if (!ROLES.includes(role as StaffRole)) errors.push({ field: "role", reason: "choose support or admin" });
  if ([...name.trim()].length > 100) errors.push({ field: "name", reason: "must be 1-100 characters" });
  return errors.length ? new ApiError(422, { title: "Check the form", errors }) : null;
}

const OUTCOME: Record<string, string> = {
  invited: "Invitation sent",
  reinvited: "A fresh invitation link was sent",
  granted: "Role granted; they were told by email",
  unchanged: "They already hold this role",
};

function InviteForm({ onInvited }: { onInvited: () => void }) {
  const { api } = useSession();
  const announce = useAnnounce();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<StaffRole>("support");
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setDone(null);
    const local = validateInvite(email, role, name);
    setError(local);
    if (local) return;
    setBusy(true);
    try {
      const r = await api.staff.invite({ email: email.trim(), role, ...(name.trim() ? { name: name.trim() } : {}) });
      const msg = `${OUTCOME[r.status] ?? r.status}: ${r.member.email}.`;
      setDone(msg);
      announce(msg);
      setEmail("");
      setName("");
      onInvited();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="panel" aria-label="Invite staff" noValidate>
      <h3>Invite someone</h3>
      <FormError error={error} shownFields={["email", "role", "name"]} />
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      <Field label="Email" name="email" type="email" autoComplete="off" required maxLength={254} value={email} error={error}
        onChange={(e) => setEmail(e.target.value)} />
      <Field label="Name (optional)" name="name" maxLength={100} value={name} error={error}
        hint="For a new account; an existing one keeps its name." onChange={(e) => setName(e.target.value)} />
      <fieldset>
        <legend>Role</legend>
        {ROLES.map((r) => (
          <label key={r}>
            <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} /> {ROLE_LABEL[r]}
          </label>
        ))}
        {error instanceof ApiError && error.fieldError("role") && (
          <small className="field-error">{error.fieldError("role")}</small>
        )}
      </fieldset>
      <button type="submit" className="primary" disabled={busy}>
        Invite
      </button>
    </form>
  );
}

function StaffTable({ members, onChanged }: { members: StaffMember[]; onChanged: () => void }) {
  const { locale } = useSession();
  return (
    <table className="staff">
      <caption className="visually-hidden">Staff and their roles</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Roles</th>
          <th scope="col">Status</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        {members.map((m) => (
          <tr key={m.id}>
            <th scope="row">{m.name}</th>
            <td>{m.email}</td>
            <td>
              <ul className="plain">
                {m.roles.map((r) => (
                  <li key={r.role}>
                    {ROLE_LABEL[r.role]} <small className="muted">since {formatDateTime(r.since, locale)}</small>
                  </li>
                ))}
              </ul>
            </td>
            <td>{m.invitationPending ? "Invitation pending" : "Active"}</td>
            <td>
              <RoleButtons member={m} onChanged={onChanged} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RoleButtons({ member, onChanged }: { member: StaffMember; onChanged: () => void }) {
  const { api, me } = useSession();
  const announce = useAnnounce();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const held = new Set(member.roles.map((r) => r.role));
  const self = me?.id === member.id;

  const change = async (role: StaffRole, grant: boolean) => {
    const who = `${member.name} (${member.email})`;
    const question = grant
      ? `Give ${who} the ${role} role? They are told by email.`
      : `Take the ${role} role from ${who}?${self && role === "admin" ? " You will lose access to this page." : ""} They are told by email.`;
    if (!window.confirm(question)) return;
    setBusy(true);
    setError(null);
    try {
      if (grant) await api.staff.grant(member.id, role);
      else await api.staff.revoke(member.id, role);
      announce(`${ROLE_LABEL[role]} role ${grant ? "granted to" : "revoked from"} ${member.email}.`);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {ROLES.map((r) =>
        held.has(r) ? (
          <button key={r} type="button" disabled={busy} onClick={() => change(r, false)}
            aria-label={`Revoke ${r} from ${member.email}`}>
            Revoke {r}
          </button>
        ) : (
          <button key={r} type="button" disabled={busy} onClick={() => change(r, true)}
            aria-label={`Grant ${r} to ${member.email}`}>
            Grant {r}
          </button>
        ),
      )}
      <FormError error={error} />
    </>
  );
}

function actorLabel(e: StaffAuditEntry): string {
  if (e.actor === "bootstrap") return "the operator's bootstrap";
  if (!e.actor) return "unknown (recorded before actors)";
  return e.actorEmail || e.actor;
}

function AuditLog() {
  const { api, locale } = useSession();
  const first = useLoad(() => api.staff.audit({ limit: 50 }), [api]);
  const [older, setOlder] = useState<StaffAuditEntry[]>([]);
  const [next, setNext] = useState<number | undefined | null>(null); // null: use the first page's
  const [error, setError] = useState<unknown>(null);

  if (first.status === "loading") return <Loading label="Loading the audit…" />;
  if (first.status === "error") return <ErrorView what="Staff audit" error={first.error} onRetry={first.reload} />;
  const entries = [...first.data.items, ...older];
  const cursor = next === null ? first.data.next : next;

  const more = async () => {
    if (!cursor) return;
    setError(null);
    try {
      const page = await api.staff.audit({ limit: 50, before: cursor });
      setOlder((o) => [...o, ...page.items]);
      setNext(page.next);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="staff-audit-h">
      <h3 id="staff-audit-h">Role changes</h3>
      {entries.length === 0 ? (
        <p className="muted">No role was granted or revoked yet.</p>
      ) : (
        <table className="staff-audit">
          <caption className="visually-hidden">Every grant and revocation, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Change</th>
              <th scope="col">Person</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.at, locale)}</td>
                <td>
                  {e.role} {e.action}
                  {e.viaInvitation && <small className="muted"> (invitation)</small>}
                </td>
                <td>{e.email}</td>
                <td>{actorLabel(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor ? (
        <button type="button" onClick={more}>
          Show older changes
        </button>
      ) : null}
      <FormError error={error} />
    </section>
  );
}
