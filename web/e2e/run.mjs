#!/usr/bin/env node
// End-to-end test of the storefront against a running shop, in Debian's
// Chromium driven by playwright-core (no browser download):
//   browse → add two products → register → verify via the email → sign in →
//   check out with 4242 4242 4242 4242 → the order reaches Paid;
//   then a declined card (4000 0000 0000 0002) shows a clear message and the
//   order's payments show no capture; when the shop takes PayPal (PAYPAL_URL),
//   a PayPal order sends the buyer to PayPal's approval page (the fake PayPal),
//   approving returns to the shop and the order reaches Paid, cancelling
//   returns and the order is Cancelled with the reason.
// Screenshots of every step land in test-output/e2e/ (repo root).
//
// Environment:
//   SHOP_URL       the gateway serving the built storefront (default http://127.0.0.1:8080)
//   SES_STORE_URL  server mode: the SES emulator's store, e.g. http://127.0.0.1:8005/store;
//                  unset → the embedded shop's outbox at $SHOP_URL/dev/mail.json
//   CHROMIUM_PATH  default /usr/bin/chromium
//   E2E_OUT        screenshot folder (default <repo>/test-output/e2e)
//   E2E_TIMEOUT_MS how long to wait for the order to settle (default 60000)
//   PAYPAL_URL     the fake PayPal the shop uses (scripts/e2e.sh starts one); unset → no PayPal steps
//   E2E_ADMIN_EMAIL, E2E_ADMIN_PASSWORD  an admin of the shop (scripts/e2e.sh makes the shop it
//                  starts bootstrap one): the back office's sales dashboard and customers page are
//                  checked as that admin, who then invites a support person; the invitee accepts
//                  from the mail and signs in. Then (not against the fake shop, which lacks the
//                  routes) the admin creates a product with sizes S and M and stocks both; the
//                  customer buys M; staff ship and deliver it; the customer asks for a return;
//                  the support person approves it and the admin receives it into stock; the
//                  stock history, the return and the order show the sale, the restock and the refund

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const SHOP = (process.env.SHOP_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const SES_STORE = process.env.SES_STORE_URL || "";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const OUT = resolve(process.env.E2E_OUT || join(here, "..", "..", "test-output", "e2e"));
const SETTLE_MS = Number(process.env.E2E_TIMEOUT_MS || 60000);
const GOOD_CARD = "4242 4242 4242 4242";
const DECLINED_CARD = "4000 0000 0000 0002";
const PAYPAL = (process.env.PAYPAL_URL || "").replace(/\/$/, "");
const ADMIN_EMAIL = process.env.E2E_ADMIN_EMAIL || "";
const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD || "";

const results = [];
let shot = 0;

function log(msg) {
  process.stdout.write(`[e2e] ${msg}\n`);
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    const v = await fn();
    results.push({ name, ok: true });
    log(`ok   ${name} (${Date.now() - t0} ms)`);
    return v;
  } catch (e) {
    results.push({ name, ok: false, error: e });
    log(`FAIL ${name}: ${e instanceof Error ? e.message : e}`);
    throw e;
  }
}

async function screenshot(page, name) {
  shot++;
  const file = join(OUT, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`     screenshot ${file}`);
}

