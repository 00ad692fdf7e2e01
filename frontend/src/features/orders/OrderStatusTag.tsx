import { Tag } from "antd";
import { useTranslation } from "react-i18next";
import type { OrderStatus } from "../../api/types";
import { STATUS_COLORS } from "./ordersView";

/** An order's status as a coloured tag. */
export function OrderStatusTag({ status }: { status: OrderStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="order-status">
      {t(`orderStatus.${status}`)}
    </Tag>
  );
}
