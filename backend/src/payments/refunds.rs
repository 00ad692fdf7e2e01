//! Refunds: money going back through the payment that brought it, exactly once.
//!
//! A refund is created `pending` inside the transaction that decides it — an approved
//! after-sales request, a staff cancellation of a paid order (`order.cancelled` with
//! `refund_due`), a payment that came for an order no longer waiting — with what it gives back of
//! each line. It is then submitted to its provider outside any transaction: by the request that
//! created it, right after its commit, and by the refund job for any left behind (a crash between
//! the two). Submission is claimed by a lease on the row (`locked_until`), so one instance submits
//! a refund at a time. The sandbox answers at once; a bank transfer waits for finance to record
//! it. Its success is a conditional update from `pending`/`processing` to `succeeded` that records
//! `refund.completed` (keyed by the refund number) in the same transaction, whose subscribers
//! count the lines and give the stock back: a second success, a duplicated callback, changes
//! nothing.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::attempts::AttemptStatus;
use super::gateway::{self, ProviderAnswer, Providers};
use super::settings::PaymentKind;
use super::{alipay, settings, wechat};
use crate::audit::{self, AuditEntry};
use crate::auth::permissions::Permission;
use crate::auth::principal::Principal;
use crate::clock;
use crate::db::enums::db_enum;
use crate::db::ids::{AfterSaleId, MerchantId, OrderId, RefundId};
use crate::db::schema::{
    order_lines, orders, payment_attempts as pa, refund_lines as rl, refunds as rf,
};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{
    self, DomainEvent, OrderCancelled, RefundCause, RefundCompleted, RefundedLine,
};
use crate::money::Money;
use crate::notify::inbox::{self, Recipients};
use crate::notify::templates;
use crate::validate;

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum RefundStatus {
        /// Decided, not yet accepted by the provider (a bank transfer: not yet made by finance).
        Pending,
        /// Submitted; the provider's answer is awaited.
        Processing,
        Succeeded,
        /// The provider refused it; finance looks into it.
        Failed,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rf)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct RefundRow {
    pub id: RefundId,
    pub merchant_id: MerchantId,
    pub order_id: OrderId,
    pub refund_no: String,
    pub cause: RefundCause,
    pub after_sale_id: Option<AfterSaleId>,
    pub attempt_id: i64,
    pub method: PaymentKind,
    pub amount_fen: i64,
    pub freight_fen: i64,
    pub status: RefundStatus,
    pub provider_refund_id: Option<String>,
    pub failure_reason: Option<String>,
    pub tries: i32,
    pub created_at: NaiveDateTime,
    pub refunded_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = rf)]
struct RefundInsertForm<'a> {
    merchant_id: MerchantId,
    order_id: OrderId,
    refund_no: &'a str,
    cause: RefundCause,
    after_sale_id: Option<AfterSaleId>,
    receipt_id: Option<i64>,
    attempt_id: i64,
    method: PaymentKind,
    amount_fen: i64,
    freight_fen: i64,
    status: RefundStatus,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = rl)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct RefundLineForm {
    refund_id: RefundId,
    order_id: OrderId,
    line_no: i32,
    quantity: i64,
    amount_fen: i64,
    restock_quantity: i64,
}

/// What a new refund gives back of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRefund {
    pub line_no: i32,
    pub quantity: i64,
    pub amount_fen: i64,
    pub restock_quantity: i64,
}

/// A refund to create: why, and what of each line (plus freight).
#[derive(Debug, Clone)]
pub struct NewRefund {
    pub cause: RefundCause,
    pub after_sale_id: Option<AfterSaleId>,
    /// A late payment's receipt: the refund returns that payment.
    pub receipt_id: Option<i64>,
    pub lines: Vec<LineRefund>,
    pub freight_fen: i64,
}

