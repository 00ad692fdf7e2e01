//! Applying the binding rules: each touch reads the member's open binding under a lock, asks
//! [`rules::decide`] and writes the outcome in the same transaction. Every function takes `now`,
//! so the rules can be driven through time in tests.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::rules::{self, Candidate, Current, Decision, EndReason, Kept, Source};
use super::{settings, Binding, BindingInsertForm, BindingUpdateForm};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::{Caller, Principal};
use crate::clock;
use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::{
    customer_bindings as cb, distributor_paths as paths, distributors, members,
};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::network::DistributorStatus;
use crate::validate;

/// The longest distributor code accepted in a request.
pub const MAX_CODE_LEN: u64 = 64;

/// A distributor whose link (or staff's choice) may bind a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    pub distributor_id: DistributorId,
    pub member_id: MemberId,
    pub code: String,
    pub status: DistributorStatus,
}

impl Referrer {
    fn candidate(&self, in_members_team: bool) -> Candidate {
        Candidate {
            distributor_id: self.distributor_id,
            member_id: self.member_id,
            active: self.status == DistributorStatus::Active,
            in_members_team,
        }
    }
}

/// Whether the distributor is below the member's own distributor profile in the tree. A member
/// who is no distributor has no team. For one who is, the merchant's tree writes are held off
/// (PostgreSQL; SQLite's write transaction excludes them anyway) until the binding is written,
/// so a concurrent move cannot slip the distributor into the member's team between this check
/// and the write; members who are no distributor, most visitors, do not wait for the tree.
fn in_members_team(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    distributor_id: DistributorId,
) -> AppResult<bool> {
    let mine: Option<DistributorId> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::member_id.eq(member_id))
        .select(distributors::id)
        .first(conn)
        .optional()?;
    let Some(mine) = mine else {
        return Ok(false);
    };
    crate::network::tree::lock_tree(conn, merchant_id)?;
    // One closure row, addressed by its descendant.
    let below: i64 = paths::table
        .filter(paths::merchant_id.eq(merchant_id))
        .filter(paths::descendant_id.eq(distributor_id))
        .filter(paths::ancestor_id.eq(mine))
        .filter(paths::depth.ge(1))
        .count()
        .get_result(conn)?;
    Ok(below > 0)
}

/// How many members bound now would, once `moved` (with its team) goes under `new_parent`, be
/// customers of a distributor in their own team: a member whose own distributor profile is
/// `new_parent` or above it, bound to `moved` or someone below it. Their purchases would pay
/// commission up through their team back to them, which binding never allows (see
/// `in_members_team`); the move must not create it either. Call inside the move's transaction,
/// before the tree changes.
pub fn bound_into_own_team(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    moved: DistributorId,
    new_parent: DistributorId,
    now: NaiveDateTime,
) -> AppResult<i64> {
    // The new upline (the parent and its ancestors): at most the tree's depth of rows.
    let upline: Vec<DistributorId> = paths::table
        .filter(paths::merchant_id.eq(merchant_id))
        .filter(paths::descendant_id.eq(new_parent))
        .select(paths::ancestor_id)
        .load(conn)?;
    let owners: Vec<MemberId> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq_any(&upline))
        .select(distributors::member_id)
        .load(conn)?;
    // One open binding per member: as many as the upline is long.
    let bound_to: Vec<DistributorId> = cb::table
        .filter(cb::merchant_id.eq(merchant_id))
        .filter(cb::member_id.eq_any(&owners))
        .filter(cb::ended_at.is_null())
        .filter(cb::ends_at.is_null().or(cb::ends_at.gt(now)))
        .select(cb::distributor_id)
        .load(conn)?;
    let mut count = 0;
    for distributor in bound_to {
        // Whether the bound distributor is `moved` or in its team: one closure row by its key.
        let inside: i64 = paths::table
            .filter(paths::merchant_id.eq(merchant_id))
            .filter(paths::descendant_id.eq(distributor))
            .filter(paths::ancestor_id.eq(moved))
            .count()
            .get_result(conn)?;
        count += inside;
    }
    Ok(count)
}

