//! Staff actions on the tree, as the HTTP API offers them: each is the tree operation and its
//! audit event in one transaction, answering the distributor as it now is.

use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::queries::{self, DistributorDetail};
use super::status::{self, StatusAction};
use super::tree;
use crate::audit::{self, AuditEntry};
use crate::auth::principal::{Caller, Principal};
use crate::clock;
use crate::db::ids::{DistributorId, MemberId};
use crate::db::{write_transaction, DbConnection};
use crate::error::AppResult;
use crate::validate;

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDistributorRequest {
    /// The member who becomes a distributor.
    #[validate(range(min = 1))]
    #[schema(value_type = i64)]
    pub member_id: MemberId,
    /// The sponsor; absent: the merchant's default sponsor, else a root.
    #[validate(range(min = 1))]
    #[schema(value_type = Option<i64>)]
    pub sponsor_id: Option<DistributorId>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// The new sponsor; `null` makes the distributor a root.
    #[validate(range(min = 1))]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<DistributorId>,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 500))]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 500))]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnfreezeRequest {
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(min = 1, max = 500))]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTierRequest {
    /// The tier; `null` removes the tier.
    #[validate(range(min = 1))]
    pub tier_id: Option<i64>,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 500))]
    pub reason: String,
}

fn staff_account(p: &Principal) -> Option<i64> {
    matches!(p.caller, Caller::Staff { .. }).then_some(p.id)
}

pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    request: &CreateDistributorRequest,
    now: NaiveDateTime,
) -> AppResult<DistributorDetail> {
    let merchant_id = p.tenant()?;
    write_transaction(conn, |conn| {
        let id = tree::join_placed(
            conn,
            merchant_id,
            request.member_id,
            request.sponsor_id,
            now,
        )?;
        let created = queries::find(conn, merchant_id, id)?;
        audit::record(
            conn,
            &p.audit_actor(),
            &p.client,
            AuditEntry::new("distributor.created")
                .target("distributor", id)
                .changes(json!({
                    "member_id": { "before": null, "after": request.member_id },
                    "parent_id": { "before": null, "after": created.parent_id },
                })),
            now,
        )?;
        queries::detail(conn, merchant_id, id)
    })
}

pub fn move_to(
    conn: &mut DbConnection,
    p: &Principal,
    id: DistributorId,
    request: &MoveRequest,
    now: NaiveDateTime,
) -> AppResult<DistributorDetail> {
    let merchant_id = p.tenant()?;
    write_transaction(conn, |conn| {
        let before = queries::find(conn, merchant_id, id)?;
        if tree::move_distributor(conn, merchant_id, id, request.parent_id, now)? {
            audit::record(
                conn,
                &p.audit_actor(),
                &p.client,
                AuditEntry::new("distributor.moved")
                    .target("distributor", id)
                    .changes(json!({
                        "parent_id": { "before": before.parent_id, "after": request.parent_id },
                        "reason": { "before": null, "after": request.reason },
                    })),
                now,
            )?;
        }
        queries::detail(conn, merchant_id, id)
    })
}

pub fn change_status(
    conn: &mut DbConnection,
    p: &Principal,
    id: DistributorId,
    action: StatusAction,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<DistributorDetail> {
    let merchant_id = p.tenant()?;
    write_transaction(conn, |conn| {
        let (from, to) = status::change_status(conn, merchant_id, id, action, reason, now)?;
        let action_name = match action {
            StatusAction::Freeze => "distributor.frozen",
            StatusAction::Unfreeze => "distributor.unfrozen",
            StatusAction::End => "distributor.ended",
        };
        audit::record(
            conn,
            &p.audit_actor(),
            &p.client,
            AuditEntry::new(action_name)
                .target("distributor", id)
                .changes(json!({
                    "status": { "before": from.as_str(), "after": to.as_str() },
                    "reason": { "before": null, "after": reason },
                })),
            now,
        )?;
        queries::detail(conn, merchant_id, id)
    })
}

pub fn set_tier(
    conn: &mut DbConnection,
    p: &Principal,
    id: DistributorId,
    request: &SetTierRequest,
    now: NaiveDateTime,
) -> AppResult<DistributorDetail> {
    let merchant_id = p.tenant()?;
    write_transaction(conn, |conn| {
        let changed = status::set_tier(
            conn,
            merchant_id,
            id,
            request.tier_id,
            &request.reason,
            staff_account(p),
            now,
        )?;
        if let Some(set) = changed {
            audit::record(
                conn,
                &p.audit_actor(),
                &p.client,
                AuditEntry::new("distributor.tier_set")
                    .target("distributor", id)
                    .changes(json!({
                        "tier_id": { "before": set.from, "after": request.tier_id },
                        "cause": { "before": null, "after": set.cause.as_str() },
                        "reason": { "before": null, "after": request.reason },
                        "promotion_held": { "before": set.held_before, "after": set.held_after },
                    })),
                now,
            )?;
        }
        queries::detail(conn, merchant_id, id)
    })
}

/// Lets automatic promotion resume after a demotion. Without a hold nothing changes and nothing
/// is audited: releasing twice is harmless.
pub fn release_promotion_hold(
    conn: &mut DbConnection,
    p: &Principal,
    id: DistributorId,
    now: NaiveDateTime,
) -> AppResult<DistributorDetail> {
    let merchant_id = p.tenant()?;
    write_transaction(conn, |conn| {
        if let Some(since) = status::release_promotion_hold(conn, merchant_id, id, now)? {
            audit::record(
                conn,
                &p.audit_actor(),
                &p.client,
                AuditEntry::new("distributor.promotion_hold_released")
                    .target("distributor", id)
                    .changes(json!({
                        "promotion_held_since": {
                            "before": clock::to_utc(since),
                            "after": null,
                        },
                    })),
                now,
            )?;
        }
        queries::detail(conn, merchant_id, id)
    })
}
