import { Alert, App, Button, Card, Form, InputNumber } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import type { OrderSettings } from "../../api/types";
import { useOrderSettings, useSaveOrderSettings } from "./api";

/** How long an unpaid order waits for its payment before it is cancelled. */
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
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t("common.save")}
        </Button>
      </Form>
    </Card>
  );
}
