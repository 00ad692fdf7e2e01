import { Button, Checkbox, Input, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Distributor, DistributorStatus } from "../../api/types";
import { distributorLabel, StatusTag } from "../../components/DistributorPicker";
import { useTiers } from "../distribution/api";
import { type DistributorFilters, type DistributorSort, useDistributorList } from "./api";

type Sort = DistributorSort;
type Filters = DistributorFilters;

const SORTS: Sort[] = ["newest", "oldest", "team_size", "team_sales", "personal_sales"];

/** The distributor list: filters, search and cursor pages. */
export function DistributorsPage() {
  const { t } = useTranslation();
  const tiers = useTiers();
  const [filters, setFilters] = useState<Filters>({ sort: "newest" });
  const set = (change: Partial<Filters>) => setFilters((f) => ({ ...f, ...change }));

  const list = useDistributorList(filters);
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <Typography.Title level={2}>{t("distributors.title")}</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          placeholder={t("distributors.search")}
          aria-label={t("distributors.search")}
          allowClear
          onSearch={(value) => set({ q: value.trim() || undefined })}
          style={{ width: 320 }}
        />
        <Select<DistributorStatus | "">
          aria-label={t("distributors.status")}
          value={filters.status ?? ""}
          onChange={(v) => set({ status: v || undefined })}
          style={{ width: 140 }}
          options={[
            { value: "", label: t("distributors.allStatuses") },
            ...(["active", "frozen", "ended"] as const).map((s) => ({
              value: s,
              label: t(`distributors.statuses.${s}`),
            })),
          ]}
        />
        <Select<number | "">
          aria-label={t("distributors.tier")}
          value={filters.tier_id ?? ""}
          onChange={(v) => set({ tier_id: v === "" ? undefined : v })}
          style={{ width: 160 }}
          options={[
            { value: "", label: t("distributors.allTiers") },
            ...(tiers.data ?? []).map((tier) => ({ value: tier.id, label: tier.name })),
          ]}
        />
        <Select<Sort>
          aria-label={t("distributors.sort")}
          value={filters.sort}
          onChange={(sort) => set({ sort })}
          style={{ width: 180 }}
          options={SORTS.map((s) => ({ value: s, label: t(`distributors.sorts.${s}`) }))}
        />
        <Checkbox
          checked={filters.roots ?? false}
          onChange={(e) => set({ roots: e.target.checked })}
        >
          {t("distributors.rootsOnly")}
        </Checkbox>
      </Space>
      <Table<Distributor>
        rowKey="id"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        data-testid="distributors-table"
        scroll={{ x: "max-content" }}
        columns={[
          {
            title: t("distributors.distributor"),
            key: "who",
            render: (_: unknown, d) => (
              <Link to={`/distributors/${d.id}`}>{distributorLabel(d)}</Link>
            ),
          },
          {
            title: t("distributors.contact"),
            key: "contact",
            render: (_: unknown, d) => d.member.phone ?? d.member.email ?? "—",
          },
          {
            title: t("distributors.status"),
            dataIndex: "status",
            render: (s: DistributorStatus) => <StatusTag status={s} />,
          },
          {
            title: t("distributors.tier"),
            dataIndex: "tier_name",
            render: (v: string | null) => v ?? "—",
          },
          {
            title: t("distributors.sponsor"),
            dataIndex: "parent_id",
            render: (v: number | null) =>
              v == null ? t("distributors.root") : <Link to={`/distributors/${v}`}>#{v}</Link>,
          },
          {
            title: t("distributors.figures.direct_recruits"),
            key: "direct",
            render: (_: unknown, d) => d.figures.direct_recruits,
          },
          {
            title: t("distributors.figures.team_size"),
            key: "team",
            render: (_: unknown, d) => d.figures.team_size,
          },
          {
            title: t("distributors.figures.team_sales"),
            key: "team_sales",
            render: (_: unknown, d) => `¥${d.figures.team_sales}`,
          },
          {
            title: t("distributors.figures.personal_sales"),
            key: "personal_sales",
            render: (_: unknown, d) => `¥${d.figures.personal_sales}`,
          },
          {
            title: t("distributors.joined"),
            dataIndex: "joined_at",
            render: (v: string) => new Date(v).toLocaleDateString(),
          },
        ]}
      />
      {list.hasNextPage && (
        <Button
          onClick={() => list.fetchNextPage()}
          loading={list.isFetchingNextPage}
          style={{ marginTop: 16 }}
        >
          {t("common.loadMore")}
        </Button>
      )}
    </>
  );
}
