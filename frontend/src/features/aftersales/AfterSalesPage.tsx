import { Button, Select, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { AfterSale, AfterSaleStatus } from "../../api/types";
import { useAfterSales } from "./api";

const STATUSES: AfterSaleStatus[] = [
  "requested",
  "awaiting_return",
  "returning",
  "refunding",
  "refunded",
  "rejected",
  "withdrawn",
];

/** The after-sales queue: requests newest first, by status (those waiting for staff first). */
export function AfterSalesPage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<AfterSaleStatus | undefined>("requested");
  const requests = useAfterSales(status);
  const rows = requests.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <Typography.Title level={2}>{t("afterSales.title")}</Typography.Title>
      <Space style={{ marginBottom: 16 }}>
        <Select<AfterSaleStatus | undefined>
          allowClear
          style={{ width: 180 }}
          placeholder={t("orders.status")}
          aria-label={t("orders.status")}
          value={status}
          onChange={setStatus}
          options={STATUSES.map((s) => ({ value: s, label: t(`afterSaleStatus.${s}`) }))}
        />
      </Space>
      <Table<AfterSale>
        rowKey="id"
        loading={requests.isPending}
        dataSource={rows}
        pagination={false}
        data-testid="after-sales-table"
        columns={[
          {
            title: t("afterSales.request"),
            dataIndex: "id",
            render: (id: number) => <Link to={`/after-sales/${id}`}>#{id}</Link>,
          },
          {
            title: t("orders.orderNo"),
            dataIndex: "order_no",
            render: (no: string, a) => <Link to={`/orders/${a.order_id}`}>{no}</Link>,
          },
          {
            title: t("afterSales.kind"),
            dataIndex: "kind",
            render: (k) => t(`afterSaleKind.${k}`),
          },
          {
            title: t("orders.status"),
            dataIndex: "status",
            render: (s: AfterSaleStatus) => <Tag>{t(`afterSaleStatus.${s}`)}</Tag>,
          },
          { title: t("afterSales.amount"), dataIndex: "amount", render: (v: string) => `¥${v}` },
          { title: t("afterSales.reason"), dataIndex: "reason" },
          {
            title: t("afterSales.requestedAt"),
            dataIndex: "created_at",
            render: (v: string) => new Date(v).toLocaleString(),
          },
        ]}
      />
      {requests.hasNextPage && (
        <Button style={{ marginTop: 16 }} onClick={() => requests.fetchNextPage()}>
          {t("common.loadMore")}
        </Button>
      )}
    </>
  );
}
