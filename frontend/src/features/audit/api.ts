import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { AuditPage } from "../../api/types";

export const auditKeys = {
  events: (action: string) => ["audit", action] as const,
};

/** The audit log, newest first, in cursor pages; `action` filters by action when set. */
export function useAuditEvents(action: string) {
  return useInfiniteQuery({
    queryKey: auditKeys.events(action),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }): Promise<AuditPage> => {
      const { data, error } = await api.GET("/api/v1/audit-events", {
        params: { query: { action: action || undefined, cursor: pageParam, limit: 50 } },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}
