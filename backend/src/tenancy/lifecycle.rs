//! The merchant state table: every status change of a merchant goes through `next`, and any
//! change not listed here is refused with 409, leaving the merchant untouched.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::MerchantStatus;
use crate::db::ids::MerchantId;
use crate::db::schema::merchants;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum MerchantAction {
    Approve,
    Suspend,
    Reactivate,
}

impl MerchantAction {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// `(from, action, to)`.
const TRANSITIONS: &[(MerchantStatus, MerchantAction, MerchantStatus)] = &[
    (
        MerchantStatus::PendingApproval,
        MerchantAction::Approve,
        MerchantStatus::Active,
    ),
    (
        MerchantStatus::PendingApproval,
        MerchantAction::Suspend,
        MerchantStatus::Suspended,
    ),
    (
        MerchantStatus::Active,
        MerchantAction::Suspend,
        MerchantStatus::Suspended,
    ),
    (
        MerchantStatus::Suspended,
        MerchantAction::Reactivate,
        MerchantStatus::Active,
    ),
];

pub fn next(from: MerchantStatus, action: MerchantAction) -> Option<MerchantStatus> {
    TRANSITIONS
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
}

/// Applies `action` to a merchant read as `from` and answers the new status. The update is
/// conditional on the status read, so two operators acting at once cannot both win: the loser,
/// like an action the table does not list, gets 409 and changes nothing.
pub fn apply(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    from: MerchantStatus,
    action: MerchantAction,
    now: NaiveDateTime,
) -> AppResult<MerchantStatus> {
    let refused = || AppError::InvalidTransition {
        from: from.as_str().to_owned(),
        action: action.as_str().to_owned(),
    };
    let to = next(from, action).ok_or_else(refused)?;
    let changed = diesel::update(
        merchants::table
            .filter(merchants::id.eq(merchant_id))
            .filter(merchants::status.eq(from)),
    )
    .set((merchants::status.eq(to), merchants::updated_at.eq(now)))
    .execute(conn)?;
    if changed == 0 {
        return Err(refused());
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_transitions_are_allowed() {
        use MerchantAction::*;
        use MerchantStatus::*;
        assert_eq!(next(PendingApproval, Approve), Some(Active));
        assert_eq!(next(Active, Suspend), Some(Suspended));
        assert_eq!(next(Suspended, Reactivate), Some(Active));
        assert_eq!(next(Active, Approve), None);
        assert_eq!(
            next(PendingVerification, Approve),
            None,
            "verify the email first"
        );
        assert_eq!(next(Suspended, Suspend), None);
        assert_eq!(next(Active, Reactivate), None);
    }
}
