//! A distributor's status (active, frozen, ended) and tier, changed by staff with a reason, or
//! the tier by automatic promotion ([`promote`]) and by the deletion of a tier
//! ([`move_tier_holders`]). This is the one writer of `distributors.status`, `.tier_id`,
//! `.promotion_held_since` and of `distributor_tier_changes`: other modules decide, and call here.
//!
//! | from \ action | freeze | unfreeze | end   |
//! |---------------|--------|----------|-------|
//! | active        | frozen | —        | ended |
//! | frozen        | —      | active   | ended |
//! | ended         | —      | —        | —     |
//!
//! Frozen: earns no new commission (pending commission stays) and cannot recruit. Ended: final;
//! the member keeps the account but cannot become a distributor again. An ended distributor
//! keeps its place in the tree and its team stays below it, so nobody's upline changes without
//! a decision; staff move the team elsewhere explicitly if they want to.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text as SqlText, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::models::TierChangeInsertForm;
use super::tree::{in_write_transaction, lock_tree};
use crate::db::enums::db_enum;
use crate::db::ids::{DistributorId, MerchantId};
use crate::db::schema::{distributor_tier_changes, distributor_tiers, distributors};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{self, DistributorTierChanged, DomainEvent};

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum DistributorStatus {
        Active,
        Frozen,
        Ended,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum StatusAction {
    Freeze,
    Unfreeze,
    End,
}

impl StatusAction {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The state table above.
pub fn next_status(from: DistributorStatus, action: StatusAction) -> Option<DistributorStatus> {
    use DistributorStatus::*;
    match (from, action) {
        (Active, StatusAction::Freeze) => Some(Frozen),
        (Frozen, StatusAction::Unfreeze) => Some(Active),
        (Active | Frozen, StatusAction::End) => Some(Ended),
        _ => None,
    }
}

/// Applies a status action; returns the status before and after.
pub fn change_status(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    action: StatusAction,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<(DistributorStatus, DistributorStatus)> {
    in_write_transaction(conn, |conn| {
        // Under the tree lock, so that a join checking this distributor as a sponsor sees the
        // status either before or after, never a sponsor ended half-way through its join.
        lock_tree(conn, merchant_id)?;
        let from: DistributorStatus = distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::id.eq(id))
            .select(distributors::status)
            .first(conn)?;
        let to = next_status(from, action).ok_or_else(|| AppError::InvalidTransition {
            from: from.as_str().to_owned(),
            action: action.as_str().to_owned(),
        })?;
        diesel::update(distributors::table)
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::id.eq(id))
            .set((
                distributors::status.eq(to),
                distributors::status_reason.eq(reason),
                distributors::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok((from, to))
    })
}

/// Freezes an active distributor: no new commission, no recruiting, until unfrozen.
pub fn freeze(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    change_status(
        conn,
        merchant_id,
        id,
        StatusAction::Freeze,
        Some(reason),
        now,
    )
    .map(|_| ())
}

pub fn unfreeze(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    change_status(conn, merchant_id, id, StatusAction::Unfreeze, reason, now).map(|_| ())
}

/// Ends distribution for a distributor, for good. Its team stays below it (see the module
/// comment).
pub fn end(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    change_status(conn, merchant_id, id, StatusAction::End, Some(reason), now).map(|_| ())
}

db_enum! {
    /// Why a tier changed, as `distributor_tier_changes.cause` stores it.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum TierCause {
        Joined,
        Promotion,
        Demotion,
        Manual,
    }
}

/// Writes one row of tier history and records `distributor.tier_changed`. `detail`: the reason
/// staff gave, or for promotions the conditions and figures that met them (JSON).
#[allow(clippy::too_many_arguments)]
pub(super) fn record_tier_change(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    from: Option<i64>,
    to: Option<i64>,
    cause: TierCause,
    detail: &str,
    actor_account_id: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<i64> {
    let id = diesel::insert_into(distributor_tier_changes::table)
        .values(TierChangeInsertForm {
            merchant_id,
            distributor_id,
            from_tier_id: from,
            to_tier_id: to,
            cause,
            detail,
            actor_account_id,
            created_at: now,
        })
        .returning(distributor_tier_changes::id)
        .get_result(conn)?;
    let changed = DistributorTierChanged {
        distributor_id,
        change_id: id,
        from_tier_id: from,
        to_tier_id: to,
        cause,
    };
    events::record(
        conn,
        merchant_id,
        &DomainEvent::DistributorTierChanged(changed),
        now,
    )?;
    Ok(id)
}

/// Applies `set` to the distributors `base` selects whose tier is still `current` (`None`: no
/// tier); the number of rows changed.
macro_rules! update_if_tier {
    ($conn:expr, $base:expr, $current:expr, $set:expr) => {
        match $current {
            Some(tier) => diesel::update($base.filter(distributors::tier_id.eq(tier)))
                .set($set)
                .execute($conn)?,
            None => diesel::update($base.filter(distributors::tier_id.is_null()))
                .set($set)
                .execute($conn)?,
        }
    };
}

fn tier_rank(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    tier_id: i64,
) -> AppResult<Option<i32>> {
    Ok(distributor_tiers::table
        .filter(distributor_tiers::merchant_id.eq(merchant_id))
        .filter(distributor_tiers::id.eq(tier_id))
        .select(distributor_tiers::rank)
        .first(conn)
        .optional()?)
}

/// What a manual tier change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierSet {
    /// The tier before.
    pub from: Option<i64>,
    pub cause: TierCause,
    /// Whether automatic promotion was held before and is held after the change.
    pub held_before: bool,
    pub held_after: bool,
}

/// Sets a distributor's tier by hand (`None`: no tier). A lower rank than before is recorded as
/// a `demotion`, anything else as `manual`, with the reason. Setting the current tier again
/// changes and records nothing. Returns what changed, if anything.
///
/// A demotion holds automatic promotion (`promotion_held_since`): the distributor may still meet
/// the figures of the tier they were demoted from, and the next sale, recruit or periodic sweep
/// would otherwise undo the staff's decision at once. A manual change that is not a demotion
/// ends the hold, as does [`release_promotion_hold`].
pub fn set_tier(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    tier_id: Option<i64>,
    reason: &str,
    actor_account_id: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<Option<TierSet>> {
    in_write_transaction(conn, |conn| {
        let (current, held): (Option<i64>, Option<NaiveDateTime>) = distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::id.eq(id))
            .select((distributors::tier_id, distributors::promotion_held_since))
            .first(conn)?;
        let new_rank = match tier_id {
            Some(t) => Some(
                tier_rank(conn, merchant_id, t)?
                    .ok_or_else(|| AppError::field("tier_id", ErrorCode::UnknownTier))?,
            ),
            None => None,
        };
        if current == tier_id {
            return Ok(None);
        }
        let old_rank = match current {
            Some(t) => tier_rank(conn, merchant_id, t)?,
            None => None,
        };
        // No tier ranks below every tier.
        let cause = if new_rank.unwrap_or(0) < old_rank.unwrap_or(0) {
            TierCause::Demotion
        } else {
            TierCause::Manual
        };
        let hold = match cause {
            TierCause::Demotion => Some(now),
            _ => None,
        };
        // Conditional on the tier read above: an automatic promotion committed in between would
        // otherwise be overwritten and this change recorded from the wrong tier (and perhaps as
        // `manual` where it is a demotion, without the hold).
        let base = distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::id.eq(id));
        let set = (
            distributors::tier_id.eq(tier_id),
            distributors::promotion_held_since.eq(hold),
            distributors::updated_at.eq(now),
        );
        let updated = update_if_tier!(conn, base, current, set);
        if updated == 0 {
            return Err(AppError::conflict(ErrorCode::TierChanged));
        }
        record_tier_change(
            conn,
            merchant_id,
            id,
            current,
            tier_id,
            cause,
            reason,
            actor_account_id,
            now,
        )?;
        Ok(Some(TierSet {
            from: current,
            cause,
            held_before: held.is_some(),
            held_after: hold.is_some(),
        }))
    })
}

/// Raises a distributor from tier `from` to `to` by automatic promotion (the decision is
/// `distribution::promotion`'s), with its `promotion` tier change carrying `detail` (the
/// trigger, conditions and figures, as JSON). Conditional on the tier being still `from`, the
/// distributor active and not on a promotion hold: when a concurrent promotion, demotion or
/// freeze got there first nothing changes and `None` is answered. Otherwise the tier change's id.
/// Runs inside the caller's transaction.
pub fn promote(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    from: Option<i64>,
    to: i64,
    detail: &str,
    now: NaiveDateTime,
) -> AppResult<Option<i64>> {
    let base = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(id))
        .filter(distributors::status.eq(DistributorStatus::Active.as_str()))
        .filter(distributors::promotion_held_since.is_null());
    let set = (
        distributors::tier_id.eq(to),
        distributors::updated_at.eq(now),
    );
    let updated = update_if_tier!(conn, base, from, set);
    if updated == 0 {
        return Ok(None);
    }
    record_tier_change(
        conn,
        merchant_id,
        id,
        from,
        Some(to),
        TierCause::Promotion,
        detail,
        None,
        now,
    )
    .map(Some)
}

