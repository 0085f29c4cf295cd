import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AdminCustomerPage } from "./AdminCustomerPage";
import { ME_ADMIN, eur, json, problem, renderPage } from "../../test/fakeShop";
import type { Customer, OrderSummary } from "../../api/types";

const ME_SUPPORT = { ...ME_ADMIN, roles: ["support"] };
const ID = "0b7e4a55-8f7c-4e0a-9a49-6f1f7f0f6b11";
const ORDER = "3b241101-e2bb-4255-8caf-4136c566a962";
const customer = (over: Partial<Customer> = {}): Customer => ({
  id: ID,
  email: "ada@example.com",
  name: "Ada Lovelace",
  profile: {
    name: "Ada Lovelace",
    phone: "+44 20 7946 0000",
    addresses: [
      { id: "a1", label: "Home", default: true, name: "Ada L", line1: "1 Main St", line2: "", city: "London", postalCode: "N1 9GU", country: "GB" },
    ],
  },
  preferences: { language: "en", currency: "GBP", marketingOptIn: true, favouriteCategories: ["Books"], extra: {} },
  erased: false,
  erasures: [],
  createdAt: "2026-05-01T09:00:00Z",
  updatedAt: "2026-05-01T09:00:00Z",
  ...over,
});
const order = {
  orderId: ORDER,
  customerId: ID,
  email: "ada@example.com",
  status: "Paid",
  total: eur(2000),
  placedAt: "2026-05-02T10:00:00Z",
} as OrderSummary;
const at = { url: `/admin/customers/${ID}`, path: "/admin/customers/:customerId" };

afterEach(() => vi.restoreAllMocks());

describe("back office customer page", () => {
  it("shows the profile, addresses and orders, and downloads the export", async () => {
    const created = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:export");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    const saved: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(`${this.download} ${this.href}`);
    });
    const { calls } = renderPage(<AdminCustomerPage />, {
      ...at,
      routes: {
        "GET /api/auth/me": () => json(ME_SUPPORT),
        [`GET /api/admin/customers/${ID}`]: () => json(customer()),
        "GET /api/admin/orders": () => json({ items: [order], page: 1, pageSize: 20, total: 1 }),
        [`GET /api/admin/customers/${ID}/export`]: () => json({ userId: ID, profile: { name: "Ada Lovelace" } }),
      },
    });
    expect(await screen.findByRole("heading", { name: "Ada Lovelace" })).toBeTruthy();
    expect(screen.getByText("+44 20 7946 0000")).toBeTruthy();
    const addresses = screen.getByRole("list", { name: "Addresses" });
    expect(within(addresses).getByText(/1 Main St, N1 9GU London, GB/)).toBeTruthy();
    const link = await screen.findByRole("link", { name: ORDER.slice(0, 8) });
    expect(link.getAttribute("href")).toBe(`/admin/orders/${ORDER}`);
    expect(calls.find((c) => c.path === "/api/admin/orders")?.query.get("customerId")).toBe(ID);
    const byEmail = screen.getByRole("link", { name: "Every order placed with ada@example.com" });
    expect(byEmail.getAttribute("href")).toBe("/admin/orders?q=ada%40example.com");

    // Support may export but not erase.
    expect(screen.queryByRole("form", { name: "Erase this customer's data" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Download their data (JSON)" }));
    await vi.waitFor(() => expect(created).toHaveBeenCalledTimes(1));
    expect(saved).toEqual([`customer-${ID}.json blob:export`]);
    const text = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result));
      r.readAsText(created.mock.calls[0]?.[0] as Blob);
    });
    expect(JSON.parse(text)).toEqual({ userId: ID, profile: { name: "Ada Lovelace" } });
  });

  it("lets an admin erase the customer's data once confirmed, then shows who did it", async () => {
    let current = customer();
    const { calls } = renderPage(<AdminCustomerPage />, {
      ...at,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        [`GET /api/admin/customers/${ID}`]: () => json(current),
        "GET /api/admin/orders": () => json({ items: [order], page: 1, pageSize: 20, total: 1 }),
        [`DELETE /api/admin/customers/${ID}`]: () => {
          current = customer({
            email: "",
            name: "",
            profile: null,
            erased: true,
            erasures: [{ at: "2026-05-03T08:00:00Z", by: ME_ADMIN.id, byCustomer: false }],
            createdAt: undefined,
            updatedAt: undefined,
          });
          return { status: 204 };
        },
      },
    });
    const form = await screen.findByRole("form", { name: "Erase this customer's data" });
    const button = within(form).getByRole("button", { name: "Erase this customer's data" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.change(within(form).getByLabelText("Type ERASE to confirm"), { target: { value: "erase" } });
    expect(button.disabled).toBe(true);
    fireEvent.change(within(form).getByLabelText("Type ERASE to confirm"), { target: { value: "ERASE" } });
    fireEvent.click(button);

    expect(await screen.findByRole("heading", { name: "Erased customer" })).toBeTruthy();
    expect(screen.getByText(/profile, preferences and history were erased/)).toBeTruthy();
    expect(within(screen.getByRole("region", { name: "Erasures" })).getByText(ME_ADMIN.id)).toBeTruthy();
    const del = calls.find((c) => c.method === "DELETE");
    expect(del?.headers["x-csrf-token"]).toBe("csrf-1");
    // The orders stay listed.
    expect(screen.getByRole("link", { name: ORDER.slice(0, 8) })).toBeTruthy();
  });

  it("shows the API's refusal of an erasure", async () => {
    renderPage(<AdminCustomerPage />, {
      ...at,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        [`GET /api/admin/customers/${ID}`]: () => json(customer()),
        "GET /api/admin/orders": () => json({ items: [], page: 1, pageSize: 20, total: 0 }),
        [`DELETE /api/admin/customers/${ID}`]: () => problem(403, "Forbidden", "admins only"),
      },
    });
    expect(await screen.findByText("No orders placed while signed in.")).toBeTruthy();
    const form = screen.getByRole("form", { name: "Erase this customer's data" });
    fireEvent.change(within(form).getByLabelText("Type ERASE to confirm"), { target: { value: "ERASE" } });
    fireEvent.click(within(form).getByRole("button", { name: "Erase this customer's data" }));
    expect(await screen.findByText(/admins only/)).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Ada Lovelace" })).toBeTruthy();
  });

  it("says when there is no such customer", async () => {
    renderPage(<AdminCustomerPage />, {
      ...at,
      routes: {
        "GET /api/auth/me": () => json(ME_SUPPORT),
        [`GET /api/admin/customers/${ID}`]: () => problem(404, "Not Found", "no such customer"),
      },
    });
    expect(await screen.findByText("no such customer")).toBeTruthy();
  });
});
