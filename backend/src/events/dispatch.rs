//! Feeding the asynchronous consumers from the durable `domain_events` table.
//!
//! **Lease.** A consumer is handled by one dispatcher at a time: [`dispatch`] claims its
//! `event_consumers` row with a conditional update (`locked_until IS NULL OR locked_until < now`),
//! as the email delivery claims outbox messages, so several server instances (or threads) may
//! all run the dispatcher. Every later write — handling an event, recording a failure, moving the
//! position — first updates the row again on the condition that `locked_by` is still this
//! dispatcher's token: on PostgreSQL that update also locks the row until the write commits, so a
//! dispatcher taking over waits and then finds the lease taken; on SQLite write transactions are
//! serialised anyway. A dispatcher that stalled past its lease and was replaced stops at its next
//! write instead of carrying on beside the new one.
//!
//! **Delivery and idempotency.** Events are handed over in id order, each in its own write
//! transaction together with a receipt `(consumer, event_id)` (`event_receipts`, primary key). The
//! handler's database work and the receipt commit together: an event whose handling failed or
//! whose process died is handled again (at least once), and one that committed is never handed
//! to the same consumer again. Work outside the database (an email, a webhook) cannot join that
//! transaction: such consumers queue it (the outbox) or make it idempotent by event id. A failing
//! event stops the round (later events wait, so a consumer sees its events in order) and the
//! consumer backs off: 1 s, 2 s, 4 s … up to 5 minutes between rounds, with the error kept on its
//! row for operators.
//!
//! **Position and the gap.** Ids are allocated when a row is inserted, but transactions commit
//! in their own order: on PostgreSQL an event with a lower id can become visible after one with a
//! higher id was read. A position that jumped over the higher id would lose the lower one for
//! good. So the position is not the last event read. Events beyond the position are handled as
//! soon as they are visible and remembered by their receipts; the position only moves over events
//! that are *settled*: up to the newest event written more than [`GRACE`] ago (`recorded_at`,
//! the writer's clock), and not past any event of the consumer still without a receipt. Every
//! lower id was allocated before that event was written, so its transaction has committed or
//! rolled back by then, provided that a transaction commits within [`GRACE`] of recording an
//! event (all of them take well under a second; events are recorded late in their
//! transactions) and the instances' clocks agree to within seconds. Receipts at or below the
//! position are deleted as it moves, so the table holds about [`GRACE`] worth of events per
//! consumer. SQLite has a single writer, so its ids become visible in order; the same rule only
//! delays its position.

use chrono::{Duration, NaiveDateTime, SubsecRound};
use diesel::dsl::{exists, max, min, not};
use diesel::prelude::*;
use diesel::sql_types::Text as SqlText;

use super::{DomainEvent, EventKind};
use crate::db::ids::MerchantId;
use crate::db::schema::{domain_events as de, event_consumers as ec, event_receipts as er};
use crate::db::{self, Backend, DbConnection};
use crate::error::{AppError, AppResult};

/// How long a claim holds a consumer without any write of its holder; far longer than one
/// event takes, short enough that a crashed instance's consumers resume soon.
pub const LEASE: Duration = Duration::seconds(60);

/// How old an event must be before the position may move over it (see the module comment).
pub const GRACE: Duration = Duration::minutes(2);

/// The longest pause between rounds of a failing consumer.
const MAX_RETRY_DELAY_SECS: i64 = 300;

/// `last_error` keeps the start of long messages only.
const MAX_ERROR_CHARS: usize = 1000;

/// An event as a consumer receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub merchant_id: MerchantId,
    pub occurred_at: NaiveDateTime,
    pub event: DomainEvent,
}

/// An asynchronous consumer of domain events.
pub trait Consumer: Sync {
    /// The key of its position in `event_consumers`: never renamed, or it starts over.
    fn name(&self) -> &str;

    /// The events it is handed; others pass it by.
    fn events(&self) -> &[EventKind];

    /// Handles one event inside a write transaction that also records the receipt. An error
    /// rolls both back; the event is handed over again on a later round. Must be idempotent by
    /// event id for anything done outside the database.
    fn handle(&self, conn: &mut DbConnection, event: &StoredEvent) -> AppResult<()>;
}

/// What one call of [`dispatch`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DispatchReport {
    /// Whether this call held the consumer. False when there is nothing after its position
    /// (`idle`), when another dispatcher holds it, or while a failing consumer backs off: nothing
    /// was done.
    pub claimed: bool,
    /// Nothing was recorded after the consumer's position: not even claimed, so an idle
    /// consumer writes nothing.
    pub idle: bool,
    pub handled: u32,
    /// The event whose handling failed (it is retried later).
    pub failed: Option<i64>,
    /// The lease was taken over while the round ran (it stopped there).
    pub lease_lost: bool,
    /// The consumer's position afterwards.
    pub position: i64,
}

