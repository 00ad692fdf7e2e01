//! What after-sales and refunds do to an order's lines — the one writer of the lines' after-sales
//! counters. Every change is a conditional update bounded by what the line allows (and CHECK
//! constraints hold the same bounds), so concurrent requests cannot claim, cancel, return or
//! refund more than was sold and paid:
//!
//! - `claimed_quantity`, `claimed_fen`: held by open after-sales requests; with what was refunded,
//!   never more than the line's units and commission base;
//! - `cancelled_quantity`: units that will not ship (refunded before they left); with the shipped
//!   units, never more than the line's;
//! - `returned_quantity`: shipped units the merchant received back;
//! - `refunded_quantity`, `refunded_fen`: what went back to the buyer.
//!
//! The one rounding of refunds is [`unit_share`]: the money of some units of a line.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::models::OrderLineRow;
use super::queries;
use super::shipping;
use super::state::{self, Actor, OrderAction, OrderStatus};
use crate::db::ids::{MerchantId, OrderId};
use crate::db::schema::{order_lines as ol, orders};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{RefundCause, RefundCompleted};
use crate::inventory;

/// Units and money of one line, as a request claims them or a refund gives them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAmount {
    pub line_no: i32,
    pub quantity: i64,
    pub amount_fen: i64,
}

/// The money of units `from + 1 ..= from + units` of a line of `quantity` units whose buyer paid
/// `base` fen: the difference of two floors, so the shares of any split of the units add up to
/// exactly `base`, and the last unit carries what the floors left.
pub fn unit_share(base: i64, quantity: i64, from: i64, units: i64) -> i64 {
    if quantity <= 0 {
        return 0;
    }
    let upto = |n: i64| -> i64 {
        let n = n.clamp(0, quantity);
        i64::try_from(i128::from(base) * i128::from(n) / i128::from(quantity)).unwrap_or(base)
    };
    upto(from + units) - upto(from)
}

fn overlap() -> AppError {
    AppError::conflict(ErrorCode::AfterSaleOverlap)
}

/// Holds the units and money of open request's lines, or 409 `after_sale_overlap` when another
/// request holds them, or they were refunded, already.
pub(crate) fn claim(
    conn: &mut DbConnection,
    order_id: OrderId,
    items: &[LineAmount],
) -> AppResult<()> {
    for item in items {
        let held = diesel::update(
            ol::table
                .filter(ol::order_id.eq(order_id))
                .filter(ol::line_no.eq(item.line_no))
                .filter(
                    (ol::claimed_quantity + ol::refunded_quantity + item.quantity).le(ol::quantity),
                )
                .filter(
                    (ol::claimed_fen + ol::refunded_fen + item.amount_fen)
                        .le(ol::commission_base_fen),
                ),
        )
        .set((
            ol::claimed_quantity.eq(ol::claimed_quantity + item.quantity),
            ol::claimed_fen.eq(ol::claimed_fen + item.amount_fen),
        ))
        .execute(conn)?;
        if held != 1 {
            return Err(overlap());
        }
    }
    Ok(())
}

/// Lets go of what a rejected or withdrawn request held.
pub(crate) fn release(
    conn: &mut DbConnection,
    order_id: OrderId,
    items: &[LineAmount],
) -> AppResult<()> {
    for item in items {
        let released = diesel::update(
            ol::table
                .filter(ol::order_id.eq(order_id))
                .filter(ol::line_no.eq(item.line_no))
                .filter(ol::claimed_quantity.ge(item.quantity))
                .filter(ol::claimed_fen.ge(item.amount_fen)),
        )
        .set((
            ol::claimed_quantity.eq(ol::claimed_quantity - item.quantity),
            ol::claimed_fen.eq(ol::claimed_fen - item.amount_fen),
        ))
        .execute(conn)?;
        if released != 1 {
            return Err(AppError::internal(format!(
                "order {} line {}: releasing more than was claimed",
                order_id.get(),
                item.line_no
            )));
        }
    }
    Ok(())
}

