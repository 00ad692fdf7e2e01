//! Two-factor authentication with TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock
//! drift either way) and ten single-use recovery codes. Secrets are encrypted at rest; a code is
//! accepted once (the last used time step is remembered), so a code seen over a shoulder cannot
//! be replayed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, TOTP};
use utoipa::ToSchema;
use validator::Validate;

use super::account::{self, AccountKind};
use super::jwt::{self, TokenUse};
use super::lockout::{self, LockoutPolicy};
use super::one_time;
use super::principal::Principal;
use super::sessions::{self, ClientInfo, TokenPair};
use crate::audit::{self, AuditActor, AuditEntry};
use crate::clock;
use crate::crypto::Cipher;
use crate::db::schema::{account_security as sec, mfa_recovery_codes as rc};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secrets::SecretKey;

const STEP_SECONDS: u64 = 30;
const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Fenxiao";

/// A new recovery code of an account (its hash), unused.
#[derive(Debug, Insertable)]
#[diesel(table_name = rc)]
pub(crate) struct RecoveryCodeInsertForm<'a> {
    pub account_kind: AccountKind,
    pub account_id: i64,
    pub code_hash: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MfaEnrolment {
    /// The shared secret in base32, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://` URI, for a QR code.
    pub otpauth_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use codes that replace a TOTP code when the phone is lost. Shown once.
    pub recovery_codes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaCodeRequest {
    /// A 6-digit TOTP code, or a recovery code.
    #[validate(length(min = 6, max = 20))]
    #[schema(example = "123456")]
    pub code: String,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaVerifyRequest {
    /// The `mfa_token` from sign-in.
    #[validate(length(min = 1, max = 2000))]
    pub mfa_token: String,
    /// A 6-digit TOTP code, or a recovery code.
    #[validate(length(min = 6, max = 20))]
    pub code: String,
}

fn totp(secret: Vec<u8>, account_label: &str) -> AppResult<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        secret,
        Some(ISSUER.to_owned()),
        account_label.to_owned(),
    )
    .map_err(|e| AppError::internal(format!("TOTP set-up: {e:?}")))
}

/// The time step a code belongs to, if it is valid now (or one step before or after).
fn matching_step(totp: &TOTP, code: &str, now: NaiveDateTime) -> Option<i64> {
    let seconds = u64::try_from(now.and_utc().timestamp()).ok()?;
    let current = seconds / STEP_SECONDS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| totp.generate(step * STEP_SECONDS) == code)
        .and_then(|step| i64::try_from(step).ok())
}

fn security_row(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: i64,
) -> AppResult<(Option<String>, Option<NaiveDateTime>, Option<i64>)> {
    Ok(sec::table
        .filter(sec::account_kind.eq(kind))
        .filter(sec::account_id.eq(account_id))
        .select((sec::totp_secret, sec::totp_enabled_at, sec::totp_last_step))
        .first(conn)
        .optional()?
        .unwrap_or((None, None, None)))
}

fn kind_of(caller: &Principal) -> AppResult<AccountKind> {
    caller.account_kind().ok_or(AppError::Forbidden)
}

fn invalid_code() -> AppError {
    AppError::auth_failed(ErrorCode::InvalidMfaCode)
}

/// Starts enrolment: a new secret, stored encrypted but not yet in force.
pub fn enrol(
    conn: &mut DbConnection,
    cipher: &Cipher,
    caller: &Principal,
    now: NaiveDateTime,
) -> AppResult<MfaEnrolment> {
    let kind = kind_of(caller)?;
    let mut secret = vec![0u8; 20];
    getrandom::fill(&mut secret).map_err(AppError::internal)?;
    let totp = totp(secret.clone(), &caller.label)?;
    let sealed = cipher.encrypt(&secret)?;
    write_transaction(conn, |conn| {
        lockout::ensure_row(conn, kind, caller.id, caller.merchant_id)?;
        let (_, enabled, _) = security_row(conn, kind, caller.id)?;
        if enabled.is_some() {
            return Err(AppError::conflict(ErrorCode::MfaAlreadyEnabled));
        }
        diesel::update(
            sec::table
                .filter(sec::account_kind.eq(kind))
                .filter(sec::account_id.eq(caller.id)),
        )
        .set(sec::totp_secret.eq(&sealed))
        .execute(conn)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("mfa.enrolment_started"),
            now,
        )?;
        Ok(())
    })?;
    Ok(MfaEnrolment {
        secret: totp.get_secret_base32(),
        otpauth_url: totp.get_url(),
    })
}

fn new_recovery_codes(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: i64,
    now: NaiveDateTime,
) -> AppResult<Vec<String>> {
    diesel::delete(
        rc::table
            .filter(rc::account_kind.eq(kind))
            .filter(rc::account_id.eq(account_id)),
    )
    .execute(conn)?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let raw = one_time::generate()?;
        let code = format!("{}-{}", &raw[..5], &raw[5..10]);
        let code_hash = one_time::digest(&code);
        diesel::insert_into(rc::table)
            .values(RecoveryCodeInsertForm {
                account_kind: kind,
                account_id,
                code_hash: &code_hash,
                created_at: now,
            })
            .execute(conn)?;
        codes.push(code);
    }
    Ok(codes)
}

