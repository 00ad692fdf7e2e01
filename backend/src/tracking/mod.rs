//! Tracking packages: the merchant's tracker settings, the Kuaidi100 adapter (real-time query,
//! subscription with push), a generic signed webhook for any other tracker, and each package's
//! timeline of events, mapped to our own tracking states.
//!
//! - `kuaidi100`: Kuaidi100's requests, signatures, states and times;
//! - `settings`: the merchant's Kuaidi100 account and webhook secret, sealed;
//! - `timeline`: keeping events (once each), subscribing, refreshing, pushes and the webhook;
//! - `routes`: the settings, the trackers' push endpoints, refreshing, the distributor's view.

pub mod kuaidi100;
pub mod routes;
pub mod settings;
pub mod timeline;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    routes::register(cfg);
}
