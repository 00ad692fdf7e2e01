import { Button, Input, Space, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { AuditEvent } from "../../api/types";
import { useAuditEvents } from "./api";

export function AuditLogPage() {
  const { t } = useTranslation();
  const [action, setAction] = useState("");
  const events = useAuditEvents(action);
  const rows = events.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <Typography.Title level={2}>{t("audit.title")}</Typography.Title>
      <Space style={{ marginBottom: 16 }}>
        <Input.Search
          placeholder={t("audit.actionFilter")}
          allowClear
          onSearch={(value) => setAction(value.trim())}
          style={{ width: 320 }}
        />
      </Space>
      <Table<AuditEvent>
        rowKey="id"
        loading={events.isPending}
        dataSource={rows}
        pagination={false}
        data-testid="audit-table"
        expandable={{
          rowExpandable: (e) => e.changes != null,
          expandedRowRender: (e) => (
            <pre style={{ margin: 0 }}>{JSON.stringify(e.changes, null, 2)}</pre>
          ),
        }}
        columns={[
          {
            title: t("audit.time"),
            dataIndex: "created_at",
            render: (v: string) => new Date(v).toLocaleString(),
          },
          {
            title: t("audit.action"),
            dataIndex: "action",
            render: (v: string) => <code>{v}</code>,
          },
          {
            title: t("audit.actor"),
            key: "actor",
            render: (_: unknown, e) => `${e.actor_label ?? "—"} (${e.actor_kind})`,
          },
          {
            title: t("audit.target"),
            key: "target",
            render: (_: unknown, e) => (e.target_type ? `${e.target_type} #${e.target_id}` : "—"),
          },
          { title: "IP", dataIndex: "ip" },
        ]}
      />
      {events.hasNextPage && (
        <Button
          onClick={() => events.fetchNextPage()}
          loading={events.isFetchingNextPage}
          style={{ marginTop: 16 }}
        >
          {t("audit.more")}
        </Button>
      )}
    </>
  );
}
