#!/usr/bin/env node
// A stand-in gateway for checking the storefront and e2e/run.mjs in a real
// browser before the Go backend runs. It serves web/dist (SPA fallback) and an
// in-memory imitation of the public API contract (ARCHITECTURE §10): CSRF
// double-submit, cookie session, guest basket + merge, ETag/If-Match, checkout
// with Idempotency-Key, an order that walks Placed → … → Paid (or is cancelled
// for a declined card), payments, staff invitations, and the dev mail outbox.
// It is a test tool only: no persistence, no real security.
//
//   node e2e/fake-shop.mjs [port]      (default 8080, listens on 127.0.0.1)

import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const port = Number(process.argv[2] || process.env.PORT || 8080);
const STEP_MS = 300;

const categories = ["Tea", "Books", "Kitchen"];
const products = Array.from({ length: 14 }, (_, i) => ({
  sku: `SKU-${String(i + 1).padStart(3, "0")}`,
  name: `${["Sencha", "Novel", "Kettle", "Oolong", "Atlas", "Whisk", "Matcha"][i % 7]} ${i + 1}`,
  description: "A fine demo product.",
  category: categories[i % 3],
  price: { amount: 499 + i * 250, currency: "EUR" },
  images: [],
  stock: i === 13 ? 0 : 20,
  attributes: { origin: "demo" },
  createdAt: i,
}));

const users = new Map(); // email → user
const sessions = new Map(); // sid → userId
const tokens = new Map(); // verify token → email
const baskets = new Map(); // owner → {lines, revision}
const orders = new Map(); // id → order
const idem = new Map(); // userId|key → orderId
const mail = [];
const invites = new Map(); // staff invitation token → email
const staffAudit = []; // grants, oldest first
// The admin e2e/run.mjs signs in as for the back office (selftest sets these).
if (process.env.E2E_ADMIN_EMAIL) {
  users.set(process.env.E2E_ADMIN_EMAIL, {
    id: randomUUID(), email: process.env.E2E_ADMIN_EMAIL, name: "Admin", password: process.env.E2E_ADMIN_PASSWORD,
    verified: true, roles: ["admin"],
  });
}

// A sales report over the paid orders, shaped as GET /api/admin/sales answers
// (one currency, days in UTC, no refunds or baskets: the fake keeps none).
function salesReport(q) {
  const day = (iso) => iso.slice(0, 10);
  const to = q.get("to") || day(new Date().toISOString());
  const from = q.get("from") || to;
  const by = q.get("by") || "day";
  const paid = [...orders.values()].filter((o) => o.status === "Paid" && day(o.placedAt) >= from && day(o.placedAt) <= to);
  const sum = (os) => {
    const gross = os.reduce((n, o) => n + o.total.amount, 0);
    return { currency: "EUR", orders: os.length, gross, net: gross, averageOrderValue: os.length ? Math.round(gross / os.length) : 0, refunds: 0, refunded: 0, refundRate: 0 };
  };
  const conversion = { basketsFilled: 0, basketsCheckedOut: 0, rate: 0 };
  const r = { from, to, timeZone: "UTC", by, totals: paid.length ? [sum(paid)] : [], conversion };
  if (by === "day") {
    r.days = [];
    for (let d = new Date(`${from}T00:00:00Z`); day(d.toISOString()) <= to; d.setUTCDate(d.getUTCDate() + 1)) {
      r.days.push({ day: day(d.toISOString()), ...sum(paid.filter((o) => day(o.placedAt) === day(d.toISOString()))), ...conversion });
    }
  } else {
    const rows = new Map();
    for (const o of paid) {
      for (const l of o.lines) {
        const k = by === "product" ? l.sku : l.category;
        const row = rows.get(k) ?? { ...(by === "product" ? { sku: l.sku, name: l.name } : {}), category: l.category, currency: "EUR", quantity: 0, orders: 0, gross: 0, net: 0 };
        row.quantity += l.quantity;
        row.orders += 1;
        row.gross += l.unitPrice.amount * l.quantity;
        row.net = row.gross;
        rows.set(k, row);
      }
    }
    r[by === "product" ? "products" : "categories"] = [...rows.values()].sort((a, b) => b.gross - a.gross);
  }
  if (q.get("format") !== "csv") return { json: r };
  const cols = Object.keys((r.products ?? r.categories ?? r.days)[0] ?? { sku: 0, name: 0, category: 0, currency: 0 });
  const rows = (r.products ?? r.categories ?? r.days).map((x) => cols.map((c) => x[c]).join(","));
  return { csv: [cols.join(","), ...rows].join("\n") + "\n" };
}

