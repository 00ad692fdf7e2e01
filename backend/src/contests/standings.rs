//! What the rankings show: free leaderboards over any period, a contest's standings (live while
//! it runs, frozen rows once it has ended), the job that freezes them, and the masked view
//! distributors get of a contest.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::display;
use super::leaderboard::{self, Figure, Metric, Ranking};
use super::lifecycle::{self, ContestStatus, RankingKind, State};
use super::period::{self, PeriodKind, PeriodRequest};
use super::service::{self, Prize, Record};
use crate::audit::{self, AuditActor, AuditEntry};
use crate::auth::sessions::ClientInfo;
use crate::clock;
use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::{contest_standings as cs, contests as c, distributors as d, members as m};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::money::Money;

/// The final ranking keeps at least this many places (more when prizes go further down).
pub const FROZEN_PLACES: i64 = 100;

/// How long after a contest's end its ranking is frozen: time for orders completing at the last
/// moment to commit their sales facts.
pub fn close_delay() -> Duration {
    Duration::minutes(5)
}

/// A frozen place of a contest's final ranking (`contest_standings`).
#[derive(Debug, Insertable)]
#[diesel(table_name = cs)]
pub(crate) struct StandingInsertForm {
    pub merchant_id: MerchantId,
    pub contest_id: i64,
    pub rank: i32,
    pub distributor_id: DistributorId,
    pub value: i64,
    pub items: i64,
    pub reached_at: NaiveDateTime,
}

// ---- Free leaderboards ----------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LeaderboardQuery {
    pub metric: Metric,
    pub period: PeriodKind,
    /// A day inside the period (`day`, `week`, `month`); default: today in the merchant's time
    /// zone.
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<NaiveDate>,
    /// First day of a `custom` period.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last day (included) of a `custom` period, at most 366 days after `from`.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

/// A ranked distributor, as staff see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaderboardEntry {
    /// 1 is first; ties are broken by who reached the figure first, then by distributor id.
    pub rank: i64,
    #[schema(value_type = i64)]
    pub distributor_id: DistributorId,
    pub code: String,
    /// The member's name, else phone, else email.
    pub name: String,
    /// `active`, `frozen` or `ended`.
    pub status: String,
    /// Sales only: the sum of completed order amounts.
    pub amount: Option<Money>,
    /// Orders behind the amount (sales); the new customers or recruits otherwise.
    pub count: i64,
    /// When the figure was reached (the last counted sale, binding or recruit).
    pub reached_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Leaderboard {
    pub metric: Metric,
    pub period: PeriodKind,
    /// The first and last day (included), in `timezone`.
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub timezone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Distributors ranked in all (the items are the first of them).
    pub participants: i64,
    pub items: Vec<LeaderboardEntry>,
}

/// Who a ranked distributor is.
struct Who {
    code: String,
    status: String,
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

impl Who {
    fn full_name(&self) -> String {
        display::full_name(
            self.name.as_deref(),
            self.phone.as_deref(),
            self.email.as_deref(),
            &self.code,
        )
    }

    fn masked_name(&self) -> String {
        display::masked_name(
            self.name.as_deref(),
            self.phone.as_deref(),
            self.email.as_deref(),
            &self.code,
        )
    }
}

type WhoRow = (
    DistributorId,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn who(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    ids: &[DistributorId],
) -> AppResult<HashMap<DistributorId, Who>> {
    let rows: Vec<WhoRow> = d::table
        .inner_join(m::table)
        .filter(d::merchant_id.eq(merchant_id))
        .filter(d::id.eq_any(ids))
        .select((d::id, d::code, d::status, m::name, m::phone, m::email))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, status, name, phone, email)| {
            (
                id,
                Who {
                    code,
                    status,
                    name,
                    phone,
                    email,
                },
            )
        })
        .collect())
}

fn money(fen: i64) -> AppResult<Money> {
    Money::from_fen(fen).map_err(|e| AppError::internal(format!("sales figure {fen}: {e}")))
}

/// The figure as the API shows it: an amount for sales, and a count.
fn shown(metric: Metric, f: &Figure) -> AppResult<(Option<Money>, i64)> {
    Ok(match metric {
        Metric::Sales => (Some(money(f.value)?), f.items),
        Metric::NewCustomers | Metric::Recruits => (None, f.value),
    })
}