/// A line of a refund, as staff and the buyer see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefundLineView {
    pub line_no: i32,
    pub quantity: i64,
    pub amount: Money,
    /// Units back in stock with it.
    pub restock_quantity: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Refund {
    #[schema(value_type = i64)]
    pub id: RefundId,
    /// What the provider knows it by: the order number, `R` and a sequence.
    #[schema(example = "20261203090507000042R01")]
    pub refund_no: String,
    #[schema(value_type = i64)]
    pub order_id: OrderId,
    pub cause: RefundCause,
    #[schema(value_type = Option<i64>)]
    pub after_sale_id: Option<AfterSaleId>,
    /// The method of the payment it goes back through.
    pub method: PaymentKind,
    /// In all, freight included.
    pub amount: Money,
    pub freight: Money,
    pub status: RefundStatus,
    /// The provider's id of the refund (a bank transfer: the bank's reference), once made.
    pub provider_refund_id: Option<String>,
    pub failure_reason: Option<String>,
    pub lines: Vec<RefundLineView>,
    pub created_at: DateTime<Utc>,
    pub refunded_at: Option<DateTime<Utc>>,
}

fn money(fen: i64) -> Money {
    Money::from_fen(fen).unwrap_or(Money::ZERO)
}

fn view(row: RefundRow, lines: Vec<RefundLineForm>) -> Refund {
    Refund {
        id: row.id,
        refund_no: row.refund_no,
        order_id: row.order_id,
        cause: row.cause,
        after_sale_id: row.after_sale_id,
        method: row.method,
        amount: money(row.amount_fen),
        freight: money(row.freight_fen),
        status: row.status,
        provider_refund_id: row.provider_refund_id,
        failure_reason: row.failure_reason,
        lines: lines
            .into_iter()
            .map(|l| RefundLineView {
                line_no: l.line_no,
                quantity: l.quantity,
                amount: money(l.amount_fen),
                restock_quantity: l.restock_quantity,
            })
            .collect(),
        created_at: clock::to_utc(row.created_at),
        refunded_at: row.refunded_at.map(clock::to_utc),
    }
}

fn lines_of(conn: &mut DbConnection, refund_id: RefundId) -> AppResult<Vec<RefundLineForm>> {
    Ok(rl::table
        .filter(rl::refund_id.eq(refund_id))
        .order(rl::line_no.asc())
        .select(RefundLineForm::as_select())
        .load(conn)?)
}

fn row(conn: &mut DbConnection, merchant_id: MerchantId, id: RefundId) -> AppResult<RefundRow> {
    Ok(rf::table
        .filter(rf::merchant_id.eq(merchant_id))
        .filter(rf::id.eq(id))
        .select(RefundRow::as_select())
        .first(conn)?)
}

/// One refund of the merchant; another merchant's is not found.
pub fn get(conn: &mut DbConnection, merchant_id: MerchantId, id: RefundId) -> AppResult<Refund> {
    let found = row(conn, merchant_id, id)?;
    let lines = lines_of(conn, id)?;
    Ok(view(found, lines))
}

/// The order's refunds, oldest first.
pub fn of_order(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
) -> AppResult<Vec<Refund>> {
    let rows: Vec<RefundRow> = rf::table
        .filter(rf::merchant_id.eq(merchant_id))
        .filter(rf::order_id.eq(order_id))
        .order(rf::id.asc())
        .select(RefundRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let lines = lines_of(conn, r.id)?;
            Ok(view(r, lines))
        })
        .collect()
}

/// The refund of an after-sales request, if it has one.
pub fn of_after_sale(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    after_sale_id: AfterSaleId,
) -> AppResult<Option<Refund>> {
    let found: Option<RefundRow> = rf::table
        .filter(rf::merchant_id.eq(merchant_id))
        .filter(rf::after_sale_id.eq(after_sale_id))
        .select(RefundRow::as_select())
        .first(conn)
        .optional()?;
    match found {
        Some(r) => {
            let lines = lines_of(conn, r.id)?;
            Ok(Some(view(r, lines)))
        }
        None => Ok(None),
    }
}

/// The staff's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RefundQuery {
    pub status: Option<RefundStatus>,
    pub method: Option<PaymentKind>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// Default 20, at most 100.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefundPage {
    pub items: Vec<Refund>,
    pub next_cursor: Option<i64>,
}

