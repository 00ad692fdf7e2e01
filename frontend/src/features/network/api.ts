import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { paths } from "../../api/schema";
import type {
  BindingPage,
  CustomerPage,
  DistributorDetail,
  DistributorPage,
  DistributorStatus,
  TierChange,
  UplineEntry,
} from "../../api/types";
import { distributionKeys } from "../distribution/api";
import type { ChildrenLoader } from "./distributorTree";

type ListQuery = NonNullable<paths["/api/v1/distributors"]["get"]["parameters"]["query"]>;
export type DistributorSort = NonNullable<ListQuery["sort"]>;

/** What the distributor list is filtered and sorted by. */
export interface DistributorFilters {
  status?: DistributorStatus;
  tier_id?: number;
  q?: string;
  roots?: boolean;
  sort: DistributorSort;
}

export const networkKeys = {
  /** Every distributor list. */
  distributors: ["distributors"] as const,
  distributorList: (filters: DistributorFilters) => ["distributors", filters] as const,
  search: (q: string, status: DistributorStatus | undefined) =>
    ["distributor-search", q, status] as const,
  distributor: (id: number | null | undefined) => ["distributor", id] as const,
  upline: (id: number, parentId?: number | null) =>
    parentId === undefined
      ? (["distributor-upline", id] as const)
      : (["distributor-upline", id, parentId] as const),
  /** Every distributor's customer list. */
  customers: ["distributor-customers"] as const,
  customersOf: (distributorId: number) => ["distributor-customers", distributorId] as const,
  memberBindings: (memberId: number) => ["member-bindings", memberId] as const,
  tierChanges: (distributorId: number) => ["distributor", distributorId, "tier-changes"] as const,
};

