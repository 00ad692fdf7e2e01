// A virtual SKU's codes in a real browser: staff open the 卡密 dialog from the product list, an
// import with a repeated line is refused naming the line, the corrected import raises the stock.
import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { json, reportOpenPages, startBrowser, startServer } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach((t) => reportOpenPages(browser, t.name));

test("staff import codes into a virtual SKU from the product list", async () => {
  const email = "codes@e2e.test";
  await server.call("POST", "/api/v1/signup", null, {
    company_name: "好物优选",
    contact_name: "王丽",
    phone: "13812345678",
    email,
    password: "tea-garden-2026",
  });
  const mail = await server.message(email, "verify_email");
  await server.call("POST", "/api/v1/signup/verify-email", null, {
    token: mail.body.match(/token=([0-9a-f]{64})/)[1],
  });
  const signIn = await json(
    await server.call("POST", "/api/v1/auth/sign-in", null, { email, password: "tea-garden-2026" }),
  );
  const token = signIn.tokens.access_token;
  const product = await json(
    await server.call("POST", "/api/v1/products", token, {
      name: "话费充值卡",
      skus: [{ code: "CARD-100", retail_price: "95.00", kind: "virtual" }],
    }),
  );
  const skuId = product.skus[0].id;

  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill("tea-garden-2026");
  await page.getByRole("button", { name: "登 录" }).click();
  await page.getByTestId("service-version").waitFor();
  await page.goto(`${server.url}/products`);
  const row = page.getByTestId("products-table").getByRole("row", { name: /话费充值卡/ });
  await row.getByRole("button", { name: "卡 密" }).click();

  const dialog = page.getByRole("dialog");
  await dialog.getByTestId("codes-summary").getByText("可用（即库存）").waitFor();
  await dialog.getByLabel("导入卡密").fill("CODE-A\n\nCODE-B\nCODE-A");
  await dialog.getByRole("button", { name: "导入 3 个" }).click();
  await dialog
    .getByTestId("codes-errors")
    .getByText(/第 4 行：.*第 1 行/)
    .waitFor();
  assert.equal(
    (await json(await server.call("GET", `/api/v1/skus/${skuId}/codes/summary`, token))).available,
    0,
    "a refused import changes nothing",
  );

  await dialog.getByLabel("导入卡密").fill("CODE-A\nCODE-B\nCODE-C");
  await dialog.getByRole("button", { name: "导入 3 个" }).click();
  await page.getByText("已导入 3 个卡密").waitFor();
  await dialog.getByTestId("codes-summary").getByText("3", { exact: true }).waitFor();
  await dialog.getByRole("button", { name: "关 闭" }).click();
  await row.getByRole("cell", { name: /^3/ }).first().waitFor();
  const summary = await json(
    await server.call("GET", `/api/v1/skus/${skuId}/codes/summary`, token),
  );
  assert.deepEqual([summary.available, summary.delivered], [3, 0]);
  await context.close();
});
