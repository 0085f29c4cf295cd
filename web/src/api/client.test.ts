import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, queryString } from "./client";
import { fakeFetch, json, problem } from "../test/fakeShop";

describe("ApiClient", () => {
  it("sends GETs same-origin without a CSRF header and drops empty query values", async () => {
    const shop = fakeFetch({ "GET /api/catalog/products": () => json({ items: [] }) });
    const c = new ApiClient({ fetch: shop.fetch });
    await c.get("/api/catalog/products", { query: { q: "tea", category: "", page: 2, minPrice: undefined } });
    expect(shop.calls).toHaveLength(1);
    expect(shop.calls[0]!.query.toString()).toBe("q=tea&page=2");
    expect(shop.calls[0]!.headers["x-csrf-token"]).toBeUndefined();
    const init = (shop.fetch as unknown as ReturnType<typeof vi.fn>).mock.calls[0]![1] as RequestInit;
    expect(init.credentials).toBe("same-origin");
  });

  it("fetches the CSRF token once and echoes it in the header the gateway names", async () => {
    const shop = fakeFetch({
      "GET /api/auth/csrf": () => json({ token: "t-42", headerName: "X-Custom-CSRF" }),
      "POST /api/basket/items": () => json({ lines: [], revision: 1 }),
      "DELETE /api/basket/items/A-1": () => ({ status: 204 }),
    });
    const c = new ApiClient({ fetch: shop.fetch });
    await c.post("/api/basket/items", { sku: "A-1", quantity: 1 });
    expect(await c.delete("/api/basket/items/A-1")).toBeNull();
    expect(shop.calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/auth/csrf",
      "POST /api/basket/items",
      "DELETE /api/basket/items/A-1",
    ]);
    expect(shop.calls[1]!.headers["x-custom-csrf"]).toBe("t-42");
    expect(shop.calls[2]!.headers["x-custom-csrf"]).toBe("t-42");
    expect(shop.calls[1]!.headers["content-type"]).toBe("application/json");
  });

  it("refetches the CSRF token and retries once when the gateway rejects it", async () => {
    let token = 0;
    const shop = fakeFetch({
      "GET /api/auth/csrf": () => json({ token: `t-${++token}`, headerName: "X-CSRF-Token" }),
      "POST /api/auth/logout": (r) =>
        r.headers["x-csrf-token"] === "t-2" ? { status: 204 } : problem(403, "Forbidden", "CSRF token invalid"),
    });
    const c = new ApiClient({ fetch: shop.fetch });
    await c.post("/api/auth/logout");
    expect(shop.calls.filter((r) => r.path === "/api/auth/logout")).toHaveLength(2);
  });

  it("on 401 refreshes the session once and retries the request", async () => {
    let signedIn = false;
    const shop = fakeFetch({
      "GET /api/orders": () => (signedIn ? json({ items: [{ orderId: "o1" }] }) : problem(401, "Unauthorized")),
      "POST /api/auth/refresh": () => {
        signedIn = true;
        return { status: 204 };
      },
    });
    const c = new ApiClient({ fetch: shop.fetch });
    const [a, b] = await Promise.all([c.get<{ items: unknown[] }>("/api/orders"), c.get<{ items: unknown[] }>("/api/orders")]);
    expect(a.items).toHaveLength(1);
    expect(b.items).toHaveLength(1);
    // Two concurrent 401s share a single refresh.
    expect(shop.calls.filter((r) => r.path === "/api/auth/refresh")).toHaveLength(1);
  });

  it("gives up after one failed refresh and reports the expired session", async () => {
    const expired = vi.fn();
    const shop = fakeFetch({ "GET /api/orders": () => problem(401, "Unauthorized", "token expired") });
    const c = new ApiClient({ fetch: shop.fetch, onSessionExpired: expired });
    const err = await c.get("/api/orders").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).detail).toBe("token expired");
    expect(expired).toHaveBeenCalledTimes(1);
    expect(shop.calls.filter((r) => r.path === "/api/orders")).toHaveLength(1);
  });

  it("does not try to refresh when the login itself answers 401", async () => {
    const shop = fakeFetch({ "POST /api/auth/login": () => problem(401, "Invalid credentials") });
    const c = new ApiClient({ fetch: shop.fetch });
    await expect(c.post("/api/auth/login", { email: "a@b.c", password: "x" })).rejects.toMatchObject({
      status: 401,
      title: "Invalid credentials",
    });
    expect(shop.calls.some((r) => r.path === "/api/auth/refresh")).toBe(false);
  });

  it.each([
    {
      name: "problem+json with field errors",
      reply: problem(422, "Validation failed", "2 fields are invalid", [
        { field: "email", reason: "must be an email address" },
        { field: "password", reason: "too common" },
      ]),
      want: { status: 422, title: "Validation failed", detail: "2 fields are invalid", fields: 2, email: "must be an email address" },
    },
    {
      name: "plain-text 502 from a proxy",
      reply: { status: 502, body: "Bad Gateway", headers: { "Content-Type": "text/plain" } },
      want: { status: 502, title: "The shop had a problem", detail: "Bad Gateway", fields: 0, email: undefined },
    },
    {
      name: "HTML error page",
      reply: { status: 500, body: "<html>oops</html>", headers: { "Content-Type": "text/html" } },
      want: { status: 500, title: "The shop had a problem", detail: undefined, fields: 0, email: undefined },
    },
    {
      name: "501 from an unfinished backend",
      reply: problem(501, "Not Implemented"),
      want: { status: 501, title: "Not Implemented", detail: undefined, fields: 0, email: undefined },
    },
  ])("turns $name into an ApiError", async ({ reply, want }) => {
    const shop = fakeFetch({ "POST /api/auth/register": () => reply });
    const c = new ApiClient({ fetch: shop.fetch });
    const err = (await c.post("/api/auth/register", {}).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(want.status);
    expect(err.title).toBe(want.title);
    expect(err.detail).toBe(want.detail);
    expect(err.fieldErrors).toHaveLength(want.fields);
    expect(err.fieldError("email")).toBe(want.email);
  });

  it("returns the ETag and sends If-Match and Idempotency-Key", async () => {
    const shop = fakeFetch({
      "PATCH /api/basket/items/X": () => json({ lines: [], revision: 8 }, 200, { ETag: '"8"' }),
    });
    const c = new ApiClient({ fetch: shop.fetch });
    const r = await c.request("PATCH", "/api/basket/items/X", {
      body: { quantity: 2 },
      ifMatch: '"7"',
      idempotencyKey: "k-1",
    });
    expect(r.etag).toBe('"8"');
    expect(shop.calls[1]!.headers["if-match"]).toBe('"7"');
    expect(shop.calls[1]!.headers["idempotency-key"]).toBe("k-1");
  });

  it("answers 304 to a conditional read that asks for it, and throws it otherwise", async () => {
    const shop = fakeFetch({ "GET /api/orders/o-1": () => ({ status: 304, headers: { ETag: 'W/"1"' } }) });
    const c = new ApiClient({ fetch: shop.fetch });
    const r = await c.request("GET", "/api/orders/o-1", { headers: { "If-None-Match": 'W/"1"' }, notModified: true });
    expect([r.status, r.data, r.etag]).toEqual([304, null, 'W/"1"']);
    expect(shop.calls[0]!.headers["if-none-match"]).toBe('W/"1"');
    await expect(c.get("/api/orders/o-1")).rejects.toMatchObject({ status: 304 });
  });

  it("maps a network failure to status 0 with a readable message", async () => {
    const c = new ApiClient({
      fetch: (() => Promise.reject(new TypeError("Failed to fetch"))) as unknown as typeof fetch,
    });
    await expect(c.get("/api/basket")).rejects.toMatchObject({ status: 0, title: "Network error" });
  });

  it("never writes to web storage", async () => {
    const setItem = vi.spyOn(Storage.prototype, "setItem");
    const shop = fakeFetch({
      "POST /api/auth/login": () => json({ ok: true }, 200, { "Set-Cookie": "access=x" }),
      "GET /api/auth/me": () => json({ id: "1", email: "a@b.c", name: "A", roles: ["customer"] }),
    });
    const c = new ApiClient({ fetch: shop.fetch });
    await c.post("/api/auth/login", { email: "a@b.c", password: "pw" });
    await c.get("/api/auth/me");
    expect(setItem).not.toHaveBeenCalled();
  });
});

describe("queryString", () => {
  it.each([
    [undefined, ""],
    [{}, ""],
    [{ a: "" }, ""],
    [{ a: 1, b: true, c: null }, "?a=1&b=true"],
    [{ q: "a b&c" }, "?q=a+b%26c"],
  ])("%j → %s", (q, want) => {
    expect(queryString(q)).toBe(want);
  });
});
