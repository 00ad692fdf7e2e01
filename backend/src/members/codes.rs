//! Six-digit verification codes for members: 10 minutes, one a minute per recipient, five
//! guesses, single use. Only a hash of the code is stored.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::models::VerificationCodeInsertForm;
use crate::auth::one_time;
use crate::db::enums::db_enum;
use crate::db::ids::MerchantId;
use crate::db::schema::verification_codes as vc;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::notify::{outbox, templates};

pub const VALID_FOR_MINUTES: i64 = 10;
pub const RESEND_AFTER_SECONDS: i64 = 60;
pub const MAX_ATTEMPTS: i32 = 5;

db_enum! {
    /// What a verification code is for.
    pub enum CodePurpose {
        MemberRegister,
    }
}

fn six_digits() -> AppResult<String> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(format!("{:06}", u32::from_le_bytes(bytes) % 1_000_000))
}

fn digest(merchant_id: MerchantId, recipient: &str, code: &str) -> String {
    // Salted with where it was sent, so equal codes do not share a hash.
    one_time::digest(&format!("{merchant_id}:{recipient}:{code}"))
}

/// Issues a code and queues the message; refuses a second request within a minute.
pub fn send(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    recipient: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let last: Option<NaiveDateTime> = vc::table
        .filter(vc::merchant_id.eq(merchant_id))
        .filter(vc::recipient.eq(recipient))
        .filter(vc::purpose.eq(CodePurpose::MemberRegister))
        .order(vc::id.desc())
        .select(vc::created_at)
        .first(conn)
        .optional()?;
    if let Some(last) = last {
        let wait = RESEND_AFTER_SECONDS - (now - last).num_seconds();
        if wait > 0 {
            return Err(AppError::TooManyRequests {
                retry_after_secs: u64::try_from(wait).unwrap_or(1),
            });
        }
    }
    let code = six_digits()?;
    let message = templates::verification_code(recipient, &code, VALID_FOR_MINUTES);
    let code_hash = digest(merchant_id, recipient, &code);
    diesel::insert_into(vc::table)
        .values(VerificationCodeInsertForm {
            merchant_id,
            channel: message.channel,
            recipient,
            purpose: CodePurpose::MemberRegister,
            code_hash: &code_hash,
            expires_at: now + Duration::minutes(VALID_FOR_MINUTES),
            created_at: now,
        })
        .execute(conn)?;
    outbox::enqueue(conn, Some(merchant_id), &message, now)?;
    Ok(())
}

pub fn invalid_code() -> AppError {
    AppError::field("code", ErrorCode::InvalidCode)
}

/// Checks the newest code for the recipient. A wrong guess is counted (the caller must commit
/// even when it then refuses); the code is consumed on success.
pub fn check(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    recipient: &str,
    code: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let newest = vc::table
        .filter(vc::merchant_id.eq(merchant_id))
        .filter(vc::recipient.eq(recipient))
        .filter(vc::purpose.eq(CodePurpose::MemberRegister))
        .filter(vc::used_at.is_null())
        .filter(vc::expires_at.gt(now))
        .filter(vc::attempts.lt(MAX_ATTEMPTS))
        .order(vc::id.desc())
        .select((vc::id, vc::code_hash))
        .first::<(i64, String)>(conn)
        .optional()?;
    let Some((id, hash)) = newest else {
        return Ok(false);
    };
    if hash != digest(merchant_id, recipient, code.trim()) {
        diesel::update(vc::table.find(id))
            .set(vc::attempts.eq(vc::attempts + 1))
            .execute(conn)?;
        return Ok(false);
    }
    let used = diesel::update(
        vc::table
            .filter(vc::id.eq(id))
            .filter(vc::used_at.is_null()),
    )
    .set(vc::used_at.eq(now))
    .execute(conn)?;
    Ok(used > 0)
}
