//! Distributor tiers (等级) of a merchant, ordered by rank (1 is the lowest). Each tier pays a
//! commission per level — a percentage of the line's commission base, or a fixed amount per unit
//! sold — gives a purchase discount, and names the conditions that promote a distributor into it
//! (see `promotion`).
//!
//! Stored values are integers: percentages in millionths ([`Rate`]), fixed amounts in fen. The
//! API shows both as exact decimal strings ("12.5" for 12.5 %, "5.00" for ¥5).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::rate::{self, Rate};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::{Caller, Principal};
use crate::clock;
use crate::db::enums::db_enum;
use crate::db::ids::MerchantId;
use crate::db::schema::{distributor_tiers as dt, distributors};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::money::Money;
use crate::validate;

/// A merchant has at most this many tiers.
pub const MAX_TIERS: i64 = 50;

/// Highest rank a tier may have.
pub const MAX_RANK: i32 = 1000;

db_enum! {
    /// How a tier's level values are read.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum CommissionKind {
        /// A percentage of the line's commission base.
        Percent,
        /// A fixed amount per unit sold.
        Fixed,
    }
}

db_enum! {
    /// Whether every condition set must be met, or one is enough.
    #[derive(Default, Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ConditionMode {
        #[default]
        All,
        Any,
    }
}

/// What promotes a distributor into a tier. Conditions left `null` do not count; a tier without
/// any condition is never reached by promotion (only by staff, or as the entry tier).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionConditions {
    #[serde(default)]
    pub mode: ConditionMode,
    /// The distributor's own sales (paid orders they brought) at least this much.
    #[serde(default)]
    pub personal_sales: Option<Money>,
    /// Their team's sales (every descendant's personal sales) at least this much.
    #[serde(default)]
    pub team_sales: Option<Money>,
    /// At least this many distributors they recruited directly.
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000))]
    pub direct_recruits: Option<i64>,
    /// At least this many distributors in their team (all levels below them).
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000))]
    pub team_size: Option<i64>,
    /// At least this many orders they brought.
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000))]
    pub order_count: Option<i64>,
}

impl PromotionConditions {
    pub fn is_empty(&self) -> bool {
        self.personal_sales.is_none()
            && self.team_sales.is_none()
            && self.direct_recruits.is_none()
            && self.team_size.is_none()
            && self.order_count.is_none()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Tier {
    pub id: i64,
    pub name: String,
    /// Position in the ladder, 1 the lowest; unique within the merchant.
    pub rank: i32,
    pub commission_kind: CommissionKind,
    /// Commission of the distributor who brought the order: a percentage ("12.5" = 12.5 %) with
    /// `percent`, an amount in yuan per unit ("5.00") with `fixed`.
    pub level1: String,
    /// Commission of level 1's parent, read like `level1`.
    pub level2: String,
    /// Commission of level 2's parent (only paid with commission depth 3).
    pub level3: String,
    /// Discount on purchases by distributors of this tier, in percent.
    pub purchase_discount: Rate,
    pub promotion: PromotionConditions,
    /// Distributors holding this tier, whatever their status.
    pub distributor_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierRequest {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 30))]
    pub name: String,
    /// 1–1000, unique within the merchant. On create, absent means above every other tier; on
    /// update, absent keeps the rank.
    #[serde(default)]
    #[validate(range(min = 1, max = 1000))]
    pub rank: Option<i32>,
    pub commission_kind: CommissionKind,
    /// A percentage with at most four decimals, 0–100 (`percent`), or an amount in yuan with
    /// at most two decimals (`fixed`), as a string.
    pub level1: String,
    pub level2: String,
    /// Absent means "0".
    #[serde(default = "zero")]
    pub level3: String,
    /// Absent means no discount.
    #[serde(default)]
    pub purchase_discount: Rate,
    #[serde(default)]
    #[validate(nested)]
    pub promotion: PromotionConditions,
}

fn zero() -> String {
    "0".into()
}

/// The new order of every tier of the merchant, lowest first.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderRequest {
    /// Every tier id of the merchant exactly once; the first becomes rank 1.
    #[validate(length(min = 1, max = 50))]
    pub tier_ids: Vec<i64>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteTierQuery {
    /// Another tier of the merchant that takes over the distributors of the deleted one. Needed
    /// when the tier is in use.
    pub move_to: Option<i64>,
}

