import type { Category } from "../../api/types";

export interface CategoryNode {
  key: number;
  value: number;
  title: string;
  category: Category;
  children: CategoryNode[];
  disabled?: boolean;
}

/**
 * The flat list as a tree, siblings in the API's order (sort order, then age). A category
 * whose parent is missing shows at the top rather than disappearing.
 */
export function categoryTree(categories: Category[]): CategoryNode[] {
  const nodes = new Map<number, CategoryNode>(
    categories.map((c) => [
      c.id,
      { key: c.id, value: c.id, title: c.name, category: c, children: [] },
    ]),
  );
  const roots: CategoryNode[] = [];
  for (const c of categories) {
    const node = nodes.get(c.id);
    if (!node) continue;
    const parent = c.parent_id == null ? undefined : nodes.get(c.parent_id);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** The category and everything below it: the places it cannot be moved to. */
export function subtreeIds(categories: Category[], id: number): Set<number> {
  const ids = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of categories) {
      if (c.parent_id != null && ids.has(c.parent_id) && !ids.has(c.id)) {
        ids.add(c.id);
        grew = true;
      }
    }
  }
  return ids;
}

/** The tree for choosing a new parent of `movingId`: itself and its subtree disabled. */
export function parentChoices(categories: Category[], movingId?: number): CategoryNode[] {
  const blocked = movingId === undefined ? new Set<number>() : subtreeIds(categories, movingId);
  const mark = (nodes: CategoryNode[]): CategoryNode[] =>
    nodes.map((n) => ({ ...n, disabled: blocked.has(n.key), children: mark(n.children) }));
  return mark(categoryTree(categories));
}
