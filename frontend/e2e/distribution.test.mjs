// The distribution network in a real browser: settings with the depth-3 compliance statement,
// the tier ladder and its order.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, test } from "node:test";
import {
  eventually,
  openFromMenu,
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
  mkdirSync("test-results", { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach((t) => reportOpenPages(browser, t.name));

test("three commission levels need the ticked compliance statement, which is recorded", async () => {
  const email = "settings@e2e.test";
  const token = await server.owner(email);
  const page = await signIn(browser, server, email);
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

  const settings = await (await server.call("GET", "/api/v1/distribution/settings", token)).json();
  assert.equal(settings.commission_depth, 3);
  assert.equal(settings.binding_days, 7);
  assert.equal(settings.protection_days, 3);
  assert.ok(settings.depth3_acknowledged_at);
  assert.ok(settings.depth3_acknowledged_by);
  const audit = await (
    await server.call(
      "GET",
      "/api/v1/audit-events?action=distribution_settings.depth3_compliance_acknowledged",
      token,
    )
  ).json();
  assert.equal(audit.items.length, 1);
  await page.context().close();
});

test("two tiers created in the editor and reordered", async () => {
  const email = "tiers@e2e.test";
  const token = await server.owner(email);
  const page = await signIn(browser, server, email);
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
    (await page.getByTestId("tiers-table").locator("tbody tr.ant-table-row").allTextContents()).map(
      (row) => (row.includes("金牌") ? "金牌" : "银牌"),
    );
  assert.deepEqual(await names(), ["金牌", "银牌"]);
  // 银牌 is the lower tier: move it up to rank 1.
  const reordered = page.waitForResponse((r) => r.url().endsWith("/distribution/tiers/reorder"));
  await page.locator("tr", { hasText: "银牌" }).getByRole("button", { name: "上移" }).click();
  assert.equal((await reordered).status(), 200);
  await page.waitForFunction(() =>
    document
      .querySelector("[data-testid=tiers-table] tbody tr.ant-table-row")
      ?.textContent?.includes("银牌"),
  );
  assert.deepEqual(await names(), ["银牌", "金牌"]);
  const silver = page.locator("tr", { hasText: "银牌" });
  await silver.getByRole("button", { name: "下移" }).waitFor();
  assert.equal(await silver.getByRole("button", { name: "上移" }).isDisabled(), true);
  assert.equal(await silver.getByRole("button", { name: "下移" }).isDisabled(), false);
  await page.screenshot({ path: "test-results/distribution-tiers.png", fullPage: true });

  const tiers = await (await server.call("GET", "/api/v1/distribution/tiers", token)).json();
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
  await page.context().close();
});

/** Registers a shopper of the merchant (optionally through a share link); answers its id. */
async function memberThroughApi(merchantId, phone, name, distributorCode) {
  // The merchant has not chosen an address: its shop is at its default one.
  const shop = `shop-${merchantId}`;
  const sent = await server.call("POST", `/api/v1/shops/${shop}/verification-codes`, null, {
    recipient: phone,
  });
  assert.equal(sent.status, 202);
  const code = (await server.message(phone, "verification_code")).body.match(/验证码是 (\d{6})/)[1];
  const res = await server.call("POST", `/api/v1/shops/${shop}/members`, null, {
    login: phone,
    code,
    password: "shopper-2026",
    name,
    ...(distributorCode ? { distributor_code: distributorCode } : {}),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const tokens = (await res.json()).tokens;
  const me = await server.call("GET", `/api/v1/shops/${shop}/me`, tokens.access_token);
  return (await me.json()).id;
}

/** Makes a member a distributor under `sponsorId`, through the staff API. */
async function distributorThroughApi(token, memberId, sponsorId) {
  const res = await server.call("POST", "/api/v1/distributors", token, {
    member_id: memberId,
    ...(sponsorId ? { sponsor_id: sponsorId } : {}),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}

test("a distributor's detail: upline, lazily loaded team, refused move, demotion hold, freeze, tier, customers", async () => {
  const email = "network@e2e.test";
  const token = await server.owner(email);
  const me = await (await server.call("GET", "/api/v1/auth/me", token)).json();
  const shop = me.merchant_id;
  for (const name of ["银牌", "金牌"]) {
    const res = await server.call("POST", "/api/v1/distribution/tiers", token, {
      name,
      commission_kind: "percent",
      level1: "10",
      level2: "5",
    });
    assert.equal(res.status, 201);
  }
  // 张三 ─┬─ 李四 ── 王五
  //       └─ 赵六
  const zhang = await distributorThroughApi(
    token,
    await memberThroughApi(shop, "13900000001", "张三"),
  );
  const li = await distributorThroughApi(
    token,
    await memberThroughApi(shop, "13900000002", "李四"),
    zhang.id,
  );
  await distributorThroughApi(token, await memberThroughApi(shop, "13900000003", "王五"), li.id);
  const zhao = await distributorThroughApi(
    token,
    await memberThroughApi(shop, "13900000004", "赵六"),
    zhang.id,
  );
  // A shopper who came through 李四's link is 李四's customer.
  await memberThroughApi(shop, "13900000005", "钱八", li.code);

  const page = await signIn(browser, server, email);
  await openFromMenu(page, "分销商");
  const table = page.getByTestId("distributors-table");
  await table.getByText(`王五 · `).waitFor();
  await eventually(async () =>
    assert.equal(await table.locator("tbody tr.ant-table-row").count(), 4),
  );
  await page.getByRole("searchbox", { name: "编号、手机号、邮箱或姓名" }).fill("张三");
  await page.getByRole("searchbox", { name: "编号、手机号、邮箱或姓名" }).press("Enter");
  await page.waitForFunction(
    () =>
      document.querySelectorAll("[data-testid=distributors-table] tbody tr.ant-table-row")
        .length === 1,
  );
  await table.getByRole("link", { name: `张三 · ${zhang.code}` }).click();
  await page.getByRole("heading", { name: `张三 · ${zhang.code}`, level: 2 }).waitFor();
  await page.getByTestId("team-figures").getByText("团队人数").waitFor();

  // The team: direct recruits at once, 王五 only once 李四 is opened.
  const tree = page.getByTestId("downline-tree");
  await tree.getByText(`李四 · ${li.code}`).waitFor();
  await tree.getByText(`赵六 · ${zhao.code}`).waitFor();
  assert.equal(await tree.getByText("王五").count(), 0);
  const children = page.waitForResponse((r) => r.url().includes(`/distributors/${li.id}/children`));
  const liNode = tree.locator("[role=treeitem]", { hasText: `李四 · ${li.code}` });
  // The tree ignores clicks while it is still animating the opening of the top node.
  for (let i = 0; (await liNode.getAttribute("aria-expanded")) !== "true"; i++) {
    assert.ok(i < 10, "李四 does not open");
    await liNode.locator(".ant-tree-switcher").click();
    await page.waitForTimeout(300);
  }
  await children;
  await tree.getByText("王五").waitFor();
  await page.screenshot({ path: "test-results/distributor-detail.png", fullPage: true });

  // Moving 张三 under 王五 (in 张三's own team) is refused; the reason shows at the new sponsor.
  await page.getByRole("button", { name: "移 动" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("combobox", { name: "新的上级" }).fill("13900000003");
  await page.locator(".ant-select-item-option", { hasText: "王五" }).click();
  await dialog.getByLabel("原因").fill("调整团队");
  await dialog.getByRole("button", { name: "移 动" }).click();
  await dialog
    .locator(".ant-form-item-explain-error", { hasText: "新的上级在该分销商自己的团队中" })
    .waitFor();
  await dialog.getByRole("button", { name: /取\s*消|Cancel/ }).click();

  // 李四's page: upline, tier set by hand, customers.
  await tree.getByRole("link", { name: `李四 · ${li.code}` }).click();
  await page.getByRole("heading", { name: `李四 · ${li.code}`, level: 2 }).waitFor();
  await page.getByTestId("upline").getByText(`张三 · ${zhang.code}`).waitFor();
  await page.getByRole("button", { name: "设置等级" }).click();
  await dialog.getByLabel("等级").click();
  await page.locator(".ant-select-item-option", { hasText: "金牌" }).click();
  await dialog.getByLabel("原因").fill("区域负责人");
  await dialog.getByRole("button", { name: "保 存" }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.getByTestId("distributor-facts").getByText("金牌").waitFor();
  await page.getByRole("tab", { name: "等级变动" }).click();
  const history = page.getByTestId("tier-history");
  await history.getByRole("row", { name: /手动调整.*区域负责人/ }).waitFor();
  await page.getByRole("tab", { name: "绑定客户" }).click();
  await page.getByTestId("customers-table").getByText("钱八").waitFor();

  // 赵六 demoted by hand: automatic promotion pauses until staff resume it.
  await page.goto(`${server.url}/distributors/${zhao.id}`);
  await page.getByRole("button", { name: "设置等级" }).click();
  await dialog.getByLabel("等级").click();
  await page.locator(".ant-select-item-option", { hasText: "无等级" }).click();
  await dialog.getByText("将记为降级，并暂停自动晋升").waitFor();
  await dialog.getByLabel("原因").fill("违规推广");
  await dialog.getByRole("button", { name: "保 存" }).click();
  await dialog.waitFor({ state: "hidden" });
  const hold = page.getByTestId("promotion-hold");
  await hold.getByText("自动晋升已暂停（手动降级）").waitFor();
  await hold.getByRole("button", { name: "恢复自动晋升" }).click();
  await hold.waitFor({ state: "detached" });
  const released = await (
    await server.call("GET", `/api/v1/distributors/${zhao.id}`, token)
  ).json();
  assert.equal(released.promotion_held_since, null);
  assert.equal(released.tier_id, null);

  // 赵六 frozen with a reason.
  await page.getByRole("button", { name: "冻 结" }).click();
  await dialog.getByRole("button", { name: "冻 结" }).click();
  await dialog.locator(".ant-form-item-explain-error").waitFor();
  await dialog.getByLabel("原因").fill("违规推广");
  await dialog.getByRole("button", { name: "冻 结" }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.getByText("已冻结：违规推广").waitFor();
  await page.getByRole("button", { name: "解 冻" }).waitFor();

  // The default sponsor is picked from the distributors by searching; frozen ones are not offered.
  await openFromMenu(page, "分销设置");
  const sponsor = page.getByRole("combobox", { name: "默认上级分销商" });
  await sponsor.fill("赵六");
  await page.locator(".ant-select-dropdown").getByText("没有匹配的分销商").waitFor();
  await sponsor.fill("张三");
  await page.locator(".ant-select-item-option", { hasText: `张三 · ${zhang.code}` }).click();
  await page.getByRole("button", { name: "保 存" }).click();
  await page.getByText("分销设置已保存").waitFor();
  const settings = await (await server.call("GET", "/api/v1/distribution/settings", token)).json();
  assert.equal(settings.default_sponsor_id, zhang.id);

  const frozen = await (await server.call("GET", `/api/v1/distributors/${zhao.id}`, token)).json();
  assert.equal(frozen.status, "frozen");
  assert.equal(frozen.status_reason, "违规推广");
  const promoted = await (await server.call("GET", `/api/v1/distributors/${li.id}`, token)).json();
  assert.equal(promoted.tier_name, "金牌");
  await page.context().close();
});
