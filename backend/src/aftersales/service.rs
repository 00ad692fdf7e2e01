//! Asking for after-sales, deciding, returning the goods, and what a completed refund does to the
//! request. Each step is one write transaction: the request's transition (`state`), what it holds
//! or lets go of on the order's lines (`orders::refunding`), and the refund it creates
//! (`payments::refunds`), which the caller submits after the commit.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::models::{
    AfterSaleInsertForm, AfterSaleItemRow, AfterSaleKind, AfterSaleRow, AfterSaleStatus,
    AfterSaleTimelineInsertForm, AfterSaleTimelineRow,
};
use super::state::{self, AfterSaleAction};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::clock;
use crate::db::ids::{AfterSaleId, MemberId, MerchantId, OrderId};
use crate::db::schema::{after_sale_items, after_sale_timeline, after_sales, orders};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{self, AfterSaleRequested, DomainEvent, RefundCause, RefundCompleted};
use crate::money::Money;
use crate::orders::models::{OrderLineRow, TimelineActor};
use crate::orders::queries;
use crate::orders::refunding::{self, unit_share, LineAmount};
use crate::orders::shipping::tracking_number;
use crate::orders::state::{Actor, OrderStatus};
use crate::payments::gateway::Providers;
use crate::payments::refunds::{self, LineRefund, NewRefund, Refund};
use crate::validate;

/// One line asked back.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AfterSaleItemRequest {
    #[validate(range(min = 1))]
    pub line_no: i32,
    /// Units asked back (0 with an `amount`: money only, e.g. for a damaged item kept).
    #[validate(range(min = 0, max = 9999))]
    pub quantity: i64,
    /// The money asked back for the line; absent: the units' share of what was paid for it.
    pub amount: Option<Money>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AfterSaleRequest {
    pub kind: AfterSaleKind,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "商品破损")]
    pub reason: String,
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(max = 500))]
    pub note: Option<String>,
    /// What is asked back; absent: everything of the order not refunded or asked back yet.
    #[validate(length(min = 1, max = 100), nested)]
    pub items: Option<Vec<AfterSaleItemRequest>>,
}

/// A line of a request, as staff and the buyer see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AfterSaleItem {
    pub line_no: i32,
    pub product_name: String,
    pub sku_code: String,
    pub quantity: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AfterSaleTimelineEntry {
    pub from_status: Option<AfterSaleStatus>,
    pub to_status: AfterSaleStatus,
    pub actor_kind: TimelineActor,
    pub actor_id: Option<i64>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AfterSale {
    #[schema(value_type = i64)]
    pub id: AfterSaleId,
    #[schema(value_type = i64)]
    pub order_id: OrderId,
    pub order_no: String,
    #[schema(value_type = i64)]
    pub member_id: MemberId,
    pub kind: AfterSaleKind,
    pub status: AfterSaleStatus,
    pub reason: String,
    pub note: Option<String>,
    /// The goods' money asked back.
    pub amount: Money,
    /// Freight going back with it (only when the whole order goes back before anything shipped).
    pub freight: Money,
    pub reject_reason: Option<String>,
    pub return_carrier: Option<String>,
    pub return_tracking_no: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AfterSaleDetail {
    #[serde(flatten)]
    pub after_sale: AfterSale,
    pub items: Vec<AfterSaleItem>,
    /// The money going back, once decided.
    pub refund: Option<Refund>,
    /// Oldest first.
    pub timeline: Vec<AfterSaleTimelineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AfterSalePage {
    pub items: Vec<AfterSale>,
    pub next_cursor: Option<i64>,
}

/// The staff's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AfterSaleQuery {
    pub status: Option<AfterSaleStatus>,
    #[param(value_type = Option<i64>)]
    pub order_id: Option<OrderId>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// Default 20, at most 100.
    pub limit: Option<i64>,
}

/// A decision's reason (rejecting a request, refusing returned goods).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AfterSaleDecision {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 200))]
    #[schema(example = "商品已使用，不符合退货条件")]
    pub reason: String,
}

/// The buyer's return shipment.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnShipment {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 50))]
    #[schema(example = "顺丰速运")]
    pub carrier: String,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(custom(function = "tracking_number"))]
    #[schema(example = "SF2000000001")]
    pub tracking_no: String,
}

fn money(fen: i64) -> Money {
    Money::from_fen(fen).unwrap_or(Money::ZERO)
}