/// Ranked figures (rank, figure) with who they are.
fn entries(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    metric: Metric,
    ranked: &[(i64, Figure)],
) -> AppResult<Vec<(LeaderboardEntry, String)>> {
    let ids: Vec<DistributorId> = ranked.iter().map(|(_, f)| f.distributor_id).collect();
    let people = who(conn, merchant_id, &ids)?;
    ranked
        .iter()
        .map(|(rank, f)| {
            let w = people
                .get(&f.distributor_id)
                .ok_or_else(|| AppError::internal(format!("distributor {}", f.distributor_id)))?;
            let (amount, count) = shown(metric, f)?;
            Ok((
                LeaderboardEntry {
                    rank: *rank,
                    distributor_id: f.distributor_id,
                    code: w.code.clone(),
                    name: w.full_name(),
                    status: w.status.clone(),
                    amount,
                    count,
                    reached_at: clock::to_utc(f.reached_at),
                },
                w.masked_name(),
            ))
        })
        .collect()
}

fn numbered(ranking: Ranking) -> Vec<(i64, Figure)> {
    (1..).zip(ranking.figures).collect()
}

/// The merchant's distributors ranked by a metric over a period.
pub fn leaderboard(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    query: &LeaderboardQuery,
    now: NaiveDateTime,
) -> AppResult<Leaderboard> {
    let limit = leaderboard::limit(query.limit, 20, 100)?;
    let (tz, zone) = crate::tenancy::merchant::zone(conn, merchant_id)?;
    let span = period::resolve(
        PeriodRequest {
            kind: query.period,
            date: query.date,
            from: query.from,
            to: query.to,
        },
        tz,
        period::local_date(tz, now),
    )?;
    let ranking = leaderboard::top(
        conn,
        merchant_id,
        query.metric,
        span.starts_at,
        span.ends_at,
        limit,
    )?;
    let participants = ranking.participants;
    let items = entries(conn, merchant_id, query.metric, &numbered(ranking))?
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    Ok(Leaderboard {
        metric: query.metric,
        period: query.period,
        from: span.from,
        to: span.to,
        timezone: zone,
        starts_at: clock::to_utc(span.starts_at),
        ends_at: clock::to_utc(span.ends_at),
        participants,
        items,
    })
}

// ---- Contest standings ----------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StandingsQuery {
    /// 1–1000; default: 50, or down to the last prized rank.
    pub limit: Option<i64>,
}

/// A place in a contest.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Standing {
    #[serde(flatten)]
    pub entry: LeaderboardEntry,
    /// The prize this rank wins (for a live ranking: would win if it ended now).
    pub prize: Option<Prize>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Standings {
    pub contest_id: i64,
    pub metric: Metric,
    pub status: ContestStatus,
    pub ranking: RankingKind,
    pub frozen_at: Option<DateTime<Utc>>,
    /// Distributors ranked in all.
    pub participants: i64,
    pub items: Vec<Standing>,
}

fn prize_for(prizes: &[Prize], rank: i64) -> Option<Prize> {
    prizes.iter().find(|p| p.covers(rank)).cloned()
}

fn last_prized_rank(prizes: &[Prize]) -> i64 {
    prizes
        .iter()
        .map(|p| i64::from(p.rank_to))
        .max()
        .unwrap_or(0)
}

fn contest_prizes(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
) -> AppResult<Vec<Prize>> {
    Ok(service::prizes_of(conn, merchant_id, &[id])?
        .into_iter()
        .map(|(_, p)| p)
        .collect())
}

fn frozen(
    conn: &mut DbConnection,
    r: &Record,
    limit: i64,
    only: Option<DistributorId>,
) -> AppResult<Vec<(i64, Figure)>> {
    let mut q = cs::table
        .filter(cs::merchant_id.eq(r.merchant_id))
        .filter(cs::contest_id.eq(r.id))
        .into_boxed();
    if let Some(distributor_id) = only {
        q = q.filter(cs::distributor_id.eq(distributor_id));
    }
    let rows: Vec<(i32, DistributorId, i64, i64, NaiveDateTime)> = q
        .order(cs::rank.asc())
        .limit(limit)
        .select((
            cs::rank,
            cs::distributor_id,
            cs::value,
            cs::items,
            cs::reached_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(rank, distributor_id, value, items, reached_at)| {
            (
                i64::from(rank),
                Figure {
                    distributor_id,
                    value,
                    items,
                    reached_at,
                },
            )
        })
        .collect())
}

/// The top places of a contest, which ranking they come from, and how many are ranked in all.
struct Places {
    kind: RankingKind,
    participants: i64,
    ranked: Vec<(i64, Figure)>,
}

