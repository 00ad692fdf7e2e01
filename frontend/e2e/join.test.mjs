// The shopper's join page in a real browser: a distributor's recruit link opens the shop's join
// page, the shopper registers with the SMS code from the outbox and applies, and the
// application names the inviter as sponsor while the new member is bound to the inviter.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, test } from "node:test";
import { json, reportOpenPages, startBrowser, startServer } from "./harness.mjs";

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

/** A member registered at the shop (its address) through the API, with the code from the outbox. */
async function memberThroughApi(shop, email, name) {
  await server.call("POST", `/api/v1/shops/${shop}/verification-codes`, null, { recipient: email });
  const mail = await server.message(email, "verification_code");
  const code = mail.body.match(/验证码是 (\d{6})/)[1];
  const body = await json(
    await server.call("POST", `/api/v1/shops/${shop}/members`, null, {
      login: email,
      code,
      password: "shopper-2026",
      name,
    }),
  );
  return body.tokens.access_token;
}

test("a shopper opens a distributor's recruit link, registers by SMS code and applies", async () => {
  // The shop, with a form asking one required answer.
  const owner = await server.owner("join@e2e.test");
  const shop = "e2e-join";
  await json(
    await server.call("PUT", "/api/v1/merchant/profile", owner, {
      name: "好物优选",
      slug: shop,
      timezone: "Asia/Shanghai",
      logo_media_id: null,
    }),
  );
  await json(
    await server.call("PUT", "/api/v1/recruitment/application-form", owner, {
      fields: [
        {
          key: "wechat_id",
          label_zh: "微信号",
          label_en: "WeChat ID",
          type: "text",
          required: true,
        },
      ],
    }),
  );

  // The inviter: a member who applied and was approved by staff.
  const inviterToken = await memberThroughApi(shop, "inviter@e2e.test", "张推荐");
  const inviterApplication = await json(
    await server.call("POST", `/api/v1/shops/${shop}/me/distributor-application`, inviterToken, {
      answers: { wechat_id: "zhang-tea" },
    }),
  );
  const approved = await json(
    await server.call(
      "POST",
      `/api/v1/distributor-applications/${inviterApplication.id}/approve`,
      owner,
    ),
  );
  const inviter = approved.distributor;
  const link = await json(
    await server.call("GET", `/api/v1/shops/${shop}/me/distributor`, inviterToken),
  );
  assert.equal(link.code, inviter.code);

  // The shopper scans the code: the join page of the shop, naming the invitation.
  const context = await browser.newContext({
    locale: "zh-CN",
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/shop/e2e-join/join?ref=${inviter.code}`);
  await page.getByTestId("join-shop-name").getByText("好物优选").waitFor();
  await page.getByTestId("join-invitation").getByText(inviter.code).waitFor();

  // Registers with the phone number and the code the SMS carried.
  const phone = "13900001111";
  await page.getByLabel("手机号").fill(phone);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await page.getByText("验证码已发送").waitFor();
  const sms = await server.message(phone, "verification_code");
  await page.getByLabel("验证码").fill(sms.body.match(/验证码是 (\d{6})/)[1]);
  await page.getByLabel("密码").fill("shopper-2026");
  await page.getByLabel("姓名（选填）").fill("陈小茶");
  await page.getByRole("button", { name: "注册并继续" }).click();

  // The merchant's form: the required answer is asked for, then the application goes in.
  await page.getByTestId("join-member").getByText("陈小茶").waitFor();
  await page.getByText("提交申请后由商家审核").waitFor();
  await page.getByRole("button", { name: "提交申请" }).click();
  await page.getByText("请填写此项").waitFor();
  await page.getByLabel("微信号").fill("chen-tea");
  await page.getByRole("button", { name: "提交申请" }).click();
  await page.getByTestId("join-result").getByText("申请已提交，等待审核").waitFor();
  await page.screenshot({ path: "test-results/join.png", fullPage: true });

  // The page never signed anyone in to the console.
  assert.equal(await page.evaluate(() => window.localStorage.getItem("fenxiao.tokens")), null);

  // Staff see the application with the inviter as sponsor, through the link's code.
  const pending = await json(
    await server.call("GET", "/api/v1/distributor-applications?status=pending", owner),
  );
  const mine = pending.items.find((a) => a.member.phone === phone);
  assert.ok(mine, "the application is in the queue");
  assert.equal(mine.sponsor_code, inviter.code);
  assert.equal(mine.sponsor?.id, inviter.id);
  assert.equal(mine.sponsor_source, "code");
  assert.deepEqual(
    mine.answers.map((a) => [a.key, a.value]),
    [["wechat_id", "chen-tea"]],
  );

  // And the new member is the inviter's customer.
  const customers = await json(
    await server.call("GET", `/api/v1/distributors/${inviter.id}/customers`, owner),
  );
  assert.deepEqual(
    customers.items.map((c) => c.member_id),
    [mine.member.id],
  );

  // Coming back in the same tab: still signed in as the member, the pending result shows.
  await page.reload();
  await page.getByTestId("join-result").getByText("申请已提交，等待审核").waitFor();
  await context.close();
});
