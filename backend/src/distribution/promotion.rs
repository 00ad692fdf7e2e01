//! Automatic promotion (SPEC §4): a distributor moves up to the highest-ranked tier whose
//! promotion conditions their counters meet. Promotion never demotes and never touches frozen or
//! ended distributors; demotion is a staff decision made elsewhere. This module decides; the
//! network, which owns `distributors.tier_id` and the tier history, makes the change
//! (`network::promote`), recorded in `distributor_tier_changes` (cause `promotion`, with the
//! conditions and the figures that met them); the audit event is written here.
//!
//! A demotion must stick: it puts the distributor on a promotion hold
//! (`distributors.promotion_held_since`, see `network::set_tier`), and held distributors are
//! passed over here until staff raise their tier by hand or release the hold.
//!
//! Events call [`evaluate`] (or [`evaluate_within`] inside their own transaction, or
//! [`evaluate_upline_within`] for a distributor and their nearest upline; the network's domain
//! events reach them through `reactions`); the periodic job
//! [`run_periodic`] sweeps every active distributor of every merchant in batches, for promotions
//! that no event triggered (a tier added or lowered later, counters corrected).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::tiers::{self, ConditionMode, PromotionConditions, TierStep};
use crate::audit::{self, AuditActor, AuditEntry};
use crate::auth::sessions::ClientInfo;
use crate::clock;
use crate::db::ids::{DistributorId, MerchantId};
use crate::db::schema::{
    distributor_paths as paths, distributor_tier_changes as changes, distributor_tiers,
    distributors,
};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::network::models::DistributorRow;
use crate::network::{DistributorStatus, TierCause};

/// What asked for the evaluation; recorded with the promotion.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// An order the distributor (or their team) brought completed.
    OrderCompleted,
    /// A distributor they recruited was approved.
    RecruitApproved,
    /// Their team changed shape (a move in the tree, a distributor added by staff).
    TeamChanged,
    /// The periodic sweep.
    Periodic,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A distributor's counters, as kept on their `distributors` row (fen and counts).
pub use crate::network::models::FiguresRow as Figures;

/// One condition of a tier held against the distributor's figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub metric: &'static str,
    pub required: i64,
    pub actual: i64,
    /// Whether `required` and `actual` are amounts in fen.
    pub money: bool,
}

impl Check {
    pub fn met(&self) -> bool {
        self.actual >= self.required
    }

    fn to_json(self) -> Value {
        let show = |v: i64| -> Value {
            if self.money {
                json!(yuan(v))
            } else {
                json!(v)
            }
        };
        json!({
            "metric": self.metric,
            "required": show(self.required),
            "actual": show(self.actual),
            "met": self.met(),
        })
    }
}

/// Fen as yuan with two decimals; a counter may dip below zero after refunds and shows so.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The conditions a tier sets, each with the distributor's figure.
pub fn checks(conditions: &PromotionConditions, figures: &Figures) -> Vec<Check> {
    let candidates = [
        (
            "personal_sales",
            conditions.personal_sales.map(Money::fen),
            figures.personal_sales,
            true,
        ),
        (
            "team_sales",
            conditions.team_sales.map(Money::fen),
            figures.team_sales,
            true,
        ),
        (
            "direct_recruits",
            conditions.direct_recruits,
            figures.direct_recruits,
            false,
        ),
        ("team_size", conditions.team_size, figures.team_size, false),
        (
            "order_count",
            conditions.order_count,
            figures.order_count,
            false,
        ),
    ];
    candidates
        .into_iter()
        .filter_map(|(metric, required, actual, money)| {
            required.map(|required| Check {
                metric,
                required,
                actual,
                money,
            })
        })
        .collect()
}

/// Whether the figures earn the tier: every condition (`all`) or one (`any`). A tier without
/// conditions is never earned.
pub fn qualifies(conditions: &PromotionConditions, figures: &Figures) -> bool {
    let checks = checks(conditions, figures);
    !checks.is_empty()
        && match conditions.mode {
            ConditionMode::All => checks.iter().all(Check::met),
            ConditionMode::Any => checks.iter().any(Check::met),
        }
}

