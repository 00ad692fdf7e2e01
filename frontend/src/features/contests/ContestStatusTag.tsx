import { Tag } from "antd";
import { useTranslation } from "react-i18next";
import type { ContestStatus } from "../../api/types";
import { STATUS_COLORS } from "./contestsView";

/** A contest's status as a coloured tag. */
export function ContestStatusTag({ status }: { status: ContestStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="contest-status">
      {t(`contestStatus.${status}`)}
    </Tag>
  );
}
