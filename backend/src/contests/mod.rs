//! Leaderboards and sales contests (销售竞赛, SPEC §4).
//!
//! - [`facts`]: sales as time-stamped facts, recorded once per completed order.
//! - [`period`]: days, weeks, months and custom ranges in the merchant's time zone.
//! - [`leaderboard`]: one SQL aggregate per metric (sales, new customers, recruits), ranked.
//! - [`lifecycle`]: a contest's status from its state and the clock; what each status allows.
//! - [`service`]: contests and their prizes: create, change, publish, cancel, delete.
//! - [`standings`]: what the rankings show, freezing the final ranking, distributors' view.
//! - [`worker`]: the thread that freezes ended contests while the server runs.

pub mod display;
pub mod facts;
pub mod leaderboard;
pub mod lifecycle;
pub mod period;
pub mod routes;
pub mod service;
pub mod standings;
pub mod worker;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::get_leaderboard)
        .service(routes::list_contests)
        .service(routes::create_contest)
        .service(routes::get_contest)
        .service(routes::update_contest)
        .service(routes::delete_contest)
        .service(routes::publish_contest)
        .service(routes::cancel_contest)
        .service(routes::get_contest_standings)
        .service(routes::list_member_contests)
        .service(routes::get_member_contest);
}
