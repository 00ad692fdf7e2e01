import { describe, expect, it } from "vitest";
import type { Problem } from "../../api/types";
import { lineErrors, parseCodes } from "./virtualCodes";

describe("parseCodes", () => {
  it("keeps one trimmed code a line and remembers the line", () => {
    expect(parseCodes("  A1 \n\nB2\r\n   \nC3")).toEqual({
      codes: ["A1", "B2", "C3"],
      lines: [1, 3, 5],
    });
    expect(parseCodes("\n \n")).toEqual({ codes: [], lines: [] });
  });
});

describe("lineErrors", () => {
  const problem = (errors: Problem["errors"]): Problem => ({
    type: "about:blank",
    title: "Invalid",
    status: 422,
    detail: "Invalid",
    code: "validation_failed",
    errors,
  });

  it("names the textarea lines, also inside messages", () => {
    const errors = lineErrors(
      problem([
        { field: "codes[2]", code: "duplicate_code", message: "与 codes[0] 重复。" },
        { field: "codes[1]", code: "code_exists", message: "已在卡密库中。" },
        { field: "codes", code: "length", message: "每次导入 1 至 10000 个卡密。" },
      ]),
      [2, 4, 7],
      (line) => `第 ${line} 行`,
    );
    expect(errors).toEqual([
      { line: 7, message: "与 第 2 行 重复。" },
      { line: 4, message: "已在卡密库中。" },
      { line: null, message: "每次导入 1 至 10000 个卡密。" },
    ]);
  });
});
