import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client";
import type { TrackingSettings, TrackingSettingsRequest } from "../../api/types";

const trackingKey = ["tracking-settings"] as const;

/** The tracker settings: the Kuaidi100 account that every shipped package is subscribed with,
 * and the secret another tracker signs its pushes with. Secrets are shown masked and kept when
 * left empty. */
export function TrackingPanel({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const settings = useQuery({
    queryKey: trackingKey,
    enabled: manage,
    queryFn: async (): Promise<TrackingSettings> => {
      const { data, error } = await api.GET("/api/v1/tracking-settings");
      if (data) return data;
      throw error;
    },
  });
  const save = useMutation({
    mutationFn: async (body: TrackingSettingsRequest): Promise<TrackingSettings> => {
      const { data, error } = await api.PUT("/api/v1/tracking-settings", { body });
      if (data) return data;
      throw error;
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(trackingKey, saved);
      message.success(t("store.saved"));
    },
  });
  if (!manage) {
    return <Alert type="info" showIcon message={t("tracking.manageOnly")} />;
  }
  const failure = save.error as { detail?: string; errors?: { message?: string }[] } | null;
  const current = settings.data;
  return (
    <Card loading={settings.isPending}>
      <Typography.Paragraph type="secondary">{t("tracking.help")}</Typography.Paragraph>
      {failure && (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={failure.errors?.[0]?.message ?? failure.detail ?? t("common.failed")}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<TrackingSettingsRequest>
        layout="vertical"
        key={current ? "loaded" : "loading"}
        initialValues={{ kuaidi100_customer: current?.kuaidi100_customer ?? "" }}
        onFinish={(values) =>
          save.mutate({
            kuaidi100_customer: values.kuaidi100_customer ?? "",
            // Empty: keep what is stored.
            kuaidi100_key: values.kuaidi100_key || undefined,
            webhook_secret: values.webhook_secret || undefined,
          })
        }
      >
        <Form.Item name="kuaidi100_customer" label={t("tracking.customer")}>
          <Input maxLength={64} autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="kuaidi100_key"
          label={t("tracking.key")}
          extra={
            current?.kuaidi100_key
              ? t("tracking.stored", { masked: current.kuaidi100_key })
              : undefined
          }
        >
          <Input.Password maxLength={128} autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="webhook_secret"
          label={t("tracking.webhookSecret")}
          extra={
            current?.webhook_secret
              ? t("tracking.stored", { masked: current.webhook_secret })
              : t("tracking.webhookHelp")
          }
        >
          <Input.Password maxLength={128} autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t("common.save")}
        </Button>
      </Form>
    </Card>
  );
}