async function waitForShop() {
  const deadline = Date.now() + 60000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${SHOP}/`, { redirect: "manual" });
      if (r.status < 500) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(1000);
  }
  throw new Error(`shop at ${SHOP} did not answer within 60 s (${last})`);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Mail from the embedded outbox or the SES emulator, as {to, subject, text, html}. */
async function readMail() {
  if (SES_STORE) {
    const r = await fetch(SES_STORE);
    if (!r.ok) throw new Error(`GET ${SES_STORE}: HTTP ${r.status}`);
    const body = await r.json();
    return (body.emails ?? []).map((m) => ({
      to: [...(m.destination?.to ?? []), ...(m.destination?.cc ?? []), ...(m.destination?.bcc ?? [])].join(","),
      subject: m.subject ?? "",
      text: m.body?.text ?? "",
      html: m.body?.html ?? "",
      at: m.at ?? 0,
    }));
  }
  const r = await fetch(`${SHOP}/dev/mail.json`);
  if (!r.ok) throw new Error(`GET ${SHOP}/dev/mail.json: HTTP ${r.status}`);
  const list = await r.json();
  return (Array.isArray(list) ? list : (list.items ?? [])).map((m) => ({
    to: Array.isArray(m.to) ? m.to.join(",") : String(m.to ?? ""),
    subject: m.subject ?? "",
    text: m.text ?? "",
    html: m.html ?? "",
    at: m.sentAt ?? "",
  }));
}

/** Waits for the verification email to `email` and returns the raw token from its link. */
async function verificationToken(email) {
  const deadline = Date.now() + 30000;
  let seen = 0;
  while (Date.now() < deadline) {
    const mails = (await readMail().catch((e) => (log(`     mail: ${e.message}`), []))).filter((m) =>
      m.to.toLowerCase().includes(email.toLowerCase()),
    );
    seen = mails.length;
    for (const m of mails.reverse()) {
      const found = `${m.text}\n${m.html}`.match(/\/verify\?token=([^\s"'<>&]+)/);
      if (found) {
        writeFileSync(join(OUT, "verification-email.txt"), `To: ${m.to}\nSubject: ${m.subject}\n\n${m.text || m.html}\n`);
        return found[1];
      }
    }
    await sleep(1000);
  }
  throw new Error(`no verification email with a /verify?token= link for ${email} within 30 s (${seen} mails to it)`);
}

/** Waits for a mail to `email` whose text or HTML matches `link` and returns the link's token. */
async function mailLinkToken(email, link, saveAs) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const mails = (await readMail().catch(() => [])).filter((m) => m.to.toLowerCase().includes(email.toLowerCase()));
    for (const m of mails.reverse()) {
      const found = `${m.text}\n${m.html}`.match(link);
      if (found) {
        writeFileSync(join(OUT, saveAs), `To: ${m.to}\nSubject: ${m.subject}\n\n${m.text || m.html}\n`);
        return found[1];
      }
    }
    await sleep(1000);
  }
  throw new Error(`no mail to ${email} matching ${link} within 30 s`);
}

async function addProductsFromCatalog(page, count) {
  await page.goto(`${SHOP}/`);
  await page.locator("article.product-card").first().waitFor({ timeout: 20000 });
  const buttons = page.locator("article.product-card button:not([disabled])", { hasText: "Add to basket" });
  await buttons.first().waitFor({ timeout: 20000 });
  const available = await buttons.count();
  if (available < count) throw new Error(`only ${available} products can be added, need ${count}`);
  const added = [];
  for (let i = 0; i < count; i++) {
    const card = page.locator("article.product-card").filter({ has: page.locator("button:not([disabled])", { hasText: "Add to basket" }) }).nth(i);
    const name = (await card.locator(".card-title").innerText()).trim();
    await card.getByRole("button", { name: /Add .* to basket/ }).click();
    await page.getByText(`Added ${name} to your basket.`).waitFor({ timeout: 15000 });
    added.push(name);
  }
  return added;
}

async function basketNames(page) {
  await page.goto(`${SHOP}/basket`);
  await page.locator("h1", { hasText: "Basket" }).waitFor();
  await page.locator("table.basket-table, .state-empty, .state-error").first().waitFor({ timeout: 15000 });
  return page.locator("table.basket-table tbody tr td:first-child").allInnerTexts();
}

async function fillCheckout(page, card) {
  await page.goto(`${SHOP}/checkout`);
  await page.getByRole("button", { name: "Place order" }).waitFor({ timeout: 20000 });
  const fill = async (label, value) => {
    const input = page.getByLabel(label, { exact: true });
    if (!(await input.inputValue())) await input.fill(value);
  };
  await fill("Full name", "E2E Shopper");
  await fill("Address line 1", "1 Test Street");
  await fill("Postal code", "10115");
  await fill("City", "Berlin");
  await fill("Country (2-letter code)", "DE");
  // A shop with shipping methods offers them for the address's country.
  const standard = page.getByRole("radio", { name: /^Standard/ });
  try {
    await standard.first().waitFor({ timeout: 5000 });
    await standard.first().check();
  } catch {
    // no shipping methods (the fake shop): none to choose
  }
  await page.getByLabel("Card number").fill(card);
}

/** The order id from /orders/<id>?placed=1 after a checkout. */
async function placeOrder(page) {
  await page.getByRole("button", { name: "Place order" }).click();
  const outcome = await Promise.race([
    page.waitForURL(/\/orders\/[^/?]+/, { timeout: 30000 }).then(() => "order"),
    page
      .locator(".checkout-form .form-error")
      .waitFor({ timeout: 30000 })
      .then(() => "error"),
  ]);
  if (outcome === "error") return { orderId: null, error: await page.locator(".checkout-form .form-error").innerText() };
  const orderId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  return { orderId, error: null };
}

/**
 * Checks the basket out with PayPal through the API, as the checkout page does
 * when PayPal is the shop's method, and opens the order page, which sends the
 * buyer on to PayPal's approval page. Returns the order id.
 */
async function checkoutWithPayPal(page) {
  const orderId = await page.evaluate(async () => {
    const csrf = await (await fetch("/api/auth/csrf", { credentials: "same-origin" })).json();
    const r = await fetch("/api/basket/checkout", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        [csrf.headerName || "X-CSRF-Token"]: csrf.token,
        "Idempotency-Key": `e2e-paypal-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      },
      body: JSON.stringify({
        shippingAddress: { name: "E2E Shopper", line1: "1 Test Street", city: "Berlin", postalCode: "10115", country: "DE" },
        shippingMethod: "standard",
        payment: { method: "paypal" },
      }),
    });
    const body = await r.json().catch(() => null);
    if (r.status !== 202 || !body?.orderId) throw new Error(`PayPal checkout answered ${r.status}: ${JSON.stringify(body)}`);
    return body.orderId;
  });
  await page.goto(`${SHOP}/orders/${encodeURIComponent(orderId)}?placed=1`);
  await page.waitForURL((u) => u.href.startsWith(`${PAYPAL}/checkoutnow`), { timeout: 30000 });
  await page.getByTestId("paypal-order").waitFor();
  return orderId;
}

async function waitForStatus(page, wanted) {
  const status = page.getByTestId("order-status");
  await status.waitFor({ timeout: 30000 });
  const deadline = Date.now() + SETTLE_MS;
  let current = "";
  while (Date.now() < deadline) {
    current = (await status.getAttribute("data-status")) ?? "";
    if (wanted.includes(current)) return current;
    await sleep(500);
  }
  throw new Error(`order stayed at ${current || "?"} for ${SETTLE_MS} ms; wanted ${wanted.join(" or ")}`);
}

/** Signs `who` in with fresh cookies and waits for the link a signed-in page shows ("My orders", "Back office"). */
async function signIn(context, page, who, password, landmark) {
  await context.clearCookies();
  await page.goto(`${SHOP}/login`);
  await page.getByLabel("Email").fill(who);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: landmark }).waitFor();
}

/**
 * Clicks `button` in `scope` and waits for `done` (the announcer's text, or a
 * locator); a form error (the API's problem, shown by the form) fails with its text.
 */