/// Moves every distributor of the merchant holding tier `from` (whatever their status) to tier
/// `to`, each with a `manual` tier change giving `reason`, in two statements whatever their
/// number; for the deletion of a tier. Returns how many moved. Runs inside the caller's
/// transaction, which must hold tier `from` (`distribution::tiers` locks it).
pub fn move_tier_holders(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    from: i64,
    to: i64,
    reason: &str,
    actor_account_id: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<i64> {
    diesel::insert_into(distributor_tier_changes::table)
        .values(
            distributors::table
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::tier_id.eq(from))
                .select((
                    distributors::merchant_id,
                    distributors::id,
                    distributors::tier_id,
                    Some(to).into_sql::<Nullable<BigInt>>(),
                    TierCause::Manual.as_str().into_sql::<SqlText>(),
                    reason.into_sql::<SqlText>(),
                    actor_account_id.into_sql::<Nullable<BigInt>>(),
                    now.into_sql::<Timestamp>(),
                )),
        )
        .into_columns((
            distributor_tier_changes::merchant_id,
            distributor_tier_changes::distributor_id,
            distributor_tier_changes::from_tier_id,
            distributor_tier_changes::to_tier_id,
            distributor_tier_changes::cause,
            distributor_tier_changes::detail,
            distributor_tier_changes::actor_account_id,
            distributor_tier_changes::created_at,
        ))
        .execute(conn)?;
    let moved = diesel::update(
        distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::tier_id.eq(from)),
    )
    .set((
        distributors::tier_id.eq(to),
        distributors::updated_at.eq(now),
    ))
    .execute(conn)?;
    i64::try_from(moved).map_err(AppError::internal)
}