fn view(row: AfterSaleRow, order_no: String) -> AfterSale {
    AfterSale {
        id: row.id,
        order_id: row.order_id,
        order_no,
        member_id: row.member_id,
        kind: row.kind,
        status: row.status,
        reason: row.reason,
        note: row.note,
        amount: money(row.amount_fen),
        freight: money(row.freight_fen),
        reject_reason: row.reject_reason,
        return_carrier: row.return_carrier,
        return_tracking_no: row.return_tracking_no,
        created_at: clock::to_utc(row.created_at),
        decided_at: row.decided_at.map(clock::to_utc),
        returned_at: row.returned_at.map(clock::to_utc),
        received_at: row.received_at.map(clock::to_utc),
        refunded_at: row.refunded_at.map(clock::to_utc),
    }
}

fn row(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: AfterSaleId,
) -> AppResult<AfterSaleRow> {
    Ok(after_sales::table
        .filter(after_sales::merchant_id.eq(merchant_id))
        .filter(after_sales::id.eq(id))
        .select(AfterSaleRow::as_select())
        .first(conn)?)
}

fn items_of(conn: &mut DbConnection, id: AfterSaleId) -> AppResult<Vec<AfterSaleItemRow>> {
    Ok(after_sale_items::table
        .filter(after_sale_items::after_sale_id.eq(id))
        .order(after_sale_items::line_no.asc())
        .select(AfterSaleItemRow::as_select())
        .load(conn)?)
}

fn amounts(items: &[AfterSaleItemRow]) -> Vec<LineAmount> {
    items
        .iter()
        .map(|i| LineAmount {
            line_no: i.line_no,
            quantity: i.quantity,
            amount_fen: i.amount_fen,
        })
        .collect()
}

/// One request of the merchant with its items, refund and timeline.
pub fn detail(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: AfterSaleId,
) -> AppResult<AfterSaleDetail> {
    let found = row(conn, merchant_id, id)?;
    let order_no: String = orders::table
        .filter(orders::id.eq(found.order_id))
        .select(orders::order_no)
        .first(conn)?;
    let lines = queries::lines(conn, found.order_id)?;
    let items = items_of(conn, id)?
        .into_iter()
        .map(|i| {
            let line = lines.iter().find(|l| l.line_no == i.line_no);
            AfterSaleItem {
                line_no: i.line_no,
                product_name: line.map(|l| l.product_name.clone()).unwrap_or_default(),
                sku_code: line.map(|l| l.sku_code.clone()).unwrap_or_default(),
                quantity: i.quantity,
                amount: money(i.amount_fen),
            }
        })
        .collect();
    let timeline: Vec<AfterSaleTimelineRow> = after_sale_timeline::table
        .filter(after_sale_timeline::after_sale_id.eq(id))
        .order(after_sale_timeline::id.asc())
        .select(AfterSaleTimelineRow::as_select())
        .load(conn)?;
    let refund = refunds::of_after_sale(conn, merchant_id, id)?;
    Ok(AfterSaleDetail {
        after_sale: view(found, order_no),
        items,
        refund,
        timeline: timeline
            .into_iter()
            .map(|t| AfterSaleTimelineEntry {
                from_status: t.from_status,
                to_status: t.to_status,
                actor_kind: t.actor_kind,
                actor_id: t.actor_id,
                note: t.note,
                at: clock::to_utc(t.created_at),
            })
            .collect(),
    })
}

