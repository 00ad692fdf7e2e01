//! After-sales (售后): a buyer asks for money back — refund only, or return and refund — for the
//! whole order, some lines, some units or an amount; staff decide; for a return the goods come
//! back first; then the money goes back through `payments::refunds`, exactly once.
//!
//! - `models`: the rows and enums of `after_sales`, `after_sale_items`, `after_sale_timeline`;
//! - `state`: the request's state table, the one place that moves a request;
//! - `service`: asking, deciding, returning, and what a completed refund does to the request;
//! - `routes`: the member's and the staff's endpoints.
//!
//! The units and money of each line are held by `orders::refunding` while a request is open, so
//! two requests never ask for the same ones, and a line never gives back more than was paid.

pub mod models;
pub mod routes;
pub mod service;
pub mod state;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    routes::register(cfg);
}
