//! The platform's view of merchants: the approval queue, suspension and reactivation.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::db::ids::MerchantId;
use crate::db::schema::merchants;
use crate::db::{write_transaction, DbConnection};
use crate::error::AppResult;
use crate::tenancy::lifecycle::{self, MerchantAction};
use crate::tenancy::merchant::{self, MerchantView};
use crate::tenancy::models::MerchantStatus;
use crate::validate;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MerchantQuery {
    pub status: Option<MerchantStatus>,
    /// The last id of the previous page.
    pub cursor: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    /// Why (kept in the audit log).
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(min = 1, max = 500))]
    pub reason: Option<String>,
}

pub fn list(conn: &mut DbConnection, query: &MerchantQuery) -> AppResult<Vec<MerchantView>> {
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let mut q = merchants::table.select(merchants::id).into_boxed();
    if let Some(status) = query.status {
        q = q.filter(merchants::status.eq(status));
    }
    if let Some(cursor) = query.cursor {
        q = q.filter(merchants::id.gt(MerchantId(cursor)));
    }
    let ids: Vec<MerchantId> = q.order(merchants::id.asc()).limit(limit).load(conn)?;
    ids.into_iter().map(|id| merchant::view(conn, id)).collect()
}

pub fn change_status(
    conn: &mut DbConnection,
    operator: &Principal,
    merchant_id: MerchantId,
    action: MerchantAction,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<MerchantView> {
    write_transaction(conn, |conn| {
        let before = merchant::view(conn, merchant_id)?;
        let to = lifecycle::apply(conn, merchant_id, before.status, action, now)?;
        let mut actor = operator.audit_actor();
        actor.merchant_id = Some(merchant_id);
        audit::record(
            conn,
            &actor,
            &operator.client,
            AuditEntry::new(match action {
                MerchantAction::Approve => "merchant.approved",
                MerchantAction::Suspend => "merchant.suspended",
                MerchantAction::Reactivate => "merchant.reactivated",
            })
            .target("merchant", merchant_id)
            .changes(serde_json::json!({
                "status": { "before": before.status.as_str(), "after": to.as_str() },
                "reason": { "before": null, "after": reason },
            })),
            now,
        )?;
        merchant::view(conn, merchant_id)
    })
}
