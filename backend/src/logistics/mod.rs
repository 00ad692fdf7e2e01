//! Logistics settings of a merchant: carriers, delivery methods (express, self-pickup with pickup
//! points) and freight templates, with the freight calculation checkout uses.

pub mod carriers;
pub mod delivery;
pub mod freight;
pub mod routes;
pub mod templates;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_carriers)
        .service(routes::create_carrier)
        .service(routes::update_carrier)
        .service(routes::get_delivery_methods)
        .service(routes::set_delivery_methods)
        .service(routes::list_pickup_points)
        .service(routes::create_pickup_point)
        .service(routes::update_pickup_point)
        .service(routes::list_freight_templates)
        .service(routes::create_freight_template)
        .service(routes::get_freight_template)
        .service(routes::update_freight_template)
        .service(routes::delete_freight_template)
        .service(routes::quote_freight);
}
