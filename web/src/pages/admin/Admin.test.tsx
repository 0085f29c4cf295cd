import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { RequireStaff } from "../../components/Guards";
import { AdminProjectionsPage } from "./AdminProjectionsPage";
import { AdminDeadLettersPage } from "./AdminDeadLettersPage";
import { AdminOrderPage } from "./AdminOrderPage";
import { ME_ADMIN, ME_CUSTOMER, eur, json, problem, renderPage } from "../../test/fakeShop";
import type { ProjectionStatus } from "../../api/types";

const admin = { "GET /api/auth/me": () => json(ME_ADMIN) };

describe("back office", () => {
  it("refuses customers even if they type the URL", async () => {
    renderPage(
      <RequireStaff>
        <AdminProjectionsPage />
      </RequireStaff>,
      { routes: { "GET /api/auth/me": () => json(ME_CUSTOMER) }, url: "/admin", path: "/admin" },
    );
    expect(await screen.findByText("The back office is for support and admin staff.")).toBeTruthy();
  });

  it("says clearly when the admin API is not there yet", async () => {
    renderPage(<AdminDeadLettersPage />, {
      routes: { ...admin, "GET /api/admin/deadletters": () => problem(404, "Not Found") },
      url: "/admin/deadletters",
      path: "/admin/deadletters",
    });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Dead letters: Not Found");
    expect(alert.textContent).toContain("may not be available on this shop yet");
  });

  it("rebuilds a projection and shows its progress until it is live", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    let phase = 0;
    const { calls } = renderPage(<AdminProjectionsPage />, {
      routes: {
        ...admin,
        "GET /api/admin/projections": () =>
          json(
            phase === 0
              ? { items: [projection({ checkpoint: 100, lagEvents: 0, lagSeconds: 0, state: "live" })] }
              : phase++ === 1
                ? { items: [projection({ checkpoint: 25, lagEvents: 75, lagSeconds: 3, state: "rebuilding" })] }
                : { items: [projection({ checkpoint: 100, lagEvents: 0, lagSeconds: 0, state: "live" })] },
          ),
        "POST /api/admin/projections/orders/rebuild": () => {
          phase = 1;
          return json({ started: true }, 202);
        },
      },
      url: "/admin/projections",
      path: "/admin/projections",
    });
    fireEvent.click(await screen.findByRole("button", { name: "Rebuild" }));
    const bar = (await screen.findByRole("progressbar", { name: "Rebuild of orders" })) as HTMLProgressElement;
    expect(bar.value).toBe(25);
    await waitFor(() => expect(screen.queryByRole("progressbar")).toBeNull(), { timeout: 3000 });
    expect(calls.some((c) => c.method === "POST" && c.path === "/api/admin/projections/orders/rebuild")).toBe(true);
  });

  it("redrives a dead letter", async () => {
    let redriven = false;
    const { calls } = renderPage(<AdminDeadLettersPage />, {
      routes: {
        ...admin,
        "GET /api/admin/deadletters": () =>
          json(redriven ? [] : [{ id: "d1", handler: "notifier.OrderPaid", reason: "smtp timeout", attempts: 5 }]),
        "POST /api/admin/deadletters/d1/redrive": () => {
          redriven = true;
          return { status: 204 };
        },
      },
      url: "/admin/deadletters",
      path: "/admin/deadletters",
    });
    expect(await screen.findByText("Reason: smtp timeout")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Redrive" }));
    expect(await screen.findByText("No dead letters. Every message was handled.")).toBeTruthy();
    expect(calls.filter((c) => c.path === "/api/admin/deadletters/d1/redrive")).toHaveLength(1);
  });

  it("ships an order and shows an illegal transition's problem", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    const { calls } = renderPage(<AdminOrderPage />, {
      routes: {
        ...admin,
        "GET /api/orders/o-9": () =>
          json({ orderId: "o-9", status: "Paid", lines: [], total: eur(1000), shippingAddress: null, history: [] }),
        "GET /api/admin/orders/o-9/timeline": () =>
          json([{ type: "ordering.OrderPlaced.v1", at: "2025-01-01T10:00:00Z", stream: "order-o-9", position: 1 }]),
        "POST /api/admin/orders/o-9/ship": () => ({ status: 204 }),
        "POST /api/admin/orders/o-9/refund": () =>
          problem(409, "Illegal transition", "cannot refund more than was captured"),
      },
      url: "/admin/orders/o-9",
      path: "/admin/orders/:orderId",
    });
    expect(await screen.findByText("ordering.OrderPlaced.v1")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Carrier"), { target: { value: "DHL" } });
    fireEvent.change(screen.getByLabelText("Tracking number"), { target: { value: "JD0001" } });
    fireEvent.click(screen.getByRole("button", { name: "Mark shipped" }));
    await waitFor(() =>
      expect(calls.find((c) => c.path === "/api/admin/orders/o-9/ship")?.body).toEqual({ carrier: "DHL", trackingNumber: "JD0001" }),
    );
    fireEvent.change(screen.getByLabelText("Amount (EUR)"), { target: { value: "12.50" } });
    fireEvent.change(screen.getAllByLabelText("Reason")[1]!, { target: { value: "damaged" } });
    fireEvent.click(screen.getByRole("button", { name: "Refund" }));
    expect(await screen.findByText(/cannot refund more than was captured/)).toBeTruthy();
    const refund = calls.find((c) => c.path === "/api/admin/orders/o-9/refund")!;
    expect(refund.body).toEqual({
      amount: { amount: 1250, currency: "EUR" },
      reason: "damaged",
    });
    // The refund is named, so a retried submit cannot refund twice.
    expect(refund.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("offers refunds to admins only, as the server allows", async () => {
    renderPage(<AdminOrderPage />, {
      routes: {
        "GET /api/auth/me": () => json({ ...ME_ADMIN, roles: ["support"] }),
        "GET /api/orders/o-9": () =>
          json({ orderId: "o-9", status: "Paid", lines: [], total: eur(1000), shippingAddress: null, history: [] }),
        "GET /api/admin/orders/o-9/timeline": () => json([]),
      },
      url: "/admin/orders/o-9",
      path: "/admin/orders/:orderId",
    });
    expect(await screen.findByRole("button", { name: "Mark shipped" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Refund" })).toBeNull();
    expect(screen.queryByTestId("admin-invoice-link")).toBeNull();
  });

  it("links the order's printable invoice once it is issued", async () => {
    renderPage(<AdminOrderPage />, {
      routes: {
        "GET /api/auth/me": () => json({ ...ME_ADMIN, roles: ["support"] }),
        "GET /api/orders/o-9": () =>
          json({ orderId: "o-9", status: "Paid", lines: [], total: eur(1000), shippingAddress: null, history: [],
            invoice: { number: "INV-000003", issuedAt: "2025-01-01T10:00:05Z" } }),
        "GET /api/admin/orders/o-9/timeline": () => json([]),
      },
      url: "/admin/orders/o-9",
      path: "/admin/orders/:orderId",
    });
    const link = await screen.findByTestId("admin-invoice-link");
    expect(link.textContent).toBe("Invoice INV-000003");
    expect(link.getAttribute("href")).toBe("/orders/o-9/invoice");
  });
});

/** The orders read model's status as GET /api/admin/projections sends it. */
function projection(p: Pick<ProjectionStatus, "checkpoint" | "lagEvents" | "lagSeconds" | "state">): ProjectionStatus {
  return { name: "orders", head: p.checkpoint + p.lagEvents, ...p };
}
