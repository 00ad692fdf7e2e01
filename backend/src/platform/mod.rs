//! The platform: operators who run the installation.

pub mod merchants;
pub mod operators;
pub mod routes;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_outbox)
        .service(routes::list_merchants)
        .service(routes::approve_merchant)
        .service(routes::suspend_merchant)
        .service(routes::reactivate_merchant)
        .service(routes::product_review_queue)
        .service(routes::platform_review_product);
}
