//! The distributor tree (SPEC §4): who is whose sponsor, kept as parent pointers plus a closure
//! table (`distributor_paths`, every ancestor–descendant pair with its distance, each distributor
//! paired with itself at depth 0), and the counters on `distributors` that make team figures one
//! row read. Every change to the tree goes through this module so that the three never disagree:
//!
//! - [`join`] adds a distributor under a sponsor (or the merchant's default sponsor, or as a root);
//! - [`move_distributor`] re-parents a whole subtree, refusing self-parenting and cycles;
//! - [`record_sale`] / [`adjust_sales`] add to personal sales and to every ancestor's team sales;
//! - [`freeze`], [`unfreeze`], [`end`] and [`set_tier`] change status and tier, with reasons;
//!   a demotion holds automatic promotion until [`release_promotion_hold`] or a manual raise;
//!   [`promote`] and [`move_tier_holders`] are how automatic promotion and the deletion of a
//!   tier change tiers: nothing else writes them.
//!
//! What others do about these changes (the sales fact of a sale, the promotion it earns) is not
//! called from here: joins, moves and sales record domain events (`distributor.joined`,
//! `.moved`, `.sale_recorded`, see `events`), and the subscribers react.
//!
//! Reads: [`upline`] (one indexed range read of the closure table), [`team`] (one row),
//! [`children`], [`list`], [`detail`], [`my_distributor`]. `docs/architecture.md` ("Distributor
//! tree") explains the design and its costs.

pub mod bench;
mod code;
pub mod manage;
pub mod models;
pub mod queries;
pub mod routes;
pub mod seed;
pub mod status;
pub mod tree;
pub mod verify;

pub use queries::{
    children, detail, list, my_distributor, team, upline, Distributor, DistributorDetail,
    DistributorPage, DistributorQuery, DistributorSort, MemberBrief, MyDistributor, TeamFigures,
    UplineEntry,
};
pub use status::{
    end, freeze, move_tier_holders, promote, release_promotion_hold, set_tier, unfreeze,
    DistributorStatus, TierCause, TierSet,
};
pub use tree::{adjust_sales, join, move_distributor, record_sale, MAX_UPLINE_DEPTH};

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_distributors)
        .service(routes::create_distributor)
        .service(routes::get_distributor)
        .service(routes::get_upline)
        .service(routes::get_team)
        .service(routes::list_tier_changes)
        .service(routes::list_children)
        .service(routes::move_distributor)
        .service(routes::freeze_distributor)
        .service(routes::unfreeze_distributor)
        .service(routes::end_distributor)
        .service(routes::set_distributor_tier)
        .service(routes::release_promotion_hold)
        .service(routes::my_distributor)
        .service(routes::join_as_distributor);
}
