import { describe, expect, it } from "vitest";
import enUS from "./en-US";
import zhCN from "./zh-CN";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("translations", () => {
  it("have the same keys in every language", () => {
    expect(keys(enUS).sort()).toEqual(keys(zhCN).sort());
  });

  it("have no empty texts", () => {
    for (const messages of [zhCN, enUS]) {
      for (const key of keys(messages)) {
        const text = key
          .split(".")
          .reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], messages);
        expect(typeof text === "string" && text.length > 0, key).toBe(true);
      }
    }
  });
});