/// The highest-ranked tier above `current_rank` that the figures earn; tiers in between are
/// skipped.
pub fn target<'a>(
    ladder: &'a [TierStep],
    current_rank: Option<i32>,
    figures: &Figures,
) -> Option<&'a TierStep> {
    ladder
        .iter()
        .filter(|t| current_rank.is_none_or(|rank| t.rank > rank))
        .filter(|t| qualifies(&t.conditions, figures))
        .max_by_key(|t| t.rank)
}

/// A promotion that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    pub distributor_id: DistributorId,
    pub from_tier_id: Option<i64>,
    pub to_tier_id: i64,
    /// The `distributor_tier_changes` row.
    pub change_id: i64,
}

fn current_rank(ladder: &[TierStep], tier_id: Option<i64>) -> Option<i32> {
    tier_id.and_then(|id| ladder.iter().find(|t| t.id == id).map(|t| t.rank))
}

/// Evaluates one distributor in its own transaction. Must be called outside any transaction;
/// inside one, use [`evaluate_within`].
pub fn evaluate(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    trigger: Trigger,
    now: NaiveDateTime,
) -> AppResult<Option<Promotion>> {
    write_transaction(conn, |conn| {
        evaluate_within(conn, merchant_id, distributor_id, trigger, now)
    })
}

/// Evaluates one distributor of the merchant inside the caller's transaction, and promotes them
/// when a higher tier's conditions are met. `None` when nothing changed (not active, promotion
/// held after a demotion, nothing earned, or someone else changed their tier meanwhile).
/// Another merchant's distributor is not found.
pub fn evaluate_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    trigger: Trigger,
    now: NaiveDateTime,
) -> AppResult<Option<Promotion>> {
    let row: DistributorRow = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(distributor_id))
        .select(DistributorRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if row.status != DistributorStatus::Active || row.promotion_held_since.is_some() {
        return Ok(None);
    }
    let (tier_id, figures) = (row.tier_id, row.figures);
    let ladder = tiers::ladder(conn, merchant_id)?;
    let Some(step) = target(&ladder, current_rank(&ladder, tier_id), &figures) else {
        return Ok(None);
    };
    let from = tier_id.and_then(|id| ladder.iter().find(|t| t.id == id));
    let tier_json = |t: &TierStep| json!({ "id": t.id, "name": t.name, "rank": t.rank });
    let detail = json!({
        "trigger": trigger.as_str(),
        "mode": step.conditions.mode.as_str(),
        "from_tier": from.map(tier_json),
        "to_tier": tier_json(step),
        "conditions": checks(&step.conditions, &figures)
            .into_iter()
            .map(Check::to_json)
            .collect::<Vec<_>>(),
    });
    // The network changes the tier, conditionally on the tier, status and hold read above: a
    // concurrent promotion, demotion or freeze wins, and this one records nothing.
    let Some(change_id) = crate::network::promote(
        conn,
        merchant_id,
        distributor_id,
        tier_id,
        step.id,
        &detail.to_string(),
        now,
    )?
    else {
        return Ok(None);
    };
    audit::record(
        conn,
        &AuditActor::system(Some(merchant_id)),
        &ClientInfo::default(),
        AuditEntry::new("distributor.promoted")
            .target("distributor", distributor_id)
            .changes(json!({
                "tier_id": { "before": tier_id, "after": step.id },
                "tier": { "before": from.map(|t| t.name.clone()), "after": step.name },
                "trigger": { "before": null, "after": trigger.as_str() },
            })),
        now,
    )?;
    // The news goes out from `distributor.tier_changed`, which the tier change recorded.
    Ok(Some(Promotion {
        distributor_id,
        from_tier_id: tier_id,
        to_tier_id: step.id,
        change_id,
    }))
}

/// How many levels above a distributor an event re-evaluates at once (the levels commission
/// reaches); deeper ancestors, whose figures changed too, are promoted by the periodic sweep.
pub const UPLINE_LEVELS: i32 = 3;

