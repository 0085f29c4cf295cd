import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BasketPage } from "./BasketPage";
import { STALE_NOTICE } from "../state/basket";
import { eur, json, problem, renderPage } from "../test/fakeShop";

function basket(rev: number, qty: number) {
  return json(
    {
      lines: [{ sku: "TEA-1", name: "Green tea", quantity: qty, unitPrice: eur(450), lineTotal: eur(450 * qty) }],
      total: eur(450 * qty),
      revision: rev,
    },
    200,
    { ETag: `"${rev}"` },
  );
}

describe("BasketPage", () => {
  it("shows the empty state", async () => {
    renderPage(<BasketPage />, { routes: {}, url: "/basket", path: "/basket" });
    expect(await screen.findByText("Your basket is empty.")).toBeTruthy();
  });

  it("shows an error with a retry when the basket cannot load", async () => {
    renderPage(<BasketPage />, {
      routes: { "GET /api/basket": () => problem(503, "Service Unavailable", "basket service is down") },
      url: "/basket",
      path: "/basket",
    });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("basket service is down");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeTruthy();
  });

  it("changes a quantity with If-Match and shows the new total", async () => {
    const { calls } = renderPage(<BasketPage />, {
      routes: {
        "GET /api/basket": () => basket(3, 1),
        "PATCH /api/basket/items/TEA-1": () => basket(4, 3),
      },
      url: "/basket",
      path: "/basket",
    });
    const input = await screen.findByLabelText("Quantity of Green tea");
    fireEvent.change(input, { target: { value: "3" } });
    fireEvent.click(screen.getByRole("button", { name: "Update" }));
    await waitFor(() => expect(screen.getByTestId("basket-total").textContent).toMatch(/13[.,]50/));
    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(patch.headers["if-match"]).toBe('"3"');
    expect(patch.body).toEqual({ quantity: 3 });
  });

  it("on 412 reloads the basket and tells the customer", async () => {
    let rev = 3;
    const { calls } = renderPage(<BasketPage />, {
      routes: {
        "GET /api/basket": () => basket(rev, rev === 3 ? 1 : 5),
        "DELETE /api/basket/items/TEA-1": () => {
          rev = 9; // someone else changed it meanwhile
          return problem(412, "Precondition Failed", "basket revision is 9");
        },
      },
      url: "/basket",
      path: "/basket",
    });
    fireEvent.click(await screen.findByRole("button", { name: "Remove Green tea" }));
    expect(await screen.findByText(STALE_NOTICE)).toBeTruthy();
    await waitFor(() => expect((screen.getByLabelText("Quantity of Green tea") as HTMLInputElement).value).toBe("5"));
    expect(calls.filter((c) => c.method === "GET" && c.path === "/api/basket")).toHaveLength(2);
  });

  it("asks a guest to sign in before checkout", async () => {
    renderPage(<BasketPage />, { routes: { "GET /api/basket": () => basket(1, 1) }, url: "/basket", path: "/basket" });
    const link = await screen.findByRole("link", { name: "Sign in to check out" });
    expect(link.getAttribute("href")).toBe("/login?next=%2Fcheckout");
  });
});
