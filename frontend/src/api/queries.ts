import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import type { components } from "./schema";

export type Meta = components["schemas"]["Meta"];
export type Readiness = components["schemas"]["Readiness"];

export function useServiceMeta() {
  return useQuery({
    queryKey: ["meta"],
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
    queryKey: ["readyz"],
    queryFn: async (): Promise<Readiness | null> => {
      const { data } = await api.GET("/readyz");
      return data ?? null;
    },
  });
}
