import { describe, expect, it } from "vitest";
import { recordable } from "./api";

describe("recording a refund by hand", () => {
  it("is for bank transfers not yet made and for refunds a provider refused", () => {
    expect(recordable({ method: "bank_transfer", status: "pending" })).toBe(true);
    expect(recordable({ method: "alipay", status: "failed" })).toBe(true);
    expect(recordable({ method: "wechat_pay", status: "failed" })).toBe(true);
  });

  it("is not for refunds under way, done, or the sandbox's", () => {
    expect(recordable({ method: "alipay", status: "pending" })).toBe(false);
    expect(recordable({ method: "wechat_pay", status: "processing" })).toBe(false);
    expect(recordable({ method: "bank_transfer", status: "succeeded" })).toBe(false);
    expect(recordable({ method: "sandbox", status: "failed" })).toBe(false);
  });
});
