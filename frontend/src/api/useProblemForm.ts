import type { FormInstance } from "antd";
import { useState } from "react";
import { formFieldErrors, isProblem, namePath } from "./problem";

export interface ShownProblem {
  title: string;
  details: string[];
}

/**
 * Puts an API problem onto a form: field errors next to their fields, everything else into an
 * alert (`problem`). `fields` names the form's fields; `items[].price` stands for that field of
 * every row of a list (`items[3].price` lands on the name path `["items", 3, "price"]`).
 */
export function useProblemForm<T>(
  form: FormInstance<T>,
  fields: readonly string[],
  fallback: string,
) {
  const [problem, setProblem] = useState<ShownProblem | null>(null);
  const show = (error: unknown) => {
    if (!isProblem(error)) {
      setProblem({ title: fallback, details: [] });
      return;
    }
    const { fields: onForm, other } = formFieldErrors(error, fields);
    form.setFields(
      onForm.map((f) => ({
        name: namePath(f.name) as Parameters<typeof form.getFieldValue>[0],
        errors: f.errors,
      })),
    );
    setProblem(
      onForm.length === 0 || other.length > 0
        ? { title: error.detail || error.title, details: other }
        : null,
    );
  };
  return { problem, show, clear: () => setProblem(null) };
}