const mime = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".map": "application/json", ".png": "image/png" };

function cookies(req) {
  return Object.fromEntries(
    (req.headers.cookie ?? "").split(";").filter(Boolean).map((c) => {
      const i = c.indexOf("=");
      return [c.slice(0, i).trim(), decodeURIComponent(c.slice(i + 1).trim())];
    }),
  );
}

function send(res, status, body, headers = {}) {
  const h = { "Cache-Control": "no-store", ...headers };
  if (body === undefined) {
    res.writeHead(status, h);
    return res.end();
  }
  res.writeHead(status, { "Content-Type": "application/json", ...h });
  res.end(JSON.stringify(body));
}

function problem(res, status, title, detail, errors) {
  res.writeHead(status, { "Content-Type": "application/problem+json" });
  res.end(JSON.stringify({ type: "about:blank", title, status, detail, errors }));
}

async function readJSON(req) {
  let s = "";
  for await (const chunk of req) s += chunk;
  if (!s) return {};
  return JSON.parse(s);
}

function basketView(b) {
  const lines = b.lines.map((l) => ({ ...l, lineTotal: { amount: l.unitPrice.amount * l.quantity, currency: "EUR" } }));
  const total = lines.length ? { amount: lines.reduce((n, l) => n + l.lineTotal.amount, 0), currency: "EUR" } : null;
  return { lines, total, revision: b.revision };
}

function basketFor(owner) {
  if (!baskets.has(owner)) baskets.set(owner, { lines: [], revision: 0 });
  return baskets.get(owner);
}

function advance(order, steps) {
  const [next, ...rest] = steps;
  if (!next) return;
  setTimeout(() => {
    next(order);
    advance(order, rest);
  }, STEP_MS);
}

function setStatus(o, status, reason) {
  o.status = status;
  o.history.push({ status, at: new Date().toISOString(), ...(reason ? { reason } : {}) });
}