fn places(
    conn: &mut DbConnection,
    r: &Record,
    status: ContestStatus,
    limit: i64,
) -> AppResult<Places> {
    let kind = lifecycle::ranking(status, r.frozen_at.is_some());
    Ok(match kind {
        RankingKind::Final => Places {
            kind,
            participants: r.participants.unwrap_or(0),
            ranked: frozen(conn, r, limit, None)?,
        },
        RankingKind::None => Places {
            kind,
            participants: 0,
            ranked: Vec::new(),
        },
        RankingKind::Live => {
            let ranking =
                leaderboard::top(conn, r.merchant_id, r.metric, r.starts_at, r.ends_at, limit)?;
            Places {
                kind,
                participants: ranking.participants,
                ranked: numbered(ranking),
            }
        }
    })
}

fn standings_limit(value: Option<i64>, prizes: &[Prize]) -> AppResult<i64> {
    leaderboard::limit(value, last_prized_rank(prizes).max(50), 1000)
}

/// A contest's standings: frozen rows once final, computed from the facts before.
pub fn standings(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    contest_id: i64,
    query: &StandingsQuery,
    now: NaiveDateTime,
) -> AppResult<Standings> {
    let r = service::record(conn, merchant_id, contest_id)?;
    let prizes = contest_prizes(conn, merchant_id, contest_id)?;
    let limit = standings_limit(query.limit, &prizes)?;
    let status = r.status(now);
    let Places {
        kind: ranking,
        participants,
        ranked,
    } = places(conn, &r, status, limit)?;
    let items = entries(conn, merchant_id, r.metric, &ranked)?
        .into_iter()
        .map(|(entry, _)| Standing {
            prize: prize_for(&prizes, entry.rank),
            entry,
        })
        .collect();
    Ok(Standings {
        contest_id,
        metric: r.metric,
        status,
        ranking,
        frozen_at: r.frozen_at.map(clock::to_utc),
        participants,
        items,
    })
}

// ---- Freezing at the end --------------------------------------------------------------------

/// Freezes the final ranking of every published contest that ended at least [`close_delay`]
/// ago and is not frozen yet; answers the ids frozen by this call. Safe to run on several
/// instances at once: each contest is frozen by exactly one of them.
pub fn close_due(conn: &mut DbConnection, now: NaiveDateTime) -> AppResult<Vec<i64>> {
    let due: Vec<i64> = c::table
        .filter(c::state.eq(State::Published))
        .filter(c::frozen_at.is_null())
        .filter(c::ends_at.le(now - close_delay()))
        .order((c::ends_at.asc(), c::id.asc()))
        .limit(100)
        .select(c::id)
        .load(conn)?;
    let mut closed = Vec::new();
    for id in due {
        match freeze(conn, id, now) {
            Ok(true) => closed.push(id),
            Ok(false) => {}
            // One contest's trouble must not keep the others open; it is retried next round.
            Err(err) => tracing::error!(contest_id = id, error = %err, "freezing a contest failed"),
        }
    }
    Ok(closed)
}

/// Freezes one contest's ranking if it has ended and is not frozen yet; false if there was
/// nothing to do (not ended, cancelled, or frozen by someone else meanwhile).
pub fn freeze(conn: &mut DbConnection, contest_id: i64, now: NaiveDateTime) -> AppResult<bool> {
    write_transaction(conn, |conn| {
        let merchant_id: MerchantId = c::table
            .find(contest_id)
            .select(c::merchant_id)
            .first(conn)?;
        let r = service::record(conn, merchant_id, contest_id)?;
        if r.state != State::Published || r.frozen_at.is_some() || r.ends_at > now {
            return Ok(false);
        }
        let prizes = contest_prizes(conn, merchant_id, contest_id)?;
        let places = last_prized_rank(&prizes).max(FROZEN_PLACES);
        let ranking =
            leaderboard::top(conn, merchant_id, r.metric, r.starts_at, r.ends_at, places)?;
        // The claim: whoever sets frozen_at first freezes; a second instance finds it set
        // (PostgreSQL re-checks the condition after waiting for the first one's row lock).
        let claimed = diesel::update(
            c::table
                .filter(c::id.eq(contest_id))
                .filter(c::state.eq(State::Published))
                .filter(c::frozen_at.is_null()),
        )
        .set((
            c::frozen_at.eq(now),
            c::participants.eq(ranking.participants),
            c::updated_at.eq(now),
        ))
        .execute(conn)?;
        if claimed != 1 {
            return Ok(false);
        }
        let participants = ranking.participants;
        for (rank, f) in numbered(ranking) {
            let rank = i32::try_from(rank).map_err(AppError::internal)?;
            diesel::insert_into(cs::table)
                .values(StandingInsertForm {
                    merchant_id,
                    contest_id,
                    rank,
                    distributor_id: f.distributor_id,
                    value: f.value,
                    items: f.items,
                    reached_at: f.reached_at,
                })
                .execute(conn)?;
        }
        audit::record(
            conn,
            &AuditActor::system(Some(merchant_id)),
            &ClientInfo::default(),
            AuditEntry::new("contest.frozen")
                .target("contest", contest_id)
                .changes(serde_json::json!({
                    "participants": { "before": null, "after": participants },
                })),
            now,
        )?;
        Ok(true)
    })
}

