//! Distribution settings of a merchant (SPEC §4): who becomes a distributor, how many levels earn
//! commission, self-purchase commission, customer binding and the default sponsor. A merchant
//! without a stored row has the defaults; [`load`] is what every other module asks.
//!
//! Commission depth 3 counts buyer → distributor → upline as three levels, which Chinese law
//! treats as a pyramid-scheme risk; choosing it needs a compliance acknowledgement from a staff
//! member, recorded on the row (who, when) and as its own audit event. Going back to 1 or 2 keeps
//! that record.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{self, AuditEntry};
use crate::auth::principal::{Caller, Principal};
use crate::clock;
use crate::db::enums::db_enum;
use crate::db::ids::{DistributorId, MerchantId};
use crate::db::schema::{distribution_settings as ds, distributors};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::money::Money;
use crate::network::DistributorStatus;

db_enum! {
    /// Who becomes a distributor.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum EntryMode {
        /// Every member (人人分销).
        Everyone,
        /// Members apply; `application_review` says whether they are approved at once.
        Application,
        /// Members whose cumulative paid spend reaches `spend_threshold`.
        SpendThreshold,
    }
}

db_enum! {
    /// How applications are decided.
    #[derive(Default, Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ApplicationReview {
        Auto,
        #[default]
        Manual,
    }
}

db_enum! {
    /// Which distributor's link binds a customer (锁客).
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum BindingMode {
        /// The first binding stands.
        FirstTouch,
        /// A newer link re-binds, outside the protection days.
        LastTouch,
        /// Only the link a member registered through binds.
        RegistrationOnly,
    }
}

/// The default commission depth: level 1 (the distributor who brought the order) and level 2.
pub const DEFAULT_DEPTH: i32 = 2;

/// The settings in force for a merchant.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct DistributionSettings {
    pub entry_mode: EntryMode,
    pub application_review: ApplicationReview,
    /// Cumulative paid spend that makes a member a distributor (`spend_threshold` mode).
    pub spend_threshold: Option<Money>,
    /// Levels that earn commission, 1–3; level 1 is the distributor who brought the order.
    #[schema(minimum = 1, maximum = 3)]
    pub commission_depth: i32,
    /// When depth 3 was last acknowledged as compliant, and by which staff member.
    pub depth3_acknowledged_at: Option<DateTime<Utc>>,
    pub depth3_acknowledged_by: Option<i64>,
    /// Whether a distributor earns level 1 on their own purchases.
    pub self_purchase_commission: bool,
    pub binding_mode: BindingMode,
    /// Days a binding lasts; `null` for permanent.
    pub binding_days: Option<i32>,
    /// Days after binding during which no other link re-binds the customer.
    pub protection_days: i32,
    /// Parent of distributors who joined without an inviter.
    #[schema(value_type = Option<i64>)]
    pub default_sponsor_id: Option<DistributorId>,
    /// When the settings were last saved; `null` while they are the defaults.
    pub updated_at: Option<DateTime<Utc>>,
}

impl Default for DistributionSettings {
    fn default() -> Self {
        Self {
            entry_mode: EntryMode::Application,
            application_review: ApplicationReview::Manual,
            spend_threshold: None,
            commission_depth: DEFAULT_DEPTH,
            depth3_acknowledged_at: None,
            depth3_acknowledged_by: None,
            self_purchase_commission: false,
            binding_mode: BindingMode::FirstTouch,
            binding_days: None,
            protection_days: 0,
            default_sponsor_id: None,
            updated_at: None,
        }
    }
}

impl DistributionSettings {
    /// When a binding made at `bound_at` lapses; `None` when bindings are permanent.
    pub fn binding_expires_at(&self, bound_at: NaiveDateTime) -> Option<NaiveDateTime> {
        self.binding_days
            .map(|days| bound_at + Duration::days(i64::from(days)))
    }

    /// Until when a binding made at `bound_at` cannot be taken over by another link.
    pub fn protected_until(&self, bound_at: NaiveDateTime) -> NaiveDateTime {
        bound_at + Duration::days(i64::from(self.protection_days))
    }
}

