import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { DistributionSettings, SettingsRequest, Tier, TierRequest } from "../../api/types";

export const distributionKeys = {
  settings: ["distribution-settings"] as const,
  tiers: ["distribution-tiers"] as const,
};

export function useDistributionSettings() {
  return useQuery({
    queryKey: distributionKeys.settings,
    queryFn: async (): Promise<DistributionSettings> => {
      const { data, error } = await api.GET("/api/v1/distribution/settings");
      if (data) return data;
      throw error;
    },
  });
}

export async function saveDistributionSettings(
  body: SettingsRequest,
): Promise<DistributionSettings> {
  const { data, error } = await api.PUT("/api/v1/distribution/settings", { body });
  if (data) return data;
  throw error;
}

/** The tier ladder, lowest first; `enabled: false` for callers without the permission to read it. */
export function useTiers({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: distributionKeys.tiers,
    enabled,
    queryFn: async (): Promise<Tier[]> => {
      const { data, error } = await api.GET("/api/v1/distribution/tiers");
      if (data) return data;
      throw error;
    },
  });
}

/** Adds a tier, or changes the one with `id`. */
export async function saveTier(id: number | undefined, body: TierRequest): Promise<Tier> {
  const { data, error } =
    id !== undefined
      ? await api.PUT("/api/v1/distribution/tiers/{tier_id}", {
          params: { path: { tier_id: id } },
          body,
        })
      : await api.POST("/api/v1/distribution/tiers", { body });
  if (data) return data;
  throw error;
}

/** The whole ladder in its new order, lowest first; the answer is the ladder as stored. */
export async function reorderTiers(ids: number[]): Promise<Tier[]> {
  const { data, error } = await api.POST("/api/v1/distribution/tiers/reorder", {
    body: { tier_ids: ids },
  });
  if (data) return data;
  throw error;
}

/** Deletes a tier; the distributors holding it move to `moveTo` (refused without one). */
export async function deleteTier(id: number, moveTo?: number): Promise<void> {
  const { error, response } = await api.DELETE("/api/v1/distribution/tiers/{tier_id}", {
    params: { path: { tier_id: id }, query: moveTo === undefined ? {} : { move_to: moveTo } },
  });
  if (response.ok) return;
  throw error;
}
