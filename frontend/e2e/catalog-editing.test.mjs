// Editing a product (images, prices, tier purchase prices), batch listing, stock alerts and the
// notification bell, in a real browser against the real backend.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, test } from "node:test";
import { deflateSync } from "node:zlib";
import { eventually, reportOpenPages, startBrowser, startServer } from "./harness.mjs";

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

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real PNG of one colour (8-bit RGB), made byte by byte. */
function png(width, height, [r, g, b]) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x += 1) row.set([r, g, b], 1 + x * 3);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

async function call(method, path, body, token) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A verified, signed-in merchant owner made through the API; answers the access token. */
async function ownerThroughApi(email) {
  await call("POST", "/api/v1/signup", {
    company_name: "好物优选",
    contact_name: "王丽",
    phone: "13812345678",
    email,
    password: "tea-garden-2026",
  });
  const mail = await server.message(email, "verify_email");
  await call("POST", "/api/v1/signup/verify-email", {
    token: mail.body.match(/token=([0-9a-f]{64})/)[1],
  });
  const signedIn = await call("POST", "/api/v1/auth/sign-in", {
    email,
    password: "tea-garden-2026",
  });
  return signedIn.body.tokens.access_token;
}

/** A tea in two colours, each 128.50 with 10 in stock and an alert at 5. */
async function tea(token, prefix) {
  const created = await call(
    "POST",
    "/api/v1/products",
    {
      name: "明前龙井",
      spec_names: ["颜色"],
      skus: ["红", "绿"].map((colour, i) => ({
        code: `${prefix}-${i + 1}`,
        spec_values: { 颜色: colour },
        retail_price: "128.50",
        stock: 10,
        low_stock_threshold: 5,
      })),
    },
    token,
  );
  assert.equal(created.status, 201);
  return created.body;
}

async function signedInPage(email) {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill("tea-garden-2026");
  await page.getByRole("button", { name: "登 录" }).click();
  await page.getByTestId("service-version").waitFor();
  return page;
}

test("edit a listed product: upload, reorder and remove images, change a price", async () => {
  const email = "editor@e2e.test";
  const token = await ownerThroughApi(email);
  const product = await tea(token, "LJ");
  for (const [path, action] of [
    ["status", "submit"],
    ["review", "approve"],
  ]) {
    const res = await call("POST", `/api/v1/products/${product.id}/${path}`, { action }, token);
    assert.equal(res.status, 200);
  }

  const page = await signedInPage(email);
  await page.goto(`${server.url}/products`);
  const row = page.getByTestId("products-table").getByRole("row", { name: /明前龙井/ });
  await row.getByRole("button", { name: "编 辑" }).click();
  await page.getByRole("heading", { name: "编辑商品" }).waitFor();
  await page.getByTestId("reviewed-notice").waitFor();

  const upload = page.locator("input[type=file]");
  await upload.setInputFiles({
    name: "green.png",
    mimeType: "image/png",
    buffer: png(40, 30, [30, 160, 60]),
  });
  await page.getByTestId("gallery-image").first().waitFor();
  await upload.setInputFiles({
    name: "red.png",
    mimeType: "image/png",
    buffer: png(32, 32, [200, 30, 30]),
  });
  const images = page.getByTestId("gallery-image");
  await page.waitForFunction(
    () => document.querySelectorAll("[data-testid=gallery-image]").length === 2,
  );
  const srcOf = async (i) => images.nth(i).locator("img").getAttribute("src");
  const [green, red] = [await srcOf(0), await srcOf(1)];
  assert.notEqual(green, red);
  await page.getByRole("button", { name: "左移 2" }).click();
  await eventually(async () =>
    assert.equal(await srcOf(0), red, "the red image is now the main one"),
  );
  await page.getByRole("button", { name: "移除图片 2" }).click();
  await eventually(async () => assert.equal(await images.count(), 1));

  await page.getByTestId("sku-matrix").getByLabel("零售价").first().fill("99.90");
  await page.screenshot({ path: "test-results/product-edit.png", fullPage: true });
  await page.getByRole("button", { name: "保 存" }).click();

  const edited = page.getByTestId("products-table").getByRole("row", { name: /明前龙井/ });
  await edited.getByText("¥99.90").waitFor();
  // New images are content buyers see: the listed product went back to review.
  await edited.getByText("待审核").waitFor();

  const stored = await call("GET", `/api/v1/products/${product.id}`, undefined, token);
  assert.equal(stored.body.skus[0].retail_price, "99.90");
  assert.equal(stored.body.skus[1].retail_price, "128.50");
  assert.equal(stored.body.images.length, 1);
  assert.equal(stored.body.images[0].url, red);
  assert.equal(stored.body.images[0].width, 32);
  await page.context().close();
});

