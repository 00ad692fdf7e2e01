//! The merchant's order settings: how long an order waits for its payment.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::db::ids::MerchantId;
use crate::db::schema::order_settings as os;
use crate::db::{write_transaction, DbConnection};
use crate::error::AppResult;

/// Minutes an unpaid order waits before it is cancelled, unless the merchant says otherwise.
pub const DEFAULT_PAYMENT_TIMEOUT_MINUTES: i32 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderSettings {
    /// Minutes an unpaid order waits before it is cancelled and its stock restored (5–1440).
    #[validate(range(min = 5, max = 1440))]
    #[schema(example = 30)]
    pub payment_timeout_minutes: i32,
}

/// The row of a merchant that had none yet.
#[derive(Debug, Insertable)]
#[diesel(table_name = os)]
struct SettingsInsertForm {
    merchant_id: MerchantId,
    payment_timeout_minutes: i32,
    updated_at: NaiveDateTime,
}

pub fn load(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<OrderSettings> {
    let stored: Option<i32> = os::table
        .find(merchant_id)
        .select(os::payment_timeout_minutes)
        .first(conn)
        .optional()?;
    Ok(OrderSettings {
        payment_timeout_minutes: stored.unwrap_or(DEFAULT_PAYMENT_TIMEOUT_MINUTES),
    })
}

/// Replaces the settings, audited. Orders placed before keep their `pay_by`.
pub fn save(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &OrderSettings,
    now: NaiveDateTime,
) -> AppResult<OrderSettings> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = load(conn, merchant_id)?;
        let updated = diesel::update(os::table.find(merchant_id))
            .set((
                os::payment_timeout_minutes.eq(request.payment_timeout_minutes),
                os::updated_at.eq(now),
            ))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(os::table)
                .values(SettingsInsertForm {
                    merchant_id,
                    payment_timeout_minutes: request.payment_timeout_minutes,
                    updated_at: now,
                })
                .execute(conn)?;
        }
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("order_settings.updated")
                .target("merchant", merchant_id)
                .changes(serde_json::json!({
                    "payment_timeout_minutes": {
                        "before": before.payment_timeout_minutes,
                        "after": request.payment_timeout_minutes,
                    },
                })),
            now,
        )?;
        load(conn, merchant_id)
    })
}
