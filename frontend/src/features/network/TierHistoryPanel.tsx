import { Table, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import type { ConditionFigure, TierChange } from "../../api/types";
import { useTierChanges } from "./api";

const CAUSE_COLORS: Record<string, string> = {
  joined: "default",
  promotion: "green",
  demotion: "red",
  manual: "blue",
};

/** Sales conditions are amounts in yuan; the others are counts. */
const MONEY_METRICS = new Set(["personal_sales", "team_sales"]);

/** One condition as read by staff: "个人销售额 ¥1234.56 / ¥1000.00 ✓". */
export function conditionText(c: ConditionFigure, metricLabel: (metric: string) => string): string {
  const show = (v: string) => (MONEY_METRICS.has(c.metric) ? `¥${v}` : v);
  return `${metricLabel(c.metric)} ${show(c.actual)} / ${show(c.required)} ${c.met ? "✓" : "✗"}`;
}

/** A distributor's tier changes, newest first, each with why it happened. */
export function TierHistoryPanel({ distributorId }: { distributorId: number }) {
  const { t } = useTranslation();
  const changes = useTierChanges(distributorId);
  const tierName = (name: string | null | undefined, id: number | null | undefined) =>
    name ?? (id == null ? t("tierHistory.none") : t("tierHistory.deletedTier"));
  return (
    <Table<TierChange>
      rowKey="id"
      loading={changes.isPending}
      dataSource={changes.data ?? []}
      pagination={false}
      data-testid="tier-history"
      locale={{ emptyText: t("tierHistory.empty") }}
      columns={[
        {
          title: t("tierHistory.at"),
          dataIndex: "created_at",
          render: (v: string) => new Date(v).toLocaleString(),
        },
        {
          title: t("tierHistory.cause"),
          dataIndex: "cause",
          render: (v: string) => (
            <Tag color={CAUSE_COLORS[v] ?? "default"}>{t(`tierHistory.causes.${v}`)}</Tag>
          ),
        },
        {
          title: t("tierHistory.change"),
          key: "change",
          render: (_: unknown, c) =>
            `${tierName(c.from_tier_name, c.from_tier_id)} → ${tierName(c.to_tier_name, c.to_tier_id)}`,
        },
        {
          title: t("tierHistory.why"),
          key: "why",
          render: (_: unknown, c) => {
            if (c.promotion) {
              const p = c.promotion;
              return (
                <Typography.Text>
                  {t(`tierHistory.triggers.${p.trigger}`)} · {t(`tiers.modes.${p.mode}`)}
                  {p.conditions.map((figure) => (
                    <div key={figure.metric}>
                      {conditionText(figure, (m) => t(`tiers.conditions.${m}`))}
                    </div>
                  ))}
                </Typography.Text>
              );
            }
            return c.reason ?? "—";
          },
        },
      ]}
    />
  );
}
