import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Space,
  Table,
  Timeline,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { OrderLine, Payment, Refund } from "../../api/types";
import { useAuth } from "../auth/AuthContext";
import { useOrder, useOrderAction } from "./api";
import { OrderStatusTag } from "./OrderStatusTag";
import { allowedActions } from "./ordersView";
import { PackagesSection } from "./PackagesSection";
import { ShipDialog } from "./ShipDialog";

/** One order: its amounts, lines, payments and timeline; cancel it or confirm a transfer. */
export function OrderDetailPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const id = Number(useParams().orderId);
  const order = useOrder(id);
  const { cancel, confirmTransfer } = useOrderAction(id);
  const [cancelling, setCancelling] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [shipping, setShipping] = useState(false);
  const [reason, setReason] = useState("");
  const [transfer] = Form.useForm<{ reference: string; amount: string }>();
  const failure = (cancel.error ?? confirmTransfer.error) as { detail?: string } | null;

  if (order.isPending) return <Card loading />;
  if (!order.data) return <Alert type="error" showIcon message={t("common.failed")} />;
  const o = order.data;
  const allowed = allowedActions(o);
  const write = can("orders.write");

  return (
    <>
      <Link to="/orders">← {t("orders.back")}</Link>
      <Space style={{ width: "100%", justifyContent: "space-between", marginTop: 8 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t("orders.order")} {o.order_no} <OrderStatusTag status={o.status} />
        </Typography.Title>
        {write && (
          <Space>
            {allowed.ship && (
              <Button type="primary" onClick={() => setShipping(true)}>
                {t("fulfilment.ship")}
              </Button>
            )}
            {allowed.confirmTransfer && (
              <Button type="primary" onClick={() => setConfirming(true)}>
                {t("orders.confirmTransfer")}
              </Button>
            )}
            {allowed.cancel && (
              <Button danger onClick={() => setCancelling(true)}>
                {t("orders.cancel")}
              </Button>
            )}
          </Space>
        )}
      </Space>
      {failure && (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={failure.detail ?? t("common.failed")}
          style={{ marginTop: 16 }}
        />
      )}
      {o.refund_due && (
        <Alert type="warning" showIcon message={t("orders.refundDue")} style={{ marginTop: 16 }} />
      )}
      <Descriptions bordered size="small" column={2} style={{ marginTop: 16 }}>
        <Descriptions.Item label={t("orders.goods")}>¥{o.goods_amount}</Descriptions.Item>
        <Descriptions.Item label={t("orders.freight")}>¥{o.freight}</Descriptions.Item>
        <Descriptions.Item label={t("orders.discounts")}>
          ¥{o.line_discounts} / ¥{o.coupon} / ¥{o.points}
        </Descriptions.Item>
        <Descriptions.Item label={t("orders.total")}>
          <span data-testid="order-total">¥{o.total}</span>
        </Descriptions.Item>
        {o.pickup && (
          <>
            <Descriptions.Item label={t("pickup.point")}>
              <span data-testid="pickup-point">
                {o.pickup.point.name} · {o.pickup.point.address}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t("pickup.handedOverAt")}>
              {o.pickup.handed_over_at
                ? new Date(o.pickup.handed_over_at).toLocaleString()
                : t("pickup.waiting")}
            </Descriptions.Item>
          </>
        )}
        <Descriptions.Item label={t("orders.recipient")}>
          {o.recipient ? `${o.recipient} ${o.phone ?? ""}` : "—"}
        </Descriptions.Item>
        <Descriptions.Item label={t("orders.address")}>{o.address ?? "—"}</Descriptions.Item>
        <Descriptions.Item label={t("orders.payBy")}>
          {new Date(o.pay_by).toLocaleString()}
        </Descriptions.Item>
        <Descriptions.Item label={t("orders.note")}>{o.buyer_note ?? "—"}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={4} style={{ marginTop: 24 }}>
        {t("orders.lines")}
      </Typography.Title>
      <Table<OrderLine>
        rowKey="line_no"
        dataSource={o.lines}
        pagination={false}
        size="small"
        columns={[
          { title: t("orders.product"), dataIndex: "product_name" },
          { title: "SKU", dataIndex: "sku_code" },
          { title: t("orders.quantity"), dataIndex: "quantity" },
          { title: t("orders.unitPrice"), dataIndex: "unit_price", render: (v) => `¥${v}` },
          { title: t("orders.base"), dataIndex: "commission_base", render: (v) => `¥${v}` },
          { title: t("fulfilment.shipped"), dataIndex: "shipped_quantity" },
          {
            title: t("fulfilment.refunded"),
            render: (_, l) => `${l.refunded_quantity} / ¥${l.refunded}`,
          },
        ]}
      />
      <Typography.Title level={4} style={{ marginTop: 24 }}>
        {t("fulfilment.packages")}
      </Typography.Title>
      <PackagesSection order={o} canRefresh={write} />
      {o.refunds.length > 0 && (
        <>
          <Typography.Title level={4} style={{ marginTop: 24 }}>
            {t("afterSales.refunds")}
          </Typography.Title>
          <Table<Refund>
            rowKey="id"
            dataSource={o.refunds}
            pagination={false}
            size="small"
            data-testid="order-refunds"
            columns={[
              { title: t("afterSales.refundNo"), dataIndex: "refund_no" },
              {
                title: t("afterSales.cause"),
                dataIndex: "cause",
                render: (c) => t(`refundCause.${c}`),
              },
              {
                title: t("orders.method"),
                dataIndex: "method",
                render: (m) => t(`store.kinds.${m}`),
              },
              { title: t("afterSales.amount"), dataIndex: "amount", render: (v) => `¥${v}` },
              {
                title: t("orders.status"),
                dataIndex: "status",
                render: (s) => t(`refundStatus.${s}`),
              },
            ]}
          />
        </>
      )}
      <Typography.Title level={4} style={{ marginTop: 24 }}>
        {t("orders.payments")}
      </Typography.Title>
      <Table<Payment>
        rowKey="id"
        dataSource={o.payments}
        pagination={false}
        size="small"
        data-testid="order-payments"
        columns={[
          { title: t("orders.method"), dataIndex: "method", render: (m) => t(`store.kinds.${m}`) },
          {
            title: t("orders.paymentStatus"),
            dataIndex: "status",
            render: (s) => t(`attemptStatus.${s}`),
          },
          { title: t("orders.total"), dataIndex: "amount", render: (v) => `¥${v}` },
          { title: t("orders.reference"), dataIndex: "provider_txn_id" },
        ]}
      />
      <Typography.Title level={4} style={{ marginTop: 24 }}>
        {t("orders.timeline")}
      </Typography.Title>
      <Timeline
        data-testid="order-timeline"
        items={o.timeline.map((entry) => ({
          children: `${new Date(entry.at).toLocaleString()} · ${t(`orderStatus.${entry.to_status}`)} · ${t(`timelineActor.${entry.actor_kind}`)}${entry.note ? ` · ${entry.note}` : ""}`,
        }))}
      />
      <ShipDialog order={o} open={shipping} onClose={() => setShipping(false)} />
      <Modal
        open={cancelling}
        title={t("orders.cancel")}
        onCancel={() => setCancelling(false)}
        okButtonProps={{ danger: true, loading: cancel.isPending }}
        onOk={() => cancel.mutate(reason, { onSuccess: () => setCancelling(false) })}
      >
        <Input
          aria-label={t("orders.cancelReason")}
          placeholder={t("orders.cancelReason")}
          maxLength={200}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
      <Modal
        open={confirming}
        title={t("orders.confirmTransfer")}
        onCancel={() => setConfirming(false)}
        okButtonProps={{ loading: confirmTransfer.isPending }}
        onOk={() => transfer.submit()}
      >
        <Form
          form={transfer}
          layout="vertical"
          initialValues={{ amount: o.total }}
          onFinish={(values) =>
            confirmTransfer.mutate(values, { onSuccess: () => setConfirming(false) })
          }
        >
          <Form.Item
            name="reference"
            label={t("orders.bankReference")}
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item
            name="amount"
            label={t("orders.amountReceived")}
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
