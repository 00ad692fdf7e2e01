//! The after-sales state table, in one place: which action takes a request from which status to
//! which, for each kind. Every transition is a conditional update on the status just read, with
//! a timeline entry in the same transaction; anything else is 409 `invalid_transition` and
//! changes nothing — so two staff approving the same request at once approve it once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{AfterSaleKind, AfterSaleStatus, AfterSaleTimelineInsertForm};
use crate::db::ids::{AfterSaleId, MerchantId};
use crate::db::schema::{after_sale_timeline, after_sales};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::orders::state::Actor;

/// What can happen to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum AfterSaleAction {
    /// Staff accept it: a refund goes out (refund only), or the goods are to come back.
    Approve,
    /// Staff refuse it, with a reason.
    Reject,
    /// The buyer sent the goods back, with the tracking number.
    ShipReturn,
    /// Staff received the goods back: the refund goes out.
    ReceiveReturn,
    /// Staff refuse the returned goods, with a reason.
    RefuseReturn,
    /// The buyer takes the request back.
    Withdraw,
    /// The refund completed.
    Refunded,
}

impl AfterSaleAction {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The table: (kind, from, action, to); `None` as the kind is either kind.
const TRANSITIONS: &[(
    Option<AfterSaleKind>,
    AfterSaleStatus,
    AfterSaleAction,
    AfterSaleStatus,
)] = {
    use AfterSaleAction::*;
    use AfterSaleKind::*;
    use AfterSaleStatus::*;
    &[
        (Some(RefundOnly), Requested, Approve, Refunding),
        (Some(ReturnAndRefund), Requested, Approve, AwaitingReturn),
        (None, Requested, Reject, Rejected),
        (None, Requested, Withdraw, Withdrawn),
        (Some(ReturnAndRefund), AwaitingReturn, ShipReturn, Returning),
        (Some(ReturnAndRefund), AwaitingReturn, Withdraw, Withdrawn),
        (Some(ReturnAndRefund), Returning, ReceiveReturn, Refunding),
        (Some(ReturnAndRefund), Returning, RefuseReturn, Rejected),
        (
            None,
            Refunding,
            AfterSaleAction::Refunded,
            AfterSaleStatus::Refunded,
        ),
    ]
};

/// Where `action` takes a request of `kind` in status `from`, if the table allows it.
pub fn next(
    kind: AfterSaleKind,
    from: AfterSaleStatus,
    action: AfterSaleAction,
) -> Option<AfterSaleStatus> {
    TRANSITIONS
        .iter()
        .find(|(k, f, a, _)| k.is_none_or(|k| k == kind) && *f == from && *a == action)
        .map(|(_, _, _, to)| *to)
}

/// Applies `action` to the request inside the caller's transaction and answers the status it
/// left. 404 for another merchant's request; 409 `invalid_transition` when the table does not
/// allow it, or another transaction moved the request in between.
pub(crate) fn apply(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: AfterSaleId,
    action: AfterSaleAction,
    actor: Actor,
    note: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<AfterSaleStatus> {
    let (kind, from): (AfterSaleKind, AfterSaleStatus) = after_sales::table
        .filter(after_sales::merchant_id.eq(merchant_id))
        .filter(after_sales::id.eq(id))
        .select((after_sales::kind, after_sales::status))
        .first(conn)?;
    let refused = || AppError::InvalidTransition {
        from: from.as_str().to_owned(),
        action: action.as_str().to_owned(),
    };
    let to = next(kind, from, action).ok_or_else(refused)?;
    let this = after_sales::table
        .filter(after_sales::id.eq(id))
        .filter(after_sales::status.eq(from));
    let changed = diesel::update(this)
        .set((after_sales::status.eq(to), after_sales::updated_at.eq(now)))
        .execute(conn)?;
    if changed != 1 {
        return Err(refused());
    }
    // When it happened, on the column of what happened.
    let this = after_sales::table.filter(after_sales::id.eq(id));
    match action {
        AfterSaleAction::Approve | AfterSaleAction::Reject => diesel::update(this)
            .set(after_sales::decided_at.eq(now))
            .execute(conn)?,
        AfterSaleAction::ShipReturn => diesel::update(this)
            .set(after_sales::returned_at.eq(now))
            .execute(conn)?,
        AfterSaleAction::ReceiveReturn | AfterSaleAction::RefuseReturn => diesel::update(this)
            .set(after_sales::received_at.eq(now))
            .execute(conn)?,
        AfterSaleAction::Withdraw => diesel::update(this)
            .set(after_sales::closed_at.eq(now))
            .execute(conn)?,
        AfterSaleAction::Refunded => diesel::update(this)
            .set(after_sales::refunded_at.eq(now))
            .execute(conn)?,
    };
    diesel::insert_into(after_sale_timeline::table)
        .values(AfterSaleTimelineInsertForm {
            after_sale_id: id,
            from_status: Some(from),
            to_status: to,
            actor_kind: actor.kind,
            actor_id: actor.id,
            note,
            created_at: now,
        })
        .execute(conn)?;
    Ok(from)
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    #[test]
    fn the_table_allows_exactly_the_documented_moves() {
        use AfterSaleAction::*;
        use AfterSaleKind::*;
        use AfterSaleStatus::*;
        let moves = |kind| -> Vec<(AfterSaleStatus, AfterSaleAction, AfterSaleStatus)> {
            AfterSaleStatus::VARIANTS
                .iter()
                .flat_map(|&from| {
                    AfterSaleAction::VARIANTS
                        .iter()
                        .filter_map(move |&a| next(kind, from, a).map(|to| (from, a, to)))
                })
                .collect()
        };
        assert_eq!(
            moves(RefundOnly),
            vec![
                (Requested, Approve, Refunding),
                (Requested, Reject, Rejected),
                (Requested, Withdraw, Withdrawn),
                (
                    Refunding,
                    AfterSaleAction::Refunded,
                    AfterSaleStatus::Refunded
                ),
            ]
        );
        assert_eq!(
            moves(ReturnAndRefund),
            vec![
                (Requested, Approve, AwaitingReturn),
                (Requested, Reject, Rejected),
                (Requested, Withdraw, Withdrawn),
                (AwaitingReturn, ShipReturn, Returning),
                (AwaitingReturn, Withdraw, Withdrawn),
                (Returning, ReceiveReturn, Refunding),
                (Returning, RefuseReturn, Rejected),
                (
                    Refunding,
                    AfterSaleAction::Refunded,
                    AfterSaleStatus::Refunded
                ),
            ]
        );
        // Nothing leaves a final status.
        for kind in [RefundOnly, ReturnAndRefund] {
            for &action in AfterSaleAction::VARIANTS {
                for from in [AfterSaleStatus::Refunded, Rejected, Withdrawn] {
                    assert_eq!(next(kind, from, action), None);
                }
            }
        }
    }
}
