import type { ErrorCode, Problem } from "./types";

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
    if (formFields.includes(error.field) || formFields.includes(fieldShape(error.field))) {
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

/** `items[3].price` → `items[].price`: how a form names a field of every row of a list. */
export function fieldShape(field: string): string {
  return field.replace(/\[\d+\]/g, "[]");
}

/** An API field (`settings.app_id`, `items[3].price`) as an antd name path. */
export function namePath(field: string): (string | number)[] {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((part): part is string => part !== undefined && part !== "")
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * A problem whose code names one field (409 `slug_taken` is about `slug`) with that field's
 * error spelled out, so that forms show it next to the field; other problems unchanged.
 */
export function withCodeFields(
  error: unknown,
  fields: Partial<Record<ErrorCode, string>>,
): unknown {
  if (!isProblem(error) || error.errors.length > 0) return error;
  const field = fields[error.code];
  if (!field) return error;
  return { ...error, errors: [{ field, code: error.code, message: error.detail }] };
}
