//! Stock. Every change is one conditional update (`stock = stock + delta WHERE stock + delta >=
//! 0`), so stock never goes negative however many buyers race, plus a movement row with its
//! cause. Orders take and return stock through here, inside their own transaction.

pub mod low_stock;
pub mod routes;
pub mod virtual_codes;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::catalog::products::SkuKind;
use crate::db::enums::db_enum;
use crate::db::ids::{MerchantId, SkuId};
use crate::db::schema::{skus, stock_movements};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::validate;

db_enum! {
    /// Why a SKU's stock changed (`stock_movements.reason`).
    pub enum MovementReason {
        /// A staff adjustment; the movement's reference is the reason they gave.
        Adjustment,
        /// The stock column of a product import.
        Import,
        /// Codes added to a virtual SKU's pool.
        CodeImport,
        /// Taken by an order; the reference names it.
        Sale,
        /// Given back by a cancelled order; the reference names it.
        OrderCancelled,
    }
}

/// A movement of a SKU's stock, with its cause.
#[derive(Debug, Insertable)]
#[diesel(table_name = stock_movements)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct StockMovementInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub sku_id: SkuId,
    pub delta: i64,
    pub reason: MovementReason,
    pub reference: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

fn out_of_stock() -> AppError {
    AppError::conflict(ErrorCode::InsufficientStock)
}

