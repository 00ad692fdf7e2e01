import { Tabs, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useAuth } from "../auth/AuthContext";
import { CarriersPanel } from "./CarriersPanel";
import { DeliveryPanel } from "./DeliveryPanel";
import { FreightTemplatesPanel } from "./FreightTemplatesPanel";
import { TrackingPanel } from "./TrackingPanel";

/** Logistics settings: freight templates, delivery methods with pickup points, carriers, and
 * package tracking. */
export function LogisticsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const manage = can("merchant.manage");
  return (
    <>
      <Typography.Title level={2}>{t("logistics.title")}</Typography.Title>
      <Tabs
        items={[
          {
            key: "freight",
            label: t("logistics.templates"),
            children: <FreightTemplatesPanel manage={manage} />,
          },
          {
            key: "delivery",
            label: t("logistics.delivery"),
            children: <DeliveryPanel manage={manage} />,
          },
          {
            key: "carriers",
            label: t("logistics.carriers"),
            children: <CarriersPanel manage={manage} />,
          },
          {
            key: "tracking",
            label: t("tracking.title"),
            children: <TrackingPanel manage={manage} />,
          },
        ]}
      />
    </>
  );
}
