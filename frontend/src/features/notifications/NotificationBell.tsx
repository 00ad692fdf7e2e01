import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Badge, Button, Popover, Space, Spin, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import type { Notification } from "../../api/types";
import {
  markAllNotificationsRead,
  markNotificationRead,
  notificationKeys,
  useLatestNotifications,
  useUnreadCount,
} from "./api";

/** Where a notice of each kind leads. */
const LINKS: Record<string, string> = {
  low_stock: "/stock-alerts",
  distributor_application: "/distributor-applications",
  after_sale: "/after-sales",
  refund_failed: "/refunds?status=failed",
};

function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="currentColor">
      <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
    </svg>
  );
}

/** The staff member's unread count in the header, opening their latest notifications. */
export function NotificationBell() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);

  const unread = useUnreadCount();
  const latest = useLatestNotifications(i18n.language, open);
  const refresh = () => queryClient.invalidateQueries({ queryKey: notificationKeys.all });

  const markRead = useMutation({
    mutationFn: markNotificationRead,
    onSuccess: refresh,
  });
  const markAll = useMutation({
    mutationFn: markAllNotificationsRead,
    onSuccess: refresh,
  });

  const openNotice = (n: Notification) => {
    if (!n.read_at) markRead.mutate(n.id);
    const link = LINKS[n.kind];
    if (link) {
      setOpen(false);
      navigate(link);
    }
  };

  const content = (
    <div style={{ width: 360 }} data-testid="notification-list">
      <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 8 }}>
        <Typography.Text strong>{t("notifications.title")}</Typography.Text>
        <Button
          size="small"
          type="link"
          disabled={!unread.data}
          loading={markAll.isPending}
          onClick={() => markAll.mutate()}
        >
          {t("notifications.markAll")}
        </Button>
      </Space>
      {latest.isPending && <Spin size="small" />}
      {latest.data?.length === 0 && (
        <Typography.Text type="secondary">{t("notifications.none")}</Typography.Text>
      )}
      <div style={{ maxHeight: 420, overflowY: "auto" }}>
        {(latest.data ?? []).map((n) => (
          <div
            key={n.id}
            style={{ padding: "8px 0", borderTop: "1px solid rgba(5, 5, 5, 0.06)" }}
            data-testid="notification"
          >
            <Space style={{ width: "100%", justifyContent: "space-between" }} align="start">
              <Typography.Link strong={!n.read_at} onClick={() => openNotice(n)}>
                {n.title}
              </Typography.Link>
              {!n.read_at && (
                <Button size="small" type="link" onClick={() => markRead.mutate(n.id)}>
                  {t("notifications.markRead")}
                </Button>
              )}
            </Space>
            <div>{n.body}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {new Date(n.created_at).toLocaleString(i18n.language)}
            </Typography.Text>
          </div>
        ))}
      </div>
    </div>
  );

  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={setOpen}
      content={content}
    >
      <Badge count={unread.data ?? 0} size="small" data-testid="notification-count">
        <Button
          type="text"
          icon={<BellIcon />}
          aria-label={t("notifications.bell", { count: unread.data ?? 0 })}
          data-testid="notification-bell"
        />
      </Badge>
    </Popover>
  );
}
