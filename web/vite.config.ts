/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The storefront talks only to the gateway. In development the Vite server
// proxies /api and /dev to a running shop so cookies stay same-origin, which
// is what the CSRF double-submit cookie and the HttpOnly session cookies need.
const shop = process.env.SHOP_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": { target: shop, changeOrigin: false },
      "/dev": { target: shop, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    sourcemap: true,
    // The gateway's CSP forbids inline scripts; keep every asset a file.
    assetsInlineLimit: 0,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    // Component tests drive a real DOM; on a loaded 2-core CI machine the
    // default 5 s is too tight for the longest journeys.
    testTimeout: 30_000,
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
