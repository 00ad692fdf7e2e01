import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type {
  AfterSaleDetail,
  AfterSalePage,
  AfterSaleStatus,
  PaymentKind,
  Refund,
  RefundPage,
  RefundStatus,
} from "../../api/types";
import { orderKeys } from "../orders/api";

export const afterSaleKeys = {
  lists: ["after-sales"] as const,
  list: (status?: AfterSaleStatus) => ["after-sales", status ?? "all"] as const,
  one: (id: number) => ["after-sale", id] as const,
};

/** The merchant's after-sales requests, newest first, in cursor pages. */
export function useAfterSales(status?: AfterSaleStatus) {
  return useInfiniteQuery({
    queryKey: afterSaleKeys.list(status),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }): Promise<AfterSalePage> => {
      const { data, error } = await api.GET("/api/v1/after-sales", {
        params: { query: { status, cursor: pageParam, limit: 50 } },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useAfterSale(id: number) {
  return useQuery({
    queryKey: afterSaleKeys.one(id),
    queryFn: async (): Promise<AfterSaleDetail> => {
      const { data, error } = await api.GET("/api/v1/after-sales/{after_sale_id}", {
        params: { path: { after_sale_id: id } },
      });
      if (data) return data;
      throw error;
    },
  });
}

export type Decision = "approve" | "reject" | "receive" | "refuse";

/** Staff decide a request; the request, the queue and its order are read again after. */
export function useDecide(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (args: { decision: Decision; reason?: string }): Promise<AfterSaleDetail> => {
      const path = { params: { path: { after_sale_id: id } } };
      const reason = { reason: args.reason?.trim() ?? "" };
      const { data, error } =
        args.decision === "approve"
          ? await api.POST("/api/v1/after-sales/{after_sale_id}/approve", path)
          : args.decision === "receive"
            ? await api.POST("/api/v1/after-sales/{after_sale_id}/receive", path)
            : args.decision === "reject"
              ? await api.POST("/api/v1/after-sales/{after_sale_id}/reject", {
                  ...path,
                  body: reason,
                })
              : await api.POST("/api/v1/after-sales/{after_sale_id}/refuse", {
                  ...path,
                  body: reason,
                });
      if (data) return data;
      throw error;
    },
    onSuccess: async (found) => {
      queryClient.setQueryData(afterSaleKeys.one(id), found);
      await queryClient.invalidateQueries({ queryKey: afterSaleKeys.lists });
      await queryClient.invalidateQueries({ queryKey: orderKeys.order(found.order_id) });
    },
  });
}

/** What staff may do to a request in a status (the server's state table decides in the end). */
export function decisionsFor(status: AfterSaleStatus): Decision[] {
  switch (status) {
    case "requested":
      return ["approve", "reject"];
    case "returning":
      return ["receive", "refuse"];
    default:
      return [];
  }
}

export interface RefundFilters {
  status?: RefundStatus;
  method?: PaymentKind;
}

export const refundKeys = {
  lists: ["refunds"] as const,
  list: (filters: RefundFilters) => ["refunds", filters] as const,
};

/** The merchant's refunds, newest first, in cursor pages: finance's queue. */
export function useRefunds(filters: RefundFilters) {
  return useInfiniteQuery({
    queryKey: refundKeys.list(filters),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }): Promise<RefundPage> => {
      const { data, error } = await api.GET("/api/v1/refunds", {
        params: { query: { ...filters, cursor: pageParam, limit: 50 } },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Finance records a refund made outside (a bank transfer, a provider's console). */
export function useRecordRefund() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (args: { id: number; reference: string }): Promise<Refund> => {
      const { data, error } = await api.POST("/api/v1/refunds/{refund_id}/record", {
        params: { path: { refund_id: args.id } },
        body: { reference: args.reference.trim() },
      });
      if (data) return data;
      throw error;
    },
    onSuccess: async (refund) => {
      await queryClient.invalidateQueries({ queryKey: refundKeys.lists });
      await queryClient.invalidateQueries({ queryKey: orderKeys.order(refund.order_id) });
    },
  });
}

/** Whether finance may record the refund as made by hand: a bank transfer not yet made, or a
 * refund a provider refused (the sandbox refunds by itself). */
export function recordable(refund: Pick<Refund, "method" | "status">): boolean {
  if (refund.method === "sandbox") return false;
  return (
    (refund.method === "bank_transfer" && refund.status === "pending") || refund.status === "failed"
  );
}
