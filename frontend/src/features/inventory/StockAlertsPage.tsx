import { Button, Empty, Space, Table, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { LowStockSku } from "../../api/types";
import { useAuth } from "../auth/AuthContext";
import { useLowStock } from "./api";
import { StockAdjustButton } from "./StockAdjustButton";

/** SKUs at or below their low-stock threshold, with a quick stock adjustment. */
export function StockAlertsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();

  const pages = useLowStock();
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <Typography.Title level={2}>{t("stock.title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("stock.help")}</Typography.Paragraph>
      <Table<LowStockSku>
        rowKey="sku_id"
        loading={pages.isPending}
        dataSource={items}
        pagination={false}
        data-testid="low-stock-table"
        locale={{ emptyText: <Empty description={t("stock.none")} /> }}
        columns={[
          {
            title: t("products.name"),
            key: "product",
            render: (_: unknown, s) =>
              can("catalog.write") ? (
                <Link to={`/products/${s.product_id}/edit`}>{s.product_name}</Link>
              ) : (
                s.product_name
              ),
          },
          { title: t("products.code"), dataIndex: "sku_code" },
          {
            title: t("products.specs"),
            key: "specs",
            render: (_: unknown, s) =>
              Object.entries(s.spec_values)
                .map(([name, value]) => `${name}: ${value}`)
                .join(" / ") || "—",
          },
          {
            title: t("products.stock"),
            key: "stock",
            render: (_: unknown, s) => (
              <Typography.Text type={s.stock === 0 ? "danger" : "warning"}>
                {s.stock}
              </Typography.Text>
            ),
          },
          { title: t("products.lowStockThreshold"), dataIndex: "low_stock_threshold" },
          {
            title: t("products.status"),
            key: "status",
            render: (_: unknown, s) => <Tag>{t(`products.statuses.${s.product_status}`)}</Tag>,
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, s) =>
              can("inventory.write") && s.kind === "physical" ? (
                <StockAdjustButton skuId={s.sku_id} skuCode={s.sku_code} />
              ) : null,
          },
        ]}
      />
      {pages.hasNextPage && (
        <Space style={{ marginTop: 16 }}>
          <Button onClick={() => pages.fetchNextPage()} loading={pages.isFetchingNextPage}>
            {t("common.loadMore")}
          </Button>
        </Space>
      )}
    </>
  );
}