/// Evaluates, inside the caller's transaction, the distributor's upline from `from_level` (0:
/// the distributor themself, 1: their sponsor) up to [`UPLINE_LEVELS`] above them, nearest
/// first, and returns the promotions made. For events that change the figures of a whole
/// upline: a sale (the seller and their team's sales), a recruit or a move (team sizes).
pub fn evaluate_upline_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    from_level: i32,
    trigger: Trigger,
    now: NaiveDateTime,
) -> AppResult<Vec<Promotion>> {
    let nearest: Vec<DistributorId> = paths::table
        .filter(paths::merchant_id.eq(merchant_id))
        .filter(paths::descendant_id.eq(distributor_id))
        .filter(paths::depth.ge(from_level))
        .filter(paths::depth.le(UPLINE_LEVELS))
        .order(paths::depth.asc())
        .select(paths::ancestor_id)
        .load(conn)?;
    let mut promotions = Vec::new();
    for id in nearest {
        if let Some(p) = evaluate_within(conn, merchant_id, id, trigger, now)? {
            promotions.push(p);
        }
    }
    Ok(promotions)
}

/// A distributor as the sweeps read it to pick candidates.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = distributors)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct ScanRow {
    id: DistributorId,
    merchant_id: MerchantId,
    tier_id: Option<i64>,
    #[diesel(embed)]
    figures: Figures,
}

/// Whether the figures read earn a tier above the one read (worth an evaluation).
fn earns_more(ladder: &[TierStep], row: &ScanRow) -> bool {
    target(ladder, current_rank(ladder, row.tier_id), &row.figures).is_some()
}

/// Evaluates, inside the caller's transaction, the distributor's ancestors above
/// [`UPLINE_LEVELS`], nearest first, for events whose figures reach the whole upline (a sale's
/// team sales, a join's or a move's team size); the asynchronous consumer
/// `reactions::DeepUplinePromotion` runs it. One read picks the active ancestors without a hold
/// whose figures earn a higher tier; only those are evaluated (each reads its row again), so a
/// chain of hundreds of levels costs two queries when nobody is promoted.
pub fn evaluate_deep_upline_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    trigger: Trigger,
    now: NaiveDateTime,
) -> AppResult<Vec<Promotion>> {
    let rows: Vec<ScanRow> = paths::table
        .inner_join(distributors::table.on(distributors::id.eq(paths::ancestor_id)))
        .filter(paths::merchant_id.eq(merchant_id))
        .filter(paths::descendant_id.eq(distributor_id))
        .filter(paths::depth.gt(UPLINE_LEVELS))
        .filter(distributors::status.eq(crate::network::DistributorStatus::Active))
        .filter(distributors::promotion_held_since.is_null())
        .order(paths::depth.asc())
        .select(ScanRow::as_select())
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ladder = tiers::ladder(conn, merchant_id)?;
    let mut promotions = Vec::new();
    for row in rows.iter().filter(|row| earns_more(&ladder, row)) {
        if let Some(p) = evaluate_within(conn, merchant_id, row.id, trigger, now)? {
            promotions.push(p);
        }
    }
    Ok(promotions)
}

/// Evaluates, inside the caller's transaction, the upline of a distributor who has just joined
/// through a recruiter: the sponsor gained a recruit (`recruit_approved`), the two levels above
/// only a team member (`team_changed`), so each promotion names what changed for that person.
pub fn evaluate_after_recruit_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    now: NaiveDateTime,
) -> AppResult<Vec<Promotion>> {
    let sponsor: Option<DistributorId> = paths::table
        .filter(paths::merchant_id.eq(merchant_id))
        .filter(paths::descendant_id.eq(distributor_id))
        .filter(paths::depth.eq(1))
        .select(paths::ancestor_id)
        .first(conn)
        .optional()?;
    let mut promotions = Vec::new();
    if let Some(sponsor) = sponsor {
        promotions.extend(evaluate_within(
            conn,
            merchant_id,
            sponsor,
            Trigger::RecruitApproved,
            now,
        )?);
    }
    promotions.extend(evaluate_upline_within(
        conn,
        merchant_id,
        distributor_id,
        2,
        Trigger::TeamChanged,
        now,
    )?);
    Ok(promotions)
}

/// Distributors read per batch by the periodic job, unless told otherwise.
pub const DEFAULT_BATCH: i64 = 500;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PeriodicReport {
    pub batches: u64,
    /// Active distributors looked at (those whose promotion is held are not).
    pub evaluated: u64,
    pub promoted: u64,
    /// Evaluations that failed (logged); the next run tries again.
    pub failed: u64,
    /// Whether the run stopped early because it was asked to.
    pub interrupted: bool,
}

