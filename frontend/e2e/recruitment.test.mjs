// Recruitment in a real browser: staff configure the application form and see the recruit link
// and QR code, a member applies through the API, staff approve in the review queue, and the
// welcome email is in the outbox.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { after, afterEach, before, test } from "node:test";
import {
  json,
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

/** A member registered at the shop through the API, with the code from the outbox. */
async function memberThroughApi(shop, email) {
  await server.call("POST", `/api/v1/shops/${shop}/verification-codes`, null, { recipient: email });
  const mail = await server.message(email, "verification_code");
  const code = mail.body.match(/验证码是 (\d{6})/)[1];
  const body = await json(
    await server.call("POST", `/api/v1/shops/${shop}/members`, null, {
      login: email,
      code,
      password: "shopper-2026",
      name: "李小米",
    }),
  );
  return body.tokens.access_token;
}

test("staff configure the form, a member applies, staff approve, the welcome email goes out", async () => {
  const email = "recruit@e2e.test";
  const token = await server.owner(email);
  const merchant = await json(await server.call("GET", "/api/v1/merchant", token));
  assert.equal(merchant.slug, `shop-${merchant.id}`, "the default address, from sign-up on");
  await json(
    await server.call("PUT", "/api/v1/merchant/profile", token, {
      name: "好物优选",
      slug: "e2e-tea",
      timezone: "Asia/Shanghai",
      logo_media_id: null,
    }),
  );

  const page = await signIn(browser, server, email);
  await openFromMenu(page, "分销招募");

  // The merchant's recruit link and the server's QR code of it.
  const link = (await page.getByTestId("recruit-link").textContent()).trim();
  assert.match(link, /\/shop\/e2e-tea\/join$/);
  const qr = page.getByTestId("recruit-qr");
  await qr.waitFor();
  await page.waitForFunction(
    () => document.querySelector("[data-testid=recruit-qr]")?.naturalWidth > 0,
  );
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "下载 PNG" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "recruit-qr.png");
  const png = readFileSync(await download.path());
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  // A field with a bad key: the server's message shows at the key.
  await page.getByRole("button", { name: "添加字段" }).click();
  await page.getByLabel("中文名称").fill("微信号");
  await page.getByLabel("英文名称").fill("WeChat ID");
  await page.getByLabel("字段标识").fill("WeChat");
  await page.getByRole("switch").click();
  await page.getByRole("button", { name: "保 存" }).click();
  await page.getByText("请以小写字母开头").waitFor();
  await page.getByLabel("字段标识").fill("wechat_id");
  await page.getByRole("button", { name: "保 存" }).click();
  await page.getByText("申请表单已保存").waitFor();
  await page.screenshot({ path: "test-results/recruitment.png", fullPage: true });

  // A member reads the form and applies through the API.
  const shop = "e2e-tea";
  const form = await json(
    await server.call("GET", `/api/v1/shops/${shop}/distributor-application-form`),
  );
  assert.equal(form.entry_mode, "application");
  assert.deepEqual(
    form.fields.map((f) => [f.key, f.label_zh, f.type, f.required]),
    [["wechat_id", "微信号", "text", true]],
  );
  const applicantEmail = "applicant@e2e.test";
  const member = await memberThroughApi(shop, applicantEmail);
  const missing = await server.call(
    "POST",
    `/api/v1/shops/${shop}/me/distributor-application`,
    member,
    {},
  );
  assert.equal(missing.status, 422, "the required answer is checked");
  const applied = await json(
    await server.call("POST", `/api/v1/shops/${shop}/me/distributor-application`, member, {
      answers: { wechat_id: "lxm-tea" },
    }),
  );
  assert.equal(applied.status, "pending");

  // Staff review it in the console.
  await openFromMenu(page, "分销申请");
  const table = page.getByTestId("applications-table");
  await table.getByRole("button", { name: "李小米" }).click();
  const drawer = page.locator(".ant-drawer");
  await drawer.getByTestId("application-answers").getByText("lxm-tea").waitFor();
  await drawer.getByText("微信号").waitFor();
  await page.screenshot({ path: "test-results/application.png", fullPage: true });
  await drawer.getByRole("button", { name: "批 准" }).click();
  await page.getByText("已批准 李小米 成为分销商").waitFor();
  await drawer.getByText("已批准", { exact: true }).waitFor();

  // The member is a distributor, and the welcome email with the guide is in the outbox.
  const mine = await json(
    await server.call("GET", `/api/v1/shops/${shop}/me/distributor-application`, member),
  );
  assert.equal(mine.status, "approved");
  const welcome = await server.message(applicantEmail, "distributor_welcome");
  assert.match(welcome.subject, /好物优选/);
  assert.ok(welcome.body.includes(mine.distributor_code), "the email names the code");
  assert.ok(welcome.body.includes(`/shop/e2e-tea/join?ref=${mine.distributor_code}`));
  assert.ok(welcome.body.includes("三步开始"));
  await page.context().close();
});
