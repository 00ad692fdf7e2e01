//! How distribution reacts to the network's events: automatic promotion is evaluated where the
//! figures changed. The synchronous subscribers (called by `events`, inside the event's
//! transaction) evaluate the distributor concerned and the nearest levels above; the
//! asynchronous [`DeepUplinePromotion`] evaluates the levels beyond, whose team figures changed
//! too, soon after instead of at the next periodic sweep.

use chrono::NaiveDateTime;

use super::promotion::{self, Trigger};
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::events::{
    Consumer, DistributorJoined, DistributorMoved, DomainEvent, EventKind, SaleRecorded,
    StoredEvent,
};

/// `distributor.sale_recorded`: the seller (personal sales, order count) and the levels above
/// them (team sales).
pub fn on_sale_recorded(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sale: &SaleRecorded,
    at: NaiveDateTime,
) -> AppResult<()> {
    promotion::evaluate_upline_within(
        conn,
        merchant_id,
        sale.distributor_id,
        0,
        Trigger::OrderCompleted,
        at,
    )?;
    Ok(())
}

/// `distributor.joined`: a recruited member gives their sponsor a recruit and the two levels
/// above a team member; a member placed by staff gives every level a team member.
pub fn on_distributor_joined(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    joined: &DistributorJoined,
    now: NaiveDateTime,
) -> AppResult<()> {
    if joined.placed_by_staff {
        promotion::evaluate_upline_within(
            conn,
            merchant_id,
            joined.distributor_id,
            1,
            Trigger::TeamChanged,
            now,
        )?;
    } else {
        promotion::evaluate_after_recruit_within(conn, merchant_id, joined.distributor_id, now)?;
    }
    Ok(())
}

/// `distributor.moved`: the new upline gained a team. The old one only lost figures, and
/// promotion never demotes, so it is left be.
pub fn on_distributor_moved(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    moved: &DistributorMoved,
    now: NaiveDateTime,
) -> AppResult<()> {
    promotion::evaluate_upline_within(
        conn,
        merchant_id,
        moved.distributor_id,
        1,
        Trigger::TeamChanged,
        now,
    )?;
    Ok(())
}

/// Asynchronous consumer: after a sale, a join or a move, the ancestors above the levels
/// evaluated at once (`promotion::UPLINE_LEVELS`), with the same trigger. Evaluating is
/// idempotent (a tier already earned is not earned again), so a repeated delivery changes
/// nothing.
pub struct DeepUplinePromotion;

impl Consumer for DeepUplinePromotion {
    fn name(&self) -> &str {
        "distribution.deep_upline_promotion"
    }

    fn events(&self) -> &[EventKind] {
        &[
            EventKind::SaleRecorded,
            EventKind::DistributorJoined,
            EventKind::DistributorMoved,
        ]
    }

    fn handle(&self, conn: &mut DbConnection, stored: &StoredEvent) -> AppResult<()> {
        let (distributor_id, trigger) = match &stored.event {
            DomainEvent::SaleRecorded(sale) => (sale.distributor_id, Trigger::OrderCompleted),
            DomainEvent::DistributorJoined(joined) => (joined.distributor_id, Trigger::TeamChanged),
            DomainEvent::DistributorMoved(moved) => (moved.distributor_id, Trigger::TeamChanged),
            // Not among `events()`: none of these moves a figure promotion reads.
            DomainEvent::DistributorTierChanged(_)
            | DomainEvent::OrderCancelled(_)
            | DomainEvent::OrderPlaced(_)
            | DomainEvent::OrderPaid(_)
            | DomainEvent::OrderShipped(_)
            | DomainEvent::OrderCompleted(_)
            | DomainEvent::AfterSaleRequested(_)
            | DomainEvent::RefundCompleted(_) => return Ok(()),
        };
        promotion::evaluate_deep_upline_within(
            conn,
            stored.merchant_id,
            distributor_id,
            trigger,
            clock::now(),
        )?;
        Ok(())
    }
}
