import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AdminStaffPage } from "./AdminStaffPage";
import { AdminLayout } from "./AdminLayout";
import { RequireAdmin, RequireStaff } from "../../components/Guards";
import { ResetPasswordPage } from "../PasswordPages";
import { ME_ADMIN, json, problem, renderPage } from "../../test/fakeShop";
import type { StaffAuditEntry, StaffMember } from "../../api/types";

const member = (over: Partial<StaffMember> = {}): StaffMember => ({
  id: "u-2",
  email: "sam@example.com",
  name: "Sam",
  emailVerified: true,
  invitationPending: false,
  roles: [{ role: "support", since: "2026-03-01T12:00:00Z" }],
  ...over,
});
const boss = member({ id: ME_ADMIN.id, email: ME_ADMIN.email, name: ME_ADMIN.name, roles: [{ role: "admin", since: "2026-01-01T00:00:00Z" }] });
const entry = (over: Partial<StaffAuditEntry> = {}): StaffAuditEntry => ({
  id: "e-1",
  action: "granted",
  role: "support",
  userId: "u-2",
  email: "sam@example.com",
  name: "Sam",
  actor: ME_ADMIN.id,
  actorEmail: ME_ADMIN.email,
  viaInvitation: false,
  at: "2026-03-01T12:00:00Z",
  ...over,
});
const page = { url: "/admin/staff", path: "/admin/staff" };

afterEach(() => vi.restoreAllMocks());

describe("staff back office", () => {
  it("lists staff with their roles and the audit, and pages older changes", async () => {
    const { calls } = renderPage(<AdminStaffPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/admin/staff": () => json({ items: [boss, member({ invitationPending: true, emailVerified: false })] }),
        "GET /api/admin/staff/audit": (req) =>
          req.query.get("before")
            ? json({ items: [entry({ id: "e-0", role: "admin", email: ME_ADMIN.email, actor: "bootstrap", actorEmail: undefined })] })
            : json({ items: [entry({ viaInvitation: true })], next: 7 }),
      },
    });
    const table = await screen.findByRole("table", { name: "Staff and their roles" });
    const sam = within(table).getByRole("row", { name: /sam@example.com/ });
    expect(within(sam).getByText("Invitation pending")).toBeTruthy();
    expect(within(sam).getByRole("button", { name: "Revoke support from sam@example.com" })).toBeTruthy();
    expect(within(sam).getByRole("button", { name: "Grant admin to sam@example.com" })).toBeTruthy();

    const audit = await screen.findByRole("table", { name: "Every grant and revocation, newest first" });
    expect(within(audit).getByText("(invitation)")).toBeTruthy();
    expect(within(audit).getByText(ME_ADMIN.email)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Show older changes" }));
    expect(await within(audit).findByText("the operator's bootstrap")).toBeTruthy();
    expect(calls.some((c) => c.query.get("before") === "7")).toBe(true);
    expect(screen.queryByRole("button", { name: "Show older changes" })).toBeNull();
  });

  it("invites with the API's checks before asking, then shows the server's field errors", async () => {
    let answer = problem(422, "Unprocessable Entity", "the request has invalid fields", [
      { field: "email", reason: "invalid email: domain" },
    ]);
    const { calls } = renderPage(<AdminStaffPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/admin/staff": () => json({ items: [boss] }),
        "GET /api/admin/staff/audit": () => json({ items: [] }),
        "POST /api/admin/staff/invitations": () => answer,
      },
    });
    const form = await screen.findByRole("form", { name: "Invite staff" });
    fireEvent.click(within(form).getByRole("button", { name: "Invite" }));
    expect(await within(form).findByText("is required")).toBeTruthy();
    fireEvent.change(within(form).getByLabelText("Email"), { target: { value: "not an email" } });
    fireEvent.click(within(form).getByRole("button", { name: "Invite" }));
    expect(await within(form).findByText("is not a valid email address")).toBeTruthy();
    expect(calls.some((c) => c.path === "/api/admin/staff/invitations")).toBe(false);

    fireEvent.change(within(form).getByLabelText("Email"), { target: { value: "someone@localhost.test" } });
    fireEvent.click(within(form).getByRole("button", { name: "Invite" }));
    expect(await within(form).findByText("invalid email: domain")).toBeTruthy();

    answer = json({ status: "invited", member: member({ email: "new@example.com", invitationPending: true }) }, 201);
    fireEvent.change(within(form).getByLabelText("Email"), { target: { value: " new@example.com " } });
    fireEvent.change(within(form).getByLabelText(/Name/), { target: { value: "New Person" } });
    fireEvent.click(within(form).getByLabelText("Admin"));
    fireEvent.click(within(form).getByRole("button", { name: "Invite" }));
    expect(await within(form).findByText("Invitation sent: new@example.com.")).toBeTruthy();
    expect(calls.filter((c) => c.path === "/api/admin/staff/invitations").at(-1)?.body).toEqual({ email: "new@example.com", role: "admin", name: "New Person" });
  });

  it("grants and revokes only after confirmation, and shows the last-admin refusal", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValue(false);
    const { calls } = renderPage(<AdminStaffPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/admin/staff": () => json({ items: [boss, member()] }),
        "GET /api/admin/staff/audit": () => json({ items: [] }),
        "POST /api/admin/staff/u-2/roles": () => json(member({ roles: [...member().roles, { role: "admin", since: "2026-03-02T00:00:00Z" }] })),
        [`DELETE /api/admin/staff/${ME_ADMIN.id}/roles/admin`]: () =>
          problem(409, "Conflict", "the last administrator cannot lose the admin role; make someone else an admin first"),
      },
    });
    const grant = await screen.findByRole("button", { name: "Grant admin to sam@example.com" });
    fireEvent.click(grant);
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining("Give Sam (sam@example.com) the admin role?"));
    expect(calls.some((c) => c.path === "/api/admin/staff/u-2/roles")).toBe(false);

    confirm.mockReturnValue(true);
    fireEvent.click(grant);
    await vi.waitFor(() => expect(calls.find((c) => c.path === "/api/admin/staff/u-2/roles")?.body).toEqual({ role: "admin" }));

    fireEvent.click(screen.getByRole("button", { name: `Revoke admin from ${ME_ADMIN.email}` }));
    expect(confirm).toHaveBeenLastCalledWith(expect.stringContaining("You will lose access to this page."));
    expect(await screen.findByText(/last administrator cannot lose the admin role/)).toBeTruthy();
  });

  it.each([
    ["admin", true],
    ["support", false],
  ])("links the staff page for %s: %s", async (role, shown) => {
    renderPage(<AdminLayout />, {
      routes: { "GET /api/auth/me": () => json({ ...ME_ADMIN, roles: [role] }) },
      url: "/admin",
      path: "/admin",
    });
    await screen.findByRole("button", { name: /Sign out/ });
    const nav = screen.getByRole("navigation", { name: "Back office" });
    expect(within(nav).queryByRole("link", { name: "Staff" }) !== null).toBe(shown);
    expect(within(nav).getByRole("link", { name: "Orders" })).toBeTruthy();
    expect(within(nav).getByRole("link", { name: "Customers" })).toBeTruthy();
  });

  it.each([
    ["support", "orders", true],
    ["support", "staff", false],
    ["admin", "staff", true],
    ["customer", "orders", false],
  ])("a %s opening /admin/%s is let in: %s", async (role, where, allowed) => {
    renderPage(
      <RequireStaff>
        {where === "staff" ? (
          <RequireAdmin>
            <p>the staff page</p>
          </RequireAdmin>
        ) : (
          <p>the orders page</p>
        )}
      </RequireStaff>,
      { routes: { "GET /api/auth/me": () => json({ ...ME_ADMIN, roles: [role] }) }, url: `/admin/${where}`, path: `/admin/${where}` },
    );
    await screen.findByRole("button", { name: /Sign out/ });
    expect(screen.queryByText(`the ${where} page`) !== null).toBe(allowed);
    if (!allowed) expect(screen.getByRole("alert")).toBeTruthy();
  });
});