/// One level's commission, exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommissionValue {
    /// A share of the commission base.
    Percent(Rate),
    /// An amount per unit sold.
    FixedPerUnit(Money),
}

impl CommissionValue {
    fn from_stored(kind: CommissionKind, value: i64) -> AppResult<Self> {
        match kind {
            CommissionKind::Percent => Rate::from_millionths(value)
                .map(CommissionValue::Percent)
                .map_err(|e| AppError::internal(format!("stored rate {value}: {e}"))),
            CommissionKind::Fixed => Money::from_fen(value)
                .map(CommissionValue::FixedPerUnit)
                .map_err(|e| AppError::internal(format!("stored amount {value}: {e}"))),
        }
    }
}

impl std::fmt::Display for CommissionValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommissionValue::Percent(rate) => rate.fmt(f),
            CommissionValue::FixedPerUnit(amount) => amount.fmt(f),
        }
    }
}

/// What a tier pays and grants, for the commission and pricing code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierRates {
    pub tier_id: i64,
    pub rank: i32,
    /// Levels 1, 2 and 3.
    pub levels: [CommissionValue; 3],
    pub purchase_discount: Rate,
}

impl TierRates {
    /// The commission of level 1, 2 or 3; `None` for any other level.
    pub fn level(&self, level: u8) -> Option<CommissionValue> {
        match level {
            1..=3 => Some(self.levels[usize::from(level - 1)]),
            _ => None,
        }
    }
}

/// A tier as promotion sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierStep {
    pub id: i64,
    pub name: String,
    pub rank: i32,
    pub conditions: PromotionConditions,
}

/// A new row of `distributor_tiers`; conditions left out are written as NULL.
#[derive(Debug, Insertable)]
#[diesel(table_name = dt)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct TierInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub name: &'a str,
    pub rank: i32,
    pub commission_kind: CommissionKind,
    pub level1_value: i64,
    pub level2_value: i64,
    pub level3_value: i64,
    pub purchase_discount: i64,
    pub condition_mode: ConditionMode,
    pub min_personal_sales: Option<i64>,
    pub min_team_sales: Option<i64>,
    pub min_direct_recruits: Option<i64>,
    pub min_team_size: Option<i64>,
    pub min_order_count: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type Row = (
    i64,
    String,
    i32,
    CommissionKind,
    i64,
    i64,
    i64,
    i64,
    ConditionMode,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    NaiveDateTime,
    NaiveDateTime,
);

/// A tier row decoded, before its distributor count is known.
struct Loaded {
    id: i64,
    name: String,
    rank: i32,
    kind: CommissionKind,
    levels: [CommissionValue; 3],
    purchase_discount: Rate,
    conditions: PromotionConditions,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn money(fen: i64) -> AppResult<Money> {
    Money::from_fen(fen).map_err(|e| AppError::internal(format!("stored amount {fen}: {e}")))
}

fn decode(row: Row) -> AppResult<Loaded> {
    let (
        id,
        name,
        rank,
        kind,
        l1,
        l2,
        l3,
        discount,
        mode,
        personal_sales,
        team_sales,
        direct_recruits,
        team_size,
        order_count,
        created_at,
        updated_at,
    ) = row;
    Ok(Loaded {
        id,
        name,
        rank,
        kind,
        levels: [
            CommissionValue::from_stored(kind, l1)?,
            CommissionValue::from_stored(kind, l2)?,
            CommissionValue::from_stored(kind, l3)?,
        ],
        purchase_discount: Rate::from_millionths(discount)
            .map_err(|e| AppError::internal(format!("stored discount {discount}: {e}")))?,
        conditions: PromotionConditions {
            mode,
            personal_sales: personal_sales.map(money).transpose()?,
            team_sales: team_sales.map(money).transpose()?,
            direct_recruits,
            team_size,
            order_count,
        },
        created_at,
        updated_at,
    })
}

/// The merchant's tiers (or the one with `id`), lowest rank first.
fn fetch(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: Option<i64>,
) -> AppResult<Vec<Loaded>> {
    let mut query = dt::table
        .filter(dt::merchant_id.eq(merchant_id))
        .order(dt::rank.asc())
        .select((
            dt::id,
            dt::name,
            dt::rank,
            dt::commission_kind,
            dt::level1_value,
            dt::level2_value,
            dt::level3_value,
            dt::purchase_discount,
            dt::condition_mode,
            dt::min_personal_sales,
            dt::min_team_sales,
            dt::min_direct_recruits,
            dt::min_team_size,
            dt::min_order_count,
            dt::created_at,
            dt::updated_at,
        ))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(dt::id.eq(id));
    }
    let rows: Vec<Row> = query.load(conn)?;
    rows.into_iter().map(decode).collect()
}

