//! Cancelling orders — by the buyer, by staff, and by expiry when the payment timeout passes —
//! with their stock given back and `order.cancelled` recorded, all in the transaction of the
//! transition.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::completion;
use super::models::Delivery;
use super::queries::{self, OrderDetail};
use super::state::{self, Actor, OrderAction, OrderStatus};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::db::ids::{DistributorId, MemberId, MerchantId, OrderId};
use crate::db::schema::{order_lines, orders};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{self, CompletionCause, DomainEvent, OrderCancelled, OrderPaid};
use crate::inventory;
use crate::payments::gateway::Providers;
use crate::validate;

/// Why an order is cancelled, as the timeline and the buyer read it.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderCancelRequest {
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(min = 1, max = 200))]
    #[schema(example = "不想要了")]
    pub reason: Option<String>,
}

/// Cancels the order inside the caller's write transaction: the transition, the stock of every
/// line given back (to the presale allowance what came from it), and `order.cancelled`.
fn cancel_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    action: OrderAction,
    actor: Actor,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    if action == OrderAction::CancelByStaff && super::refunding::claims_open(conn, order_id)? {
        return Err(AppError::conflict(ErrorCode::AfterSaleOpenOnOrder));
    }
    let from = state::apply(conn, merchant_id, order_id, action, actor, reason, now)?;
    let (order_no, member_id): (String, MemberId) = orders::table
        .filter(orders::id.eq(order_id))
        .select((orders::order_no, orders::member_id))
        .first(conn)?;
    // Unpaid or paid and not yet shipped: the goods are all still here (less units refunded
    // before, which went back with their refund).
    for line in queries::lines(conn, order_id)? {
        let here = line.quantity - line.cancelled_quantity;
        if here > 0 {
            inventory::give_back(
                conn,
                merchant_id,
                line.sku_id,
                here,
                line.presale_quantity.min(here),
                &order_no,
                now,
            )?;
        }
    }
    let cancelled = OrderCancelled {
        order_id,
        order_no,
        member_id,
        from_status: from,
        refund_due: from == OrderStatus::Paid,
        action: action.as_str().to_owned(),
    };
    events::record(
        conn,
        merchant_id,
        &DomainEvent::OrderCancelled(cancelled),
        now,
    )?;
    Ok(())
}

/// The buyer cancels their unpaid order; anyone else's order is not found, a paid one is 409.
pub fn cancel_by_buyer(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    order_id: OrderId,
    request: &OrderCancelRequest,
    now: NaiveDateTime,
) -> AppResult<OrderDetail> {
    queries::my_detail(conn, merchant_id, member_id, order_id)?;
    write_transaction(conn, |conn| {
        cancel_within(
            conn,
            merchant_id,
            order_id,
            OrderAction::CancelByBuyer,
            Actor {
                kind: super::models::TimelineActor::Member,
                id: Some(member_id.get()),
            },
            request.reason.as_deref(),
            now,
        )
    })?;
    queries::detail(conn, merchant_id, order_id)
}

/// Staff cancel an order, unpaid or paid and not yet shipped: a paid one is refunded whole
/// through the payment that brought it (`refund_due` until the money is back). 409
/// `after_sale_open_on_order` while an after-sales request of the order is open. Audited.
pub fn cancel_by_staff(
    conn: &mut DbConnection,
    providers: &Providers,
    caller: &Principal,
    order_id: OrderId,
    request: &OrderCancelRequest,
    now: NaiveDateTime,
) -> AppResult<OrderDetail> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        cancel_within(
            conn,
            merchant_id,
            order_id,
            OrderAction::CancelByStaff,
            Actor::of(caller),
            request.reason.as_deref(),
            now,
        )?;
        let after = queries::detail(conn, merchant_id, order_id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("order.cancelled")
                .target("order", order_id)
                .changes(serde_json::json!({
                    "status": { "before": after.timeline.last().and_then(|t| t.from_status), "after": after.order.status },
                    "refund_due": { "before": false, "after": after.order.refund_due },
                    "reason": { "before": null, "after": request.reason },
                })),
            now,
        )?;
        Ok::<(), AppError>(())
    })?;
    // The refund leaves once the cancellation is committed.
    crate::payments::refunds::submit_open_of_order(conn, providers, merchant_id, order_id, now)?;
    queries::detail(conn, merchant_id, order_id)
}

/// What one expiry round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExpiryReport {
    pub cancelled: u64,
    /// Orders paid or cancelled by someone else meanwhile: left as they are.
    pub skipped: u64,
    pub failed: u64,
}

/// Orders read per round by the expiry job, unless told otherwise.
pub const EXPIRY_BATCH: i64 = 500;

