import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { CheckoutPage } from "./CheckoutPage";
import { ME_CUSTOMER, eur, json, problem, renderPage, type Handler } from "../test/fakeShop";

const signedIn: Record<string, Handler> = {
  "GET /api/auth/me": () => json(ME_CUSTOMER),
  "GET /api/basket": () =>
    json(
      { lines: [{ sku: "T1", name: "Sencha", quantity: 2, unitPrice: eur(1250), lineTotal: eur(2500) }], total: eur(2500), revision: 2 },
      200,
      { ETag: '"2"' },
    ),
  "GET /api/clients/me": () =>
    json({
      name: "Ada",
      phone: "",
      addresses: [
        { id: "a1", label: "Work", name: "Ada L", line1: "1 Office Rd", line2: "", city: "Berlin", postalCode: "10115", country: "DE", default: false },
        { id: "a2", label: "Home", name: "Ada Lovelace", line1: "12 Analytical St", line2: "Flat 3", city: "London", postalCode: "N1 7AA", country: "GB", default: true },
      ],
    }),
};

describe("CheckoutPage", () => {
  it("prefills the default address and places the order with a sandbox card", async () => {
    const { calls } = renderPage(<CheckoutPage />, {
      routes: { ...signedIn, "POST /api/basket/checkout": () => json({ orderId: "o-77" }, 202) },
      url: "/checkout",
      path: "/checkout",
    });
    await waitFor(() => expect((screen.getByLabelText("Address line 1") as HTMLInputElement).value).toBe("12 Analytical St"));
    fireEvent.change(screen.getByLabelText("Card number"), { target: { value: "4242 4242 4242 4242" } });
    fireEvent.click(screen.getByRole("button", { name: "Place order" }));
    expect(await screen.findByText("elsewhere")).toBeTruthy(); // navigated to /orders/o-77
    const post = calls.find((c) => c.path === "/api/basket/checkout")!;
    expect(post.body).toEqual({
      shippingAddress: { name: "Ada Lovelace", line1: "12 Analytical St", line2: "Flat 3", city: "London", postalCode: "N1 7AA", country: "GB" },
      payment: { method: "sandbox", cardNumber: "4242 4242 4242 4242" },
    });
    expect(post.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("offers only a method the shop accepts", async () => {
    const { calls } = renderPage(<CheckoutPage />, {
      routes: {
        ...signedIn,
        "GET /api/config": () => json({ paymentMethods: ["paypal"], paymentGateway: "sandbox" }),
        "POST /api/basket/checkout": () => json({ orderId: "o-78" }, 202),
      },
      url: "/checkout",
      path: "/checkout",
    });
    await waitFor(() => expect((screen.getByLabelText("Address line 1") as HTMLInputElement).value).toBe("12 Analytical St"));
    expect(screen.queryByLabelText("Card number")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(calls.find((c) => c.path === "/api/basket/checkout")?.body).toMatchObject({ payment: { method: "paypal" } }));
  });

  it("lets the buyer choose among the methods the shop offers", async () => {
    const { calls } = renderPage(<CheckoutPage />, {
      routes: {
        ...signedIn,
        // stripe without a publishable key cannot run in the browser: not offered
        "GET /api/config": () => json({ paymentMethods: ["sandbox", "stripe", "paypal"], paymentGateway: "sandbox" }),
        "POST /api/basket/checkout": () => json({ orderId: "o-79" }, 202),
      },
      url: "/checkout",
      path: "/checkout",
    });
    await waitFor(() => expect((screen.getByLabelText("Address line 1") as HTMLInputElement).value).toBe("12 Analytical St"));
    const group = screen.getByRole("radiogroup", { name: "Payment method" });
    expect(Array.from(group.querySelectorAll("input")).map((i) => (i as HTMLInputElement).value)).toEqual(["sandbox", "paypal"]);
    expect(screen.getByLabelText("Card number")).toBeTruthy();
    fireEvent.click(screen.getByLabelText("PayPal"));
    expect(screen.queryByLabelText("Card number")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(calls.find((c) => c.path === "/api/basket/checkout")?.body).toMatchObject({ payment: { method: "paypal" } }));
  });

  it("reuses the Idempotency-Key when the same order is retried, and makes a new one when it changes", async () => {
    let n = 0;
    const { calls } = renderPage(<CheckoutPage />, {
      routes: {
        ...signedIn,
        "POST /api/basket/checkout": () => {
          n++;
          return n < 3 ? problem(503, "Service Unavailable", "try again") : json({ orderId: "o-1" }, 202);
        },
      },
      url: "/checkout",
      path: "/checkout",
    });
    await waitFor(() => expect((screen.getByLabelText("City") as HTMLInputElement).value).toBe("London"));
    fireEvent.change(screen.getByLabelText("Card number"), { target: { value: "4242424242424242" } });
    const place = screen.getByRole("button", { name: "Place order" });
    fireEvent.click(place);
    expect((await screen.findByRole("alert")).textContent).toContain("try again");
    fireEvent.click(place);
    await waitFor(() => expect(calls.filter((c) => c.path === "/api/basket/checkout")).toHaveLength(2));
    fireEvent.change(screen.getByLabelText("City"), { target: { value: "Leeds" } });
    await waitFor(() => expect((screen.getByRole("button", { name: "Place order" }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole("button", { name: "Place order" }));
    await screen.findByText("elsewhere");
    const keys = calls.filter((c) => c.path === "/api/basket/checkout").map((c) => c.headers["idempotency-key"]);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[1]);
  });

  it("shows the server's field errors and refuses an obviously wrong card locally", async () => {
    const { calls } = renderPage(<CheckoutPage />, {
      routes: {
        ...signedIn,
        "POST /api/basket/checkout": () =>
          problem(422, "Invalid checkout", "Check the address.", [{ field: "shippingAddress.postalCode", reason: "is required" }]),
      },
      url: "/checkout",
      path: "/checkout",
    });
    await screen.findByDisplayValue("London");
    fireEvent.change(screen.getByLabelText("Card number"), { target: { value: "42" } });
    fireEvent.click(screen.getByRole("button", { name: "Place order" }));
    expect(await screen.findByText(/12 to 19 digits/)).toBeTruthy();
    expect(calls.some((c) => c.path === "/api/basket/checkout")).toBe(false);

    fireEvent.change(screen.getByLabelText("Card number"), { target: { value: "4000 0000 0000 0002" } });
    fireEvent.click(screen.getByRole("button", { name: "Place order" }));
    expect(await screen.findByText("is required")).toBeTruthy();
    expect(screen.getByText(/Check the address/)).toBeTruthy();
  });

  it("shows the empty state when there is nothing to buy", async () => {
    renderPage(<CheckoutPage />, {
      routes: { ...signedIn, "GET /api/basket": () => json({ lines: [], total: null, revision: 5 }) },
      url: "/checkout",
      path: "/checkout",
    });
    expect(await screen.findByText("Your basket is empty.")).toBeTruthy();
  });
});
