import { Button, Card, Empty, Space, Tag, Timeline, Typography } from "antd";
import { useTranslation } from "react-i18next";
import type { OrderDetail } from "../../api/types";
import { useOrderAction } from "./api";

/** The order's packages: what each holds, its tracking state and timeline. */
export function PackagesSection({
  order,
  canRefresh,
}: {
  order: OrderDetail;
  canRefresh: boolean;
}) {
  const { t } = useTranslation();
  const { refreshPackage } = useOrderAction(order.id);
  const lineName = (no: number) => {
    const line = order.lines.find((l) => l.line_no === no);
    return line ? `${line.product_name} ${line.sku_code}` : `#${no}`;
  };
  if (order.packages.length === 0) {
    return <Empty description={t("fulfilment.noPackages")} />;
  }
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="order-packages">
      {order.packages.map((p) => (
        <Card
          key={p.id}
          size="small"
          data-testid={`package-${p.package_no}`}
          title={
            <Space wrap>
              {t("fulfilment.package", { no: p.package_no })}
              <span>
                {p.carrier_name} {p.tracking_no}
              </span>
              <Tag>{t(`trackingState.${p.tracking_state}`)}</Tag>
            </Space>
          }
          extra={
            canRefresh && (
              <Button
                size="small"
                loading={refreshPackage.isPending && refreshPackage.variables === p.id}
                onClick={() => refreshPackage.mutate(p.id)}
              >
                {t("fulfilment.refresh")}
              </Button>
            )
          }
        >
          <Typography.Paragraph>
            {p.lines.map((l) => `${lineName(l.line_no)} × ${l.quantity}`).join("；")}
          </Typography.Paragraph>
          {p.events.length === 0 ? (
            <Typography.Text type="secondary">{t("fulfilment.noEvents")}</Typography.Text>
          ) : (
            <Timeline
              items={p.events.map((e) => ({
                children: `${new Date(e.occurred_at).toLocaleString()} · ${e.description}${e.location ? ` · ${e.location}` : ""}`,
              }))}
            />
          )}
        </Card>
      ))}
    </Space>
  );
}
