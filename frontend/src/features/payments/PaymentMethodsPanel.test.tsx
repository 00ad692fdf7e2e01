import { fireEvent, screen, waitFor } from "@testing-library/react";
import { App } from "antd";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, json, renderPage } from "../../test/render";
import { PaymentMethodsPanel } from "./PaymentMethodsPanel";

// antd forms render slowly in jsdom on a busy machine.
// jsdom has no ResizeObserver; antd's text areas and tables observe their size.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

afterEach(() => vi.unstubAllGlobals());

const methods = [
  {
    kind: "bank_transfer",
    enabled: true,
    settings: { account_name: "好物优选", bank_name: "招商银行", account_number: "****0123" },
  },
  { kind: "alipay", enabled: false, settings: {} },
  { kind: "wechat_pay", enabled: false, settings: {} },
  { kind: "sandbox", enabled: true, settings: {} },
];

describe("PaymentMethodsPanel", () => {
  it("shows a stored secret only masked and does not send it back", async () => {
    const fake = fakeFetch({
      "GET /api/v1/payment-methods": () => json(methods),
      "PUT /api/v1/payment-methods": () => json(methods[0]),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(
      <App>
        <PaymentMethodsPanel />
      </App>,
    );
    expect(await screen.findByText(/已保存：\*\*\*\*0123/)).toBeTruthy();
    const card = screen.getByTestId("payment-bank_transfer");
    const number = card.querySelector<HTMLInputElement>("input[type=password]");
    expect(number?.value).toBe("");
    expect(document.body.innerHTML).not.toContain("6222");

    const save = card.querySelector<HTMLButtonElement>("button[type=submit]");
    if (!save) throw new Error("no save button");
    fireEvent.click(save);
    await waitFor(() => expect(fake.requests.some((r) => r.method === "PUT")).toBe(true));
    const sent = await fake.requests.find((r) => r.method === "PUT")?.json();
    expect(sent).toEqual({
      kind: "bank_transfer",
      enabled: true,
      settings: { account_name: "好物优选", bank_name: "招商银行", branch: "" },
    });
  }, 30_000);

  it("shows why enabling needs a setting, next to it", async () => {
    const fake = fakeFetch({
      "GET /api/v1/payment-methods": () => json(methods),
      "PUT /api/v1/payment-methods": () =>
        json(
          {
            type: "urn:fenxiao:problem:validation_failed",
            title: "请求参数无效",
            status: 422,
            detail: "一个或多个字段无效，详见 errors。",
            code: "validation_failed",
            errors: [
              { field: "settings.app_id", code: "required", message: "启用该支付方式时必填。" },
            ],
          },
          422,
          "application/problem+json",
        ),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(
      <App>
        <PaymentMethodsPanel />
      </App>,
    );
    const card = await screen.findByTestId("payment-alipay");
    const save = card.querySelector<HTMLButtonElement>("button[type=submit]");
    if (!save) throw new Error("no save button");
    fireEvent.click(save);
    expect(await screen.findByText("启用该支付方式时必填。")).toBeTruthy();
  }, 30_000);
});
