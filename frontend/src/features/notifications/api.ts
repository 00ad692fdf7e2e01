import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";

export const notificationKeys = {
  all: ["notifications"] as const,
  unread: ["notifications", "unread"] as const,
  latest: (language: string) => ["notifications", "latest", language] as const,
};

/** The staff member's unread count, read again every 30 seconds. */
export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.unread,
    queryFn: async () => {
      const { data, error } = await api.GET("/api/v1/notifications/unread-count");
      if (data) return data.unread;
      throw error;
    },
    refetchInterval: 30_000,
  });
}

/** The latest notifications, in the console's language; read only while `enabled`. */
export function useLatestNotifications(language: string, enabled: boolean) {
  return useQuery({
    queryKey: notificationKeys.latest(language),
    queryFn: async () => {
      const { data, error } = await api.GET("/api/v1/notifications", {
        params: { query: { limit: 10 } },
      });
      if (data) return data.items;
      throw error;
    },
    enabled,
  });
}

export async function markNotificationRead(id: number) {
  const { data, error } = await api.POST("/api/v1/notifications/{notification_id}/read", {
    params: { path: { notification_id: id } },
  });
  if (data) return data;
  throw error;
}

export async function markAllNotificationsRead() {
  const { data, error } = await api.POST("/api/v1/notifications/read-all");
  if (data) return data;
  throw error;
}
