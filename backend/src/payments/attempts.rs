//! Paying orders: one attempt per try (an order may have failed attempts before one succeeds),
//! and every provider's word that money moved recorded once as a receipt — unique on the method
//! and the provider's transaction id — in the transaction that applies it to the order through
//! the order state table (`orders::lifecycle::record_payment`). The same notification received
//! twice, or fifty times at once, pays once.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::alipay::{self, AlipayApp};
use super::gateway::Providers;
use super::settings::{self, PaymentKind};
use super::wechat::WechatMerchant;
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::clock;
use crate::db::enums::db_enum;
use crate::db::ids::{MemberId, MerchantId, OrderId};
use crate::db::schema::{orders, payment_attempts as pa, payment_receipts as pr};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::money::Money;
use crate::orders::lifecycle::{self, PaymentApplied};
use crate::orders::state::{Actor, OrderStatus};
use crate::validate;

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AttemptStatus {
        Pending,
        Succeeded,
        Failed,
    }
}

db_enum! {
    /// `payment_receipts.outcome`.
    pub enum ReceiptOutcome {
        Paid,
        /// The order was cancelled or paid already: the money is to be refunded.
        ToRefund,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pa)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AttemptRow {
    pub id: i64,
    pub merchant_id: MerchantId,
    pub order_id: OrderId,
    pub method: PaymentKind,
    pub status: AttemptStatus,
    pub amount_fen: i64,
    pub token: String,
    pub provider_txn_id: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = pa)]
struct AttemptInsertForm<'a> {
    merchant_id: MerchantId,
    order_id: OrderId,
    method: PaymentKind,
    status: AttemptStatus,
    amount_fen: i64,
    token: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = pr)]
struct ReceiptInsertForm<'a> {
    merchant_id: MerchantId,
    method: PaymentKind,
    provider_txn_id: &'a str,
    attempt_id: i64,
    order_id: OrderId,
    amount_fen: i64,
    outcome: ReceiptOutcome,
    received_at: NaiveDateTime,
}

/// A payment attempt as the order's detail and the buyer see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub id: i64,
    pub method: PaymentKind,
    pub status: AttemptStatus,
    pub amount: Money,
    /// The provider's transaction id (a bank transfer: the bank's reference), once paid.
    pub provider_txn_id: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
}

fn view(row: AttemptRow) -> Payment {
    Payment {
        id: row.id,
        method: row.method,
        status: row.status,
        amount: Money::from_fen(row.amount_fen).unwrap_or(Money::ZERO),
        provider_txn_id: row.provider_txn_id,
        failure_reason: row.failure_reason,
        created_at: clock::to_utc(row.created_at),
        paid_at: row.paid_at.map(clock::to_utc),
    }
}

/// The attempts to pay the order, oldest first.
pub fn of_order(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
) -> AppResult<Vec<Payment>> {
    let rows: Vec<AttemptRow> = pa::table
        .filter(pa::merchant_id.eq(merchant_id))
        .filter(pa::order_id.eq(order_id))
        .order(pa::id.asc())
        .select(AttemptRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(view).collect())
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayRequest {
    /// One of the shop's enabled methods.
    pub method: PaymentKind,
}

/// How to pay, for the buyer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentStart {
    pub payment: Payment,
    /// Where to pay: the sandbox's pay page (`sandbox`), Alipay's gateway with the signed
    /// request (`alipay`), the content of the QR code to scan (`wechat_pay`, `weixin://…`).
    pub pay_url: Option<String>,
    /// Where to send the money (`bank_transfer`): account name, bank, branch, account number.
    pub bank_account: Option<BTreeMap<String, String>>,
    /// What to write on the transfer, so finance can match it: the order number.
    pub reference: String,
}

/// China's time (UTC+8, no daylight saving), as the providers' requests carry it.
pub(crate) fn beijing_time(utc: NaiveDateTime) -> NaiveDateTime {
    utc + chrono::Duration::hours(8)
}

