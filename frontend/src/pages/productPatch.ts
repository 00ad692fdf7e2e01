import type { components } from "../api/schema";
import type { MatrixRow } from "./productMatrix";

type Product = components["schemas"]["Product"];
type ProductPatch = components["schemas"]["ProductPatch"];
type SkuPatch = components["schemas"]["SkuPatch"];

/** The editor's basic fields. */
export interface Basics {
  name: string;
  subtitle?: string;
  category_id?: number | null;
  description_html?: string;
  tags?: string[];
}

export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameValues(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

export const blank = (text: string | undefined) => (text?.trim() ? text.trim() : null);

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
  return entry;
}

function newSku(row: MatrixRow): SkuPatch {
  return {
    code: row.code,
    spec_values: row.spec_values,
    retail_price: row.retail_price,
    stock: row.stock,
    barcode: blank(row.barcode),
    low_stock_threshold: row.low_stock_threshold ?? null,
  };
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