/// The events of `names` after `position` that the consumer has no receipt for, in id order.
macro_rules! unhandled {
    ($consumer:expr, $names:expr, $position:expr) => {
        de::table
            .filter(de::id.gt($position))
            .filter(de::name.eq_any($names))
            .filter(not(exists(
                er::table
                    .filter(er::consumer.eq($consumer))
                    .filter(er::event_id.eq(de::id)),
            )))
    };
}

/// A row of `domain_events` as consumers read it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = de)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct EventRow {
    id: i64,
    merchant_id: MerchantId,
    name: String,
    payload: String,
    occurred_at: NaiveDateTime,
}

/// A new row of `event_receipts`: the consumer handled the event.
#[derive(Debug, Insertable)]
#[diesel(table_name = er)]
pub(crate) struct ReceiptInsertForm<'a> {
    pub consumer: &'a str,
    pub event_id: i64,
    pub handled_at: NaiveDateTime,
}

/// Runs one round for `consumer`: claims it, hands it up to `batch` events it has not handled
/// yet, moves its position over what is settled and releases it. Handling errors are recorded
/// on the consumer, not returned; an error means the database could not be used.
pub fn dispatch(
    conn: &mut DbConnection,
    consumer: &dyn Consumer,
    batch: u32,
    now: NaiveDateTime,
) -> AppResult<DispatchReport> {
    // Stored timestamps have microsecond precision; compare like with like.
    let now = now.trunc_subsecs(6);
    let name = consumer.name();
    let names: Vec<&'static str> = consumer.events().iter().map(|k| k.name()).collect();
    let owner = format!("{}:{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let mut report = DispatchReport::default();
    let known: Option<i64> = ec::table
        .find(name)
        .select(ec::position)
        .first(conn)
        .optional()?;
    if let Some(position) = known {
        let after: Option<i64> = de::table
            .filter(de::id.gt(position))
            .select(de::id)
            .first(conn)
            .optional()?;
        if after.is_none() {
            report.idle = true;
            report.position = position;
            return Ok(report);
        }
    }
    let Some(position) = claim(conn, name, &owner, now)? else {
        return Ok(report);
    };
    report.claimed = true;
    report.position = position;
    let rows: Vec<EventRow> = unhandled!(name, names.clone(), position)
        .order(de::id.asc())
        .limit(i64::from(batch))
        .select(EventRow::as_select())
        .load(conn)?;
    for row in rows {
        let id = row.id;
        match handle_one(conn, consumer, &owner, row, now) {
            Ok(true) => report.handled += 1,
            Ok(false) => {
                report.lease_lost = true;
                return Ok(report);
            }
            Err(err) => {
                tracing::warn!(
                    consumer = name,
                    event_id = id,
                    error = %err,
                    "domain event not handled; will retry"
                );
                if !record_failure(conn, name, &owner, &err, now)? {
                    report.lease_lost = true;
                    return Ok(report);
                }
                report.failed = Some(id);
                break;
            }
        }
    }
    match settle(
        conn,
        name,
        &names,
        &owner,
        position,
        report.failed.is_none(),
        now,
    )? {
        Some(moved_to) => report.position = moved_to,
        None => report.lease_lost = true,
    }
    Ok(report)
}

/// Takes the consumer's lease (creating its row at position 0 on first use); its position, or
/// `None` when another dispatcher holds it or it is backing off.
pub(super) fn claim(
    conn: &mut DbConnection,
    name: &str,
    owner: &str,
    now: NaiveDateTime,
) -> AppResult<Option<i64>> {
    db::write_transaction(conn, |conn| {
        // `ON CONFLICT DO NOTHING`: two first claims at once must not fail on the primary key.
        let create = match conn.backend() {
            Backend::Sqlite => {
                "INSERT INTO event_consumers (name) VALUES (?) ON CONFLICT (name) DO NOTHING"
            }
            Backend::Postgres => {
                "INSERT INTO event_consumers (name) VALUES ($1) ON CONFLICT (name) DO NOTHING"
            }
        };
        diesel::sql_query(create)
            .bind::<SqlText, _>(name)
            .execute(conn)?;
        let taken = diesel::update(
            ec::table
                .filter(ec::name.eq(name))
                .filter(ec::locked_until.is_null().or(ec::locked_until.lt(now)))
                .filter(ec::retry_at.is_null().or(ec::retry_at.le(now))),
        )
        .set((ec::locked_until.eq(now + LEASE), ec::locked_by.eq(owner)))
        .execute(conn)?;
        if taken == 0 {
            return Ok(None);
        }
        Ok(Some(ec::table.find(name).select(ec::position).first(conn)?))
    })
}

/// Whether the lease is still `owner`'s, renewing it; inside a transaction, on PostgreSQL this
/// also locks the consumer's row until the transaction ends.
pub(super) fn hold(
    conn: &mut DbConnection,
    name: &str,
    owner: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let held = diesel::update(
        ec::table
            .filter(ec::name.eq(name))
            .filter(ec::locked_by.eq(owner)),
    )
    .set(ec::locked_until.eq(now + LEASE))
    .execute(conn)?;
    Ok(held == 1)
}

/// Hands one event to the consumer with its receipt, in one transaction; false when the lease
/// was lost (nothing done).
fn handle_one(
    conn: &mut DbConnection,
    consumer: &dyn Consumer,
    owner: &str,
    row: EventRow,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let name = consumer.name();
    db::write_transaction(conn, |conn| {
        if !hold(conn, name, owner, now)? {
            return Ok(false);
        }
        let event = StoredEvent {
            id: row.id,
            merchant_id: row.merchant_id,
            occurred_at: row.occurred_at,
            event: DomainEvent::decode(&row.name, &row.payload)?,
        };
        consumer.handle(conn, &event)?;
        diesel::insert_into(er::table)
            .values(ReceiptInsertForm {
                consumer: name,
                event_id: row.id,
                handled_at: now,
            })
            .execute(conn)?;
        Ok(true)
    })
}

/// The pause before the next round after `failures` failed rounds in a row (at least 1).
pub fn retry_delay(failures: i32) -> Duration {
    let exponent = u32::try_from(failures.clamp(1, 20) - 1).unwrap_or(0);
    Duration::seconds(2i64.pow(exponent).min(MAX_RETRY_DELAY_SECS))
}

/// Keeps the error on the consumer's row and schedules its next round; false when the lease was
/// lost meanwhile.
fn record_failure(
    conn: &mut DbConnection,
    name: &str,
    owner: &str,
    err: &AppError,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let message: String = err.to_string().chars().take(MAX_ERROR_CHARS).collect();
    db::write_transaction(conn, |conn| {
        if !hold(conn, name, owner, now)? {
            return Ok(false);
        }
        let failures: i32 = ec::table
            .find(name)
            .select(ec::failures)
            .first::<i32>(conn)?
            .saturating_add(1);
        diesel::update(ec::table.find(name))
            .set((
                ec::failures.eq(failures),
                ec::retry_at.eq(now + retry_delay(failures)),
                ec::last_error.eq(message.as_str()),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// Moves the position over the settled events (see the module comment), forgets the receipts it
/// passed and releases the lease, clearing the failure record after a clean round. The new
/// position, or `None` when the lease was lost.
fn settle(
    conn: &mut DbConnection,
    name: &str,
    names: &[&'static str],
    owner: &str,
    position: i64,
    clean: bool,
    now: NaiveDateTime,
) -> AppResult<Option<i64>> {
    db::write_transaction(conn, |conn| {
        if !hold(conn, name, owner, now)? {
            return Ok(None);
        }
        let settled: Option<i64> = de::table
            .filter(de::id.gt(position))
            .filter(de::recorded_at.lt(now - GRACE))
            .select(max(de::id))
            .first(conn)?;
        let mut moved_to = position;
        if let Some(settled) = settled {
            let open: Option<i64> = unhandled!(name, names.to_vec(), position)
                .filter(de::id.le(settled))
                .select(min(de::id))
                .first(conn)?;
            moved_to = open.map_or(settled, |first| first - 1).max(position);
        }
        if moved_to > position {
            diesel::delete(
                er::table
                    .filter(er::consumer.eq(name))
                    .filter(er::event_id.le(moved_to)),
            )
            .execute(conn)?;
        }
        let ours = ec::table
            .filter(ec::name.eq(name))
            .filter(ec::locked_by.eq(owner));
        let release = (
            ec::position.eq(moved_to),
            ec::locked_until.eq(None::<NaiveDateTime>),
            ec::locked_by.eq(None::<String>),
        );
        if clean {
            diesel::update(ours)
                .set((
                    release,
                    ec::failures.eq(0),
                    ec::retry_at.eq(None::<NaiveDateTime>),
                    ec::last_error.eq(None::<String>),
                ))
                .execute(conn)?;
        } else {
            diesel::update(ours).set(release).execute(conn)?;
        }
        Ok(Some(moved_to))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_consumers_back_off_exponentially_up_to_five_minutes() {
        assert_eq!(retry_delay(1), Duration::seconds(1));
        assert_eq!(retry_delay(2), Duration::seconds(2));
        assert_eq!(retry_delay(5), Duration::seconds(16));
        assert_eq!(retry_delay(9), Duration::seconds(256));
        assert_eq!(retry_delay(10), Duration::seconds(300));
        assert_eq!(retry_delay(i32::MAX), Duration::seconds(300));
        assert_eq!(retry_delay(0), Duration::seconds(1));
    }
}
