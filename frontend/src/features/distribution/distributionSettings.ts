import type {
  ApplicationReview,
  BindingMode,
  DistributionSettings,
  EntryMode,
  SettingsRequest,
} from "../../api/types";

/**
 * The settings form. Field names are the API's, so that a problem's field errors land on the
 * field that caused them; the binding validity is split into a choice and a number of days, and
 * an empty amount means none.
 */
export interface SettingsForm {
  entry_mode: EntryMode;
  application_review: ApplicationReview;
  spend_threshold: string;
  commission_depth: number;
  /** Ticked in the compliance dialog when the depth changes to 3. */
  acknowledge_depth3_compliance: boolean;
  self_purchase_commission: boolean;
  binding_mode: BindingMode;
  binding_validity: "permanent" | "days";
  binding_days: number | null;
  protection_days: number;
  default_sponsor_id: number | null;
}

export const SETTINGS_FORM_FIELDS = [
  "entry_mode",
  "application_review",
  "spend_threshold",
  "commission_depth",
  "acknowledge_depth3_compliance",
  "self_purchase_commission",
  "binding_mode",
  "binding_days",
  "protection_days",
  "default_sponsor_id",
] as const;

export function toSettingsForm(settings: DistributionSettings): SettingsForm {
  return {
    entry_mode: settings.entry_mode,
    application_review: settings.application_review,
    spend_threshold: settings.spend_threshold ?? "",
    commission_depth: settings.commission_depth,
    acknowledge_depth3_compliance: false,
    self_purchase_commission: settings.self_purchase_commission,
    binding_mode: settings.binding_mode,
    binding_validity: settings.binding_days == null ? "permanent" : "days",
    binding_days: settings.binding_days ?? null,
    protection_days: settings.protection_days,
    default_sponsor_id: settings.default_sponsor_id ?? null,
  };
}

/**
 * Whether saving these values needs the depth-3 statement: the depth changes to 3. Keeping a
 * depth of 3 already acknowledged needs none (the API keeps the earlier record).
 */
export function needsDepth3Acknowledgement(
  stored: Pick<DistributionSettings, "commission_depth">,
  depth: number,
): boolean {
  return depth === 3 && stored.commission_depth !== 3;
}

/**
 * The request for the form's values. The amount stays the string typed (the API parses money,
 * never a float); it is sent only with the spend-threshold mode, where it means something. The
 * acknowledgement is sent only when the depth changes to 3.
 */
export function toSettingsRequest(
  form: SettingsForm,
  stored: Pick<DistributionSettings, "commission_depth">,
): SettingsRequest {
  const threshold = (form.spend_threshold ?? "").trim();
  const request: SettingsRequest = {
    entry_mode: form.entry_mode,
    application_review: form.application_review,
    spend_threshold: form.entry_mode === "spend_threshold" && threshold !== "" ? threshold : null,
    commission_depth: form.commission_depth,
    self_purchase_commission: form.self_purchase_commission,
    binding_mode: form.binding_mode,
    binding_days: form.binding_validity === "days" ? form.binding_days : null,
    protection_days: form.protection_days ?? 0,
    default_sponsor_id: form.default_sponsor_id ?? null,
  };
  if (needsDepth3Acknowledgement(stored, form.commission_depth)) {
    request.acknowledge_depth3_compliance = form.acknowledge_depth3_compliance === true;
  }
  return request;
}
