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