/// One of the member's own requests; anyone else's is not found.
pub fn my_detail(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    id: AfterSaleId,
) -> AppResult<AfterSaleDetail> {
    let found = detail(conn, merchant_id, id)?;
    if found.after_sale.member_id != member_id {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

fn page(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: Option<MemberId>,
    query: &AfterSaleQuery,
) -> AppResult<AfterSalePage> {
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let mut q = after_sales::table
        .inner_join(orders::table)
        .filter(after_sales::merchant_id.eq(merchant_id))
        .select((AfterSaleRow::as_select(), orders::order_no))
        .order(after_sales::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(member_id) = member_id {
        q = q.filter(after_sales::member_id.eq(member_id));
    }
    if let Some(status) = query.status {
        q = q.filter(after_sales::status.eq(status));
    }
    if let Some(order_id) = query.order_id {
        q = q.filter(after_sales::order_id.eq(order_id));
    }
    if let Some(cursor) = query.cursor {
        q = q.filter(after_sales::id.lt(AfterSaleId(cursor)));
    }
    let rows: Vec<(AfterSaleRow, String)> = q.load(conn)?;
    let more = rows.len() as i64 > limit;
    let mut items: Vec<AfterSale> = rows.into_iter().map(|(r, no)| view(r, no)).collect();
    items.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(AfterSalePage {
        next_cursor: if more {
            items.last().map(|a| a.id.get())
        } else {
            None
        },
        items,
    })
}

/// The merchant's requests, newest first: the after-sales queue (`status=requested`).
pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    query: &AfterSaleQuery,
) -> AppResult<AfterSalePage> {
    page(conn, merchant_id, None, query)
}

/// The member's own requests, newest first.
pub fn mine(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    query: &AfterSaleQuery,
) -> AppResult<AfterSalePage> {
    page(conn, merchant_id, Some(member_id), query)
}

/// What is still refundable of a line: units and money neither refunded nor held by an open
/// request.
fn open_units(line: &OrderLineRow) -> i64 {
    line.quantity - line.refunded_quantity - line.claimed_quantity
}

fn open_fen(line: &OrderLineRow) -> i64 {
    line.commission_base_fen - line.refunded_fen - line.claimed_fen
}

/// The items of a request, checked against what each line has left; every error names its field.
fn asked_items(
    kind: AfterSaleKind,
    lines: &[OrderLineRow],
    asked: Option<&[AfterSaleItemRequest]>,
) -> AppResult<Vec<LineAmount>> {
    let returnable =
        |l: &OrderLineRow| (l.shipped_quantity - l.returned_quantity).min(open_units(l));
    let share = |l: &OrderLineRow, units: i64| {
        unit_share(
            l.commission_base_fen,
            l.quantity,
            l.refunded_quantity + l.claimed_quantity,
            units,
        )
        .min(open_fen(l))
    };
    let Some(asked) = asked else {
        let all: Vec<LineAmount> = lines
            .iter()
            .map(|l| {
                let units = match kind {
                    AfterSaleKind::RefundOnly => open_units(l),
                    AfterSaleKind::ReturnAndRefund => returnable(l).max(0),
                };
                // What units leave, their share; refund only also takes the money left over
                // by earlier amount-only refunds of units that stay.
                let amount = if kind == AfterSaleKind::RefundOnly {
                    open_fen(l)
                } else {
                    share(l, units)
                };
                LineAmount {
                    line_no: l.line_no,
                    quantity: units,
                    amount_fen: amount,
                }
            })
            .filter(|a| a.quantity > 0 || a.amount_fen > 0)
            .collect();
        if all.is_empty() {
            return Err(AppError::conflict(ErrorCode::NothingToRefund));
        }
        return Ok(all);
    };
    let mut seen = std::collections::BTreeMap::new();
    let mut out = Vec::with_capacity(asked.len());
    for (i, want) in asked.iter().enumerate() {
        let Some(line) = lines.iter().find(|l| l.line_no == want.line_no) else {
            return Err(AppError::field(
                format!("items[{i}].line_no"),
                ErrorCode::NotFound,
            ));
        };
        if let Some(first) = seen.insert(want.line_no, i) {
            return Err(AppError::field(
                format!("items[{i}].line_no"),
                ErrorCode::DuplicateLine.arg("first", first),
            ));
        }
        if want.quantity > open_units(line) {
            return Err(AppError::field(
                format!("items[{i}].quantity"),
                ErrorCode::RefundMoreThanLeft.arg("left", open_units(line).max(0)),
            ));
        }
        if kind == AfterSaleKind::ReturnAndRefund
            && (want.quantity == 0 || want.quantity > returnable(line))
        {
            return Err(AppError::field(
                format!("items[{i}].quantity"),
                ErrorCode::ReturnMoreThanShipped.arg("left", returnable(line).max(0)),
            ));
        }
        let amount = match want.amount {
            Some(m) => m.fen(),
            None => share(line, want.quantity),
        };
        if amount > open_fen(line) || amount < 0 {
            return Err(AppError::field(
                format!("items[{i}].amount"),
                ErrorCode::RefundMoreThanLeft.arg("left", money(open_fen(line).max(0))),
            ));
        }
        if amount == 0 && want.quantity == 0 {
            return Err(AppError::field(
                format!("items[{i}].amount"),
                ErrorCode::NothingToRefund,
            ));
        }
        out.push(LineAmount {
            line_no: want.line_no,
            quantity: want.quantity,
            amount_fen: amount,
        });
    }
    Ok(out)
}

/// The buyer asks for after-sales of their order. A paid or shipped order may ask any time; a
/// completed one until `after_sale_until`; a return needs shipped units. What is asked is held
/// on the order's lines until the request is decided, so a second request for the same units is
/// 409 `after_sale_overlap`.
pub fn request(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    order_id: OrderId,
    request: &AfterSaleRequest,
    now: NaiveDateTime,
) -> AppResult<AfterSaleDetail> {
    queries::my_detail(conn, merchant_id, member_id, order_id)?;
    let id = write_transaction(conn, |conn| {
        let (status, order_no, freight_fen, refunded_fen, after_sale_until): (
            OrderStatus,
            String,
            i64,
            i64,
            Option<NaiveDateTime>,
        ) = orders::table
            .filter(orders::id.eq(order_id))
            .select((
                orders::status,
                orders::order_no,
                orders::freight_fen,
                orders::refunded_fen,
                orders::after_sale_until,
            ))
            .first(conn)?;
        let open = match status {
            OrderStatus::Paid => request.kind == AfterSaleKind::RefundOnly,
            OrderStatus::Shipped => true,
            OrderStatus::Completed => {
                let until = after_sale_until.unwrap_or(now);
                if now > until {
                    return Err(AppError::conflict(
                        ErrorCode::AfterSaleClosed.arg("until", clock::to_utc(until).to_rfc3339()),
                    ));
                }
                true
            }
            OrderStatus::PendingPayment | OrderStatus::Cancelled => false,
        };
        if !open {
            return Err(AppError::conflict(
                ErrorCode::AfterSaleNotOpen.arg("status", status.as_str()),
            ));
        }
        let lines = queries::lines(conn, order_id)?;
        let items = asked_items(request.kind, &lines, request.items.as_deref())?;
        // The freight goes back with the whole order, before anything of it left.
        let everything_back = lines.iter().all(|l| {
            let asked = items.iter().find(|a| a.line_no == l.line_no);
            let units = asked.map_or(0, |a| a.quantity);
            let fen = asked.map_or(0, |a| a.amount_fen);
            units == open_units(l) && fen == open_fen(l) && l.claimed_quantity == 0
        });
        let nothing_left = lines.iter().all(|l| l.shipped_quantity == 0);
        let goods_back: i64 = lines.iter().map(|l| l.refunded_fen).sum();
        let freight = if everything_back && nothing_left {
            (freight_fen - (refunded_fen - goods_back)).max(0)
        } else {
            0
        };
        refunding::claim(conn, order_id, &items)?;
        let amount_fen: i64 = items.iter().map(|a| a.amount_fen).sum();
        let id: AfterSaleId = diesel::insert_into(after_sales::table)
            .values(AfterSaleInsertForm {
                merchant_id,
                order_id,
                member_id,
                kind: request.kind,
                status: AfterSaleStatus::Requested,
                reason: &request.reason,
                note: request.note.as_deref(),
                amount_fen,
                freight_fen: freight,
                created_at: now,
                updated_at: now,
            })
            .returning(after_sales::id)
            .get_result(conn)?;
        for item in &items {
            diesel::insert_into(after_sale_items::table)
                .values(AfterSaleItemRow {
                    after_sale_id: id,
                    order_id,
                    line_no: item.line_no,
                    quantity: item.quantity,
                    amount_fen: item.amount_fen,
                })
                .execute(conn)?;
        }
        diesel::insert_into(after_sale_timeline::table)
            .values(AfterSaleTimelineInsertForm {
                after_sale_id: id,
                from_status: None,
                to_status: AfterSaleStatus::Requested,
                actor_kind: TimelineActor::Member,
                actor_id: Some(member_id.get()),
                note: Some(&request.reason),
                created_at: now,
            })
            .execute(conn)?;
        let requested = AfterSaleRequested {
            after_sale_id: id,
            order_id,
            order_no,
            member_id,
            kind: request.kind.as_str().to_owned(),
            amount_fen: amount_fen + freight,
        };
        let amount = money(amount_fen + freight).to_string();
        crate::notify::inbox::notify_staff(
            conn,
            merchant_id,
            crate::notify::inbox::Recipients::Holding(
                crate::auth::permissions::Permission::OrdersWrite,
            ),
            &crate::notify::templates::after_sale_notice(
                id.get(),
                &requested.order_no,
                request.kind.as_str(),
                &amount,
            ),
            now,
        )?;
        events::record(
            conn,
            merchant_id,
            &DomainEvent::AfterSaleRequested(requested),
            now,
        )?;
        Ok(id)
    })?;
    detail(conn, merchant_id, id)
}

/// Creates the refund of an approved request (refund only) or of received goods (a return).
fn refund_for(
    conn: &mut DbConnection,
    found: &AfterSaleRow,
    items: &[AfterSaleItemRow],
    now: NaiveDateTime,
) -> AppResult<()> {
    let lines = queries::lines(conn, found.order_id)?;
    let mut refund_lines = Vec::with_capacity(items.len());
    for item in items {
        let restock = match found.kind {
            // Units that have not left will not: back to stock with the refund.
            AfterSaleKind::RefundOnly => {
                let line = lines
                    .iter()
                    .find(|l| l.line_no == item.line_no)
                    .ok_or(AppError::NotFound)?;
                refunding::cancel_unshipped(conn, found.order_id, line, item.quantity)?
            }
            AfterSaleKind::ReturnAndRefund => {
                refunding::mark_returned(conn, found.order_id, item.line_no, item.quantity)?;
                item.quantity
            }
        };
        refund_lines.push(LineRefund {
            line_no: item.line_no,
            quantity: item.quantity,
            amount_fen: item.amount_fen,
            restock_quantity: restock,
        });
    }
    refunds::create(
        conn,
        found.merchant_id,
        found.order_id,
        &NewRefund {
            cause: RefundCause::AfterSale,
            after_sale_id: Some(found.id),
            receipt_id: None,
            lines: refund_lines,
            freight_fen: found.freight_fen,
        },
        now,
    )?;
    Ok(())
}

/// Tells the buyer what staff decided.
fn tell_decision(
    conn: &mut DbConnection,
    found: &AfterSaleRow,
    approved: bool,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    let order_no: String = orders::table
        .filter(orders::id.eq(found.order_id))
        .select(orders::order_no)
        .first(conn)?;
    let is_return = found.kind == AfterSaleKind::ReturnAndRefund;
    crate::orders::notices::tell_buyer(
        conn,
        found.merchant_id,
        found.member_id,
        found.order_id,
        &crate::notify::templates::after_sale_decided(&order_no, approved, is_return, reason),
        now,
    )
}

fn audit_decision(
    conn: &mut DbConnection,
    caller: &Principal,
    action: &'static str,
    id: AfterSaleId,
    from: AfterSaleStatus,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    let to: AfterSaleStatus = after_sales::table
        .find(id)
        .select(after_sales::status)
        .first(conn)?;
    audit::record(
        conn,
        &caller.audit_actor(),
        &caller.client,
        AuditEntry::new(action)
            .target("after_sale", id)
            .changes(serde_json::json!({
                "status": { "before": from, "after": to },
                "reason": { "before": null, "after": reason },
            })),
        now,
    )
}

/// Staff approve a request: refund only sends the money back now; a return waits for the goods.
/// Two approvals at once approve once (the loser is 409). Audited.
pub fn approve(
    conn: &mut DbConnection,
    providers: &Providers,
    caller: &Principal,
    id: AfterSaleId,
    now: NaiveDateTime,
) -> AppResult<AfterSaleDetail> {
    let merchant_id = caller.tenant()?;
    let found = row(conn, merchant_id, id)?;
    write_transaction(conn, |conn| {
        let from = state::apply(
            conn,
            merchant_id,
            id,
            AfterSaleAction::Approve,
            Actor::of(caller),
            None,
            now,
        )?;
        if found.kind == AfterSaleKind::RefundOnly {
            let items = items_of(conn, id)?;
            refund_for(conn, &found, &items, now)?;
        }
        tell_decision(conn, &found, true, None, now)?;
        audit_decision(conn, caller, "after_sale.approved", id, from, None, now)
    })?;
    refunds::submit_open_of_order(conn, providers, merchant_id, found.order_id, now)?;
    detail(conn, merchant_id, id)
}

/// Staff reject a request, with the reason the buyer reads; what it held is free again. Audited.
pub fn reject(
    conn: &mut DbConnection,
    caller: &Principal,
    id: AfterSaleId,
    decision: &AfterSaleDecision,
    now: NaiveDateTime,
) -> AppResult<AfterSaleDetail> {
    close(conn, caller, id, AfterSaleAction::Reject, decision, now)
}

/// Staff refuse the goods sent back, with the reason; what the request held is free again.
/// Audited.
pub fn refuse_return(
    conn: &mut DbConnection,
    caller: &Principal,
    id: AfterSaleId,
    decision: &AfterSaleDecision,
    now: NaiveDateTime,
) -> AppResult<AfterSaleDetail> {
    close(
        conn,
        caller,
        id,
        AfterSaleAction::RefuseReturn,
        decision,
        now,
    )
}

fn close(
    conn: &mut DbConnection,
    caller: &Principal,
    id: AfterSaleId,
    action: AfterSaleAction,
    decision: &AfterSaleDecision,
    now: NaiveDateTime,
) -> AppResult<AfterSaleDetail> {
    let merchant_id = caller.tenant()?;
    let found = row(conn, merchant_id, id)?;
    write_transaction(conn, |conn| {
        let from = state::apply(
            conn,
            merchant_id,
            id,
            action,
            Actor::of(caller),
            Some(&decision.reason),
            now,
        )?;
        diesel::update(after_sales::table.find(id))
            .set(after_sales::reject_reason.eq(&decision.reason))
            .execute(conn)?;
        let held = amounts(&items_of(conn, id)?);
        refunding::release(conn, found.order_id, &held)?;
        tell_decision(conn, &found, false, Some(&decision.reason), now)?;
        let name = match action {
            AfterSaleAction::RefuseReturn => "after_sale.return_refused",
            _ => "after_sale.rejected",
        };
        audit_decision(conn, caller, name, id, from, Some(&decision.reason), now)
    })?;
    detail(conn, merchant_id, id)
}

/// Staff received the goods back: the units count as returned and the refund goes out. Audited.
pub fn receive_return(
    conn: &mut DbConnection,
    providers: &Providers,
    caller: &Principal,
    id: AfterSaleId,
    now: NaiveDateTime,
) -> AppResult<AfterSaleDetail> {
    let merchant_id = caller.tenant()?;
    let found = row(conn, merchant_id, id)?;
    write_transaction(conn, |conn| {
        let from = state::apply(
            conn,
            merchant_id,
            id,
            AfterSaleAction::ReceiveReturn,
            Actor::of(caller),
            None,
            now,
        )?;
        let items = items_of(conn, id)?;
        refund_for(conn, &found, &items, now)?;
        audit_decision(
            conn,
            caller,
            "after_sale.return_received",
            id,
            from,
            None,
            now,
        )
    })?;
    refunds::submit_open_of_order(conn, providers, merchant_id, found.order_id, now)?;
    detail(conn, merchant_id, id)
}

/// The buyer gives the tracking number of the goods they sent back.
pub fn ship_return(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    id: AfterSaleId,
    shipment: &ReturnShipment,
    now: NaiveDateTime,
) -> AppResult<AfterSaleDetail> {
    my_detail(conn, merchant_id, member_id, id)?;
    write_transaction(conn, |conn| {
        let note = format!("{} {}", shipment.carrier, shipment.tracking_no);
        state::apply(
            conn,
            merchant_id,
            id,
            AfterSaleAction::ShipReturn,
            Actor {
                kind: TimelineActor::Member,
                id: Some(member_id.get()),
            },
            Some(&note),
            now,
        )?;
        diesel::update(after_sales::table.find(id))
            .set((
                after_sales::return_carrier.eq(&shipment.carrier),
                after_sales::return_tracking_no.eq(&shipment.tracking_no),
            ))
            .execute(conn)?;
        Ok::<(), AppError>(())
    })?;
    detail(conn, merchant_id, id)
}

/// The buyer takes their request back (before any money or goods moved); what it held is free.
pub fn withdraw(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    id: AfterSaleId,
    now: NaiveDateTime,
) -> AppResult<AfterSaleDetail> {
    let found = my_detail(conn, merchant_id, member_id, id)?;
    write_transaction(conn, |conn| {
        state::apply(
            conn,
            merchant_id,
            id,
            AfterSaleAction::Withdraw,
            Actor {
                kind: TimelineActor::Member,
                id: Some(member_id.get()),
            },
            None,
            now,
        )?;
        let held = amounts(&items_of(conn, id)?);
        refunding::release(conn, found.after_sale.order_id, &held)
    })?;
    detail(conn, merchant_id, id)
}

/// The synchronous subscriber of `refund.completed`: the request whose refund it was is refunded.
pub(crate) fn on_refund_completed(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    refund: &RefundCompleted,
    now: NaiveDateTime,
) -> AppResult<()> {
    let Some(id) = refund.after_sale_id else {
        return Ok(());
    };
    state::apply(
        conn,
        merchant_id,
        id,
        AfterSaleAction::Refunded,
        Actor::SYSTEM,
        Some(&refund.refund_no),
        now,
    )?;
    Ok(())
}
