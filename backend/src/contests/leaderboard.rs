//! Ranking distributors by a metric over a period: one SQL aggregate per metric, over an index
//! that leads with `merchant_id` and the fact's time, so a period is one range scan.
//!
//! Order: the figure, highest first; on a tie, whoever reached it first (the time of their last
//! counted fact); then the lower distributor id. Ranks are positions 1, 2, 3 … in that order, so
//! every distributor has a rank of their own and the order never changes between two reads of
//! the same facts. A distributor with nothing in the period is not ranked.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::enums::db_enum;
use crate::db::ids::{DistributorId, MerchantId};
use crate::db::{Backend, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Metric {
        /// Completed order amounts attributed to the distributor (`distributor_sales`).
        Sales,
        /// Members whose binding to the distributor started in the period.
        NewCustomers,
        /// Distributors who joined in the period recruited by this distributor (the sponsor
        /// recorded at join; later moves in the tree do not change it).
        Recruits,
    }
}

impl Metric {
    /// Where the metric's facts live. The fragments are constants of this file, never input.
    fn source(self) -> Source {
        match self {
            Metric::Sales => Source {
                table: "distributor_sales",
                who: "distributor_id",
                at: "occurred_at",
                // Net of refunds; an order refunded whole is no order.
                value: "CAST(SUM(amount_fen - refunded_fen) AS BIGINT)",
                items: "CAST(SUM(CASE WHEN refunded_fen = 0 OR refunded_fen < amount_fen \
                        THEN 1 ELSE 0 END) AS BIGINT)",
                filter: "",
            },
            // A member bound twice to the same distributor in one period counts once.
            Metric::NewCustomers => Source {
                table: "customer_bindings",
                who: "distributor_id",
                at: "starts_at",
                value: "CAST(COUNT(DISTINCT member_id) AS BIGINT)",
                items: "CAST(COUNT(DISTINCT member_id) AS BIGINT)",
                filter: "",
            },
            // The recruiter recorded at join, not the parent as the tree has it now: a staff
            // move later must not rewrite a past period, and a newcomer placed under the
            // default sponsor (or by staff) was nobody's recruit.
            Metric::Recruits => Source {
                table: "distributors",
                who: "sponsor_id",
                at: "joined_at",
                value: "CAST(COUNT(*) AS BIGINT)",
                items: "CAST(COUNT(*) AS BIGINT)",
                filter: " AND sponsor_id IS NOT NULL",
            },
        }
    }
}

struct Source {
    table: &'static str,
    /// The distributor the fact counts for.
    who: &'static str,
    /// When the fact happened.
    at: &'static str,
    /// The figure ranked on.
    value: &'static str,
    /// How many facts make the figure (orders behind sales; the count itself otherwise).
    items: &'static str,
    filter: &'static str,
}

impl Source {
    /// Every distributor's figure in `[starts_at, ends_at)` of one merchant; binds: merchant,
    /// start, end.
    fn grouped(&self) -> String {
        let Source {
            table,
            who,
            at,
            value,
            items,
            filter,
        } = self;
        format!(
            "SELECT {who} AS distributor_id, {value} AS value, {items} AS items, \
             MAX({at}) AS reached_at \
             FROM {table} \
             WHERE merchant_id = ? AND {at} >= ? AND {at} < ?{filter} \
             GROUP BY {who} HAVING {value} > 0"
        )
    }
}

