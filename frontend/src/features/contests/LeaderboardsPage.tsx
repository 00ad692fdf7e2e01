import { useQuery } from "@tanstack/react-query";
import { DatePicker, Empty, Select, Space, Table, Tag, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client";
import type { Leaderboard, LeaderboardEntry, Metric, PeriodKind } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { figureText, leaderboardQuery, METRICS, PERIODS } from "./contestsView";

const DAY = "YYYY-MM-DD";

/** Distributors ranked by sales, new customers or recruits over a day, week, month or range. */
export function LeaderboardsPage() {
  const { t } = useTranslation();
  const [metric, setMetric] = useState<Metric>("sales");
  const [period, setPeriod] = useState<PeriodKind>("month");
  const [date, setDate] = useState<Dayjs | null>(null);
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const query = leaderboardQuery(
    metric,
    period,
    date ? date.format(DAY) : null,
    range ? [range[0].format(DAY), range[1].format(DAY)] : null,
    50,
  );

  const board = useQuery({
    queryKey: ["leaderboard", query],
    enabled: query !== null,
    queryFn: async (): Promise<Leaderboard> => {
      if (!query) throw new Error("no period");
      const { data, error } = await api.GET("/api/v1/leaderboards", { params: { query } });
      if (data) return data;
      throw error;
    },
  });
  const failed = board.error as { detail?: string; title?: string } | null;

  return (
    <>
      <Typography.Title level={2}>{t("leaderboards.title")}</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select<Metric>
          aria-label={t("leaderboards.metric")}
          data-testid="leaderboard-metric"
          value={metric}
          onChange={setMetric}
          style={{ width: 140 }}
          options={METRICS.map((m) => ({ value: m, label: t(`metrics.${m}`) }))}
        />
        <Select<PeriodKind>
          aria-label={t("leaderboards.period")}
          data-testid="leaderboard-period"
          value={period}
          onChange={(p) => {
            setPeriod(p);
            setDate(null);
          }}
          style={{ width: 120 }}
          options={PERIODS.map((p) => ({ value: p, label: t(`periods.${p}`) }))}
        />
        {period === "custom" ? (
          <DatePicker.RangePicker
            value={range}
            onChange={(v) => setRange(v?.[0] && v[1] ? [v[0], v[1]] : null)}
          />
        ) : (
          <DatePicker
            picker={period === "day" ? "date" : period}
            value={date}
            onChange={setDate}
            placeholder={t("leaderboards.date")}
            style={{ width: 200 }}
          />
        )}
        {board.data && (
          <Typography.Text type="secondary" data-testid="leaderboard-range">
            {t("leaderboards.range", {
              from: board.data.from,
              to: board.data.to,
              timezone: board.data.timezone,
            })}{" "}
            · {t("leaderboards.participants", { count: board.data.participants })}
          </Typography.Text>
        )}
      </Space>
      {failed && (
        <ProblemAlert
          problem={{ title: failed.detail ?? failed.title ?? t("common.failed"), details: [] }}
        />
      )}
      {query === null ? (
        <Empty description={t("leaderboards.pickRange")} />
      ) : (
        <RankingTable metric={metric} rows={board.data?.items ?? []} loading={board.isPending} />
      )}
    </>
  );
}

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
  extra?: { title: string; key: string; render: (row: T) => React.ReactNode }[];
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
