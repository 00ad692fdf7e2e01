//! The merchant state table: every status change of a merchant goes through `next`, and any
//! change not listed here is refused with 409, leaving the merchant untouched.

use super::models::MerchantStatus;

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
