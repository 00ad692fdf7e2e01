import { Alert, Badge, Card, Descriptions, Skeleton, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useReadiness, useServiceMeta } from "./api";

export function DashboardPage() {
  const { t } = useTranslation();
  const meta = useServiceMeta();
  const readiness = useReadiness();

  return (
    <>
      <Typography.Title level={2}>{t("dashboard.title")}</Typography.Title>
      <Card title={t("dashboard.service")} data-testid="service-card">
        {meta.isPending ? (
          <Skeleton active />
        ) : meta.isError ? (
          <Alert type="error" showIcon message={t("dashboard.loadFailed")} />
        ) : (
          <Descriptions column={1} bordered size="small">
            <Descriptions.Item label={t("dashboard.name")}>{meta.data.name}</Descriptions.Item>
            <Descriptions.Item label={t("dashboard.version")}>
              <span data-testid="service-version">{meta.data.version}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t("dashboard.database")}>
              {readiness.data ? (
                <Badge
                  status="success"
                  text={`${readiness.data.database} · ${t("dashboard.ready")}`}
                />
              ) : readiness.isPending ? (
                <Skeleton.Input size="small" active />
              ) : (
                <Badge status="error" text={t("dashboard.notReady")} />
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t("dashboard.locales")}>
              {meta.data.locales.join(", ")}
            </Descriptions.Item>
            <Descriptions.Item label={t("dashboard.currency")}>
              {meta.data.currency}
            </Descriptions.Item>
          </Descriptions>
        )}
      </Card>
    </>
  );
}
