import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Input, Select, Space, Table, Tag, TreeSelect, Typography } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { lowest } from "../../api/money";
import { isProblem } from "../../api/problem";
import type { BatchAction, Product, ProductAction, ProductStatus } from "../../api/types";
import { useAuth } from "../auth/AuthContext";
import { VirtualCodesButton } from "../inventory/VirtualCodesDialog";
import {
  batchStatus,
  catalogKeys,
  changeProductStatus,
  useCategories,
  useProductList,
} from "./api";
import { categoryTree } from "./categoryTree";
import {
  type BatchSummary,
  batchSummary,
  hasLowStock,
  type ProductFilters,
  totalStock,
} from "./productList";

type StockFilter = NonNullable<ProductFilters["stock"]>;
type ProductSort = NonNullable<ProductFilters["sort"]>;

const STOCK_FILTERS: StockFilter[] = ["low", "out"];
const SORTS: ProductSort[] = ["newest", "oldest", "updated", "name"];

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
  const [filters, setFilters] = useState<ProductFilters>({ sort: "newest" });
  const [selected, setSelected] = useState<number[]>([]);
  const [summary, setSummary] = useState<BatchSummary | null>(null);
  const filter = (change: Partial<ProductFilters>) => {
    setFilters((f) => ({ ...f, ...change }));
    setSelected([]);
  };

  const products = useProductList(filters);
  const items = useMemo(() => products.data?.pages.flatMap((p) => p.items) ?? [], [products.data]);

  const categories = useCategories();
  const categoryNames = new Map((categories.data ?? []).map((c) => [c.id, c.name]));

  // Sent in requests the API accepts (at most 100 ids each); each product changes on its own.
  const batch = useMutation({
    mutationFn: (action: BatchAction) => batchStatus(selected, action),
    onMutate: () => setSummary(null),
    onError: (error: unknown) =>
      message.error(isProblem(error) ? error.detail : t("common.failed")),
    onSuccess: (answer) => {
      setSummary(batchSummary(answer, items));
      setSelected([]);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: catalogKeys.products }),
  });

  const act = useMutation({
    mutationFn: changeProductStatus,
    onError: (error: unknown) =>
      message.error(isProblem(error) ? error.detail : t("common.failed")),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: catalogKeys.products }),
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
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          aria-label={t("products.search")}
          placeholder={t("products.search")}
          style={{ width: 220 }}
          onSearch={(q) => filter({ q: q || undefined })}
        />
        <Select<ProductStatus>
          allowClear
          aria-label={t("products.filterStatus")}
          placeholder={t("products.filterStatus")}
          style={{ width: 160 }}
          value={filters.status}
          onChange={(status) => filter({ status })}
          options={(Object.keys(STATUS_COLORS) as ProductStatus[]).map((s) => ({
            value: s,
            label: t(`products.statuses.${s}`),
          }))}
        />
        <TreeSelect<number>
          allowClear
          treeDefaultExpandAll
          aria-label={t("products.filterCategory")}
          placeholder={t("products.filterCategory")}
          style={{ width: 180 }}
          value={filters.category_id ?? undefined}
          onChange={(category_id) => filter({ category_id: category_id ?? undefined })}
          treeData={categoryTree(categories.data ?? [])}
        />
        <Select<StockFilter>
          allowClear
          aria-label={t("products.filterStock")}
          placeholder={t("products.filterStock")}
          style={{ width: 160 }}
          value={filters.stock}
          onChange={(stock) => filter({ stock })}
          options={STOCK_FILTERS.map((s) => ({ value: s, label: t(`products.stockFilters.${s}`) }))}
        />
        <Select<ProductSort>
          aria-label={t("products.sort")}
          style={{ width: 160 }}
          value={filters.sort}
          onChange={(sort) => filter({ sort })}
          options={SORTS.map((s) => ({ value: s, label: t(`products.sorts.${s}`) }))}
        />
      </Space>
      {can("catalog.write") && (
        <Space style={{ marginBottom: 16 }} data-testid="batch-bar">
          <Typography.Text>{t("products.selected", { count: selected.length })}</Typography.Text>
          <Button
            disabled={selected.length === 0}
            loading={batch.isPending && batch.variables === "list"}
            onClick={() => batch.mutate("list")}
          >
            {t("products.batchList")}
          </Button>
          <Button
            disabled={selected.length === 0}
            loading={batch.isPending && batch.variables === "unlist"}
            onClick={() => batch.mutate("unlist")}
          >
            {t("products.batchUnlist")}
          </Button>
        </Space>
      )}
      {summary && (
        <Alert
          closable
          showIcon
          style={{ marginBottom: 16 }}
          type={summary.refused.length > 0 ? "warning" : "success"}
          data-testid="batch-summary"
          onClose={() => setSummary(null)}
          message={t("products.batchDone", {
            changed: summary.changed,
            unchanged: summary.unchanged,
            refused: summary.refused.length,
          })}
          description={
            summary.refused.length > 0 && (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {summary.refused.map((r) => (
                  <li key={r.id}>
                    {r.name}: {r.message}
                  </li>
                ))}
              </ul>
            )
          }
        />
      )}
      <Table<Product>
        rowKey="id"
        loading={products.isPending}
        dataSource={items}
        pagination={false}
        data-testid="products-table"
        rowSelection={
          can("catalog.write")
            ? {
                selectedRowKeys: selected,
                onChange: (keys) => setSelected(keys.map(Number)),
                getCheckboxProps: (p) => ({ "aria-label": `${t("products.select")} ${p.name}` }),
              }
            : undefined
        }
        columns={[
          { title: t("products.name"), dataIndex: "name" },
          {
            title: t("products.category"),
            key: "category",
            render: (_: unknown, p) =>
              p.category_id == null ? "—" : (categoryNames.get(p.category_id) ?? "—"),
          },
          {
            title: t("products.skus"),
            key: "skus",
            render: (_: unknown, p) => p.skus.length,
          },
          {
            title: t("products.stock"),
            key: "stock",
            render: (_: unknown, p) => (
              <Space>
                {totalStock(p)}
                {hasLowStock(p) && <Tag color="orange">{t("products.lowStock")}</Tag>}
                <VirtualCodesButton productName={p.name} skus={p.skus} />
              </Space>
            ),
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
      {products.hasNextPage && (
        <Button
          style={{ marginTop: 16 }}
          loading={products.isFetchingNextPage}
          onClick={() => products.fetchNextPage()}
        >
          {t("products.loadMore")}
        </Button>
      )}
    </>
  );
}
