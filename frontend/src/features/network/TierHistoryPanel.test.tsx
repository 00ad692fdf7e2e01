import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, json, renderPage } from "../../test/render";
import { TierHistoryPanel } from "./TierHistoryPanel";

afterEach(() => vi.unstubAllGlobals());

describe("TierHistoryPanel", () => {
  it("shows each change with its reason or the figures that met the conditions", async () => {
    const fake = fakeFetch({
      "GET /api/v1/distributors/7/tier-changes": () =>
        json([
          {
            id: 3,
            from_tier_id: 2,
            from_tier_name: "金牌",
            to_tier_id: 1,
            to_tier_name: "铜牌",
            cause: "demotion",
            reason: "违规推广",
            promotion: null,
            actor_account_id: 1,
            created_at: "2026-11-20T08:00:00Z",
          },
          {
            id: 2,
            from_tier_id: 1,
            from_tier_name: "铜牌",
            to_tier_id: 2,
            to_tier_name: "金牌",
            cause: "promotion",
            reason: null,
            promotion: {
              trigger: "order_completed",
              mode: "any",
              conditions: [
                { metric: "personal_sales", required: "100.00", actual: "150.00", met: true },
                { metric: "direct_recruits", required: "10", actual: "2", met: false },
              ],
            },
            actor_account_id: null,
            created_at: "2026-11-10T08:00:00Z",
          },
          {
            id: 1,
            from_tier_id: null,
            from_tier_name: null,
            to_tier_id: 9,
            to_tier_name: null,
            cause: "joined",
            reason: null,
            promotion: null,
            actor_account_id: null,
            created_at: "2026-11-01T08:00:00Z",
          },
        ]),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(<TierHistoryPanel distributorId={7} />);

    expect(await screen.findByText("违规推广")).toBeTruthy();
    expect(screen.getByText("降级")).toBeTruthy();
    expect(screen.getByText("金牌 → 铜牌")).toBeTruthy();
    expect(screen.getByText("个人销售额 ¥150.00 / ¥100.00 ✓")).toBeTruthy();
    expect(screen.getByText("直推人数 2 / 10 ✗")).toBeTruthy();
    expect(screen.getByText(/订单完成时评估 · 满足任一/)).toBeTruthy();
    expect(screen.getByText("无等级 → 已删除的等级")).toBeTruthy();
  });
});
