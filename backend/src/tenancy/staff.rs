//! A merchant's staff: listing, invitations, roles, disabling, unlocking. The owner is created at
//! sign-up; nobody else can change or disable them, and nobody becomes owner by invitation.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::models::{StaffRole, StaffUser, StaffUserInsertForm};
use crate::audit::{self, AuditEntry};
use crate::auth::account::AccountKind;
use crate::auth::one_time::{self, Purpose};
use crate::auth::principal::{Caller, Principal};
use crate::auth::{lockout, password, sessions};
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::{account_security, merchants, staff_users};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Message};
use crate::notify::{outbox, templates};
use crate::validate;

pub const INVITATION_VALID_FOR_DAYS: i64 = 7;

/// A staff member's status is the status of their account.
pub use crate::auth::account::AccountStatus as StaffStatus;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffMember {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub role: StaffRole,
    pub status: StaffStatus,
    pub mfa_enabled: bool,
    /// Locked after repeated failed sign-ins; an administrator can unlock.
    pub locked: bool,
    pub created_at: DateTime<Utc>,
}

/// A staff member as listed: their row and their security state (MFA since, locked since).
type StaffRow = (StaffUser, Option<NaiveDateTime>, Option<NaiveDateTime>);

fn to_member((user, totp_enabled_at, locked_at): StaffRow) -> AppResult<StaffMember> {
    Ok(StaffMember {
        id: user.id,
        email: user.email,
        name: user.name,
        phone: user.phone,
        role: user.role,
        status: user.status,
        mfa_enabled: totp_enabled_at.is_some(),
        locked: locked_at.is_some(),
        created_at: clock::to_utc(user.created_at),
    })
}

/// Staff of one merchant joined with their security state (a macro, so that callers can add
/// filters to a query whose type is not nameable).
macro_rules! staff_of {
    ($merchant_id:expr) => {
        staff_users::table
            .left_join(
                account_security::table.on(account_security::account_kind
                    .eq(AccountKind::Staff)
                    .and(account_security::account_id.eq(staff_users::id))),
            )
            .filter(staff_users::merchant_id.eq($merchant_id))
            .select((
                StaffUser::as_select(),
                account_security::totp_enabled_at.nullable(),
                account_security::locked_at.nullable(),
            ))
    };
}

/// Replaces a staff member's password hash (a password reset; the caller revokes sessions).
pub(crate) fn set_password_hash(
    conn: &mut DbConnection,
    staff_id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::update(staff_users::table.find(staff_id))
        .set((
            staff_users::password_hash.eq(hash),
            staff_users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Vec<StaffMember>> {
    let rows: Vec<StaffRow> = staff_of!(merchant_id)
        .order(staff_users::id.asc())
        .load(conn)?;
    rows.into_iter().map(to_member).collect()
}

/// One staff member of the merchant; another merchant's staff is "not found".
pub fn find(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    staff_id: i64,
) -> AppResult<StaffMember> {
    let row: StaffRow = staff_of!(merchant_id)
        .filter(staff_users::id.eq(staff_id))
        .first(conn)?;
    to_member(row)
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    #[serde(deserialize_with = "validate::email_address")]
    #[validate(email, length(max = 254))]
    pub email: String,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 50))]
    pub name: String,
    /// Any role but `owner`.
    pub role: StaffRole,
}

fn email_taken() -> AppError {
    AppError::conflict(ErrorCode::EmailTaken.form("staff"))
}

fn owner_not_assignable() -> AppError {
    AppError::field("role", ErrorCode::OwnerNotAssignable)
}

pub fn invite(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &InviteRequest,
    public_base_url: &str,
    now: NaiveDateTime,
) -> AppResult<StaffMember> {
    let merchant_id = caller.tenant()?;
    if request.role == StaffRole::Owner {
        return Err(owner_not_assignable());
    }
    write_transaction(conn, |conn| {
        let taken: i64 = staff_users::table
            .filter(staff_users::email.eq(&request.email))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(email_taken());
        }
        // Invited accounts cannot sign in until they choose a password; this one matches nothing.
        let unusable = format!("!invited:{}", one_time::generate()?);
        let id: i64 = diesel::insert_into(staff_users::table)
            .values(StaffUserInsertForm {
                merchant_id,
                email: &request.email,
                name: &request.name,
                // Not asked at invitation: `None` leaves it to the column default (NULL).
                phone: None,
                password_hash: &unusable,
                role: request.role,
                status: StaffStatus::Invited,
                created_at: now,
                updated_at: now,
            })
            .returning(staff_users::id)
            .get_result(conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => email_taken(),
                other => other.into(),
            })?;
        let (token, expires_at) = one_time::issue(
            conn,
            Purpose::StaffInvitation,
            Some(merchant_id),
            Some(id),
            now,
            Duration::days(INVITATION_VALID_FOR_DAYS),
        )?;
        let company: String = merchants::table
            .find(merchant_id)
            .select(merchants::name)
            .first(conn)?;
        let message = templates::staff_invitation(
            &request.email,
            &company,
            &caller.label,
            &format!("{public_base_url}/accept-invitation?token={token}"),
            clock::to_utc(expires_at),
        );
        outbox::enqueue(conn, Some(merchant_id), &message, now)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("staff.invited")
                .target("staff", id)
                .changes(serde_json::json!({
                    "email": { "before": null, "after": request.email },
                    "role": { "before": null, "after": request.role.as_str() },
                })),
            now,
        )?;
        find(conn, merchant_id, id)
    })
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    #[validate(length(min = 1, max = 200))]
    pub token: String,
    /// The password the new staff member chooses.
    #[validate(custom(function = "password::check_strength"))]
    #[schema(format = Password)]
    pub password: String,
}

