// Orders in a real browser: a member's order placed through the API reaches the open console's
// order list live (server-sent events); staff open it, confirm its bank transfer, and see it paid with its timeline; the
// payment timeout is set in the store settings.
import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import {
  eventually,
  json,
  reportOpenPages,
  signIn,
  startBrowser,
  startServer,
} from "./harness.mjs";

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

test("staff see a new order, confirm its bank transfer and see it paid", async () => {
  const email = "orders@e2e.test";
  const token = await server.owner(email);
  const me = await json(await server.call("GET", "/api/v1/merchant", token));
  const shop = me.slug;
  await json(
    await server.call("PUT", "/api/v1/payment-methods", token, {
      kind: "bank_transfer",
      enabled: true,
      settings: {
        account_name: "好物优选",
        bank_name: "中国银行",
        account_number: "6217000011112222",
      },
    }),
  );
  const product = await json(
    await server.call("POST", "/api/v1/products", token, {
      name: "西湖龙井",
      skus: [{ code: "LJ-1", retail_price: "128.50", stock: 5 }],
    }),
  );
  for (const [path, action] of [
    ["status", "submit"],
    ["review", "approve"],
  ]) {
    await json(
      await server.call("POST", `/api/v1/products/${product.id}/${path}`, token, { action }),
    );
  }
  // The buyer: registered by email code, an address, and an order of two.
  const buyer = "buyer@e2e.test";
  await server.call("POST", `/api/v1/shops/${shop}/verification-codes`, null, { recipient: buyer });
  const mail = await server.message(buyer, "verification_code");
  const code = mail.body.match(/验证码是 (\d{6})/)[1];
  const member = await json(
    await server.call("POST", `/api/v1/shops/${shop}/members`, null, {
      login: buyer,
      code,
      password: "shopper-2026",
      name: "李娜",
    }),
  );
  const memberToken = member.tokens.access_token;

  // The console is open on the order list before the order exists.
  const page = await signIn(browser, server, email);
  await page.getByRole("menu").getByRole("link", { name: "订单", exact: true }).click();
  const table = page.getByTestId("orders-table");
  await page.getByRole("heading", { name: "订单", level: 2 }).waitFor();
  const address = await json(
    await server.call("POST", `/api/v1/shops/${shop}/me/addresses`, memberToken, {
      recipient: "李娜",
      phone: "13900000001",
      province_code: "330000",
      city_code: "330100",
      detail: "文三路 90 号",
    }),
  );
  const order = await json(
    await server.call("POST", `/api/v1/shops/${shop}/me/orders`, memberToken, {
      items: [{ sku_id: product.skus[0].id, quantity: 2 }],
      address_id: address.id,
    }),
  );
  assert.equal(order.total, "257.00");

  // It arrives without a reload: announced, and in the list.
  await page.getByText(`新订单 ${order.order_no}`).waitFor();
  await table.getByRole("link", { name: order.order_no }).click();
  await page.getByRole("heading", { name: new RegExp(order.order_no) }).waitFor();
  assert.equal(await page.getByTestId("order-status").first().textContent(), "待付款");
  assert.equal(await page.getByTestId("order-total").textContent(), "¥257.00");

  await page.getByRole("button", { name: "确认银行转账" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("银行流水号").fill("BOC20261203000123");
  await dialog.getByRole("button", { name: /确 定|OK/ }).click();
  await page.getByTestId("order-status").getByText("已付款").waitFor();
  const timeline = page.getByTestId("order-timeline");
  await eventually(async () => {
    const text = await timeline.textContent();
    assert.match(text, /待付款 · 买家/);
    assert.match(text, /已付款 · 员工 · bank_transfer/);
  });
  await page.getByTestId("order-payments").getByText("BOC20261203000123").waitFor();

  // The payment timeout, in the store settings.
  await page.goto(`${server.url}/store`);
  await page.getByRole("tab", { name: "订单设置" }).click();
  await page.getByLabel("付款时限").fill("60");
  await page
    .getByRole("tabpanel")
    .getByRole("button", { name: /保\s*存/ })
    .click();
  await eventually(async () => {
    const settings = await json(await server.call("GET", "/api/v1/order-settings", token));
    assert.equal(settings.payment_timeout_minutes, 60);
  });
});
