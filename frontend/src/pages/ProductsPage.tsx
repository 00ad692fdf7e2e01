import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Select, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { lowest } from "../api/money";
import { isProblem } from "../api/problem";
import type { components } from "../api/schema";
import { useAuth } from "../auth/AuthContext";

type Product = components["schemas"]["Product"];
type ProductStatus = components["schemas"]["ProductStatus"];
type ProductAction = components["schemas"]["ProductAction"];

const STATUS_COLORS: Record<ProductStatus, string> = {
  draft: "default",
  pending_review: "gold",
  listed: "green",
  rejected: "red",
  unlisted: "default",
};

/** What can be done next from each status, and through which endpoint. */
const NEXT: Record<ProductStatus, { action: ProductAction; review: boolean }[]> = {
  draft: [{ action: "submit", review: false }],
  pending_review: [
    { action: "approve", review: true },
    { action: "reject", review: true },
  ],
  listed: [{ action: "unlist", review: false }],
  rejected: [{ action: "submit", review: false }],
  unlisted: [{ action: "relist", review: false }],
};

export function ProductsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<ProductStatus | undefined>();

  const products = useQuery({
    queryKey: ["products", status],
    queryFn: async () => {
      const { data, error } = await api.GET("/api/v1/products", {
        params: { query: { status, limit: 100 } },
      });
      if (data) return data;
      throw error;
    },
  });

  const act = useMutation({
    mutationFn: async (args: {
      id: number;
      action: ProductAction;
      review: boolean;
      reason?: string;
    }) => {
      const params = { path: { product_id: args.id } };
      const body = { action: args.action, reason: args.reason };
      const { data, error } = args.review
        ? await api.POST("/api/v1/products/{product_id}/review", { params, body })
        : await api.POST("/api/v1/products/{product_id}/status", { params, body });
      if (data) return data;
      throw error;
    },
    onError: (error: unknown) =>
      message.error(isProblem(error) ? error.detail : t("common.failed")),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["products"] }),
  });

  const run = (product: Product, action: ProductAction, review: boolean) => {
    if (action !== "reject") {
      act.mutate({ id: product.id, action, review });
      return;
    }
    let reason = "";
    modal.confirm({
      title: t("products.rejectTitle"),
      content: (
        <textarea
          aria-label={t("products.reason")}
          style={{ width: "100%" }}
          onChange={(e) => {
            reason = e.target.value;
          }}
        />
      ),
      onOk: () => act.mutateAsync({ id: product.id, action, review, reason }),
    });
  };

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between" }}>
        <Typography.Title level={2}>{t("products.title")}</Typography.Title>
        {can("catalog.write") && (
          <Link to="/products/new">
            <Button type="primary">{t("products.create")}</Button>
          </Link>
        )}
      </Space>
      <Select<ProductStatus>
        allowClear
        placeholder={t("products.filterStatus")}
        style={{ width: 200, marginBottom: 16 }}
        value={status}
        onChange={setStatus}
        options={(Object.keys(STATUS_COLORS) as ProductStatus[]).map((s) => ({
          value: s,
          label: t(`products.statuses.${s}`),
        }))}
      />
      <Table<Product>
        rowKey="id"
        loading={products.isPending}
        dataSource={products.data?.items ?? []}
        pagination={false}
        data-testid="products-table"
        columns={[
          { title: t("products.name"), dataIndex: "name" },
          {
            title: t("products.skus"),
            key: "skus",
            render: (_: unknown, p) => p.skus.length,
          },
          {
            title: t("products.price"),
            key: "price",
            render: (_: unknown, p) => {
              const low = lowest(p.skus.map((s) => s.retail_price));
              return low ? `¥${low}` : "—";
            },
          },
          {
            title: t("products.status"),
            dataIndex: "status",
            render: (s: ProductStatus, p) => (
              <Space>
                <Tag color={STATUS_COLORS[s]}>{t(`products.statuses.${s}`)}</Tag>
                {p.rejection_reason && (
                  <Typography.Text type="danger">{p.rejection_reason}</Typography.Text>
                )}
              </Space>
            ),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, p) => (
              <Space>
                {can("catalog.write") && (
                  <Link to={`/products/${p.id}/edit`}>
                    <Button size="small">{t("products.editAction")}</Button>
                  </Link>
                )}
                {NEXT[p.status]
                  .filter((n) => can(n.review ? "catalog.review" : "catalog.write"))
                  .map((n) => (
                    <Button key={n.action} size="small" onClick={() => run(p, n.action, n.review)}>
                      {t(`products.actions.${n.action}`)}
                    </Button>
                  ))}
              </Space>
            ),
          },
        ]}
      />
    </>
  );
}
