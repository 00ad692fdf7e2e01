//! Applications to become a distributor, and their review.
//!
//! A member applies with answers to the merchant's form and, optionally, the code of the
//! recruit link they came through. What happens next depends on the entry mode in force:
//!
//! | entry mode        | review   | the application                                         |
//! |-------------------|----------|---------------------------------------------------------|
//! | `everyone`        | —        | approved at once                                        |
//! | `application`     | `auto`   | approved at once                                        |
//! | `application`     | `manual` | pending in the review queue; staff are notified         |
//! | `spend_threshold` | —        | refused until the paid spend reaches the threshold, then approved at once |
//!
//! Approval makes the member a distributor (`network::join`, which also gives the entry tier,
//! and whose `distributor.joined` event re-evaluates the upline's tiers: a recruit may earn a
//! promotion) under the sponsor, and queues the welcome message with a short guide — all in one
//! transaction.
//!
//! The sponsor is, in order: the distributor whose code came with the application (it must be
//! an active distributor of the merchant, else the application is refused: the applicant chose
//! that recruiter, and silently giving the credit to someone else would go unnoticed); else the
//! distributor the member is bound to now, if active; else nobody, and the tree's rule applies
//! (the merchant's default sponsor, or a root). A sponsor frozen or ended while the application
//! waited can no longer recruit: the approval then falls back to the default sponsor, and the
//! audit event says so.
//!
//! Concurrency: a member has at most one pending application (a partial unique index), and
//! deciding one locks its row first (on SQLite the write transaction holds the only write lock),
//! so two approvals make one distributor and an approval racing a rejection has one outcome;
//! the loser gets 409 `invalid_transition`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::eligibility::{self, Eligibility};
use super::form::{self, Answer};
use super::link;
use super::models::{ApplicationInsertForm, ApplicationRow};
use crate::audit::{self, AuditActor, AuditEntry};
use crate::auth::permissions::Permission;
use crate::auth::principal::{Caller, Principal};
use crate::auth::sessions::ClientInfo;
use crate::binding;
use crate::clock;
use crate::db::enums::db_enum;
use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::{distributor_applications as da, distributors, members, merchants};
use crate::db::{write_transaction, DbConnection};
use crate::distribution::settings::{self, ApplicationReview, EntryMode};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::members::models::MemberContactRow;
use crate::network::{self, DistributorStatus, MemberBrief};
use crate::notify::inbox::{self, Recipients};
use crate::notify::{outbox, templates};
use crate::validate;

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ApplicationStatus {
        Pending,
        Approved,
        Rejected,
    }
}

db_enum! {
    /// Where the sponsor of an application came from.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum SponsorSource {
        /// The code of the recruit link the applicant came through.
        Code,
        /// The distributor the applicant was bound to as a customer.
        Binding,
    }
}

db_enum! {
    /// Who decided an application.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum DeciderKind {
        Staff,
        ApiKey,
        /// Approved at once by the entry rules.
        System,
    }
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// Answers by field key; every answer is text. Blank answers count as none.
    #[serde(default)]
    #[schema(example = json!({ "name": "王丽", "wechat_id": "wl-tea" }))]
    pub answers: BTreeMap<String, String>,
    /// The `ref` code of the recruit link the member came through, if any.
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(min = 1, max = 64))]
    #[schema(example = "K7Q2M9XD")]
    pub sponsor_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why, as the applicant will read it (1–500 characters).
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 500))]
    pub reason: String,
}

/// A distributor named by an application.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DistributorRef {
    #[schema(value_type = i64)]
    pub id: DistributorId,
    pub code: String,
    pub name: Option<String>,
}

