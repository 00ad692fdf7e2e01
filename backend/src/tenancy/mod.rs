//! Tenancy: merchants (the tenants) and their staff.

pub mod lifecycle;
pub mod merchant;
pub mod merchant_routes;
pub mod models;
pub mod routes;
pub mod signup;
pub mod staff;
pub mod staff_routes;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::sign_up)
        .service(routes::verify_email)
        .service(staff_routes::list_staff)
        .service(staff_routes::invite_staff)
        .service(staff_routes::accept_invitation)
        .service(staff_routes::get_staff)
        .service(staff_routes::update_staff)
        .service(staff_routes::unlock_staff)
        .service(merchant_routes::get_merchant)
        .service(merchant_routes::set_security_policy)
        .service(merchant_routes::update_profile);
}
