//! What the buyer is told about their order (shipped, ready to collect, delivered, after-sales
//! decided, refunded): kept in their in-app inbox and queued in the outbox inside the transaction
//! that made it so, to the member's email, or phone when they have no email.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::{MemberId, MerchantId, OrderId};
use crate::db::schema::{members, merchants, orders};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::notify::inbox;
use crate::notify::outbox;
use crate::notify::templates::BuyerUpdate;

/// Tells the member what `update` says of their order `order_id`: in their in-app inbox, and by
/// email (or SMS when they registered by phone) from the shop, queued in the outbox. In the
/// caller's transaction.
pub(crate) fn tell_buyer(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    order_id: OrderId,
    update: &BuyerUpdate,
    now: NaiveDateTime,
) -> AppResult<()> {
    let order_no: String = orders::table
        .find(order_id)
        .select(orders::order_no)
        .first(conn)?;
    inbox::notify_member(
        conn,
        merchant_id,
        member_id,
        &update.notice(order_id.get(), &order_no),
        now,
    )?;
    let (phone, email): (Option<String>, Option<String>) = members::table
        .find(member_id)
        .select((members::phone, members::email))
        .first(conn)?;
    let Some(recipient) = email.or(phone) else {
        return Ok(());
    };
    let shop: String = merchants::table
        .find(merchant_id)
        .select(merchants::name)
        .first(conn)?;
    outbox::enqueue(
        conn,
        Some(merchant_id),
        &update.message(&recipient, &shop),
        now,
    )?;
    Ok(())
}
