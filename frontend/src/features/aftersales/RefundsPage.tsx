import { Alert, Button, Input, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import type { PaymentKind, Refund, RefundStatus } from "../../api/types";
import { useAuth } from "../auth/AuthContext";
import { type RefundFilters, recordable, useRecordRefund, useRefunds } from "./api";

const STATUSES: RefundStatus[] = ["pending", "processing", "succeeded", "failed"];
const METHODS: PaymentKind[] = ["bank_transfer", "alipay", "wechat_pay", "sandbox"];

/** Finance's refunds: newest first, by status and method; a bank transfer made, or a refund a
 * provider refused and made by hand, is recorded here with its reference. */
export function RefundsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  // A notice links to the refunds of a status (`?status=failed`); pending ones by default.
  const [params] = useSearchParams();
  const asked = params.get("status") as RefundStatus | null;
  const [filters, setFilters] = useState<RefundFilters>({
    status: asked && STATUSES.includes(asked) ? asked : "pending",
  });
  const refunds = useRefunds(filters);
  const rows = refunds.data?.pages.flatMap((p) => p.items) ?? [];
  const record = useRecordRefund();
  const [recording, setRecording] = useState<Refund | null>(null);
  const [reference, setReference] = useState("");
  const failure = record.error as { detail?: string; errors?: { message?: string }[] } | null;
  const close = () => {
    setRecording(null);
    setReference("");
    record.reset();
  };

  return (
    <>
      <Typography.Title level={2}>{t("refunds.title")}</Typography.Title>
      <Space style={{ marginBottom: 16 }} wrap>
        <Select<RefundStatus | undefined>
          allowClear
          style={{ width: 160 }}
          placeholder={t("orders.status")}
          aria-label={t("orders.status")}
          value={filters.status}
          onChange={(status) => setFilters((f) => ({ ...f, status }))}
          options={STATUSES.map((s) => ({ value: s, label: t(`refundStatus.${s}`) }))}
        />
        <Select<PaymentKind | undefined>
          allowClear
          style={{ width: 160 }}
          placeholder={t("refunds.method")}
          aria-label={t("refunds.method")}
          value={filters.method}
          onChange={(method) => setFilters((f) => ({ ...f, method }))}
          options={METHODS.map((m) => ({ value: m, label: t(`store.kinds.${m}`) }))}
        />
      </Space>
      <Table<Refund>
        rowKey="id"
        loading={refunds.isPending}
        dataSource={rows}
        pagination={false}
        data-testid="refunds-table"
        columns={[
          { title: t("afterSales.refundNo"), dataIndex: "refund_no" },
          {
            title: t("orders.order"),
            dataIndex: "order_id",
            render: (id: number) => <Link to={`/orders/${id}`}>#{id}</Link>,
          },
          {
            title: t("afterSales.cause"),
            dataIndex: "cause",
            render: (c) => t(`refundCause.${c}`),
          },
          {
            title: t("refunds.method"),
            dataIndex: "method",
            render: (m: PaymentKind) => t(`store.kinds.${m}`),
          },
          { title: t("afterSales.amount"), dataIndex: "amount", render: (v: string) => `¥${v}` },
          {
            title: t("orders.status"),
            dataIndex: "status",
            render: (s: RefundStatus, r) => (
              <Space direction="vertical" size={0}>
                <Tag color={s === "failed" ? "red" : s === "succeeded" ? "green" : "gold"}>
                  {t(`refundStatus.${s}`)}
                </Tag>
                {r.failure_reason && s !== "succeeded" && (
                  <Typography.Text type="secondary">{r.failure_reason}</Typography.Text>
                )}
              </Space>
            ),
          },
          { title: t("refunds.reference"), dataIndex: "provider_refund_id" },
          {
            title: t("afterSales.requestedAt"),
            dataIndex: "created_at",
            render: (v: string) => new Date(v).toLocaleString(),
          },
          {
            title: "",
            render: (_, r) =>
              can("orders.write") &&
              recordable(r) && (
                <Button size="small" onClick={() => setRecording(r)}>
                  {t("refunds.record")}
                </Button>
              ),
          },
        ]}
      />
      {refunds.hasNextPage && (
        <Button style={{ marginTop: 16 }} onClick={() => refunds.fetchNextPage()}>
          {t("common.loadMore")}
        </Button>
      )}
      <Modal
        open={recording !== null}
        title={t("refunds.recordTitle", { no: recording?.refund_no ?? "" })}
        okText={t("refunds.record")}
        okButtonProps={{ disabled: !reference.trim(), loading: record.isPending }}
        onOk={() =>
          recording && record.mutate({ id: recording.id, reference }, { onSuccess: () => close() })
        }
        onCancel={close}
      >
        <Typography.Paragraph type="secondary">
          {t("refunds.recordHelp", { amount: recording?.amount ?? "" })}
        </Typography.Paragraph>
        <Input
          aria-label={t("refunds.reference")}
          placeholder={t("refunds.reference")}
          maxLength={64}
          value={reference}
          onChange={(e) => setReference(e.target.value)}
        />
        {failure && (
          <Alert
            type="error"
            showIcon
            role="alert"
            style={{ marginTop: 16 }}
            message={failure.errors?.[0]?.message ?? failure.detail ?? t("common.failed")}
          />
        )}
      </Modal>
    </>
  );
}
