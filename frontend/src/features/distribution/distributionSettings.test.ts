import { describe, expect, it } from "vitest";
import type { DistributionSettings } from "../../api/types";
import {
  needsDepth3Acknowledgement,
  toSettingsForm,
  toSettingsRequest,
} from "./distributionSettings";

const stored: DistributionSettings = {
  entry_mode: "spend_threshold",
  application_review: "manual",
  spend_threshold: "1000.50",
  commission_depth: 2,
  depth3_acknowledged_at: null,
  depth3_acknowledged_by: null,
  self_purchase_commission: true,
  binding_mode: "last_touch",
  binding_days: 30,
  protection_days: 7,
  default_sponsor_id: 12,
  updated_at: "2026-03-01T08:00:00Z",
};

describe("distribution settings form", () => {
  it("round-trips the stored settings", () => {
    const form = toSettingsForm(stored);
    expect(form.binding_validity).toBe("days");
    expect(form.spend_threshold).toBe("1000.50");
    expect(toSettingsRequest(form, stored)).toEqual({
      entry_mode: "spend_threshold",
      application_review: "manual",
      spend_threshold: "1000.50",
      commission_depth: 2,
      self_purchase_commission: true,
      binding_mode: "last_touch",
      binding_days: 30,
      protection_days: 7,
      default_sponsor_id: 12,
    });
  });

  it("sends the amount as typed, never as a number, and only with the spend mode", () => {
    const form = { ...toSettingsForm(stored), spend_threshold: " 0.1 " };
    expect(toSettingsRequest(form, stored).spend_threshold).toBe("0.1");
    // Over-precise amounts go to the API, which names the field; the form does not round.
    const precise = { ...form, spend_threshold: "99.999" };
    expect(toSettingsRequest(precise, stored).spend_threshold).toBe("99.999");
    const everyone = { ...form, entry_mode: "everyone" as const };
    expect(toSettingsRequest(everyone, stored).spend_threshold).toBeNull();
    const empty = { ...form, spend_threshold: "  " };
    expect(toSettingsRequest(empty, stored).spend_threshold).toBeNull();
  });

  it("sends permanent bindings as no days", () => {
    const form = { ...toSettingsForm(stored), binding_validity: "permanent" as const };
    expect(toSettingsRequest(form, stored).binding_days).toBeNull();
    const defaults = toSettingsForm({ ...stored, binding_days: null, default_sponsor_id: null });
    expect(defaults.binding_validity).toBe("permanent");
    expect(toSettingsRequest(defaults, stored).default_sponsor_id).toBeNull();
  });

  it("asks for the depth-3 statement only when the depth changes to 3", () => {
    expect(needsDepth3Acknowledgement(stored, 3)).toBe(true);
    expect(needsDepth3Acknowledgement(stored, 2)).toBe(false);
    expect(needsDepth3Acknowledgement({ commission_depth: 3 }, 3)).toBe(false);

    const form = { ...toSettingsForm(stored), commission_depth: 3 };
    expect(toSettingsRequest(form, stored).acknowledge_depth3_compliance).toBe(false);
    const ticked = { ...form, acknowledge_depth3_compliance: true };
    expect(toSettingsRequest(ticked, stored).acknowledge_depth3_compliance).toBe(true);

    // Keeping depth 3: the earlier statement stands, none is sent.
    const kept = { ...stored, commission_depth: 3 };
    expect(toSettingsRequest(toSettingsForm(kept), kept)).not.toHaveProperty(
      "acknowledge_depth3_compliance",
    );
    // A tick left over from a depth given up is not sent either.
    const back = { ...ticked, commission_depth: 2 };
    expect(toSettingsRequest(back, stored)).not.toHaveProperty("acknowledge_depth3_compliance");
  });
});
