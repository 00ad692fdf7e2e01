// The SPA served by the real backend, in a real browser.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, test } from "node:test";
import { eventually, reportOpenPages, startBrowser, startServer } from "./harness.mjs";
import { totp } from "./totp.mjs";

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

afterEach((t) => reportOpenPages(browser, t.name));

async function newPage() {
  const context = await browser.newContext({ locale: "zh-CN" });
  return context.newPage();
}

async function fillSignUp(page, email) {
  const fill = async (label, value) => page.getByLabel(label).fill(value);
  await fill("公司名称", "杭州好物优选有限公司");
  await fill("联系人", "王丽");
  await fill("联系电话", "13812345678");
  await fill("邮箱（登录账号）", email);
  await fill("密码", "tea-garden-2026");
  await page.getByRole("button", { name: "注 册" }).click();
}

/** Signs in on the login page; returns once the API has answered the password. */
async function signIn(page, email) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill("tea-garden-2026");
  const answered = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/sign-in"));
  await page.getByRole("button", { name: "登 录" }).click();
  await answered;
}

test("sign up, verify, sign in, turn on MFA, sign in again with a TOTP code", async () => {
  const email = "owner@e2e.test";
  const page = await newPage();
  await page.goto(`${server.url}/signup`);
  await fillSignUp(page, email);
  await page.getByTestId("signup-success").waitFor();

  // The verification link from the email, as the owner would click it.
  const mail = await server.message(email, "verify_email");
  const link = mail.body.match(/https?:\/\/\S+\/verify-email\?token=[0-9a-f]{64}/)[0];
  await page.goto(`${server.url}${new URL(link).pathname}${new URL(link).search}`);
  await page.getByTestId("verify-done").waitFor();

  await signIn(page, email);
  const version = page.getByTestId("service-version");
  await version.waitFor();
  const meta = await (await fetch(`${server.url}/api/v1/meta`)).json();
  assert.equal(await version.textContent(), meta.version, "the dashboard shows data from the API");
  await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });

  await page.goto(`${server.url}/security`);
  await page.getByRole("button", { name: "开启两步验证" }).click();
  const secret = (await page.getByTestId("mfa-secret").textContent()).trim();
  // Confirm with the previous window's code, so the sign-in below has a fresh one.
  await page.getByPlaceholder("验证码").fill(totp(secret, Date.now() - 30_000));
  await page.getByRole("button", { name: "确认开启" }).click();
  await page.getByTestId("recovery-codes").waitFor();
  await page.getByTestId("mfa-on").waitFor();
  await page.screenshot({ path: "test-results/security.png", fullPage: true });

  // Signed out once the API has ended the session and the console is back at its login page.
  await page.getByTestId("account-menu").hover();
  const signedOut = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/sign-out"));
  await page.getByText("退出登录").click();
  await signedOut;
  await page.waitForURL(/\/login$/);
  await page.getByRole("heading", { name: "登录商户后台" }).waitFor();

  await signIn(page, email);
  await page.getByLabel("验证码").fill(totp(secret));
  await page.getByRole("button", { name: "验 证" }).click();
  await page.getByTestId("service-version").waitFor();

  // The audit log tells the story.
  await page.goto(`${server.url}/audit`);
  await page.getByText("mfa.enabled").waitFor();
  await page.context().close();
});

/** A verified, signed-in merchant owner made through the API; answers the access token. */
async function ownerThroughApi(email) {
  const post = (path, body, token) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  await post("/api/v1/signup", {
    company_name: "好物优选",
    contact_name: "王丽",
    phone: "13812345678",
    email,
    password: "tea-garden-2026",
  });
  const mail = await server.message(email, "verify_email");
  await post("/api/v1/signup/verify-email", { token: mail.body.match(/token=([0-9a-f]{64})/)[1] });
  const signedIn = await (
    await post("/api/v1/auth/sign-in", { email, password: "tea-garden-2026" })
  ).json();
  return signedIn.tokens.access_token;
}

