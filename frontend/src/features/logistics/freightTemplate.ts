import { type RegionPaths, regionCode, regionPath } from "../../api/regions";
import type { FreightMode, FreightTemplate, FreightTemplateRequest } from "../../api/types";

/**
 * The freight template form. Field names are the API's, so that a problem's field errors
 * (`region_overrides[2].first_price`) land on the field that caused them; only the values
 * differ: regions are cascader paths, and an empty threshold means "never free".
 */
export interface FreightForm {
  name: string;
  mode: FreightMode;
  first_units: number;
  first_price: string;
  additional_units: number;
  additional_price: string;
  region_overrides: { region_codes: RegionPaths; first_price: string; additional_price: string }[];
  free_shipping_threshold?: string;
  restricted_regions: RegionPaths;
  is_default: boolean;
}

/** The fields of the form, in the shape `useProblemForm` matches. */
export const FREIGHT_FORM_FIELDS = [
  "name",
  "mode",
  "first_units",
  "first_price",
  "additional_units",
  "additional_price",
  "region_overrides[].region_codes",
  "region_overrides[].first_price",
  "region_overrides[].additional_price",
  "free_shipping_threshold",
  "restricted_regions",
  "is_default",
] as const;

/** A new template: 1 piece for the first price, 1 more per step. */
export function newFreightForm(): FreightForm {
  return {
    name: "",
    mode: "piece",
    first_units: 1,
    first_price: "",
    additional_units: 1,
    additional_price: "",
    region_overrides: [],
    free_shipping_threshold: "",
    restricted_regions: [],
    is_default: false,
  };
}

export function toFreightForm(template: FreightTemplate): FreightForm {
  return {
    name: template.name,
    mode: template.mode,
    first_units: template.first_units,
    first_price: template.first_price,
    additional_units: template.additional_units,
    additional_price: template.additional_price,
    region_overrides: template.region_overrides.map((o) => ({
      region_codes: o.region_codes.map(regionPath),
      first_price: o.first_price,
      additional_price: o.additional_price,
    })),
    free_shipping_threshold: template.free_shipping_threshold ?? "",
    restricted_regions: template.restricted_regions.map(regionPath),
    is_default: template.is_default,
  };
}

/** Codes of the chosen regions in the order chosen, each once. */
function codes(paths: RegionPaths | undefined): string[] {
  return [...new Set((paths ?? []).map(regionCode).filter((c) => c !== ""))];
}

/** Amounts stay the strings that were typed (trimmed): the API parses money, never a float. */
function amount(value: string | undefined): string {
  return (value ?? "").trim();
}

export function toFreightRequest(form: FreightForm): FreightTemplateRequest {
  const threshold = amount(form.free_shipping_threshold);
  return {
    name: form.name.trim(),
    mode: form.mode,
    first_units: form.first_units,
    first_price: amount(form.first_price),
    additional_units: form.additional_units,
    additional_price: amount(form.additional_price),
    region_overrides: (form.region_overrides ?? []).map((o) => ({
      region_codes: codes(o.region_codes),
      first_price: amount(o.first_price),
      additional_price: amount(o.additional_price),
    })),
    free_shipping_threshold: threshold === "" ? null : threshold,
    restricted_regions: codes(form.restricted_regions),
    is_default: form.is_default ?? false,
  };
}
