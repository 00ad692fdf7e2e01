//! What the buyer is told about their order (shipped, delivered, after-sales decided, refunded):
//! queued in the outbox inside the transaction that made it so, to the member's email, or phone
//! when they have no email.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::{MemberId, MerchantId};
use crate::db::schema::{members, merchants};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::notify::outbox::{self, Message};

/// Queues the message `build` writes for the member's contact and the shop's name; nothing when
/// the member has no contact.
pub(crate) fn tell_buyer(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    build: impl FnOnce(&str, &str) -> Message,
    now: NaiveDateTime,
) -> AppResult<()> {
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
    outbox::enqueue(conn, Some(merchant_id), &build(&recipient, &shop), now)?;
    Ok(())
}
