import { describe, expect, it } from "vitest";
import { toPaymentForm, toPaymentRequest } from "./paymentSettings";

describe("payment method form", () => {
  it("fills in plain settings and never the masked secrets", () => {
    const form = toPaymentForm({
      kind: "bank_transfer",
      enabled: true,
      settings: { account_name: "好物优选", bank_name: "招商银行", account_number: "****0123" },
    });
    expect(form).toEqual({
      enabled: true,
      settings: { account_name: "好物优选", bank_name: "招商银行", branch: "", account_number: "" },
    });
  });

  it("sends a secret only when one was typed", () => {
    const kept = toPaymentRequest("wechat_pay", {
      enabled: true,
      settings: { mch_id: " 1900000109 ", app_id: "wx1", serial_no: "S1", api_v3_key: "" },
    });
    expect(kept).toEqual({
      kind: "wechat_pay",
      enabled: true,
      settings: {
        mch_id: "1900000109",
        app_id: "wx1",
        serial_no: "S1",
        platform_serial: "",
        platform_public_key: "",
      },
    });
    const replaced = toPaymentRequest("bank_transfer", {
      enabled: false,
      settings: { account_name: "", bank_name: "工商银行", account_number: "6222021234567890123" },
    });
    expect(replaced.settings).toEqual({
      account_name: "",
      bank_name: "工商银行",
      branch: "",
      account_number: "6222021234567890123",
    });
  });

  it("sends no settings for the sandbox", () => {
    expect(toPaymentRequest("sandbox", { enabled: true, settings: {} })).toEqual({
      kind: "sandbox",
      enabled: true,
      settings: {},
    });
  });
});
