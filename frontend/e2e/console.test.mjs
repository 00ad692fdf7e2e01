// The SPA served by the real backend, in a real browser.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { startBrowser, startServer } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  mkdirSync("test-results", { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage() {
  const context = await browser.newContext({ locale: "zh-CN" });
  return context.newPage();
}

test("the console shows data fetched from the API", async () => {
  const meta = await (await fetch(`${server.url}/api/v1/meta`)).json();
  const page = await newPage();
  await page.goto(server.url);
  const version = page.getByTestId("service-version");
  await version.waitFor();
  assert.equal(await version.textContent(), meta.version);
  await page.getByText("sqlite · 就绪").waitFor();
  await page.screenshot({ path: "test-results/console.png", fullPage: true });
  await page.context().close();
});

test("the language switch changes the console and is remembered", async () => {
  const page = await newPage();
  await page.goto(server.url);
  await page.getByRole("heading", { name: "概览" }).waitFor();
  await page.getByText("English").click();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  await page.context().close();
});

test("deep links load the SPA, and sign-up reports the API's answers", async () => {
  const page = await newPage();
  await page.goto(`${server.url}/signup`);
  const fill = async (label, value) => page.getByLabel(label).fill(value);
  const fillForm = async (email) => {
    await fill("公司名称", "杭州好物优选有限公司");
    await fill("联系人", "王丽");
    await fill("联系电话", "13812345678");
    await fill("邮箱（登录账号）", email);
    await fill("密码", "tea-garden-2026");
  };
  await fillForm("e2e-owner@example.com");
  await page.getByRole("button", { name: "注 册" }).click();
  await page.getByTestId("signup-success").waitFor();
  await page.getByText("e2e-owner@example.com").waitFor();

  await page.goto(`${server.url}/signup`);
  await fillForm("e2e-owner@example.com");
  await page.getByRole("button", { name: "注 册" }).click();
  const alert = page.getByTestId("signup-error");
  await alert.waitFor();
  assert.match(await alert.textContent(), /该邮箱已注册/);
  await page.context().close();
});

test("an unknown page shows the SPA's not-found page, an unknown API path a problem", async () => {
  const page = await newPage();
  const response = await page.goto(`${server.url}/no/such/page`);
  assert.equal(response.status(), 200);
  await page.getByText("页面不存在").waitFor();
  const api = await page.request.get(`${server.url}/api/v1/no-such-thing`);
  assert.equal(api.status(), 404);
  assert.equal(api.headers()["content-type"], "application/problem+json");
  await page.context().close();
});
