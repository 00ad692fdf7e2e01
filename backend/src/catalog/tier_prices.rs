//! SKU prices per tier. Distributor purchase prices name tiers of `distribution::tiers`: a price
//! for a tier the merchant does not have (a typo, a deleted tier, another merchant's tier) is
//! refused, never stored, because no distributor could ever pay it and it would silently vanish
//! from every quote. Member tiers have no table yet, so member prices keep the tier ids given.

use std::collections::BTreeSet;

use diesel::prelude::*;

use super::products::TierPrice;
use crate::db::ids::MerchantId;
use crate::db::schema::sku_tier_prices;
use crate::db::DbConnection;
use crate::distribution::tiers;
use crate::error::{AppError, AppResult, ErrorCode, FieldError};

/// One SKU's distributor prices to check, with the field that names its row.
pub(crate) struct PricedSku<'a> {
    /// e.g. `skus[2].distributor_prices`.
    pub field: String,
    pub code: &'a str,
    pub prices: &'a [TierPrice],
}

/// Refuses (422 `unknown_tier`, one field error per SKU row) prices for tiers the merchant does
/// not have. Call it inside the writing transaction, before writing: on PostgreSQL the tiers
/// found stay locked until the transaction ends (see `tiers::existing_ids`).
pub(crate) fn check_distributor_tiers(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    skus: &[PricedSku<'_>],
) -> AppResult<()> {
    let wanted: BTreeSet<i64> = skus
        .iter()
        .flat_map(|s| s.prices.iter().map(|p| p.tier_id))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let known = tiers::existing_ids(conn, merchant_id, &wanted)?;
    let errors: Vec<FieldError> = skus
        .iter()
        .filter_map(|sku| {
            let unknown: BTreeSet<i64> = sku
                .prices
                .iter()
                .map(|p| p.tier_id)
                .filter(|id| !known.contains(id))
                .collect();
            (!unknown.is_empty()).then(|| unknown_tier(&sku.field, sku.code, &unknown))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Removes every SKU's purchase price for a distributor tier that is being deleted, inside the
/// deleting transaction (which holds the tier, so no price for it is written meanwhile).
pub(crate) fn remove_distributor_tier(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    tier_id: i64,
) -> AppResult<()> {
    diesel::delete(
        sku_tier_prices::table
            .filter(sku_tier_prices::merchant_id.eq(merchant_id))
            .filter(sku_tier_prices::tier_kind.eq(super::products::TierKind::Distributor))
            .filter(sku_tier_prices::tier_id.eq(tier_id)),
    )
    .execute(conn)?;
    Ok(())
}

fn unknown_tier(field: &str, code: &str, ids: &BTreeSet<i64>) -> FieldError {
    let ids = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    FieldError::new(
        field,
        ErrorCode::UnknownTier
            .form("sku_prices")
            .arg("code", code)
            .arg("ids", &ids),
    )
}
