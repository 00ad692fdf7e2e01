import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

// The backend serves the built SPA; in development Vite proxies the API to it.
const backend = process.env.FENXIAO_DEV_BACKEND ?? "http://127.0.0.1:8080";

const FRAMEWORK =
  /\/node_modules\/(react|react-dom|scheduler|react-router|@tanstack\/[^/]+|i18next|react-i18next)\//;

/**
 * Two entries: the merchant console (index.html) and the shopper's pages (shop.html, for every
 * path under /shop/). The server answers shop.html for /shop/… and index.html for every other
 * page; in development this plugin does the same.
 */
function shopEntry(): Plugin {
  return {
    name: "fenxiao-shop-entry",
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const path = req.url?.split("?")[0] ?? "";
        if (
          (path === "/shop" || path.startsWith("/shop/")) &&
          !path.split("/").pop()?.includes(".")
        ) {
          req.url = `/shop.html${req.url?.slice(path.length) ?? ""}`;
        }
        next();
      });
    },
  };
}

/**
 * Writes which source modules went into which chunk (`.vite/chunk-modules.json`, beside Vite's
 * manifest), so that scripts/bundle-size.mjs can prove the shop entry loads no console module.
 */
function chunkModules(): Plugin {
  return {
    name: "fenxiao-chunk-modules",
    apply: "build",
    generateBundle(_options, bundle) {
      const root = `${resolve(__dirname)}/`;
      const chunks: Record<string, string[]> = {};
      for (const output of Object.values(bundle)) {
        if (output.type !== "chunk") continue;
        chunks[output.fileName] = output.moduleIds.map((id) =>
          id.startsWith(root) ? id.slice(root.length) : id,
        );
      }
      this.emitFile({
        type: "asset",
        fileName: ".vite/chunk-modules.json",
        source: `${JSON.stringify(chunks, null, 1)}\n`,
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), shopEntry(), chunkModules()],
  server: {
    proxy: {
      "/api": backend,
      "/healthz": backend,
      "/readyz": backend,
      "/media": backend,
    },
  },
  build: {
    manifest: true,
    rollupOptions: {
      input: {
        console: resolve(__dirname, "index.html"),
        shop: resolve(__dirname, "shop.html"),
      },
      output: {
        // React, the router, the query cache and i18next: what every entry loads first, in one
        // chunk that keeps its name (and the browser's cached copy) while only the app changes.
        // antd is left to Rollup, so that each page carries only the components it shows.
        manualChunks(id) {
          if (FRAMEWORK.test(id)) return "framework";
          return undefined;
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    // antd pages render slowly in jsdom; on a busy two-core machine a page test can take tens of
    // seconds, which is no failure of the page.
    testTimeout: 60_000,
  },
});