/// Distributors per tier of the merchant (or of the one tier).
fn counts(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    tier_id: Option<i64>,
) -> AppResult<HashMap<i64, i64>> {
    let mut query = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::tier_id.is_not_null())
        .group_by(distributors::tier_id)
        .select((distributors::tier_id, count_star()))
        .into_boxed();
    if let Some(id) = tier_id {
        query = query.filter(distributors::tier_id.eq(id));
    }
    let rows: Vec<(Option<i64>, i64)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(tier, n)| tier.map(|t| (t, n)))
        .collect())
}

fn present(t: Loaded, counts: &HashMap<i64, i64>) -> Tier {
    Tier {
        id: t.id,
        name: t.name,
        rank: t.rank,
        commission_kind: t.kind,
        level1: t.levels[0].to_string(),
        level2: t.levels[1].to_string(),
        level3: t.levels[2].to_string(),
        purchase_discount: t.purchase_discount,
        promotion: t.conditions,
        distributor_count: counts.get(&t.id).copied().unwrap_or(0),
        created_at: clock::to_utc(t.created_at),
        updated_at: clock::to_utc(t.updated_at),
    }
}

/// The merchant's tiers, lowest rank first.
pub fn list(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Vec<Tier>> {
    let counts = counts(conn, merchant_id, None)?;
    Ok(fetch(conn, merchant_id, None)?
        .into_iter()
        .map(|t| present(t, &counts))
        .collect())
}

/// One tier of the merchant; another merchant's tier is not found.
pub fn get(conn: &mut DbConnection, merchant_id: MerchantId, id: i64) -> AppResult<Tier> {
    let loaded = fetch(conn, merchant_id, Some(id))?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let counts = counts(conn, merchant_id, Some(id))?;
    Ok(present(loaded, &counts))
}

/// What a tier of the merchant pays per level and its purchase discount, exact; another
/// merchant's tier is not found.
pub fn commission_rates(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    tier_id: i64,
) -> AppResult<TierRates> {
    let t = fetch(conn, merchant_id, Some(tier_id))?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    Ok(TierRates {
        tier_id: t.id,
        rank: t.rank,
        levels: t.levels,
        purchase_discount: t.purchase_discount,
    })
}

/// The lowest-ranked tier, which new distributors start in; `None` when the merchant has no
/// tiers.
pub fn entry_tier(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Option<i64>> {
    Ok(dt::table
        .filter(dt::merchant_id.eq(merchant_id))
        .order(dt::rank.asc())
        .select(dt::id)
        .first(conn)
        .optional()?)
}

/// Which of `ids` are tiers of the merchant (another merchant's tier is simply not among them).
///
/// Called by writers of SKU purchase prices inside their transaction, before they write. On
/// PostgreSQL the tiers found stay locked `FOR SHARE` until that transaction ends, and `delete`
/// locks its tier before removing the tier's prices, so a price can never be written for a tier
/// deleted in between. SQLite's `BEGIN IMMEDIATE` already serialises the two.
pub fn existing_ids(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    ids: &BTreeSet<i64>,
) -> AppResult<BTreeSet<i64>> {
    if ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    let query = dt::table
        .filter(dt::merchant_id.eq(merchant_id))
        .filter(dt::id.eq_any(ids.iter().copied().collect::<Vec<_>>()))
        .order(dt::id.asc())
        .select(dt::id);
    let found: Vec<i64> = match conn {
        DbConnection::Postgresql(pg) => query.for_share().load(pg)?,
        DbConnection::Sqlite(sqlite) => query.load(sqlite)?,
    };
    Ok(found.into_iter().collect())
}

/// The merchant's tiers by name, for files that name tiers rather than ids (the catalog import).
/// The ids are checked again with [`existing_ids`] inside the writing transaction.
pub fn ids_by_name(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
) -> AppResult<BTreeMap<String, i64>> {
    Ok(dt::table
        .filter(dt::merchant_id.eq(merchant_id))
        .select((dt::name, dt::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Locks one tier of the merchant for deletion (PostgreSQL; see [`existing_ids`]).
fn lock_for_delete(conn: &mut DbConnection, merchant_id: MerchantId, id: i64) -> AppResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        dt::table
            .filter(dt::id.eq(id))
            .filter(dt::merchant_id.eq(merchant_id))
            .select(dt::id)
            .for_update()
            .first::<i64>(pg)
            .optional()?;
    }
    Ok(())
}

/// The merchant's ladder for promotion, lowest rank first.
pub fn ladder(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Vec<TierStep>> {
    Ok(fetch(conn, merchant_id, None)?
        .into_iter()
        .map(|t| TierStep {
            id: t.id,
            name: t.name,
            rank: t.rank,
            conditions: t.conditions,
        })
        .collect())
}

/// The stored level values, read by the tier's kind, with an error naming each bad field.
fn level_values(request: &TierRequest) -> AppResult<[i64; 3]> {
    let mut errors = Vec::new();
    let mut values = [0i64; 3];
    let fields = [
        ("level1", &request.level1),
        ("level2", &request.level2),
        ("level3", &request.level3),
    ];
    for (i, (field, text)) in fields.into_iter().enumerate() {
        let parsed = match request.commission_kind {
            CommissionKind::Percent => Rate::parse_percent(text)
                .map(Rate::millionths)
                .map_err(|e| e.code()),
            CommissionKind::Fixed => Money::parse_yuan(text)
                .map(Money::fen)
                .map_err(|e| e.code()),
        };
        match parsed {
            Ok(value) => values[i] = value,
            Err(code) => errors.push(FieldError::new(field, code)),
        }
    }
    if errors.is_empty()
        && request.commission_kind == CommissionKind::Percent
        && values.iter().sum::<i64>() > rate::WHOLE
    {
        errors.push(FieldError::new("level1", ErrorCode::CommissionTotalOver100));
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(AppError::Validation(errors))
    }
}

fn map_unique(e: DieselError) -> AppError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, ref info) => {
            let names = format!(
                "{} {}",
                info.message(),
                info.constraint_name().unwrap_or("")
            );
            if names.contains("rank") {
                AppError::conflict(ErrorCode::TierRankTaken)
            } else if names.contains("name") {
                AppError::conflict(ErrorCode::TierNameTaken)
            } else {
                e.into()
            }
        }
        other => other.into(),
    }
}

fn audit_json(t: &Tier) -> serde_json::Value {
    let mut value = serde_json::to_value(t).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        for volatile in ["distributor_count", "created_at", "updated_at"] {
            object.remove(volatile);
        }
    }
    value
}

/// Adds a tier; without a rank it goes above every other tier.
pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &TierRequest,
    now: NaiveDateTime,
) -> AppResult<Tier> {
    let merchant_id = caller.tenant()?;
    let values = level_values(request)?;
    write_transaction(conn, |conn| {
        let existing: i64 = dt::table
            .filter(dt::merchant_id.eq(merchant_id))
            .count()
            .get_result(conn)?;
        let highest: Option<i32> = dt::table
            .filter(dt::merchant_id.eq(merchant_id))
            .select(max(dt::rank))
            .first(conn)?;
        let rank = request.rank.unwrap_or(highest.unwrap_or(0) + 1);
        if existing >= MAX_TIERS || rank > MAX_RANK {
            return Err(AppError::conflict(
                ErrorCode::TierLimit
                    .arg("max_tiers", MAX_TIERS)
                    .arg("max_rank", MAX_RANK),
            ));
        }
        let c = &request.promotion;
        let id: i64 = diesel::insert_into(dt::table)
            .values(TierInsertForm {
                merchant_id,
                name: &request.name,
                rank,
                commission_kind: request.commission_kind,
                level1_value: values[0],
                level2_value: values[1],
                level3_value: values[2],
                purchase_discount: request.purchase_discount.millionths(),
                condition_mode: c.mode,
                min_personal_sales: c.personal_sales.map(Money::fen),
                min_team_sales: c.team_sales.map(Money::fen),
                min_direct_recruits: c.direct_recruits,
                min_team_size: c.team_size,
                min_order_count: c.order_count,
                created_at: now,
                updated_at: now,
            })
            .returning(dt::id)
            .get_result(conn)
            .map_err(map_unique)?;
        let after = get(conn, merchant_id, id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("distributor_tier.created")
                .target("distributor_tier", id)
                .changes(audit::diff(&serde_json::Value::Null, &audit_json(&after))),
            now,
        )?;
        Ok(after)
    })
}

