// Store set-up and catalog administration in a real browser: the store profile with a logo, a
// freight template with a regional price, the category tree and the review queue.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, test } from "node:test";
import { openFromMenu, reportOpenPages, signIn, startBrowser, startServer } from "./harness.mjs";

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

// A 2×2 PNG: the server checks the bytes, not the name.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGPQ6w4HIgYIBQAdKgRBwvFrKQAAAABJRU5ErkJggg==",
  "base64",
);

test("the store profile with a logo, shown per field when the server refuses", async () => {
  const email = "store@e2e.test";
  const token = await server.owner(email);
  const page = await signIn(browser, server, email);
  await openFromMenu(page, "店铺设置");

  // Not an image, whatever its name: the server's 415 shows at the logo.
  await page.locator("input[type=file]").setInputFiles({
    name: "logo.png",
    mimeType: "image/png",
    buffer: Buffer.from("this is not a picture"),
  });
  await page.locator(".ant-form-item-explain-error", { hasText: /PNG/ }).waitFor();

  await page.locator("input[type=file]").setInputFiles({
    name: "logo.png",
    mimeType: "image/png",
    buffer: PNG,
  });
  const preview = page.getByTestId("logo-preview").locator("img");
  await preview.waitFor();
  assert.match(await preview.getAttribute("src"), /^\/media\/\d+\/[0-9a-f]+\.png$/);

  await page.getByLabel("店铺名称").fill("好物优选茶铺");
  await page.getByLabel("店铺简介").fill("明前龙井，产地直发。");
  await page.getByLabel("店铺地址").fill("no spaces allowed");
  await page.getByRole("button", { name: "保 存" }).click();
  // The server's validation message, next to the field it is about.
  await page.getByText("请使用 3–40 个字符").waitFor();

  await page.getByLabel("店铺地址").fill("haowu-store");
  await page.getByRole("button", { name: "保 存" }).click();
  await page.getByText("已保存").waitFor();
  await page.screenshot({ path: "test-results/store-profile.png", fullPage: true });

  const merchant = await (await server.call("GET", "/api/v1/merchant", token)).json();
  assert.equal(merchant.name, "好物优选茶铺");
  assert.equal(merchant.slug, "haowu-store");
  assert.equal(merchant.description, "明前龙井，产地直发。");
  assert.equal(merchant.timezone, "Asia/Shanghai");
  assert.equal(merchant.logo.width, 2);
  const logo = await fetch(`${server.url}${merchant.logo.url}`);
  assert.equal(logo.status, 200);
  assert.deepEqual(Buffer.from(await logo.arrayBuffer()), PNG);

  // Payment credentials are write-only: the form never holds the stored secret.
  await page.getByRole("tab", { name: "支付方式" }).click();
  const bank = page.getByTestId("payment-bank_transfer");
  await bank.getByLabel("开户名").fill("好物优选");
  await bank.getByLabel("开户银行").fill("招商银行");
  await bank.getByLabel("银行账号").fill("6222021234567890123");
  await bank.getByRole("switch").click();
  await bank.getByRole("button", { name: "保 存" }).click();
  await bank.getByText("已保存：****0123").waitFor();
  assert.equal(await bank.getByLabel("银行账号").inputValue(), "");
  await page.context().close();
});

