import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Form, Input, Space, Spin, Switch, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import type { PaymentMethod } from "../../api/types";
import { useProblemForm } from "../../api/useProblemForm";
import { ProblemAlert } from "../../components/ProblemAlert";
import { paymentKeys, savePaymentMethod, usePaymentMethods } from "./api";
import {
  PAYMENT_FIELDS,
  PAYMENT_KINDS,
  type PaymentForm,
  toPaymentForm,
  toPaymentRequest,
} from "./paymentSettings";

/** The payment methods: one card each; secrets are write-only and shown masked. */
export function PaymentMethodsPanel() {
  const { t } = useTranslation();
  const methods = usePaymentMethods();
  if (methods.isPending) return <Spin />;
  if (!methods.data) return <Typography.Text type="danger">{t("common.failed")}</Typography.Text>;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%", maxWidth: 720 }}>
      {PAYMENT_KINDS.map((kind) => {
        const method = methods.data.find((m) => m.kind === kind) ?? {
          kind,
          enabled: false,
          settings: {},
        };
        return <PaymentMethodCard key={kind} method={method} />;
      })}
    </Space>
  );
}

function PaymentMethodCard({ method }: { method: PaymentMethod }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<PaymentForm>();
  const fields = PAYMENT_FIELDS[method.kind];
  const problem = useProblemForm(
    form,
    ["enabled", ...fields.map((f) => `settings.${f.name}`)],
    t("common.failed"),
  );

  const save = useMutation({
    mutationFn: (values: PaymentForm) => savePaymentMethod(toPaymentRequest(method.kind, values)),
    onMutate: problem.clear,
    onError: problem.show,
    onSuccess: async (saved) => {
      // The typed secrets leave the page; what remains is the masked answer.
      form.setFieldsValue(toPaymentForm(saved));
      message.success(t("store.saved"));
      await queryClient.invalidateQueries({ queryKey: paymentKeys.methods });
    },
  });

  return (
    <Card
      data-testid={`payment-${method.kind}`}
      title={
        <Space>
          {t(`store.kinds.${method.kind}`)}
          {method.enabled ? <Tag color="green">{t("store.on")}</Tag> : <Tag>{t("store.off")}</Tag>}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">
        {t(`store.kindHelp.${method.kind}`)}
      </Typography.Paragraph>
      <ProblemAlert problem={problem.problem} />
      <Form<PaymentForm>
        name={`payment-${method.kind}`}
        form={form}
        layout="vertical"
        initialValues={toPaymentForm(method)}
        onFinish={(values) => save.mutate(values)}
        autoComplete="off"
      >
        <Form.Item label={t("store.enabled")} name="enabled" valuePropName="checked">
          <Switch />
        </Form.Item>
        {fields.map((field) => {
          const stored = method.settings[field.name];
          const label = t(`store.fields.${field.name}`);
          const help = field.secret
            ? stored
              ? t("store.secretKept", { masked: stored })
              : t("store.secretNew")
            : undefined;
          const input = field.multiline ? (
            <Input.TextArea rows={3} spellCheck={false} autoComplete="off" />
          ) : field.secret ? (
            <Input.Password autoComplete="new-password" visibilityToggle={false} />
          ) : (
            <Input autoComplete="off" />
          );
          return (
            <Form.Item
              key={field.name}
              label={label}
              name={["settings", field.name]}
              extra={help}
              required={field.required}
            >
              {input}
            </Form.Item>
          );
        })}
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t("common.save")}
        </Button>
      </Form>
    </Card>
  );
}
