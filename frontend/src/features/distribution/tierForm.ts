import type {
  CommissionKind,
  ConditionMode,
  PromotionConditions,
  Tier,
  TierRequest,
} from "../../api/types";

/** The counting conditions (whole numbers); the others are amounts. */
export const COUNT_CONDITIONS = ["direct_recruits", "team_size", "order_count"] as const;
export const AMOUNT_CONDITIONS = ["personal_sales", "team_sales"] as const;

/**
 * The tier form, named like the API (`promotion.team_sales`) so that field errors land where
 * they belong. Rates and amounts are the strings typed; an empty condition is not set.
 */
export interface TierForm {
  name: string;
  commission_kind: CommissionKind;
  level1: string;
  level2: string;
  level3: string;
  purchase_discount: string;
  promotion: {
    mode: ConditionMode;
    personal_sales: string;
    team_sales: string;
    direct_recruits: number | null;
    team_size: number | null;
    order_count: number | null;
  };
}

export const TIER_FORM_FIELDS = [
  "name",
  "rank",
  "commission_kind",
  "level1",
  "level2",
  "level3",
  "purchase_discount",
  "promotion.mode",
  "promotion.personal_sales",
  "promotion.team_sales",
  "promotion.direct_recruits",
  "promotion.team_size",
  "promotion.order_count",
] as const;

/** Problems without a field that are about one field of the tier form. */
export const TIER_CODE_FIELDS = { tier_name_taken: "name", tier_rank_taken: "rank" };

export function newTierForm(): TierForm {
  return {
    name: "",
    commission_kind: "percent",
    level1: "",
    level2: "",
    level3: "",
    purchase_discount: "",
    promotion: {
      mode: "all",
      personal_sales: "",
      team_sales: "",
      direct_recruits: null,
      team_size: null,
      order_count: null,
    },
  };
}

export function toTierForm(tier: Tier): TierForm {
  const p = tier.promotion;
  return {
    name: tier.name,
    commission_kind: tier.commission_kind,
    level1: tier.level1,
    level2: tier.level2,
    level3: tier.level3,
    purchase_discount: tier.purchase_discount,
    promotion: {
      mode: p.mode ?? "all",
      personal_sales: p.personal_sales ?? "",
      team_sales: p.team_sales ?? "",
      direct_recruits: p.direct_recruits ?? null,
      team_size: p.team_size ?? null,
      order_count: p.order_count ?? null,
    },
  };
}

function text(value: string | undefined | null): string {
  return (value ?? "").trim();
}

/** An empty amount is "not a condition"; anything else goes as typed, for the API to judge. */
function optionalAmount(value: string | undefined | null): string | null {
  const trimmed = text(value);
  return trimmed === "" ? null : trimmed;
}

function optionalCount(value: number | undefined | null): number | null {
  return value == null ? null : value;
}

/** The request for the form's values. Without a rank: a new tier goes on top, an edited one
 * keeps its place (reordering has its own endpoint). */
export function toTierRequest(form: TierForm): TierRequest {
  const p = form.promotion;
  return {
    name: text(form.name),
    commission_kind: form.commission_kind,
    level1: text(form.level1) || "0",
    level2: text(form.level2) || "0",
    level3: text(form.level3) || "0",
    purchase_discount: text(form.purchase_discount) || "0",
    promotion: {
      mode: p?.mode ?? "all",
      personal_sales: optionalAmount(p?.personal_sales),
      team_sales: optionalAmount(p?.team_sales),
      direct_recruits: optionalCount(p?.direct_recruits),
      team_size: optionalCount(p?.team_size),
      order_count: optionalCount(p?.order_count),
    },
  };
}

export type ConditionKey = (typeof AMOUNT_CONDITIONS)[number] | (typeof COUNT_CONDITIONS)[number];

/** The conditions that are set, in display order. */
export function setConditions(promotion: PromotionConditions) {
  const out: { key: ConditionKey; value: string }[] = [];
  for (const key of AMOUNT_CONDITIONS) {
    const v = promotion[key];
    if (v != null) out.push({ key, value: v });
  }
  for (const key of COUNT_CONDITIONS) {
    const v = promotion[key];
    if (v != null) out.push({ key, value: String(v) });
  }
  return out;
}

const PERCENT = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/**
 * A percentage as the API writes it ("12.5") in millionths of the whole (125000), exactly:
 * digits are read as integers, never through a float. `null` for text that is not a plain
 * percentage with at most four decimals.
 */
export function percentMillionths(value: string): number | null {
  const match = PERCENT.exec(value.trim());
  if (!match) return null;
  const whole = Number.parseInt(match[1] ?? "0", 10);
  const fraction = Number.parseInt((match[2] ?? "").padEnd(4, "0"), 10);
  return whole * 10_000 + fraction;
}

/** Millionths back to the shortest percentage text: 125000 → "12.5". */
export function formatMillionths(millionths: number): string {
  const whole = Math.trunc(millionths / 10_000);
  const fraction = String(millionths % 10_000)
    .padStart(4, "0")
    .replace(/0+$/, "");
  return fraction === "" ? String(whole) : `${whole}.${fraction}`;
}

/** 100 % in millionths. */
export const WHOLE = 1_000_000;

/**
 * The levels' total in millionths, or `null` while a level is not a valid percentage (an empty
 * level counts as 0). Levels beyond the commission depth still count: the API checks all three.
 */
export function percentTotal(levels: (string | undefined)[]): number | null {
  let total = 0;
  for (const level of levels) {
    const trimmed = (level ?? "").trim();
    if (trimmed === "") continue;
    const value = percentMillionths(trimmed);
    if (value === null) return null;
    total += value;
  }
  return total;
}

/** A commission value for display: "12.5%" or "¥5.00". */
export function commissionLabel(kind: CommissionKind, value: string): string {
  return kind === "percent" ? `${value}%` : `¥${value}`;
}

/** `ids` with the item at `from` moved to `to` (both positions in the original list). */
export function moveItem<T>(ids: readonly T[], from: number, to: number): T[] {
  const out = [...ids];
  if (from < 0 || from >= out.length || to < 0 || to >= out.length || from === to) return out;
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}
