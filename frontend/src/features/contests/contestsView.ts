import type {
  Contest,
  ContestRequest,
  ContestStatus,
  Metric,
  PeriodKind,
  Problem,
} from "../../api/types";

export const METRICS: Metric[] = ["sales", "new_customers", "recruits"];
export const PERIODS: PeriodKind[] = ["day", "week", "month", "custom"];

export interface LeaderboardParams {
  metric: Metric;
  period: PeriodKind;
  date?: string;
  from?: string;
  to?: string;
  limit: number;
}

/**
 * The leaderboard query for what the pickers show. Day, week and month take a date inside the
 * period (none: the server's today in the merchant's time zone); a custom period needs both ends,
 * and until it has them there is nothing to ask (`null`).
 */
export function leaderboardQuery(
  metric: Metric,
  period: PeriodKind,
  date: string | null,
  range: [string, string] | null,
  limit = 20,
): LeaderboardParams | null {
  if (period === "custom") {
    return range ? { metric, period, from: range[0], to: range[1], limit } : null;
  }
  return date ? { metric, period, date, limit } : { metric, period, limit };
}

type Translate = (key: string, options?: Record<string, unknown>) => string;

/** What a ranked figure reads: an amount and its orders for sales, a count otherwise. */
export function figureText(
  metric: Metric,
  entry: { amount?: string | null; count: number },
  t: Translate,
): string {
  if (metric === "sales") {
    return `¥${entry.amount ?? "0.00"} · ${t("leaderboards.orders", { count: entry.count })}`;
  }
  return String(entry.count);
}

export const STATUS_COLORS: Record<ContestStatus, string> = {
  draft: "default",
  scheduled: "blue",
  running: "green",
  ended: "gold",
  cancelled: "red",
};

/** What staff may do in each status; the server's table (`contests::lifecycle`) decides. */
export function allowedActions(status: ContestStatus) {
  return {
    edit: status === "draft" || status === "scheduled",
    publish: status === "draft",
    cancel: status === "scheduled" || status === "running",
    remove: status === "draft",
  };
}

export interface PrizeValues {
  rank_from?: number | null;
  rank_to?: number | null;
  description?: string;
  amount?: string | null;
}

/** The contest form, with its period as two `YYYY-MM-DD` dates. */
export interface ContestValues {
  name: string;
  description?: string;
  metric: Metric;
  period: [string, string];
  prizes?: PrizeValues[];
}

/** The request for what the form holds; a blank amount means a prize without a money value. */
export function toRequest(values: ContestValues): ContestRequest {
  return {
    name: values.name.trim(),
    description: values.description?.trim() ?? "",
    metric: values.metric,
    start_date: values.period[0],
    end_date: values.period[1],
    prizes: (values.prizes ?? []).map((p) => {
      const amount = p.amount?.trim();
      return {
        rank_from: p.rank_from ?? 0,
        rank_to: p.rank_to ?? p.rank_from ?? 0,
        description: p.description?.trim() ?? "",
        ...(amount ? { amount } : {}),
      };
    }),
  };
}

export function toValues(contest: Contest): ContestValues {
  return {
    name: contest.name,
    description: contest.description,
    metric: contest.metric,
    period: [contest.start_date, contest.end_date],
    prizes: contest.prizes.map((p) => ({
      rank_from: p.rank_from,
      rank_to: p.rank_to,
      description: p.description,
      amount: p.amount ?? "",
    })),
  };
}

export type FieldPath = (string | number)[];

/**
 * Where a field error of the API belongs on the contest form: the two dates on the period
 * picker, `prizes[1].amount` on that prize's amount, a whole prize on its ranks.
 */
export function formPath(field: string): FieldPath | null {
  if (field === "start_date" || field === "end_date") return ["period"];
  if (field === "name" || field === "description" || field === "metric") return [field];
  const prize = field.match(/^prizes\[(\d+)\](?:\.(rank_from|rank_to|description|amount))?$/);
  if (prize) return ["prizes", Number(prize[1]), prize[2] ?? "rank_from"];
  return null;
}

/** A problem's field errors by form path, and the messages that belong nowhere on the form. */
export function contestFormErrors(problem: Problem): {
  fields: { name: FieldPath; errors: string[] }[];
  other: string[];
} {
  const byPath = new Map<string, { name: FieldPath; errors: string[] }>();
  const other: string[] = [];
  for (const error of problem.errors) {
    const path = formPath(error.field);
    if (!path) {
      other.push(`${error.field}: ${error.message}`);
      continue;
    }
    const key = path.join(".");
    const entry = byPath.get(key) ?? { name: path, errors: [] };
    entry.errors.push(error.message);
    byPath.set(key, entry);
  }
  return { fields: [...byPath.values()], other };
}
