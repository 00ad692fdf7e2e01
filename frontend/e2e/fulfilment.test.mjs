// Fulfilment and after-sales in a real browser: staff set the tracking webhook's secret, ship an
// order in two packages from its page; trackers' events reach both packages, which the buyer sees before confirming receipt;
// the buyer asks to return one unit, staff approve it and confirm the goods came back in the
// after-sales pages, the money goes back, and the product's page shows the stock restored.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
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

const WEBHOOK_SECRET = "e2e-webhook-secret-0123456789";

/** A tracker's signed push of one package's events. */
async function track(shop, trackingNo, events) {
  const body = JSON.stringify({
    carrier_code: trackingNo.startsWith("SF") ? "SF" : "ZTO",
    tracking_no: trackingNo,
    events,
  });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", WEBHOOK_SECRET).update(`${t}.${body}`).digest("hex");
  const res = await fetch(`${server.url}/api/v1/tracking/webhooks/${shop}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "Fenxiao-Tracking-Signature": `t=${t},v1=${v1}`,
    },
    body,
  });
  assert.equal(res.status, 204, await res.text());
}

/** Picks `label` in the antd select labelled `name` inside `scope`. */
async function choose(page, scope, name, label) {
  await scope.getByLabel(name).click();
  await page.locator(".ant-select-dropdown").getByText(label, { exact: true }).click();
}

test("an order ships in two packages, is received, and a returned unit is refunded", async () => {
  const email = "fulfilment@e2e.test";
  const token = await server.owner(email);
  const me = await json(await server.call("GET", "/api/v1/merchant", token));
  const shop = me.slug;
  await json(
    await server.call("PUT", "/api/v1/payment-methods", token, {
      kind: "sandbox",
      enabled: true,
      settings: {},
    }),
  );
  const product = await json(
    await server.call("POST", "/api/v1/products", token, {
      name: "龙井礼盒",
      skus: [{ code: "LJ-G", retail_price: "100.00", stock: 10 }],
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
  const buyer = "receiver@e2e.test";
  await server.call("POST", `/api/v1/shops/${shop}/verification-codes`, null, { recipient: buyer });
  const mail = await server.message(buyer, "verification_code");
  const code = mail.body.match(/验证码是 (\d{6})/)[1];
  const member = await json(
    await server.call("POST", `/api/v1/shops/${shop}/members`, null, {
      login: buyer,
      code,
      password: "shopper-2026",
      name: "王芳",
    }),
  );
  const memberToken = member.tokens.access_token;
  const me_ = (path) => `/api/v1/shops/${shop}/me${path}`;
  const address = await json(
    await server.call("POST", me_("/addresses"), memberToken, {
      recipient: "王芳",
      phone: "13900000002",
      province_code: "330000",
      city_code: "330100",
      detail: "文三路 100 号",
    }),
  );
  const order = await json(
    await server.call("POST", me_("/orders"), memberToken, {
      items: [{ sku_id: product.skus[0].id, quantity: 3 }],
      address_id: address.id,
    }),
  );
  // Paid in the sandbox: its pay page's success button makes it notify the server.
  const started = await json(
    await server.call("POST", me_(`/orders/${order.id}/payments`), memberToken, {
      method: "sandbox",
    }),
  );
  const payToken = started.pay_url.split("/").pop();
  const paid = await fetch(`${server.url}/api/v1/payments/sandbox/${payToken}/succeed`, {
    method: "POST",
  });
  assert.ok(paid.ok, `${paid.status}`);

  // Two packages from the order's page: two boxes, then the last one.
  const page = await signIn(browser, server, email);
  // The webhook's secret, in the logistics settings.
  await page.goto(`${server.url}/logistics`);
  await page.getByRole("tab", { name: "物流跟踪" }).click();
  await page.getByLabel("Webhook 签名密钥").fill(WEBHOOK_SECRET);
  await page
    .getByRole("tabpanel")
    .getByRole("button", { name: /保\s*存/ })
    .click();
  await eventually(async () => {
    const settings = await json(await server.call("GET", "/api/v1/tracking-settings", token));
    assert.match(settings.webhook_secret ?? "", /^\*{4}/);
  });
  await page.goto(`${server.url}/orders/${order.id}`);
  await page.getByTestId("order-status").getByText("已付款").waitFor();
  await page.getByRole("button", { name: /^发\s*货$/ }).click();
  let dialog = page.getByRole("dialog");
  await choose(page, dialog, "快递公司", "顺丰速运");
  await dialog.getByLabel("快递单号").fill("SF1000000001");
  await dialog.getByLabel("本包裹 LJ-G").fill("2");
  await dialog.getByRole("button", { name: /^发\s*货$/ }).click();
  await page.getByTestId("package-1").waitFor();
  assert.equal(await page.getByTestId("order-status").first().textContent(), "已付款");
  await page.getByRole("button", { name: /^发\s*货$/ }).click();
  dialog = page.getByRole("dialog");
  await choose(page, dialog, "快递公司", "中通快递");
  await dialog.getByLabel("快递单号").fill("ZT2000000002");
  await dialog.getByRole("button", { name: /^发\s*货$/ }).click();
  await page.getByTestId("package-2").waitFor();
  await page.getByTestId("order-status").getByText("已发货").waitFor();

  // The trackers report; staff and the buyer see both timelines.
  await track(shop, "SF1000000001", [
    {
      state: "in_transit",
      description: "快件已到达【杭州转运中心】",
      location: "杭州",
      occurred_at: "2026-12-04T02:00:00Z",
    },
    {
      state: "delivered",
      description: "快件已签收，签收人：本人",
      occurred_at: "2026-12-05T03:00:00Z",
    },
  ]);
  await track(shop, "ZT2000000002", [
    { state: "picked_up", description: "中通快递已揽收", occurred_at: "2026-12-04T05:00:00Z" },
  ]);
  await page.reload();
  await page
    .getByTestId("package-1")
    .getByText(/快件已签收/)
    .waitFor();
  await page
    .getByTestId("package-2")
    .getByText(/中通快递已揽收/)
    .waitFor();
  const mine = await json(await server.call("GET", me_(`/orders/${order.id}`), memberToken));
  assert.deepEqual(
    mine.packages.map((p) => [p.tracking_state, p.events.length]),
    [
      ["delivered", 2],
      ["picked_up", 1],
    ],
  );
  const received = await json(
    await server.call("POST", me_(`/orders/${order.id}/receipt`), memberToken, {}),
  );
  assert.equal(received.status, "completed");

  // One unit goes back: asked by the buyer, approved and received in the console.
  const request = await json(
    await server.call("POST", me_(`/orders/${order.id}/after-sales`), memberToken, {
      kind: "return_and_refund",
      reason: "包装破损",
      items: [{ line_no: 1, quantity: 1 }],
    }),
  );
  await page.getByRole("menu").getByRole("link", { name: "售后", exact: true }).click();
  await page.getByRole("heading", { name: "售后", level: 2 }).waitFor();
  await page
    .getByTestId("after-sales-table")
    .getByRole("link", { name: `#${request.id}` })
    .click();
  await page.getByTestId("after-sale-amount").getByText("¥100.00").waitFor();
  await page.getByRole("button", { name: /^同\s*意$/ }).click();
  await page.getByText("待买家退货").first().waitFor();
  await json(
    await server.call("POST", me_(`/after-sales/${request.id}/return`), memberToken, {
      carrier: "顺丰速运",
      tracking_no: "SF9000000001",
    }),
  );
  await page.reload();
  await page.getByRole("button", { name: "确认收到退货" }).click();
  await page
    .getByTestId("after-sale-refund")
    .getByText(/已退款/)
    .waitFor();
  const done = await json(await server.call("GET", me_(`/after-sales/${request.id}`), memberToken));
  assert.equal(done.status, "refunded");
  assert.equal(done.refund.amount, "100.00");

  // The order shows its refund, and the product its stock back: 10 − 3 + 1.
  await page.goto(`${server.url}/orders/${order.id}`);
  await page.getByTestId("order-refunds").getByText("已退款").waitFor();
  await page.goto(`${server.url}/products/${product.id}/edit`);
  await eventually(async () => {
    assert.equal(await page.getByTestId("sku-stock").first().textContent(), "8");
  });
  await page.screenshot({ path: "test-results/fulfilment.png", fullPage: true });
  await page.context().close();
});
