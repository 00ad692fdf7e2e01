import { describe, expect, it } from "vitest";
import { formFieldErrors, isProblem, namePath, withCodeFields } from "./problem";
import type { Problem } from "./types";

const problem: Problem = {
  type: "urn:fenxiao:problem:validation_failed",
  title: "The request is not valid",
  status: 422,
  detail: "One or more fields are invalid; see `errors`.",
  code: "validation_failed",
  errors: [
    { field: "email", code: "email", message: "Must be a valid email address." },
    { field: "password", code: "weak_password", message: "Use both letters and digits." },
    { field: "password", code: "length", message: "Too short." },
    { field: "items[0].qty", code: "range", message: "Must be at least 1." },
  ],
};

describe("problem documents", () => {
  it("recognises problems and nothing else", () => {
    expect(isProblem(problem)).toBe(true);
    expect(isProblem({ status: 500 })).toBe(false);
    expect(isProblem(null)).toBe(false);
    expect(isProblem("error")).toBe(false);
  });

  it("maps field errors onto the form and keeps the rest", () => {
    const { fields, other } = formFieldErrors(problem, ["email", "password"]);
    expect(fields).toEqual([
      { name: "email", errors: ["Must be a valid email address."] },
      { name: "password", errors: ["Use both letters and digits.", "Too short."] },
    ]);
    expect(other).toEqual(["items[0].qty: Must be at least 1."]);
  });

  it("puts errors of list rows on the fields a form declares for every row", () => {
    const { fields, other } = formFieldErrors(problem, ["items[].qty"]);
    expect(fields).toEqual([{ name: "items[0].qty", errors: ["Must be at least 1."] }]);
    expect(other).toHaveLength(3);
  });

  it("turns API field names into antd name paths", () => {
    expect(namePath("email")).toEqual(["email"]);
    expect(namePath("settings.app_id")).toEqual(["settings", "app_id"]);
    expect(namePath("region_overrides[12].first_price")).toEqual([
      "region_overrides",
      12,
      "first_price",
    ]);
    expect(namePath("rows[3]")).toEqual(["rows", 3]);
  });

  it("gives a conflict the field its code is about", () => {
    const conflict: Problem = {
      ...problem,
      status: 409,
      code: "slug_taken",
      detail: "Another shop uses this address.",
      errors: [],
    };
    expect(withCodeFields(conflict, { slug_taken: "slug" })).toEqual({
      ...conflict,
      errors: [{ field: "slug", code: "slug_taken", message: "Another shop uses this address." }],
    });
    expect(withCodeFields(conflict, { email_taken: "x" })).toBe(conflict);
    expect(withCodeFields(problem, { validation_failed: "x" })).toBe(problem);
    expect(withCodeFields("network down", { slug_taken: "slug" })).toBe("network down");
  });
});
