import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLanguage } from "../../i18n";
import { fakeFetch, json, renderPage } from "../../test/render";
import { LeaderboardsPage } from "./LeaderboardsPage";

afterEach(() => {
  vi.unstubAllGlobals();
  setLanguage("zh-CN");
});

describe("LeaderboardsPage", () => {
  it("asks for this month's sales and shows the ranking", async () => {
    const fake = fakeFetch({
      "GET /api/v1/leaderboards": () =>
        json({
          metric: "sales",
          period: "month",
          from: "2026-03-01",
          to: "2026-03-31",
          timezone: "Asia/Shanghai",
          starts_at: "2026-02-28T16:00:00Z",
          ends_at: "2026-03-31T16:00:00Z",
          participants: 2,
          items: [
            {
              rank: 1,
              distributor_id: 7,
              code: "TEA8K2",
              name: "王丽",
              status: "active",
              amount: "1280.50",
              count: 3,
              reached_at: "2026-03-05T02:00:00Z",
            },
          ],
        }),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(<LeaderboardsPage />);
    expect(await screen.findByText("¥1280.50 · 3 单")).toBeTruthy();
    expect(screen.getByText(/2026-03-01 至 2026-03-31（Asia\/Shanghai）/)).toBeTruthy();
    const url = new URL(fake.requests[0]?.url ?? "");
    expect(url.searchParams.get("metric")).toBe("sales");
    expect(url.searchParams.get("period")).toBe("month");
    expect(url.searchParams.has("date")).toBe(false);
  });
});
