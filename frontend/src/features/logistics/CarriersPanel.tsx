import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, InputNumber, Modal, Space, Switch, Table, Tag } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem, withCodeFields } from "../../api/problem";
import type { Carrier, CarrierRequest } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { logisticsKeys, saveCarrier, useCarriers } from "./api";

const FIELDS = ["code", "name", "enabled", "sort_order"];
const CODES = { carrier_code_taken: "code" };

/** The merchant's carriers: edited, reordered, switched off; never deleted. */
export function CarriersPanel({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Carrier | "new" | null>(null);
  const [form] = Form.useForm<CarrierRequest>();
  const problem = useProblemForm(form, FIELDS, t("common.failed"));

  const carriers = useCarriers();
  const refresh = () => queryClient.invalidateQueries({ queryKey: logisticsKeys.carriers });

  const save = useMutation({ mutationFn: saveCarrier });

  const open = (carrier: Carrier | "new") => {
    problem.clear();
    setEditing(carrier);
    form.setFieldsValue(
      carrier === "new"
        ? { code: "", name: "", enabled: true, sort_order: (carriers.data?.length ?? 0) * 10 }
        : carrier,
    );
  };

  const submit = (body: CarrierRequest) => {
    problem.clear();
    save.mutate(
      { id: editing === "new" ? undefined : editing?.id, body },
      {
        onError: (error) => problem.show(withCodeFields(error, CODES)),
        onSuccess: async () => {
          setEditing(null);
          await refresh();
        },
      },
    );
  };

  const toggle = (carrier: Carrier, enabled: boolean) =>
    save.mutate(
      {
        id: carrier.id,
        body: { code: carrier.code, name: carrier.name, sort_order: carrier.sort_order, enabled },
      },
      {
        onError: (error) => message.error(isProblem(error) ? error.detail : t("common.failed")),
        onSettled: refresh,
      },
    );

  return (
    <>
      {manage && (
        <Button type="primary" onClick={() => open("new")} style={{ marginBottom: 16 }}>
          {t("logistics.addCarrier")}
        </Button>
      )}
      <Table<Carrier>
        rowKey="id"
        size="small"
        loading={carriers.isPending}
        dataSource={carriers.data ?? []}
        pagination={false}
        data-testid="carriers-table"
        columns={[
          { title: t("logistics.carrierCode"), dataIndex: "code", render: (c) => <Tag>{c}</Tag> },
          { title: t("logistics.carrierName"), dataIndex: "name" },
          { title: t("logistics.sortOrder"), dataIndex: "sort_order" },
          {
            title: t("logistics.enabled"),
            dataIndex: "enabled",
            render: (enabled: boolean, carrier) => (
              <Switch
                size="small"
                checked={enabled}
                disabled={!manage}
                aria-label={`${t("logistics.enabled")} ${carrier.code}`}
                onChange={(on) => toggle(carrier, on)}
              />
            ),
          },
          ...(manage
            ? [
                {
                  title: t("common.actions"),
                  key: "actions",
                  render: (_: unknown, carrier: Carrier) => (
                    <Button size="small" onClick={() => open(carrier)}>
                      {t("common.edit")}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === "new" ? t("logistics.addCarrier") : t("logistics.editCarrier")}
        okText={t("common.save")}
        confirmLoading={save.isPending}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <ProblemAlert problem={problem.problem} />
        <Form<CarrierRequest> name="carrier" form={form} layout="vertical" onFinish={submit}>
          <Form.Item
            label={t("logistics.carrierCode")}
            name="code"
            extra={t("logistics.carrierCodeHelp")}
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input maxLength={32} />
          </Form.Item>
          <Form.Item
            label={t("logistics.carrierName")}
            name="name"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input maxLength={50} />
          </Form.Item>
          <Space size="large">
            <Form.Item label={t("logistics.sortOrder")} name="sort_order">
              <InputNumber precision={0} min={-10000} max={10000} />
            </Form.Item>
            <Form.Item label={t("logistics.enabled")} name="enabled" valuePropName="checked">
              <Switch />
            </Form.Item>
          </Space>
        </Form>
      </Modal>
    </>
  );
}
