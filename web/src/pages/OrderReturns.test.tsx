import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { OrderPage } from "./OrderPage";
import { ME_CUSTOMER, eur, json, problem, renderPage } from "../test/fakeShop";
import type { OrderReturns, Return } from "../api/types";

const delivered = json({
  orderId: "o-1",
  status: "Delivered",
  lines: [
    { sku: "T1", name: "Sencha", quantity: 2, unitPrice: eur(1250) },
    { sku: "M1", name: "Mug", quantity: 1, unitPrice: eur(900) },
  ],
  total: eur(3400),
  history: [{ status: "Delivered", at: "2026-05-01T10:00:00Z" }],
});

const ret = (over: Partial<Return> = {}): Return => ({
  id: "o-1-r1",
  orderId: "o-1",
  customerId: "u-1",
  status: "Requested",
  lines: [{ sku: "T1", name: "Sencha", quantity: 1 }],
  reason: "damaged",
  requestedAt: "2026-05-02T10:00:00Z",
  received: [],
  ...over,
});

function returns(items: Return[], open = true): OrderReturns {
  const asked = (sku: string) => items.filter((r) => r.status !== "Rejected").flatMap((r) => r.lines).filter((l) => l.sku === sku).reduce((n, l) => n + l.quantity, 0);
  return {
    items,
    lines: [
      { sku: "T1", name: "Sencha", ordered: 2, returnable: 2 - asked("T1") },
      { sku: "M1", name: "Mug", ordered: 1, returnable: 1 - asked("M1") },
    ],
    deliveredAt: "2026-05-01T10:00:00Z",
    closesAt: "2026-05-31T10:00:00Z",
    open,
  };
}

const page = { url: "/orders/o-1", path: "/orders/:orderId" };
const common = {
  "GET /api/auth/me": () => json(ME_CUSTOMER),
  "GET /api/orders/o-1": () => delivered,
  "GET /api/payments": () => json([]),
};

describe("returns on the order page", () => {
  it("asks for a return of chosen units with a reason, once per form", async () => {
    let items: Return[] = [];
    const { calls } = renderPage(<OrderPage />, {
      ...page,
      routes: {
        ...common,
        "GET /api/orders/o-1/returns": () => json(returns(items)),
        "POST /api/orders/o-1/returns": (req) => {
          const body = req.body as { lines: { sku: string; quantity: number }[]; reason: Return["reason"]; note?: string };
          items = [ret({ lines: [{ sku: "T1", name: "Sencha", quantity: body.lines[0]!.quantity }], reason: body.reason, note: body.note })];
          return json(items[0], 201);
        },
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Return items" }, { timeout: 4000 }));
    const form = screen.getByRole("form", { name: "Return items" });
    fireEvent.click(within(form).getByRole("button", { name: "Ask for the return" }));
    expect((await within(form).findByRole("alert")).textContent).toContain("Choose at least one item");
    fireEvent.change(within(form).getByLabelText("Sencha"), { target: { value: "2" } });
    fireEvent.change(within(form).getByLabelText("Reason"), { target: { value: "damaged" } });
    fireEvent.change(within(form).getByLabelText("Anything we should know?"), { target: { value: " cracked " } });
    fireEvent.click(within(form).getByRole("button", { name: "Ask for the return" }));
    await waitFor(() => expect(screen.getByTestId("order-returns").textContent).toContain("Requested — we will reply soon"));
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/orders/o-1/returns")!;
    expect(post.body).toEqual({ lines: [{ sku: "T1", quantity: 2 }], reason: "damaged", note: "cracked" });
    expect(post.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(screen.getByTestId("order-returns").textContent).toContain("2 × Sencha");
  });

  it("shows the server's refusal beside the line it names", async () => {
    renderPage(<OrderPage />, {
      ...page,
      routes: {
        ...common,
        "GET /api/orders/o-1/returns": () => json(returns([])),
        "POST /api/orders/o-1/returns": () =>
          problem(422, "Unprocessable Entity", undefined, [{ field: "lines[0].quantity", reason: "1 of M1 left to return" }]),
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Return items" }, { timeout: 4000 }));
    const form = screen.getByRole("form", { name: "Return items" });
    fireEvent.change(within(form).getByLabelText("Mug"), { target: { value: "1" } });
    fireEvent.change(within(form).getByLabelText("Reason"), { target: { value: "other" } });
    fireEvent.click(within(form).getByRole("button", { name: "Ask for the return" }));
    expect(await within(form).findByText("1 of M1 left to return")).toBeTruthy();
  });

  it("shows returns with their outcome and refund, and no form once the window closed", async () => {
    const items = [
      ret({ status: "Refunded", refund: eur(1250), received: [{ sku: "T1", restock: 1, damaged: 0, refund: eur(1250) }] }),
      ret({ id: "o-1-r2", status: "Rejected", rejectReason: "worn", lines: [{ sku: "M1", name: "Mug", quantity: 1 }] }),
    ];
    renderPage(<OrderPage />, { ...page, routes: { ...common, "GET /api/orders/o-1/returns": () => json(returns(items, false)) } });
    const section = await screen.findByTestId("order-returns");
    await waitFor(() => expect(section.textContent).toContain("Refunded"));
    expect(section.textContent).toContain("€12.50");
    expect(section.textContent).toContain("Rejected: worn");
    expect(screen.queryByRole("button", { name: "Return items" })).toBeNull();
  });

  it("shows nothing for an order that cannot be returned", async () => {
    renderPage(<OrderPage />, { ...page, routes: { ...common, "GET /api/orders/o-1/returns": () => json({ items: [], lines: [], open: false }) } });
    await screen.findByTestId("order-status");
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId("order-returns")).toBeNull();
  });
});
