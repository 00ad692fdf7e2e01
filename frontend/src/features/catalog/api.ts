import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type {
  BatchAction,
  BatchStatusResponse,
  Category,
  CategoryRequest,
  ImportJob,
  Product,
  ProductAction,
  ProductInput,
  ProductPatch,
} from "../../api/types";
import { loadTokens } from "../auth/tokens";
import { batches, listQuery, mergeBatches, type ProductFilters } from "./productList";

export const catalogKeys = {
  /** Every product list (the filtered list, the review queue). */
  products: ["products"] as const,
  productList: (filters: ProductFilters) => ["products", filters] as const,
  reviewQueue: ["products", "pending_review"] as const,
  /** Every single product read by the editor. */
  product: ["product"] as const,
  productById: (id: number | undefined) => ["product", id] as const,
  categories: ["categories"] as const,
  imports: ["imports"] as const,
  /** Names the import run, so the job list knows one is under way before its job is listed. */
  importRun: ["imports", "run"] as const,
};

/** The product list by filters, in cursor pages. */
export function useProductList(filters: ProductFilters) {
  return useInfiniteQuery({
    queryKey: catalogKeys.productList(filters),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await api.GET("/api/v1/products", {
        params: { query: listQuery(filters, pageParam) },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Products awaiting review, in pages of `limit`. */
export function useReviewQueue(limit: number) {
  return useInfiniteQuery({
    queryKey: catalogKeys.reviewQueue,
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await api.GET("/api/v1/products", {
        params: { query: { status: "pending_review", limit, cursor: pageParam } },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** One product; nothing is read while `id` is undefined (a new product). */
export function useProduct(id: number | undefined) {
  return useQuery({
    queryKey: catalogKeys.productById(id),
    enabled: id !== undefined,
    queryFn: async () => {
      const { data, error } = await api.GET("/api/v1/products/{product_id}", {
        params: { path: { product_id: id ?? 0 } },
      });
      if (data) return data;
      throw error;
    },
  });
}

export function useCategories() {
  return useQuery({
    queryKey: catalogKeys.categories,
    queryFn: async (): Promise<Category[]> => {
      const { data, error } = await api.GET("/api/v1/categories");
      if (data) return data;
      throw error;
    },
  });
}

/**
 * The import jobs. While an import runs — ours (`running`: the upload has not answered yet) or
 * one started elsewhere that the list shows unfinished — the list is read every `pollMs`, so
 * its progress shows.
 */
export function useImportJobs(running: boolean, pollMs: number) {
  return useQuery({
    queryKey: catalogKeys.imports,
    queryFn: async (): Promise<ImportJob[]> => {
      const { data, error } = await api.GET("/api/v1/catalog/imports");
      if (data) return data;
      throw error;
    },
    refetchInterval: (query) =>
      running || (query.state.data ?? []).some((j) => j.finished_at == null) ? pollMs : false,
  });
}

/**
 * Lists or unlists products in requests the API accepts (at most 100 ids each); each product
 * changes on its own, and the answers are merged.
 */
export async function batchStatus(
  ids: number[],
  action: BatchAction,
): Promise<BatchStatusResponse> {
  const answers = [];
  for (const product_ids of batches(ids)) {
    const { data, error } = await api.POST("/api/v1/products/batch-status", {
      body: { product_ids, action },
    });
    if (!data) throw error;
    answers.push(data);
  }
  return mergeBatches(answers);
}

/** A status change of one product: through review (approve, reject) or by its owner. */
export async function changeProductStatus(args: {
  id: number;
  action: ProductAction;
  review: boolean;
  reason?: string | null;
}): Promise<Product> {
  const params = { path: { product_id: args.id } };
  const body = { action: args.action, reason: args.reason };
  const { data, error } = args.review
    ? await api.POST("/api/v1/products/{product_id}/review", { params, body })
    : await api.POST("/api/v1/products/{product_id}/status", { params, body });
  if (data) return data;
  throw error;
}

export async function createProduct(body: ProductInput): Promise<Product> {
  const { data, error } = await api.POST("/api/v1/products", { body });
  if (data) return data;
  throw error;
}

export async function updateProduct(id: number, patch: ProductPatch): Promise<Product> {
  const { data, error } = await api.PATCH("/api/v1/products/{product_id}", {
    params: { path: { product_id: id } },
    body: patch,
  });
  if (data) return data;
  throw error;
}

/** The product's gallery, in order; the first image is the main one. */
export async function setProductImages(id: number, mediaIds: number[]): Promise<void> {
  const { data, error } = await api.PUT("/api/v1/products/{product_id}/images", {
    params: { path: { product_id: id } },
    body: { media_ids: mediaIds },
  });
  if (!data) throw error;
}

/** Adds a category, or changes the one with `id`. */
export async function saveCategory(id: number | undefined, body: CategoryRequest) {
  const { data, error } =
    id !== undefined
      ? await api.PUT("/api/v1/categories/{category_id}", {
          params: { path: { category_id: id } },
          body,
        })
      : await api.POST("/api/v1/categories", { body });
  if (data) return data;
  throw error;
}

export async function deleteCategory(id: number): Promise<void> {
  const { error, response } = await api.DELETE("/api/v1/categories/{category_id}", {
    params: { path: { category_id: id } },
  });
  if (response.ok) return;
  throw error;
}

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function contentTypeOf(file: File): string {
  return file.name.toLowerCase().endsWith(".xlsx") ? XLSX : "text/csv";
}

/** Uploads a spreadsheet; the answer comes when the import (or its check) is over. */
export async function runImport(file: File, dryRun: boolean): Promise<ImportJob> {
  const { data, error } = await api.POST("/api/v1/catalog/imports", {
    params: { query: { dry_run: dryRun } },
    body: file as unknown as string,
    bodySerializer: (body: unknown) => body as BodyInit,
    headers: { "Content-Type": contentTypeOf(file) },
  });
  if (data) return data;
  throw error;
}

/** The catalog as a spreadsheet; `null` when the server refuses. */
export async function exportCatalog(format: "xlsx" | "csv"): Promise<Blob | null> {
  const tokens = loadTokens();
  const response = await fetch(`/api/v1/catalog/export?format=${format}`, {
    headers: tokens ? { Authorization: `Bearer ${tokens.accessToken}` } : {},
  });
  if (!response.ok) return null;
  return response.blob();
}
