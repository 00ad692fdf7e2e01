//! Contests (销售竞赛): a period of whole days in the merchant's time zone, a metric, prizes by
//! rank range. Staff prepare a draft, publish it, and may cancel it before it ends; the status
//! follows from the time ([`lifecycle`]). Every change is audited.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::leaderboard::Metric;
use super::lifecycle::{self, Action, ContestStatus, State};
use super::period;
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::{contest_prizes as cp, contests as c};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::money::Money;
use crate::validate;

/// The highest rank a prize may name.
pub const MAX_PRIZE_RANK: i32 = 1000;

/// A prize for the ranks `rank_from` to `rank_to` (both included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Prize {
    pub rank_from: i32,
    pub rank_to: i32,
    /// What the winners get, as the merchant describes it.
    pub description: String,
    /// A money value of the prize, when it has one (recorded, not paid out here).
    pub amount: Option<Money>,
}

impl Prize {
    pub fn covers(&self, rank: i64) -> bool {
        i64::from(self.rank_from) <= rank && rank <= i64::from(self.rank_to)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrizeInput {
    #[validate(range(min = 1, max = 1000))]
    pub rank_from: i32,
    #[validate(range(min = 1, max = 1000))]
    pub rank_to: i32,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 200))]
    #[schema(example = "一等奖：iPad")]
    pub description: String,
    #[serde(default)]
    pub amount: Option<Money>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContestRequest {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 60))]
    #[schema(example = "三月销售冠军赛")]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub description: String,
    pub metric: Metric,
    /// The first day, in the merchant's time zone.
    #[schema(value_type = String, format = Date, example = "2026-03-01")]
    pub start_date: NaiveDate,
    /// The last day (included), at most 366 days after the first.
    #[schema(value_type = String, format = Date, example = "2026-03-31")]
    pub end_date: NaiveDate,
    /// Up to 20 prizes by rank range; ranges must not overlap.
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    pub prizes: Vec<PrizeInput>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why (shown with the contest and kept in the audit log).
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 200))]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Contest {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub metric: Metric,
    #[schema(value_type = String, format = Date)]
    pub start_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub end_date: NaiveDate,
    /// The time zone the dates were set in (the merchant's at the time).
    pub timezone: String,
    /// The first instant of the first day.
    pub starts_at: DateTime<Utc>,
    /// The first instant after the last day.
    pub ends_at: DateTime<Utc>,
    pub status: ContestStatus,
    /// By rank, best first.
    pub prizes: Vec<Prize>,
    pub published_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    /// When the final ranking was frozen; absent before.
    pub frozen_at: Option<DateTime<Utc>>,
    /// Distributors in the final ranking.
    pub participants: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contest as stored, before it is shown.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: i64,
    pub merchant_id: MerchantId,
    pub name: String,
    pub description: String,
    pub metric: Metric,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub timezone: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub state: State,
    pub published_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    pub frozen_at: Option<NaiveDateTime>,
    pub participants: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Record {
    pub fn status(&self, now: NaiveDateTime) -> ContestStatus {
        lifecycle::status(self.state, self.starts_at, self.ends_at, now)
    }
}

/// A row of `contests`; dates are stored as `YYYY-MM-DD` text.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = c)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ContestRow {
    pub id: i64,
    pub merchant_id: MerchantId,
    pub name: String,
    pub description: String,
    pub metric: Metric,
    pub start_date: String,
    pub end_date: String,
    pub timezone: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub state: State,
    pub published_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    pub frozen_at: Option<NaiveDateTime>,
    pub participants: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new contest, as a draft; its publication, cancellation and freezing columns start NULL
/// (column defaults).
#[derive(Debug, Insertable)]
#[diesel(table_name = c)]
pub(crate) struct ContestInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub name: &'a str,
    pub description: &'a str,
    pub metric: Metric,
    pub start_date: &'a str,
    pub end_date: &'a str,
    pub timezone: &'a str,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub state: State,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new prize of a contest; a prize without an amount is written with a NULL amount.
#[derive(Debug, Insertable)]
#[diesel(table_name = cp)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct PrizeInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub contest_id: i64,
    pub rank_from: i32,
    pub rank_to: i32,
    pub description: &'a str,
    pub amount_fen: Option<i64>,
}

