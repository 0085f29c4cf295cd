import { describe, expect, it } from "vitest";
import { ApiClient } from "./client";
import { createApi, listOf, normaliseBasket, normaliseCategories, normalisePage } from "./endpoints";
import { fakeFetch, json, problem } from "../test/fakeShop";

describe("normalisers", () => {
  it.each([
    { in: [{ name: "Tea", count: 3 }], want: [{ name: "Tea", count: 3 }] },
    { in: ["Tea", { name: "Books" }, { name: "Tea", count: 3 }, 7, null], want: [{ name: "Tea", count: 3 }] },
    { in: null, want: [] },
  ])("categories $in", (c) => {
    expect(normaliseCategories(c.in)).toEqual(c.want);
  });

  it("pages accept a bare array and fill in paging", () => {
    expect(normalisePage([1, 2], 3, 10)).toEqual({ items: [1, 2], page: 3, pageSize: 10, total: 2 });
    expect(normalisePage({ items: [1], page: 2, pageSize: 1, total: 9 }, 1, 10)).toEqual({
      items: [1],
      page: 2,
      pageSize: 1,
      total: 9,
    });
  });

  it("lists and baskets tolerate missing parts", () => {
    expect(listOf(undefined)).toEqual([]);
    expect(normaliseBasket({})).toEqual({ lines: [], total: null, itemCount: 0, revision: 0, discount: null, estimate: null });
    expect(normaliseBasket({ estimate: { country: "DE" } }).estimate).toBeNull(); // no breakdown: no estimate
  });
});

describe("createApi", () => {
  it("sends basket writes with If-Match and keeps the new ETag", async () => {
    const shop = fakeFetch({
      "POST /api/basket/items": () => json({ lines: [{ sku: "A" }], total: null, revision: 4 }, 201, { ETag: '"4"' }),
    });
    const api = createApi(new ApiClient({ fetch: shop.fetch }));
    const r = await api.basket.add("A", 2, '"3"');
    expect(r.etag).toBe('"4"');
    const post = shop.calls.find((c) => c.method === "POST")!;
    expect(post.headers["if-match"]).toBe('"3"');
    expect(post.body).toEqual({ sku: "A", quantity: 2 });
  });

  it("falls back to the revision when the ETag header is missing", async () => {
    const shop = fakeFetch({ "GET /api/basket": () => json({ lines: [], total: null, revision: 12 }) });
    const api = createApi(new ApiClient({ fetch: shop.fetch }));
    expect((await api.basket.get()).etag).toBe('"12"');
  });

  it("escapes path segments", async () => {
    const shop = fakeFetch({});
    const api = createApi(new ApiClient({ fetch: shop.fetch }));
    await api.catalog.product("a/b?c").catch(() => undefined);
    expect(shop.calls[0]!.path).toBe("/api/catalog/products/a%2Fb%3Fc");
  });

  it("forgets the CSRF token after login so a rotated one is fetched", async () => {
    let n = 0;
    const shop = fakeFetch({
      "GET /api/auth/csrf": () => json({ token: `t${++n}`, headerName: "X-CSRF-Token" }),
      "POST /api/auth/login": () => ({ status: 204 }),
      "POST /api/basket/merge": () => ({ status: 204 }),
    });
    const api = createApi(new ApiClient({ fetch: shop.fetch }));
    await api.auth.login({ email: "a@b.c", password: "pw" });
    await api.basket.merge();
    expect(shop.calls.find((c) => c.path === "/api/basket/merge")!.headers["x-csrf-token"]).toBe("t2");
  });

  it("sends the checkout with its Idempotency-Key", async () => {
    const shop = fakeFetch({ "POST /api/basket/checkout": () => json({ orderId: "o-1" }, 202) });
    const api = createApi(new ApiClient({ fetch: shop.fetch }));
    const res = await api.basket.checkout(
      {
        shippingAddress: { name: "A", line1: "1 St", line2: "", city: "X", postalCode: "1", country: "DE" },
        payment: { method: "sandbox", cardNumber: "4242 4242 4242 4242" },
      },
      "11111111-1111-4111-8111-111111111111",
    );
    expect(res.orderId).toBe("o-1");
    expect(shop.calls.at(-1)!.headers["idempotency-key"]).toBe("11111111-1111-4111-8111-111111111111");
  });

  it("reports an unfinished admin endpoint as not available", async () => {
    const shop = fakeFetch({ "GET /api/admin/projections": () => problem(501, "Not Implemented") });
    const api = createApi(new ApiClient({ fetch: shop.fetch }));
    await expect(api.admin.projections()).rejects.toMatchObject({ notAvailable: true });
  });
});
