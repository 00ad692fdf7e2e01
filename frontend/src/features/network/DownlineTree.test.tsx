import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Distributor } from "../../api/types";
import { fakeFetch, json, renderPage } from "../../test/render";
import { DownlineTree } from "./DownlineTree";

afterEach(() => vi.unstubAllGlobals());

function distributor(id: number, name: string, recruits: number): Distributor {
  return {
    id,
    code: `CODE${id}`,
    member: { id: 100 + id, name },
    status: "active",
    depth: 0,
    figures: {
      personal_sales: "0.00",
      order_count: 0,
      direct_recruits: recruits,
      team_size: recruits,
      team_sales: "0.00",
    },
    joined_at: "2026-03-01T08:00:00Z",
    updated_at: "2026-03-01T08:00:00Z",
  };
}

describe("DownlineTree", () => {
  it("shows the recruits at once and loads deeper levels and further pages on demand", async () => {
    const fake = fakeFetch({
      "GET /api/v1/distributors/1/children": () => {
        const cursor = new URL(fake.requests.at(-1)?.url ?? "").searchParams.get("cursor");
        return json(
          cursor
            ? { items: [distributor(4, "赵六", 0)], next_cursor: null }
            : { items: [distributor(2, "李四", 1), distributor(3, "王五", 0)], next_cursor: "3" },
        );
      },
      "GET /api/v1/distributors/2/children": () =>
        json({ items: [distributor(5, "孙七", 0)], next_cursor: null }),
    });
    vi.stubGlobal("fetch", fake.fetch);
    renderPage(<DownlineTree root={distributor(1, "张三", 3)} />);

    expect(await screen.findByText("李四 · CODE2")).toBeTruthy();
    expect(screen.getByText("王五 · CODE3")).toBeTruthy();
    expect(screen.queryByText("孙七 · CODE5")).toBeNull();

    // The next page of a large fan.
    fireEvent.click(screen.getByText("加载更多直推成员…"));
    expect(await screen.findByText("赵六 · CODE4")).toBeTruthy();
    expect(screen.queryByText("加载更多直推成员…")).toBeNull();
    const firstPages = fake.requests.map((r) => new URL(r.url).search);
    expect(firstPages).toEqual(["?limit=50", "?cursor=3&limit=50"]);

    // Opening 李四 loads their recruits; 王五 has none and cannot be opened.
    const switcher = screen
      .getByText("李四 · CODE2")
      .closest(".ant-tree-treenode")
      ?.querySelector(".ant-tree-switcher");
    if (!switcher) throw new Error("no switcher");
    fireEvent.click(switcher);
    expect(await screen.findByText("孙七 · CODE5")).toBeTruthy();
    await waitFor(() =>
      expect(fake.requests.filter((r) => r.url.includes("/distributors/2/children"))).toHaveLength(
        1,
      ),
    );
  }, 60_000);
});
