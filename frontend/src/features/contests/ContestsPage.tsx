import { useQueryClient } from "@tanstack/react-query";
import { Button, Space, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import type { Contest, ContestStatus } from "../../api/types";
import { useAuth } from "../auth/AuthContext";
import { contestKeys, useContests } from "./api";
import { ContestFormModal } from "./ContestFormModal";
import { ContestStatusTag } from "./ContestStatusTag";

/** The merchant's sales contests, newest first. */
export function ContestsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const contests = useContests();
  const rows = contests.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between" }}>
        <Typography.Title level={2}>{t("contests.title")}</Typography.Title>
        {can("distributors.manage") && (
          <Button type="primary" onClick={() => setCreating(true)}>
            {t("contests.create")}
          </Button>
        )}
      </Space>
      <Table<Contest>
        rowKey="id"
        loading={contests.isPending}
        dataSource={rows}
        pagination={false}
        data-testid="contests-table"
        columns={[
          {
            title: t("contests.name"),
            dataIndex: "name",
            render: (name: string, c) => <Link to={`/contests/${c.id}`}>{name}</Link>,
          },
          {
            title: t("contests.metric"),
            dataIndex: "metric",
            render: (m: string) => t(`metrics.${m}`),
          },
          {
            title: t("contests.period"),
            key: "period",
            render: (_: unknown, c) => `${c.start_date} ~ ${c.end_date}`,
          },
          {
            title: t("contests.status"),
            dataIndex: "status",
            render: (s: ContestStatus) => <ContestStatusTag status={s} />,
          },
          {
            title: t("contests.prizes"),
            key: "prizes",
            render: (_: unknown, c) => c.prizes.length,
          },
        ]}
      />
      {contests.hasNextPage && (
        <Button
          onClick={() => contests.fetchNextPage()}
          loading={contests.isFetchingNextPage}
          style={{ marginTop: 16 }}
        >
          {t("audit.more")}
        </Button>
      )}
      <ContestFormModal
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={async (saved) => {
          setCreating(false);
          await queryClient.invalidateQueries({ queryKey: contestKeys.contests });
          navigate(`/contests/${saved.id}`);
        }}
      />
    </>
  );
}
