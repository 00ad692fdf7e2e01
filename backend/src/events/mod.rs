//! Domain events: how modules react to each other without writing each other's tables.
//!
//! A module owns its tables and exposes the operations others may call. When something happens
//! that other modules care about, the owning service records an event with [`record`] inside its
//! own transaction:
//!
//! - **synchronous subscribers** ([`subscribers`]) run at once, in that transaction, for what
//!   must be atomic with the cause (the sales fact and the promotion check of a recorded sale);
//!   they are a plain `match` on the event, so who reacts to what is read in one place;
//! - the event is also written to `domain_events`, from which **asynchronous consumers**
//!   ([`consumers`]) are fed by [`dispatch`] (the server's worker thread, or
//!   `fenxiao jobs dispatch-events`): at least once, each consumer keeping its own position and
//!   idempotent by event id, claimed by lease so that several instances can run side by side.
//!
//! Producers call:
//!
//! ```ignore
//! let event = DomainEvent::SaleRecorded(SaleRecorded::new(distributor_id, order_ref, fen)?);
//! events::record(conn, merchant_id, &event, now)?;
//! ```
//!
//! An event with a key (one per order) is recorded once: the producer asks [`previous`] first,
//! under its own lock, and decides what a repeat means. docs/architecture.md ("Domain events")
//! has the catalogue and the reasoning behind the dispatcher.

pub mod catalogue;
pub mod consumers;
pub mod dispatch;
mod subscribers;
pub mod worker;

#[cfg(test)]
mod tests;

use chrono::NaiveDateTime;
use diesel::connection::TransactionManager;
use diesel::prelude::*;

pub use catalogue::{
    AfterSaleRequested, CompletionCause, DistributorJoined, DistributorMoved,
    DistributorTierChanged, DomainEvent, EventKind, OrderCancelled, OrderCompleted, OrderPaid,
    OrderPlaced, OrderShipped, RefundCause, RefundCompleted, RefundedLine, SaleRecorded,
};
pub use dispatch::{dispatch, Consumer, DispatchReport, StoredEvent};

use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::domain_events as de;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

/// A new row of `domain_events`; an event without a key is written with a NULL key.
#[derive(Debug, Insertable)]
#[diesel(table_name = de)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct DomainEventInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub name: &'a str,
    pub payload: &'a str,
    pub event_key: Option<&'a str>,
    pub occurred_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
}

/// Records `event` of the merchant inside the caller's transaction: runs its synchronous
/// subscribers there and writes the row the asynchronous consumers read. Returns the event's id.
///
/// Refused outside a transaction: the event must commit, or roll back, with its cause. A
/// subscriber's error is returned as it is, and the caller's transaction then rolls back with
/// everything the event did.
pub fn record(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    event: &DomainEvent,
    now: NaiveDateTime,
) -> AppResult<i64> {
    type Manager = <DbConnection as Connection>::TransactionManager;
    if Manager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_none()
    {
        return Err(AppError::internal(format!(
            "domain event {} recorded outside a transaction",
            event.kind().name()
        )));
    }
    let payload = event.payload()?;
    let id = diesel::insert_into(de::table)
        .values(DomainEventInsertForm {
            merchant_id,
            name: event.kind().name(),
            payload: &payload,
            event_key: event.key(),
            occurred_at: now,
            // The writer's clock, not the producer's `now` (which may be the time of a past
            // completion): the consumers' grace period is measured from this.
            recorded_at: clock::now(),
        })
        .returning(de::id)
        .get_result(conn)?;
    subscribers::run(conn, merchant_id, event, now)?;
    Ok(id)
}

/// The event of the merchant recorded before with the same name and key as `event`, if any;
/// always `None` for an event without a key. Producers call it before recording a keyed event,
/// under the lock that serialises their own writes, to tell a repeat from a new event.
pub fn previous(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    event: &DomainEvent,
) -> AppResult<Option<DomainEvent>> {
    let Some(key) = event.key() else {
        return Ok(None);
    };
    let name = event.kind().name();
    let payload: Option<String> = de::table
        .filter(de::merchant_id.eq(merchant_id))
        .filter(de::name.eq(name))
        .filter(de::event_key.eq(key))
        .select(de::payload)
        .first(conn)
        .optional()?;
    payload.map(|p| DomainEvent::decode(name, &p)).transpose()
}
