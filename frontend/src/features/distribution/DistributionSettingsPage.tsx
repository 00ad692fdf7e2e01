import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Space,
  Spin,
  Switch,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { DistributionSettings } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { DistributorPicker } from "../../components/DistributorPicker";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useAuth } from "../auth/AuthContext";
import { distributionKeys, saveDistributionSettings, useDistributionSettings } from "./api";
import {
  needsDepth3Acknowledgement,
  SETTINGS_FORM_FIELDS,
  type SettingsForm,
  toSettingsForm,
  toSettingsRequest,
} from "./distributionSettings";

const MONEY = /^\d+(\.\d{1,2})?$/;

/** Distribution settings: who becomes a distributor, commission depth, binding, sponsor. */
export function DistributionSettingsPage() {
  const { t } = useTranslation();
  const settings = useDistributionSettings();
  return (
    <>
      <Typography.Title level={2}>{t("distribution.settingsTitle")}</Typography.Title>
      {settings.isPending && <Spin />}
      {settings.isError && <Alert type="error" showIcon message={t("common.failed")} />}
      {settings.data && (
        <SettingsEditor key={settings.data.updated_at ?? "defaults"} stored={settings.data} />
      )}
    </>
  );
}

function SettingsEditor({ stored }: { stored: DistributionSettings }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const manage = can("distributors.manage");
  const queryClient = useQueryClient();
  const [form] = Form.useForm<SettingsForm>();
  const problem = useProblemForm(form, SETTINGS_FORM_FIELDS, t("common.failed"));
  const [asking, setAsking] = useState<{ previous: number } | null>(null);
  const entryMode = Form.useWatch("entry_mode", form) ?? stored.entry_mode;
  const depth = Form.useWatch("commission_depth", form) ?? stored.commission_depth;
  const validity = Form.useWatch("binding_validity", form);

  const save = useMutation({
    mutationFn: (values: SettingsForm) =>
      saveDistributionSettings(toSettingsRequest(values, stored)),
    onMutate: problem.clear,
    onError: (error: unknown) => problem.show(error),
    onSuccess: (saved) => {
      queryClient.setQueryData(distributionKeys.settings, saved);
      message.success(t("distribution.saved"));
    },
  });

  const chooseDepth = (next: number, previous: number) => {
    if (needsDepth3Acknowledgement(stored, next)) {
      form.setFieldValue("acknowledge_depth3_compliance", false);
      setAsking({ previous });
    }
  };

  const days = (min: number) => [
    { required: true, message: t("common.required") },
    { type: "integer" as const, min, max: 3650, message: t("distribution.daysRange", { min }) },
  ];

  return (
    <>
      <ProblemAlert problem={problem.problem} testId="distribution-settings-error" />
      <Form<SettingsForm>
        name="distribution-settings"
        form={form}
        layout="vertical"
        disabled={!manage}
        initialValues={toSettingsForm(stored)}
        onFinish={(values) => save.mutate(values)}
        style={{ maxWidth: 760 }}
      >
        <Card title={t("distribution.entry")} style={{ marginBottom: 16 }}>
          <Form.Item label={t("distribution.entryMode")} name="entry_mode">
            <Radio.Group
              options={(["everyone", "application", "spend_threshold"] as const).map((m) => ({
                value: m,
                label: t(`distribution.entryModes.${m}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            label={t("distribution.review")}
            name="application_review"
            hidden={entryMode !== "application"}
          >
            <Radio.Group
              options={(["auto", "manual"] as const).map((m) => ({
                value: m,
                label: t(`distribution.reviews.${m}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            label={t("distribution.spendThreshold")}
            name="spend_threshold"
            hidden={entryMode !== "spend_threshold"}
            extra={t("distribution.spendThresholdHelp")}
            rules={
              entryMode === "spend_threshold"
                ? [
                    { required: true, message: t("common.required") },
                    { pattern: MONEY, message: t("distribution.moneyFormat") },
                  ]
                : []
            }
          >
            <Input prefix="¥" style={{ maxWidth: 240 }} inputMode="decimal" />
          </Form.Item>
        </Card>

        <Card title={t("distribution.commission")} style={{ marginBottom: 16 }}>
          <Form.Item
            label={t("distribution.depth")}
            name="commission_depth"
            extra={t("distribution.depthHelp")}
          >
            <Radio.Group
              onChange={(e) => chooseDepth(e.target.value as number, depth)}
              options={[1, 2, 3].map((d) => ({
                value: d,
                label: t(`distribution.depth${d}`),
              }))}
            />
          </Form.Item>
          {depth === 3 &&
            !needsDepth3Acknowledgement(stored, 3) &&
            stored.depth3_acknowledged_at && (
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 16 }}
                message={t("distribution.depth3Recorded", {
                  at: new Date(stored.depth3_acknowledged_at).toLocaleString(),
                  by: stored.depth3_acknowledged_by ?? "—",
                })}
              />
            )}
          <Form.Item
            name="acknowledge_depth3_compliance"
            valuePropName="checked"
            hidden={!needsDepth3Acknowledgement(stored, depth)}
            rules={
              needsDepth3Acknowledgement(stored, depth)
                ? [
                    {
                      validator: (_, v) =>
                        v === true
                          ? Promise.resolve()
                          : Promise.reject(new Error(t("distribution.depth3Required"))),
                    },
                  ]
                : []
            }
          >
            <Checkbox data-testid="depth3-acknowledged">
              {t("distribution.depth3Statement")}
            </Checkbox>
          </Form.Item>
          <Form.Item
            label={t("distribution.selfPurchase")}
            name="self_purchase_commission"
            valuePropName="checked"
            extra={t("distribution.selfPurchaseHelp")}
          >
            <Switch />
          </Form.Item>
        </Card>

        <Card title={t("distribution.binding")} style={{ marginBottom: 16 }}>
          <Form.Item label={t("distribution.bindingMode")} name="binding_mode">
            <Radio.Group>
              <Space orientation="vertical">
                {(["first_touch", "last_touch", "registration_only"] as const).map((m) => (
                  <Radio key={m} value={m}>
                    {t(`distribution.bindingModes.${m}`)}
                    <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
                      {t(`distribution.bindingModeHelp.${m}`)}
                    </Typography.Text>
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Form.Item>
          <Form.Item label={t("distribution.validity")} required>
            <Space wrap align="start">
              <Form.Item name="binding_validity" noStyle>
                <Radio.Group
                  options={[
                    { value: "permanent", label: t("distribution.permanent") },
                    { value: "days", label: t("distribution.forDays") },
                  ]}
                />
              </Form.Item>
              {validity === "days" && (
                <Form.Item name="binding_days" rules={days(1)} style={{ marginBottom: 0 }}>
                  <InputNumber
                    min={1}
                    max={3650}
                    precision={0}
                    addonAfter={t("distribution.days")}
                    aria-label={t("distribution.bindingDays")}
                  />
                </Form.Item>
              )}
            </Space>
          </Form.Item>
          <Form.Item
            label={t("distribution.protection")}
            name="protection_days"
            extra={t("distribution.protectionHelp")}
            rules={days(0)}
          >
            <InputNumber min={0} max={3650} precision={0} addonAfter={t("distribution.days")} />
          </Form.Item>
        </Card>

        <Card title={t("distribution.sponsor")} style={{ marginBottom: 16 }}>
          <Form.Item
            label={t("distribution.defaultSponsor")}
            name="default_sponsor_id"
            extra={t("distribution.defaultSponsorHelp")}
          >
            <DistributorPicker
              status="active"
              placeholder={t("distribution.noSponsor")}
              aria-label={t("distribution.defaultSponsor")}
            />
          </Form.Item>
        </Card>

        {manage && (
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t("common.save")}
          </Button>
        )}
      </Form>
      <Depth3Dialog
        open={asking !== null}
        onConfirm={() => {
          form.setFieldValue("acknowledge_depth3_compliance", true);
          form.setFields([{ name: "acknowledge_depth3_compliance", errors: [] }]);
          setAsking(null);
        }}
        onCancel={() => {
          form.setFieldValue("commission_depth", asking?.previous ?? stored.commission_depth);
          form.setFieldValue("acknowledge_depth3_compliance", false);
          setAsking(null);
        }}
      />
    </>
  );
}

/** The compliance statement for three commission levels; confirming needs the tick. */
function Depth3Dialog({
  open,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [ticked, setTicked] = useState(false);
  return (
    <Modal
      open={open}
      title={t("distribution.depth3Title")}
      okText={t("distribution.depth3Confirm")}
      cancelText={t("distribution.depth3Cancel")}
      okButtonProps={{ disabled: !ticked, danger: true }}
      onOk={() => {
        setTicked(false);
        onConfirm();
      }}
      onCancel={() => {
        setTicked(false);
        onCancel();
      }}
      destroyOnHidden
    >
      <Typography.Paragraph>{t("distribution.depth3Law")}</Typography.Paragraph>
      <Typography.Paragraph>{t("distribution.depth3Market")}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t("distribution.depth3Record")}</Typography.Paragraph>
      <Checkbox
        checked={ticked}
        onChange={(e) => setTicked(e.target.checked)}
        data-testid="depth3-tick"
      >
        {t("distribution.depth3Statement")}
      </Checkbox>
    </Modal>
  );
}
