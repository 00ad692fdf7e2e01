import { fenOf } from "../../api/money";
import type { Product, ProductPatch, SkuInput, SkuPatch, TierPrice } from "../../api/types";
import { type MatrixRow, tierPriceList } from "./productMatrix";

/** The editor's basic fields. */
export interface Basics {
  name: string;
  subtitle?: string;
  category_id?: number | null;
  /** `NO_FREIGHT_TEMPLATE` (or nothing) for the store's default template. */
  freight_template_id?: number | null;
  description_html?: string;
  tags?: string[];
}

/** The editor's choice standing for "the store's default template" (template ids start at 1). */
export const NO_FREIGHT_TEMPLATE = 0;

/** The template id the API takes: `null` for the default. */
export const freightTemplateOf = (value: number | null | undefined) =>
  value === undefined || value === null || value === NO_FREIGHT_TEMPLATE ? null : value;

export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameValues(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

export const blank = (text: string | undefined) => (text?.trim() ? text.trim() : null);

/** Two amounts are the same when they are the same number of fen ("80" and "80.00"). */
function sameAmount(a: string, b: string): boolean {
  const [x, y] = [fenOf(a), fenOf(b)];
  return Number.isNaN(x) || Number.isNaN(y) ? a === b : x === y;
}

function samePrices(a: TierPrice[], b: TierPrice[]): boolean {
  const sorted = (list: TierPrice[]) => [...list].sort((p, q) => p.tier_id - q.tier_id);
  const [x, y] = [sorted(a), sorted(b)];
  return (
    x.length === y.length &&
    x.every((p, i) => p.tier_id === y[i]?.tier_id && sameAmount(p.price, y[i]?.price ?? ""))
  );
}

/** A new SKU as the API takes it, from its row (on create, and for rows added in edit mode). */
export function skuInputOf(row: MatrixRow): SkuInput {
  return {
    code: row.code,
    spec_values: row.spec_values,
    retail_price: row.retail_price,
    stock: row.stock,
    barcode: blank(row.barcode),
    low_stock_threshold: row.low_stock_threshold ?? null,
    weight_grams: row.weight_grams ?? 0,
    presale_quantity: row.presale_quantity ?? 0,
    presale_ship_date: blank(row.presale_ship_date ?? undefined),
    distributor_prices: tierPriceList(row.distributor_prices),
  };
}

/** What changed in one stored SKU's row, as a patch entry (its id alone when nothing did). */
function skuChanges(row: MatrixRow, stored: Product["skus"][number], structure: boolean): SkuPatch {
  const entry: SkuPatch = { id: row.id };
  if (structure && row.code !== stored.code) entry.code = row.code;
  if (structure && !sameValues(row.spec_values, stored.spec_values)) {
    entry.spec_values = row.spec_values;
  }
  if (row.retail_price !== stored.retail_price) entry.retail_price = row.retail_price;
  if (blank(row.barcode) !== (stored.barcode ?? null)) entry.barcode = blank(row.barcode);
  if ((row.low_stock_threshold ?? null) !== (stored.low_stock_threshold ?? null)) {
    entry.low_stock_threshold = row.low_stock_threshold ?? null;
  }
  if ((row.weight_grams ?? 0) !== stored.weight_grams) entry.weight_grams = row.weight_grams ?? 0;
  if ((row.presale_quantity ?? 0) !== stored.presale_quantity) {
    entry.presale_quantity = row.presale_quantity ?? 0;
  }
  const shipDate = blank(row.presale_ship_date ?? undefined);
  if (shipDate !== (stored.presale_ship_date ?? null)) entry.presale_ship_date = shipDate;
  const prices = tierPriceList(row.distributor_prices);
  if (!samePrices(prices, stored.distributor_prices)) entry.distributor_prices = prices;
  return entry;
}

function newSku(row: MatrixRow): SkuPatch {
  return skuInputOf(row);
}

/** The changes of the editor against the stored product; `null` when there are none. */
export function patchOf(
  product: Product,
  basics: Basics,
  specNames: string[],
  rows: MatrixRow[],
  structure: boolean,
): ProductPatch | null {
  const patch: ProductPatch = {};
  if (basics.name.trim() !== product.name) patch.name = basics.name;
  if ((basics.subtitle ?? "").trim() !== product.subtitle) patch.subtitle = basics.subtitle ?? "";
  if ((basics.description_html ?? "") !== product.description_html) {
    patch.description_html = basics.description_html ?? "";
  }
  if ((basics.category_id ?? null) !== (product.category_id ?? null)) {
    patch.category_id = basics.category_id ?? null;
  }
  const freightTemplate = freightTemplateOf(basics.freight_template_id);
  if (freightTemplate !== (product.freight_template_id ?? null)) {
    patch.freight_template_id = freightTemplate;
  }
  const tags = (basics.tags ?? []).map((tag) => tag.trim());
  if (!sameList(tags, product.tags)) patch.tags = tags;
  if (structure && !sameList(specNames, product.spec_names)) patch.spec_names = specNames;
  const stored = new Map(product.skus.map((s) => [s.id, s]));
  const entries = rows.map((row) => {
    const old = row.id === undefined ? undefined : stored.get(row.id);
    return old ? skuChanges(row, old, structure) : newSku(row);
  });
  const skusChanged =
    entries.length !== product.skus.length ||
    entries.some((e) => e.id === undefined || Object.keys(e).length > 1);
  if (skusChanged) patch.skus = entries;
  return Object.keys(patch).length > 0 ? patch : null;
}