/// What a touch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BindingOutcome {
    /// The member was not bound (or the binding had run out) and now is.
    Bound,
    /// The binding in force gave way to a new one.
    Rebound,
    /// Staff released the member.
    Released,
    /// Nothing to release: no binding in force.
    NotBound,
    /// Already bound to this distributor.
    AlreadyBound,
    /// First touch: the binding in force stands.
    FirstTouch,
    /// Last touch, within the protection days of the binding in force.
    Protected,
    /// Registration only: visits never bind.
    RegistrationOnly,
    /// The member is the distributor.
    OwnLink,
    /// The distributor is in the member's own team: binding them would let the member's own
    /// purchases pay commission up through their team back to themselves.
    OwnTeam,
    /// The distributor is frozen or ended.
    DistributorInactive,
}

impl From<Kept> for BindingOutcome {
    fn from(kept: Kept) -> Self {
        match kept {
            Kept::AlreadyBound => Self::AlreadyBound,
            Kept::FirstTouch => Self::FirstTouch,
            Kept::Protected => Self::Protected,
            Kept::RegistrationOnly => Self::RegistrationOnly,
            Kept::OwnLink => Self::OwnLink,
            Kept::OwnTeam => Self::OwnTeam,
            Kept::DistributorInactive => Self::DistributorInactive,
        }
    }
}

/// The result of applying a touch: whether it changed anything, and the binding in force after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub changed: bool,
    pub outcome: BindingOutcome,
    pub binding: Option<Binding>,
}

/// Staff's note on a binding they create or end.
struct StaffAct<'a> {
    account_id: Option<i64>,
    reason: &'a str,
}

fn unknown_code(field: &str) -> AppError {
    AppError::field(field.to_owned(), ErrorCode::UnknownDistributorCode)
}

/// The merchant's distributor with this share-link code. A code of another merchant answers
/// exactly like one that does not exist.
pub fn referrer_by_code(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    code: &str,
    field: &str,
) -> AppResult<Referrer> {
    let row: Option<(DistributorId, MemberId, String, DistributorStatus)> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::code.eq(code))
        .select((
            distributors::id,
            distributors::member_id,
            distributors::code,
            distributors::status,
        ))
        .first(conn)
        .optional()?;
    let (distributor_id, member_id, code, status) = row.ok_or_else(|| unknown_code(field))?;
    Ok(Referrer {
        distributor_id,
        member_id,
        code,
        status,
    })
}

fn referrer_by_id(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
) -> AppResult<Option<Referrer>> {
    let row: Option<(DistributorId, MemberId, String, DistributorStatus)> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(distributor_id))
        .select((
            distributors::id,
            distributors::member_id,
            distributors::code,
            distributors::status,
        ))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(distributor_id, member_id, code, status)| Referrer {
            distributor_id,
            member_id,
            code,
            status,
        }),
    )
}

