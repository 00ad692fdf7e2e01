//! Customer binding (锁客): which distributor a member is bound to, when and why, as a history
//! of bindings that never overlap. Orders ask [`in_force`] at payment time who brought the
//! member; visits through share links, registration through a link and staff's re-assignment
//! change it according to the merchant's mode, validity and protection days ([`rules`]).

pub mod routes;
pub mod rules;
pub mod service;
pub mod settings;

use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use rules::{BindingMode, EndReason, Policy, Source};

use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::customer_bindings as cb;
use crate::db::DbConnection;
use crate::error::AppResult;

/// One binding of the history: a row of `customer_bindings`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = cb)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Binding {
    pub id: i64,
    pub merchant_id: MerchantId,
    pub member_id: MemberId,
    pub distributor_id: DistributorId,
    pub source: Source,
    pub starts_at: NaiveDateTime,
    /// End of validity; `None`: permanent.
    pub ends_at: Option<NaiveDateTime>,
    /// When it was closed, and why.
    pub ended_at: Option<NaiveDateTime>,
    pub end_reason: Option<EndReason>,
    pub assigned_by: Option<i64>,
    pub note: Option<String>,
    pub ended_by: Option<i64>,
    pub end_note: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A new (open) binding.
#[derive(Debug, Insertable)]
#[diesel(table_name = cb)]
pub(crate) struct BindingInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub member_id: MemberId,
    pub distributor_id: DistributorId,
    pub source: Source,
    pub starts_at: NaiveDateTime,
    pub ends_at: Option<NaiveDateTime>,
    pub assigned_by: Option<i64>,
    pub note: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// Closing an open binding: when, why and (for staff) by whom; `None` writes NULL.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = cb)]
#[diesel(treat_none_as_null = true)]
pub(crate) struct BindingUpdateForm<'a> {
    pub ended_at: NaiveDateTime,
    pub end_reason: EndReason,
    pub ended_by: Option<i64>,
    pub end_note: Option<&'a str>,
}

impl Binding {
    /// When it stopped (or will stop) being in force: the earlier of its validity and its closing.
    pub fn effective_end(&self) -> Option<NaiveDateTime> {
        match (self.ends_at, self.ended_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// In force at `at`: from `starts_at` (included) to its effective end (excluded).
    pub fn in_force_at(&self, at: NaiveDateTime) -> bool {
        self.starts_at <= at && self.effective_end().is_none_or(|end| at < end)
    }
}

/// The binding in force for the member at `at` (payment time), if any.
///
/// Bindings of a member never overlap (each new one starts when the open one is closed), so only
/// the latest one started at or before `at` can be in force: one seek on
/// `customer_bindings_member_idx`, then a check of its end.
pub fn in_force(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    at: NaiveDateTime,
) -> AppResult<Option<Binding>> {
    let latest: Option<Binding> = cb::table
        .filter(cb::merchant_id.eq(merchant_id))
        .filter(cb::member_id.eq(member_id))
        .filter(cb::starts_at.le(at))
        .order((cb::starts_at.desc(), cb::id.desc()))
        .select(Binding::as_select())
        .first(conn)
        .optional()?;
    Ok(latest.filter(|b| b.in_force_at(at)))
}

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::record_visit)
        .service(routes::list_member_bindings)
        .service(routes::reassign_binding)
        .service(routes::list_distributor_customers);
}
