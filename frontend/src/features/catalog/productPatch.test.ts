import { describe, expect, it } from "vitest";
import type { Product } from "../../api/types";
import { fromProduct } from "./productMatrix";
import { NO_FREIGHT_TEMPLATE, patchOf, skuInputOf } from "./productPatch";

const sku = (id: number, colour: string) => ({
  id,
  code: `LJ-${id}`,
  spec_values: { 颜色: colour },
  retail_price: "128.50",
  stock: 10,
  barcode: null,
  low_stock_threshold: 5,
  weight_grams: 0,
  member_prices: [],
  distributor_prices: [],
  kind: "physical" as const,
  presale_quantity: 0,
  presale_sold: 0,
  presale_ship_date: null,
});

const product: Product = {
  id: 1,
  name: "明前龙井",
  subtitle: "",
  description_html: "<p>好茶</p>",
  category_id: null,
  freight_template_id: null,
  tags: ["新品"],
  spec_names: ["颜色"],
  status: "listed",
  rejection_reason: null,
  skus: [sku(1, "红"), sku(2, "绿")],
  images: [],
  created_at: "2026-11-27T00:00:00Z",
  updated_at: "2026-11-27T00:00:00Z",
};

const basics = {
  name: "明前龙井",
  subtitle: "",
  description_html: "<p>好茶</p>",
  category_id: null,
  tags: ["新品"],
};

describe("the product patch", () => {
  it("is empty when nothing changed", () => {
    const { rows } = fromProduct(product.spec_names, product.skus);
    expect(patchOf(product, basics, ["颜色"], rows, false)).toBeNull();
  });

  it("sends the freight template only when it changed, the default as null", () => {
    const rows = (p: Product) => fromProduct(p.spec_names, p.skus).rows;
    const unchanged = { ...basics, freight_template_id: NO_FREIGHT_TEMPLATE };
    expect(patchOf(product, unchanged, ["颜色"], rows(product), false)).toBeNull();
    const chosen = patchOf(
      product,
      { ...basics, freight_template_id: 7 },
      ["颜色"],
      rows(product),
      false,
    );
    expect(chosen).toEqual({ freight_template_id: 7 });
    const shipping = { ...product, freight_template_id: 7 };
    const back = { ...basics, freight_template_id: NO_FREIGHT_TEMPLATE };
    expect(patchOf(shipping, back, ["颜色"], rows(product), false)).toEqual({
      freight_template_id: null,
    });
    expect(
      patchOf(shipping, { ...basics, freight_template_id: 7 }, ["颜色"], rows(product), false),
    ).toBeNull();
  });

  it("sends only what changed, and every SKU the product keeps", () => {
    const { rows } = fromProduct(product.spec_names, product.skus);
    const edited = rows.map((r) =>
      r.id === 2 ? { ...r, retail_price: "99.90", barcode: " 690 ", low_stock_threshold: null } : r,
    );
    expect(
      patchOf(product, { ...basics, tags: ["新品", "包邮"] }, ["颜色"], edited, false),
    ).toEqual({
      tags: ["新品", "包邮"],
      skus: [
        { id: 1 },
        { id: 2, retail_price: "99.90", barcode: "690", low_stock_threshold: null },
      ],
    });
  });

  it("adds new rows as new SKUs and names the specifications when they changed", () => {
    const draft = { ...product, status: "draft" as const };
    const { rows } = fromProduct(draft.spec_names, draft.skus);
    const added = [
      ...rows,
      { key: "x", spec_values: { 颜色: "黄" }, code: "LJ-3", retail_price: "1", stock: 2 },
    ];
    const patch = patchOf(draft, { ...basics, category_id: 4 }, ["颜色"], added, true);
    expect(patch?.category_id).toBe(4);
    expect(patch?.spec_names).toBeUndefined();
    expect(patch?.skus?.[2]).toEqual({
      code: "LJ-3",
      spec_values: { 颜色: "黄" },
      retail_price: "1",
      stock: 2,
      barcode: null,
      low_stock_threshold: null,
      weight_grams: 0,
      presale_quantity: 0,
      presale_ship_date: null,
      distributor_prices: [],
    });
  });

  it("sends purchase prices per tier, weight and presale only when they changed", () => {
    const priced: Product = {
      ...product,
      skus: [
        { ...sku(1, "红"), distributor_prices: [{ tier_id: 7, price: "80.00" }] },
        sku(2, "绿"),
      ],
    };
    const { rows } = fromProduct(priced.spec_names, priced.skus);
    expect(rows[0]?.distributor_prices).toEqual({ 7: "80.00" });
    // "80" is the same amount as "80.00": no change.
    const same = rows.map((r) => (r.id === 1 ? { ...r, distributor_prices: { 7: "80" } } : r));
    expect(patchOf(priced, basics, ["颜色"], same, false)).toBeNull();

    const edited = rows.map((r) =>
      r.id === 1
        ? { ...r, distributor_prices: { 7: "", 9: " 75.5 " } }
        : { ...r, weight_grams: 250, presale_quantity: 20, presale_ship_date: "2026-12-20" },
    );
    expect(patchOf(priced, basics, ["颜色"], edited, false)).toEqual({
      skus: [
        { id: 1, distributor_prices: [{ tier_id: 9, price: "75.5" }] },
        { id: 2, weight_grams: 250, presale_quantity: 20, presale_ship_date: "2026-12-20" },
      ],
    });
  });

  it("keeps prices of tiers it shows no column for", () => {
    const priced: Product = {
      ...product,
      skus: [{ ...sku(1, "红"), distributor_prices: [{ tier_id: 3, price: "1.00" }] }],
    };
    const { rows } = fromProduct(priced.spec_names, priced.skus);
    const edited = rows.map((r) => ({
      ...r,
      distributor_prices: { ...r.distributor_prices, 4: "2" },
    }));
    expect(patchOf(priced, basics, ["颜色"], edited, false)?.skus?.[0]).toEqual({
      id: 1,
      distributor_prices: [
        { tier_id: 3, price: "1.00" },
        { tier_id: 4, price: "2" },
      ],
    });
  });
});

describe("a new SKU", () => {
  it("carries every column of its row", () => {
    expect(
      skuInputOf({
        key: "k",
        spec_values: {},
        code: "T-1",
        retail_price: "12.50",
        stock: 3,
        barcode: " ",
        weight_grams: 500,
        presale_quantity: 5,
        presale_ship_date: "2026-12-20",
        distributor_prices: { 2: "10", 1: "9.90", 3: "" },
      }),
    ).toEqual({
      code: "T-1",
      spec_values: {},
      retail_price: "12.50",
      stock: 3,
      barcode: null,
      low_stock_threshold: null,
      weight_grams: 500,
      presale_quantity: 5,
      presale_ship_date: "2026-12-20",
      distributor_prices: [
        { tier_id: 1, price: "9.90" },
        { tier_id: 2, price: "10" },
      ],
    });
  });
});