fn token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Starts an attempt to pay the member's unpaid order by `method`. 404 for anyone else's order;
/// 409 `invalid_transition` when the order no longer waits for a payment; 422
/// `payment_method_disabled` for a method the shop has not enabled,
/// `payment_method_misconfigured` for keys that do not parse. WeChat Pay's `pay_url` (the Native
/// order's `code_url`) is filled in by the caller, which asks WeChat Pay for it
/// (`wechat::native_order`).
#[allow(clippy::too_many_arguments)]
pub fn start(
    conn: &mut DbConnection,
    providers: &Providers,
    base_url: &str,
    merchant_id: MerchantId,
    member_id: MemberId,
    order_id: OrderId,
    request: &PayRequest,
    now: NaiveDateTime,
) -> AppResult<PaymentStart> {
    let (owner, status, total_fen, order_no): (MemberId, OrderStatus, i64, String) = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(order_id))
        .select((
            orders::member_id,
            orders::status,
            orders::total_fen,
            orders::order_no,
        ))
        .first(conn)?;
    if owner != member_id {
        return Err(AppError::NotFound);
    }
    if status != OrderStatus::PendingPayment {
        return Err(AppError::InvalidTransition {
            from: status.as_str().to_owned(),
            action: "pay".to_owned(),
        });
    }
    let disabled = || {
        AppError::field(
            "method",
            ErrorCode::PaymentMethodDisabled.arg("method", request.method.as_str()),
        )
    };
    let method_settings = settings::enabled(conn, &providers.cipher, merchant_id, request.method)?
        .ok_or_else(disabled)?;
    let alipay = match request.method {
        PaymentKind::Alipay => Some(AlipayApp::from_settings(&method_settings)?),
        _ => None,
    };
    if request.method == PaymentKind::WechatPay {
        // Refused before an attempt exists when the keys do not parse.
        WechatMerchant::from_settings(&method_settings)?;
    }
    let token = token();
    let id: i64 = diesel::insert_into(pa::table)
        .values(AttemptInsertForm {
            merchant_id,
            order_id,
            method: request.method,
            status: AttemptStatus::Pending,
            amount_fen: total_fen,
            token: &token,
            created_at: now,
            updated_at: now,
        })
        .returning(pa::id)
        .get_result(conn)?;
    let row: AttemptRow = pa::table
        .find(id)
        .select(AttemptRow::as_select())
        .first(conn)?;
    let pay_url = match (request.method, &alipay) {
        (PaymentKind::Sandbox, _) => {
            Some(format!("{base_url}{}/{token}", super::sandbox::PAGE_PATH))
        }
        (PaymentKind::Alipay, Some(app)) => Some(alipay::page_pay_url(
            &providers.alipay_gateway,
            app,
            &format!("{base_url}{}", alipay::NOTIFY_PATH),
            &token,
            Money::from_fen(total_fen).unwrap_or_default(),
            &format!("订单 {order_no}"),
            beijing_time(now),
        )),
        _ => None,
    };
    Ok(PaymentStart {
        payment: view(row),
        pay_url,
        bank_account: (request.method == PaymentKind::BankTransfer).then_some(method_settings),
        reference: order_no,
    })
}

/// A pending attempt by its token, of any merchant (notifications name no merchant); 404
/// `unknown_payment` when there is none.
pub(crate) fn by_token(conn: &mut DbConnection, token: &str) -> AppResult<AttemptRow> {
    pa::table
        .filter(pa::token.eq(token))
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::unprocessable(ErrorCode::UnknownPayment))
}

/// One attempt of the merchant by its id.
pub(crate) fn by_id(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
) -> AppResult<AttemptRow> {
    Ok(pa::table
        .filter(pa::merchant_id.eq(merchant_id))
        .filter(pa::id.eq(id))
        .select(AttemptRow::as_select())
        .first(conn)?)
}

/// What a notification did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Applied(PaymentApplied),
    /// The same transaction was received before; nothing changed.
    Repeated,
}

