//! Orders: what a member buys, what it costs and what became of it.
//!
//! - `cart` and `addresses`: what the member is about to buy and where it goes;
//! - `pricing`: the pure pricing engine, shared by the quote and the placement;
//! - `checkout`: the quote and the placement (stock, snapshots, idempotency);
//! - `state`: the order state table, the one place that moves an order;
//! - `lifecycle`: cancelling, by the buyer, staff or the payment timeout (`worker`);
//! - `shipping`: the packages an order leaves in; `pickup`: orders collected at a pickup point;
//! - `completion`: receipt confirmed, delivered, or completed when its time runs out (`worker`);
//! - `refunding`: what after-sales and refunds do to the lines (the one writer of their counters);
//! - `queries`: the staff's list and a member's own orders, the detail;
//! - `live`: order events streamed to an open console (server-sent events);
//! - `notices`: what the buyer is told (shipped, delivered, after-sales decided, refunded);
//! - `batch`: shipping, cancelling and exporting many orders, reported per order;
//! - `settings`: the merchant's payment timeout, completion and after-sales days.

pub mod addresses;
pub mod batch;
pub mod batch_routes;
pub mod cart;
pub mod checkout;
pub mod completion;
pub mod fulfilment_routes;
pub mod lifecycle;
pub mod live;
pub mod models;
pub mod notices;
pub mod pickup;
pub mod pricing;
pub mod queries;
pub mod refunding;
pub mod routes;
pub mod settings;
pub mod shipping;
pub mod state;
pub mod worker;

pub use state::OrderStatus;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    batch_routes::register(cfg);
    routes::register(cfg);
    fulfilment_routes::register(cfg);
}