/// The merchant's refunds, newest first: finance's queue (`status=pending&method=bank_transfer`).
pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    query: &RefundQuery,
) -> AppResult<RefundPage> {
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let mut q = rf::table
        .filter(rf::merchant_id.eq(merchant_id))
        .select(RefundRow::as_select())
        .order(rf::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(status) = query.status {
        q = q.filter(rf::status.eq(status));
    }
    if let Some(method) = query.method {
        q = q.filter(rf::method.eq(method));
    }
    if let Some(cursor) = query.cursor {
        q = q.filter(rf::id.lt(RefundId(cursor)));
    }
    let rows: Vec<RefundRow> = q.load(conn)?;
    let more = rows.len() as i64 > limit;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows.into_iter().take(usize::try_from(limit).unwrap_or(0)) {
        let lines = lines_of(conn, r.id)?;
        items.push(view(r, lines));
    }
    Ok(RefundPage {
        next_cursor: if more {
            items.last().map(|r| r.id.get())
        } else {
            None
        },
        items,
    })
}

fn taken(e: DieselError) -> AppError {
    match e {
        // The same request, cancellation or receipt refunded at the same moment, or two
        // refunds of the order numbered at once: the loser's transaction rolls back.
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            AppError::conflict(ErrorCode::OrderChanged)
        }
        other => other.into(),
    }
}

/// Creates a pending refund inside the caller's write transaction, through the order's
/// successful payment (or, for a late payment, that payment's own attempt), and answers its id.
pub(crate) fn create(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    new: &NewRefund,
    now: NaiveDateTime,
) -> AppResult<RefundId> {
    let goods: i64 = new.lines.iter().map(|l| l.amount_fen).sum();
    let amount_fen = goods + new.freight_fen;
    if amount_fen <= 0 {
        return Err(AppError::unprocessable(ErrorCode::NothingToRefund));
    }
    let attempt: (i64, PaymentKind) = match new.receipt_id {
        Some(receipt_id) => {
            let attempt_id: i64 = crate::db::schema::payment_receipts::table
                .find(receipt_id)
                .select(crate::db::schema::payment_receipts::attempt_id)
                .first(conn)?;
            pa::table
                .find(attempt_id)
                .select((pa::id, pa::method))
                .first(conn)?
        }
        None => pa::table
            .filter(pa::merchant_id.eq(merchant_id))
            .filter(pa::order_id.eq(order_id))
            .filter(pa::status.eq(AttemptStatus::Succeeded))
            .order(pa::paid_at.asc())
            .select((pa::id, pa::method))
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                AppError::internal(format!("order {}: paid without a payment", order_id.get()))
            })?,
    };
    let order_no: String = orders::table
        .filter(orders::id.eq(order_id))
        .select(orders::order_no)
        .first(conn)?;
    let earlier: i64 = rf::table
        .filter(rf::order_id.eq(order_id))
        .count()
        .get_result(conn)?;
    let refund_no = format!("{order_no}R{:02}", earlier + 1);
    let refund_id: RefundId = diesel::insert_into(rf::table)
        .values(RefundInsertForm {
            merchant_id,
            order_id,
            refund_no: &refund_no,
            cause: new.cause,
            after_sale_id: new.after_sale_id,
            receipt_id: new.receipt_id,
            attempt_id: attempt.0,
            method: attempt.1,
            amount_fen,
            freight_fen: new.freight_fen,
            status: RefundStatus::Pending,
            created_at: now,
            updated_at: now,
        })
        .returning(rf::id)
        .get_result(conn)
        .map_err(taken)?;
    for line in &new.lines {
        diesel::insert_into(rl::table)
            .values(RefundLineForm {
                refund_id,
                order_id,
                line_no: line.line_no,
                quantity: line.quantity,
                amount_fen: line.amount_fen,
                restock_quantity: line.restock_quantity,
            })
            .execute(conn)?;
    }
    Ok(refund_id)
}

/// The synchronous subscriber of `order.cancelled`: a paid order cancelled by staff is refunded
/// whole (what is left of it, when part was refunded before), through the same path as
/// after-sales. Its stock came back with the cancellation.
pub(crate) fn on_order_cancelled(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    cancelled: &OrderCancelled,
    now: NaiveDateTime,
) -> AppResult<()> {
    if !cancelled.refund_due {
        return Ok(());
    }
    let lines: Vec<(i32, i64, i64, i64, i64)> = order_lines::table
        .filter(order_lines::order_id.eq(cancelled.order_id))
        .order(order_lines::line_no.asc())
        .select((
            order_lines::line_no,
            order_lines::quantity,
            order_lines::refunded_quantity,
            order_lines::commission_base_fen,
            order_lines::refunded_fen,
        ))
        .load(conn)?;
    let (total, refunded): (i64, i64) = orders::table
        .filter(orders::id.eq(cancelled.order_id))
        .select((orders::total_fen, orders::refunded_fen))
        .first(conn)?;
    let lines: Vec<LineRefund> = lines
        .into_iter()
        .map(
            |(line_no, quantity, refunded_quantity, base, refunded_fen)| LineRefund {
                line_no,
                quantity: quantity - refunded_quantity,
                amount_fen: base - refunded_fen,
                restock_quantity: 0,
            },
        )
        .filter(|l| l.quantity > 0 || l.amount_fen > 0)
        .collect();
    let goods: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let freight_fen = (total - refunded - goods).max(0);
    if goods + freight_fen == 0 {
        return Ok(());
    }
    create(
        conn,
        merchant_id,
        cancelled.order_id,
        &NewRefund {
            cause: RefundCause::OrderCancelled,
            after_sale_id: None,
            receipt_id: None,
            lines,
            freight_fen,
        },
        now,
    )?;
    Ok(())
}

