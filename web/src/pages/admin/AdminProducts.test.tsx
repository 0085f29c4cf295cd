import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AdminLayout } from "./AdminLayout";
import { AdminProductsPage } from "./AdminProductsPage";
import { AdminProductPage } from "./AdminProductPage";
import { ME_ADMIN, eur, json, problem, renderPage, type FakeRequest } from "../../test/fakeShop";
import type { Product, StockMovement } from "../../api/types";

const ME_SUPPORT = { ...ME_ADMIN, id: "u-8", roles: ["support"] };

const product = (over: Partial<Product> = {}): Product => ({
  sku: "KIT-001",
  productId: "KIT-001",
  selectedOptions: [],
  displayName: "Oak Chopping Board",
  name: "Oak Chopping Board",
  description: "Solid oak.",
  category: "Kitchen",
  price: eur(2950),
  images: ["/api/catalog/images/kit-001.svg"],
  stock: 37,
  onHand: 40,
  reserved: 3,
  attributes: { material: "oak" },
  archived: false,
  version: 4,
  createdAt: "2026-01-01T10:00:00Z",
  updatedAt: "2026-01-02T10:00:00Z",
  taxClass: "standard",
  weightGrams: 900,
  ...over,
});

const movement = (over: Partial<StockMovement> = {}): StockMovement => ({
  id: "m-1",
  sku: "KIT-001",
  delta: 5,
  quantity: 5,
  reason: "received",
  note: "PO 17",
  actor: "u-9",
  ref: "key:u-9:k",
  onHandAfter: 40,
  at: "2026-01-03T10:00:00Z",
  ...over,
});

describe("back office products list", () => {
  it.each([
    ["admin", true],
    ["support", true],
  ])("links the products page for %s", async (role, shown) => {
    renderPage(<AdminLayout />, {
      routes: { "GET /api/auth/me": () => json({ ...ME_ADMIN, roles: [role] }) },
      url: "/admin",
      path: "/admin",
    });
    await screen.findByRole("button", { name: /Sign out/ });
    const nav = screen.getByRole("navigation", { name: "Back office" });
    expect(within(nav).queryByRole("link", { name: "Products" }) !== null).toBe(shown);
  });

  it("searches, filters by category, includes archived products and pages", async () => {
    const { calls } = renderPage(<AdminProductsPage />, {
      url: "/admin/products",
      path: "/admin/products",
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/catalog/categories": () => json([{ name: "Kitchen", count: 12 }, { name: "Books", count: 7 }]),
        "GET /api/catalog/products": (req) =>
          json({
            items: [product({ archived: req.query.get("includeArchived") === "true" })],
            page: Number(req.query.get("page") ?? 1),
            pageSize: 20,
            total: 45,
          }),
      },
    });
    const table = await screen.findByRole("table", { name: "Products" });
    const row = within(table).getByRole("row", { name: /KIT-001/ });
    expect(within(row).getByText("37")).toBeTruthy(); // available
    expect(within(row).getByText("40")).toBeTruthy(); // on hand
    expect(within(row).getByRole("link", { name: "KIT-001" }).getAttribute("href")).toBe("/admin/products/KIT-001");
    expect(screen.getByText(/Page 1 of 3 · 45 products/)).toBeTruthy();

    const lastList = () => calls.filter((c) => c.method === "GET" && c.path === "/api/catalog/products").at(-1) as FakeRequest;
    fireEvent.change(screen.getByLabelText("Name, SKU or description"), { target: { value: "oak" } });
    fireEvent.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() => expect(lastList().query.get("q")).toBe("oak"));
    fireEvent.change(await screen.findByLabelText("Category"), { target: { value: "Kitchen" } });
    await waitFor(() => expect(lastList().query.get("category")).toBe("Kitchen"));
    fireEvent.click(screen.getByLabelText(/Include\s+archived/));
    await waitFor(() => expect(lastList().query.get("includeArchived")).toBe("true"));
    expect(await screen.findByText("Archived")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(lastList().query.get("page")).toBe("2"));
    expect(lastList().query.get("q")).toBe("oak");
  });

  it("offers support neither archived products nor a new product", async () => {
    const { calls } = renderPage(<AdminProductsPage />, {
      url: "/admin/products?archived=1",
      path: "/admin/products",
      routes: {
        "GET /api/auth/me": () => json(ME_SUPPORT),
        "GET /api/catalog/products": () => json({ items: [product()], page: 1, pageSize: 20, total: 1 }),
      },
    });
    await screen.findByRole("table", { name: "Products" });
    expect(screen.queryByLabelText(/Include\s+archived/)).toBeNull();
    expect(screen.queryByRole("link", { name: "New product" })).toBeNull();
    expect(calls.filter((c) => c.path === "/api/catalog/products").every((c) => !c.query.has("includeArchived"))).toBe(true);
  });
});

