//! The caller's own merchant: its profile as far as it exists, and its security policy.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::models::{Merchant, MerchantStatus, StaffRole};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::{Caller, Principal};
use crate::clock;
use crate::db::schema::merchants;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, Text};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MerchantView {
    pub id: i64,
    pub name: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub status: MerchantStatus,
    pub timezone: String,
    pub currency: String,
    /// Every staff member must use two-factor authentication.
    pub require_staff_mfa: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicyRequest {
    pub require_staff_mfa: bool,
}

pub fn view(conn: &mut DbConnection, merchant_id: i64) -> AppResult<MerchantView> {
    let m: Merchant = merchants::table
        .find(merchant_id)
        .select(Merchant::as_select())
        .first(conn)?;
    Ok(MerchantView {
        id: m.id,
        status: MerchantStatus::parse(&m.status)
            .ok_or_else(|| AppError::internal(format!("unknown merchant status {}", m.status)))?,
        name: m.name,
        contact_name: m.contact_name,
        contact_phone: m.contact_phone,
        contact_email: m.contact_email,
        timezone: m.timezone,
        currency: m.currency,
        require_staff_mfa: m.require_staff_mfa,
        created_at: clock::to_utc(m.created_at),
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
        return Err(AppError::Refused {
            code: "owner_only",
            message: Text::new(
                "Only the owner can change the security policy.",
                "只有所有者可以修改安全策略。",
            ),
        });
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
