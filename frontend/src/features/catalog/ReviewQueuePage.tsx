import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, Modal, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { fenOf } from "../../api/money";
import { isProblem } from "../../api/problem";
import type { Product, Sku } from "../../api/types";
import { type ShownProblem, useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { catalogKeys, changeProductStatus, useReviewQueue } from "./api";

const PAGE = 50;

/** "¥12.50" or "¥12.50 – ¥30.00", compared as integer fen. */
function priceRange(skus: Sku[]): string {
  const prices = skus.map((s) => s.retail_price).sort((a, b) => fenOf(a) - fenOf(b));
  const low = prices[0];
  const high = prices[prices.length - 1];
  if (!low || !high) return "—";
  return low === high ? `¥${low}` : `¥${low} – ¥${high}`;
}

/** Products awaiting review: approve to list them, or reject with what must be corrected. */
export function ReviewQueuePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState<Product | null>(null);
  const [pageProblem, setPageProblem] = useState<ShownProblem | null>(null);
  const [form] = Form.useForm<{ reason: string }>();
  const problem = useProblemForm(form, ["reason"], t("common.failed"));

  const queue = useReviewQueue(PAGE);
  const products = queue.data?.pages.flatMap((p) => p.items) ?? [];

  const review = useMutation({
    mutationFn: (args: { id: number; action: "approve" | "reject"; reason?: string }) =>
      changeProductStatus({ ...args, review: true, reason: args.reason ?? null }),
    onMutate: () => setPageProblem(null),
    onSuccess: async (product) => {
      message.success(
        t(product.status === "listed" ? "review.approved" : "review.rejected", {
          name: product.name,
        }),
      );
      await queryClient.invalidateQueries({ queryKey: catalogKeys.products });
    },
  });

  const approve = (product: Product) =>
    review.mutate(
      { id: product.id, action: "approve" },
      {
        onError: (error) => {
          setPageProblem({
            title: isProblem(error) ? error.detail || error.title : t("common.failed"),
            details: [],
          });
          void queryClient.invalidateQueries({ queryKey: catalogKeys.products });
        },
      },
    );

  const reject = ({ reason }: { reason: string }) => {
    if (!rejecting) return;
    problem.clear();
    review.mutate(
      { id: rejecting.id, action: "reject", reason },
      {
        onError: problem.show,
        onSuccess: () => setRejecting(null),
      },
    );
  };

  return (
    <>
      <Typography.Title level={2}>{t("review.title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("review.help")}</Typography.Paragraph>
      <ProblemAlert problem={pageProblem} testId="review-error" />
      <Table<Product>
        rowKey="id"
        loading={queue.isPending}
        dataSource={products}
        pagination={false}
        data-testid="review-table"
        locale={{ emptyText: t("review.empty") }}
        expandable={{
          expandedRowRender: (p) => (
            <Table<Sku>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={p.skus}
              columns={[
                { title: t("products.code"), dataIndex: "code" },
                {
                  title: t("products.specs"),
                  key: "specs",
                  render: (_: unknown, s) =>
                    Object.entries(s.spec_values)
                      .map(([k, v]) => `${k}: ${v}`)
                      .join(" / ") || "—",
                },
                {
                  title: t("products.retailPrice"),
                  dataIndex: "retail_price",
                  render: (v: string) => `¥${v}`,
                },
                { title: t("products.stock"), dataIndex: "stock" },
              ]}
            />
          ),
        }}
        columns={[
          {
            title: t("products.name"),
            dataIndex: "name",
            render: (name: string, p) => (
              <Space>
                {p.images[0] && (
                  <img
                    src={p.images[0].url}
                    alt=""
                    width={40}
                    height={40}
                    style={{ objectFit: "cover", borderRadius: 4 }}
                  />
                )}
                <span>
                  <Typography.Text strong>{name}</Typography.Text>
                  {p.subtitle && <Typography.Text type="secondary"> {p.subtitle}</Typography.Text>}
                </span>
              </Space>
            ),
          },
          { title: t("products.skus"), key: "skus", render: (_: unknown, p) => p.skus.length },
          {
            title: t("products.price"),
            key: "price",
            render: (_: unknown, p) => priceRange(p.skus),
          },
          {
            title: t("review.submitted"),
            dataIndex: "updated_at",
            render: (v: string) => new Date(v).toLocaleString(),
          },
          {
            title: t("products.status"),
            dataIndex: "status",
            render: () => <Tag color="gold">{t("products.statuses.pending_review")}</Tag>,
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, p) => (
              <Space>
                <Button
                  size="small"
                  type="primary"
                  loading={review.isPending && review.variables?.id === p.id}
                  onClick={() => approve(p)}
                >
                  {t("products.actions.approve")}
                </Button>
                <Button
                  size="small"
                  danger
                  onClick={() => {
                    problem.clear();
                    form.resetFields();
                    setRejecting(p);
                  }}
                >
                  {t("products.actions.reject")}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {queue.hasNextPage && (
        <Button
          onClick={() => queue.fetchNextPage()}
          loading={queue.isFetchingNextPage}
          style={{ marginTop: 16 }}
        >
          {t("audit.more")}
        </Button>
      )}
      <Modal
        open={rejecting !== null}
        title={t("review.rejectTitle", { name: rejecting?.name ?? "" })}
        okText={t("products.actions.reject")}
        okButtonProps={{ danger: true }}
        confirmLoading={review.isPending}
        onOk={() => form.submit()}
        onCancel={() => setRejecting(null)}
        forceRender
      >
        <ProblemAlert problem={problem.problem} />
        <Form name="reject" form={form} layout="vertical" onFinish={reject}>
          <Form.Item
            label={t("products.reason")}
            name="reason"
            extra={t("review.reasonHelp")}
            rules={[{ required: true, whitespace: true, message: t("common.required") }]}
          >
            <Input.TextArea rows={4} maxLength={500} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
