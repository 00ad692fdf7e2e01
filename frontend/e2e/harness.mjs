// Starts the real `fenxiao` binary on a fresh SQLite database, serving the built SPA, and a
// headless Debian Chromium driven by playwright-core.
import assert from "node:assert/strict";
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
  /** A JSON request to the API, with the bearer token when given. */
  const call = (method, path, token, body) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const server = {
    url,
    call,
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
  /** A verified merchant owner made through the API, as sign-up does; answers the access token. */
  server.owner = async (email) => {
    await call("POST", "/api/v1/signup", null, {
      company_name: "好物优选",
      contact_name: "王丽",
      phone: "13812345678",
      email,
      password: OWNER_PASSWORD,
    });
    const mail = await server.message(email, "verify_email");
    await call("POST", "/api/v1/signup/verify-email", null, {
      token: mail.body.match(/token=([0-9a-f]{64})/)[1],
    });
    const res = await call("POST", "/api/v1/auth/sign-in", null, {
      email,
      password: OWNER_PASSWORD,
    });
    return (await res.json()).tokens.access_token;
  };
  return server;
}

/** The password of the owners `server.owner` makes. */
export const OWNER_PASSWORD = "tea-garden-2026";

/** A response's JSON body, asserting the response was a success. */
export async function json(res) {
  const body = await res.json();
  assert.ok(res.ok, `${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** A new browser context signed in to the console as `email`; answers its page. */
export async function signIn(browser, server, email) {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill(OWNER_PASSWORD);
  await page.getByRole("button", { name: "登 录" }).click();
  await page.getByTestId("service-version").waitFor();
  return page;
}

/** Opens a console page through its menu entry, as a merchant would. */
export async function openFromMenu(page, label) {
  await page.getByRole("menu").getByRole("link", { name: label, exact: true }).click();
  await page.getByRole("heading", { name: label, level: 2 }).waitFor();
}

/**
 * Retries an assertion about the page until it holds or `timeout` ms pass, then throws its last
 * failure: the page renders asynchronously, so a single read right after an action can see the
 * moment before the change.
 */
export async function eventually(assertion, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolveSoon) => setTimeout(resolveSoon, 100));
    }
  }
}

/** What each browser context saw go wrong: refused requests and console errors, for failure reports. */
const troubles = new WeakMap();

export async function startBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const newContext = browser.newContext.bind(browser);
  // Reduced motion: the console then shows dialogs and dropdowns without animation, so a click
  // never lands on a popup that is still sliding into place.
  browser.newContext = async (options) => {
    const context = await newContext({ reducedMotion: "reduce", ...options });
    const seen = [];
    troubles.set(context, seen);
    context.on("response", (response) => {
      if (response.status() >= 400) {
        seen.push(`${response.status()} ${response.request().method()} ${response.url()}`);
      }
    });
    context.on("console", (message) => {
      if (message.type() === "error") seen.push(`console: ${message.text()}`);
    });
    context.on("weberror", (error) => seen.push(`page error: ${error.error().message}`));
    return context;
  };
  return browser;
}

/**
 * Run after each test. A passing test closes its browser context, so a page still open means the
 * test failed there: print what the page shows (URL, alerts, field errors, dialogs), what went wrong
 * on the wire, and save a screenshot, so a failure on a CI machine can be understood from its log.
 */
export async function reportOpenPages(browser, testName) {
  for (const context of browser.contexts()) {
    for (const [index, page] of context.pages().entries()) {
      const lines = [`--- page left open by "${testName}": ${page.url()}`];
      const shown = await page
        .locator(
          ".ant-alert:visible, .ant-form-item-explain-error:visible, .ant-message-notice:visible, .ant-notification-notice:visible, [role=dialog]:visible",
        )
        .allInnerTexts()
        .catch((error) => [`(could not read the page: ${error.message})`]);
      for (const text of shown) lines.push(`shown: ${text.replace(/\s+/g, " ").slice(0, 400)}`);
      for (const trouble of troubles.get(context) ?? []) lines.push(trouble);
      const file = `test-results/failure-${testName.replace(/[^\w\u4e00-\u9fff]+/g, "-").slice(0, 60)}-${index}.png`;
      await page
        .screenshot({ path: file, fullPage: true })
        .then(() => lines.push(`screenshot: frontend/${file}`))
        .catch(() => {});
      console.log(lines.join("\n"));
    }
    await context.close();
  }
}
