//! Password reset for staff: a single-use link valid 30 minutes. Asking never tells whether the
//! email has an account. Completing it sets the password, ends every session and lifts a lockout.

use chrono::{Duration, NaiveDateTime};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::account::{self, AccountKind};
use super::one_time::{self, Purpose};
use super::sessions::{self, ClientInfo};
use super::{lockout, password};
use crate::audit::{self, AuditActor, AuditEntry};
use crate::clock;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult};
use crate::notify::{outbox, templates};
use crate::validate;

pub const RESET_VALID_FOR_MINUTES: i64 = 30;

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    #[serde(deserialize_with = "validate::email_address")]
    #[validate(email, length(max = 254))]
    pub email: String,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmRequest {
    #[validate(length(min = 1, max = 200))]
    pub token: String,
    #[validate(custom(function = "password::check_strength"))]
    #[schema(format = Password)]
    pub password: String,
}

fn actor(account: &account::AccountRecord) -> AuditActor {
    AuditActor {
        merchant_id: account.merchant_id,
        kind: account.kind.into(),
        id: Some(account.id),
        label: Some(account.email.clone()),
    }
}

/// Sends a reset link when the email belongs to an active or locked staff account; does
/// nothing visible otherwise.
pub fn request(
    conn: &mut DbConnection,
    request: &ResetRequest,
    public_base_url: &str,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let Some(account) = account::find_by_email(conn, AccountKind::Staff, &request.email)?
        else {
            return Ok(());
        };
        if !account.is_active() {
            return Ok(());
        }
        let (token, expires_at) = one_time::issue(
            conn,
            Purpose::ResetPassword,
            account.merchant_id,
            Some(account.id),
            now,
            Duration::minutes(RESET_VALID_FOR_MINUTES),
        )?;
        let message = templates::password_reset(
            &account.email,
            &format!("{public_base_url}/reset-password?token={token}"),
            clock::to_utc(expires_at),
        );
        outbox::enqueue(conn, account.merchant_id, &message, now)?;
        audit::record(
            conn,
            &actor(&account),
            client,
            AuditEntry::new("auth.password_reset_requested"),
            now,
        )
    })
}

pub fn confirm(
    conn: &mut DbConnection,
    request: &ResetConfirmRequest,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> AppResult<()> {
    let hash = password::hash(&request.password)?;
    write_transaction(conn, |conn| {
        let redeemed = one_time::redeem(conn, Purpose::ResetPassword, &request.token, now)?;
        let staff_id = redeemed
            .staff_user_id
            .ok_or_else(|| AppError::internal("reset token without its account"))?;
        let account =
            account::find_by_id(conn, AccountKind::Staff, staff_id)?.ok_or(AppError::NotFound)?;
        crate::tenancy::staff::set_password_hash(conn, staff_id, &hash, now)?;
        sessions::revoke_all(conn, AccountKind::Staff, staff_id, "password_reset", now)?;
        lockout::clear(conn, AccountKind::Staff, staff_id)?;
        audit::record(
            conn,
            &actor(&account),
            client,
            AuditEntry::new("auth.password_reset")
                .target("staff", staff_id)
                .changes(serde_json::json!({ "password": { "before": "[redacted]", "after": "[redacted]" } })),
            now,
        )
    })
}