/// Serialises touches of one member: on PostgreSQL a row lock on the member, so two concurrent
/// visits cannot both see "not bound"; on SQLite the write transaction (`BEGIN IMMEDIATE`)
/// already holds the database's only write lock. A member of another merchant is not found.
fn lock_member(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<()> {
    let query = members::table
        .filter(members::id.eq(member_id))
        .filter(members::merchant_id.eq(merchant_id))
        .select(members::id);
    let found = match conn {
        DbConnection::Postgresql(pg) => query.for_update().first::<MemberId>(pg).optional()?,
        DbConnection::Sqlite(sqlite) => query.first::<MemberId>(sqlite).optional()?,
    };
    found.map(|_| ()).ok_or(AppError::NotFound)
}

/// The member's open binding (not closed, perhaps past its validity) and its distributor's status.
fn open_binding(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<Option<(Binding, DistributorStatus)>> {
    let row: Option<(Binding, DistributorStatus)> = cb::table
        .inner_join(distributors::table.on(distributors::id.eq(cb::distributor_id)))
        .filter(cb::merchant_id.eq(merchant_id))
        .filter(cb::member_id.eq(member_id))
        .filter(cb::ended_at.is_null())
        .select((Binding::as_select(), distributors::status))
        .first(conn)
        .optional()?;
    Ok(row)
}

/// Closes the open binding; the lock taken by `lock_member` makes the condition a formality.
fn close(
    conn: &mut DbConnection,
    binding: &mut Binding,
    at: NaiveDateTime,
    reason: EndReason,
    staff: Option<&StaffAct>,
) -> AppResult<()> {
    let closed = diesel::update(
        cb::table
            .filter(cb::id.eq(binding.id))
            .filter(cb::ended_at.is_null()),
    )
    .set(BindingUpdateForm {
        ended_at: at,
        end_reason: reason,
        ended_by: staff.and_then(|s| s.account_id),
        end_note: staff.map(|s| s.reason),
    })
    .execute(conn)?;
    if closed != 1 {
        return Err(AppError::conflict(ErrorCode::BindingChanged));
    }
    binding.ended_at = Some(at);
    binding.end_reason = Some(reason);
    Ok(())
}

/// Applies one touch inside the caller's write transaction.
fn apply(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    referrer: &Referrer,
    source: Source,
    staff: Option<&StaffAct>,
    now: NaiveDateTime,
) -> AppResult<Applied> {
    lock_member(conn, merchant_id, member_id)?;
    let policy = settings::policy(conn, merchant_id)?;
    let open = open_binding(conn, merchant_id, member_id)?;
    let current = open.as_ref().map(|(b, status)| Current {
        distributor_id: b.distributor_id,
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        distributor_ended: *status == DistributorStatus::Ended,
    });
    let own_team = in_members_team(conn, merchant_id, member_id, referrer.distributor_id)?;
    let decision = rules::decide(
        &policy,
        source,
        member_id,
        &referrer.candidate(own_team),
        current.as_ref(),
        now,
    );
    let closes = match decision {
        Decision::Bind { closes } => closes,
        Decision::Keep(kept) => {
            return Ok(Applied {
                changed: false,
                outcome: kept.into(),
                binding: open.map(|(b, _)| b).filter(|b| b.in_force_at(now)),
            })
        }
    };
    // A clock that stepped back must not start the new binding before the old one.
    let starts_at = open.as_ref().map_or(now, |(b, _)| now.max(b.starts_at));
    if let (Some((mut old, _)), Some(reason)) = (open, closes) {
        close(conn, &mut old, starts_at, reason, staff)?;
    }
    let ends_at = policy.ends_at(starts_at);
    let id: i64 = diesel::insert_into(cb::table)
        .values(BindingInsertForm {
            merchant_id,
            member_id,
            distributor_id: referrer.distributor_id,
            source,
            starts_at,
            ends_at,
            assigned_by: staff.and_then(|s| s.account_id),
            note: staff.map(|s| s.reason),
            created_at: now,
        })
        .returning(cb::id)
        .get_result(conn)?;
    let rebound = matches!(
        closes,
        Some(EndReason::Superseded | EndReason::Reassigned | EndReason::DistributorEnded)
    );
    Ok(Applied {
        changed: true,
        outcome: if rebound {
            BindingOutcome::Rebound
        } else {
            BindingOutcome::Bound
        },
        binding: Some(Binding {
            id,
            merchant_id,
            member_id,
            distributor_id: referrer.distributor_id,
            source,
            starts_at,
            ends_at,
            ended_at: None,
            end_reason: None,
            assigned_by: staff.and_then(|s| s.account_id),
            note: staff.map(|s| s.reason.to_owned()),
            ended_by: None,
            end_note: None,
            created_at: now,
        }),
    })
}

// ---- Members: visits and registration ------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitRequest {
    /// The code of the distributor whose share link brought the member.
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 64))]
    #[schema(example = "TEA8K2")]
    pub distributor_code: String,
}

