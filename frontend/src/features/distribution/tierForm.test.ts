import { describe, expect, it } from "vitest";
import type { Tier } from "../../api/types";
import {
  commissionLabel,
  formatMillionths,
  moveItem,
  newTierForm,
  percentMillionths,
  percentTotal,
  setConditions,
  toTierForm,
  toTierRequest,
} from "./tierForm";

const tier: Tier = {
  id: 3,
  name: "金牌",
  rank: 2,
  commission_kind: "percent",
  level1: "12.5",
  level2: "0.0001",
  level3: "0",
  purchase_discount: "5",
  promotion: {
    mode: "any",
    personal_sales: "10000.00",
    team_sales: null,
    direct_recruits: 10,
    team_size: null,
    order_count: 0,
  },
  distributor_count: 4,
  created_at: "2026-03-01T08:00:00Z",
  updated_at: "2026-03-01T08:00:00Z",
};

describe("tier form", () => {
  it("round-trips a tier, conditions included", () => {
    expect(toTierRequest(toTierForm(tier))).toEqual({
      name: "金牌",
      commission_kind: "percent",
      level1: "12.5",
      level2: "0.0001",
      level3: "0",
      purchase_discount: "5",
      promotion: {
        mode: "any",
        personal_sales: "10000.00",
        team_sales: null,
        direct_recruits: 10,
        team_size: null,
        // Zero is a condition (trivially met), not "not set".
        order_count: 0,
      },
    });
  });

  it("sends rates and amounts as the strings typed, empty ones as zero or not set", () => {
    const form = {
      ...newTierForm(),
      name: "  银牌 ",
      commission_kind: "fixed" as const,
      level1: " 5.00 ",
      level2: "0.1",
      level3: "",
      purchase_discount: "",
      promotion: { ...newTierForm().promotion, team_sales: " 99.999 ", personal_sales: "  " },
    };
    const request = toTierRequest(form);
    expect(request.name).toBe("银牌");
    expect(request.level1).toBe("5.00");
    expect(request.level2).toBe("0.1");
    expect(request.level3).toBe("0");
    expect(request.purchase_discount).toBe("0");
    // The API refuses three decimals with the field's own message; nothing is rounded here.
    expect(request.promotion?.team_sales).toBe("99.999");
    expect(request.promotion?.personal_sales).toBeNull();
    expect(request.promotion?.mode).toBe("all");
    expect(typeof request.level1).toBe("string");
  });

  it("lists the conditions that are set", () => {
    expect(setConditions(tier.promotion)).toEqual([
      { key: "personal_sales", value: "10000.00" },
      { key: "direct_recruits", value: "10" },
      { key: "order_count", value: "0" },
    ]);
    expect(setConditions({})).toEqual([]);
  });

  it("labels values by kind", () => {
    expect(commissionLabel("percent", "12.5")).toBe("12.5%");
    expect(commissionLabel("fixed", "5.00")).toBe("¥5.00");
  });
});

describe("percentages without floats", () => {
  it("reads percentages exactly", () => {
    expect(percentMillionths("12.5")).toBe(125_000);
    expect(percentMillionths("0.0001")).toBe(1);
    expect(percentMillionths("100")).toBe(1_000_000);
    expect(percentMillionths("33.3333")).toBe(333_333);
    expect(percentMillionths("0.00001")).toBeNull();
    expect(percentMillionths("-1")).toBeNull();
    expect(percentMillionths("1e2")).toBeNull();
    expect(percentMillionths("")).toBeNull();
  });

  it("adds levels exactly where floats would not", () => {
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
    expect(formatMillionths(percentTotal(["0.1", "0.2", ""]) ?? -1)).toBe("0.3");
    expect(formatMillionths(percentTotal(["33.3333", "33.3333", "33.3334"]) ?? -1)).toBe("100");
    expect(percentTotal(["60", "40.0001", "0"])).toBe(1_000_001);
    expect(percentTotal(["12.5", "abc"])).toBeNull();
    expect(formatMillionths(0)).toBe("0");
    expect(formatMillionths(1)).toBe("0.0001");
  });
});

describe("reordering", () => {
  it("moves one item and keeps the others in order", () => {
    expect(moveItem([1, 2, 3, 4], 0, 2)).toEqual([2, 3, 1, 4]);
    expect(moveItem([1, 2, 3, 4], 3, 0)).toEqual([4, 1, 2, 3]);
    expect(moveItem([1, 2], 1, 0)).toEqual([2, 1]);
    expect(moveItem([1, 2], 0, 5)).toEqual([1, 2]);
    expect(moveItem([1, 2], 1, 1)).toEqual([1, 2]);
  });
});
