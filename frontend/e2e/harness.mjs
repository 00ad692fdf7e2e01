// Starts the real `fenxiao` binary on a fresh SQLite database, serving the built SPA, and a
// headless Debian Chromium driven by playwright-core.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "fenxiao-e2e-"));
  const bin = process.env.FENXIAO_BIN ?? resolve("../target/debug/fenxiao");
  const child = spawn(bin, ["serve"], {
    env: {
      ...process.env,
      FENXIAO_DATABASE_URL: `sqlite://${join(dir, "e2e.db")}`,
      FENXIAO_BIND: "127.0.0.1:0",
      FENXIAO_DATA_DIR: dir,
      FENXIAO_FRONTEND_DIR: resolve("dist"),
      FENXIAO_LOG: "warn",
      FENXIAO_WORKERS: "2",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start in 30 s")), 30_000);
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = output.match(/serving on (http:\/\/[\d.:]+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before serving: ${output}`));
    });
  });
  return {
    url,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}
