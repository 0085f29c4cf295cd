import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { OrderPage, hasCapture } from "./OrderPage";
import { ME_CUSTOMER, eur, json, renderPage } from "../test/fakeShop";
import type { Payment } from "../api/types";
import type { Breakdown } from "../components/PriceBreakdown";

const address = { name: "Ada", line1: "1 St", line2: "", city: "London", postalCode: "N1", country: "GB" };
function order(status: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const body = {
    orderId: "o-1",
    status,
    lines: [{ sku: "T1", name: "Sencha", quantity: 2, unitPrice: eur(1250) }],
    total: eur(2500),
    shippingAddress: address,
    history: [{ status: "Placed", at: "2025-01-01T10:00:00Z" }],
    ...extra,
  };
  return json(body, 200, headers);
}

describe("OrderPage", () => {
  it("polls until the order is Paid", async () => {
    const states = ["Placed", "Placed", "Paid"];
    let i = 0;
    const { calls } = renderPage(<OrderPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1": () => {
          const status = states[Math.min(i++, states.length - 1)]!;
          return order(status, status === "Paid" ? { invoice: { number: "INV-000001", issuedAt: "2025-01-01T10:00:03Z" } } : {});
        },
        "GET /api/payments": () =>
          json({ orderId: "o-1", payments: [payment({ paymentId: "p-1", status: "captured", amount: eur(2500), last4: "4242" })] }),
      },
      url: "/orders/o-1?placed=1",
      path: "/orders/:orderId",
    });
    expect(await screen.findByText("Thank you for your order!")).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("order-status").getAttribute("data-status")).toBe("Paid"), {
      timeout: 6000,
    });
    expect(screen.getByTestId("order-outcome").textContent).toContain("Your payment went through");
    expect(await screen.findByText("•••• 4242")).toBeTruthy();
    const reads = calls.filter((c) => c.path === "/api/orders/o-1").length;
    expect(reads).toBe(3);
    // Settled: no more polling.
    await new Promise((r) => setTimeout(r, 1700));
    expect(calls.filter((c) => c.path === "/api/orders/o-1").length).toBe(reads);
  }, 15000);

  it("follows the order with reads the shop holds until it changes", async () => {
    // Placed (W/"1"); held: unchanged for the whole wait (304); held again:
    // Paid and invoiced (W/"3"). Answered as api/ordering answers.
    const held = { ETag: 'W/"1"', "Preference-Applied": "wait=10" };
    const replies = [
      () => order("Placed", {}, { ETag: 'W/"1"' }),
      () => ({ status: 304, headers: held }),
      () =>
        order("Paid", { invoice: { number: "INV-000001", issuedAt: "2025-01-01T10:00:03Z" } }, { ETag: 'W/"3"', "Preference-Applied": "wait=10" }),
    ];
    let i = 0;
    const { calls } = renderPage(<OrderPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1": () => replies[Math.min(i++, replies.length - 1)]!(),
        "GET /api/payments": () => json({ orderId: "o-1", payments: [] }),
      },
      url: "/orders/o-1?placed=1",
      path: "/orders/:orderId",
    });
    // No 1.5 s pause between the reads: each follows the last at once.
    await waitFor(() => expect(screen.getByTestId("order-status").getAttribute("data-status")).toBe("Paid"), { timeout: 1000 });
    const reads = calls.filter((c) => c.path === "/api/orders/o-1");
    expect(reads.map((c) => [c.headers["if-none-match"], c.headers["prefer"]])).toEqual([
      [undefined, undefined],
      ['W/"1"', "wait=10"],
      ['W/"1"', "wait=10"],
    ]);
  });

  it("ends the read it holds when the page goes away", async () => {
    let holding: RequestInit | undefined;
    const { unmount, fetch } = renderPage(<OrderPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1": (req) =>
          req.headers["if-none-match"] ? new Promise<never>(() => {}) : order("Placed", {}, { ETag: 'W/"1"' }),
        "GET /api/payments": () => json({ orderId: "o-1", payments: [] }),
      },
      url: "/orders/o-1",
      path: "/orders/:orderId",
    });
    await waitFor(() => {
      const held = (fetch as unknown as ReturnType<typeof vi.fn>).mock.calls.find(
        ([, init]) => "If-None-Match" in (((init as RequestInit | undefined)?.headers as object | undefined) ?? {}),
      );
      expect(held).toBeTruthy();
      holding = held![1] as RequestInit;
    });
    expect(holding!.signal?.aborted).toBe(false);
    unmount();
    expect(holding!.signal?.aborted).toBe(true);
  });

  it("polls a shop that ignores the version held", async () => {
    // The same ETag back with the whole order: the shop does not hold reads.
    const states = ["Placed", "Placed", "Cancelled"];
    let i = 0;
    const { calls } = renderPage(<OrderPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1": () => order(states[Math.min(i++, states.length - 1)]!, {}, { ETag: 'W/"1"' }),
        "GET /api/payments": () => json({ orderId: "o-1", payments: [] }),
      },
      url: "/orders/o-1",
      path: "/orders/:orderId",
    });
    await waitFor(() => expect(screen.getByTestId("order-status").getAttribute("data-status")).toBe("Cancelled"), {
      timeout: 6000,
    });
    const reads = calls.filter((c) => c.path === "/api/orders/o-1");
    expect(reads).toHaveLength(3);
    expect(reads[2]!.headers["prefer"]).toBe("wait=10"); // still asked, answered at once
  }, 15000);

  it("says how much of a partially refunded order went back", async () => {
    renderPage(<OrderPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1": () => order("PartiallyRefunded", { refunded: eur(1000) }),
        "GET /api/payments": () => json([{ paymentId: "p-1", status: "partially_refunded", amount: eur(2500), last4: "4242" }]),
      },
      url: "/orders/o-1",
      path: "/orders/:orderId",
    });
    const outcome = await screen.findByTestId("order-outcome");
    expect(outcome.textContent).toContain("Partially refunded.");
    expect(outcome.textContent).toMatch(/10\.00.* of .*25\.00/);
    expect(screen.getByTestId("order-status").getAttribute("data-status")).toBe("PartiallyRefunded");
  });

  it("explains a declined card and that no money was taken", async () => {
    renderPage(<OrderPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1": () =>
          order("Cancelled", {
            cancelReason: "card_declined",
            history: [
              { status: "Placed", at: "2025-01-01T10:00:00Z" },
              { status: "Cancelled", at: "2025-01-01T10:00:02Z", reason: "card_declined" },
            ],
          }),
        "GET /api/payments": () =>
          json({ orderId: "o-1", payments: [payment({ paymentId: "p-1", status: "failed", amount: eur(2500), last4: "0002", reason: "card_declined" })] }),
      },
      url: "/orders/o-1",
      path: "/orders/:orderId",
    });
    const outcome = await screen.findByTestId("order-outcome");
    expect(outcome.getAttribute("role")).toBe("alert");
    expect(outcome.textContent).toContain("Your order was cancelled.");
    expect(outcome.textContent).toContain("The card was declined.");
    await waitFor(() => expect(outcome.textContent).toContain("No money was taken"));
  });

  it.each([
    [[], false],
    [[{ status: "failed" as const }], false],
    [[{ status: "authorized" as const }, { status: "voided" as const }], false],
    [[{ status: "captured" as const }], true],
    [[{ status: "refunded" as const }], true],
  ])("hasCapture(%j) = %s", (ps, want) => {
    expect(hasCapture(ps.map((p, i) => payment({ paymentId: `p${i}`, amount: eur(1), ...p })))).toBe(want);
  });
});