/// Sweeps every active distributor of every merchant whose promotion is not held, `batch` at a
/// time in id order, and promotes those who earned a higher tier. Candidates are picked from one read per batch; each
/// is then evaluated in its own short transaction, which reads the row again, so the sweep is
/// safe next to event-driven promotions and other instances running the same job (the
/// conditional update lets only one of them record a promotion). `keep_going` is asked between
/// batches. Must be called outside any transaction.
pub fn run_periodic(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    batch: i64,
    mut keep_going: impl FnMut() -> bool,
) -> AppResult<PeriodicReport> {
    let batch = batch.max(1);
    let mut report = PeriodicReport::default();
    let mut ladders: HashMap<MerchantId, Vec<TierStep>> = HashMap::new();
    let mut after = DistributorId(0);
    loop {
        if !keep_going() {
            report.interrupted = true;
            break;
        }
        let rows: Vec<ScanRow> = distributors::table
            .filter(distributors::status.eq(DistributorStatus::Active))
            .filter(distributors::promotion_held_since.is_null())
            .filter(distributors::id.gt(after))
            .order(distributors::id.asc())
            .limit(batch)
            .select(ScanRow::as_select())
            .load(conn)?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        report.batches += 1;
        for row in &rows {
            let (id, merchant_id) = (&row.id, &row.merchant_id);
            report.evaluated += 1;
            let ladder = match ladders.get(merchant_id) {
                Some(ladder) => ladder,
                None => {
                    let ladder = tiers::ladder(conn, *merchant_id)?;
                    ladders.entry(*merchant_id).or_insert(ladder)
                }
            };
            if !earns_more(ladder, row) {
                continue;
            }
            match evaluate(conn, *merchant_id, *id, Trigger::Periodic, now) {
                Ok(Some(_)) => report.promoted += 1,
                Ok(None) => {}
                Err(err) => {
                    report.failed += 1;
                    tracing::warn!(distributor = id.get(), error = %err, "promotion failed");
                }
            }
        }
        after = last;
        if (rows.len() as i64) < batch {
            break;
        }
    }
    Ok(report)
}

/// One change of a distributor's tier.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TierChange {
    pub id: i64,
    pub from_tier_id: Option<i64>,
    /// The tier's current name; `null` when it has been deleted since.
    pub from_tier_name: Option<String>,
    pub to_tier_id: Option<i64>,
    pub to_tier_name: Option<String>,
    /// `joined`, `promotion`, `demotion` or `manual`.
    pub cause: String,
    /// The reason staff gave for a manual change or demotion; `null` otherwise.
    pub reason: Option<String>,
    /// For a promotion: what triggered it and the conditions with the figures that met them.
    pub promotion: Option<PromotionBasis>,
    /// The staff member who made a manual change.
    pub actor_account_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// Why a promotion happened, as recorded at that moment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PromotionBasis {
    /// `order_completed`, `recruit_approved`, `team_changed` or `periodic`.
    pub trigger: String,
    /// `all` conditions had to hold, or `any` one.
    pub mode: String,
    pub conditions: Vec<ConditionFigure>,
}

/// One promotion condition against the distributor's figure when it was evaluated.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ConditionFigure {
    /// `personal_sales`, `team_sales` (amounts in yuan), `direct_recruits`, `team_size` or
    /// `order_count` (counts).
    pub metric: String,
    /// The threshold: a decimal string in yuan for sales, a whole number for counts.
    pub required: String,
    pub actual: String,
    pub met: bool,
}

impl PromotionBasis {
    /// Reads the basis `evaluate_within` stored with a promotion; `None` for anything else.
    fn from_stored(detail: &str) -> Option<Self> {
        let value: Value = serde_json::from_str(detail).ok()?;
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let conditions = value["conditions"]
            .as_array()?
            .iter()
            .map(|c| ConditionFigure {
                metric: text(&c["metric"]),
                required: text(&c["required"]),
                actual: text(&c["actual"]),
                met: c["met"].as_bool().unwrap_or(false),
            })
            .collect();
        Some(Self {
            trigger: value["trigger"].as_str()?.to_owned(),
            mode: value["mode"].as_str()?.to_owned(),
            conditions,
        })
    }
}