/// Lets automatic promotion resume for a distributor that a demotion put on hold; the next
/// event or periodic sweep promotes them if they qualify. Returns when the hold began, or `None`
/// when there was none (nothing changes). Another merchant's distributor is not found.
pub fn release_promotion_hold(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    now: NaiveDateTime,
) -> AppResult<Option<NaiveDateTime>> {
    in_write_transaction(conn, |conn| {
        let held: Option<NaiveDateTime> = distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::id.eq(id))
            .select(distributors::promotion_held_since)
            .first(conn)?;
        if held.is_some() {
            diesel::update(distributors::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq(id))
                .set((
                    distributors::promotion_held_since.eq(None::<NaiveDateTime>),
                    distributors::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(held)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ended_is_final_and_each_action_has_one_source() {
        use DistributorStatus::*;
        let all = [Active, Frozen, Ended];
        let actions = [
            StatusAction::Freeze,
            StatusAction::Unfreeze,
            StatusAction::End,
        ];
        for action in actions {
            assert_eq!(next_status(Ended, action), None);
        }
        assert_eq!(next_status(Active, StatusAction::Freeze), Some(Frozen));
        assert_eq!(next_status(Frozen, StatusAction::Freeze), None);
        assert_eq!(next_status(Active, StatusAction::Unfreeze), None);
        assert_eq!(next_status(Frozen, StatusAction::Unfreeze), Some(Active));
        for from in all {
            assert_eq!(
                next_status(from, StatusAction::End),
                (from != Ended).then_some(Ended)
            );
        }
    }
}
