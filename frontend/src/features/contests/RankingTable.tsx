import { Empty, Table, Tag, Typography } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { LeaderboardEntry, Metric } from "../../api/types";
import { figureText } from "./contestsView";

/** Ranked distributors; `extra` adds columns (a contest's prizes). */
export function RankingTable<T extends LeaderboardEntry>({
  metric,
  rows,
  loading,
  extra = [],
  testId = "leaderboard-table",
}: {
  metric: Metric;
  rows: T[];
  loading: boolean;
  extra?: { title: string; key: string; render: (row: T) => ReactNode }[];
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <Table<T>
      rowKey="distributor_id"
      loading={loading}
      dataSource={rows}
      pagination={false}
      data-testid={testId}
      locale={{ emptyText: <Empty description={t("leaderboards.empty")} /> }}
      columns={[
        {
          title: t("leaderboards.rank"),
          dataIndex: "rank",
          width: 80,
          render: (rank: number) => (rank <= 3 ? <Tag color="gold">{rank}</Tag> : rank),
        },
        {
          title: t("leaderboards.distributor"),
          key: "distributor",
          render: (_: unknown, row) => (
            <>
              {row.name} <Typography.Text type="secondary">({row.code})</Typography.Text>
            </>
          ),
        },
        {
          title: t(`metrics.${metric}`),
          key: "figure",
          render: (_: unknown, row) => figureText(metric, row, t),
        },
        {
          title: t("leaderboards.reachedAt"),
          dataIndex: "reached_at",
          render: (v: string) => new Date(v).toLocaleString(),
        },
        ...extra.map((c) => ({
          title: c.title,
          key: c.key,
          render: (_: unknown, row: T) => c.render(row),
        })),
      ]}
    />
  );
}