/// The binding in force, as the member sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberBinding {
    pub distributor_code: String,
    pub source: Source,
    pub starts_at: DateTime<Utc>,
    /// End of validity; absent: permanent.
    pub ends_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitResult {
    /// Whether the visit bound or re-bound the member.
    pub changed: bool,
    pub outcome: BindingOutcome,
    /// The binding in force after the visit; absent: not bound.
    pub binding: Option<MemberBinding>,
}

fn distributor_code(conn: &mut DbConnection, distributor_id: DistributorId) -> AppResult<String> {
    Ok(distributors::table
        .find(distributor_id)
        .select(distributors::code)
        .first(conn)?)
}

/// A member's visit through a share link.
pub fn record_visit(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    request: &VisitRequest,
    now: NaiveDateTime,
) -> AppResult<VisitResult> {
    write_transaction(conn, |conn| {
        let referrer = referrer_by_code(
            conn,
            merchant_id,
            &request.distributor_code,
            "distributor_code",
        )?;
        let applied = apply(
            conn,
            merchant_id,
            member_id,
            &referrer,
            Source::Visit,
            None,
            now,
        )?;
        let binding = match applied.binding {
            Some(b) => {
                let code = if b.distributor_id == referrer.distributor_id {
                    referrer.code.clone()
                } else {
                    distributor_code(conn, b.distributor_id)?
                };
                Some(MemberBinding {
                    distributor_code: code,
                    source: b.source,
                    starts_at: clock::to_utc(b.starts_at),
                    ends_at: b.ends_at.map(clock::to_utc),
                })
            }
            None => None,
        };
        Ok(VisitResult {
            changed: applied.changed,
            outcome: applied.outcome,
            binding,
        })
    })
}

/// Binds a member who registered through a share link. Runs inside the registration's
/// transaction; a frozen or ended distributor's link registers the member unbound.
pub fn bind_at_registration(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    referrer: &Referrer,
    now: NaiveDateTime,
) -> AppResult<Applied> {
    apply(
        conn,
        merchant_id,
        member_id,
        referrer,
        Source::Registration,
        None,
        now,
    )
}

// ---- Staff: history, customers, re-assignment ----------------------------------------------

/// A binding as staff see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BindingRecord {
    pub id: i64,
    #[schema(value_type = i64)]
    pub member_id: MemberId,
    #[schema(value_type = i64)]
    pub distributor_id: DistributorId,
    pub distributor_code: String,
    pub source: Source,
    pub starts_at: DateTime<Utc>,
    /// End of validity; absent: permanent.
    pub ends_at: Option<DateTime<Utc>>,
    /// When it was closed, and why.
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<EndReason>,
    /// Staff account that assigned it, and their reason.
    pub assigned_by: Option<i64>,
    pub note: Option<String>,
    /// Staff account that ended it, and their reason.
    pub ended_by: Option<i64>,
    pub end_note: Option<String>,
    /// In force now.
    pub in_force: bool,
}

