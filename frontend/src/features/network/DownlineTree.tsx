import { Alert, Button, Space, Tree, Typography } from "antd";
import type { DataNode } from "antd/es/tree";
import { type Key, useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Distributor } from "../../api/types";
import { distributorLabel, StatusTag } from "../../components/DistributorPicker";
import { loadChildren } from "./api";
import {
  type ChildrenLoader,
  type DownlineNode,
  distributorKey,
  expand,
  nodeOf,
} from "./distributorTree";

/** Recruits per request; a larger fan shows a "more" entry. */
const PAGE = 50;

const loadPage: ChildrenLoader = loadChildren(PAGE);

/** A distributor's team as a tree whose branches load when they are opened. */
export function DownlineTree({ root }: { root: Distributor }) {
  const { t } = useTranslation();
  const [tree, setTree] = useState<DownlineNode[]>(() => [nodeOf(root)]);
  const [expanded, setExpanded] = useState<Key[]>([]);
  const [failed, setFailed] = useState(false);
  // Loads read the tree of the moment, not the one the callback was made with.
  const current = useRef(tree);
  current.current = tree;

  const open = useCallback(async (key: string) => {
    try {
      const update = await expand(current.current, key, loadPage);
      if (update) setTree(update);
      setFailed(false);
    } catch {
      setFailed(true);
    }
  }, []);

  // The distributor's own recruits are shown at once.
  const rootKey = distributorKey(root.id);
  useEffect(() => {
    if (root.figures.direct_recruits > 0) {
      void open(rootKey).then(() => setExpanded([rootKey]));
    }
  }, [open, rootKey, root.figures.direct_recruits]);

  const toData = (nodes: DownlineNode[]): DataNode[] =>
    nodes.map((node) =>
      node.kind === "more"
        ? {
            key: node.key,
            isLeaf: true,
            selectable: false,
            title: (
              <Button size="small" type="link" onClick={() => void open(node.key)}>
                {t("distributors.moreRecruits")}
              </Button>
            ),
          }
        : {
            key: node.key,
            isLeaf: node.isLeaf,
            selectable: false,
            children: node.children ? toData(node.children) : undefined,
            title: <NodeTitle distributor={node.distributor} isRoot={node.key === rootKey} />,
          },
    );

  return (
    <>
      {failed && (
        <Alert type="error" showIcon message={t("common.failed")} style={{ marginBottom: 16 }} />
      )}
      <div data-testid="downline-tree">
        <Tree
          showLine
          treeData={toData(tree)}
          expandedKeys={expanded}
          onExpand={(keys) => setExpanded(keys)}
          loadData={(node) => open(String(node.key))}
        />
      </div>
    </>
  );
}

function NodeTitle({ distributor: d, isRoot }: { distributor: Distributor; isRoot: boolean }) {
  const { t } = useTranslation();
  const label = distributorLabel(d);
  return (
    <Space size={8}>
      {isRoot ? (
        <Typography.Text strong>{label}</Typography.Text>
      ) : (
        <Link to={`/distributors/${d.id}`}>{label}</Link>
      )}
      {d.status !== "active" && <StatusTag status={d.status} />}
      {d.tier_name && <Typography.Text type="secondary">{d.tier_name}</Typography.Text>}
      <Typography.Text type="secondary">
        {t("distributors.nodeFigures", {
          recruits: d.figures.direct_recruits,
          team: d.figures.team_size,
        })}
      </Typography.Text>
    </Space>
  );
}
