import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { CatalogPage } from "./CatalogPage";
import { eur, json, problem, renderPage } from "../test/fakeShop";

const product = (sku: string, name: string, price: number) => ({
  sku,
  name,
  description: "",
  category: "Tea",
  price: eur(price),
  images: [],
  stock: 5,
  attributes: {},
});

describe("CatalogPage", () => {
  it("lists products and categories, and adds to the basket", async () => {
    const { calls } = renderPage(<CatalogPage />, {
      routes: {
        "GET /api/catalog/categories": () => json([{ name: "Tea", count: 1 }, { name: "Books", count: 1 }]),
        "GET /api/catalog/products": () =>
          json({ items: [product("T1", "Sencha", 1250), product("T2", "Oolong", 990)], page: 1, pageSize: 12, total: 2 }),
        "POST /api/basket/items": () =>
          json({ lines: [{ sku: "T1", name: "Sencha", quantity: 1, unitPrice: eur(1250), lineTotal: eur(1250) }], total: eur(1250), revision: 1 }, 200, { ETag: '"1"' }),
      },
    });
    expect(await screen.findByText("Sencha")).toBeTruthy();
    expect(screen.getByRole("option", { name: "Books (1)" })).toBeTruthy();
    const add = screen.getByRole("button", { name: "Add Sencha to basket" }) as HTMLButtonElement;
    // Disabled until the basket (and its ETag) is known.
    await waitFor(() => expect(add.disabled).toBe(false));
    fireEvent.click(add);
    expect(await screen.findByText("Added Sencha to your basket.")).toBeTruthy();
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/basket/items")!;
    expect(post.body).toEqual({ sku: "T1", quantity: 1 });
    expect(post.headers["if-match"]).toBe('"0"');
    expect(post.headers["x-csrf-token"]).toBe("csrf-1");
  });

  it("sends filters in the query with prices in minor units", async () => {
    const { calls } = renderPage(<CatalogPage />, {
      routes: { "GET /api/catalog/products": () => json({ items: [], page: 1, pageSize: 12, total: 0 }) },
    });
    expect(await screen.findByText("No products match these filters.")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Search"), { target: { value: "green" } });
    fireEvent.change(screen.getByLabelText("Min price (EUR)"), { target: { value: "5" } });
    fireEvent.change(screen.getByLabelText("Max price (EUR)"), { target: { value: "20.50" } });
    fireEvent.change(screen.getByLabelText("Sort by"), { target: { value: "price_desc" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    await waitFor(() => {
      const q = calls.filter((c) => c.path === "/api/catalog/products").at(-1)!.query;
      expect(q.get("q")).toBe("green");
      expect(q.get("minPrice")).toBe("500");
      expect(q.get("maxPrice")).toBe("2050");
      expect(q.get("sort")).toBe("price_desc");
      expect(q.get("page")).toBe("1");
    });
  });

  it("refuses a minimum above the maximum without calling the API", async () => {
    const { calls } = renderPage(<CatalogPage />, {
      routes: { "GET /api/catalog/products": () => json({ items: [], total: 0 }) },
    });
    await screen.findByText("No products match these filters.");
    const before = calls.length;
    fireEvent.change(screen.getByLabelText("Min price (EUR)"), { target: { value: "30" } });
    fireEvent.change(screen.getByLabelText("Max price (EUR)"), { target: { value: "10" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(await screen.findByText("The minimum price is above the maximum.")).toBeTruthy();
    expect(calls.filter((c) => c.path === "/api/catalog/products").length).toBe(
      calls.slice(0, before).filter((c) => c.path === "/api/catalog/products").length,
    );
  });

  it("pages through results", async () => {
    const { calls } = renderPage(<CatalogPage />, {
      routes: {
        "GET /api/catalog/products": (r) =>
          json({ items: [product(`P${r.query.get("page")}`, `Item ${r.query.get("page")}`, 100)], page: Number(r.query.get("page")), pageSize: 12, total: 30 }),
      },
    });
    expect(await screen.findByText("Page 1 of 3")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Next →" }));
    expect(await screen.findByText("Item 2")).toBeTruthy();
    expect(calls.filter((c) => c.path === "/api/catalog/products").at(-1)!.query.get("page")).toBe("2");
  });

  it("shows the problem detail when the catalog fails", async () => {
    renderPage(<CatalogPage />, {
      routes: { "GET /api/catalog/products": () => problem(400, "Bad Request", "sort must be one of price_asc, …") },
    });
    expect((await screen.findByRole("alert")).textContent).toContain("sort must be one of");
  });
});

describe("CatalogPage product families", () => {
  it("shows a family's from price and sends the shopper to pick a variant", async () => {
    const family = {
      ...product("APP-002", "Organic Cotton T-Shirt", 2900),
      fromPrice: eur(2900),
      toPrice: eur(3100),
      variantCount: 3,
      stock: 75,
    };
    const same = { ...product("OUT-003", "Bottle", 2990), fromPrice: eur(2990), toPrice: eur(2990), variantCount: 2 };
    renderPage(<CatalogPage />, {
      routes: { "GET /api/catalog/products": () => json({ items: [family, same], page: 1, pageSize: 12, total: 2 }) },
    });
    const card = (await screen.findByText("Organic Cotton T-Shirt")).closest("article")!;
    expect(card.textContent).toContain("From €29.00");
    const choose = screen.getByRole("link", { name: "Choose options of Organic Cotton T-Shirt" });
    expect(choose.getAttribute("href")).toBe("/products/APP-002");
    expect(screen.queryByRole("button", { name: "Add Organic Cotton T-Shirt to basket" })).toBeNull();
    // One price for every variant: no "From".
    const bottle = screen.getByText("Bottle").closest("article")!;
    expect(bottle.textContent).not.toContain("From");
    expect(bottle.textContent).toContain("€29.90");
  });
});
