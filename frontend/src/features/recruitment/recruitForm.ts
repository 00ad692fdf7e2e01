import { isProblem } from "../../api/problem";
import type { FieldType, FormField, FormRequest } from "../../api/types";

export const FIELD_TYPES: FieldType[] = ["text", "phone", "select", "textarea"];

/** One row of the form-fields editor: a select's options as one line each. */
export interface EditorRow {
  key: string;
  label_zh: string;
  label_en: string;
  type: FieldType;
  required: boolean;
  options: string;
}

export interface EditorValues {
  fields: EditorRow[];
}

/**
 * The form's field names, as the editor names its inputs (`fields[].key`, …). An error about
 * the whole list (`fields`: too many) has no input of its own and shows in the alert.
 */
export const EDITOR_FIELDS = [
  "fields[].key",
  "fields[].label_zh",
  "fields[].label_en",
  "fields[].type",
  "fields[].required",
  "fields[].options",
] as const;

export function emptyRow(): EditorRow {
  return { key: "", label_zh: "", label_en: "", type: "text", required: false, options: "" };
}

/** The saved form as editor rows. */
export function toEditorRows(fields: FormField[]): EditorRow[] {
  return fields.map((f) => ({
    key: f.key,
    label_zh: f.label_zh,
    label_en: f.label_en,
    type: f.type,
    required: f.required ?? false,
    options: (f.options ?? []).join("\n"),
  }));
}

/**
 * What to save: texts trimmed, a select's options one per non-blank line, and no options for
 * other types (a select changed to text keeps nothing of its old choices).
 */
export function toFormRequest(rows: EditorRow[]): FormRequest {
  return {
    fields: rows.map((r) => ({
      key: (r.key ?? "").trim(),
      label_zh: (r.label_zh ?? "").trim(),
      label_en: (r.label_en ?? "").trim(),
      type: r.type,
      required: Boolean(r.required),
      options:
        r.type === "select"
          ? (r.options ?? "")
              .split("\n")
              .map((o) => o.trim())
              .filter((o) => o !== "")
          : [],
    })),
  };
}

/**
 * The editor shows a select's options in one text area, so an error about one option
 * (`fields[2].options[1]`) is shown at the text area (`fields[2].options`), saying which line.
 */
export function onEditorFields(error: unknown): unknown {
  if (!isProblem(error)) return error;
  return {
    ...error,
    errors: error.errors.map((e) => {
      const match = /^(fields\[\d+\]\.options)\[(\d+)\]$/.exec(e.field);
      if (!match) return e;
      return { ...e, field: match[1], message: `#${Number(match[2]) + 1}: ${e.message}` };
    }),
  };
}
