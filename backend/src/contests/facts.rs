//! Sales facts: the time-stamped record that a distributor brought a completed order, which
//! leaderboards and contests sum over periods. One fact is written per
//! `distributor.sale_recorded` event, by its synchronous subscriber [`on_sale_recorded`], in the
//! sale's own transaction; refunds take from it ([`take_back`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text as SqlText, Timestamp};

use crate::db::ids::{DistributorId, MerchantId};
use crate::db::schema::{distributor_sales as ds, distributors};
use crate::db::{Backend, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::SaleRecorded;

/// The longest order reference kept.
pub const MAX_ORDER_REF_LEN: usize = SaleRecorded::MAX_ORDER_REF_LEN;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The fact is new.
    New,
    /// The same fact was recorded before; nothing changed.
    AlreadyRecorded,
}

/// Records that `distributor_id` brought the order `order_ref` of `amount_fen`, completed at
/// `at`. Idempotent per order reference: the same fact again changes nothing, while a different
/// fact for a recorded order (another distributor or amount) is refused with 409
/// `sale_already_recorded`, so a bug elsewhere cannot count one order twice.
///
/// Opens no transaction of its own (it runs inside the caller's), and never relies on a failed
/// statement: `ON CONFLICT DO NOTHING` keeps a PostgreSQL transaction usable.
pub fn record_sale(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    order_ref: &str,
    amount_fen: i64,
    at: NaiveDateTime,
) -> AppResult<Recorded> {
    SaleRecorded::new(distributor_id, order_ref, amount_fen)?;
    let known: i64 = distributors::table
        .filter(distributors::id.eq(distributor_id))
        .filter(distributors::merchant_id.eq(merchant_id))
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(AppError::NotFound);
    }
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "INSERT INTO distributor_sales \
             (merchant_id, distributor_id, order_ref, amount_fen, occurred_at, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (merchant_id, order_ref) DO NOTHING"
        }
        Backend::Postgres => {
            "INSERT INTO distributor_sales \
             (merchant_id, distributor_id, order_ref, amount_fen, occurred_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (merchant_id, order_ref) DO NOTHING"
        }
    };
    let inserted = diesel::sql_query(sql)
        .bind::<BigInt, _>(merchant_id.get())
        .bind::<crate::db::ids::sql::DistributorId, _>(distributor_id)
        .bind::<SqlText, _>(order_ref)
        .bind::<BigInt, _>(amount_fen)
        .bind::<Timestamp, _>(at)
        .bind::<Timestamp, _>(crate::clock::now())
        .execute(conn)?;
    if inserted == 1 {
        return Ok(Recorded::New);
    }
    let (known_distributor, known_amount): (DistributorId, i64) = ds::table
        .filter(ds::merchant_id.eq(merchant_id))
        .filter(ds::order_ref.eq(order_ref))
        .select((ds::distributor_id, ds::amount_fen))
        .first(conn)?;
    if known_distributor == distributor_id && known_amount == amount_fen {
        Ok(Recorded::AlreadyRecorded)
    } else {
        Err(AppError::conflict(ErrorCode::SaleAlreadyRecorded))
    }
}

/// Takes `amount_fen` of refunded goods back from the sale of the order `order_ref`, if a
/// distributor brought it: never below nothing (a CHECK holds it too). The fact keeps its time, so
/// the sale's own period loses it; an order refunded whole no longer counts as an order there.
/// Runs inside the refund's transaction.
pub fn take_back(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_ref: &str,
    amount_fen: i64,
) -> AppResult<()> {
    let fact: Option<(i64, i64)> = ds::table
        .filter(ds::merchant_id.eq(merchant_id))
        .filter(ds::order_ref.eq(order_ref))
        .select((ds::amount_fen, ds::refunded_fen))
        .first(conn)
        .optional()?;
    let Some((amount, refunded)) = fact else {
        return Ok(());
    };
    diesel::update(
        ds::table
            .filter(ds::merchant_id.eq(merchant_id))
            .filter(ds::order_ref.eq(order_ref)),
    )
    .set(ds::refunded_fen.eq((refunded + amount_fen.max(0)).min(amount)))
    .execute(conn)?;
    Ok(())
}

/// The synchronous subscriber of `distributor.sale_recorded`: the sale's fact. A fact already
/// there with the same figures (written directly, before the event) is kept; one with other
/// figures refuses the sale (409 `sale_already_recorded`), rolling it back.
pub fn on_sale_recorded(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sale: &SaleRecorded,
    at: NaiveDateTime,
) -> AppResult<()> {
    record_sale(
        conn,
        merchant_id,
        sale.distributor_id,
        &sale.order_ref,
        sale.amount_fen,
        at,
    )?;
    Ok(())
}
