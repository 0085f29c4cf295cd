import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AdminDiscountsPage } from "./AdminDiscountsPage";
import { AdminLayout } from "./AdminLayout";
import { ME_ADMIN, eur, json, problem, renderPage } from "../../test/fakeShop";
import type { DiscountCode } from "../../api/types";

const code = (over: Partial<DiscountCode> = {}): DiscountCode => ({
  code: "SPRING-10",
  kind: "percentage",
  description: "10% off",
  percentOff: 10,
  maxUses: 10,
  maxUsesPerCustomer: 0,
  categories: [],
  paused: false,
  createdAt: "2026-03-01T12:00:00Z",
  updatedAt: "2026-03-01T12:00:00Z",
  usage: { reserved: 2, used: 5, released: 1, remaining: 3 },
  ...over,
});
const page = { url: "/admin/discounts", path: "/admin/discounts" };

describe("discount codes back office", () => {
  it.each([
    ["admin", true],
    ["support", false],
  ])("links the page for %s: %s", async (role, shown) => {
    renderPage(<AdminLayout />, {
      routes: { "GET /api/auth/me": () => json({ ...ME_ADMIN, roles: [role] }) },
      url: "/admin",
      path: "/admin",
    });
    await screen.findByRole("button", { name: /Sign out/ });
    const nav = screen.getByRole("navigation", { name: "Back office" });
    expect(within(nav).queryByRole("link", { name: "Discount codes" }) !== null).toBe(shown);
  });

  it("lists codes with their usage and pauses one", async () => {
    let current = code();
    const { calls } = renderPage(<AdminDiscountsPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/admin/discounts": () => json({ items: [current] }),
        "PATCH /api/admin/discounts/SPRING-10": (req) => {
          current = { ...current, ...(req.body as Partial<DiscountCode>) };
          return json(current);
        },
      },
    });
    const table = await screen.findByRole("table", { name: "Discount codes and their usage" });
    const row = within(table).getByRole("row", { name: /SPRING-10/ });
    expect(within(row).getByText("10% off")).toBeTruthy();
    expect(within(row).getByText("5")).toBeTruthy(); // used
    expect(within(row).getByText("2")).toBeTruthy(); // reserved
    expect(within(row).getByText("10 (3 left)")).toBeTruthy();
    fireEvent.click(within(row).getByRole("button", { name: "Pause SPRING-10" }));
    expect(await screen.findByRole("button", { name: "Resume SPRING-10" })).toBeTruthy();
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ paused: true });
  });

  it("creates a fixed code with a minimum, limits and categories", async () => {
    let codes: DiscountCode[] = [];
    const { calls } = renderPage(<AdminDiscountsPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/admin/discounts": () => json({ items: codes }),
        "POST /api/admin/discounts": () => {
          codes = [code({ code: "FIVER", kind: "fixed", description: "5.00 EUR off", percentOff: undefined, amountOff: eur(500) })];
          return json(codes[0], 201);
        },
      },
    });
    expect(await screen.findByText("No discount codes yet.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "New code" }));
    const form = screen.getByRole("form", { name: "New discount code" });
    fireEvent.change(within(form).getByLabelText("Code"), { target: { value: "fiver" } });
    fireEvent.click(within(form).getByLabelText("A fixed amount"));
    fireEvent.change(within(form).getByLabelText("Amount off"), { target: { value: "5" } });
    fireEvent.change(within(form).getByLabelText("Minimum basket"), { target: { value: "25,00" } });
    fireEvent.change(within(form).getByLabelText("Uses in all"), { target: { value: "100" } });
    fireEvent.change(within(form).getByLabelText("Uses per customer"), { target: { value: "1" } });
    fireEvent.change(within(form).getByLabelText("Only for categories"), { target: { value: "Shoes, Bags ," } });
    fireEvent.click(within(form).getByRole("button", { name: "Create" }));

    expect(await screen.findByText("5.00 EUR off")).toBeTruthy();
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      code: "fiver",
      kind: "fixed",
      amountOff: eur(500),
      minSubtotal: eur(2500),
      maxUses: 100,
      maxUsesPerCustomer: 1,
      categories: ["Shoes", "Bags"],
    });
  });

  it("shows the server's reason beside the field, and a duplicate code", async () => {
    let answer = problem(422, "Unprocessable Entity", "the request has invalid fields", [
      { field: "code", reason: "must be 3–32 of A-Z, 0-9, - and _" },
    ]);
    renderPage(<AdminDiscountsPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_ADMIN),
        "GET /api/admin/discounts": () => json({ items: [] }),
        "POST /api/admin/discounts": () => answer,
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "New code" }));
    const form = screen.getByRole("form", { name: "New discount code" });
    fireEvent.change(within(form).getByLabelText("Code"), { target: { value: "x y" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create" }));
    expect(await within(form).findByText("must be 3–32 of A-Z, 0-9, - and _")).toBeTruthy();

    answer = problem(409, "Conflict", "a discount code with this text exists already");
    fireEvent.change(within(form).getByLabelText("Code"), { target: { value: "SPRING-10" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create" }));
    expect(await within(form).findByText(/exists already/)).toBeTruthy();
  });

  it("refuses an amount it cannot read before asking the server", async () => {
    const { calls } = renderPage(<AdminDiscountsPage />, {
      ...page,
      routes: { "GET /api/auth/me": () => json(ME_ADMIN), "GET /api/admin/discounts": () => json({ items: [] }) },
    });
    fireEvent.click(await screen.findByRole("button", { name: "New code" }));
    const form = screen.getByRole("form", { name: "New discount code" });
    fireEvent.change(within(form).getByLabelText("Code"), { target: { value: "FIX" } });
    fireEvent.click(within(form).getByLabelText("A fixed amount"));
    fireEvent.change(within(form).getByLabelText("Amount off"), { target: { value: "five" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create" }));
    expect((await within(form).findByRole("alert")).textContent).toMatch(/Amount off/);
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });
});
