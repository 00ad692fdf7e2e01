//! Delivering outbox messages: claim one due message under a lease, send it, record the outcome.
//!
//! The lease (`locked_until`) is taken by a conditional update, so two server instances (or two
//! threads) never claim the same message: on PostgreSQL the second update waits for the first
//! and then finds the row leased; on SQLite the write transactions queue on the lock. The outcome
//! is recorded only while the lease is still ours, so a worker that stalled past its lease cannot
//! overwrite the result of the one that took over.
//!
//! Delivery is at-least-once: a process killed between the server accepting a message and the
//! outcome being recorded sends it again once the lease has expired.
//!
//! A sender names the channels it delivers: SMTP takes emails only, so SMS messages stay
//! `pending` (there is no SMS provider yet; operators read them at GET /api/v1/platform/outbox),
//! while the console of a local trial (`notify::console`) takes both.

use chrono::{Duration, NaiveDateTime, SubsecRound};
use diesel::prelude::*;

use super::outbox::{Channel, OutboxStatus};
use super::sender::{Email, EmailSender, SendError};
use crate::db::schema::outbox_messages as o;
use crate::db::{self, DbConnection};
use crate::error::AppResult;

/// Attempts before a message is given up as `failed`.
pub const MAX_ATTEMPTS: i32 = 5;

/// How long a claimed message is reserved for the worker that claimed it: far longer than one
/// send may take (every SMTP operation times out after 30 s), short enough that a message of a
/// crashed instance goes out again soon.
const LEASE: Duration = Duration::minutes(10);

/// Delay after the first failed attempt; each further failure multiplies it by four (1, 4, 16,
/// 64 minutes), so a relay that is down for an hour or so loses nothing.
const FIRST_RETRY_DELAY_SECS: i64 = 60;

/// `last_error` keeps the start of long server replies only.
const MAX_ERROR_CHARS: usize = 1000;

/// What one call did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: u32,
    /// Failed, scheduled for another attempt.
    pub retrying: u32,
    /// Failed for the last time (or can never be sent): now `failed`.
    pub failed: u32,
}

impl DeliveryReport {
    pub fn attempted(&self) -> u32 {
        self.sent + self.retrying + self.failed
    }
}

/// The wait before the next attempt after `failed_attempts` failures (at least 1).
pub fn retry_delay(failed_attempts: i32) -> Duration {
    let exponent = u32::try_from(failed_attempts.clamp(1, MAX_ATTEMPTS) - 1).unwrap_or(0);
    Duration::seconds(FIRST_RETRY_DELAY_SECS * 4i64.pow(exponent))
}

/// A message this worker holds the lease on.
struct Claimed {
    id: i64,
    attempts: i32,
    lease: NaiveDateTime,
    email: Email,
}

/// Sends up to `batch` due messages of the sender's channels, one at a time, and returns what
/// happened. Failures to send are recorded on the messages, not returned; an error means the
/// database could not be used.
pub fn deliver_due(
    conn: &mut DbConnection,
    sender: &dyn EmailSender,
    now: NaiveDateTime,
    batch: u32,
) -> AppResult<DeliveryReport> {
    // Stored timestamps have microsecond precision; the lease is compared for equality later.
    let now = now.trunc_subsecs(6);
    let mut report = DeliveryReport::default();
    for _ in 0..batch {
        let Some(message) = claim_next(conn, sender.channels(), now)? else {
            break;
        };
        let outcome = sender.send(&message.email);
        record(conn, &message, outcome, now, &mut report)?;
    }
    Ok(report)
}

/// How many rows a claim may lose to other workers before giving up until the next round.
const CLAIM_TRIES: usize = 8;

/// What sending a claimed message needs of its row.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = o)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct ClaimedRow {
    channel: Channel,
    template: String,
    recipient: String,
    subject: String,
    body: String,
    attempts: i32,
}

