//! A merchant's carriers (快递公司). Every merchant gets its own copy of the common Chinese
//! carriers the first time it lists or adds carriers (copy-on-first-use); from then on the list
//! is the merchant's to rename, reorder, disable and extend. Carriers are never deleted, only
//! disabled, so shipments that name one keep their meaning.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::audit::{self, AuditActor, AuditEntry};
use crate::auth::principal::Principal;
use crate::db::ids::MerchantId;
use crate::db::schema::carriers;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Message};
use crate::validate;

/// A new carrier of a merchant.
#[derive(Debug, Insertable)]
#[diesel(table_name = carriers)]
pub(crate) struct CarrierInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub code: &'a str,
    pub name: &'a str,
    pub enabled: bool,
    pub sort_order: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The carriers every merchant starts with: (code, name). Codes follow the common tracking
/// API (Kuaidi100 style) abbreviations.
pub const DEFAULT_CARRIERS: &[(&str, &str)] = &[
    ("SF", "顺丰速运"),
    ("ZTO", "中通快递"),
    ("YTO", "圆通速递"),
    ("STO", "申通快递"),
    ("YUNDA", "韵达快递"),
    ("JD", "京东物流"),
    ("EMS", "EMS"),
    ("DEPPON", "德邦快递"),
    ("JTEXPRESS", "极兔速递"),
];

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Carrier {
    pub id: i64,
    /// Upper-case code, unique within the merchant, e.g. `SF`.
    pub code: String,
    pub name: String,
    pub enabled: bool,
    pub sort_order: i32,
}

fn carrier_code(value: &str) -> Result<(), ValidationError> {
    let ok = !value.is_empty()
        && value.len() <= 32
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Message::new(ErrorCode::CarrierCode).into_validation_error())
    }
}

fn upper_trimmed<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(validate::trimmed(d)?.to_ascii_uppercase())
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarrierRequest {
    /// Stored upper-case.
    #[serde(deserialize_with = "upper_trimmed")]
    #[validate(custom(function = "carrier_code"))]
    pub code: String,
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 50))]
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    #[validate(range(min = -10000, max = 10000))]
    pub sort_order: i32,
}

fn yes() -> bool {
    true
}

fn code_taken() -> AppError {
    AppError::conflict(ErrorCode::CarrierCodeTaken)
}

fn map_unique(e: DieselError) -> AppError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => code_taken(),
        other => other.into(),
    }
}

/// The carrier as the audit log records it: the log redacts keys containing "code", and a
/// carrier's code is no secret, so it is recorded as `carrier`.
fn audit_json(c: &Carrier) -> serde_json::Value {
    serde_json::json!({
        "carrier": c.code,
        "name": c.name,
        "enabled": c.enabled,
        "sort_order": c.sort_order,
    })
}

fn load(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Vec<Carrier>> {
    let rows: Vec<(i64, String, String, bool, i32)> = carriers::table
        .filter(carriers::merchant_id.eq(merchant_id))
        .order((carriers::sort_order.asc(), carriers::id.asc()))
        .select((
            carriers::id,
            carriers::code,
            carriers::name,
            carriers::enabled,
            carriers::sort_order,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name, enabled, sort_order)| Carrier {
            id,
            code,
            name,
            enabled,
            sort_order,
        })
        .collect())
}

/// Copies the default carriers to a merchant that has none yet. Two first requests racing each
/// other are harmless: the loser's insert violates the unique code and is rolled back, and the
/// winner's rows are there.
fn ensure_seeded(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    now: NaiveDateTime,
) -> AppResult<()> {
    // The common case, already seeded, needs no write lock.
    let existing: i64 = carriers::table
        .filter(carriers::merchant_id.eq(merchant_id))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    let seeded = write_transaction(conn, |conn| -> AppResult<bool> {
        let existing: i64 = carriers::table
            .filter(carriers::merchant_id.eq(merchant_id))
            .count()
            .get_result(conn)?;
        if existing > 0 {
            return Ok(false);
        }
        for (i, (code, name)) in DEFAULT_CARRIERS.iter().enumerate() {
            diesel::insert_into(carriers::table)
                .values(CarrierInsertForm {
                    merchant_id,
                    code,
                    name,
                    enabled: true,
                    sort_order: i32::try_from(i * 10).unwrap_or(0),
                    created_at: now,
                    updated_at: now,
                })
                .execute(conn)?;
        }
        audit::record(
            conn,
            &AuditActor::system(Some(merchant_id)),
            &Default::default(),
            AuditEntry::new("carriers.seeded").changes(serde_json::json!({
                "codes": {
                    "before": null,
                    "after": DEFAULT_CARRIERS.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
                }
            })),
            now,
        )?;
        Ok(true)
    });
    match seeded {
        Ok(_) => Ok(()),
        Err(AppError::Conflict(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    now: NaiveDateTime,
) -> AppResult<Vec<Carrier>> {
    ensure_seeded(conn, merchant_id, now)?;
    load(conn, merchant_id)
}

fn find(conn: &mut DbConnection, merchant_id: MerchantId, id: i64) -> AppResult<Carrier> {
    load(conn, merchant_id)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &CarrierRequest,
    now: NaiveDateTime,
) -> AppResult<Carrier> {
    let merchant_id = caller.tenant()?;
    ensure_seeded(conn, merchant_id, now)?;
    write_transaction(conn, |conn| {
        let id: i64 = diesel::insert_into(carriers::table)
            .values(CarrierInsertForm {
                merchant_id,
                code: &request.code,
                name: &request.name,
                enabled: request.enabled,
                sort_order: request.sort_order,
                created_at: now,
                updated_at: now,
            })
            .returning(carriers::id)
            .get_result(conn)
            .map_err(map_unique)?;
        let after = find(conn, merchant_id, id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("carrier.created")
                .target("carrier", id)
                .changes(audit::diff(&serde_json::Value::Null, &audit_json(&after))),
            now,
        )?;
        Ok(after)
    })
}

pub fn update(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    request: &CarrierRequest,
    now: NaiveDateTime,
) -> AppResult<Carrier> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = find(conn, merchant_id, id)?;
        diesel::update(
            carriers::table
                .filter(carriers::id.eq(id))
                .filter(carriers::merchant_id.eq(merchant_id)),
        )
        .set((
            carriers::code.eq(&request.code),
            carriers::name.eq(&request.name),
            carriers::enabled.eq(request.enabled),
            carriers::sort_order.eq(request.sort_order),
            carriers::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(map_unique)?;
        let after = find(conn, merchant_id, id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("carrier.updated")
                .target("carrier", id)
                .changes(audit::diff(&audit_json(&before), &audit_json(&after))),
            now,
        )?;
        Ok(after)
    })
}