/** The distributor list by filters, in cursor pages. */
export function useDistributorList(filters: DistributorFilters) {
  return useInfiniteQuery({
    queryKey: networkKeys.distributorList(filters),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }): Promise<DistributorPage> => {
      const { data, error } = await api.GET("/api/v1/distributors", {
        params: {
          query: {
            ...filters,
            roots: filters.roots || undefined,
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

/** The first distributors matching a search (code, phone or email exactly, part of a name). */
export function useDistributorSearch(q: string, status: DistributorStatus | undefined) {
  return useQuery({
    queryKey: networkKeys.search(q, status),
    queryFn: async () => {
      const { data, error } = await api.GET("/api/v1/distributors", {
        params: { query: { q: q || undefined, status, limit: 20 } },
      });
      if (data) return data.items;
      throw error;
    },
  });
}

/** One distributor with their upline and figures; nothing is read while `id` is null. */
export function useDistributor(id: number | null | undefined, { enabled = true } = {}) {
  return useQuery({
    queryKey: networkKeys.distributor(id),
    enabled: enabled && id != null,
    queryFn: async (): Promise<DistributorDetail> => {
      const { data, error } = await api.GET("/api/v1/distributors/{distributor_id}", {
        params: { path: { distributor_id: id as number } },
      });
      if (data) return data;
      throw error;
    },
  });
}

/** The upline of a distributor, sponsor first, at most `depth` levels. */
export function useUpline(distributor: DistributorDetail, depth: number) {
  return useQuery({
    queryKey: networkKeys.upline(distributor.id, distributor.parent_id),
    queryFn: async (): Promise<UplineEntry[]> => {
      const { data, error } = await api.GET("/api/v1/distributors/{distributor_id}/upline", {
        params: { path: { distributor_id: distributor.id }, query: { depth } },
      });
      if (data) return data;
      throw error;
    },
  });
}

/** One page of a distributor's recruits; the cursor is the last recruit's id. */
export const loadChildren =
  (limit: number): ChildrenLoader =>
  async (parentId, cursor) => {
    // This list's cursor is the last recruit's id, asked for as a number.
    const after = cursor === undefined ? undefined : Number.parseInt(cursor, 10);
    const { data, error } = await api.GET("/api/v1/distributors/{distributor_id}/children", {
      params: { path: { distributor_id: parentId }, query: { cursor: after, limit } },
    });
    if (data) return data;
    throw error;
  };

/** The members bound to a distributor now, in cursor pages. */
export function useCustomers(distributorId: number) {
  return useInfiniteQuery({
    queryKey: networkKeys.customersOf(distributorId),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }): Promise<CustomerPage> => {
      const { data, error } = await api.GET("/api/v1/distributors/{distributor_id}/customers", {
        params: {
          path: { distributor_id: distributorId },
          query: { cursor: pageParam, limit: 50 },
        },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** A member's bindings, newest first, in cursor pages. */
export function useMemberBindings(memberId: number) {
  return useInfiniteQuery({
    queryKey: networkKeys.memberBindings(memberId),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }): Promise<BindingPage> => {
      const { data, error } = await api.GET("/api/v1/members/{member_id}/bindings", {
        params: {
          path: { member_id: memberId },
          query: { cursor: pageParam, limit: 20 },
        },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Binds a member to another distributor (`null`: releases them), with a reason. */
export async function reassignMember(
  memberId: number,
  body: { distributor_id: number | null; reason: string },
) {
  const { data, error } = await api.POST("/api/v1/members/{member_id}/binding", {
    params: { path: { member_id: memberId } },
    body,
  });
  if (data) return data;
  throw error;
}

/** A distributor's tier changes, newest first. */
export function useTierChanges(distributorId: number) {
  return useQuery({
    queryKey: networkKeys.tierChanges(distributorId),
    queryFn: async (): Promise<TierChange[]> => {
      const { data, error } = await api.GET("/api/v1/distributors/{distributor_id}/tier-changes", {
        params: { path: { distributor_id: distributorId } },
      });
      if (data) return data;
      throw error;
    },
  });
}

/** After a staff action: the answer is the distributor as it is now; lists and trees re-read. */
export function useDistributorSaved() {
  const queryClient = useQueryClient();
  return async (saved: DistributorDetail) => {
    queryClient.setQueryData(networkKeys.distributor(saved.id), saved);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: networkKeys.distributors }),
      queryClient.invalidateQueries({ queryKey: networkKeys.upline(saved.id) }),
      queryClient.invalidateQueries({ queryKey: distributionKeys.tiers }),
      queryClient.invalidateQueries({ queryKey: networkKeys.tierChanges(saved.id) }),
    ]);
  };
}

/** Lets automatic promotion resume after a manual demotion paused it. */
export async function releasePromotionHold(id: number): Promise<DistributorDetail> {
  const { data, error } = await api.DELETE("/api/v1/distributors/{distributor_id}/promotion-hold", {
    params: { path: { distributor_id: id } },
  });
  if (data) return data;
  throw error;
}

/** Moves a distributor under a new sponsor (`null`: to the top), with a reason. */
export async function moveDistributor(
  id: number,
  body: { parent_id: number | null; reason: string },
): Promise<DistributorDetail> {
  const { data, error } = await api.POST("/api/v1/distributors/{distributor_id}/move", {
    params: { path: { distributor_id: id } },
    body,
  });
  if (data) return data;
  throw error;
}

/** Freezes, unfreezes or ends a distributor; the reason is optional only for unfreezing. */
export async function changeDistributorStatus(
  id: number,
  action: "freeze" | "unfreeze" | "end",
  reason: string,
): Promise<DistributorDetail> {
  const path = { distributor_id: id };
  const { data, error } =
    action === "freeze"
      ? await api.POST("/api/v1/distributors/{distributor_id}/freeze", {
          params: { path },
          body: { reason },
        })
      : action === "end"
        ? await api.POST("/api/v1/distributors/{distributor_id}/end", {
            params: { path },
            body: { reason },
          })
        : await api.POST("/api/v1/distributors/{distributor_id}/unfreeze", {
            params: { path },
            body: { reason: reason || null },
          });
  if (data) return data;
  throw error;
}

/** Sets a distributor's tier by hand (`null`: none), with a reason. */
export async function setDistributorTier(
  id: number,
  body: { tier_id: number | null; reason: string },
): Promise<DistributorDetail> {
  const { data, error } = await api.PUT("/api/v1/distributors/{distributor_id}/tier", {
    params: { path: { distributor_id: id } },
    body,
  });
  if (data) return data;
  throw error;
}
