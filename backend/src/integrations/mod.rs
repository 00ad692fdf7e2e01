//! Integration with other systems (ERP/CRM): API keys, and later webhooks and idempotency.

pub mod api_key_routes;
pub mod api_keys;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(api_key_routes::list_api_keys)
        .service(api_key_routes::create_api_key)
        .service(api_key_routes::revoke_api_key);
}