test("a freight template by weight with a regional price, previewed", async () => {
  const email = "freight@e2e.test";
  const token = await server.owner(email);
  const page = await signIn(browser, server, email);
  await openFromMenu(page, "物流设置");

  await page.getByRole("button", { name: "新建运费模板" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("模板名称").fill("江浙沪优惠");
  await dialog.getByText("按重量").click();
  await dialog.getByLabel("首件/首重（克）").fill("1000");
  await dialog.getByLabel("首费").first().fill("12");
  await dialog.getByLabel("续件/续重（克）").fill("500");
  await dialog.getByLabel("续费").first().fill("3.50");

  await dialog.getByRole("button", { name: "添加指定地区运费" }).click();
  const override = dialog.getByTestId("region-override");
  await override.locator(".ant-cascader").click();
  await override.locator(".ant-cascader input").fill("杭州");
  await page.locator(".ant-cascader-dropdown:visible").getByText("杭州市").click();
  await override.getByLabel("首费").fill("6.00");
  await override.getByLabel("续费").fill("1.00");
  await dialog.getByLabel("满额包邮").fill("99");
  await page.screenshot({ path: "test-results/freight-template.png", fullPage: true });
  await dialog.getByRole("button", { name: "保 存" }).click();

  const row = page.getByTestId("freight-templates-table").getByRole("row", { name: /江浙沪优惠/ });
  await row.waitFor();
  const [template] = await (await server.call("GET", "/api/v1/freight-templates", token)).json();
  assert.equal(template.mode, "weight");
  assert.equal(template.first_units, 1000);
  assert.equal(template.first_price, "12.00");
  assert.equal(template.additional_price, "3.50");
  assert.equal(template.free_shipping_threshold, "99.00");
  assert.deepEqual(template.region_overrides, [
    { region_codes: ["330100"], first_price: "6.00", additional_price: "1.00" },
  ]);

  // 3 pieces of 500 g to Hangzhou: 1500 g = first 1000 g + one step of 500 g at Hangzhou's prices.
  await row.getByRole("button", { name: "运费试算" }).click();
  const quote = page.getByRole("dialog");
  await quote.locator(".ant-cascader").click();
  await quote.locator(".ant-cascader input").fill("杭州");
  await page.locator(".ant-cascader-dropdown:visible").getByText("杭州市").click();
  await quote.getByLabel("件数").fill("3");
  await quote.getByRole("button", { name: "运费试算" }).click();
  const result = page.getByTestId("freight-quote");
  await result.waitFor();
  assert.match(await result.textContent(), /运费 ¥7\.00/);
  await page.context().close();
});

test("categories are added, nested and kept while in use; the review queue lists", async () => {
  const email = "catalog-admin@e2e.test";
  const token = await server.owner(email);
  const page = await signIn(browser, server, email);
  await openFromMenu(page, "商品分类");

  await page.getByRole("button", { name: "添加一级分类" }).click();
  let dialog = page.getByRole("dialog");
  await dialog.getByLabel("分类名称").fill("茶叶");
  await dialog.getByRole("button", { name: "保 存" }).click();
  await page.getByTestId("category-茶叶").waitFor();

  await page.getByTestId("category-茶叶").getByRole("button", { name: "添加子分类" }).click();
  dialog = page.getByRole("dialog");
  await dialog.getByLabel("分类名称").fill("绿茶");
  await dialog.getByRole("button", { name: "保 存" }).click();
  await page.getByTestId("category-绿茶").waitFor();
  const categories = await (await server.call("GET", "/api/v1/categories", token)).json();
  const tea = categories.find((c) => c.name === "茶叶");
  const green = categories.find((c) => c.name === "绿茶");
  assert.equal(green.parent_id, tea.id);

  // A product in review, made through the API.
  const created = await server.call("POST", "/api/v1/products", token, {
    name: "明前龙井 250g",
    category_id: green.id,
    skus: [{ code: "LJ-250", retail_price: "128.50", stock: 20 }],
  });
  assert.equal(created.status, 201);
  const product = await created.json();
  const submitted = await server.call("POST", `/api/v1/products/${product.id}/status`, token, {
    action: "submit",
  });
  assert.equal(submitted.status, 200);

  // A category in use cannot go: the server says why.
  await page
    .getByTestId("category-绿茶")
    .getByRole("button", { name: /删\s*除/ })
    .click();
  await page
    .locator(".ant-popconfirm")
    .getByRole("button", { name: /确\s*定|OK/ })
    .click();
  const refused = page.getByTestId("category-error");
  await refused.waitFor();
  assert.match(await refused.textContent(), /请先移走或删除其子分类和商品/);
  await page.screenshot({ path: "test-results/categories.png", fullPage: true });

  await openFromMenu(page, "商品审核");
  const row = page.getByTestId("review-table").getByRole("row", { name: /明前龙井 250g/ });
  await row.waitFor();
  assert.match(await row.textContent(), /¥128\.50/);
  await page.screenshot({ path: "test-results/review-queue.png", fullPage: true });
  await row.getByRole("button", { name: "审核通过" }).click();
  await page.getByText("「明前龙井 250g」已通过审核并上架").waitFor();
  await row.waitFor({ state: "detached" });
  const listed = await (await server.call("GET", `/api/v1/products/${product.id}`, token)).json();
  assert.equal(listed.status, "listed");
  await page.context().close();
});