describe("OrderPage breakdown", () => {
  it("shows net, tax per rate and shipping when the order has a breakdown", async () => {
    const breakdown: Breakdown = {
      currency: "EUR", country: "DE", pricesIncludeTax: true,
      lines: [{ sku: "T1", quantity: 2, unitPrice: eur(1250), taxClass: "reduced", rateBp: 700, amount: eur(2500),
        discount: eur(250), net: eur(2103), tax: eur(147), gross: eur(2250) }],
      shipping: { method: "standard", name: "Standard delivery", taxClass: "standard", rateBp: 1900, amount: eur(495),
        discount: eur(0), net: eur(416), tax: eur(79), gross: eur(495) },
      discountCode: "TEN",
      taxRates: [{ rateBp: 1900, net: eur(416), tax: eur(79), gross: eur(495) }, { rateBp: 700, net: eur(2103), tax: eur(147), gross: eur(2250) }],
      subtotal: eur(2250), discount: eur(250), net: eur(2519), tax: eur(226), gross: eur(2745),
    };
    renderPage(<OrderPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1": () => order("Paid", { total: eur(2745), breakdown }),
        "GET /api/payments": () => json([]),
      },
      url: "/orders/o-1",
      path: "/orders/:orderId",
    });
    const table = await screen.findByTestId("price-breakdown");
    expect(screen.getAllByTestId("breakdown-rate").map((r) => r.textContent)).toEqual([
      expect.stringMatching(/^Tax 19 % on .*4\.16.*0\.79/),
      expect.stringMatching(/^Tax 7 % on .*21\.03.*1\.47/),
    ]);
    expect(screen.getByTestId("breakdown-shipping").textContent).toMatch(/Standard delivery.*4\.95/);
    expect(screen.getByTestId("breakdown-discount").textContent).toMatch(/TEN.*2\.50/);
    expect(table.textContent).toMatch(/Total.*27\.45/);
  });

  it("shows no breakdown for an order placed before tax existed", async () => {
    renderPage(<OrderPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1": () => order("Paid"),
        "GET /api/payments": () => json([]),
      },
      url: "/orders/o-1",
      path: "/orders/:orderId",
    });
    await screen.findByTestId("order-status");
    expect(screen.queryByTestId("price-breakdown")).toBeNull();
  });
});

/** A payment as GET /api/payments sends it (the generated type keeps the fixture honest). */
function payment(p: Partial<Payment> & Pick<Payment, "paymentId" | "status" | "amount">): Payment {
  return { orderId: "o-1", customerId: "u-1", method: "sandbox", captured: 0, refunded: 0, version: 1,
    updatedAt: "2025-01-01T10:00:02Z", ledger: [], ...p };
}
