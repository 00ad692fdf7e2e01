// Starts the real `fenxiao` binary on a fresh SQLite database, serving the built SPA, and a
// headless Debian Chromium driven by playwright-core.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
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

export const OPERATOR = { email: "operator@e2e.test", password: "operator-pass-2026" };

/** Runs `fenxiao admin create` against the test database: the real way the first operator is made. */
function createOperator(bin, env) {
  const result = spawnSync(bin, ["admin", "create", "--email", OPERATOR.email, "--name", "运维"], {
    env,
    input: `${OPERATOR.password}\n`,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`admin create failed: ${result.stderr}`);
}

export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "fenxiao-e2e-"));
  const bin = process.env.FENXIAO_BIN ?? resolve("../target/debug/fenxiao");
  const databaseUrl = `sqlite://${join(dir, "e2e.db")}`;
  const env = {
    ...process.env,
    FENXIAO_DATABASE_URL: databaseUrl,
    FENXIAO_BIND: "127.0.0.1:0",
    FENXIAO_DATA_DIR: dir,
    FENXIAO_FRONTEND_DIR: resolve("dist"),
    FENXIAO_LOG: "warn",
    FENXIAO_WORKERS: "2",
  };
  createOperator(bin, env);
  const child = spawn(bin, ["serve"], { env, stdio: ["ignore", "pipe", "inherit"] });
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
  let operatorToken = null;
  return {
    url,
    /** The database the server uses, for tools that seed it (the `seed_sales` example). */
    databaseUrl,
    /** The directory of the `fenxiao` binary, whose `examples/` holds the example tools. */
    binDir: dirname(bin),
    /** The newest message of `template` to `recipient`, read through the operator's API. */
    async message(recipient, template) {
      if (!operatorToken) {
        const res = await fetch(`${url}/api/v1/platform/auth/sign-in`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(OPERATOR),
        });
        operatorToken = (await res.json()).tokens.access_token;
      }
      const query = new URLSearchParams({ recipient, template });
      const res = await fetch(`${url}/api/v1/platform/outbox?${query}`, {
        headers: { authorization: `Bearer ${operatorToken}` },
      });
      const messages = await res.json();
      if (!Array.isArray(messages) || messages.length === 0) {
        throw new Error(`no ${template} message to ${recipient}`);
      }
      return messages[0];
    },
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
