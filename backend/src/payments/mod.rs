//! Payment methods of a merchant: bank transfer (confirmed by finance), Alipay, WeChat Pay and a
//! sandbox provider for development. This module holds their settings; the providers that take
//! payments come with orders.

pub mod routes;
pub mod settings;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_payment_methods)
        .service(routes::save_payment_method);
}
