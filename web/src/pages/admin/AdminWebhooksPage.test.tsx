import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AdminWebhooksPage } from "./AdminWebhooksPage";
import { AdminLayout } from "./AdminLayout";
import { ME_ADMIN, json, problem, renderPage } from "../../test/fakeShop";
import type { WebhookDelivery, WebhookEndpoint } from "../../api/types";

const ID = "6f1d2c3b-0000-4000-8000-000000000001";
const endpoint = (over: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id: ID,
  url: "https://erp.example.com/hooks",
  description: "ERP",
  eventTypes: ["order.paid.v1"],
  enabled: true,
  createdAt: "2026-03-01T12:00:00Z",
  updatedAt: "2026-03-01T12:00:00Z",
  ...over,
});
const delivery = (over: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  id: "d-1",
  eventId: "ev-1",
  eventType: "order.paid.v1",
  status: "failed",
  attempts: 12,
  deadline: "2026-03-02T12:00:00Z",
  lastStatus: 500,
  createdAt: "2026-03-01T12:00:00Z",
  payload: { id: "ev-1" },
  ...over,
});
const page = { url: "/admin/webhooks", path: "/admin/webhooks" };

describe("webhooks back office", () => {
  it.each([
    ["admin", true],
    ["support", false],
  ])("links the page for %s: %s", async (role, shown) => {
    renderPage(<AdminLayout />, {
      routes: { "GET /api/auth/me": () => json({ ...ME_ADMIN, roles: [role] }) },
      url: "/admin",
      path: "/admin",
    });
    await screen.findByRole("button", { name: /Sign out/ }); // the session is loaded
    const nav = screen.getByRole("navigation", { name: "Back office" });
    expect(within(nav).queryByRole("link", { name: "Webhooks" }) !== null).toBe(shown);
  });

  it("registers an endpoint and shows its secret once", async () => {
    let endpoints: WebhookEndpoint[] = [];
    const { calls } = renderPage(<AdminWebhooksPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/admin/webhooks": () => json({ items: endpoints }),
        "POST /api/admin/webhooks": (req) => {
          endpoints = [endpoint({ url: (req.body as { url: string }).url })];
          return json({ ...endpoints[0], secret: "whsec_shown_once" }, 201);
        },
      },
    });
    expect(await screen.findByText("No webhook endpoints yet.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Add endpoint" }));
    const form = screen.getByRole("form", { name: "New webhook endpoint" });
    fireEvent.change(within(form).getByLabelText("URL"), { target: { value: "https://erp.example.com/hooks" } });
    fireEvent.click(within(form).getByLabelText(/order\.shipped\.v1/));
    fireEvent.click(within(form).getByRole("button", { name: "Register" }));

    expect((await screen.findByLabelText("Signing secret")).textContent).toBe("whsec_shown_once");
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/admin/webhooks");
    expect(post?.body).toEqual({ url: "https://erp.example.com/hooks", description: "", eventTypes: ["order.shipped.v1"], enabled: true });
    expect(await screen.findByText("https://erp.example.com/hooks")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "I have saved it" }));
    expect(screen.queryByText("whsec_shown_once")).toBeNull();
  });

  it("shows why a target was refused beside the URL", async () => {
    renderPage(<AdminWebhooksPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/admin/webhooks": () => json({ items: [] }),
        "POST /api/admin/webhooks": () =>
          problem(422, "Unprocessable Entity", "the request has invalid fields", [
            { field: "url", reason: "resolves to 169.254.169.254 (a cloud metadata address), which deliveries may not reach" },
          ]),
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Add endpoint" }));
    const form = screen.getByRole("form", { name: "New webhook endpoint" });
    fireEvent.change(within(form).getByLabelText("URL"), { target: { value: "https://169.254.169.254/" } });
    fireEvent.click(within(form).getByLabelText(/order\.paid\.v1/));
    fireEvent.click(within(form).getByRole("button", { name: "Register" }));
    expect(await screen.findByText(/a cloud metadata address/)).toBeTruthy();
  });

  it("disables an endpoint, then redelivers a failed delivery from its log", async () => {
    let current = endpoint();
    let log = [delivery()];
    const { calls } = renderPage(<AdminWebhooksPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/admin/webhooks": () => json({ items: [current] }),
        [`PUT /api/admin/webhooks/${ID}`]: (req) => {
          current = { ...current, ...(req.body as Partial<WebhookEndpoint>) };
          return json(current);
        },
        [`GET /api/admin/webhooks/${ID}/deliveries`]: () => json({ items: log }),
        [`POST /api/admin/webhooks/${ID}/deliveries/d-1/redeliver`]: () => {
          log = [delivery({ status: "pending", nextAttemptAt: "2026-03-03T12:00:00Z" })];
          return json(log[0], 202);
        },
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit webhook endpoint" });
    fireEvent.click(within(form).getByLabelText("Enabled"));
    fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("(disabled)")).toBeTruthy();
    expect(calls.find((c) => c.method === "PUT")?.body).toMatchObject({ enabled: false, eventTypes: ["order.paid.v1"] });

    fireEvent.click(screen.getByRole("button", { name: "Deliveries" }));
    const table = await screen.findByRole("table", { name: "Deliveries to https://erp.example.com/hooks" });
    expect(within(table).getByText("failed")).toBeTruthy();
    expect(within(table).getByText("HTTP 500")).toBeTruthy();
    fireEvent.click(within(table).getByRole("button", { name: "Redeliver" }));
    expect(await within(table).findByText("pending")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST" && c.path.endsWith("/deliveries/d-1/redeliver"))).toBe(true);
  });
});
