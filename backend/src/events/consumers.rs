//! The asynchronous consumers: what reacts to events later, outside the producer's transaction,
//! fed by [`super::dispatch`]. A new consumer is a type implementing [`Consumer`] in the module
//! that owns the reaction, added to [`ALL`]; it starts at the beginning of the log unless a
//! migration creates its `event_consumers` row at the current end.

use chrono::NaiveDateTime;

use super::dispatch::{dispatch, Consumer, DispatchReport};
use crate::db::DbConnection;
use crate::distribution::reactions::DeepUplinePromotion;
use crate::error::AppResult;

/// Every asynchronous consumer, as the worker thread and `fenxiao jobs dispatch-events` run them.
pub static ALL: &[&dyn Consumer] = &[&DeepUplinePromotion];

/// Events handed over per round; a full round is followed by another at once.
pub const BATCH: u32 = 100;

/// What [`drain`] did for one consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drained {
    pub consumer: String,
    pub handled: u32,
    /// The last round's report (its position, a failure, whether it was claimed at all).
    pub last: DispatchReport,
}

/// Rounds for `consumer` back to back while they come back full, so that a backlog drains at
/// once.
pub fn drain(
    conn: &mut DbConnection,
    consumer: &dyn Consumer,
    now: NaiveDateTime,
) -> AppResult<Drained> {
    let mut handled = 0;
    loop {
        let report = dispatch(conn, consumer, BATCH, now)?;
        handled += report.handled;
        let more = report.handled == BATCH && report.failed.is_none() && !report.lease_lost;
        if !more {
            return Ok(Drained {
                consumer: consumer.name().to_owned(),
                handled,
                last: report,
            });
        }
    }
}

/// Drains every consumer of [`ALL`] in turn; one consumer's database error does not keep the
/// others from their round.
pub fn drain_all(conn: &mut DbConnection, now: NaiveDateTime) -> Vec<AppResult<Drained>> {
    ALL.iter()
        .map(|consumer| drain(conn, *consumer, now))
        .collect()
}
