//! Single-use tokens sent to people (email verification, password reset, invitations).
//! The token itself goes out once; only its SHA-256 is stored, and consuming it is one
//! conditional update, so a token works once even when two requests race.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::enums::db_enum;
use crate::db::ids::MerchantId;
use crate::db::schema::one_time_tokens;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};

db_enum! {
    pub enum Purpose {
        VerifyEmail,
        ResetPassword,
        StaffInvitation,
    }
}

/// A new token (its hash), unused.
#[derive(Debug, Insertable)]
#[diesel(table_name = one_time_tokens)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct OneTimeTokenInsertForm<'a> {
    pub merchant_id: Option<MerchantId>,
    pub staff_user_id: Option<i64>,
    pub purpose: Purpose,
    pub token_hash: &'a str,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// 32 random bytes as 64 hex characters.
pub fn generate() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(crate::crypto::hex(&bytes))
}

/// The SHA-256 of the token, in hex: what is stored instead of the token.
pub fn digest(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Stores a new token and returns it in the clear, for the message that carries it.
pub fn issue(
    conn: &mut DbConnection,
    purpose: Purpose,
    merchant_id: Option<MerchantId>,
    staff_user_id: Option<i64>,
    now: NaiveDateTime,
    valid_for: Duration,
) -> AppResult<(String, NaiveDateTime)> {
    let token = generate()?;
    let expires_at = now + valid_for;
    let token_hash = digest(&token);
    diesel::insert_into(one_time_tokens::table)
        .values(OneTimeTokenInsertForm {
            merchant_id,
            staff_user_id,
            purpose,
            token_hash: &token_hash,
            expires_at,
            created_at: now,
        })
        .execute(conn)?;
    Ok((token, expires_at))
}

/// What a consumed token was issued for.
#[derive(Debug, Clone, Queryable)]
pub struct Redeemed {
    pub id: i64,
    pub merchant_id: Option<MerchantId>,
    pub staff_user_id: Option<i64>,
}

/// Marks the token used and returns what it was issued for; refuses unknown, used and expired
/// tokens with distinct, clear errors.
pub fn redeem(
    conn: &mut DbConnection,
    purpose: Purpose,
    token: &str,
    now: NaiveDateTime,
) -> AppResult<Redeemed> {
    let hash = digest(token);
    let updated = diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::token_hash.eq(&hash))
            .filter(one_time_tokens::purpose.eq(purpose))
            .filter(one_time_tokens::used_at.is_null())
            .filter(one_time_tokens::expires_at.gt(now)),
    )
    .set(one_time_tokens::used_at.eq(now))
    .returning((
        one_time_tokens::id,
        one_time_tokens::merchant_id,
        one_time_tokens::staff_user_id,
    ))
    .get_result::<Redeemed>(conn)
    .optional()?;
    if let Some(redeemed) = updated {
        return Ok(redeemed);
    }
    let existing = one_time_tokens::table
        .filter(one_time_tokens::token_hash.eq(&hash))
        .filter(one_time_tokens::purpose.eq(purpose))
        .select(one_time_tokens::used_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?;
    Err(match existing {
        None => AppError::field("token", ErrorCode::InvalidToken),
        Some(Some(_)) => AppError::conflict(ErrorCode::TokenUsed),
        Some(None) => AppError::conflict(ErrorCode::TokenExpired),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_digests_stable() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(digest("abc"), digest("abc"));
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