async function submitAndWait(page, scope, button, done) {
  await scope.getByRole("button", { name: button, exact: true }).click();
  const toast = typeof done === "string" ? page.locator(".announcer .toast", { hasText: done }) : done;
  const error = scope.locator(".form-error, .field-error").first();
  const outcome = await Promise.race([
    toast.waitFor({ timeout: 30000 }).then(() => "done"),
    error.waitFor({ timeout: 30000 }).then(() => "error"),
  ]);
  if (outcome === "error") throw new Error(`${button}: ${(await scope.locator(".form-error, .field-error").allInnerTexts()).join(" | ")}`);
}

/**
 * Reloads the page until `check` answers something truthy (read models catch
 * up from the event store a moment after a command is accepted).
 */
async function untilShown(page, what, check) {
  const deadline = Date.now() + SETTLE_MS;
  let last = "";
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e instanceof Error ? e.message.split("\n")[0] : String(e);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not shown within ${SETTLE_MS} ms${last ? ` (${last})` : ""}`);
    await sleep(1000);
    await page.reload();
  }
}

/** The admin product page's "N on hand" (null while the page lacks it). */
async function onHandShown(page) {
  await page.locator("#prod-h").waitFor({ timeout: 10000 });
  const found = (await page.locator("#prod-h + p").innerText()).match(/(\d+) on hand/);
  return found ? Number(found[1]) : null;
}

/** The admin product page's stock history rows as {change, reason, note, onHandAfter}, newest first. */
async function stockHistory(page) {
  const table = page.getByRole("table", { name: "Stock movements, newest first" });
  await table.waitFor({ timeout: 10000 });
  return table.locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => {
      const cell = (label) => r.querySelector(`td[data-label="${label}"]`)?.textContent?.trim() ?? "";
      return { change: cell("Change"), reason: cell("Reason"), note: cell("Note"), onHandAfter: cell("On hand after") };
    }),
  );
}

/** True when `path` is a route the fake shop (e2e/fake-shop.mjs) does not imitate. */
async function fakeShopLacks(path) {
  const r = await fetch(`${SHOP}${path}`);
  if (r.status !== 404) return false;
  const body = await r.json().catch(() => null);
  return /not part of the fake shop/.test(String(body?.detail ?? ""));
}

/**
 * Issue 18's scenario, after the staff step: the admin creates a product with
 * sizes S and M (M added through the variants editor) and stocks both with a
 * "received" adjustment; the customer picks M in the storefront, pays and the
 * order reaches Paid; staff ship and deliver it; the customer asks to return
 * the unit; the support person approves and the admin receives it back into
 * stock; then the stock history shows the sale and the return with on hand
 * back where it was, the return is Refunded and the customer's order shows
 * the refund.
 */
async function productToReturn({ context, page, customer, support }) {
  const stamp = Date.now().toString(36).toUpperCase();
  const sku = `E2E-TEE-${stamp}`;
  const skuM = `${sku}-M`;
  const name = `E2E Tee ${stamp}`;
  const stocked = { [sku]: 5, [skuM]: 3 };
  const admin = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };

  await step("the admin creates a product with sizes S and M and stocks both (reason: received)", async () => {
    await signIn(context, page, admin.email, admin.password, "Back office");
    await page.goto(`${SHOP}/admin/products`);
    await page.getByRole("link", { name: "New product" }).click();
    const form = page.getByRole("form", { name: "New product" });
    await form.getByLabel("SKU", { exact: true }).fill(sku);
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Description").fill("A cotton tee the browser test sells and takes back.");
    await form.getByLabel("Category").fill("Apparel");
    await form.getByLabel("Price", { exact: true }).fill("19.90");
    await form.getByLabel("Weight (grams)").fill("180");
    await form.getByLabel("Initial stock").fill("0");
    await screenshot(page, "admin-product-new");
    await submitAndWait(page, form, "Create product", `${name} created.`);
    await page.waitForURL(new RegExp(`/admin/products/${sku}$`));

    // The first variant names the option and gives the product its own value (productOptions).
    const add = page.getByRole("form", { name: "Add a variant" });
    await add.getByLabel("SKU", { exact: true }).fill(skuM);
    await add.getByLabel("Option name").fill("Size");
    await add.getByLabel(`Value of ${sku}`).fill("S");
    await add.getByLabel("Value of the new variant").fill("M");
    await submitAndWait(page, add, "Add variant", `Variant ${skuM} added.`);
    const variants = page.getByRole("table", { name: "Variants of this product" });
    for (const [s, size] of [[sku, "S"], [skuM, "M"]]) {
      const row = variants.locator("tbody tr", { has: page.getByRole("rowheader", { name: s, exact: true }) });
      // The table reloads after the answer: wait for the row rather than read it once.
      const first = row.locator("td").first();
      try {
        await first.filter({ hasText: new RegExp(`^\\s*${size}\\s*$`) }).waitFor({ timeout: 15000 });
      } catch {
        const cells = await row.locator("td").allInnerTexts();
        throw new Error(`variant ${s} shows options ${cells[0]}, want Size ${size}`);
      }
    }
    await screenshot(page, "admin-product-variants");

    for (const [s, units] of Object.entries(stocked)) {
      if (!page.url().endsWith(`/admin/products/${s}`)) await page.goto(`${SHOP}/admin/products/${s}`);
      const adjust = page.getByRole("form", { name: "Adjust stock", exact: true });
      await adjust.getByLabel("Units").fill(String(units));
      await adjust.getByLabel("Reason").selectOption("received");
      await adjust.getByLabel("Note").fill(`E2E: ${units} in from the supplier`);
      await submitAndWait(page, adjust, "Adjust", `Stock of ${s} changed by ${units}.`);
      await untilShown(page, `${units} units of ${s} on hand`, async () => (await onHandShown(page)) === units);
      const rows = await stockHistory(page);
      if (!rows.some((r) => r.reason === "received" && r.change === `+${units}`)) {
        throw new Error(`the stock history of ${s} lacks the received +${units}: ${JSON.stringify(rows)}`);
      }
    }
    await screenshot(page, "admin-variant-stocked");
  });

  const orderId = await step("the customer picks size M, checks out with the good card and reaches Paid", async () => {
    await signIn(context, page, customer.email, customer.password, "My orders");
    await page.goto(`${SHOP}/products/${sku}`);
    await page.getByRole("heading", { name, exact: true }).waitFor();
    await page.getByRole("group", { name: "Size" }).getByRole("radio", { name: /^M\b/ }).check();
    await page.getByText(`SKU ${skuM}`).waitFor();
    await page.getByText(`${stocked[skuM]} in stock`, { exact: true }).waitFor();
    await screenshot(page, "storefront-variant-picked");
    await page.getByRole("button", { name: "Add to basket" }).click();
    await page.locator(".announcer .toast", { hasText: /^Added 1 × .* to your basket\.$/ }).waitFor();

    // Only this unit goes to the checkout: whatever an earlier step left in the basket goes.
    await page.goto(`${SHOP}/basket`);
    await page.locator(`tr[data-sku="${skuM}"]`).waitFor({ timeout: 15000 });
    for (const other of await page.locator("table.basket-table tbody tr[data-sku]").evaluateAll((rows) => rows.map((r) => r.dataset.sku))) {
      if (other === skuM) continue;
      await page.locator(`tr[data-sku="${other}"]`).getByRole("button", { name: /^Remove / }).click();
      await page.locator(`tr[data-sku="${other}"]`).waitFor({ state: "detached" });
    }
    const lines = await page.locator("table.basket-table tbody tr[data-sku]").count();
    const qty = await page.locator(`tr[data-sku="${skuM}"] input[type=number]`).inputValue();
    if (lines !== 1 || qty !== "1") throw new Error(`the basket holds ${lines} lines (${qty} × ${skuM}), want 1 × ${skuM}`);

    await fillCheckout(page, GOOD_CARD);
    const { orderId, error } = await placeOrder(page);
    if (!orderId) throw new Error(`checkout refused: ${error}`);
    const status = await waitForStatus(page, ["Paid", "Cancelled"]);
    await screenshot(page, "variant-order-paid");
    if (status !== "Paid") throw new Error(`the order of ${skuM} ended ${status}: ${await page.getByTestId("order-outcome").innerText().catch(() => "")}`);
    return orderId;
  });

  await step("staff ship and deliver the order from the back office's order page", async () => {
    await signIn(context, page, admin.email, admin.password, "Back office");
    await page.goto(`${SHOP}/admin/orders/${orderId}`);
    const badge = page.locator("#aod-h ~ p .badge[data-status]").first();
    const shows = (status) => async () => (await badge.getAttribute("data-status", { timeout: 10000 })) === status;
    await untilShown(page, "the order as Paid in the back office", shows("Paid"));
    const ship = page.getByRole("form", { name: "Ship", exact: true });
    await ship.getByLabel("Carrier").fill("DHL");
    await ship.getByLabel("Tracking number").fill(`E2E${stamp}`);
    await submitAndWait(page, ship, "Mark shipped", "Ship: done.");
    await untilShown(page, "the order as Shipped", shows("Shipped"));
    await submitAndWait(page, page.getByRole("form", { name: "Mark delivered", exact: true }), "Mark delivered", "Mark delivered: done.");
    await untilShown(page, "the order as Delivered", shows("Delivered"));
    await screenshot(page, "admin-order-delivered");
  });

  await step("the customer asks to return the unit from their order page", async () => {
    await signIn(context, page, customer.email, customer.password, "My orders");
    await page.goto(`${SHOP}/orders/${orderId}`);
    const returns = page.getByTestId("order-returns");
    await untilShown(page, "the Return items button of the delivered order", async () => {
      await returns.getByRole("button", { name: "Return items" }).waitFor({ timeout: 5000 });
      return true;
    });
    if ((await page.getByTestId("order-status").getAttribute("data-status")) !== "Delivered") throw new Error("the order page does not show Delivered");
    await returns.getByRole("button", { name: "Return items" }).click();
    const form = page.getByRole("form", { name: "Return items" });
    const units = form.locator(`input#ret-${skuM}`);
    if ((await units.getAttribute("max")) !== "1") throw new Error(`the return form offers ${await units.getAttribute("max")} units of ${skuM}, want 1`);
    await units.fill("1");
    await form.getByLabel("Reason").selectOption("no_longer_needed");
    await form.getByLabel("Anything we should know?").fill("E2E: changed my mind about the size.");
    await screenshot(page, "return-form");
    await submitAndWait(page, form, "Ask for the return", returns.locator('li[data-return-status="Requested"]'));
    await screenshot(page, "return-requested-customer");
  });

  const ret = await step("support approves the return; the admin receives it back into stock", async () => {
    const approver = support ?? admin;
    await signIn(context, page, approver.email, approver.password, "Back office");
    await page.goto(`${SHOP}/admin/orders/${orderId}`);
    const link = page.getByTestId("admin-order-returns").getByRole("link").first();
    await untilShown(page, "the return on the back office's order page", async () => {
      await link.waitFor({ timeout: 5000 });
      return true;
    });
    await link.click();
    await page.waitForURL(/\/admin\/returns\/[^/]+$/);
    const returnId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
    const status = page.getByTestId("return-status");
    const shows = (want) => async () => (await status.innerText({ timeout: 10000 })) === want;
    await untilShown(page, "the return as Requested", shows("Requested"));
    await submitAndWait(page, page.locator(".admin-actions"), "Approve", "Return approved.");
    await untilShown(page, "the return as Approved", shows("Approved"));
    // Receiving refunds money: the support person may not; an admin does.
    if (approver !== admin) await page.getByTestId("receive-admin-only").waitFor();
    await screenshot(page, "return-approved");

    if (approver !== admin) await signIn(context, page, admin.email, admin.password, "Back office");
    await page.goto(`${SHOP}/admin/returns/${encodeURIComponent(returnId)}`);
    const receive = page.getByRole("form", { name: "Receive the goods" });
    await untilShown(page, "the receive form of the approved return", async () => {
      await receive.waitFor({ timeout: 5000 });
      return true;
    });
    // Nothing marked damaged: the unit is restocked.
    const damaged = receive.getByLabel(/^Damaged units of/);
    if ((await damaged.count()) !== 1 || (await damaged.inputValue()) !== "0") throw new Error("the receive form does not default to restocking the one unit");
    await submitAndWait(page, receive, "Receive and refund", "Return received; the refund is on its way.");
    await untilShown(page, "the return as Refunded", shows("Refunded"));
    const row = await page.locator("table tbody tr", { has: page.getByText(skuM, { exact: true }) }).locator("td").allInnerTexts();
    if (row[0] !== "1" || row[1] !== "1" || row[2] !== "0") throw new Error(`the received line reads ${row.join(" | ")}, want 1 unit, 1 restocked, 0 damaged`);
    const refund = await page.getByTestId("return-refund").innerText();
    if (!/refunded/.test(refund)) throw new Error(`the return's refund reads ${refund}`);
    await screenshot(page, "return-refunded");
    return { returnId, refund };
  });

  await step("the stock history shows the sale and the return, on hand is back, the customer sees the refund", async () => {
    // Still the admin.
    await page.goto(`${SHOP}/admin/products/${skuM}`);
    const rows = await untilShown(page, `the sold and returned movements of ${skuM}`, async () => {
      const rows = await stockHistory(page);
      const sold = rows.find((r) => r.reason === "sold" && r.change === "-1");
      const back = rows.find((r) => r.reason === "returned" && r.change === "+1");
      return sold && back ? { sold, back } : null;
    });
    if (!rows.sold.note.includes(orderId)) throw new Error(`the sale's movement does not name order ${orderId}: ${rows.sold.note}`);
    const before = stocked[skuM];
    for (const [what, m, want] of [["sale", rows.sold, before - 1], ["return", rows.back, before]]) {
      if (m.onHandAfter !== "—" && m.onHandAfter !== String(want)) throw new Error(`on hand after the ${what} reads ${m.onHandAfter}, want ${want}`);
    }
    const onHand = await onHandShown(page);
    if (onHand !== before) throw new Error(`${skuM} has ${onHand} on hand after the return, had ${before} before the sale`);
    await screenshot(page, "stock-history-sold-returned");
    await page.goto(`${SHOP}/admin/products/${sku}`);
    if ((await onHandShown(page)) !== stocked[sku]) throw new Error(`${sku} (not bought) no longer has ${stocked[sku]} on hand`);

    await signIn(context, page, customer.email, customer.password, "My orders");
    await page.goto(`${SHOP}/orders/${orderId}`);
    const status = await untilShown(page, "the refund on the customer's order page", async () => {
      const s = await page.getByTestId("order-status").getAttribute("data-status", { timeout: 10000 });
      return ["PartiallyRefunded", "Refunded"].includes(s) ? s : null;
    });
    const item = page.getByTestId("order-returns").locator('li[data-return-status="Refunded"]');
    await item.waitFor();
    if (!/\(refund .+\)/.test(await item.innerText())) throw new Error(`the customer's return shows no refund: ${await item.innerText()}`);
    const outcome = await page.getByTestId("order-outcome").innerText();
    if (!/refunded/i.test(outcome)) throw new Error(`the order's outcome does not say refunded (${status}): ${outcome}`);
    // The order's refunded amount is the return's refund (the only money given back).
    const amounts = await page.evaluate(async (id) => {
      const order = await (await fetch(`/api/orders/${id}`, { credentials: "same-origin" })).json();
      const returns = await (await fetch(`/api/orders/${id}/returns`, { credentials: "same-origin" })).json();
      return { refunded: order.refunded, total: order.total, refund: returns.items?.[0]?.refund };
    }, orderId);
    if (!amounts.refund || amounts.refunded?.amount !== amounts.refund.amount) {
      throw new Error(`the order's refunded amount does not match the return's refund: ${JSON.stringify(amounts)}`);
    }
    if ((status === "Refunded") !== (amounts.refunded.amount === amounts.total?.amount)) {
      throw new Error(`order ${orderId} is ${status} with ${JSON.stringify(amounts)}`);
    }
    await screenshot(page, "order-refunded");
  });
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "evshop-e2e-"));
  log(`shop ${SHOP}; mail from ${SES_STORE || `${SHOP}/dev/mail.json`}; screenshots in ${OUT}`);
  await step("the shop answers", waitForShop);

  // A persistent context is how Playwright takes our own fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20000);
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  const email = `e2e+${Date.now()}@example.com`;
  const password = "Correct-Horse-Battery-42!";
  try {
    await step("browse the catalog", async () => {
      await page.goto(`${SHOP}/`);
      await page.locator("article.product-card").first().waitFor({ timeout: 20000 });
      await screenshot(page, "catalog");
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, "catalog-phone");
      await page.setViewportSize({ width: 1280, height: 900 });
      const first = page.locator("article.product-card .card-link").first();
      await first.click();
      await page.getByRole("button", { name: "Add to basket" }).waitFor();
      await screenshot(page, "product");
    });

    const added = await step("add two products to the basket", async () => {
      const names = await addProductsFromCatalog(page, 2);
      const inBasket = await basketNames(page);
      for (const n of names) if (!inBasket.includes(n)) throw new Error(`${n} missing from basket: ${inBasket}`);
      await screenshot(page, "basket");
      return names;
    });

    await step("register", async () => {
      await page.goto(`${SHOP}/register`);
      await page.getByLabel("Name").fill("E2E Shopper");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByTestId("registered").waitFor();
      await screenshot(page, "registered");
    });

    await step("verify through the link in the email", async () => {
      const token = await verificationToken(email);
      await page.goto(`${SHOP}/verify?token=${token}`);
      await page.getByTestId("verified").waitFor();
      await screenshot(page, "verified");
    });

    await step("sign in and keep the guest basket", async () => {
      await page.goto(`${SHOP}/login`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("link", { name: "My orders" }).waitFor();
      const inBasket = await basketNames(page);
      for (const n of added) if (!inBasket.includes(n)) throw new Error(`${n} lost at sign-in (basket merge): ${inBasket}`);
      await screenshot(page, "signed-in-basket");
    });

    const paidOrder = await step("check out with 4242 4242 4242 4242 and reach Paid", async () => {
      await fillCheckout(page, GOOD_CARD);
      await screenshot(page, "checkout");
      const { orderId, error } = await placeOrder(page);
      if (!orderId) throw new Error(`checkout refused: ${error}`);
      await screenshot(page, "order-placed");
      const status = await waitForStatus(page, ["Paid", "Shipped", "Delivered", "Cancelled", "Refunded"]);
      await screenshot(page, "order-paid");
      if (status !== "Paid") {
        const why = await page.getByTestId("order-outcome").innerText().catch(() => "");
        throw new Error(`order ${orderId} ended ${status}, not Paid: ${why}`);
      }
      // Exactly one capture behind a paid order, as the payments ledger sees it
      // (the ledger is a projection: give it a moment to catch up).
      let captured = [];
      for (let i = 0; i < 40 && captured.length === 0; i++) {
        const body = await page.evaluate(async (id) => {
          const r = await fetch(`/api/payments?orderId=${encodeURIComponent(id)}`, { credentials: "same-origin" });
          return r.json();
        }, orderId);
        captured = (body?.payments ?? []).filter((p) => /captur/i.test(String(p.status)));
        if (captured.length === 0) await page.waitForTimeout(250);
      }
      if (captured.length !== 1) throw new Error(`paid order ${orderId} has ${captured.length} captured payments`);
      return orderId;
    });

    await step("the paid order is listed under My orders", async () => {
      await page.goto(`${SHOP}/orders`);
      await page.locator(`tr[data-order-id="${paidOrder}"]`).waitFor();
      await screenshot(page, "my-orders");
    });

    await step("a declined card shows a clear message and takes no money", async () => {
      await addProductsFromCatalog(page, 1);
      await fillCheckout(page, DECLINED_CARD);
      const { orderId, error } = await placeOrder(page);
      if (!orderId) {
        // The basket API may refuse the card synchronously; that must be legible.
        if (!/declin/i.test(error)) throw new Error(`checkout failed without saying the card was declined: ${error}`);
        await screenshot(page, "declined");
        return;
      }
      const status = await waitForStatus(page, ["Cancelled", "Paid", "Shipped", "Delivered", "Refunded"]);
      if (status !== "Cancelled") throw new Error(`declined card left order ${orderId} ${status}`);
      const outcome = page.getByTestId("order-outcome");
      const text = await outcome.innerText();
      if (!/declin/i.test(text)) throw new Error(`cancellation message does not say the card was declined: ${text}`);
      await page.locator("[data-testid=payments], #payments-h ~ p").first().waitFor();
      await screenshot(page, "declined");
      // The UI must show no capture, and the API must agree.
      const capturedRows = await page.locator('tr[data-payment-status="Captured"]').count();
      if (capturedRows > 0) throw new Error("the payment list shows a capture for a declined card");
      const payments = await page.evaluate(async (id) => {
        const r = await fetch(`/api/payments?orderId=${encodeURIComponent(id)}`, { credentials: "same-origin" });
        return { status: r.status, body: await r.json().catch(() => null) };
      }, orderId);
      if (payments.status !== 200) throw new Error(`GET /api/payments answered ${payments.status}`);
      const list = Array.isArray(payments.body) ? payments.body : (payments.body?.payments ?? payments.body?.items ?? []);
      // The declined attempt must be on record (so the check below is not vacuous) and never captured.
      if (list.length === 0) throw new Error("the declined payment is not on record: " + JSON.stringify(payments.body));
      const captured = list.filter((p) => /captur|refund/i.test(String(p.status)));
      if (captured.length > 0) throw new Error(`declined order has captured payments: ${JSON.stringify(captured)}`);
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, "declined-phone");
    });

    if (PAYPAL) {
      await step("PayPal: approve at PayPal, come back, reach Paid", async () => {
        await addProductsFromCatalog(page, 1);
        const orderId = await checkoutWithPayPal(page);
        await screenshot(page, "paypal-approval-page");
        await page.getByRole("button", { name: "Approve" }).click();
        await page.waitForURL(new RegExp(`/orders/${orderId}`), { timeout: 30000 });
        const status = await waitForStatus(page, ["Paid", "Cancelled"]);
        await screenshot(page, "paypal-paid");
        if (status !== "Paid") throw new Error(`PayPal order ${orderId} ended ${status}, not Paid`);
      });

      await step("PayPal: cancel at PayPal, the order is cancelled with the reason", async () => {
        await addProductsFromCatalog(page, 1);
        const orderId = await checkoutWithPayPal(page);
        await page.getByRole("button", { name: /Cancel/ }).click();
        await page.waitForURL(new RegExp(`/orders/${orderId}`), { timeout: 30000 });
        const status = await waitForStatus(page, ["Cancelled", "Paid"]);
        await screenshot(page, "paypal-cancelled");
        if (status !== "Cancelled") throw new Error(`PayPal order ${orderId} cancelled at PayPal ended ${status}`);
        const text = await page.getByTestId("order-outcome").innerText();
        if (!/cancelled at PayPal/i.test(text)) throw new Error(`the cancellation does not say the buyer cancelled at PayPal: ${text}`);
      });

      await step("PayPal: every call matched PayPal's API description", async () => {
        const r = await fetch(`${PAYPAL}/_fake/mismatches`);
        const list = await r.json();
        if (list.length) throw new Error(`the fake PayPal saw ${list.length} mismatches:\n${list.join("\n")}`);
      });
    } else {
      log("PAYPAL_URL unset: no PayPal steps");
    }

    await step("the admin's sales dashboard counts the paid order", async () => {
      if (!ADMIN_EMAIL || !ADMIN_PASSWORD) throw new Error("set E2E_ADMIN_EMAIL and E2E_ADMIN_PASSWORD to an admin of the shop");
      await context.clearCookies();
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${SHOP}/login`);
      await page.getByLabel("Email").fill(ADMIN_EMAIL);
      await page.getByLabel("Password").fill(ADMIN_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("link", { name: "Back office" }).waitFor();
      // The sales model catches up from the event store: reload until it counts the order.
      let orders = 0;
      for (let i = 0; i < 40 && orders === 0; i++) {
        await page.goto(`${SHOP}/admin/sales`);
        await page.getByRole("figure", { name: "Revenue over time" }).waitFor();
        const dd = page.locator(".sales-totals dt:text-is('Orders') + dd");
        orders = (await dd.count()) > 0 ? Number(await dd.first().innerText()) : 0;
        if (orders === 0) await page.waitForTimeout(250);
      }
      if (orders < 1) throw new Error("the sales dashboard counts no paid order");
      await page.getByRole("figure", { name: "Top products" }).locator("tbody tr").first().waitFor();
      await page.getByRole("figure", { name: "Conversion" }).waitFor();
      await page.locator(".recharts-surface").first().waitFor();
      await screenshot(page, "sales-dashboard");
      const href = await page.getByRole("link", { name: "by product" }).getAttribute("href");
      const csv = await page.evaluate(async (u) => {
        const r = await fetch(u, { credentials: "same-origin" });
        return { status: r.status, type: r.headers.get("content-type"), text: await r.text() };
      }, href);
      if (csv.status !== 200 || !/^text\/csv/.test(csv.type ?? "") || !csv.text.startsWith("sku,name,category,currency")) {
        throw new Error(`CSV download ${href}: ${csv.status} ${csv.type} ${csv.text.slice(0, 200)}`);
      }
      if (csv.text.trim().split("\n").length < 2) throw new Error(`the CSV by product has no product: ${csv.text}`);
    });

    await step("the admin finds the customer and their paid order in the back office", async () => {
      // Still signed in as the admin: search by the start of the email, open the customer, follow the order.
      await page.goto(`${SHOP}/admin/customers`);
      await page.getByLabel("Name, email or customer id").fill(email.slice(0, email.indexOf("@") + 1));
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByRole("row", { name: new RegExp(email.replace(/[.+]/g, "\\$&")) }).getByRole("link", { name: "E2E Shopper" }).click();
      await page.getByRole("heading", { name: "E2E Shopper" }).waitFor();
      await page.getByRole("form", { name: "Erase this customer's data" }).waitFor();
      await screenshot(page, "admin-customer");
      await page.getByRole("link", { name: paidOrder.slice(0, 8) }).click();
      await page.waitForURL(new RegExp(`/admin/orders/${paidOrder}`));
    });

    if (PAYPAL) {
      // Runs after the admin's step: the admin (still signed in) creates the
      // code, then the cookies go and a guest shops.
      const code = `E2E${Date.now().toString(36).toUpperCase()}`;
      const guestEmail = `e2e-guest+${Date.now()}@example.com`;
      await step("guest: checkout with a discount code, a shipping method and PayPal approval", async () => {
        const created = await page.evaluate(async (code) => {
          const csrf = await (await fetch("/api/auth/csrf", { credentials: "same-origin" })).json();
          const r = await fetch("/api/admin/discounts", {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", [csrf.headerName || "X-CSRF-Token"]: csrf.token },
            body: JSON.stringify({ code, kind: "percentage", percentOff: 10, maxUses: 5 }),
          });
          return { status: r.status, body: await r.text() };
        }, code);
        if (created.status !== 201) throw new Error(`creating code ${code}: ${created.status} ${created.body}`);
        await context.clearCookies();

        await addProductsFromCatalog(page, 1);
        await page.goto(`${SHOP}/basket`);
        await page.getByRole("textbox", { name: "Discount code" }).fill(code.toLowerCase());
        await page.getByRole("button", { name: "Apply" }).click();
        await page.getByTestId("discount-code").waitFor();
        await screenshot(page, "guest-basket-code");

        await page.goto(`${SHOP}/checkout`);
        await page.getByRole("button", { name: "Place order" }).waitFor({ timeout: 20000 });
        await page.getByLabel("Email", { exact: true }).fill(guestEmail);
        await page.getByLabel("Full name", { exact: true }).fill("E2E Guest");
        await page.getByLabel("Address line 1", { exact: true }).fill("2 Guest Lane");
        await page.getByLabel("Postal code", { exact: true }).fill("10117");
        await page.getByLabel("City", { exact: true }).fill("Berlin");
        await page.getByLabel("Country (2-letter code)", { exact: true }).fill("DE");
        const express = page.getByRole("radio", { name: /^Express/ });
        await express.first().waitFor({ timeout: 15000 });
        await express.first().check();
        await page.getByRole("radio", { name: "PayPal" }).check();
        await screenshot(page, "guest-checkout");
        await page.getByRole("button", { name: "Place order" }).click();
        // The order page (through its signed link) sends the guest on to PayPal.
        await page.waitForURL((u) => u.href.startsWith(`${PAYPAL}/checkoutnow`), { timeout: 30000 });
        await page.getByTestId("paypal-order").waitFor();
        await page.getByRole("button", { name: "Approve" }).click();
        await page.waitForURL(/\/orders\/[^/?]+\?.*token=/, { timeout: 30000 });
        const orderId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
        const status = await waitForStatus(page, ["Paid", "Cancelled"]);
        await screenshot(page, "guest-paypal-paid");
        if (status !== "Paid") throw new Error(`guest PayPal order ${orderId} ended ${status}, not Paid`);
        const token = new URL(page.url()).searchParams.get("token");
        const order = await page.evaluate(
          async ([id, token]) => (await fetch(`/api/orders/${id}?token=${encodeURIComponent(token)}`)).json(),
          [orderId, token],
        );
        if (!order.guest || order.discount?.code !== code || order.shippingMethod !== "express") {
          throw new Error(`the guest order does not record guest/code/method: ${JSON.stringify({ guest: order.guest, discount: order.discount, shippingMethod: order.shippingMethod })}`);
        }
        const b = order.breakdown;
        if (!b || b.gross?.amount !== order.total?.amount || !(b.discount?.amount > 0) || !(b.shipping?.gross?.amount > 0)) {
          throw new Error(`the guest order's breakdown lacks the discount or the shipping: ${JSON.stringify(b)}`);
        }
        // The confirmation email carries the signed link to the order's page.
        const deadline = Date.now() + 30000;
        let link = null;
        while (!link && Date.now() < deadline) {
          const mails = (await readMail().catch(() => [])).filter((m) => m.to.toLowerCase().includes(guestEmail));
          for (const m of mails) {
            const found = `${m.text}\n${m.html}`.match(new RegExp(`/orders/${orderId}\\?token=[^\\s"'<>]+`));
            if (found) link = found[0].replace(/&amp;/g, "&");
          }
          if (!link) await sleep(1000);
        }
        if (!link) throw new Error(`no email to ${guestEmail} links to order ${orderId} with its token`);
        await page.goto(`${SHOP}${link}`);
        await page.getByTestId("order-status").waitFor();
        await screenshot(page, "guest-order-from-email");
      });
    }

    const support = await step("the admin invites a support person, who accepts and gets the support back office", async () => {
      await context.clearCookies();
      await page.goto(`${SHOP}/login`);
      await page.getByLabel("Email").fill(ADMIN_EMAIL);
      await page.getByLabel("Password").fill(ADMIN_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("link", { name: "Back office" }).waitFor();
      const invitee = `e2e-support-${Date.now()}@example.com`;
      await page.goto(`${SHOP}/admin/staff`);
      const form = page.getByRole("form", { name: "Invite staff" });
      await form.getByLabel("Email").fill(invitee);
      await form.getByLabel(/^Name/).fill("Sue Support");
      await form.getByLabel("Support").check();
      await form.getByRole("button", { name: "Invite" }).click();
      await form.getByText(`Invitation sent: ${invitee}.`).waitFor();
      await page.getByRole("table", { name: "Staff and their roles" }).getByRole("row", { name: new RegExp(invitee) }).getByText("Invitation pending").waitFor();
      await screenshot(page, "staff-invited");
      const token = await mailLinkToken(invitee, /\/accept-invite\?token=([^\s"'<>&]+)/, "staff-invitation-email.txt");
      await context.clearCookies();
      await page.goto(`${SHOP}/accept-invite?token=${token}`);
      await page.getByLabel("Password", { exact: true }).fill(ADMIN_PASSWORD + "-support");
      await page.getByLabel("Repeat the password").fill(ADMIN_PASSWORD + "-support");
      await page.getByRole("button", { name: "Set password and accept" }).click();
      await page.getByText("Your invitation is accepted").waitFor();
      await page.getByLabel("Email").fill(invitee);
      await page.getByLabel("Password").fill(ADMIN_PASSWORD + "-support");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("link", { name: "Back office" }).click();
      const nav = page.getByRole("navigation", { name: "Back office" });
      await nav.getByRole("link", { name: "Orders" }).waitFor();
      if (await nav.getByRole("link", { name: "Staff" }).count()) throw new Error("support staff see the Staff link");
      await page.goto(`${SHOP}/admin/staff`);
      await page.getByRole("heading", { name: "Admins only" }).waitFor();
      await screenshot(page, "staff-support-back-office");
      return { email: invitee, password: ADMIN_PASSWORD + "-support" };
    });

    if (await fakeShopLacks("/api/catalog/products/SKU-001/stock/movements")) {
      log("the fake shop has no product admin, variants or returns: no product-to-return steps");
    } else {
      await productToReturn({ context, page, customer: { email, password }, support });
    }

    await step("no uncaught errors in the page", async () => {
      if (consoleErrors.length) throw new Error(consoleErrors.join("\n"));
    });
  } catch {
    await screenshot(page, "failure").catch(() => undefined);
    const alerts = await page.locator('[role="alert"]').allInnerTexts().catch(() => []);
    log(`at ${page.url()}${alerts.length ? `; on screen: ${alerts.join(" | ")}` : ""}`);
    if (consoleErrors.length) log(`uncaught errors in the page:\n${consoleErrors.join("\n")}`);
  } finally {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  }
}

await main().catch((e) => {
  results.push({ name: "e2e runner", ok: false, error: e });
  log(`FAIL ${e instanceof Error ? e.stack : e}`);
});
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
process.stdout.write(`e2e: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
