import type { components } from "./schema";

/** Every error the API answers is one of these (`application/problem+json`). */
export type Problem = components["schemas"]["ProblemBody"];

export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.code === "string" &&
    typeof candidate.status === "number" &&
    typeof candidate.title === "string"
  );
}

export interface FormFieldError {
  name: string;
  errors: string[];
}

/**
 * The problem's field errors in the shape of antd's `form.setFields`, for the fields the form
 * has; returns the messages of the other fields separately so that none is lost.
 */
export function formFieldErrors(
  problem: Problem,
  formFields: readonly string[],
): { fields: FormFieldError[]; other: string[] } {
  const byField = new Map<string, string[]>();
  const other: string[] = [];
  for (const error of problem.errors) {
    if (formFields.includes(error.field)) {
      byField.set(error.field, [...(byField.get(error.field) ?? []), error.message]);
    } else {
      other.push(`${error.field}: ${error.message}`);
    }
  }
  return {
    fields: [...byField].map(([name, errors]) => ({ name, errors })),
    other,
  };
}
