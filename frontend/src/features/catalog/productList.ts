import type { operations } from "../../api/schema";
import type { BatchStatusResponse, Product } from "../../api/types";

type ListQuery = NonNullable<operations["list_products"]["parameters"]["query"]>;

/** What the product list is filtered and sorted by; each maps onto a listing parameter. */
export type ProductFilters = Pick<ListQuery, "status" | "category_id" | "q" | "stock" | "sort">;

/** The most products one batch request may name (the API refuses more). */
export const BATCH_LIMIT = 100;

/** The listing parameters for one page: only what is set, the keyword trimmed. */
export function listQuery(filters: ProductFilters, cursor?: number, limit = 50): ListQuery {
  const query: ListQuery = { limit };
  if (filters.status) query.status = filters.status;
  if (filters.category_id != null) query.category_id = filters.category_id;
  const q = filters.q?.trim();
  if (q) query.q = q;
  if (filters.stock) query.stock = filters.stock;
  if (filters.sort && filters.sort !== "newest") query.sort = filters.sort;
  if (cursor !== undefined) query.cursor = cursor;
  return query;
}

/** `ids` in requests the API accepts, each at most `BATCH_LIMIT` long. */
export function batches(ids: number[], size = BATCH_LIMIT): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

/** The answers of several batch requests as one. */
export function mergeBatches(answers: BatchStatusResponse[]): BatchStatusResponse {
  return answers.reduce<BatchStatusResponse>(
    (all, a) => ({
      results: [...all.results, ...a.results],
      changed: all.changed + a.changed,
      unchanged: all.unchanged + a.unchanged,
      refused: all.refused + a.refused,
    }),
    { results: [], changed: 0, unchanged: 0, refused: 0 },
  );
}

export interface BatchSummary {
  changed: number;
  unchanged: number;
  /** Each product left as it was, named, with the API's reason. */
  refused: { id: number; name: string; message: string }[];
}

/** What a batch did, for the page to say; products are named by the list they were picked from. */
export function batchSummary(answer: BatchStatusResponse, products: Product[]): BatchSummary {
  const names = new Map(products.map((p) => [p.id, p.name]));
  return {
    changed: answer.changed,
    unchanged: answer.unchanged,
    refused: answer.results
      .filter((r) => r.outcome === "refused")
      .map((r) => ({
        id: r.product_id,
        name: names.get(r.product_id) ?? `#${r.product_id}`,
        message: r.message ?? r.code ?? "",
      })),
  };
}

/** The product's stock over all SKUs. */
export function totalStock(product: Product): number {
  return product.skus.reduce((sum, s) => sum + s.stock, 0);
}

/** Whether a SKU is at or below its low-stock threshold (the API's `stock=low`). */
export function hasLowStock(product: Product): boolean {
  return product.skus.some(
    (s) => s.low_stock_threshold != null && s.stock <= s.low_stock_threshold,
  );
}
