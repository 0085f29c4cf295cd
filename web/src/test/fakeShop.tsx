// Test double for the gateway at the fetch level: tests exercise the real
// ApiClient (CSRF, refresh, problem parsing) and the real pages together.

import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { vi } from "vitest";
import { ApiClient } from "../api/client";
import { createApi } from "../api/endpoints";
import { BasketProvider } from "../state/basket";
import { SessionProvider } from "../state/session";
import { Layout } from "../components/Layout";

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): FakeReply {
  return { status, body, headers: { "Content-Type": "application/json", ...headers } };
}

export function problem(status: number, title: string, detail?: string, errors?: { field: string; reason: string }[]): FakeReply {
  return {
    status,
    body: { type: "about:blank", title, status, detail, errors },
    headers: { "Content-Type": "application/problem+json" },
  };
}

/**
 * A fetch that routes "METHOD /path" to handlers and records every request.
 * CSRF and a signed-out /me are answered by default so tests name only what
 * they care about.
 */
export function fakeFetch(routes: Record<string, Handler>) {
  const calls: FakeRequest[] = [];
  const defaults: Record<string, Handler> = {
    "GET /api/auth/csrf": () => json({ token: "csrf-1", headerName: "X-CSRF-Token" }),
    "GET /api/auth/me": () => problem(401, "Unauthorized"),
    "POST /api/auth/refresh": () => problem(401, "Unauthorized"),
    "GET /api/config": () => json({ paymentGateway: "sandbox" }),
    "GET /api/basket": () => json({ lines: [], total: null, revision: 0 }, 200, { ETag: '"0"' }),
    "GET /api/catalog/categories": () => json([]),
    "GET /api/clients/me/preferences": () => problem(404, "Not Found"),
    "GET /api/clients/me/recommendations": () => json({ items: [] }),
  };
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://shop.test");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((init?.headers as Record<string, string>) ?? {})) headers[k.toLowerCase()] = v;
    const req: FakeRequest = {
      method: init?.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: typeof init?.body === "string" ? JSON.parse(init.body) : (init?.body ?? undefined), // FormData as sent
    };
    calls.push(req);
    const h = routes[`${req.method} ${req.path}`] ?? defaults[`${req.method} ${req.path}`];
    const r = h ? await h(req) : problem(404, "Not Found", `no route ${req.method} ${req.path}`);
    const body = r.body === undefined ? null : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
    return new Response(r.status === 204 || r.status === 304 ? null : body, { status: r.status ?? 200, headers: r.headers });
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

export const ME_CUSTOMER = { id: "u-1", email: "ada@example.com", name: "Ada", roles: ["customer"] };
export const ME_ADMIN = { id: "u-9", email: "boss@example.com", name: "Boss", roles: ["admin"] };

/** Renders the page inside the real providers and layout at the given URL. */
export function renderPage(ui: ReactElement, opts: { routes: Record<string, Handler>; url?: string; path?: string }) {
  const shop = fakeFetch(opts.routes);
  const api = createApi(new ApiClient({ fetch: shop.fetch }));
  const utils = render(
    <MemoryRouter initialEntries={[opts.url ?? "/"]}>
      <SessionProvider api={api}>
        <BasketProvider>
          <Layout>
            <Routes>
              <Route path={opts.path ?? "/"} element={ui} />
              <Route path="*" element={<p>elsewhere</p>} />
            </Routes>
          </Layout>
        </BasketProvider>
      </SessionProvider>
    </MemoryRouter>,
  );
  return { ...utils, calls: shop.calls, fetch: shop.fetch, api };
}

export const eur = (amount: number) => ({ amount, currency: "EUR" });
