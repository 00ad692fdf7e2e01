import { describe, expect, it } from "vitest";
import type { Distributor, DistributorPage } from "../../api/types";
import {
  type ChildrenLoader,
  type DownlineNode,
  distributorKey,
  expand,
  findNode,
  nodeOf,
} from "./distributorTree";

function distributor(id: number, recruits: number, parent: number | null = null): Distributor {
  return {
    id,
    code: `CODE${id}`,
    member: { id: 100 + id, name: `分销商${id}` },
    status: "active",
    depth: 0,
    parent_id: parent,
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

/** Recruits by parent, served in pages of `size`; records each request. */
function fakeLoader(recruits: Record<number, Distributor[]>, size: number) {
  const calls: [number, string | undefined][] = [];
  const load: ChildrenLoader = async (parentId, cursor) => {
    calls.push([parentId, cursor]);
    const all = recruits[parentId] ?? [];
    const start = cursor ? Number(cursor) : 0;
    const page: DistributorPage = {
      items: all.slice(start, start + size),
      next_cursor: start + size < all.length ? String(start + size) : null,
    };
    return page;
  };
  return { load, calls };
}

const keys = (nodes: DownlineNode[] | undefined) => (nodes ?? []).map((n) => n.key);

async function open(tree: DownlineNode[], key: string, load: ChildrenLoader) {
  const update = await expand(tree, key, load);
  return update ? update(tree) : tree;
}

describe("downline tree", () => {
  const root = distributor(1, 3);
  const recruits = {
    1: [distributor(2, 1, 1), distributor(3, 0, 1), distributor(4, 0, 1)],
    2: [distributor(5, 0, 2)],
  };

  it("loads a distributor's recruits when first expanded, and only then", async () => {
    const { load, calls } = fakeLoader(recruits, 10);
    let tree = [nodeOf(root)];
    expect(findNode(tree, "d:1")).toMatchObject({ isLeaf: false });
    expect((tree[0] as { children?: unknown }).children).toBeUndefined();

    tree = await open(tree, "d:1", load);
    const top = findNode(tree, "d:1");
    expect(top?.kind === "distributor" && keys(top.children)).toEqual(["d:2", "d:3", "d:4"]);
    // Without recruits there is nothing to expand.
    expect(findNode(tree, "d:3")?.isLeaf).toBe(true);
    expect(findNode(tree, "d:2")?.isLeaf).toBe(false);

    // Expanding again loads nothing; a nested node loads its own recruits.
    expect(await expand(tree, "d:1", load)).toBeNull();
    tree = await open(tree, "d:2", load);
    const second = findNode(tree, "d:2");
    expect(second?.kind === "distributor" && keys(second.children)).toEqual(["d:5"]);
    expect(calls).toEqual([
      [1, undefined],
      [2, undefined],
    ]);
  });

  it("pages large fans with a 'more' node that loads the next page", async () => {
    const many = Array.from({ length: 5 }, (_, i) => distributor(10 + i, 0, 1));
    const { load, calls } = fakeLoader({ 1: many }, 2);
    let tree = await open([nodeOf(distributor(1, 5))], "d:1", load);
    const children = () => {
      const n = findNode(tree, "d:1");
      return n?.kind === "distributor" ? keys(n.children) : [];
    };
    expect(children()).toEqual(["d:10", "d:11", "more:1"]);
    tree = await open(tree, "more:1", load);
    expect(children()).toEqual(["d:10", "d:11", "d:12", "d:13", "more:1"]);
    tree = await open(tree, "more:1", load);
    expect(children()).toEqual(["d:10", "d:11", "d:12", "d:13", "d:14"]);
    expect(calls.map(([, cursor]) => cursor)).toEqual([undefined, "2", "4"]);
  });

  it("shows a recruit once when pages overlap", async () => {
    const load: ChildrenLoader = async (_parent, cursor) =>
      cursor
        ? { items: [distributor(3, 0, 1), distributor(4, 0, 1)], next_cursor: null }
        : { items: [distributor(2, 0, 1), distributor(3, 0, 1)], next_cursor: "x" };
    let tree = await open([nodeOf(root)], "d:1", load);
    tree = await open(tree, "more:1", load);
    const top = findNode(tree, "d:1");
    expect(top?.kind === "distributor" && keys(top.children)).toEqual(["d:2", "d:3", "d:4"]);
  });

  it("keeps what loaded meanwhile when expansions overlap", async () => {
    const { load } = fakeLoader(recruits, 10);
    let tree = await open([nodeOf(root)], "d:1", load);
    // Two siblings expanded before either answer arrives.
    const first = await expand(tree, "d:2", load);
    const other = await expand(tree, "d:2", async () => ({ items: [], next_cursor: null }));
    if (!first || !other) throw new Error("expected loads");
    tree = first(tree);
    tree = other(tree);
    const node = findNode(tree, "d:2");
    expect(node?.kind === "distributor" && keys(node.children)).toEqual(["d:5"]);
  });

  it("turns a node without recruits after all into a leaf", async () => {
    const tree = await open([nodeOf(distributor(7, 2))], distributorKey(7), async () => ({
      items: [],
      next_cursor: null,
    }));
    expect(findNode(tree, "d:7")?.isLeaf).toBe(true);
  });
});
