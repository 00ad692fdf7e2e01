// The distribution network in a real browser: settings with the depth-3 compliance statement,
// the tier ladder and its order.
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

function call(method, path, token, body) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A verified merchant owner made through the API; answers the access token. */
async function ownerThroughApi(email) {
  await call("POST", "/api/v1/signup", null, {
    company_name: "好物优选",
    contact_name: "王丽",
    phone: "13812345678",
    email,
    password: "tea-garden-2026",
  });
  const mail = await server.message(email, "verify_email");
  await call("POST", "/api/v1/signup/verify-email", null, {
    token: mail.body.match(/token=([0-9a-f]{64})/)[1],
  });
  const res = await call("POST", "/api/v1/auth/sign-in", null, {
    email,
    password: "tea-garden-2026",
  });
  return (await res.json()).tokens.access_token;
}

async function signIn(email) {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill("tea-garden-2026");
  await page.getByRole("button", { name: "登 录" }).click();
  await page.getByTestId("service-version").waitFor();
  return page;
}

/** Opens the console page through its menu entry (in its group), as a merchant would. */
async function openFromMenu(page, label) {
  await page.getByRole("menu").getByRole("link", { name: label }).click();
  await page.getByRole("heading", { name: label, level: 2 }).waitFor();
}

test("three commission levels need the ticked compliance statement, which is recorded", async () => {
  const email = "settings@e2e.test";
  const token = await ownerThroughApi(email);
  const page = await signIn(email);
  await openFromMenu(page, "分销设置");

  // Protection longer than the validity: the server's refusal shows at the protection field.
  await page.getByText("按天数").click();
  await page.getByLabel("绑定天数").fill("7");
  await page.getByRole("spinbutton", { name: "保护期" }).fill("8");
  await page.getByRole("button", { name: "保 存" }).click();
  await page.getByText("不能超过绑定有效期（binding_days）。").waitFor();
  await page.getByRole("spinbutton", { name: "保护期" }).fill("3");

  await page.getByText("三级（需合规确认）").click();
  const dialog = page.getByRole("dialog");
  await dialog.getByText("买家 → 分销商 → 上级分销商即计为三个层级").waitFor();
  const confirm = dialog.getByRole("button", { name: "确认并选择三级" });
  assert.equal(await confirm.isDisabled(), true, "no confirmation without the tick");
  await dialog.getByTestId("depth3-tick").click();
  await confirm.click();
  await dialog.waitFor({ state: "hidden" });
  assert.equal(await page.getByTestId("depth3-acknowledged").isChecked(), true);
  await page.getByRole("button", { name: "保 存" }).click();
  await page.getByText("分销设置已保存").waitFor();
  await page.getByText(/三级分佣已于 .* 确认合规/).waitFor();
  await page.screenshot({ path: "test-results/distribution-settings.png", fullPage: true });

  const settings = await (await call("GET", "/api/v1/distribution/settings", token)).json();
  assert.equal(settings.commission_depth, 3);
  assert.equal(settings.binding_days, 7);
  assert.equal(settings.protection_days, 3);
  assert.ok(settings.depth3_acknowledged_at);
  assert.ok(settings.depth3_acknowledged_by);
  const audit = await (
    await call(
      "GET",
      "/api/v1/audit-events?action=distribution_settings.depth3_compliance_acknowledged",
      token,
    )
  ).json();
  assert.equal(audit.items.length, 1);
});

test("two tiers created in the editor and reordered", async () => {
  const email = "tiers@e2e.test";
  const token = await ownerThroughApi(email);
  const page = await signIn(email);
  await openFromMenu(page, "分销商等级");

  const dialog = page.getByRole("dialog");
  await page.getByRole("button", { name: "新建等级" }).click();
  await dialog.getByLabel("等级名称").fill("金牌");
  await dialog.getByLabel("第 1 级佣金").fill("12.5");
  await dialog.getByLabel("第 2 级佣金").fill("0.1");
  await dialog.getByLabel("第 3 级佣金").fill("0.2");
  // Added exactly: 0.1 + 0.2 is not 0.30000000000000004 here.
  await dialog.getByText("三级合计 12.8%").waitFor();
  await dialog.getByLabel("购买折扣").fill("5");
  await dialog.getByText("满足任一").click();
  await dialog.getByLabel("团队销售额").fill("50000.00");
  await dialog.getByLabel("直推人数").fill("10");
  await dialog.getByRole("button", { name: "保 存" }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.locator("tr", { hasText: "金牌" }).waitFor();

  await page.getByRole("button", { name: "新建等级" }).click();
  await dialog.getByLabel("等级名称").fill("金牌");
  await dialog.getByText("固定金额（每件）").click();
  await dialog.getByLabel("第 1 级佣金").fill("5.00");
  await dialog.getByLabel("第 2 级佣金").fill("2");
  await dialog.getByRole("button", { name: "保 存" }).click();
  // The same name twice: the server's conflict shows at the name.
  await dialog.locator(".ant-form-item-explain-error", { hasText: "已有同名的等级" }).waitFor();
  await dialog.getByLabel("等级名称").fill("银牌");
  await dialog.getByRole("button", { name: "保 存" }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.locator("tr", { hasText: "银牌" }).waitFor();

  const names = async () =>
    (await page.getByTestId("tiers-table").locator("tbody tr").allTextContents()).map((row) =>
      row.includes("金牌") ? "金牌" : "银牌",
    );
  assert.deepEqual(await names(), ["金牌", "银牌"]);
  // 银牌 is the lower tier: move it up to rank 1.
  const reordered = page.waitForResponse((r) => r.url().endsWith("/distribution/tiers/reorder"));
  await page.locator("tr", { hasText: "银牌" }).getByRole("button", { name: "上移" }).click();
  assert.equal((await reordered).status(), 200);
  await page.waitForFunction(() =>
    document.querySelector("[data-testid=tiers-table] tbody tr")?.textContent?.includes("银牌"),
  );
  assert.deepEqual(await names(), ["银牌", "金牌"]);
  const silver = page.locator("tr", { hasText: "银牌" });
  await silver.getByRole("button", { name: "下移" }).waitFor();
  assert.equal(await silver.getByRole("button", { name: "上移" }).isDisabled(), true);
  assert.equal(await silver.getByRole("button", { name: "下移" }).isDisabled(), false);
  await page.screenshot({ path: "test-results/distribution-tiers.png", fullPage: true });

  const tiers = await (await call("GET", "/api/v1/distribution/tiers", token)).json();
  assert.deepEqual(
    tiers.map((t) => [t.name, t.rank]),
    [
      ["银牌", 1],
      ["金牌", 2],
    ],
  );
  const gold = tiers[1];
  assert.equal(gold.commission_kind, "percent");
  assert.deepEqual([gold.level1, gold.level2, gold.level3], ["12.5", "0.1", "0.2"]);
  assert.equal(gold.purchase_discount, "5");
  assert.equal(gold.promotion.mode, "any");
  assert.equal(gold.promotion.team_sales, "50000.00");
  assert.equal(gold.promotion.direct_recruits, 10);
  assert.equal(gold.promotion.personal_sales, null);
  assert.equal(tiers[0].commission_kind, "fixed");
  assert.deepEqual([tiers[0].level1, tiers[0].level2], ["5.00", "2.00"]);
});