function productRoutes(state: { p: Product; moves: StockMovement[] }, extra: Record<string, Parameters<typeof renderPage>[1]["routes"][string]> = {}) {
  return {
    "GET /api/auth/me": () => json(ME_ADMIN),
    "GET /api/catalog/products/KIT-001": () => json(state.p),
    "GET /api/catalog/products/KIT-001/stock/movements": (req: FakeRequest) =>
      json({ items: state.moves, page: Number(req.query.get("page") ?? 1), pageSize: 20, total: state.moves.length }),
    ...extra,
  };
}

const productPage = { url: "/admin/products/KIT-001", path: "/admin/products/:sku" };

describe("back office product page", () => {
  it("edits every field with the version read, and checks them first like the API", async () => {
    const state = { p: product(), moves: [movement()] };
    const { calls } = renderPage(<AdminProductPage />, {
      ...productPage,
      routes: productRoutes(state, {
        "PUT /api/catalog/products/KIT-001": (req) => {
          state.p = { ...state.p, ...(req.body as Partial<Product>), version: 5 };
          return json(state.p);
        },
      }),
    });
    const form = await screen.findByRole("form", { name: "Product details" });
    expect((within(form).getByLabelText("Price") as HTMLInputElement).value).toBe("29.50");
    // Refused here, with the reasons beside the fields; nothing is sent.
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: " " } });
    fireEvent.change(within(form).getByLabelText("Weight (grams)"), { target: { value: "-3" } });
    fireEvent.change(within(form).getByLabelText("Attributes (JSON)"), { target: { value: "[1]" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save details" }));
    expect(await within(form).findByText("is required")).toBeTruthy();
    expect(within(form).getByText(/must be 0–1000000 grams/)).toBeTruthy();
    expect(within(form).getByText(/must be a JSON object/)).toBeTruthy();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "Walnut Board" } });
    fireEvent.change(within(form).getByLabelText("Price"), { target: { value: "31,00" } });
    fireEvent.change(within(form).getByLabelText("Tax class"), { target: { value: "reduced" } });
    fireEvent.change(within(form).getByLabelText("Weight (grams)"), { target: { value: "1200" } });
    fireEvent.change(within(form).getByLabelText("Attributes (JSON)"), { target: { value: '{"material":"walnut"}' } });
    fireEvent.click(within(form).getByRole("button", { name: "Save details" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
      name: "Walnut Board",
      description: "Solid oak.",
      category: "Kitchen",
      price: eur(3100),
      taxClass: "reduced",
      weightGrams: 1200,
      attributes: { material: "walnut" },
      images: ["/api/catalog/images/kit-001.svg"],
      version: 4,
    });
    expect(await screen.findByRole("heading", { name: /Walnut Board/ })).toBeTruthy();
  });

  it("shows the API's field errors beside the fields", async () => {
    const state = { p: product(), moves: [] };
    renderPage(<AdminProductPage />, {
      ...productPage,
      routes: productRoutes(state, {
        "PUT /api/catalog/products/KIT-001": () =>
          problem(422, "Unprocessable Entity", "the request has invalid fields", [{ field: "name", reason: "must be one line" }]),
      }),
    });
    const form = await screen.findByRole("form", { name: "Product details" });
    fireEvent.click(within(form).getByRole("button", { name: "Save details" }));
    const reason = await within(form).findByText("must be one line");
    expect(within(form).getByLabelText("Name").getAttribute("aria-describedby")).toBe(reason.id);
  });

  it("adjusts stock with a reason, note and idempotency key, then shows the new movement", async () => {
    const state = { p: product(), moves: [movement()] };
    const { calls } = renderPage(<AdminProductPage />, {
      ...productPage,
      routes: productRoutes(state, {
        "POST /api/catalog/products/KIT-001/stock": (req) => {
          const b = req.body as { delta: number; reason: StockMovement["reason"]; note?: string };
          state.p = { ...state.p, onHand: (state.p.onHand ?? 0) + b.delta, stock: state.p.stock + b.delta };
          state.moves = [movement({ id: "m-2", delta: b.delta, quantity: Math.abs(b.delta), reason: b.reason, note: b.note ?? "", onHandAfter: state.p.onHand }), ...state.moves];
          return json(state.p);
        },
      }),
    });
    const form = await screen.findByRole("form", { name: "Adjust stock" });
    // No reason, and a sign that contradicts the reason: refused before sending.
    fireEvent.change(within(form).getByLabelText("Units (+ in, − out)"), { target: { value: "2" } });
    fireEvent.click(within(form).getByRole("button", { name: "Adjust" }));
    expect(await within(form).findByText("is required")).toBeTruthy();
    fireEvent.change(within(form).getByLabelText("Reason"), { target: { value: "damaged" } });
    fireEvent.click(within(form).getByRole("button", { name: "Adjust" }));
    expect(await within(form).findByText(/must be negative/)).toBeTruthy();
    fireEvent.change(within(form).getByLabelText("Reason"), { target: { value: "other" } });
    fireEvent.click(within(form).getByRole("button", { name: "Adjust" }));
    expect(await within(form).findByText("is required when the reason is other")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST" && c.path.endsWith("/stock"))).toBe(false);

    fireEvent.change(within(form).getByLabelText("Units (+ in, − out)"), { target: { value: "-2" } });
    fireEvent.change(within(form).getByLabelText("Reason"), { target: { value: "damaged" } });
    fireEvent.change(within(form).getByLabelText("Note"), { target: { value: "dropped" } });
    fireEvent.click(within(form).getByRole("button", { name: "Adjust" }));
    const history = await screen.findByRole("table", { name: "Stock movements, newest first" });
    await waitFor(() => expect(within(history).getAllByRole("row")).toHaveLength(3));
    const post = calls.find((c) => c.method === "POST" && c.path.endsWith("/stock")) as FakeRequest;
    expect(post.body).toEqual({ delta: -2, reason: "damaged", note: "dropped" });
    expect(post.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    const newest = within(history).getAllByRole("row")[1] as HTMLElement;
    expect(within(newest).getByText("-2")).toBeTruthy();
    expect(within(newest).getByText("damaged")).toBeTruthy();
    expect(within(newest).getByText("dropped")).toBeTruthy();
    expect(within(newest).getByText("38")).toBeTruthy();
  });

  it("shows a refusal of the server, e.g. below the reserved units", async () => {
    const state = { p: product(), moves: [] };
    renderPage(<AdminProductPage />, {
      ...productPage,
      routes: productRoutes(state, {
        "POST /api/catalog/products/KIT-001/stock": () => problem(409, "Conflict", "stock cannot drop below the units reserved for orders"),
      }),
    });
    const form = await screen.findByRole("form", { name: "Adjust stock" });
    fireEvent.change(within(form).getByLabelText("Units (+ in, − out)"), { target: { value: "-39" } });
    fireEvent.change(within(form).getByLabelText("Reason"), { target: { value: "lost" } });
    fireEvent.click(within(form).getByRole("button", { name: "Adjust" }));
    expect(await within(form).findByText(/below the units reserved/)).toBeTruthy();
    expect(screen.getByText("No stock movements recorded yet.")).toBeTruthy();
  });

  it("uploads, reorders and removes images, and shows a refused upload", async () => {
    const state = { p: product({ images: ["/api/catalog/images/a.png", "/api/catalog/images/b.png"] }), moves: [] };
    let uploads = 0;
    const { calls } = renderPage(<AdminProductPage />, {
      ...productPage,
      routes: productRoutes(state, {
        "POST /api/catalog/products/KIT-001/images": () => {
          uploads++;
          if (uploads === 2) return problem(415, "Unsupported Media Type", "the file is not a JPEG, PNG, GIF or WebP image (checked by its content)");
          state.p = { ...state.p, images: [...state.p.images, "/api/catalog/images/c.jpg"] };
          return json(state.p, 201);
        },
        "PUT /api/catalog/products/KIT-001/images": (req) => {
          state.p = { ...state.p, images: (req.body as { images: string[] }).images };
          return json(state.p);
        },
      }),
    });
    const input = (await screen.findByLabelText(/Upload an image/)) as HTMLInputElement;
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff])], "photo.jpg", { type: "image/jpeg" });
    fireEvent.change(input, { target: { files: [file] } });
    expect(await screen.findByAltText("Image 3 of Oak Chopping Board")).toBeTruthy();
    const up = calls.find((c) => c.method === "POST" && c.path.endsWith("/images")) as FakeRequest;
    expect(up.body).toBeInstanceOf(FormData);
    expect(((up.body as FormData).get("file") as File).name).toBe("photo.jpg");
    expect(up.headers["content-type"]).toBeUndefined(); // the browser sets the multipart boundary

    fireEvent.change(screen.getByLabelText(/Upload an image/), { target: { files: [file] } });
    expect(await screen.findByText(/checked by its content/)).toBeTruthy();
    // Not even sent: the browser says it is no image.
    const before = calls.length;
    fireEvent.change(screen.getByLabelText(/Upload an image/), { target: { files: [new File(["x"], "notes.txt", { type: "text/plain" })] } });
    expect(await screen.findByText(/must be a JPEG, PNG, GIF or WebP image/)).toBeTruthy();
    expect(calls.length).toBe(before);

    fireEvent.click(screen.getByRole("button", { name: "Move image 3 up" }));
    await waitFor(() =>
      expect(calls.filter((c) => c.method === "PUT").at(-1)?.body).toEqual({
        images: ["/api/catalog/images/a.png", "/api/catalog/images/c.jpg", "/api/catalog/images/b.png"],
      }),
    );
    await screen.findByRole("button", { name: "Remove image 1" });
    fireEvent.click(screen.getByRole("button", { name: "Remove image 1" }));
    await waitFor(() =>
      expect(calls.filter((c) => c.method === "PUT").at(-1)?.body).toEqual({
        images: ["/api/catalog/images/c.jpg", "/api/catalog/images/b.png"],
      }),
    );
  });

  it("archives after confirmation", async () => {
    const state = { p: product(), moves: [] };
    const confirm = window.confirm;
    window.confirm = () => true;
    try {
      renderPage(<AdminProductPage />, {
        ...productPage,
        routes: productRoutes(state, {
          "POST /api/catalog/products/KIT-001/archive": () => {
            state.p = { ...state.p, archived: true, version: 5 };
            return json(state.p);
          },
        }),
      });
      fireEvent.click(await screen.findByRole("button", { name: "Archive" }));
      expect(await screen.findByText(/hidden from shoppers/)).toBeTruthy();
    } finally {
      window.confirm = confirm;
    }
  });

  it("lets support read the stock history but change nothing", async () => {
    const state = { p: product(), moves: [movement({ delta: -1, quantity: 1, reason: "sold", note: "", ref: "order:o-1", actor: "system", onHandAfter: null })] };
    renderPage(<AdminProductPage />, {
      ...productPage,
      routes: { ...productRoutes(state), "GET /api/auth/me": () => json(ME_SUPPORT) },
    });
    const history = await screen.findByRole("table", { name: "Stock movements, newest first" });
    expect(within(history).getByText("sold")).toBeTruthy();
    expect(within(history).getByText("order o-1")).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Adjust stock" })).toBeNull();
    expect(screen.queryByRole("form", { name: "Product details" })).toBeNull();
    expect(screen.queryByLabelText(/Upload an image/)).toBeNull();
  });

  it("creates a product and opens it", async () => {
    const { calls } = renderPage(<AdminProductPage />, {
      url: "/admin/products/new",
      path: "/admin/products/:sku",
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "POST /api/catalog/products": (req) => {
          const b = req.body as Product;
          if (b.sku === "KIT-001") return problem(409, "Conflict", "a product with this SKU exists");
          return json(product({ sku: b.sku, name: b.name }), 201);
        },
        "GET /api/catalog/products/TOWEL-1": () => json(product({ sku: "TOWEL-1", name: "Tea Towel" })),
        "GET /api/catalog/products/TOWEL-1/stock/movements": () => json({ items: [], page: 1, pageSize: 20, total: 0 }),
      },
    });
    const form = await screen.findByRole("form", { name: "New product" });
    fireEvent.change(within(form).getByLabelText("SKU"), { target: { value: "x" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create product" }));
    expect(await within(form).findByText("must be 3–32 letters, digits or dashes")).toBeTruthy();
    fireEvent.change(within(form).getByLabelText("SKU"), { target: { value: "KIT-001" } });
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "Tea Towel" } });
    fireEvent.change(within(form).getByLabelText("Category"), { target: { value: "Kitchen" } });
    fireEvent.change(within(form).getByLabelText("Price"), { target: { value: "8.5" } });
    fireEvent.change(within(form).getByLabelText("Initial stock"), { target: { value: "12" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create product" }));
    expect(await within(form).findByText(/a product with this SKU exists/)).toBeTruthy();
    fireEvent.change(within(form).getByLabelText("SKU"), { target: { value: "TOWEL-1" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create product" }));
    expect(await screen.findByRole("heading", { name: /Tea Towel/ })).toBeTruthy(); // the new product's page
    expect(calls.filter((c) => c.method === "POST" && c.path === "/api/catalog/products").at(-1)?.body).toEqual({
      sku: "TOWEL-1",
      name: "Tea Towel",
      description: "",
      category: "Kitchen",
      price: eur(850),
      taxClass: "standard",
      weightGrams: 0,
      attributes: {},
      images: [],
      stock: 12,
    });
  });
});
