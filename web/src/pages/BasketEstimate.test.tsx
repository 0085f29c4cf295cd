import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BasketPage } from "./BasketPage";
import { json, ME_CUSTOMER, renderPage } from "../test/fakeShop";
import { pricedBasket } from "../test/estimate";

describe("BasketPage estimate and discount code", () => {
  it("shows the estimate for the shop's country and prices another country on request", async () => {
    const { calls } = renderPage(<BasketPage />, { routes: { "GET /api/basket": (r) => pricedBasket(r) }, url: "/basket", path: "/basket" });
    const table = await screen.findByTestId("price-breakdown");
    expect(table.textContent).toMatch(/20[.,]00/);
    fireEvent.change(screen.getByLabelText("Deliver to"), { target: { value: "FR" } });
    await waitFor(() => expect(calls.some((c) => c.path === "/api/basket" && c.query.get("country") === "FR")).toBe(true));
    await waitFor(() => expect((screen.getByLabelText("Deliver to") as HTMLSelectElement).value).toBe("FR"));
    fireEvent.change(screen.getByLabelText("Shipping"), { target: { value: "standard" } });
    await waitFor(() => expect(screen.getByTestId("breakdown-shipping").textContent).toMatch(/4[.,]95/));
    const last = calls.filter((c) => c.path === "/api/basket").at(-1)!;
    expect(last.query.get("country")).toBe("FR");
    expect(last.query.get("shippingMethod")).toBe("standard");
  });

  it("starts with the signed-in customer's default address country", async () => {
    const { calls } = renderPage(<BasketPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/basket": (r) => pricedBasket(r),
        "GET /api/clients/me": () =>
          json({ name: "Ada", addresses: [{ id: "a", name: "Ada", line1: "1 Rue", line2: "", city: "Paris", postalCode: "75001", country: "FR", default: true }] }),
      },
      url: "/basket",
      path: "/basket",
    });
    await waitFor(() => expect((screen.getByLabelText("Deliver to") as HTMLSelectElement).value).toBe("FR"));
    expect(calls.some((c) => c.path === "/api/basket" && c.query.get("country") === "FR")).toBe(true);
  });

  it("applies a code with If-Match, and shows why a code is refused", async () => {
    const { calls } = renderPage(<BasketPage />, {
      routes: {
        "GET /api/basket": (r) => pricedBasket(r),
        "POST /api/basket/discount": (r) =>
          (r.body as { code: string }).code === "OLD"
            ? {
                status: 422,
                body: { type: "urn:evshop:discount:expired", title: "Unprocessable Entity", status: 422, detail: "this discount code has expired", reason: "expired" },
                headers: { "Content-Type": "application/problem+json" },
              }
            : pricedBasket(r, { rev: 3, discount: { code: "TEN", kind: "percentage", percentOff: 10 } }),
        "DELETE /api/basket/discount": (r) => pricedBasket(r, { rev: 4 }),
      },
      url: "/basket",
      path: "/basket",
    });
    const input = await screen.findByLabelText("Discount code");
    fireEvent.change(input, { target: { value: "OLD" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect((await screen.findByText("This discount code has expired.")).getAttribute("role")).toBe("alert");

    fireEvent.change(screen.getByLabelText("Discount code"), { target: { value: "ten" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect((await screen.findByTestId("discount-code")).textContent).toContain("10 % off");
    expect(screen.getByTestId("breakdown-discount").textContent).toContain("TEN");
    const post = calls.filter((c) => c.path === "/api/basket/discount" && c.method === "POST").at(-1)!;
    expect(post.body).toEqual({ code: "ten" });
    expect(post.headers["if-match"]).toBe('"2"');

    fireEvent.click(screen.getByRole("button", { name: "Remove code" }));
    await waitFor(() => expect(screen.queryByTestId("discount-code")).toBeNull());
    expect(calls.find((c) => c.method === "DELETE")?.headers["if-match"]).toBe('"3"');
  });

  it("lets a guest check out without an account", async () => {
    renderPage(<BasketPage />, { routes: { "GET /api/basket": (r) => pricedBasket(r) }, url: "/basket", path: "/basket" });
    const link = await screen.findByRole("link", { name: "Check out as a guest" });
    expect(link.getAttribute("href")).toBe("/checkout");
  });
});
