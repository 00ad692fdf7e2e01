import type { Distributor, DistributorPage } from "../../api/types";

/**
 * A node of the downline tree as the tree control shows it: a distributor, or the "more" entry
 * that loads the next page of a parent's recruits. A distributor's recruits are loaded when the
 * node is first expanded (`children` is absent until then).
 */
export type DownlineNode =
  | {
      kind: "distributor";
      key: string;
      distributor: Distributor;
      isLeaf: boolean;
      children?: DownlineNode[];
    }
  | { kind: "more"; key: string; parentId: number; cursor: string; isLeaf: true };

export function distributorKey(id: number): string {
  return `d:${id}`;
}

function moreKey(parentId: number): string {
  return `more:${parentId}`;
}

/** A distributor's node; one without direct recruits has nothing to expand. */
export function nodeOf(distributor: Distributor): DownlineNode {
  return {
    kind: "distributor",
    key: distributorKey(distributor.id),
    distributor,
    isLeaf: distributor.figures.direct_recruits === 0,
  };
}

/** The node with `key`, anywhere in the tree. */
export function findNode(nodes: DownlineNode[], key: string): DownlineNode | undefined {
  for (const node of nodes) {
    if (node.key === key) return node;
    if (node.kind === "distributor" && node.children) {
      const found = findNode(node.children, key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The tree with one page of `parentId`'s recruits added after the ones already shown (a
 * recruit already shown is not repeated: a page may overlap when the team changed in between),
 * followed by a "more" node while the page has a successor. Nodes are replaced, never mutated,
 * so React sees the change.
 */
export function withChildren(
  nodes: DownlineNode[],
  parentId: number,
  page: DistributorPage,
): DownlineNode[] {
  const key = distributorKey(parentId);
  return nodes.map((node) => {
    if (node.kind !== "distributor") return node;
    if (node.key === key) {
      const shown = (node.children ?? []).filter((c) => c.kind === "distributor");
      const seen = new Set(shown.map((c) => c.key));
      const added = page.items.filter((d) => !seen.has(distributorKey(d.id))).map(nodeOf);
      const more: DownlineNode[] = page.next_cursor
        ? [
            {
              kind: "more",
              key: moreKey(parentId),
              parentId,
              cursor: page.next_cursor,
              isLeaf: true,
            },
          ]
        : [];
      const children = [...shown, ...added, ...more];
      return { ...node, children, isLeaf: children.length === 0 };
    }
    if (!node.children) return node;
    const children = withChildren(node.children, parentId, page);
    return children.some((c, i) => c !== node.children?.[i]) ? { ...node, children } : node;
  });
}

/** One page of a distributor's direct recruits, oldest first. */
export type ChildrenLoader = (parentId: number, cursor?: string) => Promise<DistributorPage>;

/** A change to the tree, applied to the tree as it is when the page arrives. */
export type TreeUpdate = (nodes: DownlineNode[]) => DownlineNode[];

/**
 * Loads what expanding `key` needs: a distributor's first page of recruits (once), or the next
 * page of a "more" node. Answers the change to make, or `null` when there is nothing to load.
 * The change is applied to the tree of the moment it lands, so expansions that overlap do not
 * undo each other.
 */
export async function expand(
  nodes: DownlineNode[],
  key: string,
  load: ChildrenLoader,
): Promise<TreeUpdate | null> {
  const node = findNode(nodes, key);
  if (!node) return null;
  const parentId = node.kind === "more" ? node.parentId : node.distributor.id;
  if (node.kind === "distributor" && (node.isLeaf || node.children)) return null;
  const page = await load(parentId, node.kind === "more" ? node.cursor : undefined);
  return (current) => withChildren(current, parentId, page);
}
