/** One row of the SKU matrix: a combination of specification values and its own fields. */
export interface MatrixRow {
  key: string;
  spec_values: Record<string, string>;
  code: string;
  retail_price: string;
  stock: number;
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
  const keys = combinations.map((c) => JSON.stringify(c));
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
    const key = keys[index] ?? JSON.stringify(spec_values);
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
