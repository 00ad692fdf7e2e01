//! Whether a member qualifies to become a distributor under the `spend_threshold` entry mode:
//! their cumulative paid spend must reach the merchant's threshold.
//!
//! The spend comes from [`paid_spend_fen`], the one place that reads it. There are no orders
//! yet, so it answers 0 and nobody qualifies by spending; when orders arrive, it sums the
//! member's paid orders (less refunds) and everything else here keeps working unchanged. Orders
//! may then also call [`check`] after a payment to make a qualifying member a distributor.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::ids::{MemberId, MerchantId};
use crate::db::DbConnection;
use crate::distribution::settings::DistributionSettings;
use crate::error::AppResult;
use crate::money::Money;

/// The member's cumulative paid spend at the merchant, in fen, as of `at`.
///
/// Source: paid orders. Until the orders module exists there are none, so this is 0.
pub fn paid_spend_fen(
    _conn: &mut DbConnection,
    _merchant_id: MerchantId,
    _member_id: i64,
    _at: NaiveDateTime,
) -> AppResult<i64> {
    Ok(0)
}

/// The outcome of a spend check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Eligibility {
    pub eligible: bool,
    /// The threshold in force (yuan); absent when none is set.
    pub threshold: Option<Money>,
    /// What the member has spent so far (yuan).
    pub spent: Money,
}

/// Whether the member's paid spend reaches the merchant's threshold. Without a threshold (the
/// settings refuse to store `spend_threshold` mode without one) nobody qualifies.
pub fn check(
    conn: &mut DbConnection,
    settings: &DistributionSettings,
    merchant_id: MerchantId,
    member_id: MemberId,
    at: NaiveDateTime,
) -> AppResult<Eligibility> {
    let spent_fen = paid_spend_fen(conn, merchant_id, member_id.get(), at)?.max(0);
    let spent = Money::from_fen(spent_fen).unwrap_or(Money::ZERO);
    let threshold = settings.spend_threshold;
    Ok(Eligibility {
        eligible: threshold.is_some_and(|t| spent.fen() >= t.fen()),
        threshold,
        spent,
    })
}
