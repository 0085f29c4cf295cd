import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AdminReturnsPage } from "./AdminReturnsPage";
import { AdminReturnPage } from "./AdminReturnPage";
import { AdminOrderPage } from "./AdminOrderPage";
import { ME_ADMIN, eur, json, problem, renderPage } from "../../test/fakeShop";
import type { Return } from "../../api/types";

const ID = "3b241101-e2bb-4255-8caf-4136c566a962-r1";
const ret = (over: Partial<Return> = {}): Return => ({
  id: ID,
  orderId: "3b241101-e2bb-4255-8caf-4136c566a962",
  customerId: "u-1",
  email: "ada@example.com",
  status: "Requested",
  lines: [
    { sku: "T1", name: "Sencha", quantity: 2 },
    { sku: "M1", name: "Mug", quantity: 1 },
  ],
  reason: "damaged",
  note: "box crushed",
  requestedAt: "2026-05-02T10:00:00Z",
  received: [],
  ...over,
});
const me = { "GET /api/auth/me": () => json({ ...ME_ADMIN, roles: ["support"] }) };
const detail = { url: `/admin/returns/${ID}`, path: "/admin/returns/:returnId" };

describe("returns back office", () => {
  it("lists requested returns first and filters by status", async () => {
    const { calls } = renderPage(<AdminReturnsPage />, {
      url: "/admin/returns",
      path: "/admin/returns",
      routes: {
        ...me,
        "GET /api/admin/returns": (req) =>
          json({ items: req.query.get("status") === "Refunded" ? [ret({ status: "Refunded", refund: eur(2500) })] : [ret()] }),
      },
    });
    const table = await screen.findByRole("table", { name: "Returns" });
    expect(within(table).getByText("ada@example.com")).toBeTruthy();
    expect(within(table).getByText("2 × Sencha, 1 × Mug")).toBeTruthy();
    expect(calls.find((c) => c.path === "/api/admin/returns")?.query.get("status")).toBe("Requested");
    fireEvent.change(screen.getByLabelText("Status"), { target: { value: "Refunded" } });
    expect(await screen.findByText("€25.00")).toBeTruthy();
  });

  it("approves a requested return", async () => {
    let current = ret();
    const { calls } = renderPage(<AdminReturnPage />, {
      ...detail,
      routes: {
        ...me,
        [`GET /api/admin/returns/${ID}`]: () => json(current),
        [`POST /api/admin/returns/${ID}/approve`]: () => {
          current = ret({ status: "Approved" });
          return json(current);
        },
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Approve" }));
    await waitFor(() => expect(screen.getByTestId("return-status").textContent).toBe("Approved"));
    expect(calls.some((c) => c.method === "POST" && c.path.endsWith("/approve"))).toBe(true);
    // Support approves; receiving refunds the money, which is for admins.
    expect(screen.queryByRole("form", { name: "Receive the goods" })).toBeNull();
    expect(screen.getByTestId("receive-admin-only").textContent).toContain("An admin receives the goods");
  });

  it("rejects with a reason and shows the server's refusal", async () => {
    let current = ret();
    const { calls } = renderPage(<AdminReturnPage />, {
      ...detail,
      routes: {
        ...me,
        [`GET /api/admin/returns/${ID}`]: () => json(current),
        [`POST /api/admin/returns/${ID}/reject`]: (req) => {
          const reason = (req.body as { reason: string }).reason;
          if (!reason) return problem(422, "Unprocessable Entity", undefined, [{ field: "reason", reason: "required, at most 500 characters" }]);
          current = ret({ status: "Rejected", rejectReason: reason });
          return json(current);
        },
      },
    });
    const form = await screen.findByRole("form", { name: "Reject the return" });
    fireEvent.click(within(form).getByRole("button", { name: "Reject" }));
    expect(await screen.findByText("reason: required, at most 500 characters")).toBeTruthy();
    fireEvent.change(within(form).getByLabelText("Reason told to the customer"), { target: { value: "worn" } });
    fireEvent.click(within(form).getByRole("button", { name: "Reject" }));
    await waitFor(() => expect(screen.getByTestId("return-status").textContent).toBe("Rejected"));
    expect(screen.getByText("worn")).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST").at(-1)?.body).toEqual({ reason: "worn" });
  });

  it("receives the goods, restock or damaged per line, and shows the refund", async () => {
    let current = ret({ status: "Approved" });
    const { calls } = renderPage(<AdminReturnPage />, {
      ...detail,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        [`GET /api/admin/returns/${ID}`]: () => json(current),
        [`POST /api/admin/returns/${ID}/receive`]: () => {
          current = ret({
            status: "Received",
            refund: eur(3390),
            shippingRefund: eur(490),
            received: [
              { sku: "T1", restock: 1, damaged: 1, refund: eur(2000) },
              { sku: "M1", restock: 1, damaged: 0, refund: eur(900) },
            ],
          });
          return json(current);
        },
      },
    });
    const form = await screen.findByRole("form", { name: "Receive the goods" });
    fireEvent.change(within(form).getByLabelText("Damaged units of Sencha"), { target: { value: "1" } });
    fireEvent.click(within(form).getByRole("button", { name: "Receive and refund" }));
    await waitFor(() => expect(screen.getByTestId("return-status").textContent).toBe("Received"));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      lines: [
        { sku: "T1", restock: 1, damaged: 1 },
        { sku: "M1", restock: 1, damaged: 0 },
      ],
    });
    const refund = screen.getByTestId("return-refund").textContent ?? "";
    expect(refund).toContain("€33.90");
    expect(refund).toContain("shipping €4.90 included");
    expect(screen.queryByRole("form", { name: "Receive the goods" })).toBeNull();
  });

  it("shows an order's returns on its staff page", async () => {
    renderPage(<AdminOrderPage />, {
      url: "/admin/orders/o-9",
      path: "/admin/orders/:orderId",
      routes: {
        ...me,
        "GET /api/orders/o-9": () => json({ orderId: "o-9", status: "PartiallyRefunded", lines: [], total: eur(5000), refunded: eur(2500), history: [] }),
        "GET /api/admin/orders/o-9/timeline": () => json({ items: [] }),
        "GET /api/orders/o-9/returns": () =>
          json({ items: [ret({ id: "o-9-r1", orderId: "o-9", status: "Refunded", refund: eur(2500) })], lines: [], open: false }),
      },
    });
    const section = await screen.findByTestId("admin-order-returns");
    expect(section.textContent).toContain("r1 · Refunded · 2 × Sencha, 1 × Mug · refund €25.00");
    expect(within(section).getByRole("link", { name: "r1" }).getAttribute("href")).toBe("/admin/returns/o-9-r1");
  });
});
