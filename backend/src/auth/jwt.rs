//! Access tokens: short-lived HS256 JWTs naming the account, its kind, its tenant and the
//! session they belong to. Only HS256 is accepted (so `alg: none` and algorithm swaps fail), and
//! a token's `typ` must match its use.

use chrono::{Duration, NaiveDateTime};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::account::AccountKind;
use crate::db::ids::MerchantId;
use crate::error::{AppError, AppResult};
use crate::secrets::SecretKey;

pub const ACCESS_TTL_MINUTES: i64 = 15;
pub const MFA_CHALLENGE_TTL_MINUTES: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenUse {
    /// Authorises API calls.
    Access,
    /// Proves that the password step of a sign-in passed; only redeemable with a second factor.
    MfaChallenge,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    pub kind: AccountKind,
    /// The tenant, for staff and members.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mid: Option<MerchantId>,
    /// The session, for access tokens.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sid: Option<i64>,
    #[serde(rename = "use")]
    pub token_use: TokenUse,
    pub iat: i64,
    pub exp: i64,
}

impl Claims {
    pub fn account_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }
}

pub fn issue(
    key: &SecretKey,
    kind: AccountKind,
    account_id: i64,
    merchant_id: Option<MerchantId>,
    session_id: Option<i64>,
    token_use: TokenUse,
    now: NaiveDateTime,
) -> AppResult<(String, NaiveDateTime)> {
    let ttl = match token_use {
        TokenUse::Access => Duration::minutes(ACCESS_TTL_MINUTES),
        TokenUse::MfaChallenge => Duration::minutes(MFA_CHALLENGE_TTL_MINUTES),
    };
    let expires_at = now + ttl;
    let claims = Claims {
        sub: account_id.to_string(),
        kind,
        mid: merchant_id,
        sid: session_id,
        token_use,
        iat: now.and_utc().timestamp(),
        exp: expires_at.and_utc().timestamp(),
    };
    let token = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key.expose()),
    )
    .map_err(AppError::internal)?;
    Ok((token, expires_at))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Not a token of ours: malformed, wrongly signed, another algorithm, or another use.
    Invalid,
    /// Ours, but past its expiry: the client should refresh.
    Expired,
}

/// The claims of a valid, unexpired token of the given use.
pub fn verify(key: &SecretKey, token: &str, token_use: TokenUse) -> Result<Claims, Rejection> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = decode::<Claims>(token, &DecodingKey::from_secret(key.expose()), &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => Rejection::Expired,
            _ => Rejection::Invalid,
        })?;
    if data.claims.token_use == token_use {
        Ok(data.claims)
    } else {
        Err(Rejection::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;

    fn key() -> SecretKey {
        SecretKey::from_bytes(b"unit-test-key-unit-test-key-unit-test-key".to_vec())
    }

    /// URL-safe base64 without padding, as JWTs encode their parts.
    fn b64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn round_trip_and_use_is_checked() {
        let (token, _) = issue(
            &key(),
            AccountKind::Staff,
            7,
            Some(MerchantId(3)),
            Some(9),
            TokenUse::Access,
            clock::now(),
        )
        .unwrap();
        let claims = verify(&key(), &token, TokenUse::Access).unwrap();
        assert_eq!(claims.account_id(), Some(7));
        assert_eq!(claims.mid, Some(MerchantId(3)));
        assert_eq!(claims.sid, Some(9));
        assert_eq!(
            verify(&key(), &token, TokenUse::MfaChallenge).unwrap_err(),
            Rejection::Invalid
        );
    }

    #[test]
    fn expired_tampered_and_unsigned_tokens_fail() {
        let past = clock::now() - Duration::minutes(ACCESS_TTL_MINUTES + 1);
        let (expired, _) = issue(
            &key(),
            AccountKind::Staff,
            7,
            Some(MerchantId(3)),
            Some(9),
            TokenUse::Access,
            past,
        )
        .unwrap();
        assert_eq!(
            verify(&key(), &expired, TokenUse::Access).unwrap_err(),
            Rejection::Expired
        );

        let (token, _) = issue(
            &key(),
            AccountKind::Staff,
            7,
            Some(MerchantId(3)),
            Some(9),
            TokenUse::Access,
            clock::now(),
        )
        .unwrap();
        let other = SecretKey::from_bytes(b"another-key-another-key-another-key-!!".to_vec());
        assert_eq!(
            verify(&other, &token, TokenUse::Access).unwrap_err(),
            Rejection::Invalid
        );

        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let exp = clock::now().and_utc().timestamp() + 600;
        parts[1] = b64(format!(
            r#"{{"sub":"1","kind":"operator","use":"access","iat":0,"exp":{exp}}}"#
        )
        .as_bytes());
        assert!(
            verify(&key(), &parts.join("."), TokenUse::Access).is_err(),
            "tampered payload"
        );

        let none_header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{}.", parts[1]);
        assert!(
            verify(&key(), &unsigned, TokenUse::Access).is_err(),
            "alg none"
        );
    }
}
