//! New, paid and cancelled orders, shipments and after-sales requests as they happen, for an
//! open console: a server-sent events
//! stream fed from the `domain_events` table (so it works with several server instances). Each
//! event carries its row's id, so a client that reconnects with `Last-Event-ID` misses nothing.

use std::time::Duration;

use actix_web::web;
use diesel::prelude::*;
use futures_util::Stream;

use crate::app::AppState;
use crate::db::ids::MerchantId;
use crate::db::schema::domain_events as de;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

/// The events an order console follows.
pub const FOLLOWED: &[&str] = &[
    "order.placed",
    "order.paid",
    "order.cancelled",
    "order.shipped",
    "order.completed",
    "after_sale.requested",
    "refund.completed",
];
/// How often the stream looks for new events.
pub const POLL: Duration = Duration::from_secs(1);
/// A comment line this often keeps proxies from closing an idle stream.
const HEARTBEAT_POLLS: u32 = 15;
/// A stream ends after this many polls (ten minutes); the client reconnects with its last id.
const MAX_POLLS: u32 = 600;

/// The newest event id of the merchant: where a new stream starts.
pub fn latest(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<i64> {
    let id: Option<i64> = de::table
        .filter(de::merchant_id.eq(merchant_id))
        .select(diesel::dsl::max(de::id))
        .first(conn)?;
    Ok(id.unwrap_or(0))
}

/// The followed events of the merchant after `after`, oldest first: (id, name, payload).
pub fn after(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    after: i64,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(de::table
        .filter(de::merchant_id.eq(merchant_id))
        .filter(de::id.gt(after))
        .filter(de::name.eq_any(FOLLOWED))
        .order(de::id.asc())
        .limit(100)
        .select((de::id, de::name, de::payload))
        .load(conn)?)
}

/// One event in the text/event-stream format.
pub fn frame(id: i64, name: &str, payload: &str) -> String {
    format!("id: {id}\nevent: {name}\ndata: {payload}\n\n")
}

struct Cursor {
    state: web::Data<AppState>,
    merchant_id: MerchantId,
    last: i64,
    polls: u32,
    started: bool,
}

/// The stream of the merchant's order events after `last`.
pub fn stream(
    state: web::Data<AppState>,
    merchant_id: MerchantId,
    last: i64,
) -> impl Stream<Item = Result<web::Bytes, AppError>> {
    let cursor = Cursor {
        state,
        merchant_id,
        last,
        polls: 0,
        started: false,
    };
    futures_util::stream::unfold(cursor, |mut c| async move {
        if !c.started {
            c.started = true;
            // Tells the client the stream is open, and how soon to come back after it ends.
            return Some((Ok(web::Bytes::from_static(b"retry: 2000\n: open\n\n")), c));
        }
        loop {
            if c.polls >= MAX_POLLS {
                return None;
            }
            actix_web::rt::time::sleep(POLL).await;
            c.polls += 1;
            let (merchant_id, last) = (c.merchant_id, c.last);
            let found = c.state.db(move |conn| after(conn, merchant_id, last)).await;
            match found {
                Ok(events) if !events.is_empty() => {
                    c.last = events.last().map_or(c.last, |e| e.0);
                    let text: String = events
                        .iter()
                        .map(|(id, name, payload)| frame(*id, name, payload))
                        .collect();
                    return Some((Ok(web::Bytes::from(text)), c));
                }
                Ok(_) if c.polls % HEARTBEAT_POLLS == 0 => {
                    return Some((Ok(web::Bytes::from_static(b": heartbeat\n\n")), c));
                }
                Ok(_) => {}
                // A failed read ends the stream; the client reconnects from its last id.
                Err(err) => return Some((Err(err), c)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_names_its_id_and_event() {
        assert_eq!(
            frame(42, "order.placed", r#"{"order_no":"1"}"#),
            "id: 42\nevent: order.placed\ndata: {\"order_no\":\"1\"}\n\n"
        );
    }
}
