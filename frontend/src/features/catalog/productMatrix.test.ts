import { describe, expect, it } from "vitest";
import { buildMatrix, fromProduct } from "./productMatrix";

describe("the SKU matrix", () => {
  it("has one row per combination of values", () => {
    const rows = buildMatrix(
      [
        { name: "颜色", values: ["红", "绿"] },
        { name: "尺码", values: ["M", "L", "XL"] },
      ],
      [],
      "T",
    );
    expect(rows).toHaveLength(6);
    expect(rows[0]?.spec_values).toEqual({ 颜色: "红", 尺码: "M" });
    expect(rows[5]?.spec_values).toEqual({ 颜色: "绿", 尺码: "XL" });
    expect(new Set(rows.map((r) => r.code)).size).toBe(6);
  });

  it("keeps what was typed for combinations that remain", () => {
    const first = buildMatrix([{ name: "颜色", values: ["红"] }], [], "T");
    const typed = first.map((r) => ({ ...r, retail_price: "12.50", stock: 3 }));
    const second = buildMatrix([{ name: "颜色", values: ["红", "绿"] }], typed, "T");
    expect(second[0]).toMatchObject({ retail_price: "12.50", stock: 3 });
    expect(second[1]).toMatchObject({ retail_price: "", stock: 0 });
  });

  it("never gives a new row a code a kept row has", () => {
    let rows = buildMatrix([{ name: "颜色", values: ["红", "绿"] }], [], "T");
    rows = buildMatrix(
      [
        { name: "颜色", values: ["红", "绿"] },
        { name: "尺码", values: ["M"] },
      ],
      rows,
      "T",
    );
    rows = buildMatrix(
      [
        { name: "颜色", values: ["红", "绿"] },
        { name: "尺码", values: ["M", "L"] },
      ],
      rows,
      "T",
    );
    const codes = rows.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("is a single SKU without specifications", () => {
    expect(buildMatrix([], [], "T")).toHaveLength(1);
  });

  it("takes a stored product's SKUs whatever the order of their values", () => {
    const { specs, rows } = fromProduct(
      ["颜色", "尺码"],
      [
        {
          id: 7,
          code: "A",
          spec_values: { 尺码: "M", 颜色: "红" },
          retail_price: "1.00",
          stock: 2,
        },
        {
          id: 8,
          code: "B",
          spec_values: { 尺码: "L", 颜色: "红" },
          retail_price: "2.00",
          stock: 0,
        },
      ],
    );
    expect(specs).toEqual([
      { name: "颜色", values: ["红"] },
      { name: "尺码", values: ["M", "L"] },
    ]);
    // Adding a colour keeps both stored rows (with their ids) and adds two new ones.
    const next = buildMatrix(
      [
        { name: "颜色", values: ["红", "绿"] },
        { name: "尺码", values: ["M", "L"] },
      ],
      rows,
      "T",
    );
    expect(next.map((r) => r.id)).toEqual([7, 8, undefined, undefined]);
    expect(next[0]).toMatchObject({ code: "A", retail_price: "1.00", stock: 2 });
  });
});
