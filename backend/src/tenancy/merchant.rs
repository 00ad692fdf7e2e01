//! The caller's own merchant: its profile as far as it exists, and its security policy.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::models::{Merchant, MerchantStatus, StaffRole};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::{Caller, Principal};
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::merchants;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Message};
use crate::media::{self, Media};
use crate::validate;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MerchantView {
    #[schema(value_type = i64)]
    pub id: MerchantId,
    pub name: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub status: MerchantStatus,
    pub timezone: String,
    pub currency: String,
    /// Every staff member must use two-factor authentication.
    pub require_staff_mfa: bool,
    /// The shop's address: its API is under `/api/v1/shops/{slug}`, its pages under
    /// `/shop/{slug}/…`. `shop-{id}` until the merchant chooses another.
    pub slug: String,
    pub description: String,
    pub logo: Option<Media>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 2, max = 100))]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub description: String,
    /// 3–40 characters of `a-z`, `0-9` and `-`, not starting or ending with `-`.
    #[serde(deserialize_with = "validate::lowercase")]
    #[validate(custom(function = "valid_slug"))]
    #[schema(example = "haowu-tea")]
    pub slug: String,
    /// IANA time zone, e.g. `Asia/Shanghai`.
    #[validate(custom(function = "valid_timezone"))]
    #[schema(example = "Asia/Shanghai")]
    pub timezone: String,
    /// An uploaded image, or none.
    pub logo_media_id: Option<i64>,
}

/// Words that would shadow the platform's own paths.
const RESERVED_SLUGS: &[&str] = &[
    "api", "admin", "shop", "media", "www", "login", "signup", "platform",
];

