//! Recruitment (SPEC §4): how members become distributors.
//!
//! - [`link`]: recruit links — the merchant's and each distributor's (with their code) — to the
//!   shop's join page on the public base URL, and [`qr`] codes of them as PNG and SVG;
//! - [`form`]: the application form the merchant configures (fields with labels in zh and en,
//!   types, required, options), stored as one checked JSON document;
//! - [`applications`]: members apply; the entry mode decides whether they join at once or wait
//!   in the staff review queue; approval joins the tree and sends the welcome message;
//! - [`everyone`]: the `everyone` entry mode makes members distributors without applying, at
//!   registration (or, for members from before the switch, on their first profile request);
//! - [`eligibility`]: the spend threshold check, reading paid spend from one named source that
//!   orders will fill.
//!
//! `docs/architecture.md` ("Recruitment") describes the rules and decisions.

pub mod applications;
pub mod eligibility;
pub mod everyone;
pub mod form;
pub mod link;
pub mod models;
pub mod qr;
pub mod routes;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::get_recruit_link)
        .service(routes::get_recruit_qr_png)
        .service(routes::get_recruit_qr_svg)
        .service(routes::get_my_recruit_link)
        .service(routes::get_my_recruit_qr_png)
        .service(routes::get_my_recruit_qr_svg)
        .service(routes::get_application_form)
        .service(routes::save_application_form)
        .service(routes::get_shop_application_form)
        .service(routes::apply)
        .service(routes::get_my_application)
        .service(routes::list_applications)
        .service(routes::get_application)
        .service(routes::approve_application)
        .service(routes::reject_application);
}