type ChangeRow = (
    i64,
    Option<i64>,
    Option<i64>,
    TierCause,
    String,
    Option<i64>,
    NaiveDateTime,
);

/// Every tier change of a distributor of the merchant, newest first. Another merchant's
/// distributor is not found.
pub fn history(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
) -> AppResult<Vec<TierChange>> {
    let exists: Option<DistributorId> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(distributor_id))
        .select(distributors::id)
        .first(conn)
        .optional()?;
    if exists.is_none() {
        return Err(AppError::NotFound);
    }
    let names: HashMap<i64, String> = distributor_tiers::table
        .filter(distributor_tiers::merchant_id.eq(merchant_id))
        .select((distributor_tiers::id, distributor_tiers::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let rows: Vec<ChangeRow> = changes::table
        .filter(changes::merchant_id.eq(merchant_id))
        .filter(changes::distributor_id.eq(distributor_id))
        .order(changes::id.desc())
        .select((
            changes::id,
            changes::from_tier_id,
            changes::to_tier_id,
            changes::cause,
            changes::detail,
            changes::actor_account_id,
            changes::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, from, to, cause, detail, actor, created_at)| {
            let promotion = (cause == TierCause::Promotion)
                .then(|| PromotionBasis::from_stored(&detail))
                .flatten();
            let reason = (promotion.is_none() && !detail.is_empty()).then_some(detail);
            TierChange {
                id,
                from_tier_id: from,
                from_tier_name: from.and_then(|t| names.get(&t).cloned()),
                to_tier_id: to,
                to_tier_name: to.and_then(|t| names.get(&t).cloned()),
                cause: cause.as_str().to_owned(),
                reason,
                promotion,
                actor_account_id: actor,
                created_at: clock::to_utc(created_at),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(yuan: &str) -> Option<Money> {
        Some(Money::parse_yuan(yuan).unwrap())
    }

    fn step(id: i64, rank: i32, conditions: PromotionConditions) -> TierStep {
        TierStep {
            id,
            name: format!("T{rank}"),
            rank,
            conditions,
        }
    }

    #[test]
    fn all_and_any() {
        let figures = Figures {
            personal_sales: 100_000,
            direct_recruits: 2,
            ..Figures::default()
        };
        let mut c = PromotionConditions {
            personal_sales: money("1000"),
            direct_recruits: Some(3),
            ..PromotionConditions::default()
        };
        assert!(!qualifies(&c, &figures), "all: recruits short");
        c.mode = ConditionMode::Any;
        assert!(qualifies(&c, &figures), "any: sales enough");
        assert!(
            !qualifies(&PromotionConditions::default(), &figures),
            "no conditions: never"
        );
        let checks = checks(&c, &figures);
        assert_eq!(checks.len(), 2);
        assert_eq!(
            checks[0].to_json(),
            json!({"metric": "personal_sales", "required": "1000.00", "actual": "1000.00", "met": true})
        );
        assert_eq!(
            checks[1].to_json(),
            json!({"metric": "direct_recruits", "required": 3, "actual": 2, "met": false})
        );
    }

    #[test]
    fn highest_earned_tier_above_the_current_one() {
        let at = |n: i64| PromotionConditions {
            order_count: Some(n),
            ..PromotionConditions::default()
        };
        let ladder = vec![
            step(10, 1, PromotionConditions::default()),
            step(20, 2, at(5)),
            step(30, 3, at(10)),
            step(40, 4, at(50)),
        ];
        let figures = |n| Figures {
            order_count: n,
            ..Figures::default()
        };
        assert_eq!(
            target(&ladder, Some(1), &figures(12)).map(|t| t.id),
            Some(30)
        );
        assert_eq!(target(&ladder, None, &figures(5)).map(|t| t.id), Some(20));
        assert_eq!(
            target(&ladder, Some(3), &figures(12)),
            None,
            "already there"
        );
        assert_eq!(target(&ladder, Some(4), &figures(0)), None, "never down");
        assert_eq!(target(&ladder, None, &figures(0)), None);
    }
}