test("an adjustment below the threshold rings the bell and lists the SKU", async () => {
  const email = "stock@e2e.test";
  const token = await ownerThroughApi(email);
  const product = await tea(token, "ST");

  const page = await signedInPage(email);
  await page.getByRole("button", { name: "消息通知（0 条未读）" }).waitFor();
  await page.goto(`${server.url}/products/${product.id}/edit`);
  await page.getByRole("heading", { name: "编辑商品" }).waitFor();
  await page.getByRole("button", { name: "调整库存 ST-1" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("调整数量").fill("-6");
  await dialog.getByLabel("原因").fill("盘点");
  await dialog.getByRole("button", { name: "保 存" }).click();
  await page.getByTestId("sku-stock").first().getByText("4").waitFor();

  const bell = page.getByRole("button", { name: "消息通知（1 条未读）" });
  await bell.waitFor();
  await bell.click();
  const list = page.getByTestId("notification-list");
  await list.getByText("库存预警：明前龙井").waitFor();
  assert.match(await list.textContent(), /ST-1 的库存已降至 4（预警值 5）/);
  await page.screenshot({ path: "test-results/notifications.png", fullPage: true });
  await list.getByRole("button", { name: "标为已读" }).click();
  await page.getByRole("button", { name: "消息通知（0 条未读）" }).waitFor();

  // The stock alerts page lists it; restocking there takes it off the list.
  await page.keyboard.press("Escape");
  await page.getByRole("menuitem", { name: "库存预警" }).click();
  const table = page.getByTestId("low-stock-table");
  const row = table.getByRole("row", { name: /ST-1/ });
  await row.waitFor();
  assert.match(await row.textContent(), /明前龙井/);
  await row.getByRole("button", { name: "调整库存 ST-1" }).click();
  await dialog.getByLabel("调整数量").fill("10");
  await dialog.getByLabel("原因").fill("到货");
  await dialog.getByRole("button", { name: "保 存" }).click();
  await table.getByText("暂无库存预警").waitFor();
  await page.context().close();
});

test("set a distributor tier's purchase price, weight and presale in the editor", async () => {
  const email = "tiers@e2e.test";
  const token = await ownerThroughApi(email);
  const gold = await call(
    "POST",
    "/api/v1/distribution/tiers",
    { name: "金牌", commission_kind: "percent", level1: "10", level2: "5" },
    token,
  );
  assert.equal(gold.status, 201);
  const product = await tea(token, "TP");

  const page = await signedInPage(email);
  await page.goto(`${server.url}/products/${product.id}/edit`);
  await page.getByRole("heading", { name: "编辑商品" }).waitFor();
  const matrix = page.getByTestId("sku-matrix");
  await matrix.getByRole("columnheader", { name: "金牌" }).waitFor();
  await matrix.getByLabel("进货价 金牌 TP-1").fill("88.80");
  await matrix.getByLabel("重量（克）").first().fill("300");
  await matrix.getByLabel("预售数量").nth(1).fill("20");
  await matrix.getByLabel("预计发货日期").nth(1).fill("2026-12-20");
  await page.screenshot({ path: "test-results/product-tier-prices.png", fullPage: true });
  await page.getByRole("button", { name: "保 存" }).click();
  await page.getByTestId("products-table").waitFor();

  const stored = await call("GET", `/api/v1/products/${product.id}`, undefined, token);
  const [first, second] = stored.body.skus;
  assert.deepEqual(first.distributor_prices, [{ tier_id: gold.body.id, price: "88.80" }]);
  assert.equal(first.weight_grams, 300);
  assert.deepEqual(second.distributor_prices, []);
  assert.equal(second.presale_quantity, 20);
  assert.equal(second.presale_ship_date, "2026-12-20");

  // The editor shows the saved price again.
  await page.goto(`${server.url}/products/${product.id}/edit`);
  const input = page.getByTestId("sku-matrix").getByLabel("进货价 金牌 TP-1");
  await input.waitFor();
  assert.equal(await input.inputValue(), "88.80");
  await page.context().close();
});

test("unlist products in a batch and see which could not be", async () => {
  const email = "batch@e2e.test";
  const token = await ownerThroughApi(email);
  const create = async (name, code) => {
    const res = await call(
      "POST",
      "/api/v1/products",
      { name, skus: [{ code, retail_price: "10", stock: 3 }] },
      token,
    );
    assert.equal(res.status, 201);
    return res.body.id;
  };
  const listed = await create("龙井", "B-1");
  const draft = await create("白茶", "B-2");
  for (const [path, action] of [
    ["status", "submit"],
    ["review", "approve"],
  ]) {
    const res = await call("POST", `/api/v1/products/${listed}/${path}`, { action }, token);
    assert.equal(res.status, 200);
  }

  const page = await signedInPage(email);
  await page.goto(`${server.url}/products`);
  const table = page.getByTestId("products-table");
  await table.getByRole("row", { name: /龙井/ }).waitFor();
  await table.getByLabel("选择 龙井").check();
  await table.getByLabel("选择 白茶").check();
  await page.getByText("已选 2 个商品").waitFor();
  await page.getByRole("button", { name: "批量下架" }).click();
  const summary = page.getByTestId("batch-summary");
  await summary.getByText("已变更 1 个，无需变更 0 个，未能处理 1 个").waitFor();
  assert.match(await summary.textContent(), /白茶: 只有在售的商品才能下架。/);
  await table.getByRole("row", { name: /龙井/ }).getByText("已下架").waitFor();
  await page.screenshot({ path: "test-results/product-batch.png", fullPage: true });

  // The filters reach the API: only the unlisted one is left when filtering by status.
  await page.getByLabel("按状态筛选").click();
  await page.getByTitle("已下架").click();
  await table.getByRole("row", { name: /白茶/ }).waitFor({ state: "detached" });
  // The filtered page may still be rendering when the old row leaves: wait for the new one.
  await table.getByRole("row", { name: /龙井/ }).waitFor();
  await eventually(async () =>
    assert.equal(await table.getByRole("row", { name: /龙井/ }).count(), 1),
  );

  const stored = await call("GET", `/api/v1/products/${listed}`, undefined, token);
  assert.equal(stored.body.status, "unlisted");
  const untouched = await call("GET", `/api/v1/products/${draft}`, undefined, token);
  assert.equal(untouched.body.status, "draft");
  await page.context().close();
});

test("choose the freight template a product ships under", async () => {
  const email = "freight@e2e.test";
  const token = await ownerThroughApi(email);
  const template = (name) =>
    call(
      "POST",
      "/api/v1/freight-templates",
      {
        name,
        mode: "piece",
        first_units: 1,
        first_price: "10",
        additional_units: 1,
        additional_price: "5",
      },
      token,
    );
  const express = await template("顺丰快递");
  assert.equal(express.status, 201);
  assert.equal((await template("大件物流")).status, 201);
  const product = await tea(token, "FT");

  const page = await signedInPage(email);
  await page.goto(`${server.url}/products/${product.id}/edit`);
  await page.getByRole("heading", { name: "编辑商品" }).waitFor();
  const select = page.getByRole("combobox", { name: "运费模板" });
  // A product without a template ships under the default, and says so.
  await page.getByTitle("默认模板").first().waitFor();
  await select.click();
  await page.locator(".ant-select-item-option", { hasText: "顺丰快递" }).click();
  await page.getByRole("button", { name: "保 存" }).click();
  await page.getByTestId("products-table").waitFor();
  await eventually(async () => {
    const stored = await call("GET", `/api/v1/products/${product.id}`, undefined, token);
    assert.equal(stored.body.freight_template_id, express.body.id);
  });

  // Back to the default template.
  await page.goto(`${server.url}/products/${product.id}/edit`);
  await page.getByTitle("顺丰快递").first().waitFor();
  await page.getByRole("combobox", { name: "运费模板" }).click();
  await page.locator(".ant-select-item-option", { hasText: "默认模板" }).click();
  await page.getByRole("button", { name: "保 存" }).click();
  await page.getByTestId("products-table").waitFor();
  const stored = await call("GET", `/api/v1/products/${product.id}`, undefined, token);
  assert.equal(stored.body.freight_template_id, null);
  await page.context().close();
});
