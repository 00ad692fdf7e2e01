//! Delivery methods of a merchant: express (shipped by a carrier) and self-pickup at the
//! merchant's pickup points. A merchant without settings offers express only. Self-pickup can
//! only be switched on while at least one pickup point is enabled.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::db::ids::MerchantId;
use crate::db::schema::{delivery_settings, pickup_points};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::{regions, validate};

/// A merchant's first delivery settings row.
#[derive(Debug, Insertable)]
#[diesel(table_name = delivery_settings)]
pub(crate) struct DeliverySettingsInsertForm {
    pub merchant_id: MerchantId,
    pub express_enabled: bool,
    pub pickup_enabled: bool,
    pub updated_at: NaiveDateTime,
}

/// A new pickup point.
#[derive(Debug, Insertable)]
#[diesel(table_name = pickup_points)]
pub(crate) struct PickupPointInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub name: &'a str,
    pub region_code: &'a str,
    pub address: &'a str,
    pub contact_phone: &'a str,
    pub opening_hours: &'a str,
    pub enabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct PickupPoint {
    pub id: i64,
    pub name: String,
    /// GB/T 2260 province or city code.
    pub region_code: String,
    pub address: String,
    pub contact_phone: String,
    /// Free text, e.g. "周一至周五 9:00–18:00".
    pub opening_hours: String,
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct DeliveryMethods {
    pub express_enabled: bool,
    pub pickup_enabled: bool,
    pub pickup_points: Vec<PickupPoint>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryMethodsRequest {
    pub express_enabled: bool,
    pub pickup_enabled: bool,
}

/// A phone number people can call: mobile or landline (`0571-88888888`), spaces and dashes
/// allowed, 5–20 digits after an optional `+`.
fn contact_phone(value: &str) -> Result<(), ValidationError> {
    let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let body = digits.strip_prefix('+').unwrap_or(&digits);
    if (5..=20).contains(&body.len()) && body.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ErrorCode::Phone.form("any").into_validation_error())
    }
}

fn region_code(value: &str) -> Result<(), ValidationError> {
    regions::validate_code(value)
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickupPointRequest {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 50))]
    pub name: String,
    /// GB/T 2260 province or city code (six digits).
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(custom(function = "region_code"))]
    pub region_code: String,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 200))]
    pub address: String,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(custom(function = "contact_phone"))]
    pub contact_phone: String,
    #[serde(default, deserialize_with = "validate::trimmed")]
    #[validate(length(max = 100))]
    pub opening_hours: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

fn map_unique(e: DieselError) -> AppError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            AppError::conflict(ErrorCode::PickupPointNameTaken)
        }
        other => other.into(),
    }
}

/// The point as the audit log records it: the log redacts keys containing "code", and a region
/// code is no secret, so it is recorded as `region`.
fn audit_json(p: &PickupPoint) -> serde_json::Value {
    serde_json::json!({
        "name": p.name,
        "region": p.region_code,
        "address": p.address,
        "contact_phone": p.contact_phone,
        "opening_hours": p.opening_hours,
        "enabled": p.enabled,
    })
}

type PointRow = (i64, String, String, String, String, String, bool);

fn points(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Vec<PickupPoint>> {
    let rows: Vec<PointRow> = pickup_points::table
        .filter(pickup_points::merchant_id.eq(merchant_id))
        .order(pickup_points::id.asc())
        .select((
            pickup_points::id,
            pickup_points::name,
            pickup_points::region_code,
            pickup_points::address,
            pickup_points::contact_phone,
            pickup_points::opening_hours,
            pickup_points::enabled,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, region_code, address, contact_phone, opening_hours, enabled)| PickupPoint {
                id,
                name,
                region_code,
                address,
                contact_phone,
                opening_hours,
                enabled,
            },
        )
        .collect())
}

pub fn list_points(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
) -> AppResult<Vec<PickupPoint>> {
    points(conn, merchant_id)
}

/// One of the merchant's pickup points; another merchant's is not found.
pub(crate) fn find_point(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
) -> AppResult<PickupPoint> {
    points(conn, merchant_id)?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)
}

