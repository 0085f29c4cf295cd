import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ProductPage } from "./ProductPage";
import { ME_CUSTOMER, eur, json, problem, renderPage } from "../test/fakeShop";

const product = (stock: number) => ({
  sku: "OUT-001",
  name: "Trail Tent",
  category: "Outdoor",
  price: eur(18900),
  stock,
  description: "A tent.",
  attributes: {},
  images: [],
});

const page = { url: "/products/OUT-001", path: "/products/:sku" };

describe("ProductPage back-in-stock", () => {
  it("lets a signed-in customer ask for, then cancel, the email when sold out", async () => {
    let subscribed = false;
    const answer = () => json({ sku: "OUT-001", subscribed });
    const { calls } = renderPage(<ProductPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/catalog/products/OUT-001": () => json(product(0)),
        "GET /api/notifications/back-in-stock/OUT-001": answer,
        "POST /api/notifications/back-in-stock/OUT-001": () => ((subscribed = true), answer()),
        "DELETE /api/notifications/back-in-stock/OUT-001": () => ((subscribed = false), answer()),
      },
    });
    const ask = await screen.findByRole("button", { name: "Email me when it is back" });
    await waitFor(() => expect((ask as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(ask);
    expect(await screen.findByText("We will email you once when it is back in stock.")).toBeTruthy();
    const post = calls.find((c) => c.method === "POST" && c.path.includes("back-in-stock"))!;
    expect(post.headers["x-csrf-token"]).toBe("csrf-1");
    fireEvent.click(screen.getByRole("button", { name: "Do not email me" }));
    await screen.findByRole("button", { name: "Email me when it is back" });
    expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/notifications/back-in-stock/OUT-001")).toBe(true);
  });

  it("asks a signed-out visitor to sign in first", async () => {
    renderPage(<ProductPage />, { ...page, routes: { "GET /api/catalog/products/OUT-001": () => json(product(0)) } });
    const note = (await screen.findByText(/to be emailed when it is back in stock/)).closest("p")!;
    const link = within(note).getByRole("link", { name: "Sign in" });
    expect(link.getAttribute("href")).toBe("/login?next=%2Fproducts%2FOUT-001");
  });

  it("shows no button while the product is in stock", async () => {
    const { calls } = renderPage(<ProductPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/catalog/products/OUT-001": () => json(product(4)),
        "GET /api/notifications/back-in-stock/OUT-001": () => problem(500, "unexpected"),
      },
    });
    await screen.findByText("4 in stock");
    await waitFor(() => expect(calls.some((c) => c.path === "/api/auth/me")).toBe(true));
    expect(screen.queryByRole("button", { name: "Email me when it is back" })).toBeNull();
    expect(calls.some((c) => c.path.includes("back-in-stock"))).toBe(false);
  });
});
