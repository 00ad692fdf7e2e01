//! Changes to the tree's shape and counters: joining, moving a subtree, recording sales.
//!
//! Every function here keeps three things in step inside one transaction: the parent pointer
//! (and `depth`) on `distributors`, the closure rows in `distributor_paths`, and the counters
//! (`direct_recruits`, `team_size`, `team_sales`, `personal_sales`, `order_count`).
//!
//! Concurrency: all writes to one merchant's tree are serialised. On SQLite the write transaction
//! (`BEGIN IMMEDIATE`) already does that; on PostgreSQL a transaction-scoped advisory lock per
//! merchant does, so a join never reads the upline of a sponsor while a move is rewriting it, and
//! counter updates of many ancestors never deadlock. The root's counters are touched by every
//! join and sale anyway, so finer locks would not buy throughput.

use chrono::NaiveDateTime;
use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;

use super::code;
pub(crate) use super::models::Node;
use super::models::{DistributorInsertForm, PathRow};
use super::status::{self, DistributorStatus, TierCause};
use crate::auth::account::AccountStatus;
use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::{
    distribution_settings, distributor_paths as paths, distributor_tiers, distributors, members,
};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{self, DistributorJoined, DistributorMoved, DomainEvent, SaleRecorded};

/// The deepest upline a query may ask for. Commission needs three levels; the rest is for staff
/// looking at a chain.
pub const MAX_UPLINE_DEPTH: i32 = 50;

/// First key of the PostgreSQL advisory lock that serialises one merchant's tree writes (the
/// second is the merchant); an arbitrary constant that no other lock of the application uses.
const TREE_LOCK_CLASS: i32 = 0x0066_7874;

/// Runs `f` in a write transaction of its own, or, when the caller already has a transaction
/// open, inside it (as a savepoint), so that callers such as an application approval or an
/// order payment can make the tree change part of their own unit of work. On SQLite such a
/// caller must have begun with `db::write_transaction`.
pub(crate) fn in_write_transaction<T, F>(conn: &mut DbConnection, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T>,
{
    type Manager = <DbConnection as Connection>::TransactionManager;
    let open = Manager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some();
    if open {
        conn.transaction(f)
    } else {
        db::write_transaction(conn, f)
    }
}

/// Serialises tree writes of one merchant until the end of the current transaction (see the
/// module comment). A no-op on SQLite, where the write transaction holds the only write lock.
pub(crate) fn lock_tree(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        // Folded into the lock's 32-bit key: two merchants sharing a key only wait for each other.
        let key = merchant_id.get().rem_euclid(i64::from(i32::MAX));
        pg.batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({TREE_LOCK_CLASS}, {key})"
        ))?;
    }
    Ok(())
}

pub(crate) fn node(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
) -> AppResult<Node> {
    Ok(distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(id))
        .select(Node::as_select())
        .first(conn)?)
}

/// The ids of a distributor's ancestors (not itself), as a subquery.
macro_rules! ancestors_of {
    ($merchant_id:expr, $id:expr) => {
        paths::table
            .filter(paths::merchant_id.eq($merchant_id))
            .filter(paths::descendant_id.eq($id))
            .filter(paths::depth.ge(1))
            .select(paths::ancestor_id)
    };
}

/// The ids of a distributor's subtree (itself included), as a subquery.
macro_rules! subtree_of {
    ($alias:expr, $merchant_id:expr, $id:expr) => {
        $alias
            .filter($alias.field(paths::merchant_id).eq($merchant_id))
            .filter($alias.field(paths::ancestor_id).eq($id))
            .select($alias.field(paths::descendant_id))
    };
}

fn unknown_distributor(field: &'static str) -> impl FnOnce(AppError) -> AppError {
    move |err| match err {
        AppError::NotFound => AppError::field(field, ErrorCode::UnknownDistributor),
        other => other,
    }
}

fn sponsor_not_active() -> AppError {
    AppError::conflict(ErrorCode::SponsorNotActive)
}

