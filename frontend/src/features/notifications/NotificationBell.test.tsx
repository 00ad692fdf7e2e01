import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, json, renderPage } from "../../test/render";
import { NotificationBell } from "./NotificationBell";

afterEach(() => {
  vi.unstubAllGlobals();
});

const notice = {
  id: 5,
  kind: "low_stock",
  title: "库存预警：龙井",
  body: "SKU LJ-1 的库存已降至 2（预警值 3），请及时补货。",
  target_type: "sku",
  target_id: "9",
  data: { sku_id: 9 },
  read_at: null,
  created_at: "2026-11-27T08:00:00Z",
};

describe("NotificationBell", () => {
  it("shows the unread count and marks a notification read", async () => {
    let unread = 1;
    const fake = fakeFetch({
      "GET /api/v1/notifications/unread-count": () => json({ unread }),
      "GET /api/v1/notifications": () => json({ items: [notice], next_cursor: null }),
      "POST /api/v1/notifications/5/read": () => {
        unread = 0;
        return json({ ...notice, read_at: "2026-11-27T09:00:00Z" });
      },
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(<NotificationBell />);
    const bell = await screen.findByRole("button", { name: "消息通知（1 条未读）" });
    fireEvent.click(bell);
    expect(await screen.findByText("库存预警：龙井")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "标为已读" }));
    await screen.findByRole("button", { name: "消息通知（0 条未读）" });
    await waitFor(() =>
      expect(
        fake.requests.some(
          (r) => r.method === "POST" && r.url.endsWith("/api/v1/notifications/5/read"),
        ),
      ).toBe(true),
    );
  });
});