impl BindingRecord {
    fn new(b: Binding, distributor_code: String, now: NaiveDateTime) -> Self {
        Self {
            in_force: b.in_force_at(now),
            id: b.id,
            member_id: b.member_id,
            distributor_id: b.distributor_id,
            distributor_code,
            source: b.source,
            starts_at: clock::to_utc(b.starts_at),
            ends_at: b.ends_at.map(clock::to_utc),
            ended_at: b.ended_at.map(clock::to_utc),
            end_reason: b.end_reason,
            assigned_by: b.assigned_by,
            note: b.note,
            ended_by: b.ended_by,
            end_note: b.end_note,
        }
    }
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

impl PageQuery {
    fn limit(&self) -> i64 {
        self.limit.unwrap_or(20).clamp(1, 100)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BindingPage {
    /// Newest first.
    pub items: Vec<BindingRecord>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<i64>,
}

/// A member's bindings, newest first.
pub fn history(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    query: &PageQuery,
    now: NaiveDateTime,
) -> AppResult<BindingPage> {
    let exists: i64 = members::table
        .filter(members::id.eq(member_id))
        .filter(members::merchant_id.eq(merchant_id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        return Err(AppError::NotFound);
    }
    let limit = query.limit();
    let mut q = cb::table
        .inner_join(distributors::table.on(distributors::id.eq(cb::distributor_id)))
        .filter(cb::merchant_id.eq(merchant_id))
        .filter(cb::member_id.eq(member_id))
        .into_boxed();
    if let Some(cursor) = query.cursor {
        q = q.filter(cb::id.lt(cursor));
    }
    let rows: Vec<(Binding, String)> = q
        .order(cb::id.desc())
        .limit(limit + 1)
        .select((Binding::as_select(), distributors::code))
        .load(conn)?;
    page(rows, limit, |(binding, code)| {
        Ok(BindingRecord::new(binding, code, now))
    })
    .map(|(items, next_cursor)| BindingPage { items, next_cursor })
}

fn page<R, T: HasId>(
    rows: Vec<R>,
    limit: i64,
    convert: impl Fn(R) -> AppResult<T>,
) -> AppResult<(Vec<T>, Option<i64>)> {
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    let items = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .map(convert)
        .collect::<AppResult<Vec<T>>>()?;
    let next_cursor = if more {
        items.last().map(HasId::id)
    } else {
        None
    };
    Ok((items, next_cursor))
}

trait HasId {
    fn id(&self) -> i64;
}

impl HasId for BindingRecord {
    fn id(&self) -> i64 {
        self.id
    }
}

impl HasId for Customer {
    fn id(&self) -> i64 {
        self.binding_id
    }
}

/// A member bound to a distributor now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    pub binding_id: i64,
    #[schema(value_type = i64)]
    pub member_id: MemberId,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub source: Source,
    pub starts_at: DateTime<Utc>,
    /// End of validity; absent: permanent.
    pub ends_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerPage {
    /// Most recently bound first.
    pub items: Vec<Customer>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<i64>,
}

/// The binding columns a [`Customer`] shows.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = cb)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct CustomerBindingRow {
    id: i64,
    member_id: MemberId,
    source: Source,
    starts_at: NaiveDateTime,
    ends_at: Option<NaiveDateTime>,
}

/// The member columns a [`Customer`] shows.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = members)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct CustomerContactRow {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

/// The members bound to a distributor now (open and within validity), newest first.
pub fn customers(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    distributor_id: DistributorId,
    query: &PageQuery,
    now: NaiveDateTime,
) -> AppResult<CustomerPage> {
    if referrer_by_id(conn, merchant_id, distributor_id)?.is_none() {
        return Err(AppError::NotFound);
    }
    let limit = query.limit();
    let mut q = cb::table
        .inner_join(members::table.on(members::id.eq(cb::member_id)))
        .filter(cb::merchant_id.eq(merchant_id))
        .filter(cb::distributor_id.eq(distributor_id))
        .filter(cb::ended_at.is_null())
        .filter(cb::starts_at.le(now))
        .filter(cb::ends_at.is_null().or(cb::ends_at.gt(now)))
        .into_boxed();
    if let Some(cursor) = query.cursor {
        q = q.filter(cb::id.lt(cursor));
    }
    let rows: Vec<(CustomerBindingRow, CustomerContactRow)> = q
        .order(cb::id.desc())
        .limit(limit + 1)
        .select((
            CustomerBindingRow::as_select(),
            CustomerContactRow::as_select(),
        ))
        .load(conn)?;
    page(rows, limit, |(binding, contact)| {
        Ok(Customer {
            binding_id: binding.id,
            member_id: binding.member_id,
            name: contact.name,
            phone: contact.phone,
            email: contact.email,
            source: binding.source,
            starts_at: clock::to_utc(binding.starts_at),
            ends_at: binding.ends_at.map(clock::to_utc),
        })
    })
    .map(|(items, next_cursor)| CustomerPage { items, next_cursor })
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The distributor to bind the member to; `null` releases the member.
    #[schema(value_type = Option<i64>)]
    pub distributor_id: Option<DistributorId>,
    /// Why (kept with the binding and in the audit log).
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 200))]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssignResult {
    pub changed: bool,
    pub outcome: BindingOutcome,
    /// The binding in force after the change; absent: not bound.
    pub binding: Option<BindingRecord>,
}

fn self_binding() -> AppError {
    AppError::unprocessable(ErrorCode::SelfBinding)
}

fn binding_own_team() -> AppError {
    AppError::unprocessable(ErrorCode::BindingOwnTeam)
}

fn distributor_not_active() -> AppError {
    AppError::conflict(ErrorCode::DistributorNotActive)
}

/// Staff binds a member to a distributor (whatever the mode and protection) or releases them.
pub fn reassign(
    conn: &mut DbConnection,
    caller: &Principal,
    member_id: MemberId,
    request: &AssignRequest,
    now: NaiveDateTime,
) -> AppResult<AssignResult> {
    let merchant_id = caller.tenant()?;
    let staff = StaffAct {
        // API keys act too; only staff accounts are named on the binding.
        account_id: matches!(caller.caller, Caller::Staff { .. }).then_some(caller.id),
        reason: &request.reason,
    };
    write_transaction(conn, |conn| {
        lock_member(conn, merchant_id, member_id)?;
        let before = super::in_force(conn, merchant_id, member_id, now)?;
        let applied = match request.distributor_id {
            None => release(conn, merchant_id, member_id, &staff, now)?,
            Some(distributor_id) => {
                let referrer =
                    referrer_by_id(conn, merchant_id, distributor_id)?.ok_or_else(|| {
                        AppError::field("distributor_id", ErrorCode::UnknownDistributor)
                    })?;
                let applied = apply(
                    conn,
                    merchant_id,
                    member_id,
                    &referrer,
                    Source::Staff,
                    Some(&staff),
                    now,
                )?;
                match applied.outcome {
                    BindingOutcome::OwnLink => return Err(self_binding()),
                    BindingOutcome::OwnTeam => return Err(binding_own_team()),
                    BindingOutcome::DistributorInactive => return Err(distributor_not_active()),
                    _ => applied,
                }
            }
        };
        if applied.changed {
            let action = if request.distributor_id.is_some() {
                "binding.reassigned"
            } else {
                "binding.released"
            };
            audit::record(
                conn,
                &caller.audit_actor(),
                &caller.client,
                AuditEntry::new(action)
                    .target("member", member_id)
                    .changes(serde_json::json!({
                        "distributor_id": {
                            "before": before.as_ref().map(|b| b.distributor_id),
                            "after": applied.binding.as_ref().map(|b| b.distributor_id),
                        },
                        "reason": { "before": null, "after": request.reason },
                    })),
                now,
            )?;
        }
        let binding = match applied.binding {
            Some(b) => {
                let code = distributor_code(conn, b.distributor_id)?;
                Some(BindingRecord::new(b, code, now))
            }
            None => None,
        };
        Ok(AssignResult {
            changed: applied.changed,
            outcome: applied.outcome,
            binding,
        })
    })
}

fn release(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    staff: &StaffAct,
    now: NaiveDateTime,
) -> AppResult<Applied> {
    let open = open_binding(conn, merchant_id, member_id)?;
    match open {
        Some((mut b, _)) if b.in_force_at(now) => {
            let at = now.max(b.starts_at);
            close(conn, &mut b, at, EndReason::Released, Some(staff))?;
            Ok(Applied {
                changed: true,
                outcome: BindingOutcome::Released,
                binding: None,
            })
        }
        _ => Ok(Applied {
            changed: false,
            outcome: BindingOutcome::NotBound,
            binding: None,
        }),
    }
}