/// `?` placeholders as the backend writes them (`$1`, `$2` … on PostgreSQL). Only ever applied
/// to the constant SQL of this file, which has no other question marks.
fn placeholders(backend: Backend, sql: &str) -> String {
    match backend {
        Backend::Sqlite => sql.to_owned(),
        Backend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// One distributor's figure in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Figure {
    #[diesel(sql_type = crate::db::ids::sql::DistributorId)]
    pub distributor_id: DistributorId,
    /// Fen for sales, a count otherwise.
    #[diesel(sql_type = BigInt)]
    pub value: i64,
    /// Orders behind sales; the count itself otherwise.
    #[diesel(sql_type = BigInt)]
    pub items: i64,
    /// The last counted fact: who reached a tied figure first ranks first.
    #[diesel(sql_type = Timestamp)]
    pub reached_at: NaiveDateTime,
}

#[derive(QueryableByName)]
struct RankedRow {
    #[diesel(embed)]
    figure: Figure,
    #[diesel(sql_type = BigInt)]
    participants: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The top of a ranking, and how many distributors it ranks in all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ranking {
    /// In rank order: the first is rank 1.
    pub figures: Vec<Figure>,
    pub participants: i64,
}

/// The first `limit` distributors of the merchant by `metric` in `[starts_at, ends_at)`.
pub fn top(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    metric: Metric,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    limit: i64,
) -> AppResult<Ranking> {
    let sql = format!(
        "SELECT distributor_id, value, items, reached_at, \
         CAST(COUNT(*) OVER () AS BIGINT) AS participants \
         FROM ({}) AS figures \
         ORDER BY value DESC, reached_at ASC, distributor_id ASC LIMIT ?",
        metric.source().grouped()
    );
    let rows: Vec<RankedRow> = diesel::sql_query(placeholders(conn.backend(), &sql))
        .bind::<BigInt, _>(merchant_id.get())
        .bind::<Timestamp, _>(starts_at)
        .bind::<Timestamp, _>(ends_at)
        .bind::<BigInt, _>(limit.max(0))
        .load(conn)?;
    let participants = rows.first().map_or(0, |r| r.participants);
    Ok(Ranking {
        figures: rows.into_iter().map(|r| r.figure).collect(),
        participants,
    })
}

/// One distributor's rank and figure, if they are ranked at all.
pub fn position(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    metric: Metric,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    distributor_id: DistributorId,
) -> AppResult<Option<(i64, Figure)>> {
    let source = metric.source();
    let own = format!(
        "SELECT distributor_id, value, items, reached_at FROM ({}) AS figures \
         WHERE distributor_id = ?",
        source.grouped()
    );
    let backend = conn.backend();
    let figure: Option<Figure> = diesel::sql_query(placeholders(backend, &own))
        .bind::<BigInt, _>(merchant_id.get())
        .bind::<Timestamp, _>(starts_at)
        .bind::<Timestamp, _>(ends_at)
        .bind::<crate::db::ids::sql::DistributorId, _>(distributor_id)
        .get_result(conn)
        .optional()?;
    let Some(figure) = figure else {
        return Ok(None);
    };
    // Everyone the order puts first: a higher figure, the same reached earlier, or the same at
    // the same instant with a lower id.
    let ahead = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ({}) AS figures \
         WHERE value > ? OR (value = ? AND (reached_at < ? OR (reached_at = ? AND distributor_id < ?)))",
        source.grouped()
    );
    let ahead: Count = diesel::sql_query(placeholders(backend, &ahead))
        .bind::<BigInt, _>(merchant_id.get())
        .bind::<Timestamp, _>(starts_at)
        .bind::<Timestamp, _>(ends_at)
        .bind::<BigInt, _>(figure.value)
        .bind::<BigInt, _>(figure.value)
        .bind::<Timestamp, _>(figure.reached_at)
        .bind::<Timestamp, _>(figure.reached_at)
        .bind::<crate::db::ids::sql::DistributorId, _>(figure.distributor_id)
        .get_result(conn)?;
    Ok(Some((ahead.n + 1, figure)))
}

/// A limit from a request: 1 to `max`, `default` when absent.
pub fn limit(value: Option<i64>, default: i64, max: i64) -> AppResult<i64> {
    match value {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(AppError::field(
            "limit",
            ErrorCode::OutOfRange.arg("min", 1).arg("max", max),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            placeholders(Backend::Postgres, "a = ? AND b < ?"),
            "a = $1 AND b < $2"
        );
        assert_eq!(placeholders(Backend::Sqlite, "a = ?"), "a = ?");
    }
}
