// Sales contests in a real browser: a contest is created and published through the console and
// shows the ranking of distributors whose sales were seeded through the service path.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
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

async function post(path, body, token) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** A verified merchant owner; answers the merchant's id. */
async function owner(email) {
  const signedUp = await (
    await post("/api/v1/signup", {
      company_name: "好物优选",
      contact_name: "王丽",
      phone: "13812345678",
      email,
      password: "tea-garden-2026",
    })
  ).json();
  const mail = await server.message(email, "verify_email");
  await post("/api/v1/signup/verify-email", { token: mail.body.match(/token=([0-9a-f]{64})/)[1] });
  return signedUp.merchant_id;
}

/** A date `days` from today in Shanghai (the merchant's time zone), as `YYYY-MM-DD`. */
function shanghaiDate(days) {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

test("create a contest, publish it and see its leaderboard", async () => {
  const email = "contests@e2e.test";
  const merchantId = await owner(email);
  // Three distributors who sold 300.00, 200.00 and 100.00 in the last minutes.
  const seed = spawnSync(
    join(server.binDir, "examples", "seed_sales"),
    [server.databaseUrl, String(merchantId), "3"],
    { encoding: "utf8" },
  );
  assert.equal(seed.status, 0, seed.stderr);

  const page = await (await browser.newContext({ locale: "zh-CN" })).newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill("tea-garden-2026");
  await page.getByRole("button", { name: "登 录" }).click();
  await page.getByTestId("service-version").waitFor();

  await page.getByRole("link", { name: "销售竞赛" }).click();
  await page.getByRole("button", { name: "新建竞赛" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("名称").fill("本周销售冠军赛");
  await dialog.getByPlaceholder("开始日期").click();
  await dialog.getByPlaceholder("开始日期").fill(shanghaiDate(-1));
  await dialog.getByPlaceholder("开始日期").press("Enter");
  await dialog.getByPlaceholder("结束日期").fill(shanghaiDate(5));
  await dialog.getByPlaceholder("结束日期").press("Enter");
  await dialog.getByLabel("奖品").fill("冠军：茶礼盒");
  await dialog.getByRole("button", { name: "添加奖项" }).click();
  await dialog.getByLabel("奖品").nth(1).fill("参与奖");
  await dialog
    .getByRole("button", { name: "OK" })
    .or(dialog.getByRole("button", { name: "确 定" }))
    .click();

  // The detail page of the new draft: a live preview of the ranking.
  await page.getByRole("heading", { name: /本周销售冠军赛/ }).waitFor();
  assert.equal(await page.getByTestId("contest-status").first().textContent(), "草稿");
  await page.getByRole("button", { name: "发 布" }).click();
  await page
    .getByRole("tooltip")
    .getByRole("button", { name: /确 定|OK/ })
    .click();
  await page.getByTestId("contest-status").getByText("进行中").waitFor();

  const standings = page.getByTestId("contest-standings");
  await standings.getByText("王丽").waitFor();
  const rows = standings.locator("tbody tr");
  await eventually(async () => assert.equal(await rows.count(), 3));
  assert.match(await rows.nth(0).textContent(), /王丽.*¥300\.00 · 1 单.*冠军：茶礼盒/);
  assert.match(await rows.nth(1).textContent(), /李娜.*¥200\.00.*参与奖/);
  assert.match(await rows.nth(2).textContent(), /张伟.*¥100\.00/);
  assert.equal(await page.getByTestId("contest-ranking").textContent(), "实时排名");
  await page.screenshot({ path: "test-results/contest.png", fullPage: true });

  // The same distributors on the free leaderboard of this month.
  await page.getByRole("link", { name: "排行榜" }).click();
  const board = page.getByTestId("leaderboard-table");
  await board.getByText("王丽").waitFor();
  assert.match(await board.locator("tbody tr").nth(0).textContent(), /王丽.*¥300\.00/);
  await page.context().close();
});
