import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Checkbox, Form, Input, Modal, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { ApiKey, CreateApiKeyRequest } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { apiKeyKeys, createApiKey, revokeApiKey, useApiKeys } from "./api";

export function ApiKeysPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [shownKey, setShownKey] = useState<string | null>(null);
  const [form] = Form.useForm<CreateApiKeyRequest>();
  const problem = useProblemForm(form, ["name", "scopes"], t("common.failed"));

  const keys = useApiKeys();
  const refresh = () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all });

  const create = useMutation({
    mutationFn: createApiKey,
    onMutate: problem.clear,
    onError: problem.show,
    onSuccess: async (created) => {
      setCreating(false);
      form.resetFields();
      setShownKey(created.key);
      await refresh();
    },
  });

  const revoke = useMutation({
    mutationFn: revokeApiKey,
    onSuccess: refresh,
  });

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between" }}>
        <Typography.Title level={2}>{t("apiKeys.title")}</Typography.Title>
        <Button type="primary" onClick={() => setCreating(true)}>
          {t("apiKeys.create")}
        </Button>
      </Space>
      {shownKey && (
        <Alert
          type="success"
          showIcon
          closable
          onClose={() => setShownKey(null)}
          message={t("apiKeys.shownOnce")}
          description={
            <Typography.Text code copyable data-testid="new-api-key">
              {shownKey}
            </Typography.Text>
          }
          style={{ marginBottom: 16 }}
        />
      )}
      <Table<ApiKey>
        rowKey="id"
        loading={keys.isPending}
        dataSource={keys.data ?? []}
        pagination={false}
        columns={[
          { title: t("apiKeys.name"), dataIndex: "name" },
          {
            title: t("apiKeys.prefix"),
            dataIndex: "prefix",
            render: (p: string) => <code>{p}…</code>,
          },
          {
            title: t("apiKeys.scopes"),
            dataIndex: "scopes",
            render: (scopes: string[]) => scopes.map((s) => <Tag key={s}>{s}</Tag>),
          },
          {
            title: t("apiKeys.lastUsed"),
            dataIndex: "last_used_at",
            render: (v: string | null) => (v ? new Date(v).toLocaleString() : "—"),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, key) =>
              key.revoked_at ? (
                <Tag>{t("apiKeys.revoked")}</Tag>
              ) : (
                <Button size="small" danger onClick={() => revoke.mutate(key.id)}>
                  {t("apiKeys.revoke")}
                </Button>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t("apiKeys.create")}
        confirmLoading={create.isPending}
        onOk={() => form.submit()}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <ProblemAlert problem={problem.problem} />
        <Form form={form} layout="vertical" onFinish={(values) => create.mutate(values)}>
          <Form.Item
            label={t("apiKeys.name")}
            name="name"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            label={t("apiKeys.scopes")}
            name="scopes"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Checkbox.Group
              options={(me?.permissions ?? []).map((p) => ({ value: p, label: p }))}
              style={{ display: "grid", gridTemplateColumns: "1fr 1fr" }}
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