fn stored_date(text: &str) -> AppResult<NaiveDate> {
    text.parse()
        .map_err(|_| AppError::internal(format!("stored date {text}")))
}

impl TryFrom<ContestRow> for Record {
    type Error = AppError;

    fn try_from(row: ContestRow) -> AppResult<Self> {
        // The table's CHECK constraints allow no other values.
        Ok(Record {
            id: row.id,
            merchant_id: row.merchant_id,
            name: row.name,
            description: row.description,
            metric: row.metric,
            start_date: stored_date(&row.start_date)?,
            end_date: stored_date(&row.end_date)?,
            timezone: row.timezone,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            state: row.state,
            published_at: row.published_at,
            cancelled_at: row.cancelled_at,
            cancel_reason: row.cancel_reason,
            frozen_at: row.frozen_at,
            participants: row.participants,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The merchant's contest, or not found (another merchant's contest is not found either).
pub fn record(conn: &mut DbConnection, merchant_id: MerchantId, id: i64) -> AppResult<Record> {
    let row: ContestRow = c::table
        .filter(c::id.eq(id))
        .filter(c::merchant_id.eq(merchant_id))
        .select(ContestRow::as_select())
        .first(conn)?;
    Record::try_from(row)
}

/// The merchant's latest published contests (cancelled ones excluded), latest start first.
pub fn published(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    limit: i64,
) -> AppResult<Vec<Record>> {
    let rows: Vec<ContestRow> = c::table
        .filter(c::merchant_id.eq(merchant_id))
        .filter(c::state.eq(State::Published))
        .order((c::starts_at.desc(), c::id.desc()))
        .limit(limit)
        .select(ContestRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Record::try_from).collect()
}

fn money(fen: i64) -> AppResult<Money> {
    Money::from_fen(fen).map_err(|e| AppError::internal(format!("stored amount {fen}: {e}")))
}

/// The prizes of some contests of one merchant, by contest, best rank first.
pub fn prizes_of(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    contest_ids: &[i64],
) -> AppResult<Vec<(i64, Prize)>> {
    let rows: Vec<(i64, i32, i32, String, Option<i64>)> = cp::table
        .filter(cp::merchant_id.eq(merchant_id))
        .filter(cp::contest_id.eq_any(contest_ids))
        .order((cp::contest_id.asc(), cp::rank_from.asc()))
        .select((
            cp::contest_id,
            cp::rank_from,
            cp::rank_to,
            cp::description,
            cp::amount_fen,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(contest_id, rank_from, rank_to, description, amount)| {
            Ok((
                contest_id,
                Prize {
                    rank_from,
                    rank_to,
                    description,
                    amount: amount.map(money).transpose()?,
                },
            ))
        })
        .collect()
}

fn show(r: Record, prizes: Vec<Prize>, now: NaiveDateTime) -> Contest {
    Contest {
        status: r.status(now),
        id: r.id,
        name: r.name,
        description: r.description,
        metric: r.metric,
        start_date: r.start_date,
        end_date: r.end_date,
        timezone: r.timezone,
        starts_at: clock::to_utc(r.starts_at),
        ends_at: clock::to_utc(r.ends_at),
        prizes,
        published_at: r.published_at.map(clock::to_utc),
        cancelled_at: r.cancelled_at.map(clock::to_utc),
        cancel_reason: r.cancel_reason,
        frozen_at: r.frozen_at.map(clock::to_utc),
        participants: r.participants,
        created_at: clock::to_utc(r.created_at),
        updated_at: clock::to_utc(r.updated_at),
    }
}

pub fn get(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
    now: NaiveDateTime,
) -> AppResult<Contest> {
    let r = record(conn, merchant_id, id)?;
    let prizes = prizes_of(conn, merchant_id, &[id])?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    Ok(show(r, prizes, now))
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContestQuery {
    /// Only contests with this status now.
    pub status: Option<ContestStatus>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContestPage {
    /// Newest first.
    pub items: Vec<Contest>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<i64>,
}

/// The merchant's contests, newest first.
pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    query: &ContestQuery,
    now: NaiveDateTime,
) -> AppResult<ContestPage> {
    let limit = super::leaderboard::limit(query.limit, 20, 100)?;
    let mut q = c::table.filter(c::merchant_id.eq(merchant_id)).into_boxed();
    if let Some(cursor) = query.cursor {
        q = q.filter(c::id.lt(cursor));
    }
    let published = State::Published.as_str();
    q = match query.status {
        None => q,
        Some(ContestStatus::Draft) => q.filter(c::state.eq(State::Draft)),
        Some(ContestStatus::Cancelled) => q.filter(c::state.eq(State::Cancelled)),
        Some(ContestStatus::Scheduled) => q
            .filter(c::state.eq(published))
            .filter(c::starts_at.gt(now)),
        Some(ContestStatus::Running) => q
            .filter(c::state.eq(published))
            .filter(c::starts_at.le(now))
            .filter(c::ends_at.gt(now)),
        Some(ContestStatus::Ended) => q.filter(c::state.eq(published)).filter(c::ends_at.le(now)),
    };
    let rows: Vec<ContestRow> = q
        .order(c::id.desc())
        .limit(limit + 1)
        .select(ContestRow::as_select())
        .load(conn)?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    let records = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .map(Record::try_from)
        .collect::<AppResult<Vec<_>>>()?;
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let prizes = prizes_of(conn, merchant_id, &ids)?;
    let items: Vec<Contest> = records
        .into_iter()
        .map(|r| {
            let own = prizes
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, p)| p.clone())
                .collect();
            show(r, own, now)
        })
        .collect();
    let next_cursor = if more {
        items.last().map(|c| c.id)
    } else {
        None
    };
    Ok(ContestPage { items, next_cursor })
}

/// Rules the field validators cannot see: the period, and prize ranges in order and apart.
fn check(request: &ContestRequest) -> AppResult<()> {
    let mut errors: Vec<FieldError> = period::check_range(
        request.start_date,
        request.end_date,
        "start_date",
        "end_date",
    )
    .err()
    .unwrap_or_default();
    for (i, prize) in request.prizes.iter().enumerate() {
        if prize.rank_to < prize.rank_from {
            errors.push(FieldError::new(
                format!("prizes[{i}].rank_to"),
                ErrorCode::RangeReversed.form("rank"),
            ));
            continue;
        }
        let overlaps = request.prizes[..i]
            .iter()
            .position(|other| other.rank_from <= prize.rank_to && prize.rank_from <= other.rank_to);
        if let Some(j) = overlaps {
            errors.push(FieldError::new(
                format!("prizes[{i}]"),
                ErrorCode::PrizeOverlap.arg("prize", j + 1),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

fn insert_prizes(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    contest_id: i64,
    prizes: &[PrizeInput],
) -> AppResult<()> {
    let mut sorted: Vec<&PrizeInput> = prizes.iter().collect();
    sorted.sort_by_key(|p| p.rank_from);
    for p in sorted {
        diesel::insert_into(cp::table)
            .values(PrizeInsertForm {
                merchant_id,
                contest_id,
                rank_from: p.rank_from,
                rank_to: p.rank_to,
                description: &p.description,
                amount_fen: p.amount.map(Money::fen),
            })
            .execute(conn)?;
    }
    Ok(())
}

fn audit_json(contest: &Contest) -> serde_json::Value {
    serde_json::json!({
        "name": contest.name,
        "description": contest.description,
        "metric": contest.metric,
        "start_date": contest.start_date,
        "end_date": contest.end_date,
        "timezone": contest.timezone,
        "status": contest.status,
        "prizes": contest.prizes,
        "cancel_reason": contest.cancel_reason,
    })
}

fn audit(
    conn: &mut DbConnection,
    caller: &Principal,
    action: &'static str,
    id: i64,
    before: &serde_json::Value,
    after: &serde_json::Value,
    now: NaiveDateTime,
) -> AppResult<()> {
    audit::record(
        conn,
        &caller.audit_actor(),
        &caller.client,
        AuditEntry::new(action)
            .target("contest", id)
            .changes(audit::diff(before, after)),
        now,
    )
}

fn refuse(status: ContestStatus, action: Action) -> AppError {
    AppError::InvalidTransition {
        from: status.as_str().to_owned(),
        action: action.as_str().to_owned(),
    }
}

fn changed_meanwhile() -> AppError {
    AppError::conflict(ErrorCode::ContestChanged)
}

/// A new contest, as a draft.
pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &ContestRequest,
    now: NaiveDateTime,
) -> AppResult<Contest> {
    let merchant_id = caller.tenant()?;
    check(request)?;
    write_transaction(conn, |conn| {
        let (tz, zone) = crate::tenancy::merchant::zone(conn, merchant_id)?;
        let span = period::days(tz, request.start_date, request.end_date);
        let start_date = request.start_date.to_string();
        let end_date = request.end_date.to_string();
        let id: i64 = diesel::insert_into(c::table)
            .values(ContestInsertForm {
                merchant_id,
                name: &request.name,
                description: &request.description,
                metric: request.metric,
                start_date: &start_date,
                end_date: &end_date,
                timezone: &zone,
                starts_at: span.starts_at,
                ends_at: span.ends_at,
                state: State::Draft,
                created_at: now,
                updated_at: now,
            })
            .returning(c::id)
            .get_result(conn)?;
        insert_prizes(conn, merchant_id, id, &request.prizes)?;
        let after = get(conn, merchant_id, id, now)?;
        audit(
            conn,
            caller,
            "contest.created",
            id,
            &serde_json::Value::Null,
            &audit_json(&after),
            now,
        )?;
        Ok(after)
    })
}

/// Changes a draft or a scheduled contest (a running one keeps its rules).
pub fn update(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    request: &ContestRequest,
    now: NaiveDateTime,
) -> AppResult<Contest> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = get(conn, merchant_id, id, now)?;
        if !lifecycle::allows(before.status, Action::Update) {
            return Err(refuse(before.status, Action::Update));
        }
        check(request)?;
        let stored = record(conn, merchant_id, id)?;
        let (tz, zone) = crate::tenancy::merchant::zone(conn, merchant_id)?;
        let span = period::days(tz, request.start_date, request.end_date);
        // Published contests may not be moved into the past: a scheduled contest changed to a
        // period already over would end without ever having run.
        if stored.state == State::Published && span.ends_at <= now {
            return Err(AppError::field("end_date", ErrorCode::PeriodOver));
        }
        let updated = diesel::update(
            c::table
                .filter(c::id.eq(id))
                .filter(c::merchant_id.eq(merchant_id))
                .filter(c::state.eq(stored.state))
                .filter(c::updated_at.eq(stored.updated_at)),
        )
        .set((
            c::name.eq(&request.name),
            c::description.eq(&request.description),
            c::metric.eq(request.metric),
            c::start_date.eq(request.start_date.to_string()),
            c::end_date.eq(request.end_date.to_string()),
            c::timezone.eq(&zone),
            c::starts_at.eq(span.starts_at),
            c::ends_at.eq(span.ends_at),
            c::updated_at.eq(now.max(stored.updated_at + chrono::Duration::microseconds(1))),
        ))
        .execute(conn)?;
        if updated != 1 {
            return Err(changed_meanwhile());
        }
        diesel::delete(
            cp::table
                .filter(cp::merchant_id.eq(merchant_id))
                .filter(cp::contest_id.eq(id)),
        )
        .execute(conn)?;
        insert_prizes(conn, merchant_id, id, &request.prizes)?;
        let after = get(conn, merchant_id, id, now)?;
        audit(
            conn,
            caller,
            "contest.updated",
            id,
            &audit_json(&before),
            &audit_json(&after),
            now,
        )?;
        Ok(after)
    })
}

/// Moves a contest from `from` to `to` state if it still is in `from` (a conditional update, so
/// two staff acting at once cannot both succeed).
fn change_state(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
    from: State,
    to: State,
    now: NaiveDateTime,
    reason: Option<&str>,
) -> AppResult<bool> {
    let target = c::table
        .filter(c::id.eq(id))
        .filter(c::merchant_id.eq(merchant_id))
        .filter(c::state.eq(from))
        .filter(c::frozen_at.is_null());
    let updated = match to {
        State::Published => diesel::update(target)
            .set((
                c::state.eq(to),
                c::published_at.eq(now),
                c::updated_at.eq(now),
            ))
            .execute(conn)?,
        // Only before the end: an ended contest's result stands.
        State::Cancelled => diesel::update(target.filter(c::ends_at.gt(now)))
            .set((
                c::state.eq(to),
                c::cancelled_at.eq(now),
                c::cancel_reason.eq(reason),
                c::updated_at.eq(now),
            ))
            .execute(conn)?,
        State::Draft => 0,
    };
    Ok(updated == 1)
}

fn transition(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    action: Action,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<Contest> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = get(conn, merchant_id, id, now)?;
        if !lifecycle::allows(before.status, action) {
            return Err(refuse(before.status, action));
        }
        let (from, to, name) = match action {
            Action::Publish => (State::Draft, State::Published, "contest.published"),
            _ => (State::Published, State::Cancelled, "contest.cancelled"),
        };
        if !change_state(conn, merchant_id, id, from, to, now, reason)? {
            return Err(changed_meanwhile());
        }
        let after = get(conn, merchant_id, id, now)?;
        audit(
            conn,
            caller,
            name,
            id,
            &audit_json(&before),
            &audit_json(&after),
            now,
        )?;
        Ok(after)
    })
}

/// Publishes a draft: distributors see it, and it runs over its period (at once if the period
/// has begun; a period already over gives a contest that has ended and is ranked right away).
pub fn publish(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    now: NaiveDateTime,
) -> AppResult<Contest> {
    transition(conn, caller, id, Action::Publish, None, now)
}

/// Calls off a scheduled or running contest.
pub fn cancel(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    request: &CancelRequest,
    now: NaiveDateTime,
) -> AppResult<Contest> {
    transition(conn, caller, id, Action::Cancel, Some(&request.reason), now)
}

/// Deletes a draft (published contests are cancelled instead, and kept).
pub fn delete(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    now: NaiveDateTime,
) -> AppResult<()> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = get(conn, merchant_id, id, now)?;
        if !lifecycle::allows(before.status, Action::Delete) {
            return Err(refuse(before.status, Action::Delete));
        }
        diesel::delete(
            cp::table
                .filter(cp::merchant_id.eq(merchant_id))
                .filter(cp::contest_id.eq(id)),
        )
        .execute(conn)?;
        // Drafts are never frozen, so there are no standings; the state condition keeps a
        // contest published meanwhile.
        let deleted = diesel::delete(
            c::table
                .filter(c::id.eq(id))
                .filter(c::merchant_id.eq(merchant_id))
                .filter(c::state.eq(State::Draft)),
        )
        .execute(conn)?;
        if deleted != 1 {
            return Err(changed_meanwhile());
        }
        audit(
            conn,
            caller,
            "contest.deleted",
            id,
            &audit_json(&before),
            &serde_json::Value::Null,
            now,
        )?;
        Ok(())
    })
}
