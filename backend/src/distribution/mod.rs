//! Distribution rules of a merchant: the settings (who becomes a distributor, commission depth,
//! customer binding), the tiers with their commission rates and promotion conditions, and
//! automatic promotion with its periodic sweep. The network itself (distributors, the tree and
//! its counters) lives in `network`.

pub mod promotion;
pub mod rate;
pub mod reactions;
pub mod routes;
pub mod settings;
pub mod tiers;
pub mod worker;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::get_distribution_settings)
        .service(routes::save_distribution_settings)
        .service(routes::list_tiers)
        .service(routes::create_tier)
        .service(routes::reorder_tiers)
        .service(routes::get_tier)
        .service(routes::update_tier)
        .service(routes::delete_tier);
}
