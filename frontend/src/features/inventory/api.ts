import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { catalogKeys } from "../catalog/api";

export const inventoryKeys = {
  lowStock: ["low-stock"] as const,
  codeSummary: (skuId: number | undefined) => ["virtual-codes", skuId] as const,
};

/** SKUs at or below their low-stock threshold, in cursor pages. */
export function useLowStock() {
  return useInfiniteQuery({
    queryKey: inventoryKeys.lowStock,
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await api.GET("/api/v1/inventory/low-stock", {
        params: { query: { cursor: pageParam, limit: 50 } },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/**
 * After stock changed (an adjustment, imported codes, a catalog import): every view of products
 * and of low stock reads again.
 */
export function useStockChanged() {
  const queryClient = useQueryClient();
  return () => {
    for (const queryKey of [catalogKeys.products, catalogKeys.product, inventoryKeys.lowStock]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  };
}

/** Adds or removes units of one SKU, with a reason; the answer is the new level. */
export async function adjustStock(skuId: number, body: { delta: number; reason: string }) {
  const { data, error } = await api.POST("/api/v1/skus/{sku_id}/stock-adjustments", {
    params: { path: { sku_id: skuId } },
    body,
  });
  if (data) return data;
  throw error;
}

/** How many codes of a virtual SKU are available and delivered. */
export function useCodeSummary(skuId: number | undefined) {
  return useQuery({
    queryKey: inventoryKeys.codeSummary(skuId),
    enabled: skuId !== undefined,
    queryFn: async () => {
      const { data, error } = await api.GET("/api/v1/skus/{sku_id}/codes/summary", {
        params: { path: { sku_id: skuId ?? 0 } },
      });
      if (data) return data;
      throw error;
    },
  });
}

/** Imports codes into a virtual SKU's pool; refused as a whole when any line is bad. */
export async function importCodes(skuId: number, codes: string[]) {
  const { data, error } = await api.POST("/api/v1/skus/{sku_id}/codes", {
    params: { path: { sku_id: skuId } },
    body: { codes },
  });
  if (data) return data;
  throw error;
}
