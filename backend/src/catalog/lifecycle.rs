//! The product state table. `draft` → `pending_review` → `listed` | `rejected`; `listed` ↔
//! `unlisted`; a rejected product can be corrected and submitted again. Nothing else is allowed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::enums::db_enum;

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ProductStatus {
        Draft,
        PendingReview,
        Listed,
        Rejected,
        Unlisted,
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ProductAction {
    /// Ask for review.
    Submit,
    Approve,
    Reject,
    Unlist,
    Relist,
}

impl ProductAction {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether the action is a review decision (needs `catalog.review`, not `catalog.write`).
    pub fn is_review(self) -> bool {
        matches!(self, ProductAction::Approve | ProductAction::Reject)
    }
}

const TRANSITIONS: &[(ProductStatus, ProductAction, ProductStatus)] = &[
    (
        ProductStatus::Draft,
        ProductAction::Submit,
        ProductStatus::PendingReview,
    ),
    (
        ProductStatus::Rejected,
        ProductAction::Submit,
        ProductStatus::PendingReview,
    ),
    (
        ProductStatus::PendingReview,
        ProductAction::Approve,
        ProductStatus::Listed,
    ),
    (
        ProductStatus::PendingReview,
        ProductAction::Reject,
        ProductStatus::Rejected,
    ),
    (
        ProductStatus::Listed,
        ProductAction::Unlist,
        ProductStatus::Unlisted,
    ),
    (
        ProductStatus::Unlisted,
        ProductAction::Relist,
        ProductStatus::Listed,
    ),
];

pub fn next(from: ProductStatus, action: ProductAction) -> Option<ProductStatus> {
    TRANSITIONS
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProductAction::*;
    use ProductStatus::*;

    #[test]
    fn the_table_allows_exactly_the_documented_moves() {
        let allowed: Vec<(ProductStatus, ProductAction)> = ProductStatus::VARIANTS
            .iter()
            .copied()
            .flat_map(|s| {
                [Submit, Approve, Reject, Unlist, Relist]
                    .into_iter()
                    .filter(move |a| next(s, *a).is_some())
                    .map(move |a| (s, a))
            })
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Draft, Submit),
                (PendingReview, Approve),
                (PendingReview, Reject),
                (Listed, Unlist),
                (Rejected, Submit),
                (Unlisted, Relist),
            ]
        );
        assert_eq!(next(PendingReview, Approve), Some(Listed));
        assert_eq!(next(Listed, Approve), None);
    }
}