/// Replaces a tier's settings; without a rank the rank stays. Commission already recorded keeps
/// the rates it was computed with.
pub fn update(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    request: &TierRequest,
    now: NaiveDateTime,
) -> AppResult<Tier> {
    let merchant_id = caller.tenant()?;
    let values = level_values(request)?;
    write_transaction(conn, |conn| {
        let before = get(conn, merchant_id, id)?;
        let c = &request.promotion;
        diesel::update(
            dt::table
                .filter(dt::id.eq(id))
                .filter(dt::merchant_id.eq(merchant_id)),
        )
        .set((
            dt::name.eq(&request.name),
            dt::rank.eq(request.rank.unwrap_or(before.rank)),
            dt::commission_kind.eq(request.commission_kind),
            dt::level1_value.eq(values[0]),
            dt::level2_value.eq(values[1]),
            dt::level3_value.eq(values[2]),
            dt::purchase_discount.eq(request.purchase_discount.millionths()),
            dt::condition_mode.eq(c.mode),
            dt::min_personal_sales.eq(c.personal_sales.map(Money::fen)),
            dt::min_team_sales.eq(c.team_sales.map(Money::fen)),
            dt::min_direct_recruits.eq(c.direct_recruits),
            dt::min_team_size.eq(c.team_size),
            dt::min_order_count.eq(c.order_count),
            dt::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(map_unique)?;
        let after = get(conn, merchant_id, id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("distributor_tier.updated")
                .target("distributor_tier", id)
                .changes(audit::diff(&audit_json(&before), &audit_json(&after))),
            now,
        )?;
        Ok(after)
    })
}

/// Ranks are moved out of the way by this much before being renumbered, so the unique rank
/// index never sees two tiers on one rank mid-way (PostgreSQL checks it row by row).
const RANK_SHIFT: i32 = 1_000_000;

/// Renumbers the merchant's tiers in the given order (the first becomes rank 1).
pub fn reorder(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &ReorderRequest,
    now: NaiveDateTime,
) -> AppResult<Vec<Tier>> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = list(conn, merchant_id)?;
        let mut wanted = request.tier_ids.clone();
        wanted.sort_unstable();
        let mut have: Vec<i64> = before.iter().map(|t| t.id).collect();
        have.sort_unstable();
        if wanted != have {
            return Err(AppError::field("tier_ids", ErrorCode::TierSetMismatch));
        }
        diesel::update(dt::table.filter(dt::merchant_id.eq(merchant_id)))
            .set(dt::rank.eq(dt::rank + RANK_SHIFT))
            .execute(conn)?;
        for (position, id) in request.tier_ids.iter().enumerate() {
            let rank = i32::try_from(position + 1).map_err(AppError::internal)?;
            diesel::update(
                dt::table
                    .filter(dt::id.eq(id))
                    .filter(dt::merchant_id.eq(merchant_id)),
            )
            .set((dt::rank.eq(rank), dt::updated_at.eq(now)))
            .execute(conn)?;
        }
        let after = list(conn, merchant_id)?;
        let order = |tiers: &[Tier]| tiers.iter().map(|t| t.id).collect::<Vec<_>>();
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("distributor_tiers.reordered")
                .target("merchant", merchant_id)
                .changes(audit::diff(
                    &serde_json::json!({ "order": order(&before) }),
                    &serde_json::json!({ "order": order(&after) }),
                )),
            now,
        )?;
        Ok(after)
    })
}

