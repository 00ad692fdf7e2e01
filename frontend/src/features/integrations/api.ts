import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { ApiKey, CreateApiKeyRequest } from "../../api/types";

export const apiKeyKeys = {
  all: ["api-keys"] as const,
};

export function useApiKeys() {
  return useQuery({
    queryKey: apiKeyKeys.all,
    queryFn: async (): Promise<ApiKey[]> => {
      const { data, error } = await api.GET("/api/v1/api-keys");
      if (data) return data;
      throw error;
    },
  });
}

/** Creates a key; the answer carries the key itself, which is never shown again. */
export async function createApiKey(body: CreateApiKeyRequest) {
  const { data, error } = await api.POST("/api/v1/api-keys", { body });
  if (data) return data;
  throw error;
}

export async function revokeApiKey(id: number): Promise<void> {
  await api.DELETE("/api/v1/api-keys/{key_id}", { params: { path: { key_id: id } } });
}
