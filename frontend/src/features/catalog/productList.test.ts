import { describe, expect, it } from "vitest";
import type { Product } from "../../api/types";
import {
  batches,
  batchSummary,
  hasLowStock,
  listQuery,
  mergeBatches,
  totalStock,
} from "./productList";

const sku = (stock: number, threshold: number | null) => ({
  id: stock,
  code: `S-${stock}`,
  spec_values: {},
  retail_price: "10.00",
  stock,
  barcode: null,
  low_stock_threshold: threshold,
  weight_grams: 0,
  member_prices: [],
  distributor_prices: [],
  kind: "physical" as const,
  presale_quantity: 0,
  presale_sold: 0,
  presale_ship_date: null,
});

const product = (id: number, name: string, skus = [sku(10, 5)]): Product => ({
  id,
  name,
  subtitle: "",
  description_html: "",
  category_id: null,
  tags: [],
  spec_names: [],
  status: "listed",
  rejection_reason: null,
  skus,
  images: [],
  created_at: "2026-11-27T00:00:00Z",
  updated_at: "2026-11-27T00:00:00Z",
});

describe("the product list", () => {
  it("asks the API only for the filters that are set", () => {
    expect(listQuery({ sort: "newest" })).toEqual({ limit: 50 });
    expect(
      listQuery(
        { status: "listed", category_id: 3, q: "  龙井 ", stock: "low", sort: "name" },
        42,
        20,
      ),
    ).toEqual({
      status: "listed",
      category_id: 3,
      q: "龙井",
      stock: "low",
      sort: "name",
      cursor: 42,
      limit: 20,
    });
    expect(listQuery({ q: "   " })).toEqual({ limit: 50 });
  });

  it("adds up stock and sees a SKU at its threshold", () => {
    const p = product(1, "茶", [sku(3, 5), sku(20, null)]);
    expect(totalStock(p)).toBe(23);
    expect(hasLowStock(p)).toBe(true);
    expect(hasLowStock(product(2, "茶", [sku(6, 5)]))).toBe(false);
    expect(hasLowStock(product(3, "茶", [sku(5, 5)]))).toBe(true);
  });
});

describe("a batch", () => {
  it("is split into requests of at most 100 products", () => {
    const ids = Array.from({ length: 250 }, (_, i) => i + 1);
    expect(batches(ids).map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches([])).toEqual([]);
  });

  it("names each product it could not change, with the API's reason", () => {
    const answer = mergeBatches([
      {
        results: [
          { product_id: 1, outcome: "changed", status: "listed" },
          {
            product_id: 2,
            outcome: "refused",
            status: "draft",
            code: "invalid_transition",
            message: "商品尚未通过审核，请先提交审核。",
          },
        ],
        changed: 1,
        unchanged: 0,
        refused: 1,
      },
      {
        results: [
          { product_id: 3, outcome: "unchanged", status: "listed" },
          { product_id: 9, outcome: "refused", status: null, code: "not_found", message: null },
        ],
        changed: 0,
        unchanged: 1,
        refused: 1,
      },
    ]);
    expect(
      batchSummary(answer, [product(1, "龙井"), product(2, "白茶"), product(3, "红茶")]),
    ).toEqual({
      changed: 1,
      unchanged: 1,
      refused: [
        { id: 2, name: "白茶", message: "商品尚未通过审核，请先提交审核。" },
        { id: 9, name: "#9", message: "not_found" },
      ],
    });
  });
});
