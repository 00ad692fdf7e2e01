//! Merchant sign-up: the merchant and its owner are created together, unverified, and a
//! single-use verification link (valid 24 h) goes to the owner's email. Verifying activates both,
//! or leaves the merchant waiting for the platform's approval when that is required.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::models::{Merchant, MerchantInsertForm, MerchantStatus, StaffRole, StaffUserInsertForm};
use crate::audit::{self, ActorKind, AuditActor, AuditEntry};
use crate::auth::account::AccountStatus;
use crate::auth::one_time::{self, Purpose};
use crate::auth::password;
use crate::auth::sessions::ClientInfo;
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::{merchants, staff_users};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::notify::{outbox, templates};
use crate::validate;

pub const VERIFICATION_VALID_FOR_HOURS: i64 = 24;

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "password_differs_from_email"))]
pub struct SignupRequest {
    /// Company (merchant) name.
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 2, max = 100))]
    #[schema(example = "杭州好物优选有限公司")]
    pub company_name: String,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 50))]
    #[schema(example = "王丽")]
    pub contact_name: String,
    /// Mainland mobile number or E.164.
    #[serde(deserialize_with = "validate::phone_number")]
    #[validate(custom(function = "validate::phone"))]
    #[schema(example = "13812345678")]
    pub phone: String,
    /// The owner's sign-in email; the verification link is sent here.
    #[serde(deserialize_with = "validate::email_address")]
    #[validate(email, length(max = 254))]
    #[schema(example = "owner@example.com")]
    pub email: String,
    /// 10–128 characters with letters and digits.
    #[validate(custom(function = "password::check_strength"))]
    #[schema(example = "tea-garden-2026", format = Password)]
    pub password: String,
}

fn password_differs_from_email(request: &SignupRequest) -> Result<(), ValidationError> {
    let local_part = request.email.split('@').next().unwrap_or_default();
    let lowered = request.password.to_lowercase();
    if lowered == request.email || (local_part.len() >= 4 && lowered.contains(local_part)) {
        let mut err = ErrorCode::WeakPassword
            .form("contains_email")
            .into_validation_error();
        err.add_param("field".into(), &"password");
        return Err(err);
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignupResponse {
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    pub email: String,
    pub status: MerchantStatus,
    /// Until when the verification link works.
    pub verification_expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The token from the verification link.
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 200))]
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerifyEmailResponse {
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    pub email: String,
    /// `active`, or `pending_approval` when the platform approves new merchants.
    pub status: MerchantStatus,
}

fn email_taken() -> AppError {
    AppError::conflict(ErrorCode::EmailTaken)
}

/// Creates the merchant, its owner, the verification token and the email, in one transaction.
pub fn sign_up(
    conn: &mut DbConnection,
    request: &SignupRequest,
    public_base_url: &str,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> AppResult<SignupResponse> {
    // Hashing is slow by design; do it before taking the write lock.
    let password_hash = password::hash(&request.password)?;
    write_transaction(conn, |conn| {
        let taken: i64 = staff_users::table
            .filter(staff_users::email.eq(&request.email))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(email_taken());
        }
        let merchant_id: MerchantId = diesel::insert_into(merchants::table)
            .values(MerchantInsertForm {
                name: &request.company_name,
                contact_name: &request.contact_name,
                contact_phone: &request.phone,
                contact_email: &request.email,
                status: MerchantStatus::PendingVerification,
                created_at: now,
                updated_at: now,
            })
            .returning(merchants::id)
            .get_result(conn)?;
        // The shop is reachable from the start; the merchant may choose another address later.
        super::merchant::assign_default_slug(conn, merchant_id)?;
        let merchant: Merchant = merchants::table
            .find(merchant_id)
            .select(Merchant::as_select())
            .first(conn)?;
        let owner_id: i64 = diesel::insert_into(staff_users::table)
            .values(StaffUserInsertForm {
                merchant_id: merchant.id,
                email: &request.email,
                name: &request.contact_name,
                phone: Some(&request.phone),
                password_hash: &password_hash,
                role: StaffRole::Owner,
                status: AccountStatus::PendingVerification,
                created_at: now,
                updated_at: now,
            })
            .returning(staff_users::id)
            .get_result(conn)
            .map_err(|e| match e {
                // Another sign-up with this email committed between our check and insert.
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => email_taken(),
                other => other.into(),
            })?;
        let (token, expires_at) = one_time::issue(
            conn,
            Purpose::VerifyEmail,
            Some(merchant.id),
            Some(owner_id),
            now,
            Duration::hours(VERIFICATION_VALID_FOR_HOURS),
        )?;
        let link = format!("{public_base_url}/verify-email?token={token}");
        let message = templates::verify_email(
            &request.email,
            &merchant.name,
            &link,
            clock::to_utc(expires_at),
        );
        outbox::enqueue(conn, Some(merchant.id), &message, now)?;
        let owner = AuditActor {
            merchant_id: Some(merchant.id),
            kind: ActorKind::Staff,
            id: Some(owner_id),
            label: Some(request.email.clone()),
        };
        audit::record(
            conn,
            &owner,
            client,
            AuditEntry::new("merchant.signed_up")
                .target("merchant", merchant.id)
                .changes(serde_json::json!({
                    "name": { "before": null, "after": merchant.name },
                    "status": { "before": null, "after": merchant.status },
                    "slug": { "before": null, "after": merchant.slug },
                })),
            now,
        )?;
        Ok(SignupResponse {
            merchant_id: merchant.id,
            email: request.email.clone(),
            status: MerchantStatus::PendingVerification,
            verification_expires_at: clock::to_utc(expires_at),
        })
    })
}

/// Redeems a verification token: the owner becomes active, and so does the merchant (or it
/// waits for approval).
pub fn verify_email(
    conn: &mut DbConnection,
    token: &str,
    approval_required: bool,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> AppResult<VerifyEmailResponse> {
    write_transaction(conn, |conn| {
        let redeemed = one_time::redeem(conn, Purpose::VerifyEmail, token, now)?;
        let (Some(merchant_id), Some(staff_user_id)) =
            (redeemed.merchant_id, redeemed.staff_user_id)
        else {
            return Err(AppError::internal("verification token without its owner"));
        };
        let email: String = diesel::update(
            staff_users::table
                .filter(staff_users::id.eq(staff_user_id))
                .filter(staff_users::merchant_id.eq(merchant_id)),
        )
        .set((
            staff_users::status.eq(AccountStatus::Active),
            staff_users::email_verified_at.eq(now),
            staff_users::updated_at.eq(now),
        ))
        .returning(staff_users::email)
        .get_result(conn)?;
        let next = if approval_required {
            MerchantStatus::PendingApproval
        } else {
            MerchantStatus::Active
        };
        // Only a merchant still waiting for verification moves; a suspended one stays suspended.
        diesel::update(
            merchants::table
                .filter(merchants::id.eq(merchant_id))
                .filter(merchants::status.eq(MerchantStatus::PendingVerification)),
        )
        .set((merchants::status.eq(next), merchants::updated_at.eq(now)))
        .execute(conn)?;
        let status: MerchantStatus = merchants::table
            .find(merchant_id)
            .select(merchants::status)
            .first(conn)?;
        let owner = AuditActor {
            merchant_id: Some(merchant_id),
            kind: ActorKind::Staff,
            id: Some(staff_user_id),
            label: Some(email.clone()),
        };
        audit::record(
            conn,
            &owner,
            client,
            AuditEntry::new("merchant.email_verified").target("merchant", merchant_id),
            now,
        )?;
        Ok(VerifyEmailResponse {
            merchant_id,
            email,
            status,
        })
    })
}
