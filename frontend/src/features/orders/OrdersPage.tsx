import { Button, Input, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Order, OrderStatus } from "../../api/types";
import { useAuth } from "../auth/AuthContext";
import { exportOrders, type OrderFilters, useOrders } from "./api";
import { BatchShipModal } from "./BatchShipModal";
import { OrderStatusTag } from "./OrderStatusTag";
import { STATUS_COLORS } from "./ordersView";
import { PickupHandoverModal } from "./PickupHandoverModal";

/** The merchant's orders, newest first, filtered by status or order number. */
export function OrdersPage() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<OrderFilters>({});
  const orders = useOrders(filters);
  const rows = orders.data?.pages.flatMap((p) => p.items) ?? [];
  const statuses = Object.keys(STATUS_COLORS) as OrderStatus[];
  const { can } = useAuth();
  const [batch, setBatch] = useState(false);
  const [handover, setHandover] = useState(false);
  const download = async () => {
    const blob = await exportOrders("xlsx", filters.status);
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = "orders.xlsx";
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <>
      <Typography.Title level={2}>{t("orders.title")}</Typography.Title>
      <Space style={{ marginBottom: 16 }} wrap>
        <Select<OrderStatus | undefined>
          allowClear
          placeholder={t("orders.status")}
          style={{ width: 160 }}
          value={filters.status}
          onChange={(status) => setFilters((f) => ({ ...f, status }))}
          options={statuses.map((s) => ({ value: s, label: t(`orderStatus.${s}`) }))}
          aria-label={t("orders.status")}
        />
        <Input.Search
          allowClear
          placeholder={t("orders.orderNo")}
          aria-label={t("orders.orderNo")}
          onSearch={(order_no) => setFilters((f) => ({ ...f, order_no }))}
          style={{ width: 260 }}
        />
        {can("orders.write") && (
          <>
            <Button onClick={() => setBatch(true)}>{t("fulfilment.batchShip")}</Button>
            <Button onClick={() => setHandover(true)}>{t("pickup.handOver")}</Button>
          </>
        )}
        <Button onClick={() => void download()}>{t("orders.export")}</Button>
      </Space>
      <BatchShipModal open={batch} onClose={() => setBatch(false)} />
      <PickupHandoverModal open={handover} onClose={() => setHandover(false)} />
      <Table<Order>
        rowKey="id"
        loading={orders.isPending}
        dataSource={rows}
        pagination={false}
        data-testid="orders-table"
        columns={[
          {
            title: t("orders.orderNo"),
            dataIndex: "order_no",
            render: (no: string, o) => <Link to={`/orders/${o.id}`}>{no}</Link>,
          },
          {
            title: t("orders.status"),
            dataIndex: "status",
            render: (s: OrderStatus) => <OrderStatusTag status={s} />,
          },
          { title: t("orders.total"), dataIndex: "total", render: (v: string) => `¥${v}` },
          { title: t("orders.recipient"), dataIndex: "recipient" },
          {
            title: t("orders.placedAt"),
            dataIndex: "placed_at",
            render: (v: string) => new Date(v).toLocaleString(),
          },
        ]}
      />
      {orders.hasNextPage && (
        <Button
          style={{ marginTop: 16 }}
          onClick={() => orders.fetchNextPage()}
          loading={orders.isFetchingNextPage}
        >
          {t("common.loadMore")}
        </Button>
      )}
    </>
  );
}