async function api(req, res, url) {
  const c = cookies(req);
  const userId = sessions.get(c.sid);
  const user = [...users.values()].find((u) => u.id === userId);
  const m = req.method;
  const p = url.pathname;
  const setCookies = [];

  if (!["GET", "HEAD"].includes(m)) {
    if (!c.csrf || req.headers["x-csrf-token"] !== c.csrf) return problem(res, 403, "Forbidden", "CSRF token missing or invalid");
  }
  if (m === "GET" && p === "/api/auth/csrf") {
    const token = c.csrf || randomUUID();
    return send(res, 200, { token, headerName: "X-CSRF-Token" }, { "Set-Cookie": `csrf=${token}; Path=/; SameSite=Lax` });
  }
  if (m === "GET" && p === "/api/config") return send(res, 200, { paymentGateway: "sandbox" });
  if (m === "POST" && p === "/api/auth/register") {
    const b = await readJSON(req);
    const errors = [];
    if (!/^[^@\s]+@[^@\s]+$/.test(b.email ?? "")) errors.push({ field: "email", reason: "must be an email address" });
    if ((b.password ?? "").length < 8) errors.push({ field: "password", reason: "must be at least 8 characters" });
    if (!b.name) errors.push({ field: "name", reason: "is required" });
    if (errors.length) return problem(res, 422, "Validation failed", "Please correct the marked fields.", errors);
    if (users.has(b.email)) return send(res, 201, {});
    const u = { id: randomUUID(), email: b.email, name: b.name, password: b.password, verified: false, roles: ["customer"], createdAt: new Date().toISOString() };
    users.set(b.email, u);
    const token = randomUUID().replace(/-/g, "");
    tokens.set(token, b.email);
    const link = `http://127.0.0.1:${port}/verify?token=${token}`;
    mail.push({ id: randomUUID(), to: b.email, subject: "Verify your email", text: `Hello ${b.name},\nopen ${link}\n`, html: `<a href="${link}">Verify</a>`, sentAt: new Date().toISOString() });
    return send(res, 201, { id: u.id });
  }
  if (m === "POST" && p === "/api/auth/verify") {
    const { token } = await readJSON(req);
    const email = tokens.get(token);
    if (!email) return problem(res, 400, "Invalid token", "The token is expired or already used.");
    tokens.delete(token);
    users.get(email).verified = true;
    return send(res, 204);
  }
  if (m === "POST" && p === "/api/auth/login") {
    const b = await readJSON(req);
    const u = users.get(b.email);
    if (!u || u.password !== b.password) return problem(res, 401, "Invalid credentials", "Email or password is wrong.");
    if (!u.verified) return problem(res, 403, "Email not verified", "Open the link in the email we sent you first.");
    const sid = randomUUID();
    sessions.set(sid, u.id);
    return send(res, 204, undefined, { "Set-Cookie": `sid=${sid}; Path=/; HttpOnly; SameSite=Lax` });
  }
  if (m === "POST" && p === "/api/auth/invitation/accept") {
    const b = await readJSON(req);
    const email = invites.get(b.token);
    if (!email) return problem(res, 400, "Bad Request", "the link is invalid, was already used or has expired");
    if ((b.password ?? "").length < 8) return problem(res, 422, "Validation failed", undefined, [{ field: "password", reason: "must be 8-128 characters" }]);
    invites.delete(b.token);
    Object.assign(users.get(email), { password: b.password, verified: true });
    return send(res, 200, { status: "invitation_accepted" });
  }
  if (m === "POST" && p === "/api/auth/logout") {
    sessions.delete(c.sid);
    return send(res, 204, undefined, { "Set-Cookie": "sid=; Path=/; Max-Age=0" });
  }
  if (m === "POST" && p === "/api/auth/refresh") return user ? send(res, 204) : problem(res, 401, "Unauthorized");
  if (m === "GET" && p === "/api/auth/me") {
    if (!user) return problem(res, 401, "Unauthorized");
    return send(res, 200, { id: user.id, email: user.email, name: user.name, roles: user.roles });
  }
  if (m === "GET" && p === "/api/catalog/categories") return send(res, 200, categories.map((name) => ({ name, count: products.filter((x) => x.category === name).length })));
  if (m === "GET" && p === "/api/catalog/products") {
    const q = url.searchParams;
    let list = products.filter(
      (x) =>
        (!q.get("q") || x.name.toLowerCase().includes(q.get("q").toLowerCase())) &&
        (!q.get("category") || x.category === q.get("category")) &&
        (!q.get("minPrice") || x.price.amount >= Number(q.get("minPrice"))) &&
        (!q.get("maxPrice") || x.price.amount <= Number(q.get("maxPrice"))),
    );
    const sort = q.get("sort");
    if (sort === "price_asc") list.sort((a, b) => a.price.amount - b.price.amount);
    if (sort === "price_desc") list.sort((a, b) => b.price.amount - a.price.amount);
    if (sort === "name") list.sort((a, b) => a.name.localeCompare(b.name));
    if (sort === "newest") list.sort((a, b) => b.createdAt - a.createdAt);
    const page = Number(q.get("page") || 1);
    const pageSize = Number(q.get("pageSize") || 12);
    return send(res, 200, { items: list.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: list.length });
  }
  const productMatch = p.match(/^\/api\/catalog\/products\/([^/]+)$/);
  if (m === "GET" && productMatch) {
    const x = products.find((y) => y.sku === decodeURIComponent(productMatch[1]));
    return x ? send(res, 200, x) : problem(res, 404, "Not Found", "No such product.");
  }

  if (p.startsWith("/api/basket")) {
    let guest = c.basket_id;
    if (!guest) {
      guest = randomUUID();
      setCookies.push(`basket_id=${guest}; Path=/; HttpOnly; SameSite=Lax`);
    }
    const owner = user ? `u-${user.id}` : `g-${guest}`;
    const b = basketFor(owner);
    const reply = (status = 200) => send(res, status, basketView(b), { ETag: `"${b.revision}"`, "Set-Cookie": setCookies });
    if (m !== "GET" && req.headers["if-match"] && req.headers["if-match"] !== `"${b.revision}"` && p !== "/api/basket/merge" && p !== "/api/basket/checkout")
      return problem(res, 412, "Precondition Failed", `basket revision is ${b.revision}`);
    if (m === "GET" && p === "/api/basket") return reply();
    if (m === "POST" && p === "/api/basket/items") {
      const { sku, quantity } = await readJSON(req);
      const prod = products.find((x) => x.sku === sku);
      if (!prod) return problem(res, 422, "Unknown product", `no product ${sku}`, [{ field: "sku", reason: "unknown" }]);
      const line = b.lines.find((l) => l.sku === sku);
      if (line) line.quantity += quantity;
      else b.lines.push({ sku, name: prod.name, quantity, unitPrice: prod.price });
      b.revision++;
      return reply();
    }
    const item = p.match(/^\/api\/basket\/items\/([^/]+)$/);
    if (item && m === "PATCH") {
      const { quantity } = await readJSON(req);
      const line = b.lines.find((l) => l.sku === decodeURIComponent(item[1]));
      if (!line) return problem(res, 404, "Not Found");
      line.quantity = quantity;
      b.revision++;
      return reply();
    }
    if (item && m === "DELETE") {
      b.lines = b.lines.filter((l) => l.sku !== decodeURIComponent(item[1]));
      b.revision++;
      return reply();
    }
    if (m === "POST" && p === "/api/basket/merge") {
      if (!user) return problem(res, 401, "Unauthorized");
      const g = basketFor(`g-${guest}`);
      for (const l of g.lines) {
        const mine = b.lines.find((x) => x.sku === l.sku);
        if (mine) mine.quantity += l.quantity;
        else b.lines.push({ ...l });
      }
      g.lines = [];
      b.revision++;
      return reply();
    }
    if (m === "POST" && p === "/api/basket/checkout") {
      if (!user) return problem(res, 401, "Unauthorized");
      const key = req.headers["idempotency-key"];
      if (!key) return problem(res, 400, "Idempotency-Key required");
      if (idem.has(`${user.id}|${key}`)) return send(res, 202, { orderId: idem.get(`${user.id}|${key}`) });
      const body = await readJSON(req);
      const digits = String(body.payment?.cardNumber ?? "").replace(/\D/g, "");
      if (!["4242424242424242", "4000000000000002"].includes(digits))
        return problem(res, 422, "Invalid card", "Use a sandbox test card.", [{ field: "payment.cardNumber", reason: "not a test card" }]);
      if (!b.lines.length) return problem(res, 409, "Empty basket", "There is nothing to check out.");
      const view = basketView(b);
      const id = randomUUID();
      const o = {
        orderId: id,
        customerId: user.id,
        status: "Placed",
        lines: view.lines,
        total: view.total,
        shippingAddress: body.shippingAddress,
        history: [{ status: "Placed", at: new Date().toISOString() }],
        placedAt: new Date().toISOString(),
        payments: [],
      };
      orders.set(id, o);
      idem.set(`${user.id}|${key}`, id);
      b.lines = [];
      b.revision++;
      const pay = { paymentId: randomUUID(), status: "Requested", amount: o.total, last4: digits.slice(-4) };
      const declined = digits === "4000000000000002";
      advance(o, [
        (x) => x.payments.push(pay),
        ...(declined
          ? [
              () => Object.assign(pay, { status: "Failed", failureReason: "card_declined" }),
              (x) => Object.assign(x, { cancelReason: "card_declined" }) && setStatus(x, "Cancelled", "card_declined"),
            ]
          : [
              () => (pay.status = "Authorized"),
              () => (pay.status = "Captured"),
              (x) => setStatus(x, "Paid"),
            ]),
      ]);
      return send(res, 202, { orderId: id });
    }
  }

  if (!user && (p.startsWith("/api/orders") || p.startsWith("/api/payments") || p.startsWith("/api/clients") || p.startsWith("/api/admin")))
    return problem(res, 401, "Unauthorized");
  if (p.startsWith("/api/admin/staff")) {
    if (!user.roles.includes("admin")) return problem(res, 403, "Forbidden");
    const view = (u) => ({ id: u.id, email: u.email, name: u.name, emailVerified: u.verified, invitationPending: !u.verified,
      roles: u.roles.filter((r) => r !== "customer").map((role) => ({ role, since: u.since?.[role] ?? new Date(0).toISOString() })) });
    if (m === "GET" && p === "/api/admin/staff") return send(res, 200, { items: [...users.values()].filter((u) => view(u).roles.length).map(view) });
    if (m === "GET" && p === "/api/admin/staff/audit") return send(res, 200, { items: [...staffAudit].reverse() });
    if (m === "POST" && p === "/api/admin/staff/invitations") {
      const b = await readJSON(req);
      const email = String(b.email ?? "").trim().toLowerCase();
      const errors = [];
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) errors.push({ field: "email", reason: "invalid email" });
      if (!["support", "admin"].includes(b.role)) errors.push({ field: "role", reason: "only the support and admin roles can be granted or revoked" });
      if (errors.length) return problem(res, 422, "Unprocessable Entity", "the request has invalid fields", errors);
      let u = users.get(email);
      const created = !u;
      if (!u) users.set(email, (u = { id: randomUUID(), email, name: b.name || email.split("@")[0], password: randomUUID(), verified: false, roles: ["customer"] }));
      if (!u.roles.includes(b.role)) {
        u.roles.push(b.role);
        u.since = { ...u.since, [b.role]: new Date().toISOString() };
        staffAudit.push({ id: randomUUID(), action: "granted", role: b.role, userId: u.id, email, name: u.name, actor: user.id, actorEmail: user.email, viaInvitation: !u.verified, at: new Date().toISOString() });
      }
      if (!u.verified) {
        const token = randomUUID().replace(/-/g, "");
        invites.set(token, email);
        const link = `http://127.0.0.1:${port}/accept-invite?token=${token}`;
        mail.push({ id: randomUUID(), to: email, subject: "You are invited to the evshop staff", text: `Hello ${u.name},\naccept: ${link}\n`, html: `<a href="${link}">Accept</a>`, sentAt: new Date().toISOString() });
      }
      return send(res, created ? 201 : 200, { status: created ? "invited" : u.verified ? "granted" : "reinvited", member: view(u) });
    }
    return problem(res, 404, "Not Found", `${m} ${p} is not part of the fake shop`);
  }
  if (m === "GET" && p === "/api/admin/sales") {
    if (!user.roles.includes("admin")) return problem(res, 403, "Forbidden");
    const out = salesReport(url.searchParams);
    if (out.csv) {
      res.writeHead(200, { "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store" });
      return res.end(out.csv);
    }
    return send(res, 200, out.json);
  }
  // The back office's customers (api/client/admin.go): each word begins a word of the name or the email.
  const staff = user && (user.roles.includes("admin") || user.roles.includes("support"));
  if (m === "GET" && p === "/api/admin/customers") {
    if (!staff) return problem(res, 403, "Forbidden");
    const words = (url.searchParams.get("q") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    const hits = [...users.values()]
      .filter((u) => u.roles.includes("customer"))
      .filter((u) => {
        const terms = [...u.name.toLowerCase().split(/\s+/), u.email.toLowerCase()];
        return words.every((w) => terms.some((t) => t.startsWith(w)) || w === u.id);
      })
      .reverse();
    const items = hits.slice(0, 20).map((u) => ({ id: u.id, email: u.email, name: u.name, createdAt: u.createdAt }));
    return send(res, 200, { items, page: 1, pageSize: 20, total: hits.length });
  }
  const customerMatch = p.match(/^\/api\/admin\/customers\/([^/]+)$/);
  if (m === "GET" && customerMatch) {
    if (!staff) return problem(res, 403, "Forbidden");
    const u = [...users.values()].find((x) => x.id === decodeURIComponent(customerMatch[1]));
    if (!u) return problem(res, 404, "Not Found", "no such customer");
    return send(res, 200, {
      id: u.id, email: u.email, name: u.name, profile: { name: u.name, phone: "", addresses: [] },
      preferences: { language: "en", currency: "EUR", marketingOptIn: false, favouriteCategories: [], extra: {} },
      erased: false, erasures: [], createdAt: u.createdAt, updatedAt: u.createdAt,
    });
  }
  if (m === "GET" && p === "/api/admin/orders") {
    if (!staff) return problem(res, 403, "Forbidden");
    const who = url.searchParams.get("customerId");
    const list = [...orders.values()].filter((o) => !who || o.customerId === who).reverse();
    const items = list.map(({ orderId, customerId, email, status, total, placedAt }) => ({ orderId, customerId, email, status, total, placedAt }));
    return send(res, 200, { items, page: 1, pageSize: 20, total: items.length });
  }
  if (m === "GET" && p === "/api/orders") {
    const mine = [...orders.values()].filter((o) => o.customerId === user.id).reverse();
    return send(res, 200, { items: mine.map(({ orderId, status, total, placedAt }) => ({ orderId, status, total, placedAt })), page: 1, pageSize: 20, total: mine.length });
  }
  const orderMatch = p.match(/^\/api\/orders\/([^/]+)$/);
  if (m === "GET" && orderMatch) {
    const o = orders.get(decodeURIComponent(orderMatch[1]));
    if (!o || o.customerId !== user.id) return problem(res, 404, "Not Found");
    const { payments: _p, customerId: _c, ...view } = o;
    return send(res, 200, view);
  }
  if (m === "GET" && p === "/api/payments") {
    const o = orders.get(url.searchParams.get("orderId") ?? "");
    if (!o || o.customerId !== user.id) return problem(res, 404, "Not Found");
    return send(res, 200, { orderId: o.orderId, payments: o.payments });
  }
  if (m === "GET" && p === "/api/clients/me") return send(res, 200, { name: user.name, phone: "", addresses: [] });
  if (m === "GET" && p === "/api/clients/me/preferences")
    return send(res, 200, { language: "de-DE", currency: "EUR", marketingOptIn: false, favouriteCategories: [], extra: {} });
  if (m === "GET" && p === "/api/clients/me/recommendations") return send(res, 200, { items: products.slice(0, 4) });
  return problem(res, 404, "Not Found", `${m} ${p} is not part of the fake shop`);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
  try {
    if (url.pathname.startsWith("/api/")) return await api(req, res, url);
    if (url.pathname === "/dev/mail.json") return send(res, 200, mail);
    const file = normalize(join(dist, url.pathname));
    if (file.startsWith(dist) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { "Content-Type": mime[extname(file)] ?? "application/octet-stream" });
      return res.end(readFileSync(file));
    }
    if (!existsSync(join(dist, "index.html"))) return problem(res, 503, "Storefront not built", "Run npm run build first.");
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(readFileSync(join(dist, "index.html")));
  } catch (e) {
    if (e instanceof SyntaxError) return problem(res, 400, "Malformed JSON", e.message);
    console.error(e);
    problem(res, 500, "Internal Server Error");
  }
});
server.listen(port, "127.0.0.1", () => console.log(`fake shop on http://127.0.0.1:${port}`));
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