/// An application as staff review it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Application {
    pub id: i64,
    pub status: ApplicationStatus,
    /// The entry mode in force when the member applied.
    pub entry_mode: EntryMode,
    /// How it is decided: at once (`auto`) or by staff (`manual`).
    pub review: ApplicationReview,
    pub member: MemberBrief,
    /// The answers, with the labels the applicant saw, in the form's order.
    pub answers: Vec<Answer>,
    /// The recruit link's code as the applicant sent it.
    pub sponsor_code: Option<String>,
    /// The recruiter the application named.
    pub sponsor: Option<DistributorRef>,
    pub sponsor_source: Option<SponsorSource>,
    /// The distributor profile the approval created.
    pub distributor: Option<DistributorRef>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by_kind: Option<DeciderKind>,
    /// The staff member's (or API key's) id.
    pub decided_by: Option<i64>,
    pub reject_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An application as the applicant sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MyApplication {
    pub id: i64,
    pub status: ApplicationStatus,
    pub answers: Vec<Answer>,
    pub sponsor_code: Option<String>,
    /// Once approved: the member's distributor code.
    pub distributor_code: Option<String>,
    pub reject_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationSort {
    /// Newest first.
    #[default]
    Newest,
    /// Oldest first: the order to work through a queue in.
    Oldest,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    pub status: Option<ApplicationStatus>,
    #[param(value_type = Option<i64>)]
    pub member_id: Option<MemberId>,
    #[param(inline)]
    pub sort: Option<ApplicationSort>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicationPage {
    pub items: Vec<Application>,
    pub next_cursor: Option<i64>,
}

// ---- Reading ------------------------------------------------------------------------------

/// An application as listed: its row and its member.
type Row = (ApplicationRow, MemberContactRow);

/// The join every application listing reads, scoped to one merchant (a macro, so that callers
/// can add filters and box it).
macro_rules! listed {
    ($merchant_id:expr) => {
        da::table
            .inner_join(members::table)
            .filter(da::merchant_id.eq($merchant_id))
            .select((ApplicationRow::as_select(), MemberContactRow::as_select()))
    };
}

/// Code and name of the given distributors of the merchant, by id.
fn distributor_refs(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    ids: Vec<DistributorId>,
) -> AppResult<HashMap<DistributorId, DistributorRef>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found: Vec<(DistributorId, String, Option<String>)> = distributors::table
        .inner_join(members::table)
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq_any(ids))
        .select((distributors::id, distributors::code, members::name))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|(id, code, name)| (id, DistributorRef { id, code, name }))
        .collect())
}

fn assemble(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    rows: Vec<Row>,
) -> AppResult<Vec<Application>> {
    let ids: Vec<DistributorId> = rows
        .iter()
        .flat_map(|(a, _)| [a.sponsor_id, a.distributor_id])
        .flatten()
        .collect();
    let refs = distributor_refs(conn, merchant_id, ids)?;
    rows.into_iter()
        .map(|(a, member)| {
            let answers: Vec<Answer> = serde_json::from_str(&a.answers)
                .map_err(|e| AppError::internal(format!("stored answers: {e}")))?;
            Ok(Application {
                id: a.id,
                status: a.status,
                entry_mode: a.entry_mode,
                review: a.review,
                member: MemberBrief {
                    id: member.id,
                    name: member.name,
                    phone: member.phone,
                    email: member.email,
                },
                answers,
                sponsor_code: a.sponsor_code,
                sponsor: a.sponsor_id.and_then(|id| refs.get(&id).cloned()),
                sponsor_source: a.sponsor_source,
                distributor: a.distributor_id.and_then(|id| refs.get(&id).cloned()),
                decided_at: a.decided_at.map(clock::to_utc),
                decided_by_kind: a.decided_by_kind,
                decided_by: a.decided_by,
                reject_reason: a.reject_reason,
                created_at: clock::to_utc(a.created_at),
                updated_at: clock::to_utc(a.updated_at),
            })
        })
        .collect()
}

/// One application of the merchant; another merchant's is not found.
pub fn get(conn: &mut DbConnection, merchant_id: MerchantId, id: i64) -> AppResult<Application> {
    let row: Row = listed!(merchant_id).filter(da::id.eq(id)).first(conn)?;
    assemble(conn, merchant_id, vec![row])?
        .pop()
        .ok_or(AppError::NotFound)
}

