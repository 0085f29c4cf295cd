import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ME_ADMIN, ME_CUSTOMER, json, renderPage } from "../test/fakeShop";

describe("Layout", () => {
  it("starts with a skip link to the main content", async () => {
    renderPage(<h1>Home</h1>, { routes: {} });
    const skip = screen.getByRole("link", { name: "Skip to content" });
    expect(skip.getAttribute("href")).toBe("#main");
    expect(document.getElementById("main")?.tagName).toBe("MAIN");
    expect(await screen.findByRole("link", { name: "Sign in" })).toBeTruthy();
  });

  it("hides the back office from customers", async () => {
    renderPage(<h1>Home</h1>, { routes: { "GET /api/auth/me": () => json(ME_CUSTOMER) } });
    expect(await screen.findByRole("link", { name: "My orders" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Back office" })).toBeNull();
  });

  it("shows the back office to admins", async () => {
    renderPage(<h1>Home</h1>, { routes: { "GET /api/auth/me": () => json(ME_ADMIN) } });
    expect(await screen.findByRole("link", { name: "Back office" })).toBeTruthy();
  });

  it("counts basket items and signs out", async () => {
    let signedIn = true;
    const { calls } = renderPage(<h1>Home</h1>, {
      routes: {
        "GET /api/auth/me": () => (signedIn ? json(ME_CUSTOMER) : json({}, 401)),
        "GET /api/basket": () =>
          json({ lines: [{ sku: "a", name: "A", quantity: 2 }, { sku: "b", name: "B", quantity: 1 }], total: null, revision: 1 }),
        "POST /api/auth/logout": () => {
          signedIn = false;
          return { status: 204 };
        },
      },
    });
    await waitFor(() => expect(screen.getByLabelText("3 items")).toBeTruthy());
    fireEvent.click(await screen.findByRole("button", { name: /Sign out/ }));
    expect(await screen.findByRole("link", { name: "Sign in" })).toBeTruthy();
    expect(calls.find((c) => c.path === "/api/auth/logout")!.headers["x-csrf-token"]).toBe("csrf-1");
  });
});
