import { describe, expect, it } from "vitest";
import { fenOf, lowest } from "./money";

describe("money", () => {
  it("reads decimal strings as integer fen", () => {
    expect(fenOf("128.50")).toBe(12850);
    expect(fenOf("128.5")).toBe(12850);
    expect(fenOf("0.07")).toBe(7);
    expect(fenOf("12")).toBe(1200);
  });

  it("finds the lowest amount exactly", () => {
    expect(lowest(["0.30", "0.1", "0.20"])).toBe("0.1");
    expect(lowest([])).toBeUndefined();
  });
});