fn tier_in_use(count: i64) -> AppError {
    AppError::conflict(ErrorCode::TierInUse.arg("count", count))
}

/// Deletes a tier. Distributors holding it move to `move_to`, each move logged as a manual tier
/// change; without `move_to` a tier in use is refused. The tier's purchase prices go with it.
pub fn delete(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    query: &DeleteTierQuery,
    now: NaiveDateTime,
) -> AppResult<()> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        lock_for_delete(conn, merchant_id, id)?;
        let before = get(conn, merchant_id, id)?;
        let target = match query.move_to {
            None => None,
            Some(target) => {
                let found = fetch(conn, merchant_id, Some(target))?.into_iter().next();
                match found {
                    Some(t) if t.id != id => Some(t),
                    Some(_) => return Err(AppError::field("move_to", ErrorCode::SameTier)),
                    None => return Err(AppError::field("move_to", ErrorCode::UnknownTier)),
                }
            }
        };
        let moved = match (&target, before.distributor_count) {
            (_, 0) => 0,
            (None, n) => return Err(tier_in_use(n)),
            (Some(target), _) => move_distributors(conn, caller, &before, target, now)?,
        };
        crate::catalog::tier_prices::remove_distributor_tier(conn, merchant_id, id)?;
        // A distributor given the tier since it was counted makes this fail on the foreign key
        // (409), rather than leaving them without a tier.
        diesel::delete(
            dt::table
                .filter(dt::id.eq(id))
                .filter(dt::merchant_id.eq(merchant_id)),
        )
        .execute(conn)?;
        let mut after = serde_json::Map::new();
        if let Some(target) = &target {
            after.insert("moved_to".into(), target.id.into());
            after.insert("moved_distributors".into(), moved.into());
        }
        let mut changes = audit::diff(&audit_json(&before), &serde_json::Value::Null);
        if let Some(object) = changes.as_object_mut() {
            for (key, value) in after {
                object.insert(key, serde_json::json!({ "before": null, "after": value }));
            }
        }
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("distributor_tier.deleted")
                .target("distributor_tier", id)
                .changes(changes),
            now,
        )
    })
}

