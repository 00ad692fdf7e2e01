//! The merchant's binding settings, as the distribution settings define them (defaults when the
//! merchant saved none: first touch, permanent, no protection days).

use super::rules::Policy;
use crate::db::ids::MerchantId;
use crate::db::DbConnection;
use crate::distribution;
use crate::error::{AppError, AppResult};

pub fn policy(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Policy> {
    let settings = distribution::settings::load(conn, merchant_id)?;
    // The table's CHECK constraints keep both non-negative; refuse rather than guess.
    let validity_days = settings
        .binding_days
        .map(u32::try_from)
        .transpose()
        .map_err(AppError::internal)?;
    let protection_days = u32::try_from(settings.protection_days).map_err(AppError::internal)?;
    Ok(Policy {
        mode: settings.binding_mode,
        validity_days,
        protection_days,
    })
}
