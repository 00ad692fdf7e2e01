//! Signing in with email and password: lockout, the second factor, the session.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::account::{self, AccountKind, AccountRecord, AccountStatus};
use super::jwt::{self, TokenUse};
use super::lockout::{self, LockoutPolicy};
use super::password;
use super::sessions::{self, ClientInfo, TokenPair};
use crate::audit::{self, AuditActor, AuditEntry};
use crate::clock;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secrets::SecretKey;
use crate::validate;

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    #[serde(deserialize_with = "validate::email_address")]
    #[validate(length(min = 3, max = 254))]
    #[schema(example = "owner@example.com")]
    pub email: String,
    #[validate(length(min = 1, max = 256))]
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInStatus {
    SignedIn,
    /// The password was right; send a TOTP or recovery code with `mfa_token` to finish.
    MfaRequired,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignInResponse {
    pub status: SignInStatus,
    /// Present when signed in.
    pub tokens: Option<TokenPair>,
    /// Present when a second factor is required; valid 5 minutes.
    pub mfa_token: Option<String>,
}

fn invalid_credentials() -> AppError {
    AppError::auth_failed(ErrorCode::InvalidCredentials)
}

fn locked() -> AppError {
    AppError::auth_failed(ErrorCode::AccountLocked)
}

/// A hash of a password nobody has, verified when the email is unknown so that an unknown
/// email takes as long to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password::hash("dummy-password-for-timing-0").unwrap_or_default())
}

fn actor_for(account: &AccountRecord) -> AuditActor {
    AuditActor {
        merchant_id: account.merchant_id,
        kind: account.kind.into(),
        id: Some(account.id),
        label: Some(account.email.clone()),
    }
}

/// Whether the account has a confirmed second factor.
pub fn has_mfa(conn: &mut DbConnection, kind: AccountKind, account_id: i64) -> AppResult<bool> {
    use crate::db::schema::account_security as sec;
    use diesel::prelude::*;
    Ok(sec::table
        .filter(sec::account_kind.eq(kind))
        .filter(sec::account_id.eq(account_id))
        .select(sec::totp_enabled_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten()
        .is_some())
}

enum Attempt {
    Done(SignInResponse),
    Refused(AppError),
}

pub fn sign_in(
    conn: &mut DbConnection,
    key: &SecretKey,
    kind: AccountKind,
    request: &SignInRequest,
    client: &ClientInfo,
    policy: LockoutPolicy,
) -> AppResult<SignInResponse> {
    let account = account::find_by_email(conn, kind, &request.email)?;
    sign_in_account(conn, key, account, &request.password, client, policy)
}

/// Signs in an account found by the caller (by email, or by phone for members): lockout,
/// password, status, second factor, session.
pub fn sign_in_account(
    conn: &mut DbConnection,
    key: &SecretKey,
    account: Option<AccountRecord>,
    password_text: &str,
    client: &ClientInfo,
    policy: LockoutPolicy,
) -> AppResult<SignInResponse> {
    let Some(account) = account else {
        let _ = password::verify(password_text, dummy_hash());
        return Err(invalid_credentials());
    };
    let kind = account.kind;
    // The slow hash check happens outside the write transaction.
    let password_ok = password::verify(password_text, &account.password_hash);
    let attempt = write_transaction(conn, |conn| -> AppResult<Attempt> {
        let now = clock::now();
        let actor = actor_for(&account);
        if lockout::locked_at(conn, kind, account.id)?.is_some() {
            audit::record(
                conn,
                &actor,
                client,
                AuditEntry::new("auth.sign_in_refused_locked"),
                now,
            )?;
            return Ok(Attempt::Refused(locked()));
        }
        if !password_ok || account.status == AccountStatus::Invited {
            let now_locked =
                lockout::record_failure(conn, kind, account.id, account.merchant_id, policy, now)?;
            audit::record(
                conn,
                &actor,
                client,
                AuditEntry::new("auth.sign_in_failed"),
                now,
            )?;
            if now_locked {
                audit::record(
                    conn,
                    &actor,
                    client,
                    AuditEntry::new("auth.account_locked"),
                    now,
                )?;
                return Ok(Attempt::Refused(locked()));
            }
            return Ok(Attempt::Refused(invalid_credentials()));
        }
        match account.status {
            AccountStatus::Active => {}
            AccountStatus::PendingVerification => {
                return Ok(Attempt::Refused(AppError::refused(
                    ErrorCode::EmailNotVerified,
                )))
            }
            _ => {
                return Ok(Attempt::Refused(AppError::refused(
                    ErrorCode::AccountDisabled,
                )))
            }
        }
        lockout::clear(conn, kind, account.id)?;
        if has_mfa(conn, kind, account.id)? {
            let (mfa_token, _) = jwt::issue(
                key,
                kind,
                account.id,
                account.merchant_id,
                None,
                TokenUse::MfaChallenge,
                now,
            )?;
            return Ok(Attempt::Done(SignInResponse {
                status: SignInStatus::MfaRequired,
                tokens: None,
                mfa_token: Some(mfa_token),
            }));
        }
        let tokens = sessions::start(
            conn,
            key,
            kind,
            account.id,
            account.merchant_id,
            client,
            now,
        )?;
        audit::record(
            conn,
            &actor,
            client,
            AuditEntry::new("auth.signed_in").target("session", tokens.session_id),
            now,
        )?;
        Ok(Attempt::Done(SignInResponse {
            status: SignInStatus::SignedIn,
            tokens: Some(tokens),
            mfa_token: None,
        }))
    })?;
    match attempt {
        Attempt::Done(response) => Ok(response),
        Attempt::Refused(err) => Err(err),
    }
}