/// A page of the merchant's applications.
pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    query: &ApplicationQuery,
) -> AppResult<ApplicationPage> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(AppError::field(
            "limit",
            ErrorCode::Range
                .form("between")
                .arg("min", 1)
                .arg("max", 100),
        ));
    }
    let mut q = listed!(merchant_id).into_boxed();
    if let Some(status) = query.status {
        q = q.filter(da::status.eq(status));
    }
    if let Some(member_id) = query.member_id {
        q = q.filter(da::member_id.eq(member_id));
    }
    q = match (query.sort.unwrap_or_default(), query.cursor) {
        (ApplicationSort::Newest, Some(c)) => q.filter(da::id.lt(c)).order(da::id.desc()),
        (ApplicationSort::Newest, None) => q.order(da::id.desc()),
        (ApplicationSort::Oldest, Some(c)) => q.filter(da::id.gt(c)).order(da::id.asc()),
        (ApplicationSort::Oldest, None) => q.order(da::id.asc()),
    };
    let mut rows: Vec<Row> = q.limit(limit + 1).load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let items = assemble(conn, merchant_id, rows)?;
    let next_cursor = if more {
        items.last().map(|a| a.id)
    } else {
        None
    };
    Ok(ApplicationPage { items, next_cursor })
}

/// The member's latest application; 404 when they never applied.
pub fn mine(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<MyApplication> {
    let row: Row = listed!(merchant_id)
        .filter(da::member_id.eq(member_id))
        .order(da::id.desc())
        .first(conn)?;
    let a = assemble(conn, merchant_id, vec![row])?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(MyApplication {
        id: a.id,
        status: a.status,
        answers: a.answers,
        sponsor_code: a.sponsor_code,
        distributor_code: a.distributor.map(|d| d.code),
        reject_reason: a.reject_reason,
        created_at: a.created_at,
        decided_at: a.decided_at,
    })
}

// ---- Applying -----------------------------------------------------------------------------

fn already_distributor() -> AppError {
    AppError::conflict(ErrorCode::AlreadyDistributor.form("own"))
}

fn application_pending() -> AppError {
    AppError::conflict(ErrorCode::ApplicationPending)
}

fn not_eligible(e: &Eligibility) -> AppError {
    let threshold = e
        .threshold
        .map(|t| t.to_string())
        .unwrap_or_else(|| "—".to_owned());
    AppError::conflict(
        ErrorCode::SpendThresholdNotMet
            .arg("threshold", &threshold)
            .arg("spent", e.spent),
    )
}

fn sponsor_not_active() -> AppError {
    AppError::conflict(ErrorCode::SponsorNotActive.form("recruit_link"))
}

/// Serialises applications of one member: a row lock on PostgreSQL; on SQLite the write
/// transaction already holds the only write lock. A member of another merchant is not found.
pub(super) fn lock_member(
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

pub(super) fn is_distributor(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<bool> {
    let n: i64 = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::member_id.eq(member_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub(super) fn active_distributor(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
) -> AppResult<bool> {
    let status: Option<DistributorStatus> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(id))
        .select(distributors::status)
        .first(conn)
        .optional()?;
    Ok(status == Some(DistributorStatus::Active))
}

/// The recruiter of an application (see the module comment for the order).
pub(super) fn resolve_sponsor(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    code: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<Option<(DistributorId, SponsorSource)>> {
    if let Some(code) = code {
        let referrer = binding::service::referrer_by_code(
            conn,
            merchant_id,
            &code.to_ascii_uppercase(),
            "sponsor_code",
        )?;
        if referrer.status != DistributorStatus::Active {
            return Err(sponsor_not_active());
        }
        return Ok(Some((referrer.distributor_id, SponsorSource::Code)));
    }
    if let Some(bound) = binding::in_force(conn, merchant_id, member_id, now)? {
        if active_distributor(conn, merchant_id, bound.distributor_id)? {
            return Ok(Some((bound.distributor_id, SponsorSource::Binding)));
        }
    }
    Ok(None)
}

/// The name staff know an applicant by.
fn applicant_label(conn: &mut DbConnection, member_id: MemberId) -> AppResult<String> {
    let (name, phone, email): (Option<String>, Option<String>, Option<String>) = members::table
        .find(member_id)
        .select((members::name, members::phone, members::email))
        .first(conn)?;
    Ok(name
        .filter(|n| !n.is_empty())
        .or(phone)
        .or(email)
        .unwrap_or_else(|| format!("#{member_id}")))
}

/// A member applies to become a distributor (see the module comment for what follows).
///
/// Refused, changing nothing: already a distributor (409 `already_distributor`), an application
/// already pending (409 `application_pending`), spend below the threshold (409
/// `spend_threshold_not_met`), answers that do not fit the form (422 at `answers.{key}`), an
/// unknown code or another merchant's (422 `unknown_distributor_code`), a recruiter who cannot
/// recruit (409 `sponsor_not_active`).
pub fn apply(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &ApplyRequest,
    base_url: &str,
    now: NaiveDateTime,
) -> AppResult<Application> {
    let merchant_id = caller.tenant()?;
    let member_id = MemberId(caller.id);
    write_transaction(conn, |conn| {
        lock_member(conn, merchant_id, member_id)?;
        if is_distributor(conn, merchant_id, member_id)? {
            return Err(already_distributor());
        }
        let pending: i64 = da::table
            .filter(da::merchant_id.eq(merchant_id))
            .filter(da::member_id.eq(member_id))
            .filter(da::status.eq(ApplicationStatus::Pending))
            .count()
            .get_result(conn)?;
        if pending > 0 {
            return Err(application_pending());
        }
        let s = settings::load(conn, merchant_id)?;
        let review = match s.entry_mode {
            EntryMode::Everyone => ApplicationReview::Auto,
            EntryMode::Application => s.application_review,
            EntryMode::SpendThreshold => {
                let e = eligibility::check(conn, &s, merchant_id, member_id, now)?;
                if !e.eligible {
                    return Err(not_eligible(&e));
                }
                ApplicationReview::Auto
            }
        };
        let fields = form::load(conn, merchant_id)?.fields;
        let answers = form::check_answers(&fields, &request.answers)?;
        let sponsor = resolve_sponsor(
            conn,
            merchant_id,
            member_id,
            request.sponsor_code.as_deref(),
            now,
        )?;
        let answers_json = serde_json::to_string(&answers).map_err(AppError::internal)?;
        let id: i64 = diesel::insert_into(da::table)
            .values(ApplicationInsertForm {
                merchant_id,
                member_id,
                status: ApplicationStatus::Pending,
                entry_mode: s.entry_mode,
                review,
                answers: &answers_json,
                sponsor_code: request.sponsor_code.as_deref(),
                sponsor_id: sponsor.map(|(id, _)| id),
                sponsor_source: sponsor.map(|(_, source)| source),
                created_at: now,
                updated_at: now,
            })
            .returning(da::id)
            .get_result(conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    application_pending()
                }
                other => other.into(),
            })?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("distributor_application.submitted")
                .target("distributor_application", id)
                .changes(json!({
                    "status": { "before": null, "after": ApplicationStatus::Pending.as_str() },
                    "sponsor_id": { "before": null, "after": sponsor.map(|(id, _)| id) },
                })),
            now,
        )?;
        match review {
            ApplicationReview::Auto => {
                approve_claimed(conn, merchant_id, id, Decider::System, base_url, now)?;
            }
            ApplicationReview::Manual => {
                let applicant = applicant_label(conn, member_id)?;
                inbox::notify_staff(
                    conn,
                    merchant_id,
                    Recipients::Holding(Permission::DistributorsManage),
                    &templates::distributor_application_notice(id, member_id, &applicant),
                    now,
                )?;
            }
        }
        get(conn, merchant_id, id)
    })
}

// ---- Deciding -----------------------------------------------------------------------------

/// Who decides: staff (or an integration's key) by hand, or the entry rules at once.
pub(super) enum Decider<'a> {
    Caller(&'a Principal),
    System,
}

impl Decider<'_> {
    fn kind(&self) -> DeciderKind {
        match self {
            Decider::Caller(p) if matches!(p.caller, Caller::ApiKey) => DeciderKind::ApiKey,
            Decider::Caller(_) => DeciderKind::Staff,
            Decider::System => DeciderKind::System,
        }
    }

    fn id(&self) -> Option<i64> {
        match self {
            Decider::Caller(p) => Some(p.id),
            Decider::System => None,
        }
    }

    fn audit(&self, merchant_id: MerchantId) -> (AuditActor, ClientInfo) {
        match self {
            Decider::Caller(p) => (p.audit_actor(), p.client.clone()),
            Decider::System => (AuditActor::system(Some(merchant_id)), ClientInfo::default()),
        }
    }
}

/// Locks the application's row for the rest of the transaction (PostgreSQL; SQLite's write
/// transaction already excludes other writers) and answers its member, status and sponsor.
fn lock_application(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
) -> AppResult<(MemberId, ApplicationStatus, Option<DistributorId>)> {
    let query = da::table
        .filter(da::merchant_id.eq(merchant_id))
        .filter(da::id.eq(id))
        .select((da::member_id, da::status, da::sponsor_id));
    let row: Option<(MemberId, ApplicationStatus, Option<DistributorId>)> = match conn {
        DbConnection::Postgresql(pg) => query.for_update().first(pg).optional()?,
        DbConnection::Sqlite(sqlite) => query.first(sqlite).optional()?,
    };
    row.ok_or(AppError::NotFound)
}

fn decided(from: ApplicationStatus, action: &str) -> AppError {
    AppError::InvalidTransition {
        from: from.as_str().to_owned(),
        action: action.to_owned(),
    }
}

/// Approves a pending application inside the caller's write transaction: locks its row, then
/// the member joins the tree, the application records the decision, the tiers of the sponsor and
/// the two levels above are re-evaluated, the welcome message is queued and the decision audited.
pub(super) fn approve_claimed(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
    decider: Decider<'_>,
    base_url: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let (member_id, status, sponsor) = lock_application(conn, merchant_id, id)?;
    if status != ApplicationStatus::Pending {
        return Err(decided(status, "approve"));
    }
    // A recruiter who can no longer recruit leaves the choice to the tree's rule.
    let usable = match sponsor {
        Some(s) if active_distributor(conn, merchant_id, s)? => Some(s),
        _ => None,
    };
    let distributor_id = network::join(conn, merchant_id, member_id, usable, now)?;
    let updated = diesel::update(
        da::table
            .filter(da::merchant_id.eq(merchant_id))
            .filter(da::id.eq(id))
            .filter(da::status.eq(ApplicationStatus::Pending)),
    )
    .set((
        da::status.eq(ApplicationStatus::Approved),
        da::distributor_id.eq(distributor_id),
        da::decided_at.eq(now),
        da::decided_by_kind.eq(decider.kind()),
        da::decided_by.eq(decider.id()),
        da::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated != 1 {
        return Err(AppError::internal(
            "locked application changed under the lock",
        ));
    }
    let (code, parent_id): (String, Option<DistributorId>) = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(distributor_id))
        .select((distributors::code, distributors::parent_id))
        .first(conn)?;
    send_welcome(conn, merchant_id, member_id, &code, base_url, now)?;
    let (actor, client) = decider.audit(merchant_id);
    audit::record(
        conn,
        &actor,
        &client,
        AuditEntry::new("distributor_application.approved")
            .target("distributor_application", id)
            .changes(json!({
                "status": { "before": ApplicationStatus::Pending.as_str(), "after": ApplicationStatus::Approved.as_str() },
                "distributor_id": { "before": null, "after": distributor_id },
                "parent_id": { "before": null, "after": parent_id },
                "sponsor_fallback": { "before": null, "after": sponsor.is_some() && usable.is_none() },
            })),
        now,
    )?;
    Ok(())
}

/// The welcome message with its guide, to the member's email (or phone when they have none).
pub(super) fn send_welcome(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    code: &str,
    base_url: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let (phone, email): (Option<String>, Option<String>) = members::table
        .find(member_id)
        .select((members::phone, members::email))
        .first(conn)?;
    let Some(recipient) = email.or(phone) else {
        return Ok(());
    };
    let (shop, slug): (String, Option<String>) = merchants::table
        .find(merchant_id)
        .select((merchants::name, merchants::slug))
        .first(conn)?;
    let url = slug
        .filter(|s| !s.is_empty())
        .map(|s| link::recruit_url(base_url, &s, Some(code)));
    outbox::enqueue(
        conn,
        Some(merchant_id),
        &templates::distributor_welcome(&recipient, &shop, code, url.as_deref()),
        now,
    )?;
    Ok(())
}

/// Staff approve a pending application. A decided one answers 409 `invalid_transition`; the
/// member's having become a distributor meanwhile (granted by staff) 409 `already_distributor`.
pub fn approve(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    base_url: &str,
    now: NaiveDateTime,
) -> AppResult<Application> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        approve_claimed(
            conn,
            merchant_id,
            id,
            Decider::Caller(caller),
            base_url,
            now,
        )?;
        get(conn, merchant_id, id)
    })
}

