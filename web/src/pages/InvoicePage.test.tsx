import { fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvoicePage } from "./InvoicePage";
import { OrderPage } from "./OrderPage";
import { ME_CUSTOMER, eur, json, problem, renderPage } from "../test/fakeShop";
import type { OrderDocument } from "../api/types";

const address = { name: "Ada Lovelace", line1: "1 Main St", line2: "Flat 2", city: "London", postalCode: "N1", country: "GB" };
const seller = { name: "evshop GmbH", address: ["1 Demo Street", "10115 Berlin", "DE"], vatId: "DE123456789", email: "billing@evshop.test" };

function invoice(extra: Partial<OrderDocument> = {}): OrderDocument {
  return {
    kind: "invoice",
    number: "INV-000042",
    issuedAt: "2025-01-01T10:00:05Z",
    orderId: "o-1",
    orderedAt: "2025-01-01T10:00:00Z",
    seller,
    buyer: { customerId: "u-1", name: "Ada Lovelace", address, email: "ada@example.com", vatId: "GB999999973" },
    lines: [
      { sku: "T1", name: "Sencha", quantity: 2, unitPrice: eur(1250), total: eur(2500) },
      { sku: "M1", name: "Mug", quantity: 1, unitPrice: eur(900), total: eur(900) },
    ],
    total: eur(3400),
    paymentMethod: "sandbox",
    ...extra,
  };
}

function breakdown(): NonNullable<OrderDocument["breakdown"]> {
  const line = { quantity: 1, unitPrice: eur(0), taxClass: "standard" as const, amount: eur(0), discount: eur(0), net: eur(0), tax: eur(0), gross: eur(0) };
  return {
    currency: "EUR",
    country: "DE",
    pricesIncludeTax: true,
    lines: [{ ...line, sku: "T1", rateBp: 2000 }, { ...line, sku: "M1", rateBp: 550 }],
    shipping: { method: "standard", name: "Standard", taxClass: "standard", rateBp: 2000, amount: eur(500), discount: eur(0), net: eur(417), tax: eur(83), gross: eur(500) },
    taxRates: [
      { rateBp: 2000, net: eur(2500), tax: eur(500), gross: eur(3000) },
      { rateBp: 550, net: eur(853), tax: eur(47), gross: eur(900) },
    ],
    subtotal: eur(3400),
    discount: eur(0),
    net: eur(3353),
    tax: eur(547),
    gross: eur(3900),
  };
}

afterEach(() => vi.restoreAllMocks());

describe("InvoicePage", () => {
  it("shows seller, buyer, lines, total and number, and prints", async () => {
    const print = vi.fn();
    vi.stubGlobal("print", print);
    renderPage(<InvoicePage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1/invoice": () =>
          json(
            invoice({
              creditNotes: [{ number: "CN-000007", amount: eur(900), issuedAt: "2025-01-02T09:00:00Z" }],
              breakdown: breakdown(),
            }),
          ),
      },
      url: "/orders/o-1/invoice",
      path: "/orders/:orderId/invoice",
    });
    const doc = await screen.findByTestId("document");
    expect(doc.getAttribute("data-kind")).toBe("invoice");
    expect(screen.getByTestId("document-number").textContent).toBe("INV-000042");
    const sellerBox = screen.getByTestId("seller").textContent ?? "";
    for (const s of ["evshop GmbH", "1 Demo Street", "10115 Berlin", "VAT ID DE123456789", "billing@evshop.test"]) {
      expect(sellerBox).toContain(s);
    }
    const buyerBox = screen.getByTestId("buyer").textContent ?? "";
    for (const s of ["Billed to", "Ada Lovelace", "1 Main St", "Flat 2", "N1 London", "ada@example.com", "VAT ID GB999999973"]) {
      expect(buyerBox).toContain(s);
    }
    expect(screen.getByText("Sencha")).toBeTruthy();
    expect(screen.getByText("Mug")).toBeTruthy();
    expect(screen.getByTestId("document-total").textContent).toMatch(/34\.00/);
    expect(screen.getByRole("link", { name: "CN-000007" }).getAttribute("href")).toBe("/orders/o-1/credit-notes/CN-000007");
    const rates = screen.getAllByTestId("tax-rate").map((r) => r.textContent ?? "");
    expect(rates).toHaveLength(2);
    expect(rates[0]).toMatch(/VAT 20 % on .*25\.00.*5\.00/);
    expect(rates[1]).toMatch(/VAT 5\.5 % on/);
    expect(screen.getByTestId("tax-breakdown").textContent).toContain("Shipping (Standard)");
    fireEvent.click(screen.getByRole("button", { name: "Print" }));
    expect(print).toHaveBeenCalledTimes(1);
    vi.unstubAllGlobals();
  });

  it("says the invoice is not issued yet while the order is unpaid", async () => {
    renderPage(<InvoicePage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1/invoice": () => problem(404, "Not Found", "no such document (yet)"),
      },
      url: "/orders/o-1/invoice",
      path: "/orders/:orderId/invoice",
    });
    expect((await screen.findByTestId("document-missing")).textContent).toContain("issued once the payment has gone through");
    expect(screen.queryByRole("button", { name: "Print" })).toBeNull();
  });

  it("shows a credit note with the invoice it corrects", async () => {
    const { calls } = renderPage(<InvoicePage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1/credit-notes/CN-000007": () =>
          json(invoice({ kind: "credit-note", number: "CN-000007", invoiceNumber: "INV-000042", refundId: "r1", lines: [], total: eur(900) })),
      },
      url: "/orders/o-1/credit-notes/CN-000007",
      path: "/orders/:orderId/credit-notes/:number",
    });
    const doc = await screen.findByTestId("document");
    expect(doc.getAttribute("data-kind")).toBe("credit-note");
    expect(doc.textContent).toContain("Credit note CN-000007");
    expect(doc.textContent).toContain("Corrects invoice");
    expect(doc.textContent).toContain("INV-000042");
    expect(screen.getByTestId("buyer").textContent).toContain("Credited to");
    expect(screen.getByTestId("document-total").textContent).toMatch(/Credited.*9\.00/);
    expect(calls.some((c) => c.path === "/api/orders/o-1/invoice")).toBe(false);
  });

  it("opens a guest's invoice through the order's token, without a session", async () => {
    const { calls } = renderPage(<InvoicePage />, {
      routes: {
        "GET /api/orders/o-1/invoice": (req) =>
          req.query.get("token") === "tok-1" ? json(invoice()) : problem(401, "Unauthorized", "sign in, or use the order's link"),
      },
      url: "/orders/o-1/invoice?token=tok-1",
      path: "/orders/:orderId/invoice",
    });
    expect((await screen.findByTestId("document-number")).textContent).toBe("INV-000042");
    expect(screen.getByRole("link", { name: "← Back to the order" }).getAttribute("href")).toBe("/orders/o-1?token=tok-1");
    // The page asks once, with the token (no 401 → refresh → retry round).
    expect(calls.filter((c) => c.path === "/api/orders/o-1/invoice").map((c) => c.query.get("token"))).toEqual(["tok-1"]);
  });
});