/// Moves every distributor of `from` into `to` through the network (one tier-change row each,
/// in two statements whatever their number).
fn move_distributors(
    conn: &mut DbConnection,
    caller: &Principal,
    from: &Tier,
    to: &Loaded,
    now: NaiveDateTime,
) -> AppResult<i64> {
    let merchant_id = caller.tenant()?;
    let reason = format!(
        "等级「{}」已删除，转入「{}」 / Tier \"{}\" deleted; moved to \"{}\"",
        from.name, to.name, from.name, to.name
    );
    let actor = matches!(caller.caller, Caller::Staff { .. }).then_some(caller.id);
    crate::network::move_tier_holders(conn, merchant_id, from.id, to.id, &reason, actor, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: &str, l1: &str, l2: &str, l3: &str) -> TierRequest {
        serde_json::from_value(serde_json::json!({
            "name": "金牌", "commission_kind": kind, "level1": l1, "level2": l2, "level3": l3,
        }))
        .unwrap()
    }

    fn codes(err: AppError) -> Vec<(String, String)> {
        match err {
            AppError::Validation(fields) => fields
                .into_iter()
                .map(|f| (f.code().to_string(), f.field))
                .map(|(c, f)| (f, c))
                .collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn level_values_follow_the_kind() {
        assert_eq!(
            level_values(&request("percent", "12.5", "5", "0.0001")).unwrap(),
            [125_000, 50_000, 1]
        );
        assert_eq!(
            level_values(&request("fixed", "5", "1.50", "0")).unwrap(),
            [500, 150, 0]
        );
        assert_eq!(
            codes(level_values(&request("percent", "12.34567", "101", "x")).unwrap_err()),
            vec![
                ("level1".into(), "percent_precision".into()),
                ("level2".into(), "percent_range".into()),
                ("level3".into(), "invalid_percent".into()),
            ]
        );
        assert_eq!(
            codes(level_values(&request("fixed", "1.001", "-1", "0")).unwrap_err()),
            vec![
                ("level1".into(), "money_precision".into()),
                ("level2".into(), "money_negative".into()),
            ]
        );
        assert_eq!(
            codes(level_values(&request("percent", "60", "30", "10.0001")).unwrap_err()),
            vec![("level1".into(), "commission_total_over_100".into())]
        );
        assert!(level_values(&request("percent", "60", "30", "10")).is_ok());
    }

    #[test]
    fn rates_by_level() {
        let rates = TierRates {
            tier_id: 1,
            rank: 1,
            levels: [
                CommissionValue::Percent(Rate::from_millionths(125_000).unwrap()),
                CommissionValue::Percent(Rate::ZERO),
                CommissionValue::Percent(Rate::ZERO),
            ],
            purchase_discount: Rate::ZERO,
        };
        assert_eq!(rates.level(1), Some(rates.levels[0]));
        assert_eq!(rates.level(0), None);
        assert_eq!(rates.level(4), None);
        assert_eq!(rates.levels[0].to_string(), "12.5");
    }
}
