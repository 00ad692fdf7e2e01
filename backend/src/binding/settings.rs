//! The merchant's binding settings, read from `distribution_settings`; a merchant without a row
//! gets the defaults (first touch, permanent, no protection days).

use diesel::prelude::*;

use super::rules::{BindingMode, Policy};
use crate::db::schema::distribution_settings as ds;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

pub fn policy(conn: &mut DbConnection, merchant_id: i64) -> AppResult<Policy> {
    let row: Option<(String, Option<i32>, i32)> = ds::table
        .find(merchant_id)
        .select((ds::binding_mode, ds::binding_days, ds::protection_days))
        .first(conn)
        .optional()?;
    let Some((mode, days, protection)) = row else {
        return Ok(Policy::default());
    };
    // The table's CHECK constraints make these impossible; refuse rather than guess.
    let mode = BindingMode::parse(&mode)
        .ok_or_else(|| AppError::internal(format!("unknown binding mode {mode}")))?;
    let validity_days = days
        .map(u32::try_from)
        .transpose()
        .map_err(AppError::internal)?;
    let protection_days = u32::try_from(protection).map_err(AppError::internal)?;
    Ok(Policy {
        mode,
        validity_days,
        protection_days,
    })
}
