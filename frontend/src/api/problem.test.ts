import { describe, expect, it } from "vitest";
import { formFieldErrors, isProblem, type Problem } from "./problem";

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
});
