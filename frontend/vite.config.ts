import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The backend serves the built SPA; in development Vite proxies the API to it.
const backend = process.env.FENXIAO_DEV_BACKEND ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": backend,
      "/healthz": backend,
      "/readyz": backend,
      "/media": backend,
    },
  },
  build: {
    chunkSizeWarningLimit: 2000,
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
