import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { VariantsEditor } from "./VariantsEditor";
import { ME_ADMIN, eur, json, problem, renderPage } from "../../test/fakeShop";

type V = { sku: string; size: string; price: number; stock: number; onHand: number; archived?: boolean };

const family = (vs: V[]) => ({
  sku: "APP-002",
  productId: "APP-002",
  name: "Organic Cotton T-Shirt",
  displayName: "Organic Cotton T-Shirt — S",
  category: "Apparel",
  price: eur(2900),
  stock: 40,
  description: "",
  attributes: {},
  images: [],
  selectedOptions: [{ name: "Size", value: "S" }],
  options: [{ name: "Size", values: vs.filter((v) => !v.archived).map((v) => v.size) }],
  variants: vs.map((v) => ({
    sku: v.sku,
    options: [{ name: "Size", value: v.size }],
    price: eur(v.price),
    stock: v.stock,
    onHand: v.onHand,
    reserved: v.onHand - v.stock,
    images: [],
    archived: !!v.archived,
    version: 1,
  })),
});

describe("VariantsEditor", () => {
  it("lists the variants, shows the API's field errors and adds a variant", async () => {
    let vs: V[] = [
      { sku: "APP-002", size: "S", price: 2900, stock: 38, onHand: 40 },
      { sku: "APP-002-M", size: "M", price: 2900, stock: 35, onHand: 35 },
    ];
    let posts = 0;
    const { calls } = renderPage(<VariantsEditor sku="APP-002" />, {
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/catalog/products/APP-002": () => json(family(vs)),
        "POST /api/catalog/products/APP-002/variants": (req) => {
          posts++;
          if (posts === 1)
            return problem(422, "the request has invalid fields", undefined, [
              { field: "options", reason: "APP-002 already has the variant M (APP-002-M)" },
              { field: "price", reason: "must be {amount: cents > 0, currency: ISO code}" },
            ]);
          const b = req.body as { sku: string; options: { value: string }[]; price: { amount: number }; stock: number };
          vs = [...vs, { sku: b.sku, size: b.options[0]!.value, price: b.price.amount, stock: b.stock, onHand: b.stock }];
          return json({ ...family(vs), sku: b.sku }, 201);
        },
      },
    });
    const table = await screen.findByRole("table", { name: "Variants of this product" });
    const m = within(table).getByRole("row", { name: /APP-002-M/ });
    expect(within(m).getByText("M")).toBeTruthy();
    expect(within(m).getByText("€29.00")).toBeTruthy();
    expect(within(m).getAllByText("35")).toHaveLength(2); // available, on hand

    fireEvent.change(screen.getByLabelText("SKU"), { target: { value: "APP-002-L" } });
    fireEvent.change(screen.getByLabelText("Size"), { target: { value: "M" } });
    fireEvent.change(screen.getByLabelText("Price (EUR)"), { target: { value: "0" } });
    fireEvent.click(screen.getByRole("button", { name: "Add variant" }));
    expect(await screen.findByText("APP-002 already has the variant M (APP-002-M)")).toBeTruthy();
    expect(screen.getByText("must be {amount: cents > 0, currency: ISO code}")).toBeTruthy();
    expect(screen.getByLabelText("Price (EUR)").getAttribute("aria-invalid")).toBe("true");

    fireEvent.change(screen.getByLabelText("Size"), { target: { value: "L" } });
    fireEvent.change(screen.getByLabelText("Price (EUR)"), { target: { value: "31.00" } });
    fireEvent.change(screen.getByLabelText("Stock"), { target: { value: "12" } });
    fireEvent.click(screen.getByRole("button", { name: "Add variant" }));
    const l = await within(table).findByRole("row", { name: /APP-002-L/ });
    expect(within(l).getByText("€31.00")).toBeTruthy();
    const post = calls.filter((c) => c.method === "POST" && c.path.endsWith("/variants")).at(-1)!;
    expect(post.body).toEqual({ sku: "APP-002-L", options: [{ name: "Size", value: "L" }], price: { amount: 3100, currency: "EUR" }, stock: 12 });
    expect(post.headers["x-csrf-token"]).toBe("csrf-1");
    expect(screen.queryByText("APP-002 already has the variant M (APP-002-M)")).toBeNull();
  });

  it("names the option and the product's own value for a single product's first variant", async () => {
    const single = { ...family([]), sku: "KIT-002", productId: "KIT-002", price: eur(4990), selectedOptions: [], options: [], variants: [] };
    single.variants = [{ sku: "KIT-002", options: [], price: eur(4990), stock: 25, onHand: 25, reserved: 0, images: [], archived: false, version: 1 }] as never;
    const { calls } = renderPage(<VariantsEditor sku="KIT-002" />, {
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/catalog/products/KIT-002": () => json(single),
        "POST /api/catalog/products/KIT-002/variants": () =>
          problem(422, "the request has invalid fields", undefined, [{ field: "productOptions", reason: "options: Size needs a value" }]),
      },
    });
    fireEvent.change(await screen.findByLabelText("SKU"), { target: { value: "KIT-002-30" } });
    fireEvent.change(screen.getByLabelText("Option name"), { target: { value: "Size" } });
    fireEvent.change(screen.getByLabelText("Value of the new variant"), { target: { value: "30 cm" } });
    fireEvent.click(screen.getByRole("button", { name: "Add variant" }));
    expect(await screen.findByText("options: Size needs a value")).toBeTruthy();
    const post = calls.find((c) => c.method === "POST" && c.path.endsWith("/variants"))!;
    expect(post.body).toEqual({
      sku: "KIT-002-30",
      options: [{ name: "Size", value: "30 cm" }],
      productOptions: [{ name: "Size", value: "" }],
      stock: 0,
    });
  });

  it("archives a variant and shows it archived", async () => {
    let archived = false;
    renderPage(<VariantsEditor sku="APP-002" />, {
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/catalog/products/APP-002": () =>
          json(
            family([
              { sku: "APP-002", size: "S", price: 2900, stock: 38, onHand: 40 },
              { sku: "APP-002-M", size: "M", price: 2900, stock: 35, onHand: 35, archived },
            ]),
          ),
        "POST /api/catalog/products/APP-002-M/archive": () => ((archived = true), json({})),
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Archive APP-002-M" }));
    const table = screen.getByRole("table", { name: "Variants of this product" });
    await waitFor(() => expect(within(within(table).getByRole("row", { name: /APP-002-M/ })).getByText("Archived")).toBeTruthy());
    expect(screen.queryByRole("button", { name: "Archive APP-002-M" })).toBeNull();
  });
});
