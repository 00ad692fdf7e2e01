import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { Meta, Readiness } from "../../api/types";

export const dashboardKeys = {
  meta: ["meta"] as const,
  readiness: ["readyz"] as const,
};

export function useServiceMeta() {
  return useQuery({
    queryKey: dashboardKeys.meta,
    queryFn: async (): Promise<Meta> => {
      const { data, error } = await api.GET("/api/v1/meta");
      if (error || !data) throw error ?? new Error("empty answer");
      return data;
    },
  });
}

/** `null` when the service answers that it is not ready (503). */
export function useReadiness() {
  return useQuery({
    queryKey: dashboardKeys.readiness,
    queryFn: async (): Promise<Readiness | null> => {
      const { data } = await api.GET("/readyz");
      return data ?? null;
    },
  });
}