/// Marks up to `units` of the line's unshipped units as never to ship (a refund before they
/// left) and answers how many were: they go back to stock when the refund completes.
pub(crate) fn cancel_unshipped(
    conn: &mut DbConnection,
    order_id: OrderId,
    line: &OrderLineRow,
    units: i64,
) -> AppResult<i64> {
    let left = line.quantity - line.shipped_quantity - line.cancelled_quantity;
    let cancel = units.min(left).max(0);
    if cancel == 0 {
        return Ok(0);
    }
    let changed = diesel::update(
        ol::table
            .filter(ol::order_id.eq(order_id))
            .filter(ol::line_no.eq(line.line_no))
            .filter((ol::shipped_quantity + ol::cancelled_quantity + cancel).le(ol::quantity)),
    )
    .set(ol::cancelled_quantity.eq(ol::cancelled_quantity + cancel))
    .execute(conn)?;
    if changed != 1 {
        return Err(AppError::conflict(ErrorCode::OrderChanged));
    }
    Ok(cancel)
}

/// Counts `units` of the line as received back from the buyer.
pub(crate) fn mark_returned(
    conn: &mut DbConnection,
    order_id: OrderId,
    line_no: i32,
    units: i64,
) -> AppResult<()> {
    let changed = diesel::update(
        ol::table
            .filter(ol::order_id.eq(order_id))
            .filter(ol::line_no.eq(line_no))
            .filter((ol::returned_quantity + units).le(ol::shipped_quantity)),
    )
    .set(ol::returned_quantity.eq(ol::returned_quantity + units))
    .execute(conn)?;
    if changed != 1 {
        return Err(AppError::conflict(ErrorCode::OrderChanged));
    }
    Ok(())
}

/// Whether an open after-sales request holds units or money of the order (staff cancelling and
/// handing over wait for its decision).
pub(crate) fn claims_open(conn: &mut DbConnection, order_id: OrderId) -> AppResult<bool> {
    let claimed: i64 = ol::table
        .filter(ol::order_id.eq(order_id))
        .filter(ol::claimed_quantity.gt(0).or(ol::claimed_fen.gt(0)))
        .count()
        .get_result(conn)?;
    Ok(claimed > 0)
}