describe("accepting a staff invitation", () => {
  it("sets the password through the invitation endpoint and goes to sign in", async () => {
    const { calls } = renderPage(<ResetPasswordPage invite />, {
      url: "/accept-invite?token=tok-1",
      path: "/accept-invite",
      routes: {
        "GET /api/auth/me": () => problem(401, "Unauthorized"),
        "POST /api/auth/invitation/accept": () => json({ status: "invitation_accepted" }),
      },
    });
    expect(await screen.findByRole("heading", { name: "Accept your staff invitation" })).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "a long passphrase" } });
    fireEvent.change(screen.getByLabelText("Repeat the password"), { target: { value: "a long passphrase" } });
    fireEvent.click(screen.getByRole("button", { name: "Set password and accept" }));
    expect(await screen.findByText("elsewhere")).toBeTruthy();
    expect(calls.find((c) => c.path === "/api/auth/invitation/accept")?.body).toEqual({ token: "tok-1", password: "a long passphrase" });
    expect(calls.some((c) => c.path === "/api/auth/password/reset")).toBe(false);
  });

  it("shows the policy's reason beside the password", async () => {
    renderPage(<ResetPasswordPage invite />, {
      url: "/accept-invite?token=tok-1",
      path: "/accept-invite",
      routes: {
        "GET /api/auth/me": () => problem(401, "Unauthorized"),
        "POST /api/auth/invitation/accept": () =>
          problem(422, "Unprocessable Entity", "the request has invalid fields", [{ field: "password", reason: "password is too common" }]),
      },
    });
    fireEvent.change(await screen.findByLabelText("Password"), { target: { value: "password123" } });
    fireEvent.change(screen.getByLabelText("Repeat the password"), { target: { value: "password123" } });
    fireEvent.click(screen.getByRole("button", { name: "Set password and accept" }));
    expect(await screen.findByText("password is too common")).toBeTruthy();
  });

  it("without a token asks for a new invitation", async () => {
    renderPage(<ResetPasswordPage invite />, {
      url: "/accept-invite",
      path: "/accept-invite",
      routes: { "GET /api/auth/me": () => problem(401, "Unauthorized") },
    });
    expect((await screen.findByText(/invite you again/)).getAttribute("role")).toBe("alert");
  });
});