pub fn methods(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<DeliveryMethods> {
    let settings: Option<(bool, bool)> = delivery_settings::table
        .filter(delivery_settings::merchant_id.eq(merchant_id))
        .select((
            delivery_settings::express_enabled,
            delivery_settings::pickup_enabled,
        ))
        .first(conn)
        .optional()?;
    let (express_enabled, pickup_enabled) = settings.unwrap_or((true, false));
    Ok(DeliveryMethods {
        express_enabled,
        pickup_enabled,
        pickup_points: points(conn, merchant_id)?,
    })
}

fn no_pickup_points() -> AppError {
    AppError::field("pickup_enabled", ErrorCode::NoPickupPoints)
}

fn write_settings(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    express: bool,
    pickup: bool,
    now: NaiveDateTime,
) -> AppResult<()> {
    let updated = diesel::update(
        delivery_settings::table.filter(delivery_settings::merchant_id.eq(merchant_id)),
    )
    .set((
        delivery_settings::express_enabled.eq(express),
        delivery_settings::pickup_enabled.eq(pickup),
        delivery_settings::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(delivery_settings::table)
            .values(DeliverySettingsInsertForm {
                merchant_id,
                express_enabled: express,
                pickup_enabled: pickup,
                updated_at: now,
            })
            .execute(conn)?;
    }
    Ok(())
}

fn settings_json(m: &DeliveryMethods) -> serde_json::Value {
    serde_json::json!({ "express_enabled": m.express_enabled, "pickup_enabled": m.pickup_enabled })
}

pub fn set_methods(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &DeliveryMethodsRequest,
    now: NaiveDateTime,
) -> AppResult<DeliveryMethods> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = methods(conn, merchant_id)?;
        if request.pickup_enabled && !before.pickup_points.iter().any(|p| p.enabled) {
            return Err(no_pickup_points());
        }
        write_settings(
            conn,
            merchant_id,
            request.express_enabled,
            request.pickup_enabled,
            now,
        )?;
        let after = methods(conn, merchant_id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("delivery_methods.updated")
                .target("merchant", merchant_id)
                .changes(audit::diff(&settings_json(&before), &settings_json(&after))),
            now,
        )?;
        Ok(after)
    })
}

pub fn create_point(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &PickupPointRequest,
    now: NaiveDateTime,
) -> AppResult<PickupPoint> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let id: i64 = diesel::insert_into(pickup_points::table)
            .values(PickupPointInsertForm {
                merchant_id,
                name: &request.name,
                region_code: &request.region_code,
                address: &request.address,
                contact_phone: &request.contact_phone,
                opening_hours: &request.opening_hours,
                enabled: request.enabled,
                created_at: now,
                updated_at: now,
            })
            .returning(pickup_points::id)
            .get_result(conn)
            .map_err(map_unique)?;
        let after = find_point(conn, merchant_id, id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("pickup_point.created")
                .target("pickup_point", id)
                .changes(audit::diff(&serde_json::Value::Null, &audit_json(&after))),
            now,
        )?;
        Ok(after)
    })
}

/// Updates a pickup point. Disabling the last enabled point while self-pickup is on is refused.
pub fn update_point(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    request: &PickupPointRequest,
    now: NaiveDateTime,
) -> AppResult<PickupPoint> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = find_point(conn, merchant_id, id)?;
        diesel::update(
            pickup_points::table
                .filter(pickup_points::id.eq(id))
                .filter(pickup_points::merchant_id.eq(merchant_id)),
        )
        .set((
            pickup_points::name.eq(&request.name),
            pickup_points::region_code.eq(&request.region_code),
            pickup_points::address.eq(&request.address),
            pickup_points::contact_phone.eq(&request.contact_phone),
            pickup_points::opening_hours.eq(&request.opening_hours),
            pickup_points::enabled.eq(request.enabled),
            pickup_points::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(map_unique)?;
        let state = methods(conn, merchant_id)?;
        if state.pickup_enabled && !state.pickup_points.iter().any(|p| p.enabled) {
            return Err(AppError::field("enabled", ErrorCode::LastPickupPoint));
        }
        let after = find_point(conn, merchant_id, id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("pickup_point.updated")
                .target("pickup_point", id)
                .changes(audit::diff(&audit_json(&before), &audit_json(&after))),
            now,
        )?;
        Ok(after)
    })
}
