import {
  Alert,
  Button,
  Card,
  Descriptions,
  Input,
  Modal,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { AfterSaleDetail } from "../../api/types";
import { useAuth } from "../auth/AuthContext";
import { type Decision, decisionsFor, useAfterSale, useDecide } from "./api";

type Item = AfterSaleDetail["items"][number];

/** One after-sales request: what is asked back, its refund and timeline, and staff's decisions. */
export function AfterSaleDetailPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const id = Number(useParams().afterSaleId);
  const request = useAfterSale(id);
  const decide = useDecide(id);
  const [asking, setAsking] = useState<Decision | null>(null);
  const [reason, setReason] = useState("");
  const failure = decide.error as { detail?: string } | null;

  if (request.isPending) return <Card loading />;
  if (!request.data) return <Alert type="error" showIcon message={t("common.failed")} />;
  const a = request.data;
  const decisions = can("orders.write") ? decisionsFor(a.status) : [];
  const needsReason = (d: Decision) => d === "reject" || d === "refuse";
  const act = (d: Decision) => {
    if (needsReason(d)) {
      setReason("");
      setAsking(d);
    } else {
      decide.mutate({ decision: d });
    }
  };

  return (
    <>
      <Link to="/after-sales">← {t("afterSales.back")}</Link>
      <Space style={{ width: "100%", justifyContent: "space-between", marginTop: 8 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t("afterSales.request")} #{a.id} <Tag>{t(`afterSaleStatus.${a.status}`)}</Tag>
        </Typography.Title>
        <Space>
          {decisions.map((d) => (
            <Button
              key={d}
              type={needsReason(d) ? "default" : "primary"}
              danger={needsReason(d)}
              loading={decide.isPending && decide.variables?.decision === d}
              onClick={() => act(d)}
            >
              {t(`afterSales.decisions.${d}`)}
            </Button>
          ))}
        </Space>
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
      <Descriptions bordered size="small" column={2} style={{ marginTop: 16 }}>
        <Descriptions.Item label={t("orders.orderNo")}>
          <Link to={`/orders/${a.order_id}`}>{a.order_no}</Link>
        </Descriptions.Item>
        <Descriptions.Item label={t("afterSales.kind")}>
          {t(`afterSaleKind.${a.kind}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t("afterSales.amount")}>
          <span data-testid="after-sale-amount">¥{a.amount}</span>
          {a.freight !== "0.00" && ` + ${t("orders.freight")} ¥${a.freight}`}
        </Descriptions.Item>
        <Descriptions.Item label={t("afterSales.reason")}>
          {a.reason}
          {a.note ? ` · ${a.note}` : ""}
        </Descriptions.Item>
        {a.return_tracking_no && (
          <Descriptions.Item label={t("afterSales.returnParcel")}>
            {a.return_carrier} {a.return_tracking_no}
          </Descriptions.Item>
        )}
        {a.reject_reason && (
          <Descriptions.Item label={t("afterSales.rejectReason")}>
            {a.reject_reason}
          </Descriptions.Item>
        )}
        {a.refund && (
          <Descriptions.Item label={t("afterSales.refund")}>
            <span data-testid="after-sale-refund">
              {a.refund.refund_no} · ¥{a.refund.amount} · {t(`refundStatus.${a.refund.status}`)}
            </span>
          </Descriptions.Item>
        )}
      </Descriptions>
      <Table<Item>
        style={{ marginTop: 16 }}
        rowKey="line_no"
        size="small"
        pagination={false}
        dataSource={a.items}
        columns={[
          { title: t("orders.product"), dataIndex: "product_name" },
          { title: "SKU", dataIndex: "sku_code" },
          { title: t("orders.quantity"), dataIndex: "quantity" },
          { title: t("afterSales.amount"), dataIndex: "amount", render: (v: string) => `¥${v}` },
        ]}
      />
      <Typography.Title level={4} style={{ marginTop: 24 }}>
        {t("orders.timeline")}
      </Typography.Title>
      <Timeline
        items={a.timeline.map((e) => ({
          children: `${new Date(e.at).toLocaleString()} · ${t(`afterSaleStatus.${e.to_status}`)} · ${t(`timelineActor.${e.actor_kind}`)}${e.note ? ` · ${e.note}` : ""}`,
        }))}
      />
      <Modal
        open={asking !== null}
        title={asking ? t(`afterSales.decisions.${asking}`) : ""}
        onCancel={() => setAsking(null)}
        okButtonProps={{ danger: true, disabled: reason.trim() === "", loading: decide.isPending }}
        onOk={() =>
          asking &&
          decide.mutate({ decision: asking, reason }, { onSuccess: () => setAsking(null) })
        }
      >
        <Input.TextArea
          aria-label={t("afterSales.rejectReason")}
          placeholder={t("afterSales.rejectReason")}
          maxLength={200}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
    </>
  );
}
