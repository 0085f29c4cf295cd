import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AdminCustomersPage } from "./AdminCustomersPage";
import { ME_ADMIN, json, problem, renderPage, type FakeRequest } from "../../test/fakeShop";
import type { CustomerSummary } from "../../api/types";

const ME_SUPPORT = { ...ME_ADMIN, roles: ["support"] };
const ada: CustomerSummary = {
  id: "0b7e4a55-8f7c-4e0a-9a49-6f1f7f0f6b11",
  email: "ada.lovelace@example.com",
  name: "Ada Lovelace",
  createdAt: "2026-05-01T09:00:00Z",
};
const page = { url: "/admin/customers", path: "/admin/customers" };

/** A search answered like the API: prefix of a word of the name or the email, 2 per page. */
function search(people: CustomerSummary[]) {
  return (req: FakeRequest) => {
    const words = (req.query.get("q") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length > 4) return problem(422, "Unprocessable Entity", "the request has invalid fields", [{ field: "q", reason: "must be at most 4 words" }]);
    const hits = people.filter((p) => {
      const terms = [...p.name.toLowerCase().split(/\s+/), p.email.toLowerCase()];
      return words.every((w) => terms.some((t) => t.startsWith(w)));
    });
    const n = Number(req.query.get("page") ?? 1);
    return json({ items: hits.slice((n - 1) * 2, n * 2), page: n, pageSize: 2, total: hits.length });
  };
}

describe("back office customers", () => {
  it("searches by name and links each customer to their page", async () => {
    const { calls } = renderPage(<AdminCustomersPage />, {
      ...page,
      routes: {
        "GET /api/auth/me": () => json(ME_SUPPORT),
        "GET /api/admin/customers": search([ada, { ...ada, id: "c2", name: "Grace Hopper", email: "grace@navy.mil" }]),
      },
    });
    expect(await screen.findByText("2 customers")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Name, email or customer id"), { target: { value: "  ada lo " } });
    fireEvent.click(screen.getByRole("button", { name: "Search" }));
    expect(await screen.findByText("1 customer")).toBeTruthy();
    const row = screen.getByRole("row", { name: /Ada Lovelace/ });
    expect(within(row).getByText("ada.lovelace@example.com")).toBeTruthy();
    expect(within(row).getByRole("link", { name: "Ada Lovelace" }).getAttribute("href")).toBe(`/admin/customers/${ada.id}`);
    expect(calls.filter((c) => c.path === "/api/admin/customers").map((c) => c.query.get("q"))).toEqual([null, "ada lo"]);
  });

  it("pages through the results", async () => {
    const people = ["Ann", "Bea", "Cat"].map((name, i) => ({ ...ada, id: `c${i}`, name, email: `${name.toLowerCase()}@example.com` }));
    const { calls } = renderPage(<AdminCustomersPage />, {
      ...page,
      routes: { "GET /api/auth/me": () => json(ME_SUPPORT), "GET /api/admin/customers": search(people) },
    });
    expect(await screen.findByText("Page 1 of 2")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Next →" }));
    expect(await screen.findByRole("link", { name: "Cat" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Ann" })).toBeNull();
    expect(calls.at(-1)?.query.get("page")).toBe("2");
  });

  it("shows the API's reason beside the search box", async () => {
    renderPage(<AdminCustomersPage />, {
      url: "/admin/customers?q=a+b+c+d+e",
      path: "/admin/customers",
      routes: { "GET /api/auth/me": () => json(ME_SUPPORT), "GET /api/admin/customers": search([ada]) },
    });
    expect(await screen.findByText("must be at most 4 words")).toBeTruthy();
    expect(screen.getByLabelText("Name, email or customer id").getAttribute("aria-invalid")).toBe("true");
  });

  it("says when nobody matches, and keeps the query within the API's bound", async () => {
    renderPage(<AdminCustomersPage />, {
      url: "/admin/customers?q=zed",
      path: "/admin/customers",
      routes: { "GET /api/auth/me": () => json(ME_SUPPORT), "GET /api/admin/customers": search([ada]) },
    });
    expect(await screen.findByText("No customers match.")).toBeTruthy();
    expect(screen.getByLabelText("Name, email or customer id").getAttribute("maxLength")).toBe("100");
  });
});
