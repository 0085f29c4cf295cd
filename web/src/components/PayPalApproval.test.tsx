import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PayPalApproval, waitingForPayPal } from "./PayPalApproval";
import { ME_CUSTOMER, eur, json, problem, renderPage } from "../test/fakeShop";
import type { Payment } from "../api/types";

function payment(p: Partial<Payment>): Payment {
  return { paymentId: "p-1", orderId: "o-1", customerId: "u-1", method: "paypal", status: "action_required", amount: eur(2500),
    captured: 0, refunded: 0, version: 2, updatedAt: "2025-01-01T10:00:02Z", ledger: [], ...p } as Payment;
}

const LINK = "https://paypal.test/checkoutnow?token=ORDER1";

afterEach(() => sessionStorage.clear());

describe("waitingForPayPal", () => {
  it.each([
    ["a PayPal payment waiting for approval", [payment({})], "p-1"],
    ["an authorized PayPal payment", [payment({ status: "authorized" })], undefined],
    ["a sandbox payment", [payment({ method: "sandbox" })], undefined],
    ["no payments yet", undefined, undefined],
  ])("%s", (_name, payments, want) => {
    expect(waitingForPayPal(payments as Payment[] | undefined)?.paymentId).toBe(want);
  });
});

describe("PayPalApproval", () => {
  it("sends the buyer to PayPal once and keeps a Continue button", async () => {
    const redirect = vi.fn();
    const { calls } = renderPage(<PayPalApproval payments={[payment({})]} redirect={redirect} />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/payments/p-1/approval": () => json({ paymentId: "p-1", orderId: "o-1", approveUrl: LINK }),
      },
    });
    const button = await screen.findByTestId("paypal-continue");
    expect(button.getAttribute("href")).toBe(LINK);
    expect(redirect).toHaveBeenCalledTimes(1);
    expect(redirect).toHaveBeenCalledWith(LINK);
    expect(calls.filter((c) => c.path === "/api/payments/p-1/approval")).toHaveLength(1);
  });

  it("does not bounce a buyer who came back to the order page", async () => {
    sessionStorage.setItem("evshop.paypal.sent.p-1", "1");
    const redirect = vi.fn();
    renderPage(<PayPalApproval payments={[payment({})]} redirect={redirect} />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/payments/p-1/approval": () => json({ paymentId: "p-1", orderId: "o-1", approveUrl: LINK }),
      },
    });
    expect((await screen.findByTestId("paypal-continue")).getAttribute("href")).toBe(LINK);
    expect(redirect).not.toHaveBeenCalled();
  });

  it("shows nothing once the payment no longer waits (409)", async () => {
    const redirect = vi.fn();
    const { calls } = renderPage(<PayPalApproval payments={[payment({})]} redirect={redirect} />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/payments/p-1/approval": () => problem(409, "Conflict", "this payment waits for no PayPal approval"),
      },
    });
    await waitFor(() => expect(calls.some((c) => c.path === "/api/payments/p-1/approval")).toBe(true));
    await waitFor(() => expect(screen.queryByTestId("paypal-approval")).toBeNull());
    expect(redirect).not.toHaveBeenCalled();
  });

  it("shows nothing for a card payment", async () => {
    const { calls } = renderPage(<PayPalApproval payments={[payment({ method: "sandbox", status: "authorized" })]} />, {
      routes: { "GET /api/auth/me": () => json(ME_CUSTOMER) },
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId("paypal-approval")).toBeNull();
    expect(calls.some((c) => c.path.endsWith("/approval"))).toBe(false);
  });
});