test("create a product with two specifications, list it, see it in the shop", async () => {
  const email = "catalog@e2e.test";
  const token = await ownerThroughApi(email);
  const profile = await fetch(`${server.url}/api/v1/merchant/profile`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: "好物优选", slug: "haowu-e2e", timezone: "Asia/Shanghai" }),
  });
  assert.equal(profile.status, 200);

  const page = await newPage();
  await signIn(page, email);
  await page.getByTestId("service-version").waitFor();
  await page.goto(`${server.url}/products/new`);
  await page.getByLabel("商品名称").fill("明前龙井");
  for (const [index, name, values] of [
    [1, "颜色", ["红", "绿"]],
    [2, "尺码", ["M", "L"]],
  ]) {
    await page.getByRole("button", { name: "添加规格" }).click();
    await page.getByLabel(`规格名 ${index}`).fill(name);
    const tags = page.getByLabel(`规格值（回车分隔） ${index}`);
    for (const value of values) {
      await tags.fill(value);
      await tags.press("Enter");
    }
    await tags.press("Escape");
  }
  const prices = page.getByTestId("sku-matrix").getByLabel("零售价");
  await eventually(async () => assert.equal(await prices.count(), 4, "two colours × two sizes"));
  for (let i = 0; i < 4; i += 1) {
    await prices.nth(i).fill(`12${i}.50`);
    await page.getByTestId("sku-matrix").getByLabel("库存").nth(i).fill("10");
  }
  await page.screenshot({ path: "test-results/product-editor.png", fullPage: true });
  await page.getByRole("button", { name: "保 存" }).click();

  const row = page.getByTestId("products-table").getByRole("row", { name: /明前龙井/ });
  await row.waitFor();
  await row.getByRole("button", { name: "提交审核" }).click();
  await row.getByRole("button", { name: "审核通过" }).click();
  await row.getByText("已上架").waitFor();

  const shop = await (await fetch(`${server.url}/api/v1/shops/haowu-e2e/products`)).json();
  assert.equal(shop.items.length, 1);
  assert.equal(shop.items[0].name, "明前龙井");
  assert.deepEqual(shop.items[0].spec_names, ["颜色", "尺码"]);
  assert.equal(shop.items[0].skus.length, 4);
  assert.deepEqual(shop.items[0].skus.map((s) => s.price.unit_price).sort(), [
    "120.50",
    "121.50",
    "122.50",
    "123.50",
  ]);
  await page.context().close();
});

test("an import is checked row by row before anything is written", async () => {
  const email = "import@e2e.test";
  await ownerThroughApi(email);
  const page = await newPage();
  await signIn(page, email);
  await page.getByTestId("service-version").waitFor();
  await page.goto(`${server.url}/products/import`);
  const header = "商品名称 name,SKU编码 sku_code,零售价 retail_price,库存 stock\n";
  const bad = `${header}红茶,R-1,12.50,5\n绿茶,G-1,1.001,5\n`;
  await page.locator("input[type=file]").setInputFiles({
    name: "products.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(bad),
  });
  await page.getByRole("button", { name: "检 查" }).click();
  const errors = page.getByTestId("import-errors");
  await errors.waitFor();
  assert.match(await errors.textContent(), /rows\[3\]\.retail_price/);

  await page.locator("input[type=file]").setInputFiles({
    name: "products.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`${header}红茶,R-1,12.50,5\n绿茶,G-1,10.01,5\n`),
  });
  await page.getByRole("button", { name: "导 入" }).click();
  const result = page.getByTestId("import-result");
  await result.waitFor();
  assert.match(await result.textContent(), /导入完成/);
  await page.goto(`${server.url}/products`);
  await page.getByTestId("products-table").getByText("绿茶").waitFor();
  await page.context().close();
});

test("a wrong second factor is refused with the API's message", async () => {
  const email = "mfa-wrong@e2e.test";
  const page = await newPage();
  await page.goto(`${server.url}/signup`);
  await fillSignUp(page, email);
  await page.getByTestId("signup-success").waitFor();
  const mail = await server.message(email, "verify_email");
  const token = mail.body.match(/token=([0-9a-f]{64})/)[1];
  await page.goto(`${server.url}/verify-email?token=${token}`);
  await page.getByTestId("verify-done").waitFor();
  await signIn(page, email);
  await page.getByTestId("service-version").waitFor();
  await page.goto(`${server.url}/security`);
  await page.getByRole("button", { name: "开启两步验证" }).click();
  await page.getByPlaceholder("验证码").fill("000000");
  await page.getByRole("button", { name: "确认开启" }).click();
  await page.getByText("验证码错误或已被使用。").waitFor();
  await page.context().close();
});

test("the console requires signing in, and the language switch is remembered", async () => {
  const page = await newPage();
  await page.goto(server.url);
  await page.getByRole("heading", { name: "登录商户后台" }).waitFor();
  await page.getByText("English").click();
  await page.getByRole("heading", { name: "Sign in to the merchant console" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "Sign in to the merchant console" }).waitFor();
  await page.context().close();
});

test("deep links load the SPA, and sign-up reports the API's answers", async () => {
  const page = await newPage();
  await page.goto(`${server.url}/signup`);
  await fillSignUp(page, "twice@e2e.test");
  await page.getByTestId("signup-success").waitFor();
  await page.goto(`${server.url}/signup`);
  await fillSignUp(page, "twice@e2e.test");
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
