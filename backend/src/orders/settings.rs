//! The merchant's order settings: how long an order waits for its payment, how long after
//! shipping it completes by itself, whether a delivery completes it, and how long after completion
//! the buyer may ask for after-sales.

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
/// Days after shipping an order completes by itself, unless the merchant says otherwise.
pub const DEFAULT_AUTO_COMPLETE_DAYS: i32 = 10;
/// Days after completion the buyer may ask for after-sales, unless the merchant says otherwise.
pub const DEFAULT_AFTER_SALE_DAYS: i32 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = os)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OrderSettings {
    /// Minutes an unpaid order waits before it is cancelled and its stock restored (5–1440).
    #[schema(example = 30)]
    pub payment_timeout_minutes: i32,
    /// Days after the last package left that a shipped order completes by itself (1–60).
    #[schema(example = 10)]
    pub auto_complete_days: i32,
    /// Days after completion that the buyer may still ask for after-sales (0–90).
    #[schema(example = 7)]
    pub after_sale_days: i32,
    /// The order completes as soon as every package is signed for.
    pub complete_on_delivery: bool,
}

impl Default for OrderSettings {
    fn default() -> Self {
        OrderSettings {
            payment_timeout_minutes: DEFAULT_PAYMENT_TIMEOUT_MINUTES,
            auto_complete_days: DEFAULT_AUTO_COMPLETE_DAYS,
            after_sale_days: DEFAULT_AFTER_SALE_DAYS,
            complete_on_delivery: false,
        }
    }
}

/// A change of the settings: what is absent stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderSettingsRequest {
    #[validate(range(min = 5, max = 1440))]
    #[schema(example = 30)]
    pub payment_timeout_minutes: Option<i32>,
    #[validate(range(min = 1, max = 60))]
    #[schema(example = 10)]
    pub auto_complete_days: Option<i32>,
    #[validate(range(min = 0, max = 90))]
    #[schema(example = 7)]
    pub after_sale_days: Option<i32>,
    pub complete_on_delivery: Option<bool>,
}

/// The row of a merchant that had none yet.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = os)]
struct SettingsForm {
    merchant_id: MerchantId,
    payment_timeout_minutes: i32,
    auto_complete_days: i32,
    after_sale_days: i32,
    complete_on_delivery: bool,
    updated_at: NaiveDateTime,
}

pub fn load(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<OrderSettings> {
    let stored = os::table
        .find(merchant_id)
        .select(OrderSettings::as_select())
        .first(conn)
        .optional()?;
    Ok(stored.unwrap_or_default())
}

/// Changes the settings, audited. Orders placed before keep their `pay_by`, and orders shipped
/// before keep their `complete_by`.
pub fn save(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &OrderSettingsRequest,
    now: NaiveDateTime,
) -> AppResult<OrderSettings> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = load(conn, merchant_id)?;
        let after = OrderSettings {
            payment_timeout_minutes: request
                .payment_timeout_minutes
                .unwrap_or(before.payment_timeout_minutes),
            auto_complete_days: request
                .auto_complete_days
                .unwrap_or(before.auto_complete_days),
            after_sale_days: request.after_sale_days.unwrap_or(before.after_sale_days),
            complete_on_delivery: request
                .complete_on_delivery
                .unwrap_or(before.complete_on_delivery),
        };
        let form = SettingsForm {
            merchant_id,
            payment_timeout_minutes: after.payment_timeout_minutes,
            auto_complete_days: after.auto_complete_days,
            after_sale_days: after.after_sale_days,
            complete_on_delivery: after.complete_on_delivery,
            updated_at: now,
        };
        let updated = diesel::update(os::table.find(merchant_id))
            .set(&form)
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(os::table).values(&form).execute(conn)?;
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
                        "after": after.payment_timeout_minutes,
                    },
                    "auto_complete_days": {
                        "before": before.auto_complete_days,
                        "after": after.auto_complete_days,
                    },
                    "after_sale_days": {
                        "before": before.after_sale_days,
                        "after": after.after_sale_days,
                    },
                    "complete_on_delivery": {
                        "before": before.complete_on_delivery,
                        "after": after.complete_on_delivery,
                    },
                })),
            now,
        )?;
        Ok(after)
    })
}
