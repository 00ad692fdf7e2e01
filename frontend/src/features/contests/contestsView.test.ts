import { describe, expect, it } from "vitest";
import type { Contest, Problem } from "../../api/types";
import {
  allowedActions,
  contestFormErrors,
  figureText,
  formPath,
  leaderboardQuery,
  toRequest,
  toValues,
} from "./contestsView";

const t = (key: string, options?: Record<string, unknown>) =>
  `${key}:${JSON.stringify(options ?? {})}`;

describe("the leaderboard query", () => {
  it("sends a date inside the period, or none for today", () => {
    expect(leaderboardQuery("sales", "week", "2026-03-04", null)).toEqual({
      metric: "sales",
      period: "week",
      date: "2026-03-04",
      limit: 20,
    });
    expect(leaderboardQuery("recruits", "day", null, null, 50)).toEqual({
      metric: "recruits",
      period: "day",
      limit: 50,
    });
  });

  it("waits for both ends of a custom range and ignores the date", () => {
    expect(leaderboardQuery("sales", "custom", "2026-03-04", null)).toBeNull();
    expect(
      leaderboardQuery("new_customers", "custom", "2026-03-04", ["2026-01-01", "2026-01-31"]),
    ).toEqual({
      metric: "new_customers",
      period: "custom",
      from: "2026-01-01",
      to: "2026-01-31",
      limit: 20,
    });
  });
});

describe("figures", () => {
  it("read as an amount with its orders for sales, a count otherwise", () => {
    expect(figureText("sales", { amount: "80.00", count: 2 }, t)).toBe(
      '¥80.00 · leaderboards.orders:{"count":2}',
    );
    expect(figureText("recruits", { amount: null, count: 3 }, t)).toBe("3");
  });
});

describe("what a status allows", () => {
  it("follows the server's table", () => {
    expect(allowedActions("draft")).toEqual({
      edit: true,
      publish: true,
      cancel: false,
      remove: true,
    });
    expect(allowedActions("scheduled")).toEqual({
      edit: true,
      publish: false,
      cancel: true,
      remove: false,
    });
    expect(allowedActions("running")).toEqual({
      edit: false,
      publish: false,
      cancel: true,
      remove: false,
    });
    for (const status of ["ended", "cancelled"] as const) {
      expect(Object.values(allowedActions(status)).some(Boolean)).toBe(false);
    }
  });
});

describe("the contest form", () => {
  it("becomes a request: trimmed, blank amounts left out, a single rank filled in", () => {
    expect(
      toRequest({
        name: "  三月冠军 ",
        metric: "sales",
        period: ["2026-03-01", "2026-03-31"],
        prizes: [
          { rank_from: 1, rank_to: 1, description: " iPad ", amount: "3999.00" },
          { rank_from: 2, rank_to: null, description: "茶礼盒", amount: "  " },
        ],
      }),
    ).toEqual({
      name: "三月冠军",
      description: "",
      metric: "sales",
      start_date: "2026-03-01",
      end_date: "2026-03-31",
      prizes: [
        { rank_from: 1, rank_to: 1, description: "iPad", amount: "3999.00" },
        { rank_from: 2, rank_to: 2, description: "茶礼盒" },
      ],
    });
  });

  it("is filled from a contest and back unchanged", () => {
    const contest = {
      id: 1,
      name: "周赛",
      description: "说明",
      metric: "recruits",
      start_date: "2026-03-02",
      end_date: "2026-03-08",
      prizes: [{ rank_from: 1, rank_to: 3, description: "奖", amount: null }],
    } as unknown as Contest;
    expect(toRequest(toValues(contest))).toEqual({
      name: "周赛",
      description: "说明",
      metric: "recruits",
      start_date: "2026-03-02",
      end_date: "2026-03-08",
      prizes: [{ rank_from: 1, rank_to: 3, description: "奖" }],
    });
  });

  it("puts the API's field errors where they belong", () => {
    expect(formPath("end_date")).toEqual(["period"]);
    expect(formPath("prizes[1].amount")).toEqual(["prizes", 1, "amount"]);
    expect(formPath("prizes[2]")).toEqual(["prizes", 2, "rank_from"]);
    expect(formPath("winner")).toBeNull();
    const problem: Problem = {
      type: "urn:fenxiao:problem:validation_failed",
      title: "x",
      status: 422,
      detail: "x",
      code: "validation_failed",
      errors: [
        { field: "start_date", code: "range_reversed", message: "早了" },
        { field: "end_date", code: "range_too_long", message: "太长" },
        { field: "prizes[0].amount", code: "money_precision", message: "两位小数" },
        { field: "winner", code: "unknown_field", message: "未知" },
      ],
    };
    expect(contestFormErrors(problem)).toEqual({
      fields: [
        { name: ["period"], errors: ["早了", "太长"] },
        { name: ["prizes", 0, "amount"], errors: ["两位小数"] },
      ],
      other: ["winner: 未知"],
    });
  });
});