/// The refund of a payment that came for an order no longer waiting for one (called in the
/// receipt's transaction).
pub(crate) fn for_late_payment(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    receipt_id: i64,
    amount_fen: i64,
    now: NaiveDateTime,
) -> AppResult<RefundId> {
    create(
        conn,
        merchant_id,
        order_id,
        &NewRefund {
            cause: RefundCause::LatePayment,
            after_sale_id: None,
            receipt_id: Some(receipt_id),
            lines: Vec::new(),
            // Not the order's freight: the whole payment goes back, counted here as such.
            freight_fen: amount_fen,
        },
        now,
    )
}

/// Marks the refund succeeded, once, in its own write transaction; see [`succeed_within`].
pub(crate) fn succeed(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    refund_id: RefundId,
    provider_refund_id: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    write_transaction(conn, |conn| {
        succeed_within(conn, merchant_id, refund_id, provider_refund_id, OPEN, now)
    })
}

/// The statuses a refund succeeds from when its provider says so.
const OPEN: &[RefundStatus] = &[RefundStatus::Pending, RefundStatus::Processing];
/// What finance may record as made by hand: a bank transfer not made yet (or refused), and a
/// provider's refund only once the provider refused it — while Alipay or WeChat Pay may still
/// pay it, a refund by hand would pay twice.
fn recordable(method: PaymentKind) -> &'static [RefundStatus] {
    match method {
        PaymentKind::BankTransfer => &[
            RefundStatus::Pending,
            RefundStatus::Processing,
            RefundStatus::Failed,
        ],
        PaymentKind::Alipay | PaymentKind::WechatPay => &[RefundStatus::Failed],
        PaymentKind::Sandbox => &[],
    }
}

/// A provider's verified word that the money went back is the truth even about a refund marked
/// failed (its status query was refused, say): it succeeds from there too.
const PROVIDER_SAYS_REFUNDED: &[RefundStatus] = &[
    RefundStatus::Pending,
    RefundStatus::Processing,
    RefundStatus::Failed,
];

/// Succeeds the refund on its provider's notification; see [`PROVIDER_SAYS_REFUNDED`].
pub(crate) fn succeed_on_notice(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    refund_id: RefundId,
    provider_refund_id: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    write_transaction(conn, |conn| {
        succeed_within(
            conn,
            merchant_id,
            refund_id,
            provider_refund_id,
            PROVIDER_SAYS_REFUNDED,
            now,
        )
    })
}

