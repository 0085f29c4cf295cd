import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { CheckoutPage } from "./CheckoutPage";
import { OrderPage } from "./OrderPage";
import { pricedBasket } from "../test/estimate";
import { eur, json, renderPage, type FakeReply } from "../test/fakeShop";

function fillAddress() {
  const fields: [string, string][] = [
    ["Full name", "Grace Hopper"],
    ["Address line 1", "1 Rue de Rivoli"],
    ["Postal code", "75001"],
    ["City", "Paris"],
    ["Country (2-letter code)", "fr"],
  ];
  for (const [label, value] of fields) {
    fireEvent.change(screen.getByLabelText(label), { target: { value: value } });
  }
}

function problemWith(status: number, members: Record<string, unknown>): FakeReply {
  return { status, body: { type: "about:blank", title: "Conflict", status, ...members }, headers: { "Content-Type": "application/problem+json" } };
}

describe("CheckoutPage for guests, shipping, VAT and changed prices", () => {
  it("checks a guest out with an email, a shipping method and a VAT ID, and follows the status link", async () => {
    const { calls } = renderPage(<CheckoutPage />, {
      routes: {
        "GET /api/basket": (r) => pricedBasket(r),
        "POST /api/basket/checkout": () =>
          json({ orderId: "o-9", statusUrl: "/orders/o-9?token=abc", statusToken: "abc" }, 202),
      },
      url: "/checkout",
      path: "/checkout",
    });
    const email = await screen.findByLabelText("Email");
    fireEvent.change(email, { target: { value: "grace@example.com" } });
    fillAddress();
    // The estimate follows the address's country and offers its methods with prices.
    await waitFor(() => expect(calls.some((c) => c.path === "/api/basket" && c.query.get("country") === "FR")).toBe(true));
    const place = screen.getByRole("button", { name: "Place order" }) as HTMLButtonElement;
    expect(place.disabled).toBe(true); // a method must be chosen first
    fireEvent.click(await screen.findByLabelText(/Standard/));
    await waitFor(() => expect(screen.getByTestId("breakdown-shipping").textContent).toMatch(/4[.,]95/));
    fireEvent.change(screen.getByLabelText("VAT ID (optional)"), { target: { value: "FR 12345678901" } });
    fireEvent.change(screen.getByLabelText("Card number"), { target: { value: "4242 4242 4242 4242" } });
    fireEvent.click(screen.getByRole("button", { name: "Place order" }));
    expect(await screen.findByText("elsewhere")).toBeTruthy();
    const post = calls.find((c) => c.path === "/api/basket/checkout")!;
    expect(post.body).toEqual({
      shippingAddress: { name: "Grace Hopper", line1: "1 Rue de Rivoli", line2: "", city: "Paris", postalCode: "75001", country: "FR" },
      payment: { method: "sandbox", cardNumber: "4242 4242 4242 4242" },
      email: "grace@example.com",
      shippingMethod: "standard",
      vatId: "FR 12345678901",
    });
  });

  it("shows the lines whose price changed and places the order when the buyer confirms", async () => {
    let attempts = 0;
    const { calls } = renderPage(<CheckoutPage />, {
      routes: {
        "GET /api/basket": (r) => pricedBasket(r, { rev: attempts > 0 ? 4 : 2 }),
        "POST /api/basket/checkout": () =>
          ++attempts === 1
            ? problemWith(409, {
                detail: "prices changed",
                changedLines: [
                  { sku: "MUG", name: "Blue mug", quantity: 2, oldUnitPrice: eur(1000), newUnitPrice: eur(1200), removed: false },
                  { sku: "CAP", name: "Red cap", quantity: 1, oldUnitPrice: eur(500), newUnitPrice: null, removed: true },
                ],
              })
            : json({ orderId: "o-10", statusUrl: "/orders/o-10?token=t", statusToken: "t" }, 202),
      },
      url: "/checkout",
      path: "/checkout",
    });
    fireEvent.change(await screen.findByLabelText("Email"), { target: { value: "grace@example.com" } });
    fillAddress();
    fireEvent.click(await screen.findByLabelText(/Express/));
    fireEvent.change(screen.getByLabelText("Card number"), { target: { value: "4242 4242 4242 4242" } });
    fireEvent.click(screen.getByRole("button", { name: "Place order" }));
    const notice = await screen.findByTestId("changed-prices");
    expect(notice.textContent).toContain("Blue mug");
    expect(notice.textContent).toMatch(/10[.,]00.*12[.,]00/);
    expect(notice.textContent).toContain("no longer available");
    // The basket was read again: the summary shows the repriced basket.
    await waitFor(() => expect(calls.filter((c) => c.path === "/api/basket").length).toBeGreaterThan(2));
    fireEvent.click(screen.getByRole("button", { name: "Place order at the new prices" }));
    expect(await screen.findByText("elsewhere")).toBeTruthy();
    const posts = calls.filter((c) => c.path === "/api/basket/checkout");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.headers["idempotency-key"]).toBe(posts[0]!.headers["idempotency-key"]);
  });

  it("says why the basket's code was refused at checkout", async () => {
    renderPage(<CheckoutPage />, {
      routes: {
        "GET /api/basket": (r) => pricedBasket(r, { discount: { code: "TEN", kind: "percentage", percentOff: 10 } }),
        "POST /api/basket/checkout": () =>
          problemWith(409, { type: "urn:evshop:discount:used_up", detail: "this discount code has been used up", reason: "used_up" }),
      },
      url: "/checkout",
      path: "/checkout",
    });
    fireEvent.change(await screen.findByLabelText("Email"), { target: { value: "grace@example.com" } });
    fillAddress();
    fireEvent.click(await screen.findByLabelText(/Standard/));
    fireEvent.change(screen.getByLabelText("Card number"), { target: { value: "4242 4242 4242 4242" } });
    fireEvent.click(screen.getByRole("button", { name: "Place order" }));
    expect((await screen.findByTestId("discount-refused")).textContent).toContain("This discount code has been used up.");
  });
});

describe("OrderPage through a guest's status link", () => {
  it("reads the order with the token and no session", async () => {
    const { calls } = renderPage(<OrderPage />, {
      routes: {
        "GET /api/orders/o-9": (r) =>
          r.query.get("token") === "abc"
            ? json({
                orderId: "o-9",
                customerId: "g",
                email: "grace@example.com",
                status: "Paid",
                total: eur(2495),
                itemCount: 2,
                placedAt: "2026-03-01T12:00:00Z",
                updatedAt: "2026-03-01T12:00:00Z",
                shippingAddress: { name: "Grace", line1: "1 Rue", line2: "", city: "Paris", postalCode: "75001", country: "FR" },
                paymentMethod: "sandbox",
                lines: [{ sku: "MUG", name: "Blue mug", quantity: 2, unitPrice: eur(1000) }],
                history: [{ status: "Placed", at: "2026-03-01T12:00:00Z" }],
              })
            : { status: 404, body: { title: "Not Found", status: 404 }, headers: { "Content-Type": "application/problem+json" } },
      },
      url: "/orders/o-9?token=abc&placed=1",
      path: "/orders/:orderId",
    });
    expect((await screen.findByTestId("order-id")).textContent).toBe("o-9");
    // The guest's payments are read with the order's token, never a session.
    await waitFor(() => expect(calls.some((c) => c.path === "/api/payments")).toBe(true));
    for (const c of calls.filter((c) => c.path === "/api/payments")) {
      expect(c.query.get("orderToken")).toBe("abc");
      expect(c.query.get("orderId")).toBe("o-9");
    }
  });
});
