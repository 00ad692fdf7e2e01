//! The order state table, in one place: which action takes an order from which status to which.
//! Every transition is a conditional update on the status just read, with a timeline entry in
//! the same transaction; an action the table does not allow from the current status is 409
//! `invalid_transition` and changes nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::models::{TimelineActor, TimelineInsertForm};
use crate::auth::principal::{Caller, Principal};
use crate::db::enums::db_enum;
use crate::db::ids::{MerchantId, OrderId};
use crate::db::schema::{order_timeline, orders};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum OrderStatus {
        /// Placed, waiting for its payment until `pay_by`.
        PendingPayment,
        Paid,
        Shipped,
        Completed,
        Cancelled,
    }
}

/// What can happen to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum OrderAction {
    /// A payment was confirmed.
    Pay,
    /// The last unit left in a package.
    Ship,
    /// The buyer confirmed receipt, the packages were delivered, or the time after shipping ran
    /// out.
    Complete,
    /// Handed over without shipping: virtual goods at payment, a pickup order at the counter.
    Deliver,
    /// The buyer cancelled before paying.
    CancelByBuyer,
    /// Unpaid when `pay_by` passed.
    Expire,
    /// Staff cancelled it: unpaid, or paid and not yet shipped (the money is then refunded).
    CancelByStaff,
    /// Every unit was refunded before any left: nothing remains of the order.
    RefundInFull,
}

impl OrderAction {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The table: (from, action, to). Nothing else moves an order.
const TRANSITIONS: &[(OrderStatus, OrderAction, OrderStatus)] = {
    use OrderAction::*;
    use OrderStatus::*;
    &[
        (PendingPayment, Pay, Paid),
        (Paid, Ship, Shipped),
        (Shipped, Complete, Completed),
        (Paid, Deliver, Completed),
        (PendingPayment, CancelByBuyer, Cancelled),
        (PendingPayment, Expire, Cancelled),
        (PendingPayment, CancelByStaff, Cancelled),
        (Paid, CancelByStaff, Cancelled),
        (Paid, RefundInFull, Cancelled),
    ]
};

/// Where `action` takes an order in status `from`, if the table allows it.
pub fn next(from: OrderStatus, action: OrderAction) -> Option<OrderStatus> {
    TRANSITIONS
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
}

/// Who made a change, as the timeline names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub kind: TimelineActor,
    pub id: Option<i64>,
}

impl Actor {
    pub const SYSTEM: Actor = Actor {
        kind: TimelineActor::System,
        id: None,
    };

    pub fn of(principal: &Principal) -> Actor {
        let kind = match principal.caller {
            Caller::Member => TimelineActor::Member,
            Caller::ApiKey => TimelineActor::ApiKey,
            Caller::Staff { .. } | Caller::Operator => TimelineActor::Staff,
        };
        Actor {
            kind,
            id: Some(principal.id),
        }
    }
}

fn refused(from: OrderStatus, action: OrderAction) -> AppError {
    AppError::InvalidTransition {
        from: from.as_str().to_owned(),
        action: action.as_str().to_owned(),
    }
}

/// Writes the timeline entry of a status change (or of the placement, with no `from`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn record(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    from: Option<OrderStatus>,
    to: OrderStatus,
    actor: Actor,
    note: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(order_timeline::table)
        .values(TimelineInsertForm {
            merchant_id,
            order_id,
            from_status: from,
            to_status: to,
            actor_kind: actor.kind,
            actor_id: actor.id,
            note,
            created_at: now,
        })
        .execute(conn)?;
    Ok(())
}

/// Applies `action` to the order inside the caller's transaction and answers the status it left.
/// 404 for another merchant's order; 409 `invalid_transition` when the table does not allow the
/// action from the status read, or when another transaction changed the status in between.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    action: OrderAction,
    actor: Actor,
    note: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<OrderStatus> {
    let from: OrderStatus = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(order_id))
        .select(orders::status)
        .first(conn)?;
    let to = next(from, action).ok_or_else(|| refused(from, action))?;
    let this = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(order_id))
        .filter(orders::status.eq(from));
    let changed = match to {
        OrderStatus::Paid => diesel::update(this)
            .set((
                orders::status.eq(to),
                orders::paid_at.eq(now),
                orders::updated_at.eq(now),
            ))
            .execute(conn)?,
        OrderStatus::Shipped => diesel::update(this)
            .set((
                orders::status.eq(to),
                orders::shipped_at.eq(now),
                orders::updated_at.eq(now),
            ))
            .execute(conn)?,
        OrderStatus::Completed => diesel::update(this)
            .set((
                orders::status.eq(to),
                orders::completed_at.eq(now),
                orders::updated_at.eq(now),
            ))
            .execute(conn)?,
        OrderStatus::Cancelled => diesel::update(this)
            .set((
                orders::status.eq(to),
                orders::cancelled_at.eq(now),
                orders::cancel_reason.eq(note),
                // Paid and cancelled by staff: the money goes back to the buyer. Refunded in
                // full, it has already.
                orders::refund_due
                    .eq(from == OrderStatus::Paid && action == OrderAction::CancelByStaff),
                orders::updated_at.eq(now),
            ))
            .execute(conn)?,
        OrderStatus::PendingPayment => 0,
    };
    if changed != 1 {
        return Err(refused(from, action));
    }
    record(
        conn,
        merchant_id,
        order_id,
        Some(from),
        to,
        actor,
        note,
        now,
    )?;
    Ok(from)
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    #[test]
    fn the_table_allows_exactly_the_documented_moves() {
        use OrderAction::*;
        use OrderStatus::*;
        let allowed: Vec<(OrderStatus, OrderAction, OrderStatus)> = OrderStatus::VARIANTS
            .iter()
            .flat_map(|&from| {
                OrderAction::VARIANTS
                    .iter()
                    .filter_map(move |&action| next(from, action).map(|to| (from, action, to)))
            })
            .collect();
        assert_eq!(
            allowed,
            vec![
                (PendingPayment, Pay, Paid),
                (PendingPayment, CancelByBuyer, Cancelled),
                (PendingPayment, Expire, Cancelled),
                (PendingPayment, CancelByStaff, Cancelled),
                (Paid, Ship, Shipped),
                (Paid, Deliver, Completed),
                (Paid, CancelByStaff, Cancelled),
                (Paid, RefundInFull, Cancelled),
                (Shipped, Complete, Completed),
            ]
        );
        // Nothing leaves a final status.
        for &action in OrderAction::VARIANTS {
            assert_eq!(next(Completed, action), None);
            assert_eq!(next(Cancelled, action), None);
        }
    }
}