/// Marks the refund succeeded, once, from one of the statuses `from`, inside the caller's write
/// transaction, and records `refund.completed` (its subscribers count the lines and give the
/// stock back). False when it had succeeded already.
pub(crate) fn succeed_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    refund_id: RefundId,
    provider_refund_id: &str,
    from: &[RefundStatus],
    now: NaiveDateTime,
) -> AppResult<bool> {
    {
        let changed = diesel::update(
            rf::table
                .filter(rf::merchant_id.eq(merchant_id))
                .filter(rf::id.eq(refund_id))
                .filter(rf::status.eq_any(from)),
        )
        .set((
            rf::status.eq(RefundStatus::Succeeded),
            rf::provider_refund_id.eq(provider_refund_id),
            rf::failure_reason.eq(None::<String>),
            rf::locked_until.eq(None::<NaiveDateTime>),
            rf::refunded_at.eq(now),
            rf::updated_at.eq(now),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Ok(false);
        }
        let refund = row(conn, merchant_id, refund_id)?;
        let (order_no, member_id, distributor_id) = orders::table
            .filter(orders::id.eq(refund.order_id))
            .select((orders::order_no, orders::member_id, orders::distributor_id))
            .first(conn)?;
        let sku_of: Vec<(i32, crate::db::ids::SkuId)> = order_lines::table
            .filter(order_lines::order_id.eq(refund.order_id))
            .select((order_lines::line_no, order_lines::sku_id))
            .load(conn)?;
        let lines = lines_of(conn, refund_id)?
            .into_iter()
            .map(|l| {
                let sku_id = sku_of
                    .iter()
                    .find(|(no, _)| *no == l.line_no)
                    .map(|(_, sku)| *sku)
                    .ok_or(AppError::NotFound)?;
                Ok(RefundedLine {
                    line_no: l.line_no,
                    sku_id,
                    quantity: l.quantity,
                    amount_fen: l.amount_fen,
                    restock_quantity: l.restock_quantity,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let completed = RefundCompleted {
            refund_id,
            refund_no: refund.refund_no,
            order_id: refund.order_id,
            order_no,
            member_id,
            distributor_id,
            cause: refund.cause,
            after_sale_id: refund.after_sale_id,
            amount_fen: refund.amount_fen,
            freight_fen: refund.freight_fen,
            method: refund.method.as_str().to_owned(),
            lines,
        };
        events::record(
            conn,
            merchant_id,
            &DomainEvent::RefundCompleted(completed),
            now,
        )?;
        Ok(true)
    }
}

/// How long a submission holds its refund before another instance may try again (longer than a
/// provider may take to answer).
pub const SUBMIT_LEASE: i64 = 120;
/// Tries without a usable answer before a refund is given up as failed (about 40 minutes of
/// the refund job's asking).
pub const MAX_TRIES: i32 = 20;

/// A pending refund by its number, of any merchant (provider notifications name no merchant);
/// 422 `unknown_payment` when there is none.
pub(crate) fn by_number(conn: &mut DbConnection, refund_no: &str) -> AppResult<RefundRow> {
    rf::table
        .filter(rf::refund_no.eq(refund_no))
        .select(RefundRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::unprocessable(ErrorCode::UnknownPayment))
}

/// Marks an open refund failed, once: its provider refused it, and staff who may refund are told
/// in their inbox, to look into it (and record it made by hand). False when it was no longer
/// open.
pub(crate) fn refuse(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    refund_id: RefundId,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    write_transaction(conn, |conn| {
        refuse_within(conn, merchant_id, refund_id, reason, now)
    })
}

fn refuse_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    refund_id: RefundId,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let changed = diesel::update(
        rf::table
            .filter(rf::merchant_id.eq(merchant_id))
            .filter(rf::id.eq(refund_id))
            .filter(rf::status.eq_any(OPEN)),
    )
    .set((
        rf::status.eq(RefundStatus::Failed),
        rf::failure_reason.eq(reason),
        rf::locked_until.eq(None::<NaiveDateTime>),
        rf::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 1 {
        tracing::warn!(
            refund = refund_id.get(),
            reason,
            "a provider refused a refund"
        );
        let refund = row(conn, merchant_id, refund_id)?;
        inbox::notify_staff(
            conn,
            merchant_id,
            Recipients::Holding(Permission::OrdersWrite),
            &templates::refund_failed_notice(
                refund_id.get(),
                &refund.refund_no,
                &money(refund.amount_fen).to_string(),
                reason,
            ),
            now,
        )?;
    }
    Ok(changed == 1)
}

/// What the buyer reads of a refund on the provider's side.
fn reason_of(cause: RefundCause) -> &'static str {
    match cause {
        RefundCause::AfterSale => "售后退款",
        RefundCause::OrderCancelled => "订单取消退款",
        RefundCause::LatePayment => "订单已关闭，退回支付款",
    }
}

/// Sends the refund to Alipay or WeChat Pay (the caller holds its lease) and answers what the
/// provider made of it.
fn ask_provider(
    conn: &mut DbConnection,
    providers: &Providers,
    refund: &RefundRow,
) -> AppResult<ProviderAnswer> {
    // Requests carry, and answers are checked against, the time it really is.
    let now = clock::now();
    let (token, paid_fen): (String, i64) = pa::table
        .find(refund.attempt_id)
        .select((pa::token, pa::amount_fen))
        .first(conn)?;
    let Some(settings) =
        settings::configured(conn, &providers.cipher, refund.merchant_id, refund.method)?
    else {
        return Ok(ProviderAnswer::Unanswered {
            reason: "payment_method_not_configured".into(),
        });
    };
    let reason = reason_of(refund.cause);
    match refund.method {
        PaymentKind::Alipay => {
            let app = alipay::AlipayApp::from_settings(&settings)?;
            let request = alipay::RefundRequest {
                out_trade_no: &token,
                out_request_no: &refund.refund_no,
                amount: money(refund.amount_fen),
                reason,
            };
            let at = super::attempts::beijing_time(now);
            gateway::run(alipay::refund(
                &providers.alipay_gateway,
                &app,
                &request,
                at,
            ))
        }
        PaymentKind::WechatPay => {
            let merchant = wechat::WechatMerchant::from_settings(&settings)?;
            let notify_url = format!(
                "{}{}/{}",
                providers.notify_base,
                wechat::REFUND_NOTIFY_PATH,
                refund.refund_no
            );
            let request = wechat::RefundRequest {
                out_trade_no: &token,
                out_refund_no: &refund.refund_no,
                reason,
                refund_fen: refund.amount_fen,
                total_fen: paid_fen,
                notify_url: &notify_url,
            };
            gateway::run(wechat::refund(
                &providers.wechatpay_api_base,
                &merchant,
                &request,
                now.and_utc().timestamp(),
            ))
        }
        PaymentKind::Sandbox | PaymentKind::BankTransfer => Err(AppError::internal(
            "only Alipay and WeChat Pay refunds go over HTTP",
        )),
    }
}

/// Records what the provider made of a submitted refund. A success goes through
/// [`succeed`] (once, whoever comes first: this answer or the provider's notification); an
/// unanswered refund stays pending under its lease, for the refund job to ask again.
fn apply_answer(
    conn: &mut DbConnection,
    refund: &RefundRow,
    answer: ProviderAnswer,
    now: NaiveDateTime,
) -> AppResult<()> {
    match answer {
        ProviderAnswer::Refunded { provider_refund_id } => {
            succeed(
                conn,
                refund.merchant_id,
                refund.id,
                &provider_refund_id,
                now,
            )?;
        }
        ProviderAnswer::Accepted { provider_refund_id } => {
            diesel::update(
                rf::table
                    .filter(rf::id.eq(refund.id))
                    .filter(rf::status.eq(RefundStatus::Pending)),
            )
            .set((
                rf::status.eq(RefundStatus::Processing),
                rf::provider_refund_id.eq(provider_refund_id),
                rf::failure_reason.eq(None::<String>),
                rf::locked_until.eq(None::<NaiveDateTime>),
                rf::updated_at.eq(now),
            ))
            .execute(conn)?;
        }
        ProviderAnswer::Refused { reason } => {
            refuse(conn, refund.merchant_id, refund.id, &reason, now)?;
        }
        ProviderAnswer::Unanswered { reason } if refund.tries >= MAX_TRIES => {
            // Asked for long without an answer it could believe (a wrong key configured, say):
            // finance looks into it.
            refuse(
                conn,
                refund.merchant_id,
                refund.id,
                &format!("no usable answer after {MAX_TRIES} tries: {reason}"),
                now,
            )?;
        }
        ProviderAnswer::Unanswered { reason } => {
            tracing::warn!(
                refund = refund.id.get(),
                reason,
                "a provider did not take a refund"
            );
            diesel::update(
                rf::table
                    .filter(rf::id.eq(refund.id))
                    .filter(rf::status.eq(RefundStatus::Pending)),
            )
            .set((rf::failure_reason.eq(reason), rf::updated_at.eq(now)))
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Submits the refund to its provider if it is pending and nobody else is submitting it: the
/// sandbox refunds at once, Alipay and WeChat Pay are asked over HTTP, a bank transfer is left to
/// finance. Called outside any transaction.
pub fn submit(
    conn: &mut DbConnection,
    providers: &Providers,
    merchant_id: MerchantId,
    refund_id: RefundId,
    now: NaiveDateTime,
) -> AppResult<()> {
    // A job round's time may be minutes old by this refund: the lease runs from now.
    let now = now.max(clock::now());
    let claimed = diesel::update(
        rf::table
            .filter(rf::merchant_id.eq(merchant_id))
            .filter(rf::id.eq(refund_id))
            .filter(rf::status.eq(RefundStatus::Pending))
            .filter(rf::method.ne(PaymentKind::BankTransfer))
            .filter(rf::locked_until.is_null().or(rf::locked_until.lt(now))),
    )
    .set((
        rf::locked_until.eq(now + Duration::seconds(SUBMIT_LEASE)),
        rf::tries.eq(rf::tries + 1),
        rf::updated_at.eq(now),
    ))
    .execute(conn)?;
    if claimed != 1 {
        return Ok(());
    }
    let refund = row(conn, merchant_id, refund_id)?;
    match refund.method {
        // Our own provider: it accepts a refund of a payment it took, at once.
        PaymentKind::Sandbox => {
            succeed(
                conn,
                merchant_id,
                refund_id,
                &format!("SBXR-{}", refund.refund_no),
                now,
            )?;
        }
        PaymentKind::BankTransfer => {}
        PaymentKind::Alipay | PaymentKind::WechatPay => {
            let answer = ask_provider(conn, providers, &refund)?;
            apply_answer(conn, &refund, answer, now.max(clock::now()))?;
        }
    }
    Ok(())
}

/// Submits every open refund of the order (after the transaction that created them).
pub fn submit_open_of_order(
    conn: &mut DbConnection,
    providers: &Providers,
    merchant_id: MerchantId,
    order_id: OrderId,
    now: NaiveDateTime,
) -> AppResult<()> {
    let open: Vec<RefundId> = rf::table
        .filter(rf::merchant_id.eq(merchant_id))
        .filter(rf::order_id.eq(order_id))
        .filter(rf::status.eq(RefundStatus::Pending))
        .select(rf::id)
        .load(conn)?;
    for id in open {
        // The decision is committed: a refund that cannot leave now is the refund job's.
        if let Err(err) = submit(conn, providers, merchant_id, id, now) {
            tracing::warn!(refund = id.get(), error = %err, "submitting a refund failed");
        }
    }
    Ok(())
}

/// How long a refund WeChat Pay accepted waits for its notification before the refund job asks
/// where it stands (and again as long between two asks).
pub const QUERY_AFTER_SECS: i64 = 600;

/// Asks WeChat Pay where a refund it accepted stands when its notification is late, under the
/// refund's lease: refunded succeeds it (once, as a notification would), refused fails it; still
/// processing, or no answer, leaves it for the next ask.
pub fn check_processing(
    conn: &mut DbConnection,
    providers: &Providers,
    merchant_id: MerchantId,
    refund_id: RefundId,
    now: NaiveDateTime,
) -> AppResult<()> {
    let now = now.max(clock::now());
    let claimed = diesel::update(
        rf::table
            .filter(rf::merchant_id.eq(merchant_id))
            .filter(rf::id.eq(refund_id))
            .filter(rf::status.eq(RefundStatus::Processing))
            .filter(rf::method.eq(PaymentKind::WechatPay))
            .filter(rf::locked_until.is_null().or(rf::locked_until.lt(now))),
    )
    .set((
        rf::locked_until.eq(now + Duration::seconds(SUBMIT_LEASE)),
        rf::updated_at.eq(now),
    ))
    .execute(conn)?;
    if claimed != 1 {
        return Ok(());
    }
    let refund = row(conn, merchant_id, refund_id)?;
    let answer = match settings::configured(conn, &providers.cipher, merchant_id, refund.method)? {
        Some(settings) => {
            let merchant = wechat::WechatMerchant::from_settings(&settings)?;
            gateway::run(wechat::query_refund(
                &providers.wechatpay_api_base,
                &merchant,
                &refund.refund_no,
                clock::now().and_utc().timestamp(),
            ))?
        }
        None => ProviderAnswer::Unanswered {
            reason: "payment_method_not_configured".into(),
        },
    };
    match answer {
        ProviderAnswer::Refunded { provider_refund_id } => {
            succeed(conn, merchant_id, refund_id, &provider_refund_id, now)?;
        }
        ProviderAnswer::Refused { reason } => {
            refuse(conn, merchant_id, refund_id, &reason, now)?;
        }
        ProviderAnswer::Accepted { .. } | ProviderAnswer::Unanswered { .. } => {
            let reason = match answer {
                ProviderAnswer::Unanswered { reason } => Some(reason),
                _ => None,
            };
            diesel::update(
                rf::table
                    .filter(rf::id.eq(refund_id))
                    .filter(rf::status.eq(RefundStatus::Processing)),
            )
            .set((
                rf::locked_until.eq(None::<NaiveDateTime>),
                rf::failure_reason.eq(reason),
            ))
            .execute(conn)?;
        }
    }
    Ok(())
}

/// What one round of the refund job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SubmitReport {
    pub submitted: u64,
    /// Refunds WeChat Pay accepted whose state was asked.
    pub checked: u64,
    pub failed: u64,
}

/// Submits the pending refunds that nobody is submitting (left behind by a crash, or whose
/// provider did not answer), and asks after accepted ones whose notification is late
/// ([`check_processing`]), of every merchant, up to `batch` of each.
pub fn submit_due(
    conn: &mut DbConnection,
    providers: &Providers,
    now: NaiveDateTime,
    batch: i64,
) -> AppResult<SubmitReport> {
    let due: Vec<(RefundId, MerchantId)> = rf::table
        .filter(rf::status.eq(RefundStatus::Pending))
        .filter(rf::method.ne(PaymentKind::BankTransfer))
        .filter(rf::locked_until.is_null().or(rf::locked_until.lt(now)))
        .order(rf::id.asc())
        .limit(batch.max(1))
        .select((rf::id, rf::merchant_id))
        .load(conn)?;
    let mut report = SubmitReport::default();
    for (id, merchant_id) in due {
        match submit(conn, providers, merchant_id, id, now) {
            Ok(()) => report.submitted += 1,
            Err(err) => {
                report.failed += 1;
                tracing::warn!(refund = id.get(), error = %err, "submitting a refund failed");
            }
        }
    }
    let late: Vec<(RefundId, MerchantId)> = rf::table
        .filter(rf::status.eq(RefundStatus::Processing))
        .filter(rf::method.eq(PaymentKind::WechatPay))
        .filter(rf::updated_at.lt(now - Duration::seconds(QUERY_AFTER_SECS)))
        .filter(rf::locked_until.is_null().or(rf::locked_until.lt(now)))
        .order(rf::id.asc())
        .limit(batch.max(1))
        .select((rf::id, rf::merchant_id))
        .load(conn)?;
    for (id, merchant_id) in late {
        match check_processing(conn, providers, merchant_id, id, now) {
            Ok(()) => report.checked += 1,
            Err(err) => {
                report.failed += 1;
                tracing::warn!(refund = id.get(), error = %err, "asking after a refund failed");
            }
        }
    }
    Ok(report)
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRecord {
    /// The bank's (or the provider console's) reference of the refund.
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 64))]
    #[schema(example = "BOC20261205000321")]
    pub reference: String,
}

/// Finance records a refund made outside (a bank transfer, or in a provider's console): it
/// succeeds now, once; recording it again changes nothing. Audited.
pub fn record_made(
    conn: &mut DbConnection,
    caller: &Principal,
    refund_id: RefundId,
    request: &RefundRecord,
    now: NaiveDateTime,
) -> AppResult<Refund> {
    let merchant_id = caller.tenant()?;
    let found = row(conn, merchant_id, refund_id)?;
    if found.status == RefundStatus::Succeeded {
        return get(conn, merchant_id, refund_id);
    }
    let from = recordable(found.method);
    if !from.contains(&found.status) {
        // The sandbox refunds by itself; a provider's refund is recorded once it was refused.
        return Err(AppError::InvalidTransition {
            from: found.status.as_str().to_owned(),
            action: "record".to_owned(),
        });
    }
    write_transaction(conn, |conn| {
        if succeed_within(conn, merchant_id, refund_id, &request.reference, from, now)? {
            audit::record(
                conn,
                &caller.audit_actor(),
                &caller.client,
                AuditEntry::new("refund.recorded")
                    .target("refund", refund_id)
                    .changes(serde_json::json!({
                        "status": { "before": found.status, "after": RefundStatus::Succeeded },
                        "reference": { "before": null, "after": request.reference },
                    })),
                now,
            )?;
        }
        Ok::<(), AppError>(())
    })?;
    get(conn, merchant_id, refund_id)
}
