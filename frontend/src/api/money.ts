/** Money from the API ("128.50") as integer fen, for comparing and sorting without floats. */
export function fenOf(amount: string): number {
  const [yuan = "0", fen = ""] = amount.split(".");
  return Number.parseInt(yuan, 10) * 100 + Number.parseInt(fen.padEnd(2, "0").slice(0, 2), 10);
}

/** The lowest of some amounts, as the API wrote it. */
export function lowest(amounts: string[]): string | undefined {
  return [...amounts].sort((a, b) => fenOf(a) - fenOf(b))[0];
}
