//! Authentication and authorisation: accounts that sign in (staff, members, platform operators),
//! passwords, sessions with rotating refresh tokens, access tokens, lockout, permissions, and the
//! request extractors that turn a bearer token into a `Principal`.

pub mod account;
pub mod jwt;
pub mod lockout;
pub mod mfa;
pub mod one_time;
pub mod password;
pub mod password_reset;
pub mod permissions;
pub mod principal;
pub mod routes;
pub mod sessions;
pub mod sign_in;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::staff_sign_in)
        .service(routes::operator_sign_in)
        .service(routes::refresh)
        .service(routes::sign_out)
        .service(routes::me)
        .service(routes::list_sessions)
        .service(routes::revoke_session)
        .service(routes::mfa_enrol)
        .service(routes::mfa_confirm)
        .service(routes::mfa_disable)
        .service(routes::mfa_verify)
        .service(routes::request_password_reset)
        .service(routes::confirm_password_reset);
}