/// Staff reject a pending application with a reason the applicant reads in the rejection
/// message queued with the decision (and in their application). The member may apply again.
pub fn reject(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    request: &RejectRequest,
    now: NaiveDateTime,
) -> AppResult<Application> {
    let merchant_id = caller.tenant()?;
    let decider = Decider::Caller(caller);
    write_transaction(conn, |conn| {
        let (member_id, status, _) = lock_application(conn, merchant_id, id)?;
        if status != ApplicationStatus::Pending {
            return Err(decided(status, "reject"));
        }
        diesel::update(
            da::table
                .filter(da::merchant_id.eq(merchant_id))
                .filter(da::id.eq(id))
                .filter(da::status.eq(ApplicationStatus::Pending)),
        )
        .set((
            da::status.eq(ApplicationStatus::Rejected),
            da::reject_reason.eq(&request.reason),
            da::decided_at.eq(now),
            da::decided_by_kind.eq(decider.kind()),
            da::decided_by.eq(decider.id()),
            da::updated_at.eq(now),
        ))
        .execute(conn)?;
        let (actor, client) = decider.audit(merchant_id);
        audit::record(
            conn,
            &actor,
            &client,
            AuditEntry::new("distributor_application.rejected")
                .target("distributor_application", id)
                .changes(json!({
                    "status": { "before": ApplicationStatus::Pending.as_str(), "after": ApplicationStatus::Rejected.as_str() },
                    "reject_reason": { "before": null, "after": request.reason },
                })),
            now,
        )?;
        send_rejection(conn, merchant_id, member_id, &request.reason, now)?;
        get(conn, merchant_id, id)
    })
}

/// Tells the applicant their application was rejected, and why: to their email (or phone when
/// they have none), queued in the rejection's transaction so that it goes out exactly when the
/// rejection stands.
fn send_rejection(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let (phone, email): (Option<String>, Option<String>) = members::table
        .find(member_id)
        .select((members::phone, members::email))
        .first(conn)?;
    let Some(recipient) = email.or(phone) else {
        return Ok(());
    };
    let shop: String = merchants::table
        .find(merchant_id)
        .select(merchants::name)
        .first(conn)?;
    outbox::enqueue(
        conn,
        Some(merchant_id),
        &templates::distributor_rejected(&recipient, &shop, reason),
        now,
    )?;
    Ok(())
}