/// The whole settings document; a missing optional field takes its default.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsRequest {
    pub entry_mode: EntryMode,
    #[serde(default)]
    pub application_review: ApplicationReview,
    /// Required, and above zero, with `entry_mode: spend_threshold`.
    #[serde(default)]
    pub spend_threshold: Option<Money>,
    #[validate(range(min = 1, max = 3))]
    pub commission_depth: i32,
    /// Must be `true` to change the depth to 3: the staff member confirms that three paid levels
    /// comply with the law that applies to the merchant, and the statement is recorded in the
    /// audit log. Not needed to keep a depth of 3 already acknowledged; ignored for depths 1–2.
    #[serde(default)]
    pub acknowledge_depth3_compliance: bool,
    pub self_purchase_commission: bool,
    pub binding_mode: BindingMode,
    /// 1–3650 days; `null` or absent for permanent bindings.
    #[serde(default)]
    #[validate(range(min = 1, max = 3650))]
    pub binding_days: Option<i32>,
    /// 0–3650 days, at most `binding_days`.
    #[validate(range(min = 0, max = 3650))]
    pub protection_days: i32,
    /// A distributor of this merchant; `null` for none.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub default_sponsor_id: Option<DistributorId>,
}

/// What a merchant acknowledges when it chooses three commission levels; recorded verbatim in
/// the audit event.
pub const DEPTH3_STATEMENT_EN: &str = "Three commission levels count buyer, distributor and upline \
    as three tiers, which Chinese law may treat as a pyramid scheme. We have checked that our \
    distribution programme complies with the law that applies to us and take responsibility for it.";
pub const DEPTH3_STATEMENT_ZH: &str = "三级分佣将买家、分销商及其上级计为三个层级，在中国法律下可能被认定为传销。我方已确认本分销方案符合适用法律，并承担相应责任。";

/// A row of `distribution_settings` (without its tenant).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ds)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct SettingsRow {
    entry_mode: EntryMode,
    application_review: ApplicationReview,
    spend_threshold: Option<i64>,
    commission_depth: i32,
    depth3_acknowledged_at: Option<NaiveDateTime>,
    depth3_acknowledged_by: Option<i64>,
    self_purchase_commission: bool,
    binding_mode: BindingMode,
    binding_days: Option<i32>,
    protection_days: i32,
    default_sponsor_id: Option<DistributorId>,
    updated_at: NaiveDateTime,
}

fn from_row(row: SettingsRow) -> AppResult<DistributionSettings> {
    Ok(DistributionSettings {
        entry_mode: row.entry_mode,
        application_review: row.application_review,
        spend_threshold: row
            .spend_threshold
            .map(|fen| {
                Money::from_fen(fen).map_err(|e| AppError::internal(format!("threshold: {e}")))
            })
            .transpose()?,
        commission_depth: row.commission_depth,
        depth3_acknowledged_at: row.depth3_acknowledged_at.map(clock::to_utc),
        depth3_acknowledged_by: row.depth3_acknowledged_by,
        self_purchase_commission: row.self_purchase_commission,
        binding_mode: row.binding_mode,
        binding_days: row.binding_days,
        protection_days: row.protection_days,
        default_sponsor_id: row.default_sponsor_id,
        updated_at: Some(clock::to_utc(row.updated_at)),
    })
}

