import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isProblem, withCodeFields } from "../../api/problem";
import { regionLabel, useRegions } from "../../api/regions";
import type { FreightMode, FreightTemplate } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { RegionsCascader } from "../../components/RegionCascader";
import {
  deleteFreightTemplate,
  logisticsKeys,
  saveFreightTemplate,
  useFreightTemplates,
} from "./api";
import { FreightQuoteModal } from "./FreightQuoteModal";
import {
  FREIGHT_FORM_FIELDS,
  type FreightForm,
  newFreightForm,
  toFreightForm,
  toFreightRequest,
} from "./freightTemplate";

const CODES = { freight_template_name_taken: "name" };
const MONEY = /^\d+(\.\d{1,2})?$/;

/** Freight templates (运费模板): by piece or by weight, per-region prices, free-shipping threshold
 * and the regions not delivered to. */
export function FreightTemplatesPanel({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const regions = useRegions();
  const [editing, setEditing] = useState<FreightTemplate | "new" | null>(null);
  const [quoting, setQuoting] = useState<FreightTemplate | null>(null);
  const [form] = Form.useForm<FreightForm>();
  const problem = useProblemForm(form, FREIGHT_FORM_FIELDS, t("common.failed"));
  const mode = Form.useWatch("mode", form) ?? "piece";

  const templates = useFreightTemplates();
  const refresh = () => queryClient.invalidateQueries({ queryKey: logisticsKeys.freightTemplates });

  const save = useMutation({
    mutationFn: (values: FreightForm) =>
      saveFreightTemplate(
        editing && editing !== "new" ? editing.id : undefined,
        toFreightRequest(values),
      ),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(withCodeFields(error, CODES)),
    onSuccess: async () => {
      setEditing(null);
      await refresh();
    },
  });

  const remove = useMutation({
    mutationFn: deleteFreightTemplate,
    onError: (error: unknown) =>
      message.error(isProblem(error) ? error.detail : t("common.failed")),
    onSettled: refresh,
  });

  const open = (template: FreightTemplate | "new") => {
    problem.clear();
    setEditing(template);
    form.resetFields();
    form.setFieldsValue(template === "new" ? newFreightForm() : toFreightForm(template));
  };

  const unit = (m: FreightMode) => t(`logistics.units.${m}`);
  const rule = (tpl: FreightTemplate) =>
    t("logistics.rule", {
      first: tpl.first_units,
      firstPrice: tpl.first_price,
      additional: tpl.additional_units,
      additionalPrice: tpl.additional_price,
      unit: unit(tpl.mode),
    });
  const places = (codes: string[]) => codes.map((c) => regionLabel(regions.data, c)).join("、");
  const money = [
    { required: true, message: t("common.required") },
    { pattern: MONEY, message: t("logistics.moneyFormat") },
  ];

  return (
    <>
      {manage && (
        <Button type="primary" onClick={() => open("new")} style={{ marginBottom: 16 }}>
          {t("logistics.addTemplate")}
        </Button>
      )}
      <Table<FreightTemplate>
        rowKey="id"
        loading={templates.isPending}
        dataSource={templates.data ?? []}
        pagination={false}
        data-testid="freight-templates-table"
        expandable={{
          rowExpandable: (tpl) =>
            tpl.region_overrides.length > 0 || tpl.restricted_regions.length > 0,
          expandedRowRender: (tpl) => (
            <Descriptions size="small" column={1} bordered>
              {tpl.region_overrides.map((o) => (
                <Descriptions.Item key={o.region_codes.join()} label={places(o.region_codes)}>
                  {t("logistics.rule", {
                    first: tpl.first_units,
                    firstPrice: o.first_price,
                    additional: tpl.additional_units,
                    additionalPrice: o.additional_price,
                    unit: unit(tpl.mode),
                  })}
                </Descriptions.Item>
              ))}
              {tpl.restricted_regions.length > 0 && (
                <Descriptions.Item label={t("logistics.restricted")}>
                  {places(tpl.restricted_regions)}
                </Descriptions.Item>
              )}
            </Descriptions>
          ),
        }}
        columns={[
          {
            title: t("logistics.templateName"),
            dataIndex: "name",
            render: (name: string, tpl) => (
              <Space>
                {name}
                {tpl.is_default && <Tag color="blue">{t("logistics.default")}</Tag>}
              </Space>
            ),
          },
          {
            title: t("logistics.mode"),
            dataIndex: "mode",
            render: (m: FreightMode) => t(`logistics.modes.${m}`),
          },
          { title: t("logistics.pricing"), key: "rule", render: (_: unknown, tpl) => rule(tpl) },
          {
            title: t("logistics.freeOver"),
            dataIndex: "free_shipping_threshold",
            render: (v: string | null) => (v == null ? "—" : `¥${v}`),
          },
          {
            title: t("logistics.overrides"),
            key: "overrides",
            render: (_: unknown, tpl) =>
              t("logistics.overrideCount", {
                overrides: tpl.region_overrides.length,
                restricted: tpl.restricted_regions.length,
              }),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, tpl) => (
              <Space>
                <Button size="small" onClick={() => setQuoting(tpl)}>
                  {t("logistics.quote")}
                </Button>
                {manage && (
                  <Button size="small" onClick={() => open(tpl)}>
                    {t("common.edit")}
                  </Button>
                )}
                {manage && (
                  <Popconfirm
                    title={t("logistics.deleteTemplate")}
                    onConfirm={() => remove.mutate(tpl.id)}
                  >
                    <Button size="small" danger>
                      {t("common.delete")}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        width={860}
        title={editing === "new" ? t("logistics.addTemplate") : t("logistics.editTemplate")}
        okText={t("common.save")}
        confirmLoading={save.isPending}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <ProblemAlert problem={problem.problem} testId="freight-error" />
        <Form<FreightForm>
          name="freight-template"
          form={form}
          layout="vertical"
          onFinish={(v) => save.mutate(v)}
        >
          <Form.Item
            label={t("logistics.templateName")}
            name="name"
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item label={t("logistics.mode")} name="mode">
            <Radio.Group
              options={(["piece", "weight"] as const).map((m) => ({
                value: m,
                label: t(`logistics.modes.${m}`),
              }))}
            />
          </Form.Item>
          <Space wrap align="start">
            <Form.Item
              label={t("logistics.firstUnits", { unit: unit(mode) })}
              name="first_units"
              rules={[{ required: true, message: t("common.required") }]}
            >
              <InputNumber min={1} precision={0} />
            </Form.Item>
            <Form.Item label={t("logistics.firstPrice")} name="first_price" rules={money}>
              <Input prefix="¥" style={{ width: 140 }} />
            </Form.Item>
            <Form.Item
              label={t("logistics.additionalUnits", { unit: unit(mode) })}
              name="additional_units"
              rules={[{ required: true, message: t("common.required") }]}
            >
              <InputNumber min={1} precision={0} />
            </Form.Item>
            <Form.Item label={t("logistics.additionalPrice")} name="additional_price" rules={money}>
              <Input prefix="¥" style={{ width: 140 }} />
            </Form.Item>
          </Space>
          <div>
            <Typography.Text strong>{t("logistics.overridesTitle")}</Typography.Text>
            <Typography.Paragraph type="secondary">
              {t("logistics.overridesHelp")}
            </Typography.Paragraph>
          </div>
          <Form.List name="region_overrides">
            {(rows, { add, remove: removeRow }) => (
              <>
                {rows.map((row) => (
                  <Space
                    key={row.key}
                    align="start"
                    style={{ display: "flex", marginBottom: 8 }}
                    data-testid="region-override"
                  >
                    <Form.Item
                      name={[row.name, "region_codes"]}
                      style={{ width: 360 }}
                      rules={[{ required: true, message: t("common.required") }]}
                    >
                      <RegionsCascader aria-label={t("logistics.overrideRegions")} />
                    </Form.Item>
                    <Form.Item name={[row.name, "first_price"]} rules={money}>
                      <Input
                        prefix="¥"
                        placeholder={t("logistics.firstPrice")}
                        aria-label={t("logistics.firstPrice")}
                        style={{ width: 140 }}
                      />
                    </Form.Item>
                    <Form.Item name={[row.name, "additional_price"]} rules={money}>
                      <Input
                        prefix="¥"
                        placeholder={t("logistics.additionalPrice")}
                        aria-label={t("logistics.additionalPrice")}
                        style={{ width: 140 }}
                      />
                    </Form.Item>
                    <Button onClick={() => removeRow(row.name)}>{t("common.remove")}</Button>
                  </Space>
                ))}
                <Button
                  type="dashed"
                  onClick={() => add({ region_codes: [], first_price: "", additional_price: "" })}
                  style={{ marginBottom: 16 }}
                >
                  {t("logistics.addOverride")}
                </Button>
              </>
            )}
          </Form.List>
          <Form.Item
            label={t("logistics.freeOver")}
            name="free_shipping_threshold"
            extra={t("logistics.freeOverHelp")}
            rules={[{ pattern: MONEY, message: t("logistics.moneyFormat") }]}
          >
            <Input prefix="¥" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item
            label={t("logistics.restricted")}
            name="restricted_regions"
            extra={t("logistics.restrictedHelp")}
          >
            <RegionsCascader aria-label={t("logistics.restricted")} />
          </Form.Item>
          <Form.Item label={t("logistics.makeDefault")} name="is_default" valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
      {quoting && <FreightQuoteModal template={quoting} onClose={() => setQuoting(null)} />}
    </>
  );
}
