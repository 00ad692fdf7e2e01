import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { PaymentMethod, PaymentMethodRequest } from "../../api/types";

export const paymentKeys = {
  methods: ["payment-methods"] as const,
};

/** The payment methods configured so far; secrets come masked. */
export function usePaymentMethods() {
  return useQuery({
    queryKey: paymentKeys.methods,
    queryFn: async (): Promise<PaymentMethod[]> => {
      const { data, error } = await api.GET("/api/v1/payment-methods");
      if (data) return data;
      throw error;
    },
  });
}

export async function savePaymentMethod(body: PaymentMethodRequest): Promise<PaymentMethod> {
  const { data, error } = await api.PUT("/api/v1/payment-methods", { body });
  if (data) return data;
  throw error;
}