describe("OrderPage documents", () => {
  it("links the invoice and credit notes once they exist", async () => {
    renderPage(<OrderPage />, {
      routes: {
        "GET /api/auth/me": () => json(ME_CUSTOMER),
        "GET /api/orders/o-1": () =>
          json({
            orderId: "o-1",
            status: "PartiallyRefunded",
            lines: [{ sku: "T1", name: "Sencha", quantity: 2, unitPrice: eur(1250) }],
            total: eur(2500),
            refunded: eur(900),
            shippingAddress: address,
            history: [{ status: "Placed", at: "2025-01-01T10:00:00Z" }],
            invoice: { number: "INV-000042", issuedAt: "2025-01-01T10:00:05Z" },
            creditNotes: [{ number: "CN-000007", refundId: "r1", amount: eur(900), issuedAt: "2025-01-02T09:00:00Z" }],
          }),
        "GET /api/payments": () => json({ orderId: "o-1", payments: [] }),
      },
      url: "/orders/o-1",
      path: "/orders/:orderId",
    });
    const links = await screen.findByTestId("order-documents");
    expect(screen.getByRole("link", { name: "Invoice INV-000042" }).getAttribute("href")).toBe("/orders/o-1/invoice");
    expect(screen.getByRole("link", { name: "Credit note CN-000007" }).getAttribute("href")).toBe("/orders/o-1/credit-notes/CN-000007");
    expect(links.textContent).toContain("INV-000042");
  });

  it("carries a guest's order token into the document links", async () => {
    renderPage(<OrderPage />, {
      routes: {
        "GET /api/orders/o-1": (req) =>
          req.query.get("token") !== "tok-1"
            ? problem(401, "Unauthorized")
            : json({
                orderId: "o-1",
                status: "Paid",
                lines: [{ sku: "T1", name: "Sencha", quantity: 2, unitPrice: eur(1250) }],
                total: eur(2500),
                shippingAddress: address,
                history: [{ status: "Placed", at: "2025-01-01T10:00:00Z" }],
                invoice: { number: "INV-000042", issuedAt: "2025-01-01T10:00:05Z" },
              }),
        "GET /api/payments": () => json({ orderId: "o-1", payments: [] }),
      },
      url: "/orders/o-1?token=tok-1",
      path: "/orders/:orderId",
    });
    await screen.findByTestId("order-documents");
    expect(screen.getByRole("link", { name: "Invoice INV-000042" }).getAttribute("href")).toBe("/orders/o-1/invoice?token=tok-1");
  });
});
