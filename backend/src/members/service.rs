//! Member registration and sign-in at a merchant's shop.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::codes;
use super::models::MemberInsertForm;
use crate::audit::{self, AuditActor, AuditEntry};
use crate::auth::account::AccountStatus;
use crate::auth::account::{self, AccountKind};
use crate::auth::lockout::LockoutPolicy;
use crate::auth::password;
use crate::auth::sessions::{self, ClientInfo};
use crate::auth::sign_in::{self, SignInResponse, SignInStatus};
use crate::binding;
use crate::clock;
use crate::db::ids::{MemberId, MerchantId};
use crate::db::schema::{members, merchants};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secrets::SecretKey;
use crate::tenancy::models::MerchantStatus;
use crate::validate;

/// A phone number or an email address, normalised.
fn normalise_login(value: &str) -> String {
    let value = value.trim();
    if value.contains('@') {
        value.to_lowercase()
    } else {
        value.chars().filter(|c| !matches!(c, ' ' | '-')).collect()
    }
}

fn login<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(normalise_login(&String::deserialize(deserializer)?))
}

fn valid_login(value: &str) -> Result<(), ValidationError> {
    if value.contains('@') {
        if validator::ValidateEmail::validate_email(&value) && value.len() <= 254 {
            return Ok(());
        }
        return Err(ValidationError::new("email"));
    }
    validate::phone(value)
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The phone number (SMS) or email address the code goes to.
    #[serde(deserialize_with = "login")]
    #[validate(custom(function = "valid_login"))]
    #[schema(example = "13812345678")]
    pub recipient: String,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Phone number or email; it becomes the sign-in name.
    #[serde(deserialize_with = "login")]
    #[validate(custom(function = "valid_login"))]
    #[schema(example = "13812345678")]
    pub login: String,
    /// The code sent to `login`.
    #[validate(length(equal = 6))]
    pub code: String,
    #[validate(custom(function = "password::check_strength"))]
    #[schema(format = Password)]
    pub password: String,
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(min = 1, max = 50))]
    pub name: Option<String>,
    /// The distributor code of the share link the member registers through: binds the member to
    /// that distributor (customer binding).
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(min = 1, max = 64))]
    pub distributor_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberSignInRequest {
    #[serde(deserialize_with = "login")]
    #[validate(length(min = 3, max = 254))]
    pub login: String,
    #[validate(length(min = 1, max = 256))]
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    #[schema(value_type = i64)]
    pub id: MemberId,
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The shop of an active merchant; any other merchant has no shop to show.
pub fn open_shop(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<()> {
    let status: Option<MerchantStatus> = merchants::table
        .find(merchant_id)
        .select(merchants::status)
        .first(conn)
        .optional()?;
    match status {
        Some(MerchantStatus::Active) => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

/// A phone number or email with its middle hidden, for the audit log.
fn masked(login: &str) -> String {
    let chars: Vec<char> = login.chars().collect();
    let keep = (chars.len() / 4).clamp(1, 3);
    if chars.len() <= keep * 2 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - keep * 2;
    format!(
        "{}{}{}",
        chars[..keep].iter().collect::<String>(),
        "*".repeat(hidden),
        chars[chars.len() - keep..].iter().collect::<String>()
    )
}

pub fn send_code(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    request: &CodeRequest,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        open_shop(conn, merchant_id)?;
        codes::send(conn, merchant_id, &request.recipient, now)?;
        audit::record(
            conn,
            &AuditActor::anonymous(Some(merchant_id)),
            client,
            AuditEntry::new("member.code_sent").changes(serde_json::json!({
                "recipient": { "before": null, "after": masked(&request.recipient) }
            })),
            now,
        )
    })
}

fn login_taken() -> AppError {
    AppError::conflict(ErrorCode::LoginTaken)
}

enum Registration {
    Done(Box<SignInResponse>),
    WrongCode,
}

/// Registers a member (the code proves the phone or email) and signs them in. In the `everyone`
/// entry mode the member also becomes a distributor (`base_url`: for the welcome's recruit link).
pub fn register(
    conn: &mut DbConnection,
    key: &SecretKey,
    merchant_id: MerchantId,
    request: &RegisterRequest,
    client: &ClientInfo,
    base_url: &str,
) -> AppResult<SignInResponse> {
    let hash = password::hash(&request.password)?;
    let outcome = write_transaction(conn, |conn| -> AppResult<Registration> {
        let now = clock::now();
        open_shop(conn, merchant_id)?;
        if account::find_member(conn, merchant_id, &request.login)?.is_some() {
            return Err(login_taken());
        }
        let referrer = match &request.distributor_code {
            Some(code) => Some(binding::service::referrer_by_code(
                conn,
                merchant_id,
                code,
                "distributor_code",
            )?),
            None => None,
        };
        if !codes::check(conn, merchant_id, &request.login, &request.code, now)? {
            return Ok(Registration::WrongCode);
        }
        let by_email = request.login.contains('@');
        let id: MemberId = diesel::insert_into(members::table)
            .values(MemberInsertForm {
                merchant_id,
                phone: (!by_email).then_some(request.login.as_str()),
                email: by_email.then_some(request.login.as_str()),
                name: request.name.as_deref(),
                password_hash: &hash,
                status: AccountStatus::Active,
                phone_verified_at: (!by_email).then_some(now),
                email_verified_at: by_email.then_some(now),
                created_at: now,
                updated_at: now,
            })
            .returning(members::id)
            .get_result(conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => login_taken(),
                other => other.into(),
            })?;
        if let Some(referrer) = &referrer {
            binding::service::bind_at_registration(conn, merchant_id, id, referrer, now)?;
        }
        // In `everyone` mode the member is a distributor from the start, recruited through the
        // link they registered with.
        crate::recruitment::everyone::at_registration(
            conn,
            merchant_id,
            id,
            referrer.as_ref().map(|r| r.distributor_id),
            base_url,
            now,
        )?;
        let tokens = sessions::start(
            conn,
            key,
            AccountKind::Member,
            id.get(),
            Some(merchant_id),
            client,
            now,
        )?;
        let actor = AuditActor {
            merchant_id: Some(merchant_id),
            kind: crate::audit::ActorKind::Member,
            id: Some(id.get()),
            label: Some(request.login.clone()),
        };
        audit::record(
            conn,
            &actor,
            client,
            AuditEntry::new("member.registered").target("member", id),
            now,
        )?;
        Ok(Registration::Done(Box::new(SignInResponse {
            status: SignInStatus::SignedIn,
            tokens: Some(tokens),
            mfa_token: None,
        })))
    })?;
    match outcome {
        Registration::Done(response) => Ok(*response),
        Registration::WrongCode => Err(codes::invalid_code()),
    }
}

pub fn sign_in(
    conn: &mut DbConnection,
    key: &SecretKey,
    merchant_id: MerchantId,
    request: &MemberSignInRequest,
    client: &ClientInfo,
    policy: LockoutPolicy,
) -> AppResult<SignInResponse> {
    open_shop(conn, merchant_id)?;
    let account = account::find_member(conn, merchant_id, &request.login)?;
    sign_in::sign_in_account(conn, key, account, &request.password, client, policy)
}

pub fn view(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<MemberView> {
    let (id, phone, email, name, created_at): (
        MemberId,
        Option<String>,
        Option<String>,
        Option<String>,
        NaiveDateTime,
    ) = members::table
        .filter(members::id.eq(member_id))
        .filter(members::merchant_id.eq(merchant_id))
        .select((
            members::id,
            members::phone,
            members::email,
            members::name,
            members::created_at,
        ))
        .first(conn)?;
    Ok(MemberView {
        id,
        merchant_id,
        phone,
        email,
        name,
        created_at: clock::to_utc(created_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_hides_the_middle() {
        assert_eq!(masked("13812345678"), "13*******78");
        assert_eq!(masked("ab"), "**");
        assert_eq!(masked("shopper@example.com"), "sho*************com");
    }

    #[test]
    fn logins_are_normalised() {
        assert_eq!(normalise_login(" 138-1234 5678 "), "13812345678");
        assert_eq!(normalise_login(" A@B.com "), "a@b.com");
    }
}
