import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AdminSalesPage, lastDays, periodError } from "./AdminSalesPage";
import { ME_ADMIN, json, problem, renderPage, type FakeRequest } from "../../test/fakeShop";

const admin = { "GET /api/auth/me": () => json(ME_ADMIN) };

const totals = { currency: "EUR", orders: 2, gross: 6999, net: 6999, averageOrderValue: 3500, refunds: 1, refunded: 500, refundRate: 0.5 };
const conversion = { basketsFilled: 4, basketsCheckedOut: 1, rate: 0.25 };

function report(req: FakeRequest) {
  const by = req.query.get("by");
  const base = { from: req.query.get("from"), to: req.query.get("to"), timeZone: "Europe/Paris", by, totals: [totals], conversion };
  if (by === "product") {
    return json({
      ...base,
      products: [
        { sku: "MUG-01", name: "Mug", category: "kitchen", currency: "EUR", quantity: 4, orders: 2, gross: 5000, net: 5000 },
        { sku: "TEE-02", name: "T-shirt", category: "apparel", currency: "EUR", quantity: 1, orders: 1, gross: 1999, net: 1999 },
      ],
    });
  }
  return json({
    ...base,
    days: [
      { day: base.from, ...totals, ...conversion },
      { day: base.to, ...totals, currency: "", orders: 0, gross: 0, net: 0, averageOrderValue: 0, refunds: 0, refunded: 0, refundRate: 0, ...conversion },
    ],
  });
}

describe("sales dashboard", () => {
  it("shows the totals, the charts, the top products and a CSV per breakdown for the period picked", async () => {
    const { calls } = renderPage(<AdminSalesPage />, {
      routes: { ...admin, "GET /api/admin/sales": report },
      url: "/admin/sales",
      path: "/admin/sales",
    });
    expect(await screen.findByText("25.0% (1 of 4 baskets checked out)")).toBeTruthy();
    expect(screen.getByText("rate 50.0%", { exact: false })).toBeTruthy();
    expect(screen.getByRole("figure", { name: "Revenue over time" })).toBeTruthy();
    expect(screen.getByRole("figure", { name: "Conversion" })).toBeTruthy();
    expect(await screen.findByRole("figure", { name: "Top products" })).toBeTruthy();
    expect(screen.getByRole("cell", { name: "MUG-01" })).toBeTruthy();
    const { from, to } = lastDays(30);
    const sales = calls.filter((c) => c.path === "/api/admin/sales");
    expect(sales.map((c) => `${c.query.get("by")} ${c.query.get("from")} ${c.query.get("to")}`).sort()).toEqual([
      `day ${from} ${to}`,
      `product ${from} ${to}`,
    ]);
    const csv = screen.getByRole("link", { name: "by category" }) as HTMLAnchorElement;
    expect(csv.getAttribute("href")).toBe(`/api/admin/sales?from=${from}&to=${to}&by=category&format=csv`);

    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-01-01" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-01-31" } });
    fireEvent.click(screen.getByRole("button", { name: "Show" }));
    await waitFor(() => expect(calls.some((c) => c.path === "/api/admin/sales" && c.query.get("from") === "2026-01-01")).toBe(true));
    expect((screen.getByRole("link", { name: "by day" }) as HTMLAnchorElement).getAttribute("href")).toContain("from=2026-01-01&to=2026-01-31");
  });

  it("refuses a reversed or too long period before asking the server", async () => {
    renderPage(<AdminSalesPage />, { routes: { ...admin, "GET /api/admin/sales": report }, url: "/admin/sales", path: "/admin/sales" });
    fireEvent.change(await screen.findByLabelText("From"), { target: { value: "2026-02-01" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-01-01" } });
    expect(screen.getByRole("alert").textContent).toBe("The end date must not be before the start date.");
    expect((screen.getByRole("button", { name: "Show" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("says why when the server refuses", async () => {
    renderPage(<AdminSalesPage />, {
      routes: { ...admin, "GET /api/admin/sales": () => problem(403, "Forbidden") },
      url: "/admin/sales",
      path: "/admin/sales",
    });
    expect((await screen.findAllByRole("alert")).map((a) => a.textContent).join(" ")).toContain("Forbidden");
  });

  it.each([
    ["2026-01-01", "2026-01-01", null],
    ["2024-01-01", "2024-12-31", null],
    ["2024-01-01", "2025-01-01", "Pick at most 366 days."],
    ["2026-01-02", "2026-01-01", "The end date must not be before the start date."],
    ["", "2026-01-01", "Pick both dates."],
  ])("period %s..%s → %s", (from, to, want) => {
    expect(periodError(from, to)).toBe(want);
  });
});
