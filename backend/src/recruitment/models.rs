//! Recruitment's rows: one struct per table it owns, read with `X::as_select()`, and the forms
//! it writes them with.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::applications::{ApplicationStatus, DeciderKind, SponsorSource};
use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::distributor_applications;
use crate::distribution::settings::{ApplicationReview, EntryMode};

/// A row of `distributor_applications` (without its tenant).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = distributor_applications)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ApplicationRow {
    pub id: i64,
    pub member_id: MemberId,
    pub status: ApplicationStatus,
    pub entry_mode: EntryMode,
    pub review: ApplicationReview,
    /// JSON array of the answers, in the form's order.
    pub answers: String,
    pub sponsor_code: Option<String>,
    pub sponsor_id: Option<DistributorId>,
    pub sponsor_source: Option<SponsorSource>,
    pub distributor_id: Option<DistributorId>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by_kind: Option<DeciderKind>,
    pub decided_by: Option<i64>,
    pub reject_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new application, pending until decided.
#[derive(Debug, Insertable)]
#[diesel(table_name = distributor_applications)]
pub(crate) struct ApplicationInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub member_id: MemberId,
    pub status: ApplicationStatus,
    pub entry_mode: EntryMode,
    pub review: ApplicationReview,
    pub answers: &'a str,
    pub sponsor_code: Option<&'a str>,
    pub sponsor_id: Option<DistributorId>,
    pub sponsor_source: Option<SponsorSource>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
