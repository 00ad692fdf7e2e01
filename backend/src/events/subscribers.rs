//! The synchronous subscribers: who reacts to each event inside the producer's transaction.
//!
//! Only what must be atomic with the cause belongs here (a sale and its sales fact, a sale and
//! the promotion it earns); whatever may lag is an asynchronous consumer ([`super::consumers`]).
//! Subscribers run in the order listed, after the producer's own writes, and may fail the whole
//! transaction by returning an error.

use chrono::NaiveDateTime;

use super::DomainEvent;
use crate::contests;
use crate::db::ids::MerchantId;
use crate::db::DbConnection;
use crate::distribution;
use crate::error::AppResult;
use crate::network;

pub(super) fn run(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    event: &DomainEvent,
    at: NaiveDateTime,
) -> AppResult<()> {
    match event {
        DomainEvent::SaleRecorded(sale) => {
            contests::facts::on_sale_recorded(conn, merchant_id, sale, at)?;
            distribution::reactions::on_sale_recorded(conn, merchant_id, sale, at)
        }
        DomainEvent::DistributorJoined(joined) => {
            distribution::reactions::on_distributor_joined(conn, merchant_id, joined, at)
        }
        DomainEvent::DistributorMoved(moved) => {
            distribution::reactions::on_distributor_moved(conn, merchant_id, moved, at)
        }
        // Its consumers (the distributor's notice, webhooks) may lag: none runs in the
        // transaction.
        // A paid order is a sale of the distributor who brought the buyer: sales facts, team
        // counters and the promotion they earn, in the payment's transaction.
        DomainEvent::OrderPaid(paid) => match paid.distributor_id {
            Some(distributor_id) => network::record_sale(
                conn,
                merchant_id,
                distributor_id,
                &paid.order_no,
                paid.paid_goods_fen,
                at,
            )
            .map(|_| ()),
            None => Ok(()),
        },
        // The money is back: the lines count it, the stock takes the units back, and the
        // request that asked for it is refunded — in the refund's transaction.
        DomainEvent::RefundCompleted(refund) => {
            crate::orders::refunding::on_refund_completed(conn, merchant_id, refund, at)?;
            crate::aftersales::service::on_refund_completed(conn, merchant_id, refund, at)
        }
        // A paid order cancelled by staff is refunded whole, in the cancellation's transaction.
        DomainEvent::OrderCancelled(cancelled) => {
            crate::payments::refunds::on_order_cancelled(conn, merchant_id, cancelled, at)
        }
        DomainEvent::DistributorTierChanged(_)
        | DomainEvent::OrderPlaced(_)
        | DomainEvent::OrderShipped(_)
        | DomainEvent::OrderCompleted(_)
        | DomainEvent::AfterSaleRequested(_) => Ok(()),
    }
}
