import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ProductPage } from "./ProductPage";
import { eur, json, renderPage } from "../test/fakeShop";

const variant = (sku: string, options: [string, string][], price: number, stock: number, images: string[] = []) => ({
  sku,
  options: options.map(([name, value]) => ({ name, value })),
  price: eur(price),
  stock,
  images,
  archived: false,
  version: 1,
});

// The demo T-shirt: S and M at 29.00, L at 31.00 and sold out.
const tee = (sku: string, size: string) => ({
  sku,
  productId: "APP-002",
  name: "Organic Cotton T-Shirt",
  displayName: `Organic Cotton T-Shirt — ${size}`,
  category: "Apparel",
  price: eur(size === "L" ? 3100 : 2900),
  stock: size === "L" ? 0 : 35,
  description: "A tee.",
  attributes: {},
  images: ["/api/catalog/images/app-002.svg"],
  selectedOptions: [{ name: "Size", value: size }],
  options: [{ name: "Size", values: ["S", "M", "L"] }],
  variants: [
    variant("APP-002", [["Size", "S"]], 2900, 40),
    variant("APP-002-M", [["Size", "M"]], 2900, 35),
    variant("APP-002-L", [["Size", "L"]], 3100, 0),
  ],
});

const basketAnswer = (sku: string) =>
  json({ lines: [{ sku, name: "Organic Cotton T-Shirt — S", quantity: 1, unitPrice: eur(2900), lineTotal: eur(2900) }], total: eur(2900), revision: 1 }, 200, {
    ETag: '"1"',
  });

describe("ProductPage variant picker", () => {
  it("shows each size's price and availability, refuses the sold-out one and adds the chosen SKU", async () => {
    const { calls } = renderPage(<ProductPage />, {
      url: "/products/APP-002-M",
      path: "/products/:sku",
      routes: {
        "GET /api/catalog/products/APP-002-M": () => json(tee("APP-002-M", "M")),
        "POST /api/basket/items": (req) => basketAnswer((req.body as { sku: string }).sku),
      },
    });
    const sizes = await screen.findByRole("group", { name: "Size" });
    // The URL's variant is chosen; every choice says what it leads to.
    expect((within(sizes).getByRole("radio", { name: /^M/ }) as HTMLInputElement).checked).toBe(true);
    expect(within(sizes).getByText("(€31.00, sold out)")).toBeTruthy();
    expect(screen.getByText("35 in stock")).toBeTruthy();
    expect(screen.getByText(/SKU APP-002-M/)).toBeTruthy();
    const add = screen.getByRole("button", { name: "Add to basket" }) as HTMLButtonElement;
    await waitFor(() => expect(add.disabled).toBe(false));

    // The sold-out size: its price, out of stock, cannot be added.
    fireEvent.click(within(sizes).getByRole("radio", { name: /^L/ }));
    expect(await screen.findByText("Out of stock")).toBeTruthy();
    expect(screen.getByText("€31.00")).toBeTruthy();
    expect(add.disabled).toBe(true);
    expect(screen.getByText(/to be emailed when it is back in stock/)).toBeTruthy();

    // Another size goes to the basket under its own SKU.
    fireEvent.click(within(sizes).getByRole("radio", { name: /^S/ }));
    expect(await screen.findByText("40 in stock")).toBeTruthy();
    await waitFor(() => expect(add.disabled).toBe(false));
    fireEvent.click(add);
    expect(await screen.findByText("Added 1 × Organic Cotton T-Shirt — S to your basket.")).toBeTruthy();
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/basket/items")!;
    expect(post.body).toEqual({ sku: "APP-002", quantity: 1 });
  });

  it("says when a combination of two options is not sold, and shows a colour's own image", async () => {
    const bottle = {
      ...tee("OUT-003", "Forest"),
      productId: "OUT-003",
      name: "Bottle",
      selectedOptions: [
        { name: "Colour", value: "Forest" },
        { name: "Size", value: "500 ml" },
      ],
      options: [
        { name: "Colour", values: ["Forest", "Sky"] },
        { name: "Size", values: ["500 ml", "750 ml"] },
      ],
      variants: [
        variant("OUT-003", [["Colour", "Forest"], ["Size", "500 ml"]], 2990, 5, ["/img/forest.svg"]),
        variant("OUT-003-SKY", [["Colour", "Sky"], ["Size", "500 ml"]], 3190, 5, ["/img/sky.svg"]),
        variant("OUT-003-F750", [["Colour", "Forest"], ["Size", "750 ml"]], 3490, 5, ["/img/forest.svg"]),
      ],
    };
    renderPage(<ProductPage />, {
      url: "/products/OUT-003",
      path: "/products/:sku",
      routes: { "GET /api/catalog/products/OUT-003": () => json(bottle) },
    });
    const colour = await screen.findByRole("group", { name: "Colour" });
    const size = screen.getByRole("group", { name: "Size" });
    // Sky exists only in 500 ml: with 750 ml chosen it is not available.
    fireEvent.click(within(size).getByRole("radio", { name: /^750 ml/ }));
    expect(await within(colour).findByText("(not available)")).toBeTruthy();
    fireEvent.click(within(colour).getByRole("radio", { name: /^Sky/ }));
    expect(await screen.findByText("This combination is not available.")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Add to basket" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(size).getByRole("radio", { name: /^500 ml/ }));
    const img = (await screen.findByRole("img", { name: "Bottle — Sky / 500 ml" })) as HTMLImageElement;
    expect(img.getAttribute("src")).toBe("/img/sky.svg");
    expect(screen.getByText("€31.90")).toBeTruthy();
  });
});