pub fn accept_invitation(
    conn: &mut DbConnection,
    request: &AcceptInvitationRequest,
    client: &sessions::ClientInfo,
    now: NaiveDateTime,
) -> AppResult<StaffMember> {
    let hash = password::hash(&request.password)?;
    write_transaction(conn, |conn| {
        let redeemed = one_time::redeem(conn, Purpose::StaffInvitation, &request.token, now)?;
        let (Some(merchant_id), Some(staff_id)) = (redeemed.merchant_id, redeemed.staff_user_id)
        else {
            return Err(AppError::internal("invitation without its staff member"));
        };
        let (email, status): (String, StaffStatus) = staff_users::table
            .find(staff_id)
            .select((staff_users::email, staff_users::status))
            .first(conn)?;
        if status != StaffStatus::Invited {
            return Err(AppError::conflict(ErrorCode::TokenUsed.form("invitation")));
        }
        diesel::update(staff_users::table.find(staff_id))
            .set((
                staff_users::password_hash.eq(&hash),
                staff_users::status.eq(StaffStatus::Active),
                staff_users::email_verified_at.eq(now),
                staff_users::updated_at.eq(now),
            ))
            .execute(conn)?;
        let actor = crate::audit::AuditActor {
            merchant_id: Some(merchant_id),
            kind: crate::audit::ActorKind::Staff,
            id: Some(staff_id),
            label: Some(email),
        };
        audit::record(
            conn,
            &actor,
            client,
            AuditEntry::new("staff.invitation_accepted").target("staff", staff_id),
            now,
        )?;
        find(conn, merchant_id, staff_id)
    })
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaffRequest {
    pub role: Option<StaffRole>,
    /// `active` or `disabled`; disabling ends the member's sessions.
    pub status: Option<StaffStatus>,
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(min = 1, max = 50))]
    pub name: Option<String>,
}

fn cannot_change(message: impl Into<Message>) -> AppError {
    AppError::conflict(message)
}

pub fn update(
    conn: &mut DbConnection,
    caller: &Principal,
    staff_id: i64,
    request: &UpdateStaffRequest,
    now: NaiveDateTime,
) -> AppResult<StaffMember> {
    let merchant_id = caller.tenant()?;
    if request.role == Some(StaffRole::Owner) {
        return Err(owner_not_assignable());
    }
    if matches!(
        request.status,
        Some(StaffStatus::Invited | StaffStatus::PendingVerification)
    ) {
        return Err(AppError::field("status", ErrorCode::InvalidStatus));
    }
    write_transaction(conn, |conn| {
        let before = find(conn, merchant_id, staff_id)?;
        if before.role == StaffRole::Owner && (request.role.is_some() || request.status.is_some()) {
            return Err(cannot_change(ErrorCode::OwnerProtected));
        }
        let is_self = matches!(caller.caller, Caller::Staff { .. }) && caller.id == staff_id;
        if is_self && (request.role.is_some() || request.status.is_some()) {
            return Err(cannot_change(ErrorCode::CannotChangeSelf));
        }
        if request.status == Some(StaffStatus::Active) && before.status == StaffStatus::Invited {
            return Err(cannot_change(ErrorCode::InvitationPending));
        }
        let role = request.role.unwrap_or(before.role);
        let status = match request.status {
            Some(StaffStatus::Disabled) => StaffStatus::Disabled,
            Some(_) => StaffStatus::Active,
            None => before.status,
        };
        let name = request.name.clone().unwrap_or_else(|| before.name.clone());
        diesel::update(
            staff_users::table
                .filter(staff_users::id.eq(staff_id))
                .filter(staff_users::merchant_id.eq(merchant_id)),
        )
        .set((
            staff_users::role.eq(role),
            staff_users::status.eq(status),
            staff_users::name.eq(&name),
            staff_users::updated_at.eq(now),
        ))
        .execute(conn)?;
        if status == StaffStatus::Disabled && before.status != StaffStatus::Disabled {
            sessions::revoke_all(conn, AccountKind::Staff, staff_id, "account_disabled", now)?;
        }
        let after = find(conn, merchant_id, staff_id)?;
        let changes = audit::diff(
            &serde_json::json!({ "role": before.role, "status": before.status, "name": before.name }),
            &serde_json::json!({ "role": after.role, "status": after.status, "name": after.name }),
        );
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("staff.updated")
                .target("staff", staff_id)
                .changes(changes),
            now,
        )?;
        Ok(after)
    })
}

pub fn unlock(
    conn: &mut DbConnection,
    caller: &Principal,
    staff_id: i64,
    now: NaiveDateTime,
) -> AppResult<StaffMember> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = find(conn, merchant_id, staff_id)?;
        lockout::clear(conn, AccountKind::Staff, staff_id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("staff.unlocked")
                .target("staff", staff_id)
                .changes(
                    serde_json::json!({ "locked": { "before": before.locked, "after": false } }),
                ),
            now,
        )?;
        find(conn, merchant_id, staff_id)
    })
}
