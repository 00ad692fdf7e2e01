import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, authorizedFetch } from "../../api/client";
import type {
  BatchReport,
  OrderDetail,
  OrderPage,
  OrderSettings,
  OrderSettingsRequest,
  OrderStatus,
  ShipmentRequest,
} from "../../api/types";

export interface OrderFilters {
  status?: OrderStatus;
  order_no?: string;
}

export const orderKeys = {
  /** Every order list. */
  lists: ["orders"] as const,
  list: (filters: OrderFilters) => ["orders", filters] as const,
  order: (id: number) => ["order", id] as const,
  settings: ["order-settings"] as const,
};

/** The merchant's orders, newest first, in cursor pages. */
export function useOrders(filters: OrderFilters) {
  return useInfiniteQuery({
    queryKey: orderKeys.list(filters),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }): Promise<OrderPage> => {
      const { data, error } = await api.GET("/api/v1/orders", {
        params: {
          query: {
            status: filters.status,
            order_no: filters.order_no || undefined,
            cursor: pageParam,
            limit: 50,
          },
        },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useOrder(id: number) {
  return useQuery({
    queryKey: orderKeys.order(id),
    queryFn: async (): Promise<OrderDetail> => {
      const { data, error } = await api.GET("/api/v1/orders/{order_id}", {
        params: { path: { order_id: id } },
      });
      if (data) return data;
      throw error;
    },
  });
}

/** Cancels the order or confirms its bank transfer; the order's views are read again after. */
export function useOrderAction(id: number) {
  const queryClient = useQueryClient();
  const settle = async (order: OrderDetail) => {
    queryClient.setQueryData(orderKeys.order(id), order);
    await queryClient.invalidateQueries({ queryKey: orderKeys.lists });
  };
  const cancel = useMutation({
    mutationFn: async (reason: string): Promise<OrderDetail> => {
      const { data, error } = await api.POST("/api/v1/orders/{order_id}/cancel", {
        params: { path: { order_id: id } },
        body: { reason: reason.trim() || undefined },
      });
      if (data) return data;
      throw error;
    },
    onSuccess: settle,
  });
  const confirmTransfer = useMutation({
    mutationFn: async (body: { reference: string; amount: string }): Promise<OrderDetail> => {
      const { data, error } = await api.POST("/api/v1/orders/{order_id}/bank-transfer", {
        params: { path: { order_id: id } },
        body,
      });
      if (data) return data;
      throw error;
    },
    onSuccess: settle,
  });
  const ship = useMutation({
    mutationFn: async (body: ShipmentRequest): Promise<OrderDetail> => {
      const { data, error } = await api.POST("/api/v1/orders/{order_id}/packages", {
        params: { path: { order_id: id } },
        body,
      });
      if (data) return data;
      throw error;
    },
    onSuccess: settle,
  });
  const refreshPackage = useMutation({
    mutationFn: async (packageId: number): Promise<OrderDetail> => {
      const { data, error } = await api.POST(
        "/api/v1/orders/{order_id}/packages/{package_id}/refresh",
        { params: { path: { order_id: id, package_id: packageId } } },
      );
      if (data) return data;
      throw error;
    },
    onSuccess: settle,
  });
  return { cancel, confirmTransfer, ship, refreshPackage };
}

/** Hands a pickup order over against the buyer's code; the order lists are read again after. */
export function usePickupHandover() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (code: string): Promise<OrderDetail> => {
      const { data, error } = await api.POST("/api/v1/orders/pickups", {
        body: { code: code.trim() },
      });
      if (data) return data;
      throw error;
    },
    onSuccess: async (order) => {
      queryClient.setQueryData(orderKeys.order(order.id), order);
      await queryClient.invalidateQueries({ queryKey: orderKeys.lists });
    },
  });
}

/** The orders of a status (all when none) as a spreadsheet, one row per line; `null` when the
 * server refuses. */
export async function exportOrders(
  format: "xlsx" | "csv",
  status?: OrderStatus,
): Promise<Blob | null> {
  const query = new URLSearchParams({ format });
  if (status) query.set("status", status);
  const response = await authorizedFetch(
    new Request(`${window.location.origin}/api/v1/orders/export?${query}`),
  );
  if (!response.ok) return null;
  return response.blob();
}

/** Ships orders from a CSV or xlsx file: a dry run reports every row, a real run ships. */
export function useShipmentFile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (args: {
      file: File;
      dryRun: boolean;
      allOrNothing: boolean;
    }): Promise<BatchReport> => {
      const mime = args.file.name.toLowerCase().endsWith(".csv")
        ? "text/csv"
        : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      const { data, error } = await api.POST("/api/v1/orders/shipments/file", {
        params: { query: { dry_run: args.dryRun, all_or_nothing: args.allOrNothing } },
        body: args.file as unknown as string,
        bodySerializer: (body) => body as unknown as BodyInit,
        headers: { "Content-Type": mime },
      });
      if (data) return data;
      throw error;
    },
    onSuccess: async (report) => {
      if (!report.dry_run) await queryClient.invalidateQueries({ queryKey: orderKeys.lists });
    },
  });
}

/** The merchant's order settings: payment timeout, completion and after-sales days. */
export function useOrderSettings() {
  return useQuery({
    queryKey: orderKeys.settings,
    queryFn: async (): Promise<OrderSettings> => {
      const { data, error } = await api.GET("/api/v1/order-settings");
      if (data) return data;
      throw error;
    },
  });
}

export function useSaveOrderSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: OrderSettingsRequest): Promise<OrderSettings> => {
      const { data, error } = await api.PUT("/api/v1/order-settings", { body });
      if (data) return data;
      throw error;
    },
    onSuccess: (saved) => queryClient.setQueryData(orderKeys.settings, saved),
  });
}