/// Cancels every unpaid order whose `pay_by` has passed, of every merchant, up to `batch` per
/// call (the caller repeats until a round finds none). Safe with several instances: each order
/// is cancelled by a conditional update on its status, so an order is cancelled once, and one
/// paid at the last moment is left alone.
pub fn expire_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    batch: i64,
) -> AppResult<ExpiryReport> {
    let due: Vec<(OrderId, MerchantId)> = orders::table
        .filter(orders::status.eq(OrderStatus::PendingPayment))
        .filter(orders::pay_by.le(now))
        .order(orders::pay_by.asc())
        .limit(batch.max(1))
        .select((orders::id, orders::merchant_id))
        .load(conn)?;
    let mut report = ExpiryReport::default();
    for (order_id, merchant_id) in due {
        let result = write_transaction(conn, |conn| {
            cancel_within(
                conn,
                merchant_id,
                order_id,
                OrderAction::Expire,
                Actor::SYSTEM,
                Some("payment_timeout"),
                now,
            )
        });
        match result {
            Ok(()) => report.cancelled += 1,
            Err(AppError::InvalidTransition { .. }) => report.skipped += 1,
            Err(err) => {
                report.failed += 1;
                tracing::warn!(order = order_id.get(), error = %err, "expiring an order failed");
            }
        }
    }
    Ok(report)
}

/// Runs [`expire_due`] until no due order is left (or only failing ones).
pub fn expire_all(conn: &mut DbConnection, now: NaiveDateTime) -> AppResult<ExpiryReport> {
    let mut total = ExpiryReport::default();
    loop {
        let round = expire_due(conn, now, EXPIRY_BATCH)?;
        total.cancelled += round.cancelled;
        total.skipped += round.skipped;
        total.failed += round.failed;
        if round.cancelled + round.skipped == 0 {
            return Ok(total);
        }
    }
}

/// What a payment did to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentApplied {
    /// The order was waiting for it and is paid now.
    Paid,
    /// The order was cancelled, or paid already, when the money came: the money is to be
    /// refunded (`refund_due` is set for staff to see).
    ToRefund,
}

/// Applies a payment of `amount_fen` to the order, inside the caller's write transaction (the
/// payments module's, which has recorded the provider's receipt once). An amount other than the
/// order's total is 422 `payment_amount_mismatch` and changes nothing. A waiting order becomes
/// `paid` by the state table, its virtual lines get their codes, and `order.paid` is recorded;
/// any other order is flagged `refund_due`.
pub(crate) fn record_payment(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    amount_fen: i64,
    method: &str,
    actor: Actor,
    now: NaiveDateTime,
) -> AppResult<PaymentApplied> {
    let (status, total_fen, paid_goods_fen, order_no, member_id, distributor_id, delivery): (
        OrderStatus,
        i64,
        i64,
        String,
        MemberId,
        Option<DistributorId>,
        Delivery,
    ) = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(order_id))
        .select((
            orders::status,
            orders::total_fen,
            orders::paid_goods_fen,
            orders::order_no,
            orders::member_id,
            orders::distributor_id,
            orders::delivery,
        ))
        .first(conn)?;
    if amount_fen != total_fen {
        return Err(AppError::unprocessable(
            ErrorCode::PaymentAmountMismatch
                .arg(
                    "amount",
                    crate::money::Money::from_fen(amount_fen).unwrap_or_default(),
                )
                .arg(
                    "total",
                    crate::money::Money::from_fen(total_fen).unwrap_or_default(),
                ),
        ));
    }
    if status != OrderStatus::PendingPayment {
        diesel::update(
            orders::table
                .filter(orders::merchant_id.eq(merchant_id))
                .filter(orders::id.eq(order_id)),
        )
        .set((orders::refund_due.eq(true), orders::updated_at.eq(now)))
        .execute(conn)?;
        tracing::warn!(
            order = order_id.get(),
            status = status.as_str(),
            "payment for an order not waiting for one: to refund"
        );
        return Ok(PaymentApplied::ToRefund);
    }
    state::apply(
        conn,
        merchant_id,
        order_id,
        OrderAction::Pay,
        actor,
        Some(method),
        now,
    )?;
    // The virtual lines' codes, reserved by the placement's stock, go to the order now: those
    // lines are delivered.
    for line in queries::lines(conn, order_id)? {
        if line.sku_kind == crate::catalog::products::SkuKind::Virtual {
            crate::inventory::virtual_codes::claim(
                conn,
                merchant_id,
                line.sku_id,
                line.quantity,
                &order_no,
                now,
            )?;
            diesel::update(
                order_lines::table
                    .filter(order_lines::order_id.eq(order_id))
                    .filter(order_lines::line_no.eq(line.line_no)),
            )
            .set(order_lines::shipped_quantity.eq(order_lines::quantity))
            .execute(conn)?;
        }
    }
    let paid = OrderPaid {
        order_id,
        order_no,
        member_id,
        distributor_id,
        total_fen,
        paid_goods_fen,
        method: method.to_owned(),
    };
    events::record(conn, merchant_id, &DomainEvent::OrderPaid(paid), now)?;
    if delivery == Delivery::Pickup {
        super::pickup::issue_code(conn, merchant_id, order_id, now)?;
    }
    if delivery == Delivery::None {
        // Nothing to send: the codes above were the delivery.
        completion::complete_within(
            conn,
            merchant_id,
            order_id,
            CompletionCause::NothingToShip,
            Actor::SYSTEM,
            now,
        )?;
    }
    Ok(PaymentApplied::Paid)
}