/// The merchant's default sponsor, when one is set and can still recruit. A default sponsor that
/// was frozen or ended since is passed over (the newcomer becomes a root) rather than blocking
/// every join until the setting is corrected.
fn default_sponsor(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Option<Node>> {
    let configured: Option<Option<DistributorId>> = distribution_settings::table
        .find(merchant_id)
        .select(distribution_settings::default_sponsor_id)
        .first(conn)
        .optional()?;
    let Some(Some(id)) = configured else {
        return Ok(None);
    };
    match node(conn, merchant_id, id) {
        Ok(n) if n.status == DistributorStatus::Active => Ok(Some(n)),
        Ok(_) | Err(AppError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Makes a member of the merchant a distributor and returns the new distributor's id.
///
/// `sponsor`: the recruiting distributor, which must be active and of the same merchant; `None`
/// means the merchant's default sponsor if one is set (and active), else a new root. A member has
/// at most one distributor profile (`already_distributor`, also after distribution ended). The
/// entry tier (lowest rank), if the merchant has tiers, is given with a `joined` tier change.
///
/// The given sponsor is recorded as the newcomer's recruiter (`sponsor_id`, what the recruits
/// leaderboard counts, and which later moves in the tree leave alone); the default sponsor is
/// not (nobody recruited them). Staff placing a member use [`join_placed`] instead.
///
/// Records `distributor.joined`, whose subscribers re-evaluate the upline's tiers (the sponsor
/// gained a recruit, or with [`join_placed`] a team member).
///
/// Runs in its own write transaction, or inside the caller's.
pub fn join(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    sponsor: Option<DistributorId>,
    now: NaiveDateTime,
) -> AppResult<DistributorId> {
    join_as(
        conn,
        merchant_id,
        member_id,
        sponsor,
        Placement::Recruited,
        now,
    )
}

/// Like [`join`], for staff making a member a distributor under a parent of their choosing: the
/// parent did not recruit them, so no recruiter is recorded.
pub fn join_placed(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    parent: Option<DistributorId>,
    now: NaiveDateTime,
) -> AppResult<DistributorId> {
    join_as(
        conn,
        merchant_id,
        member_id,
        parent,
        Placement::ByStaff,
        now,
    )
}

/// Whether the sponsor given to a join recruited the newcomer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    Recruited,
    ByStaff,
}

fn join_as(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    sponsor: Option<DistributorId>,
    placement: Placement,
    now: NaiveDateTime,
) -> AppResult<DistributorId> {
    let recruiter = sponsor.filter(|_| placement == Placement::Recruited);
    in_write_transaction(conn, |conn| {
        lock_tree(conn, merchant_id)?;
        let member_status: Option<AccountStatus> = members::table
            .filter(members::merchant_id.eq(merchant_id))
            .filter(members::id.eq(member_id))
            .select(members::status)
            .first(conn)
            .optional()?;
        match member_status {
            None => return Err(AppError::field("member_id", ErrorCode::UnknownMember)),
            Some(AccountStatus::Active) => {}
            Some(_) => return Err(AppError::conflict(ErrorCode::MemberDisabled)),
        }
        let existing: i64 = distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::member_id.eq(member_id))
            .count()
            .get_result(conn)?;
        if existing > 0 {
            return Err(AppError::conflict(ErrorCode::AlreadyDistributor));
        }
        let sponsor = match sponsor {
            Some(id) => {
                let n = node(conn, merchant_id, id).map_err(unknown_distributor("sponsor_id"))?;
                if n.status != DistributorStatus::Active {
                    return Err(sponsor_not_active());
                }
                Some(n)
            }
            None => default_sponsor(conn, merchant_id)?,
        };
        let entry_tier: Option<i64> = distributor_tiers::table
            .filter(distributor_tiers::merchant_id.eq(merchant_id))
            .order(distributor_tiers::rank.asc())
            .select(distributor_tiers::id)
            .first(conn)
            .optional()?;
        let code = code::fresh(conn, merchant_id)?;
        let id: DistributorId = diesel::insert_into(distributors::table)
            .values(DistributorInsertForm {
                merchant_id,
                member_id,
                parent_id: sponsor.as_ref().map(|s| s.id),
                sponsor_id: recruiter,
                tier_id: entry_tier,
                code: &code,
                status: DistributorStatus::Active,
                depth: sponsor.as_ref().map_or(0, |s| s.depth + 1),
                joined_at: now,
                updated_at: now,
            })
            .returning(distributors::id)
            .get_result(conn)?;
        diesel::insert_into(paths::table)
            .values(PathRow {
                merchant_id,
                ancestor_id: id,
                descendant_id: id,
                depth: 0,
            })
            .execute(conn)?;
        if let Some(sponsor) = &sponsor {
            // The sponsor's upline (itself at 0) is the newcomer's, one step further away.
            diesel::insert_into(paths::table)
                .values(
                    paths::table
                        .filter(paths::merchant_id.eq(merchant_id))
                        .filter(paths::descendant_id.eq(sponsor.id))
                        .select((
                            paths::merchant_id,
                            paths::ancestor_id,
                            id.into_sql::<crate::db::ids::sql::DistributorId>(),
                            paths::depth + 1,
                        )),
                )
                .into_columns((
                    paths::merchant_id,
                    paths::ancestor_id,
                    paths::descendant_id,
                    paths::depth,
                ))
                .execute(conn)?;
            diesel::update(distributors::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq(sponsor.id))
                .set(distributors::direct_recruits.eq(distributors::direct_recruits + 1))
                .execute(conn)?;
            diesel::update(distributors::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq_any(ancestors_of!(merchant_id, id)))
                .set((
                    distributors::team_size.eq(distributors::team_size + 1),
                    distributors::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        if let Some(tier) = entry_tier {
            status::record_tier_change(
                conn,
                merchant_id,
                id,
                None,
                Some(tier),
                TierCause::Joined,
                "",
                None,
                now,
            )?;
        }
        let joined = DistributorJoined {
            distributor_id: id,
            member_id,
            parent_id: sponsor.as_ref().map(|s| s.id),
            sponsor_id: recruiter,
            placed_by_staff: placement == Placement::ByStaff,
        };
        events::record(
            conn,
            merchant_id,
            &DomainEvent::DistributorJoined(joined),
            now,
        )?;
        Ok(id)
    })
}

/// Moves a distributor, with everyone below it, under `new_parent` (`None`: makes it a root).
///
/// Refused: the distributor as its own parent (`self_parent`), a parent inside the moved
/// subtree (`tree_cycle`), a parent of another merchant or none (`unknown_distributor` on
/// `parent_id`), a parent whose distribution ended (`parent_ended`). Moving to the current
/// parent changes nothing. Returns whether anything changed.
///
/// The subtree keeps its inner shape; its closure rows to the old upline are replaced by rows
/// to the new one, depths shift by the same amount, and the subtree's size and sales move from
/// the old upline's team counters to the new upline's. Ancestors common to both lose and regain
/// the same amounts. A move that changed something records `distributor.moved`, whose
/// subscribers evaluate the new upline for promotion (trigger `team_changed`).
pub fn move_distributor(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    new_parent: Option<DistributorId>,
    now: NaiveDateTime,
) -> AppResult<bool> {
    in_write_transaction(conn, |conn| {
        lock_tree(conn, merchant_id)?;
        let moved = node(conn, merchant_id, id)?;
        if new_parent == Some(id) {
            return Err(AppError::unprocessable(ErrorCode::SelfParent));
        }
        let parent = match new_parent {
            Some(pid) => {
                Some(node(conn, merchant_id, pid).map_err(unknown_distributor("parent_id"))?)
            }
            None => None,
        };
        if let Some(parent) = &parent {
            // Only a deeper distributor can be below; then the one closure row that would say so
            // is addressed by its whole primary key.
            let below: i64 = if parent.depth > moved.depth {
                paths::table
                    .filter(paths::merchant_id.eq(merchant_id))
                    .filter(paths::descendant_id.eq(parent.id))
                    .filter(paths::depth.eq(parent.depth - moved.depth))
                    .filter(paths::ancestor_id.eq(moved.id))
                    .count()
                    .get_result(conn)?
            } else {
                0
            };
            if below > 0 {
                return Err(AppError::unprocessable(ErrorCode::TreeCycle));
            }
            if parent.status == DistributorStatus::Ended {
                return Err(AppError::conflict(ErrorCode::ParentEnded));
            }
            // Not for a move to the same parent: that changes nothing, whatever the bindings.
            let own_team = if moved.parent_id == Some(parent.id) {
                0
            } else {
                crate::binding::service::bound_into_own_team(conn, merchant_id, id, parent.id, now)?
            };
            if own_team > 0 {
                return Err(AppError::conflict(
                    ErrorCode::MoveBindsOwnTeam.arg("own_team", own_team),
                ));
            }
        }
        if moved.parent_id == new_parent {
            return Ok(false);
        }
        let size = moved.team_size + 1;
        let sales = moved.team_sales + moved.personal_sales;
        let (sub, up) = diesel::alias!(paths as sub, paths as up);

        if let Some(old) = moved.parent_id {
            diesel::update(distributors::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq(old))
                .set(distributors::direct_recruits.eq(distributors::direct_recruits - 1))
                .execute(conn)?;
            diesel::update(distributors::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq_any(ancestors_of!(merchant_id, moved.id)))
                .set((
                    distributors::team_size.eq(distributors::team_size - size),
                    distributors::team_sales.eq(distributors::team_sales - sales),
                    distributors::updated_at.eq(now),
                ))
                .execute(conn)?;
            // Cut every path from the old upline into the subtree: for the subtree's members
            // k levels below the moved distributor, their paths longer than k. Level by level,
            // so that each statement reads the closure table by descendant (its primary key);
            // selecting the rows by ancestor instead would read the whole team of the root.
            let height: Option<i32> = sub
                .filter(sub.field(paths::merchant_id).eq(merchant_id))
                .filter(sub.field(paths::ancestor_id).eq(moved.id))
                .select(diesel::dsl::max(sub.field(paths::depth)))
                .first(conn)?;
            for level in 0..=height.unwrap_or(0) {
                diesel::delete(
                    paths::table
                        .filter(paths::merchant_id.eq(merchant_id))
                        .filter(
                            paths::descendant_id.eq_any(
                                sub.filter(sub.field(paths::merchant_id).eq(merchant_id))
                                    .filter(sub.field(paths::ancestor_id).eq(moved.id))
                                    .filter(sub.field(paths::depth).eq(level))
                                    .select(sub.field(paths::descendant_id)),
                            ),
                        )
                        .filter(paths::depth.gt(level)),
                )
                .execute(conn)?;
            }
        }
        if let Some(parent) = &parent {
            // Every ancestor of the new parent (itself included) × every member of the subtree.
            diesel::insert_into(paths::table)
                .values(
                    up.inner_join(
                        sub.on(sub
                            .field(paths::merchant_id)
                            .eq(up.field(paths::merchant_id))),
                    )
                    .filter(up.field(paths::merchant_id).eq(merchant_id))
                    .filter(up.field(paths::descendant_id).eq(parent.id))
                    .filter(sub.field(paths::ancestor_id).eq(moved.id))
                    .select((
                        up.field(paths::merchant_id),
                        up.field(paths::ancestor_id),
                        sub.field(paths::descendant_id),
                        up.field(paths::depth) + sub.field(paths::depth) + 1,
                    )),
                )
                .into_columns((
                    paths::merchant_id,
                    paths::ancestor_id,
                    paths::descendant_id,
                    paths::depth,
                ))
                .execute(conn)?;
            diesel::update(distributors::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq(parent.id))
                .set(distributors::direct_recruits.eq(distributors::direct_recruits + 1))
                .execute(conn)?;
            diesel::update(distributors::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq_any(ancestors_of!(merchant_id, moved.id)))
                .set((
                    distributors::team_size.eq(distributors::team_size + size),
                    distributors::team_sales.eq(distributors::team_sales + sales),
                    distributors::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        let shift = parent.as_ref().map_or(0, |p| p.depth + 1) - moved.depth;
        if shift != 0 {
            diesel::update(distributors::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq_any(subtree_of!(sub, merchant_id, moved.id)))
                .set(distributors::depth.eq(distributors::depth + shift))
                .execute(conn)?;
        }
        diesel::update(distributors::table)
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::id.eq(moved.id))
            .set((
                distributors::parent_id.eq(new_parent),
                distributors::updated_at.eq(now),
            ))
            .execute(conn)?;
        let event = DistributorMoved {
            distributor_id: moved.id,
            from_parent_id: moved.parent_id,
            to_parent_id: new_parent,
        };
        events::record(
            conn,
            merchant_id,
            &DomainEvent::DistributorMoved(event),
            now,
        )?;
        Ok(true)
    })
}

/// Records one paid order `order_ref` of `amount_fen` brought by the distributor: its
/// personal sales and order count, the team sales of every ancestor, and the event
/// `distributor.sale_recorded`, whose subscribers write the time-stamped sales fact that
/// leaderboards and contests sum and re-evaluate promotion. Idempotent per order: recording the
/// same order again changes nothing (and answers `false`), so a retried payment cannot count
/// twice; the same order with another distributor or amount is refused (409
/// `sale_already_recorded`). The subscriber of `order.paid` calls this inside the payment's
/// transaction (as its last step: on PostgreSQL it holds the merchant's tree lock until that
/// transaction ends).
pub fn record_sale(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    order_ref: &str,
    amount_fen: i64,
    at: NaiveDateTime,
) -> AppResult<bool> {
    if amount_fen < 0 {
        return Err(AppError::internal("record_sale with a negative amount"));
    }
    let sale = DomainEvent::SaleRecorded(SaleRecorded::new(distributor_id, order_ref, amount_fen)?);
    in_write_transaction(conn, |conn| {
        // Under the lock, so that a repeat racing the first recording waits for it and sees it.
        lock_tree(conn, merchant_id)?;
        if let Some(before) = events::previous(conn, merchant_id, &sale)? {
            return if before == sale {
                Ok(false)
            } else {
                Err(AppError::conflict(ErrorCode::SaleAlreadyRecorded))
            };
        }
        adjust_sales(conn, merchant_id, distributor_id, amount_fen, 1, at)?;
        events::record(conn, merchant_id, &sale, at)?;
        Ok(true)
    })
}

/// Adds `amount_fen` (negative for a refund) and `orders` to the distributor's personal figures
/// and the amount to every ancestor's team sales.
pub fn adjust_sales(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    amount_fen: i64,
    orders: i64,
    now: NaiveDateTime,
) -> AppResult<()> {
    in_write_transaction(conn, |conn| {
        lock_tree(conn, merchant_id)?;
        let updated = diesel::update(distributors::table)
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::id.eq(distributor_id))
            .set((
                distributors::personal_sales.eq(distributors::personal_sales + amount_fen),
                distributors::order_count.eq(distributors::order_count + orders),
                distributors::updated_at.eq(now),
            ))
            .execute(conn)?;
        if updated == 0 {
            return Err(AppError::NotFound);
        }
        if amount_fen != 0 {
            diesel::update(distributors::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq_any(ancestors_of!(merchant_id, distributor_id)))
                .set((
                    distributors::team_sales.eq(distributors::team_sales + amount_fen),
                    distributors::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}