/// A provider's word that the attempt was paid with `amount_fen` under `provider_txn_id`:
/// recorded once and applied to the order, in one write transaction. An amount other than the
/// attempt's is refused (422 `payment_amount_mismatch`) and changes nothing.
pub(crate) fn receive(
    conn: &mut DbConnection,
    attempt: &AttemptRow,
    provider_txn_id: &str,
    amount_fen: i64,
    actor: Actor,
    now: NaiveDateTime,
) -> AppResult<Received> {
    if amount_fen != attempt.amount_fen {
        tracing::warn!(
            attempt = attempt.id,
            amount_fen,
            expected = attempt.amount_fen,
            "payment notification with another amount refused"
        );
        return Err(AppError::unprocessable(
            ErrorCode::PaymentAmountMismatch
                .arg("amount", Money::from_fen(amount_fen).unwrap_or_default())
                .arg(
                    "total",
                    Money::from_fen(attempt.amount_fen).unwrap_or_default(),
                ),
        ));
    }
    let repeated = |conn: &mut DbConnection| -> AppResult<bool> {
        let n: i64 = pr::table
            .filter(pr::method.eq(attempt.method))
            .filter(pr::provider_txn_id.eq(provider_txn_id))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    };
    if repeated(conn)? {
        return Ok(Received::Repeated);
    }
    let applied = write_transaction(conn, |conn| {
        // The receipt first: a concurrent copy of the notification waits on its unique index
        // (PostgreSQL) or on the write lock (SQLite), then fails, and its transaction rolls back.
        let receipt: i64 = diesel::insert_into(pr::table)
            .values(ReceiptInsertForm {
                merchant_id: attempt.merchant_id,
                method: attempt.method,
                provider_txn_id,
                attempt_id: attempt.id,
                order_id: attempt.order_id,
                amount_fen,
                outcome: ReceiptOutcome::Paid,
                received_at: now,
            })
            .returning(pr::id)
            .get_result(conn)?;
        let applied = lifecycle::record_payment(
            conn,
            attempt.merchant_id,
            attempt.order_id,
            amount_fen,
            attempt.method.as_str(),
            actor,
            now,
        )?;
        if applied == PaymentApplied::ToRefund {
            diesel::update(pr::table.find(receipt))
                .set(pr::outcome.eq(ReceiptOutcome::ToRefund))
                .execute(conn)?;
            super::refunds::for_late_payment(
                conn,
                attempt.merchant_id,
                attempt.order_id,
                receipt,
                amount_fen,
                now,
            )?;
        }
        diesel::update(pa::table.find(attempt.id))
            .set((
                pa::status.eq(AttemptStatus::Succeeded),
                pa::provider_txn_id.eq(provider_txn_id),
                pa::paid_at.eq(now),
                pa::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(applied)
    });
    match applied {
        Ok(applied) => Ok(Received::Applied(applied)),
        // A concurrent copy of the notification recorded the receipt first, and this
        // transaction rolled back whole.
        Err(err) => {
            if repeated(conn)? {
                Ok(Received::Repeated)
            } else {
                Err(err)
            }
        }
    }
}

/// A provider's word that the attempt failed: kept on the attempt; the order still waits.
pub(crate) fn fail(
    conn: &mut DbConnection,
    attempt: &AttemptRow,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::update(
        pa::table
            .find(attempt.id)
            .filter(pa::status.eq(AttemptStatus::Pending)),
    )
    .set((
        pa::status.eq(AttemptStatus::Failed),
        pa::failure_reason.eq(reason),
        pa::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankTransferConfirmation {
    /// The bank's reference of the transfer, as on the statement; unique per transfer.
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 64))]
    #[schema(example = "BOC20261203000123")]
    pub reference: String,
    /// The amount received; must be the order's total.
    pub amount: Money,
}

/// Finance confirms that a bank transfer for the order arrived. The same reference confirmed
/// again changes nothing; an amount other than the order's total is 422. Audited.
pub fn confirm_bank_transfer(
    conn: &mut DbConnection,
    caller: &Principal,
    order_id: OrderId,
    request: &BankTransferConfirmation,
    now: NaiveDateTime,
) -> AppResult<Received> {
    let merchant_id = caller.tenant()?;
    let (status, total_fen): (OrderStatus, i64) = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(order_id))
        .select((orders::status, orders::total_fen))
        .first(conn)?;
    let existing: Option<AttemptRow> = pa::table
        .filter(pa::merchant_id.eq(merchant_id))
        .filter(pa::order_id.eq(order_id))
        .filter(pa::method.eq(PaymentKind::BankTransfer))
        .filter(pa::status.eq(AttemptStatus::Pending))
        .order(pa::id.desc())
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()?;
    let attempt = match existing {
        Some(attempt) => attempt,
        None => {
            // Money may come without the buyer having asked for the account first.
            let token = token();
            let id: i64 = diesel::insert_into(pa::table)
                .values(AttemptInsertForm {
                    merchant_id,
                    order_id,
                    method: PaymentKind::BankTransfer,
                    status: AttemptStatus::Pending,
                    amount_fen: total_fen,
                    token: &token,
                    created_at: now,
                    updated_at: now,
                })
                .returning(pa::id)
                .get_result(conn)?;
            pa::table
                .find(id)
                .select(AttemptRow::as_select())
                .first(conn)?
        }
    };
    let received = receive(
        conn,
        &attempt,
        &request.reference,
        request.amount.fen(),
        Actor::of(caller),
        now,
    )?;
    if received != Received::Repeated {
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("order.bank_transfer_confirmed")
                .target("order", order_id)
                .changes(serde_json::json!({
                    "status": { "before": status.as_str(), "after": match received {
                        Received::Applied(PaymentApplied::Paid) => "paid",
                        _ => status.as_str(),
                    } },
                    "reference": { "before": null, "after": request.reference },
                    "amount": { "before": null, "after": request.amount },
                })),
            now,
        )?;
    }
    Ok(received)
}
