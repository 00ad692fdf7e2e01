//! Members: the shoppers of one merchant, who register and sign in at the merchant's shop.

pub mod codes;
pub mod models;
pub mod routes;
pub mod service;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::send_code)
        .service(routes::register)
        .service(routes::sign_in)
        .service(routes::me);
}
