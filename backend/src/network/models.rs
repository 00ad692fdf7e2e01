//! The network's rows: one struct per table it owns, read with `X::as_select()`, and the forms
//! it writes them with.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::status::{DistributorStatus, TierCause};
use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::{distributor_paths, distributor_tier_changes, distributors};

/// A row of `distributors` (without its tenant).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = distributors)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct DistributorRow {
    pub id: DistributorId,
    pub member_id: MemberId,
    /// The parent in the tree (what team figures and commission follow).
    pub parent_id: Option<DistributorId>,
    /// Who recruited the distributor; moves in the tree leave it alone.
    pub sponsor_id: Option<DistributorId>,
    pub tier_id: Option<i64>,
    pub code: String,
    pub status: DistributorStatus,
    pub status_reason: Option<String>,
    pub depth: i32,
    #[diesel(embed)]
    pub figures: FiguresRow,
    pub joined_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub promotion_held_since: Option<NaiveDateTime>,
}

/// The counters of `distributors`, in fen and counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = distributors)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct FiguresRow {
    pub personal_sales: i64,
    pub order_count: i64,
    pub direct_recruits: i64,
    pub team_size: i64,
    pub team_sales: i64,
}

/// What tree operations need to know about one distributor.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = distributors)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct Node {
    pub id: DistributorId,
    pub parent_id: Option<DistributorId>,
    pub depth: i32,
    pub status: DistributorStatus,
    pub personal_sales: i64,
    pub team_size: i64,
    pub team_sales: i64,
}

/// A new distributor; the counters start at zero (column defaults).
#[derive(Debug, Insertable)]
#[diesel(table_name = distributors)]
pub(crate) struct DistributorInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub member_id: MemberId,
    pub parent_id: Option<DistributorId>,
    pub sponsor_id: Option<DistributorId>,
    pub tier_id: Option<i64>,
    pub code: &'a str,
    pub status: DistributorStatus,
    pub depth: i32,
    pub joined_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new row of tier history; `None` tiers and actor are written as NULL.
#[derive(Debug, Insertable)]
#[diesel(table_name = distributor_tier_changes)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct TierChangeInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub distributor_id: DistributorId,
    pub from_tier_id: Option<i64>,
    pub to_tier_id: Option<i64>,
    pub cause: TierCause,
    pub detail: &'a str,
    pub actor_account_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// A row of `distributor_paths`: `ancestor_id` is `depth` levels above `descendant_id` (each
/// distributor is its own ancestor at depth 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Queryable, Selectable, Insertable)]
#[diesel(table_name = distributor_paths)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct PathRow {
    pub merchant_id: MerchantId,
    pub ancestor_id: DistributorId,
    pub descendant_id: DistributorId,
    pub depth: i32,
}
