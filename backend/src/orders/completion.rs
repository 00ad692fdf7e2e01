//! Completing orders: the buyer confirms receipt; or every package is signed for and the merchant
//! completes orders on delivery; or `complete_by` (the last package's day plus the merchant's
//! days) passes; or, with nothing to send, at payment. Completion opens the after-sales window
//! (`after_sale_until`) and records `order.completed`, which starts the commission freeze.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::models::TimelineActor;
use super::queries::{self, OrderDetail};
use super::settings;
use super::state::{self, Actor, OrderAction, OrderStatus};
use crate::db::ids::{DistributorId, MemberId, MerchantId, OrderId};
use crate::db::schema::orders;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult};
use crate::events::{self, CompletionCause, DomainEvent, OrderCompleted};

/// Completes the order inside the caller's write transaction: `Complete` from `shipped`, or
/// `Deliver` from `paid` when nothing was sent (virtual goods, a pickup at the counter).
pub(crate) fn complete_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    cause: CompletionCause,
    actor: Actor,
    now: NaiveDateTime,
) -> AppResult<()> {
    let action = match cause {
        CompletionCause::NothingToShip | CompletionCause::PickedUp => OrderAction::Deliver,
        CompletionCause::Confirmed | CompletionCause::Delivered | CompletionCause::Timeout => {
            OrderAction::Complete
        }
    };
    let note = match cause {
        CompletionCause::Confirmed => "confirmed",
        CompletionCause::Delivered => "delivered",
        CompletionCause::Timeout => "timeout",
        CompletionCause::NothingToShip => "nothing_to_ship",
        CompletionCause::PickedUp => "picked_up",
    };
    state::apply(conn, merchant_id, order_id, action, actor, Some(note), now)?;
    let days = settings::load(conn, merchant_id)?.after_sale_days;
    let after_sale_until = now + Duration::days(i64::from(days));
    diesel::update(orders::table.filter(orders::id.eq(order_id)))
        .set(orders::after_sale_until.eq(after_sale_until))
        .execute(conn)?;
    let (order_no, member_id, distributor_id): (String, MemberId, Option<DistributorId>) =
        orders::table
            .filter(orders::id.eq(order_id))
            .select((orders::order_no, orders::member_id, orders::distributor_id))
            .first(conn)?;
    let completed = OrderCompleted {
        order_id,
        order_no,
        member_id,
        distributor_id,
        cause,
        after_sale_until,
    };
    events::record(
        conn,
        merchant_id,
        &DomainEvent::OrderCompleted(completed),
        now,
    )?;
    Ok(())
}

/// The buyer confirms they received their shipped order.
pub fn confirm_receipt(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    order_id: OrderId,
    now: NaiveDateTime,
) -> AppResult<OrderDetail> {
    queries::my_detail(conn, merchant_id, member_id, order_id)?;
    write_transaction(conn, |conn| {
        complete_within(
            conn,
            merchant_id,
            order_id,
            CompletionCause::Confirmed,
            Actor {
                kind: TimelineActor::Member,
                id: Some(member_id.get()),
            },
            now,
        )
    })?;
    queries::detail(conn, merchant_id, order_id)
}

/// What one completion round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CompletionReport {
    pub completed: u64,
    /// Orders completed or changed by someone else meanwhile: left as they are.
    pub skipped: u64,
    pub failed: u64,
}

/// Orders read per round by the completion job.
pub const COMPLETION_BATCH: i64 = 500;

/// Completes every shipped order whose `complete_by` has passed, of every merchant, up to `batch`
/// per call. Each order completes by a conditional update on its status, so an order confirmed
/// by its buyer at the same moment completes once.
pub fn complete_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    batch: i64,
) -> AppResult<CompletionReport> {
    let due: Vec<(OrderId, MerchantId)> = orders::table
        .filter(orders::status.eq(OrderStatus::Shipped))
        .filter(orders::complete_by.le(now))
        .order(orders::complete_by.asc())
        .limit(batch.max(1))
        .select((orders::id, orders::merchant_id))
        .load(conn)?;
    let mut report = CompletionReport::default();
    for (order_id, merchant_id) in due {
        let result = write_transaction(conn, |conn| {
            complete_within(
                conn,
                merchant_id,
                order_id,
                CompletionCause::Timeout,
                Actor::SYSTEM,
                now,
            )
        });
        match result {
            Ok(()) => report.completed += 1,
            Err(AppError::InvalidTransition { .. }) => report.skipped += 1,
            Err(err) => {
                report.failed += 1;
                tracing::warn!(order = order_id.get(), error = %err, "completing an order failed");
            }
        }
    }
    Ok(report)
}

/// Runs [`complete_due`] until no due order is left (or only failing ones).
pub fn complete_all(conn: &mut DbConnection, now: NaiveDateTime) -> AppResult<CompletionReport> {
    let mut total = CompletionReport::default();
    loop {
        let round = complete_due(conn, now, COMPLETION_BATCH)?;
        total.completed += round.completed;
        total.skipped += round.skipped;
        total.failed += round.failed;
        if round.completed + round.skipped == 0 {
            return Ok(total);
        }
    }
}
