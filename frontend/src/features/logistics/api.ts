import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type {
  Carrier,
  CarrierRequest,
  DeliveryMethods,
  DeliveryMethodsRequest,
  FreightQuote,
  FreightTemplate,
  FreightTemplateRequest,
  PickupPointRequest,
} from "../../api/types";

export const logisticsKeys = {
  freightTemplates: ["freight-templates"] as const,
  deliveryMethods: ["delivery-methods"] as const,
  carriers: ["carriers"] as const,
};

/** The store's freight templates; `enabled: false` for callers without the permission. */
export function useFreightTemplates({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: logisticsKeys.freightTemplates,
    enabled,
    queryFn: async (): Promise<FreightTemplate[]> => {
      const { data, error } = await api.GET("/api/v1/freight-templates");
      if (data) return data;
      throw error;
    },
  });
}

/** Adds a freight template, or changes the one with `id`. */
export async function saveFreightTemplate(
  id: number | undefined,
  body: FreightTemplateRequest,
): Promise<FreightTemplate> {
  const { data, error } =
    id !== undefined
      ? await api.PUT("/api/v1/freight-templates/{template_id}", {
          params: { path: { template_id: id } },
          body,
        })
      : await api.POST("/api/v1/freight-templates", { body });
  if (data) return data;
  throw error;
}

export async function deleteFreightTemplate(id: number): Promise<void> {
  const { error, response } = await api.DELETE("/api/v1/freight-templates/{template_id}", {
    params: { path: { template_id: id } },
  });
  if (response.ok) return;
  throw error;
}

/** What a shipment would cost under a template, computed by the server as checkout will. */
export async function quoteFreight(
  templateId: number,
  body: {
    region_code: string;
    items: { quantity: number; weight_grams: number }[];
    goods_total: string;
  },
): Promise<FreightQuote> {
  const { data, error } = await api.POST("/api/v1/freight-templates/{template_id}/quote", {
    params: { path: { template_id: templateId } },
    body,
  });
  if (data) return data;
  throw error;
}

export function useDeliveryMethods() {
  return useQuery({
    queryKey: logisticsKeys.deliveryMethods,
    queryFn: async (): Promise<DeliveryMethods> => {
      const { data, error } = await api.GET("/api/v1/delivery-methods");
      if (data) return data;
      throw error;
    },
  });
}

export async function saveDeliveryMethods(body: DeliveryMethodsRequest) {
  const { data, error } = await api.PUT("/api/v1/delivery-methods", { body });
  if (data) return data;
  throw error;
}

/** Adds a pickup point, or changes the one with `id`. */
export async function savePickupPoint(args: { id?: number; body: PickupPointRequest }) {
  const { data, error } = args.id
    ? await api.PUT("/api/v1/pickup-points/{pickup_point_id}", {
        params: { path: { pickup_point_id: args.id } },
        body: args.body,
      })
    : await api.POST("/api/v1/pickup-points", { body: args.body });
  if (data) return data;
  throw error;
}

export function useCarriers() {
  return useQuery({
    queryKey: logisticsKeys.carriers,
    queryFn: async (): Promise<Carrier[]> => {
      const { data, error } = await api.GET("/api/v1/carriers");
      if (data) return data;
      throw error;
    },
  });
}

/** Adds a carrier, or changes the one with `id`. */
export async function saveCarrier(args: { id?: number; body: CarrierRequest }) {
  const { data, error } = args.id
    ? await api.PUT("/api/v1/carriers/{carrier_id}", {
        params: { path: { carrier_id: args.id } },
        body: args.body,
      })
    : await api.POST("/api/v1/carriers", { body: args.body });
  if (data) return data;
  throw error;
}