fn valid_slug(slug: &str) -> Result<(), ValidationError> {
    let shape = (3..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if !shape {
        return Err(Message::new(ErrorCode::InvalidSlug).into_validation_error());
    }
    if RESERVED_SLUGS.contains(&slug) {
        return Err(Message::new(ErrorCode::ReservedSlug).into_validation_error());
    }
    Ok(())
}

/// The address every merchant gets at sign-up, so that its shop is reachable before the
/// merchant chooses one.
pub fn default_slug(merchant_id: MerchantId) -> String {
    format!("{DEFAULT_SLUG_PREFIX}{merchant_id}")
}

const DEFAULT_SLUG_PREFIX: &str = "shop-";

/// `shop-` and digits: the shape of default addresses. Nobody may choose one that is not their
/// own default, or a merchant signing up later would find its default taken.
fn is_default_shaped(slug: &str) -> bool {
    slug.strip_prefix(DEFAULT_SLUG_PREFIX)
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether the merchant may take `slug`: any valid address, but of the default-shaped ones only
/// its own default, or the one it already has (chosen before these were reserved).
fn may_take(merchant_id: MerchantId, current: &str, slug: &str) -> bool {
    !is_default_shaped(slug) || slug == default_slug(merchant_id) || slug == current
}

/// Gives a new merchant its default address, in the caller's transaction. Default-shaped
/// addresses are reserved, so `shop-{id}` is free unless a merchant chose it before they were;
/// then `shop--{id}`, which no chosen address can be (double hyphens are refused), stands in
/// until the merchant chooses one.
pub fn assign_default_slug(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<String> {
    let preferred = default_slug(merchant_id);
    let taken: i64 = merchants::table
        .filter(merchants::slug.eq(&preferred))
        .count()
        .get_result(conn)?;
    let slug = if taken == 0 {
        preferred
    } else {
        format!("shop--{merchant_id}")
    };
    diesel::update(merchants::table.find(merchant_id))
        .set(merchants::slug.eq(&slug))
        .execute(conn)?;
    Ok(slug)
}

fn valid_timezone(zone: &str) -> Result<(), ValidationError> {
    zone.parse::<chrono_tz::Tz>()
        .map(|_| ())
        .map_err(|_| Message::new(ErrorCode::InvalidTimezone).into_validation_error())
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicyRequest {
    pub require_staff_mfa: bool,
}

pub fn view(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<MerchantView> {
    let m: Merchant = merchants::table
        .find(merchant_id)
        .select(Merchant::as_select())
        .first(conn)?;
    Ok(MerchantView {
        id: m.id,
        status: m.status,
        name: m.name,
        contact_name: m.contact_name,
        contact_phone: m.contact_phone,
        contact_email: m.contact_email,
        timezone: m.timezone,
        currency: m.currency,
        require_staff_mfa: m.require_staff_mfa,
        // Set at sign-up and by the migration that gave every earlier merchant its default; a
        // row without one would have been written around both.
        slug: m.slug.unwrap_or_default(),
        description: m.description,
        logo: match m.logo_media_id {
            Some(id) => media::find_many(conn, merchant_id, &[id])?.pop(),
            None => None,
        },
        created_at: clock::to_utc(m.created_at),
    })
}

/// The merchant behind a shop slug, if it is open (active).
pub fn by_slug(conn: &mut DbConnection, slug: &str) -> AppResult<MerchantView> {
    let id = open_shop_id(conn, slug)?;
    view(conn, id)
}

/// The id of the open (active) merchant whose address is `slug`, compared case-insensitively;
/// any other address is not found.
pub fn open_shop_id(conn: &mut DbConnection, slug: &str) -> AppResult<MerchantId> {
    Ok(merchants::table
        .filter(merchants::slug.eq(slug.to_lowercase()))
        .filter(merchants::status.eq(MerchantStatus::Active))
        .select(merchants::id)
        .first(conn)?)
}

pub fn update_profile(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &ProfileRequest,
    now: NaiveDateTime,
) -> AppResult<MerchantView> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = view(conn, merchant_id)?;
        if !may_take(merchant_id, &before.slug, &request.slug) {
            return Err(AppError::field(
                "slug",
                ErrorCode::ReservedSlug.form("default_address"),
            ));
        }
        if let Some(logo) = request.logo_media_id {
            if media::find_many(conn, merchant_id, &[logo])?.is_empty() {
                return Err(AppError::field(
                    "logo_media_id",
                    ErrorCode::UnknownMedia.form("logo"),
                ));
            }
        }
        diesel::update(merchants::table.find(merchant_id))
            .set((
                merchants::name.eq(&request.name),
                merchants::description.eq(&request.description),
                merchants::slug.eq(&request.slug),
                merchants::timezone.eq(&request.timezone),
                merchants::logo_media_id.eq(request.logo_media_id),
                merchants::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    AppError::conflict(ErrorCode::SlugTaken)
                }
                other => other.into(),
            })?;
        let after = view(conn, merchant_id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("merchant.profile_changed")
                .target("merchant", merchant_id)
                .changes(audit::diff(
                    &serde_json::json!({ "name": before.name, "slug": before.slug, "timezone": before.timezone, "description": before.description, "logo": before.logo.map(|m| m.id) }),
                    &serde_json::json!({ "name": after.name, "slug": after.slug, "timezone": after.timezone, "description": after.description, "logo": after.logo.as_ref().map(|m| m.id) }),
                )),
            now,
        )?;
        Ok(after)
    })
}

/// Only the owner sets the security policy.
pub fn set_security_policy(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &SecurityPolicyRequest,
    now: NaiveDateTime,
) -> AppResult<MerchantView> {
    if caller.caller
        != (Caller::Staff {
            role: StaffRole::Owner,
        })
    {
        return Err(AppError::refused(ErrorCode::OwnerOnly));
    }
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = view(conn, merchant_id)?;
        diesel::update(merchants::table.find(merchant_id))
            .set((
                merchants::require_staff_mfa.eq(request.require_staff_mfa),
                merchants::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("merchant.security_policy_changed")
                .target("merchant", merchant_id)
                .changes(serde_json::json!({
                    "require_staff_mfa": {
                        "before": before.require_staff_mfa,
                        "after": request.require_staff_mfa
                    }
                })),
            now,
        )?;
        view(conn, merchant_id)
    })
}

/// The merchant's time zone, parsed, and its name: what its dates and order numbers are in.
pub fn zone(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
) -> AppResult<(chrono_tz::Tz, String)> {
    let name: String = merchants::table
        .find(merchant_id)
        .select(merchants::timezone)
        .first(conn)?;
    let tz = name
        .parse::<chrono_tz::Tz>()
        .map_err(|_| AppError::internal(format!("stored time zone {name}")))?;
    Ok((tz, name))
}