fn claim_next(
    conn: &mut DbConnection,
    channels: &[Channel],
    now: NaiveDateTime,
) -> AppResult<Option<Claimed>> {
    let lease = now + LEASE;
    db::write_transaction(conn, |conn| {
        for _ in 0..CLAIM_TRIES {
            let candidate: Option<i64> = o::table
                .filter(o::status.eq(OutboxStatus::Pending))
                .filter(o::channel.eq_any(channels))
                .filter(o::next_attempt_at.is_null().or(o::next_attempt_at.le(now)))
                .filter(o::locked_until.is_null().or(o::locked_until.lt(now)))
                .order(o::id)
                .select(o::id)
                .first(conn)
                .optional()?;
            let Some(id) = candidate else {
                return Ok(None);
            };
            // The same conditions again: this update, not the select, decides who gets the row.
            let taken = diesel::update(
                o::table
                    .filter(o::id.eq(id))
                    .filter(o::status.eq(OutboxStatus::Pending))
                    .filter(o::locked_until.is_null().or(o::locked_until.lt(now))),
            )
            .set(o::locked_until.eq(lease))
            .execute(conn)?;
            if taken == 0 {
                continue;
            }
            let row: ClaimedRow = o::table
                .find(id)
                .select(ClaimedRow::as_select())
                .first(conn)?;
            return Ok(Some(Claimed {
                id,
                attempts: row.attempts,
                lease,
                email: Email {
                    outbox_id: id,
                    channel: row.channel,
                    template: row.template,
                    recipient: row.recipient,
                    subject: row.subject,
                    body: row.body,
                },
            }));
        }
        Ok(None)
    })
}

fn record(
    conn: &mut DbConnection,
    message: &Claimed,
    outcome: Result<(), SendError>,
    now: NaiveDateTime,
    report: &mut DeliveryReport,
) -> AppResult<()> {
    let attempts = message.attempts.saturating_add(1);
    let ours = o::table
        .filter(o::id.eq(message.id))
        .filter(o::locked_until.eq(message.lease));
    let updated = match &outcome {
        Ok(()) => {
            report.sent += 1;
            tracing::info!(
                outbox_id = message.id,
                channel = message.email.channel.as_str(),
                template = %message.email.template,
                attempts,
                "message sent"
            );
            db::write_transaction(conn, |conn| {
                diesel::update(ours)
                    .set((
                        o::status.eq(OutboxStatus::Sent),
                        o::sent_at.eq(now),
                        o::attempts.eq(attempts),
                        o::next_attempt_at.eq(None::<NaiveDateTime>),
                        o::locked_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)
            })?
        }
        Err(err) => {
            let error: String = err.message.chars().take(MAX_ERROR_CHARS).collect();
            let give_up = err.permanent || attempts >= MAX_ATTEMPTS;
            let next_attempt_at = if give_up {
                report.failed += 1;
                tracing::error!(
                    outbox_id = message.id,
                    channel = message.email.channel.as_str(),
                    template = %message.email.template,
                    attempts,
                    error = %error,
                    "message not delivered; giving up"
                );
                None
            } else {
                report.retrying += 1;
                let at = now + retry_delay(attempts);
                tracing::warn!(
                    outbox_id = message.id,
                    channel = message.email.channel.as_str(),
                    template = %message.email.template,
                    attempts,
                    error = %error,
                    next_attempt_at = %at,
                    "message not delivered; will retry"
                );
                Some(at)
            };
            let status = if give_up {
                OutboxStatus::Failed
            } else {
                OutboxStatus::Pending
            };
            db::write_transaction(conn, |conn| {
                diesel::update(ours)
                    .set((
                        o::status.eq(status),
                        o::attempts.eq(attempts),
                        o::last_error.eq(Some(error.as_str())),
                        o::next_attempt_at.eq(next_attempt_at),
                        o::locked_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)
            })?
        }
    };
    if updated == 0 {
        tracing::warn!(
            outbox_id = message.id,
            "the lease on an outbox message expired before its outcome was recorded"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially() {
        assert_eq!(retry_delay(1), Duration::minutes(1));
        assert_eq!(retry_delay(2), Duration::minutes(4));
        assert_eq!(retry_delay(3), Duration::minutes(16));
        assert_eq!(retry_delay(4), Duration::minutes(64));
        assert_eq!(retry_delay(0), Duration::minutes(1));
        assert_eq!(retry_delay(i32::MAX), Duration::minutes(256));
    }
}