/// The merchant's settings, the defaults filled in when it never saved any.
pub fn load(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<DistributionSettings> {
    let row: Option<SettingsRow> = ds::table
        .filter(ds::merchant_id.eq(merchant_id))
        .select(SettingsRow::as_select())
        .first(conn)
        .optional()?;
    row.map(from_row).transpose().map(Option::unwrap_or_default)
}

/// Rules between fields that the field validators cannot see.
fn check(request: &SettingsRequest) -> AppResult<()> {
    let mut errors = Vec::new();
    match request.spend_threshold {
        None if request.entry_mode == EntryMode::SpendThreshold => errors.push(FieldError::new(
            "spend_threshold",
            ErrorCode::Required.form("spend_threshold"),
        )),
        Some(amount) if amount.fen() == 0 => errors.push(FieldError::new(
            "spend_threshold",
            ErrorCode::MustBePositive,
        )),
        _ => {}
    }
    if let Some(days) = request.binding_days {
        if request.protection_days > days {
            errors.push(FieldError::new(
                "protection_days",
                ErrorCode::ProtectionExceedsValidity,
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

fn depth3_refused() -> AppError {
    AppError::field(
        "acknowledge_depth3_compliance",
        ErrorCode::Depth3AcknowledgementRequired,
    )
}

/// The default sponsor must be a distributor of this merchant (another merchant's id answers
/// exactly like a missing one); a newly chosen one must also be active.
fn check_sponsor(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sponsor_id: DistributorId,
    changed: bool,
) -> AppResult<()> {
    let status: Option<DistributorStatus> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(sponsor_id))
        .select(distributors::status)
        .first(conn)
        .optional()?;
    match status {
        None => Err(AppError::field(
            "default_sponsor_id",
            ErrorCode::UnknownDistributor,
        )),
        Some(status) if changed && status != DistributorStatus::Active => Err(AppError::field(
            "default_sponsor_id",
            ErrorCode::SponsorNotActive.form("default_sponsor"),
        )),
        Some(_) => Ok(()),
    }
}

fn audit_json(s: &DistributionSettings) -> serde_json::Value {
    let mut value = serde_json::to_value(s).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("updated_at");
    }
    value
}

/// Saves the whole settings document and audits the change. Changing the depth to 3 needs
/// `acknowledge_depth3_compliance` from a staff member; a refused request changes nothing.
pub fn update(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &SettingsRequest,
    now: NaiveDateTime,
) -> AppResult<DistributionSettings> {
    let merchant_id = caller.tenant()?;
    check(request)?;
    write_transaction(conn, |conn| {
        let before = load(conn, merchant_id)?;
        let acknowledging = request.commission_depth == 3 && request.acknowledge_depth3_compliance;
        if request.commission_depth == 3 && before.commission_depth != 3 && !acknowledging {
            return Err(depth3_refused());
        }
        let (ack_at, ack_by) = if acknowledging {
            // A legal statement is made by a person, not by an integration's key.
            if !matches!(caller.caller, Caller::Staff { .. }) {
                return Err(AppError::refused(ErrorCode::StaffAcknowledgementRequired));
            }
            (Some(now), Some(caller.id))
        } else {
            (
                before.depth3_acknowledged_at.map(|t| t.naive_utc()),
                before.depth3_acknowledged_by,
            )
        };
        if let Some(sponsor) = request.default_sponsor_id {
            check_sponsor(
                conn,
                merchant_id,
                sponsor,
                before.default_sponsor_id != Some(sponsor),
            )?;
        }
        let values = (
            ds::entry_mode.eq(request.entry_mode),
            ds::application_review.eq(request.application_review),
            ds::spend_threshold.eq(request.spend_threshold.map(Money::fen)),
            ds::commission_depth.eq(request.commission_depth),
            ds::depth3_acknowledged_at.eq(ack_at),
            ds::depth3_acknowledged_by.eq(ack_by),
            ds::self_purchase_commission.eq(request.self_purchase_commission),
            ds::binding_mode.eq(request.binding_mode),
            ds::binding_days.eq(request.binding_days),
            ds::protection_days.eq(request.protection_days),
            ds::default_sponsor_id.eq(request.default_sponsor_id),
            ds::updated_at.eq(now),
        );
        let updated = diesel::update(ds::table.filter(ds::merchant_id.eq(merchant_id)))
            .set(values)
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(ds::table)
                .values((ds::merchant_id.eq(merchant_id), values))
                .execute(conn)?;
        }
        let after = load(conn, merchant_id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("distribution_settings.updated")
                .target("merchant", merchant_id)
                .changes(audit::diff(&audit_json(&before), &audit_json(&after))),
            now,
        )?;
        if acknowledging {
            audit::record(
                conn,
                &caller.audit_actor(),
                &caller.client,
                AuditEntry::new("distribution_settings.depth3_compliance_acknowledged")
                    .target("merchant", merchant_id)
                    .changes(serde_json::json!({
                        "commission_depth": {
                            "before": before.commission_depth,
                            "after": after.commission_depth,
                        },
                        "statement": {
                            "before": null,
                            "after": { "en": DEPTH3_STATEMENT_EN, "zh": DEPTH3_STATEMENT_ZH },
                        },
                    })),
                now,
            )?;
        }
        Ok(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> SettingsRequest {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn cross_field_rules() {
        let base = serde_json::json!({
            "entry_mode": "spend_threshold",
            "commission_depth": 2,
            "self_purchase_commission": false,
            "binding_mode": "first_touch",
            "protection_days": 0,
        });
        let AppError::Validation(errors) = check(&request(base.clone())).unwrap_err() else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "spend_threshold");
        assert_eq!(errors[0].code(), "required");

        let mut zero = base.clone();
        zero["spend_threshold"] = "0".into();
        assert!(check(&request(zero)).is_err());

        let mut long = base.clone();
        long["spend_threshold"] = "100".into();
        long["binding_days"] = 7.into();
        long["protection_days"] = 8.into();
        let AppError::Validation(errors) = check(&request(long.clone())).unwrap_err() else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].code(), "protection_exceeds_validity");
        long["protection_days"] = 7.into();
        assert!(check(&request(long)).is_ok());
    }

    #[test]
    fn binding_windows() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let mut s = DistributionSettings::default();
        assert_eq!(s.binding_expires_at(at), None);
        assert_eq!(s.protected_until(at), at);
        s.binding_days = Some(30);
        s.protection_days = 7;
        assert_eq!(s.binding_expires_at(at), Some(at + Duration::days(30)));
        assert_eq!(s.protected_until(at), at + Duration::days(7));
    }
}