/// The synchronous subscriber of `refund.completed`: the money and units of each line counted as
/// refunded (and let go of, when a request held them), the units back in stock, the order's
/// refunded total; and, for a paid order with nothing left to send, its next status — `shipped`
/// when some units left, `cancelled` when the whole order was refunded before anything did.
pub(crate) fn on_refund_completed(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    refund: &RefundCompleted,
    now: NaiveDateTime,
) -> AppResult<()> {
    if refund.cause != RefundCause::AfterSale {
        // A cancelled order's money is back: it is no longer due.
        diesel::update(orders::table.filter(orders::id.eq(refund.order_id)))
            .set(orders::refund_due.eq(false))
            .execute(conn)?;
    }
    let amount = crate::money::Money::from_fen(refund.amount_fen).unwrap_or_default();
    super::notices::tell_buyer(
        conn,
        merchant_id,
        refund.member_id,
        refund.order_id,
        &crate::notify::templates::refund_completed(&refund.order_no, &amount.to_string()),
        now,
    )?;
    if refund.cause == RefundCause::LatePayment {
        // Money that never paid the order: nothing else of the order changes.
        return Ok(());
    }
    // The goods' money back (freight excluded, as the sale was recorded) is taken back from the
    // sales of the distributor who brought the order and of their upline, and from the sale's
    // fact that leaderboards and contests sum.
    let goods_back = refund.amount_fen - refund.freight_fen;
    if let (Some(distributor_id), true) = (refund.distributor_id, goods_back > 0) {
        crate::network::adjust_sales(conn, merchant_id, distributor_id, -goods_back, 0, now)?;
        crate::contests::facts::take_back(conn, merchant_id, &refund.order_no, goods_back)?;
    }
    let held = refund.cause == RefundCause::AfterSale;
    let order_no: String = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(refund.order_id))
        .select(orders::order_no)
        .first(conn)?;
    let lines = queries::lines(conn, refund.order_id)?;
    for item in &refund.lines {
        let this = ol::table
            .filter(ol::order_id.eq(refund.order_id))
            .filter(ol::line_no.eq(item.line_no));
        let changed = if held {
            diesel::update(
                this.filter(ol::claimed_quantity.ge(item.quantity))
                    .filter(ol::claimed_fen.ge(item.amount_fen)),
            )
            .set((
                ol::claimed_quantity.eq(ol::claimed_quantity - item.quantity),
                ol::claimed_fen.eq(ol::claimed_fen - item.amount_fen),
                ol::refunded_quantity.eq(ol::refunded_quantity + item.quantity),
                ol::refunded_fen.eq(ol::refunded_fen + item.amount_fen),
            ))
            .execute(conn)?
        } else {
            diesel::update(this)
                .set((
                    ol::refunded_quantity.eq(ol::refunded_quantity + item.quantity),
                    ol::refunded_fen.eq(ol::refunded_fen + item.amount_fen),
                ))
                .execute(conn)?
        };
        if changed != 1 {
            return Err(AppError::internal(format!(
                "refund {}: line {} cannot take it",
                refund.refund_no, item.line_no
            )));
        }
        if item.restock_quantity > 0 {
            let line = lines
                .iter()
                .find(|l| l.line_no == item.line_no)
                .ok_or(AppError::NotFound)?;
            inventory::give_back(
                conn,
                merchant_id,
                line.sku_id,
                item.restock_quantity,
                0,
                &order_no,
                now,
            )?;
        }
    }
    let total_back = diesel::update(
        orders::table
            .filter(orders::id.eq(refund.order_id))
            .filter((orders::refunded_fen + refund.amount_fen).le(orders::total_fen)),
    )
    .set((
        orders::refunded_fen.eq(orders::refunded_fen + refund.amount_fen),
        orders::updated_at.eq(now),
    ))
    .execute(conn)?;
    if total_back != 1 {
        return Err(AppError::internal(format!(
            "refund {}: more than the order's total",
            refund.refund_no
        )));
    }
    let status: OrderStatus = orders::table
        .filter(orders::id.eq(refund.order_id))
        .select(orders::status)
        .first(conn)?;
    if status == OrderStatus::Paid {
        let lines = queries::lines(conn, refund.order_id)?;
        let all_settled = lines
            .iter()
            .all(|l| l.shipped_quantity + l.cancelled_quantity == l.quantity);
        let any_shipped = lines.iter().any(|l| l.shipped_quantity > 0);
        if all_settled && any_shipped {
            shipping::mark_shipped(conn, merchant_id, refund.order_id, Actor::SYSTEM, None, now)?;
        } else if all_settled {
            state::apply(
                conn,
                merchant_id,
                refund.order_id,
                OrderAction::RefundInFull,
                Actor::SYSTEM,
                Some("refunded"),
                now,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn shares_follow_the_floors() {
        // 100.00 over 3 units: 33.33, 33.33, 33.34.
        assert_eq!(unit_share(10_000, 3, 0, 1), 3_333);
        assert_eq!(unit_share(10_000, 3, 1, 1), 3_333);
        assert_eq!(unit_share(10_000, 3, 2, 1), 3_334);
        assert_eq!(unit_share(10_000, 3, 0, 3), 10_000);
        assert_eq!(unit_share(0, 3, 0, 2), 0);
        assert_eq!(unit_share(10_000, 0, 0, 1), 0);
        // Past the line's units there is nothing more.
        assert_eq!(unit_share(10_000, 3, 2, 5), 3_334);
    }

    proptest! {
        #[test]
        fn any_split_of_the_units_adds_up_to_the_base(
            base in 0i64..=100_000_000_000,
            quantity in 1i64..=9999,
            cuts in proptest::collection::vec(1i64..=50, 0..20),
        ) {
            let mut from = 0;
            let mut total = 0;
            for cut in cuts {
                let units = cut.min(quantity - from);
                let share = unit_share(base, quantity, from, units);
                prop_assert!(share >= 0);
                total += share;
                from += units;
            }
            total += unit_share(base, quantity, from, quantity - from);
            prop_assert_eq!(total, base);
        }
    }
}
