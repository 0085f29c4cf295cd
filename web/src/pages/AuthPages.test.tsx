import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { LoginPage, safeNext } from "./LoginPage";
import { RegisterPage } from "./RegisterPage";
import { VerifyPage } from "./VerifyPage";
import { ME_CUSTOMER, json, problem, renderPage } from "../test/fakeShop";

describe("RegisterPage", () => {
  it("shows field errors beside their inputs", async () => {
    renderPage(<RegisterPage />, {
      routes: {
        "POST /api/auth/register": () =>
          problem(422, "Validation failed", "Please correct the marked fields.", [
            { field: "password", reason: "is a commonly used password" },
          ]),
      },
      url: "/register",
      path: "/register",
    });
    fireEvent.change(await screen.findByLabelText("Name"), { target: { value: "Ada" } });
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "password" } });
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("is a commonly used password")).toBeTruthy();
    expect(screen.getByText(/Please correct the marked fields/)).toBeTruthy();
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBe("true");
  });

  it("tells the customer to check their email after 201", async () => {
    const { calls } = renderPage(<RegisterPage />, {
      routes: { "POST /api/auth/register": () => json({ id: "u-1" }, 201) },
      url: "/register",
      path: "/register",
    });
    fireEvent.change(await screen.findByLabelText("Name"), { target: { value: " Ada " } });
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "a long passphrase" } });
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect((await screen.findByTestId("registered")).textContent).toContain("ada@example.com");
    expect(calls.find((c) => c.path === "/api/auth/register")!.body).toEqual({
      name: "Ada",
      email: "ada@example.com",
      password: "a long passphrase",
    });
  });
});

describe("LoginPage", () => {
  it("shows the problem detail on bad credentials", async () => {
    renderPage(<LoginPage />, {
      routes: { "POST /api/auth/login": () => problem(401, "Invalid credentials", "Email or password is wrong.") },
      url: "/login",
      path: "/login",
    });
    fireEvent.change(await screen.findByLabelText("Email"), { target: { value: "a@b.c" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "nope" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Email or password is wrong.");
  });

  it("signs in, merges the guest basket and goes to next", async () => {
    let signedIn = false;
    const { calls } = renderPage(<LoginPage />, {
      routes: {
        "POST /api/auth/login": () => {
          signedIn = true;
          return { status: 204 };
        },
        "GET /api/auth/me": () => (signedIn ? json(ME_CUSTOMER) : problem(401, "Unauthorized")),
        "POST /api/basket/merge": () => json({ lines: [], revision: 2 }),
      },
      url: "/login?next=%2Fbasket",
      path: "/login",
    });
    fireEvent.change(await screen.findByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "secret pass" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("elsewhere")).toBeTruthy();
    const order = calls.map((c) => `${c.method} ${c.path}`);
    expect(order.indexOf("POST /api/basket/merge")).toBeGreaterThan(order.indexOf("POST /api/auth/login"));
    expect(await screen.findByRole("link", { name: "My orders" })).toBeTruthy();
  });

  it.each([
    ["/checkout", "/checkout"],
    ["//evil.example", "/"],
    ["https://evil.example", "/"],
    ["/\\evil", "/"],
    [null, "/"],
  ])("safeNext(%s) = %s", (next, want) => {
    expect(safeNext(next)).toBe(want);
  });
});

describe("VerifyPage", () => {
  it("spends the token exactly once", async () => {
    const { calls } = renderPage(<VerifyPage />, {
      routes: { "POST /api/auth/verify": () => ({ status: 204 }) },
      url: "/verify?token=abc.def",
      path: "/verify",
    });
    expect(await screen.findByTestId("verified")).toBeTruthy();
    const posts = calls.filter((c) => c.path === "/api/auth/verify");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ token: "abc.def" });
  });

  it("explains a used or expired link", async () => {
    renderPage(<VerifyPage />, {
      routes: { "POST /api/auth/verify": () => problem(400, "Invalid token", "The token is expired or already used.") },
      url: "/verify?token=old",
      path: "/verify",
    });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("expired or already used"));
  });
});
