import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { MerchantView, ProfileRequest } from "../../api/types";

export const storeKeys = {
  merchant: ["merchant"] as const,
};

/** The merchant as staff see it: profile, currency, security policy. */
export function useMerchant() {
  return useQuery({
    queryKey: storeKeys.merchant,
    queryFn: async (): Promise<MerchantView> => {
      const { data, error } = await api.GET("/api/v1/merchant");
      if (data) return data;
      throw error;
    },
  });
}

/** The profile the shop shows; the answer is the merchant as stored. */
export async function saveProfile(body: ProfileRequest): Promise<MerchantView> {
  const { data, error } = await api.PUT("/api/v1/merchant/profile", { body });
  if (data) return data;
  throw error;
}
