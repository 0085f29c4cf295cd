#!/usr/bin/env node
// Runs e2e/run.mjs against e2e/fake-shop.mjs: proves the browser test and the
// built storefront work together before the Go backend exists. Needs a build.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const port = process.env.FAKE_SHOP_PORT || "18931";
// The fake shop bootstraps this admin, as scripts/e2e.sh makes the real one do.
process.env.E2E_ADMIN_EMAIL ||= "admin@fake-shop.test";
process.env.E2E_ADMIN_PASSWORD ||= "Fake-Admin-Passphrase-1";
const shop = spawn(process.execPath, [join(here, "fake-shop.mjs"), port], { stdio: ["ignore", "inherit", "inherit"] });
const code = await new Promise((done) => {
  const run = spawn(process.execPath, [join(here, "run.mjs")], {
    stdio: "inherit",
    env: { ...process.env, SHOP_URL: `http://127.0.0.1:${port}`, SES_STORE_URL: "" },
  });
  run.on("exit", (c) => done(c ?? 1));
});
shop.kill("SIGTERM");
process.exit(code);
