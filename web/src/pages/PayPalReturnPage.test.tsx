import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PayPalReturnPage } from "./PayPalReturnPage";
import { ME_CUSTOMER, json, problem, renderPage } from "../test/fakeShop";

describe("PayPalReturnPage", () => {
  it.each([
    ["approved", "/checkout/paypal/return?token=ORDER1&PayerID=PAYER2345ABCD", "/api/payments/paypal/return", "authorized"],
    ["cancelled", "/checkout/paypal/cancel?token=ORDER1", "/api/payments/paypal/cancel", "failed"],
  ] as const)("%s: tells the shop, then shows the order", async (outcome, url, endpoint, status) => {
    const { calls } = renderPage(<PayPalReturnPage outcome={outcome} />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        [`POST ${endpoint}`]: () => json({ paymentId: "p-1", orderId: "o-1", status }),
      },
      url,
      path: url.split("?")[0],
    });
    expect(await screen.findByText("elsewhere")).toBeTruthy(); // navigated to the order page
    const posts = calls.filter((c) => c.path === endpoint);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ token: "ORDER1" });
    expect(posts[0]!.headers["x-csrf-token"]).toBe("csrf-1");
  });

  it("explains a refusal and links to the orders", async () => {
    renderPage(<PayPalReturnPage outcome="approved" />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "POST /api/payments/paypal/return": () => problem(409, "Conflict", "PayPal has not approved this order"),
      },
      url: "/checkout/paypal/return?token=ORDER1",
      path: "/checkout/paypal/return",
    });
    expect((await screen.findByRole("alert")).textContent).toContain("PayPal has not approved this order");
    expect(screen.getByText("See my orders")).toBeTruthy();
  });

  it("refuses a link without a token, calling nothing", async () => {
    const { calls } = renderPage(<PayPalReturnPage outcome="cancelled" />, {
      routes: { "GET /api/auth/me": () => json(ME_CUSTOMER) },
      url: "/checkout/paypal/cancel",
      path: "/checkout/paypal/cancel",
    });
    expect((await screen.findByRole("alert")).textContent).toContain("missing its PayPal reference");
    await waitFor(() => expect(calls.some((c) => c.path.startsWith("/api/payments/paypal"))).toBe(false));
  });
});