/// Finishes enrolment with a first valid code; answers the recovery codes.
pub fn confirm(
    conn: &mut DbConnection,
    cipher: &Cipher,
    caller: &Principal,
    code: &str,
    now: NaiveDateTime,
) -> AppResult<RecoveryCodes> {
    let kind = kind_of(caller)?;
    write_transaction(conn, |conn| {
        let (secret, enabled, _) = security_row(conn, kind, caller.id)?;
        if enabled.is_some() {
            return Err(AppError::conflict(ErrorCode::MfaAlreadyEnabled));
        }
        let Some(secret) = secret else {
            return Err(AppError::conflict(ErrorCode::MfaNotEnrolling));
        };
        let totp = totp(cipher.decrypt(&secret)?, &caller.label)?;
        let step = matching_step(&totp, code.trim(), now).ok_or_else(invalid_code)?;
        diesel::update(
            sec::table
                .filter(sec::account_kind.eq(kind))
                .filter(sec::account_id.eq(caller.id)),
        )
        .set((sec::totp_enabled_at.eq(now), sec::totp_last_step.eq(step)))
        .execute(conn)?;
        let recovery_codes = new_recovery_codes(conn, kind, caller.id, now)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("mfa.enabled"),
            now,
        )?;
        Ok(RecoveryCodes { recovery_codes })
    })
}

/// Checks a TOTP or recovery code against an account with MFA on, consuming it.
fn accept_code(
    conn: &mut DbConnection,
    cipher: &Cipher,
    kind: AccountKind,
    account_id: i64,
    label: &str,
    code: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let code = code.trim();
    let (secret, enabled, last_step) = security_row(conn, kind, account_id)?;
    let (Some(secret), Some(_)) = (secret, enabled) else {
        return Ok(false);
    };
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let totp = totp(cipher.decrypt(&secret)?, label)?;
        let Some(step) = matching_step(&totp, code, now) else {
            return Ok(false);
        };
        // Consuming the step is conditional, so a code works once even under concurrency.
        let consumed = diesel::update(
            sec::table
                .filter(sec::account_kind.eq(kind))
                .filter(sec::account_id.eq(account_id))
                .filter(
                    sec::totp_last_step
                        .is_null()
                        .or(sec::totp_last_step.lt(step)),
                ),
        )
        .set(sec::totp_last_step.eq(step))
        .execute(conn)?;
        return Ok(consumed > 0 && last_step.is_none_or(|last| last < step));
    }
    let used = diesel::update(
        rc::table
            .filter(rc::account_kind.eq(kind))
            .filter(rc::account_id.eq(account_id))
            .filter(rc::code_hash.eq(one_time::digest(&code.to_ascii_lowercase())))
            .filter(rc::used_at.is_null()),
    )
    .set(rc::used_at.eq(now))
    .execute(conn)?;
    Ok(used > 0)
}

pub fn disable(
    conn: &mut DbConnection,
    cipher: &Cipher,
    caller: &Principal,
    code: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let kind = kind_of(caller)?;
    write_transaction(conn, |conn| {
        if !accept_code(conn, cipher, kind, caller.id, &caller.label, code, now)? {
            return Err(invalid_code());
        }
        diesel::update(
            sec::table
                .filter(sec::account_kind.eq(kind))
                .filter(sec::account_id.eq(caller.id)),
        )
        .set((
            sec::totp_secret.eq(None::<String>),
            sec::totp_enabled_at.eq(None::<NaiveDateTime>),
            sec::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)?;
        diesel::delete(
            rc::table
                .filter(rc::account_kind.eq(kind))
                .filter(rc::account_id.eq(caller.id)),
        )
        .execute(conn)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("mfa.disabled"),
            now,
        )
    })
}

enum Outcome {
    SignedIn(Box<TokenPair>),
    Refused(AppError),
}

/// The second step of sign-in: the challenge from the password step plus a code.
pub fn complete_sign_in(
    conn: &mut DbConnection,
    key: &SecretKey,
    cipher: &Cipher,
    request: &MfaVerifyRequest,
    client: &ClientInfo,
    policy: LockoutPolicy,
) -> AppResult<TokenPair> {
    let expired = || AppError::auth_failed(ErrorCode::MfaChallengeInvalid);
    let claims =
        jwt::verify(key, &request.mfa_token, TokenUse::MfaChallenge).map_err(|_| expired())?;
    let account_id = claims.account_id().ok_or_else(expired)?;
    let outcome = write_transaction(conn, |conn| -> AppResult<Outcome> {
        let now = clock::now();
        let account = account::find_by_id(conn, claims.kind, account_id)?
            .filter(|a| a.is_active())
            .ok_or_else(expired)?;
        let actor = AuditActor {
            merchant_id: account.merchant_id,
            kind: account.kind.into(),
            id: Some(account.id),
            label: Some(account.email.clone()),
        };
        if lockout::locked_at(conn, account.kind, account.id)?.is_some() {
            return Ok(Outcome::Refused(AppError::auth_failed(
                ErrorCode::AccountLocked,
            )));
        }
        if !accept_code(
            conn,
            cipher,
            account.kind,
            account.id,
            &account.email,
            &request.code,
            now,
        )? {
            lockout::record_failure(
                conn,
                account.kind,
                account.id,
                account.merchant_id,
                policy,
                now,
            )?;
            audit::record(
                conn,
                &actor,
                client,
                AuditEntry::new("auth.mfa_failed"),
                now,
            )?;
            return Ok(Outcome::Refused(invalid_code()));
        }
        lockout::clear(conn, account.kind, account.id)?;
        let tokens = sessions::start(
            conn,
            key,
            account.kind,
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
        Ok(Outcome::SignedIn(Box::new(tokens)))
    })?;
    match outcome {
        Outcome::SignedIn(tokens) => Ok(*tokens),
        Outcome::Refused(err) => Err(err),
    }
}
