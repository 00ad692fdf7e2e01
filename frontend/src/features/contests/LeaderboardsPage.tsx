import { DatePicker, Empty, Select, Space, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Metric, PeriodKind } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useLeaderboard } from "./api";
import { leaderboardQuery, METRICS, PERIODS } from "./contestsView";
import { RankingTable } from "./RankingTable";

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

  const board = useLeaderboard(query);
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