// ---- What distributors see ------------------------------------------------------------------

fn not_a_distributor() -> AppError {
    AppError::refused(ErrorCode::NotADistributor)
}

fn own_distributor(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<DistributorId> {
    d::table
        .filter(d::merchant_id.eq(merchant_id))
        .filter(d::member_id.eq(member_id))
        .select(d::id)
        .first(conn)
        .optional()?
        .ok_or_else(not_a_distributor)
}

/// A contest as distributors see it in a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberContestSummary {
    pub id: i64,
    pub name: String,
    pub metric: Metric,
    #[schema(value_type = String, format = Date)]
    pub start_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub end_date: NaiveDate,
    pub status: ContestStatus,
    pub prizes: Vec<Prize>,
}

/// A place as distributors see it: a masked name, no ids.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicStanding {
    pub rank: i64,
    /// Masked: `王**`, `138****5678`.
    pub name: String,
    pub amount: Option<Money>,
    pub count: i64,
    pub prize: Option<Prize>,
    /// This place is the caller's.
    pub me: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberContest {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub metric: Metric,
    #[schema(value_type = String, format = Date)]
    pub start_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub end_date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: ContestStatus,
    pub ranking: RankingKind,
    pub prizes: Vec<Prize>,
    pub participants: i64,
    /// The top places.
    pub items: Vec<PublicStanding>,
    /// The caller's own place, wherever it is; absent when not ranked (or, once final, not
    /// among the frozen places).
    pub me: Option<PublicStanding>,
}

/// Contests published by the caller's merchant and not cancelled, latest first (at most 50).
pub fn member_contests(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    now: NaiveDateTime,
) -> AppResult<Vec<MemberContestSummary>> {
    own_distributor(conn, merchant_id, member_id)?;
    let records = service::published(conn, merchant_id, 50)?;
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let all_prizes = service::prizes_of(conn, merchant_id, &ids)?;
    Ok(records
        .into_iter()
        .map(|r| MemberContestSummary {
            status: r.status(now),
            prizes: all_prizes
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, p)| p.clone())
                .collect(),
            id: r.id,
            name: r.name,
            metric: r.metric,
            start_date: r.start_date,
            end_date: r.end_date,
        })
        .collect())
}

/// One published contest with its top places (masked) and the caller's own place.
pub fn member_contest(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    contest_id: i64,
    query: &StandingsQuery,
    now: NaiveDateTime,
) -> AppResult<MemberContest> {
    let mine = own_distributor(conn, merchant_id, member_id)?;
    let r = service::record(conn, merchant_id, contest_id)?;
    if r.state != State::Published {
        return Err(AppError::NotFound);
    }
    let prizes = contest_prizes(conn, merchant_id, contest_id)?;
    let limit = standings_limit(query.limit, &prizes)?.min(100);
    let status = r.status(now);
    let Places {
        kind: ranking,
        participants,
        ranked,
    } = places(conn, &r, status, limit)?;
    let public = |(entry, masked): (LeaderboardEntry, String)| PublicStanding {
        prize: prize_for(&prizes, entry.rank),
        rank: entry.rank,
        name: masked,
        amount: entry.amount,
        count: entry.count,
        me: entry.distributor_id == mine,
    };
    let items: Vec<PublicStanding> = entries(conn, merchant_id, r.metric, &ranked)?
        .into_iter()
        .map(public)
        .collect();
    let own: Vec<(i64, Figure)> = match ranking {
        RankingKind::Final => frozen(conn, &r, 1, Some(mine))?,
        RankingKind::None => Vec::new(),
        RankingKind::Live => {
            leaderboard::position(conn, merchant_id, r.metric, r.starts_at, r.ends_at, mine)?
                .into_iter()
                .collect()
        }
    };
    let me = entries(conn, merchant_id, r.metric, &own)?
        .into_iter()
        .map(public)
        .next();
    Ok(MemberContest {
        id: r.id,
        name: r.name,
        description: r.description,
        metric: r.metric,
        start_date: r.start_date,
        end_date: r.end_date,
        starts_at: clock::to_utc(r.starts_at),
        ends_at: clock::to_utc(r.ends_at),
        status,
        ranking,
        prizes,
        participants,
        items,
        me,
    })
}
