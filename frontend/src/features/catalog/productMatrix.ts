/** One row of the SKU matrix: a combination of specification values and its own fields. */
export interface MatrixRow {
  key: string;
  /** The stored SKU this row edits; absent for a row not saved yet. */
  id?: number;
  spec_values: Record<string, string>;
  code: string;
  retail_price: string;
  stock: number;
  barcode?: string;
  low_stock_threshold?: number | null;
  weight_grams?: number;
  /** Units sold beyond stock; needs a ship date when above 0. */
  presale_quantity?: number;
  /** `YYYY-MM-DD`, or empty. */
  presale_ship_date?: string | null;
  /** Purchase price per distributor tier id, as typed; an empty text means no price. */
  distributor_prices?: Record<number, string>;
}

export interface Spec {
  name: string;
  values: string[];
}

/**
 * Every combination of the specifications' values (colour × size …), keeping what was already
 * typed for combinations that still exist.
 */
export function buildMatrix(specs: Spec[], previous: MatrixRow[], codePrefix: string): MatrixRow[] {
  const used = specs.filter((s) => s.name.trim() && s.values.length > 0);
  let combinations: Record<string, string>[] = [{}];
  for (const spec of used) {
    combinations = combinations.flatMap((c) =>
      spec.values.map((v) => ({ ...c, [spec.name.trim()]: v })),
    );
  }
  const names = used.map((s) => s.name.trim());
  const keys = combinations.map((c) => rowKey(names, c));
  const kept = new Map(
    previous.filter((row) => keys.includes(row.key)).map((row) => [row.key, row]),
  );
  // New rows get the lowest free numbers, never a code a kept row already has.
  const taken = new Set([...kept.values()].map((row) => row.code));
  let next = 1;
  const freshCode = () => {
    while (taken.has(`${codePrefix}-${next}`)) next += 1;
    const code = `${codePrefix}-${next}`;
    taken.add(code);
    return code;
  };
  return combinations.map((spec_values, index) => {
    const key = keys[index] ?? rowKey([], spec_values);
    return (
      kept.get(key) ?? {
        key,
        spec_values,
        code: freshCode(),
        retail_price: "",
        stock: 0,
      }
    );
  });
}

/** A row's key: its values in the order of the specifications, whatever order `values` has. */
export function rowKey(names: string[], values: Record<string, string>): string {
  return JSON.stringify(names.map((n) => values[n] ?? ""));
}

interface StoredSku {
  id: number;
  code: string;
  spec_values: Record<string, string>;
  retail_price: string;
  stock: number;
  barcode?: string | null;
  low_stock_threshold?: number | null;
  weight_grams?: number;
  presale_quantity?: number;
  presale_ship_date?: string | null;
  distributor_prices?: { tier_id: number; price: string }[];
}

/** The specifications and matrix rows of a stored product, for editing it. */
export function fromProduct(
  specNames: string[],
  skus: StoredSku[],
): { specs: Spec[]; rows: MatrixRow[] } {
  const specs = specNames.map((name) => ({
    name,
    values: [...new Set(skus.map((s) => s.spec_values[name] ?? ""))],
  }));
  const rows = skus.map((s) => ({
    key: rowKey(specNames, s.spec_values),
    id: s.id,
    spec_values: s.spec_values,
    code: s.code,
    retail_price: s.retail_price,
    stock: s.stock,
    barcode: s.barcode ?? "",
    low_stock_threshold: s.low_stock_threshold ?? null,
    weight_grams: s.weight_grams ?? 0,
    presale_quantity: s.presale_quantity ?? 0,
    presale_ship_date: s.presale_ship_date ?? null,
    distributor_prices: Object.fromEntries(
      (s.distributor_prices ?? []).map((p) => [p.tier_id, p.price]),
    ),
  }));
  return { specs, rows };
}

/**
 * A row's purchase prices as the API takes them: every tier with a price typed, by tier id.
 * Prices of tiers the editor shows no column for (it could not read the tiers) are kept.
 */
export function tierPriceList(
  prices: Record<number, string> | undefined,
): { tier_id: number; price: string }[] {
  return Object.entries(prices ?? {})
    .map(([tier, price]) => ({ tier_id: Number(tier), price: price.trim() }))
    .filter((p) => p.price !== "")
    .sort((a, b) => a.tier_id - b.tier_id);
}
