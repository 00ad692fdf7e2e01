import { Alert, App, Button, Card, Form, InputNumber, Switch } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import type { OrderSettings } from "../../api/types";
import { useOrderSettings, useSaveOrderSettings } from "./api";

/** How long an unpaid order waits for its payment, when a shipped one completes by itself, and
 * how long after completion after-sales are taken. */
export function OrderSettingsPanel() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const settings = useOrderSettings();
  const save = useSaveOrderSettings();
  const [form] = Form.useForm<OrderSettings>();
  useEffect(() => {
    if (settings.data) form.setFieldsValue(settings.data);
  }, [settings.data, form]);
  const failure = save.error as { detail?: string } | null;

  return (
    <Card loading={settings.isPending}>
      {failure && (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={failure.detail ?? t("common.failed")}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<OrderSettings>
        form={form}
        layout="vertical"
        onFinish={(values) =>
          save.mutate(values, { onSuccess: () => message.success(t("store.saved")) })
        }
      >
        <Form.Item
          name="payment_timeout_minutes"
          label={t("orders.paymentTimeout")}
          extra={t("orders.paymentTimeoutHelp")}
          rules={[{ required: true, message: t("common.required") }]}
        >
          <InputNumber min={5} max={1440} precision={0} addonAfter={t("orders.minutes")} />
        </Form.Item>
        <Form.Item
          name="auto_complete_days"
          label={t("fulfilment.autoCompleteDays")}
          extra={t("fulfilment.autoCompleteHelp")}
          rules={[{ required: true, message: t("common.required") }]}
        >
          <InputNumber min={1} max={60} precision={0} addonAfter={t("fulfilment.days")} />
        </Form.Item>
        <Form.Item
          name="after_sale_days"
          label={t("fulfilment.afterSaleDays")}
          extra={t("fulfilment.afterSaleHelp")}
          rules={[{ required: true, message: t("common.required") }]}
        >
          <InputNumber min={0} max={90} precision={0} addonAfter={t("fulfilment.days")} />
        </Form.Item>
        <Form.Item
          name="complete_on_delivery"
          label={t("fulfilment.completeOnDelivery")}
          extra={t("fulfilment.completeOnDeliveryHelp")}
          valuePropName="checked"
        >
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t("common.save")}
        </Button>
      </Form>
    </Card>
  );
}