/// Deletes the movement history of a SKU that is being deleted (one that was never sold: a
/// sold SKU is kept for its orders). Inside the caller's transaction.
pub(crate) fn forget_movements(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sku_id: SkuId,
) -> AppResult<()> {
    diesel::delete(
        stock_movements::table
            .filter(stock_movements::merchant_id.eq(merchant_id))
            .filter(stock_movements::sku_id.eq(sku_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// Changes a SKU's stock by `delta` (negative to take) and records why. Must run inside the
/// caller's transaction. Refuses (409) a change that would make stock negative, and answers 404
/// for another merchant's SKU.
pub fn change(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sku_id: SkuId,
    delta: i64,
    reason: MovementReason,
    reference: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<i64> {
    let updated: Option<i64> = diesel::update(
        skus::table
            .filter(skus::id.eq(sku_id))
            .filter(skus::merchant_id.eq(merchant_id))
            .filter((skus::stock + delta).ge(0)),
    )
    .set((
        skus::stock.eq(skus::stock + delta),
        skus::updated_at.eq(now),
    ))
    .returning(skus::stock)
    .get_result(conn)
    .optional()?;
    let Some(stock) = updated else {
        let exists: i64 = skus::table
            .filter(skus::id.eq(sku_id))
            .filter(skus::merchant_id.eq(merchant_id))
            .count()
            .get_result(conn)?;
        return Err(if exists == 0 {
            AppError::NotFound
        } else {
            out_of_stock()
        });
    };
    diesel::insert_into(stock_movements::table)
        .values(StockMovementInsertForm {
            merchant_id,
            sku_id,
            delta,
            reason,
            reference,
            created_at: now,
        })
        .execute(conn)?;
    low_stock::alert(conn, merchant_id, sku_id, stock, now)?;
    Ok(stock)
}

/// What [`take_for_order`] took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    /// Stock left after the take.
    pub stock_left: i64,
    /// Units that came from the presale allowance rather than from stock.
    pub from_presale: i64,
}

/// Takes `quantity` units for a sale and answers the stock left; see [`take_for_order`].
pub fn take(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sku_id: SkuId,
    quantity: i64,
    reference: &str,
    now: NaiveDateTime,
) -> AppResult<i64> {
    take_for_order(conn, merchant_id, sku_id, quantity, reference, now).map(|t| t.stock_left)
}

/// Takes `quantity` units for an order, inside the caller's write transaction.
///
/// Stock is taken first, then the presale allowance, in one conditional update: the row only
/// changes when `stock + presale_quantity - presale_sold >= quantity`, and both columns are
/// computed from their values before the update, so concurrent buyers can never oversell. The
/// row is locked first (PostgreSQL; SQLite's write transaction already excludes other writers),
/// so the stock read tells how many units the presale allowance gave. Virtual SKUs too: their
/// stock is the count of available codes, so taking it reserves codes for the order.
pub fn take_for_order(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sku_id: SkuId,
    quantity: i64,
    reference: &str,
    now: NaiveDateTime,
) -> AppResult<Taken> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    if quantity < 1 {
        return Err(AppError::field(
            "quantity",
            ErrorCode::Range.form("min").arg("min", 1),
        ));
    }
    let locked = skus::table
        .filter(skus::id.eq(sku_id))
        .filter(skus::merchant_id.eq(merchant_id))
        .select(skus::stock);
    let before: Option<i64> = match conn {
        DbConnection::Postgresql(pg) => locked.for_update().first(pg).optional()?,
        DbConnection::Sqlite(sqlite) => locked.first(sqlite).optional()?,
    };
    let Some(stock_before) = before else {
        return Err(AppError::NotFound);
    };
    let updated: Option<(i64, i64)> = diesel::update(
        skus::table
            .filter(skus::id.eq(sku_id))
            .filter(skus::merchant_id.eq(merchant_id))
            .filter((skus::stock + skus::presale_quantity - skus::presale_sold).ge(quantity)),
    )
    .set((
        skus::stock.eq(sql::<BigInt>("CASE WHEN stock >= ")
            .bind::<BigInt, _>(quantity)
            .sql(" THEN stock - ")
            .bind::<BigInt, _>(quantity)
            .sql(" ELSE 0 END")),
        skus::presale_sold.eq(sql::<BigInt>("CASE WHEN stock >= ")
            .bind::<BigInt, _>(quantity)
            .sql(" THEN presale_sold ELSE presale_sold + ")
            .bind::<BigInt, _>(quantity)
            .sql(" - stock END")),
        skus::updated_at.eq(now),
    ))
    .returning((skus::stock, skus::presale_sold))
    .get_result(conn)
    .optional()?;
    let Some((stock, _presale_sold)) = updated else {
        let exists: i64 = skus::table
            .filter(skus::id.eq(sku_id))
            .filter(skus::merchant_id.eq(merchant_id))
            .count()
            .get_result(conn)?;
        return Err(if exists == 0 {
            AppError::NotFound
        } else {
            out_of_stock()
        });
    };
    diesel::insert_into(stock_movements::table)
        .values(StockMovementInsertForm {
            merchant_id,
            sku_id,
            delta: -quantity,
            reason: MovementReason::Sale,
            reference: Some(reference),
            created_at: now,
        })
        .execute(conn)?;
    low_stock::alert(conn, merchant_id, sku_id, stock, now)?;
    Ok(Taken {
        stock_left: stock,
        from_presale: (quantity - stock_before).max(0),
    })
}

/// Gives back what an order took ([`take_for_order`]), inside the caller's transaction: the
/// presale units to the presale allowance, the rest to stock, with an `order_cancelled`
/// movement. A SKU deleted since has nothing to give back to.
pub fn give_back(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sku_id: SkuId,
    quantity: i64,
    from_presale: i64,
    reference: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let to_stock = (quantity - from_presale).max(0);
    let updated = diesel::update(
        skus::table
            .filter(skus::id.eq(sku_id))
            .filter(skus::merchant_id.eq(merchant_id)),
    )
    .set((
        skus::stock.eq(skus::stock + to_stock),
        skus::presale_sold.eq(skus::presale_sold - from_presale.max(0)),
        skus::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(());
    }
    diesel::insert_into(stock_movements::table)
        .values(StockMovementInsertForm {
            merchant_id,
            sku_id,
            delta: quantity,
            reason: MovementReason::OrderCancelled,
            reference: Some(reference),
            created_at: now,
        })
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockAdjustment {
    /// Units to add (positive) or remove (negative); not zero.
    #[validate(range(min = -1_000_000_000, max = 1_000_000_000))]
    pub delta: i64,
    /// Why: stocktake, damage, return to supplier, …
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 200))]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StockLevel {
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    pub stock: i64,
}

/// A staff adjustment of stock, audited.
pub fn adjust(
    conn: &mut DbConnection,
    caller: &Principal,
    sku_id: SkuId,
    request: &StockAdjustment,
    now: NaiveDateTime,
) -> AppResult<StockLevel> {
    let merchant_id = caller.tenant()?;
    if request.delta == 0 {
        return Err(AppError::field("delta", ErrorCode::Range.form("not_zero")));
    }
    write_transaction(conn, |conn| {
        let kind: Option<SkuKind> = skus::table
            .filter(skus::id.eq(sku_id))
            .filter(skus::merchant_id.eq(merchant_id))
            .select(skus::kind)
            .first(conn)
            .optional()?;
        if kind == Some(SkuKind::Virtual) {
            return Err(AppError::conflict(ErrorCode::VirtualStock));
        }
        let stock = change(
            conn,
            merchant_id,
            sku_id,
            request.delta,
            MovementReason::Adjustment,
            Some(&request.reason),
            now,
        )?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("stock.adjusted")
                .target("sku", sku_id)
                .changes(serde_json::json!({
                    "stock": { "before": stock - request.delta, "after": stock },
                    "reason": { "before": null, "after": request.reason },
                })),
            now,
        )?;
        Ok(StockLevel { sku_id, stock })
    })
}

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::adjust_stock)
        .service(routes::import_codes)
        .service(routes::code_summary)
        .service(routes::list_low_stock);
}
