import { describe, expect, it } from "vitest";
import type { Category } from "../../api/types";
import { categoryTree, parentChoices, subtreeIds } from "./categoryTree";

const categories: Category[] = [
  { id: 1, name: "茶叶", parent_id: null, sort_order: 0 },
  { id: 2, name: "绿茶", parent_id: 1, sort_order: 0 },
  { id: 3, name: "龙井", parent_id: 2, sort_order: 0 },
  { id: 4, name: "红茶", parent_id: 1, sort_order: 1 },
  { id: 5, name: "茶具", parent_id: null, sort_order: 1 },
  { id: 6, name: "孤儿", parent_id: 99, sort_order: 0 },
];

describe("category tree", () => {
  it("nests children under their parents in order", () => {
    const tree = categoryTree(categories);
    expect(tree.map((n) => n.title)).toEqual(["茶叶", "茶具", "孤儿"]);
    expect(tree[0]?.children.map((n) => n.title)).toEqual(["绿茶", "红茶"]);
    expect(tree[0]?.children[0]?.children.map((n) => n.title)).toEqual(["龙井"]);
  });

  it("knows a category's subtree, which it cannot move into", () => {
    expect([...subtreeIds(categories, 1)].sort()).toEqual([1, 2, 3, 4]);
    expect([...subtreeIds(categories, 3)]).toEqual([3]);
    const choices = parentChoices(categories, 2);
    expect(choices[0]?.disabled).toBe(false);
    expect(choices[0]?.children[0]?.disabled).toBe(true);
    expect(choices[0]?.children[0]?.children[0]?.disabled).toBe(true);
    expect(choices[0]?.children[1]?.disabled).toBe(false);
  });
});
