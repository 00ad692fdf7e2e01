//! Freight templates of a merchant (运费模板). Region overrides and restricted regions are kept
//! as JSON text columns of the template row (`region_overrides`, `restricted_regions`): they are
//! always read and written with their template, never queried on their own. At most one
//! template is the merchant's default; making one the default takes the mark from the other.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::freight::{self, FreightMode, FreightQuote, FreightRules, RegionPrice};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::db::ids::MerchantId;
use crate::db::schema::freight_templates as ft;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::money::Money;
use crate::{regions, validate};

/// A new freight template; the region rules are JSON text (see the module documentation).
#[derive(Debug, Insertable)]
#[diesel(table_name = ft)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct FreightTemplateInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub name: &'a str,
    pub mode: FreightMode,
    pub first_units: i64,
    pub first_price_fen: i64,
    pub additional_units: i64,
    pub additional_price_fen: i64,
    pub free_shipping_threshold_fen: Option<i64>,
    pub region_overrides: &'a str,
    pub restricted_regions: &'a str,
    pub is_default: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct FreightTemplate {
    pub id: i64,
    pub name: String,
    pub mode: FreightMode,
    /// Pieces (`piece`) or grams (`weight`) covered by `first_price`.
    pub first_units: i64,
    pub first_price: Money,
    /// Pieces or grams per additional step; a part of a step counts as a whole step.
    pub additional_units: i64,
    pub additional_price: Money,
    pub region_overrides: Vec<RegionPrice>,
    /// Goods totals at or above it ship free; `null` for never.
    pub free_shipping_threshold: Option<Money>,
    /// Province or city codes the template does not deliver to.
    pub restricted_regions: Vec<String>,
    pub is_default: bool,
}

impl FreightTemplate {
    pub fn rules(&self) -> FreightRules {
        FreightRules {
            mode: self.mode,
            first_units: self.first_units,
            first_price: self.first_price,
            additional_units: self.additional_units,
            additional_price: self.additional_price,
            region_overrides: self.region_overrides.clone(),
            free_shipping_threshold: self.free_shipping_threshold,
            restricted_regions: self.restricted_regions.clone(),
        }
    }
}

fn region_codes(codes: &[String]) -> Result<(), ValidationError> {
    regions::validate_codes(codes)
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionPriceInput {
    /// GB/T 2260 province or city codes (six digits).
    #[validate(length(min = 1, max = 400), custom(function = "region_codes"))]
    pub region_codes: Vec<String>,
    pub first_price: Money,
    pub additional_price: Money,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FreightTemplateRequest {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 50))]
    pub name: String,
    pub mode: FreightMode,
    #[validate(range(min = 1, max = 1_000_000_000))]
    pub first_units: i64,
    pub first_price: Money,
    #[validate(range(min = 1, max = 1_000_000_000))]
    pub additional_units: i64,
    pub additional_price: Money,
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    pub region_overrides: Vec<RegionPriceInput>,
    #[serde(default)]
    pub free_shipping_threshold: Option<Money>,
    #[serde(default)]
    #[validate(length(max = 400), custom(function = "region_codes"))]
    pub restricted_regions: Vec<String>,
    #[serde(default)]
    pub is_default: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteItem {
    #[validate(range(min = 1, max = 100_000))]
    pub quantity: u32,
    /// Weight of one piece in grams.
    #[serde(default)]
    #[validate(range(max = 1_000_000))]
    pub weight_grams: u32,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    /// The address's city code (or province code).
    #[serde(deserialize_with = "validate::trimmed")]
    pub region_code: String,
    #[validate(length(min = 1, max = 500), nested)]
    pub items: Vec<QuoteItem>,
    /// What the goods cost, for the free-shipping threshold.
    pub goods_total: Money,
}

#[derive(Serialize, Deserialize)]
struct StoredOverride {
    region_codes: Vec<String>,
    first_price_fen: i64,
    additional_price_fen: i64,
}

fn name_taken() -> AppError {
    AppError::conflict(ErrorCode::FreightTemplateNameTaken)
}

/// The name index names the `name` column (SQLite) or is called `…_name_key` (PostgreSQL); the
/// other unique index, one default per merchant, can only be hit by two requests racing to set
/// the default, and answers the generic 409 `already_exists`.
fn map_unique(e: DieselError) -> AppError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, ref info)
            if info.message().contains("name")
                || info.constraint_name().is_some_and(|c| c.contains("name")) =>
        {
            name_taken()
        }
        other => other.into(),
    }
}

type Row = (
    i64,
    String,
    FreightMode,
    i64,
    i64,
    i64,
    i64,
    Option<i64>,
    String,
    String,
    bool,
);

fn money(fen: i64) -> AppResult<Money> {
    Money::from_fen(fen).map_err(|e| AppError::internal(format!("stored amount {fen}: {e}")))
}

fn from_row(row: Row) -> AppResult<FreightTemplate> {
    let (
        id,
        name,
        mode,
        first_units,
        first_fen,
        additional_units,
        additional_fen,
        threshold_fen,
        overrides,
        restricted,
        is_default,
    ) = row;
    let stored: Vec<StoredOverride> =
        serde_json::from_str(&overrides).map_err(AppError::internal)?;
    let region_overrides = stored
        .into_iter()
        .map(|o| {
            Ok(RegionPrice {
                region_codes: o.region_codes,
                first_price: money(o.first_price_fen)?,
                additional_price: money(o.additional_price_fen)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(FreightTemplate {
        id,
        name,
        mode,
        first_units,
        first_price: money(first_fen)?,
        additional_units,
        additional_price: money(additional_fen)?,
        region_overrides,
        free_shipping_threshold: threshold_fen.map(money).transpose()?,
        restricted_regions: serde_json::from_str(&restricted).map_err(AppError::internal)?,
        is_default,
    })
}

fn load(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: Option<i64>,
) -> AppResult<Vec<FreightTemplate>> {
    let mut query = ft::table
        .filter(ft::merchant_id.eq(merchant_id))
        .order(ft::id.asc())
        .select((
            ft::id,
            ft::name,
            ft::mode,
            ft::first_units,
            ft::first_price_fen,
            ft::additional_units,
            ft::additional_price_fen,
            ft::free_shipping_threshold_fen,
            ft::region_overrides,
            ft::restricted_regions,
            ft::is_default,
        ))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(ft::id.eq(id));
    }
    let rows: Vec<Row> = query.load(conn)?;
    rows.into_iter().map(from_row).collect()
}

pub fn list(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Vec<FreightTemplate>> {
    load(conn, merchant_id, None)
}

pub fn get(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
) -> AppResult<FreightTemplate> {
    load(conn, merchant_id, Some(id))?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// Rules the field validators cannot see: a region may have one override only.
fn check(request: &FreightTemplateRequest) -> AppResult<()> {
    let mut seen: Vec<&str> = Vec::new();
    let mut errors = Vec::new();
    for (i, entry) in request.region_overrides.iter().enumerate() {
        for code in &entry.region_codes {
            if seen.contains(&code.as_str()) {
                errors.push(FieldError::new(
                    format!("region_overrides[{i}].region_codes"),
                    ErrorCode::DuplicateRegion.arg("code", code),
                ));
            }
            seen.push(code);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

fn stored_overrides(request: &FreightTemplateRequest) -> String {
    let stored: Vec<StoredOverride> = request
        .region_overrides
        .iter()
        .map(|o| StoredOverride {
            region_codes: o.region_codes.clone(),
            first_price_fen: o.first_price.fen(),
            additional_price_fen: o.additional_price.fen(),
        })
        .collect();
    serde_json::to_string(&stored).unwrap_or_else(|_| "[]".into())
}

fn stored_restricted(request: &FreightTemplateRequest) -> String {
    serde_json::to_string(&request.restricted_regions).unwrap_or_else(|_| "[]".into())
}

/// Takes the default mark from every template of the merchant but `keep` (ids start at 1).
fn clear_default(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    keep: Option<i64>,
) -> AppResult<()> {
    diesel::update(
        ft::table
            .filter(ft::merchant_id.eq(merchant_id))
            .filter(ft::is_default.eq(true))
            .filter(ft::id.ne(keep.unwrap_or(0))),
    )
    .set(ft::is_default.eq(false))
    .execute(conn)?;
    Ok(())
}

fn audit_json(t: &FreightTemplate) -> serde_json::Value {
    // `region_codes` would be redacted by the audit log's secret-key rule (it contains "code"),
    // so the region lists are recorded under names of their own.
    let mut value = serde_json::to_value(t).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("region_overrides");
        object.insert(
            "region_prices".into(),
            serde_json::json!(t
                .region_overrides
                .iter()
                .map(|o| serde_json::json!({
                    "regions": o.region_codes,
                    "first_price": o.first_price,
                    "additional_price": o.additional_price,
                }))
                .collect::<Vec<_>>()),
        );
    }
    value
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &FreightTemplateRequest,
    now: NaiveDateTime,
) -> AppResult<FreightTemplate> {
    let merchant_id = caller.tenant()?;
    check(request)?;
    write_transaction(conn, |conn| {
        if request.is_default {
            clear_default(conn, merchant_id, None)?;
        }
        let region_overrides = stored_overrides(request);
        let restricted_regions = stored_restricted(request);
        let id: i64 = diesel::insert_into(ft::table)
            .values(FreightTemplateInsertForm {
                merchant_id,
                name: &request.name,
                mode: request.mode,
                first_units: request.first_units,
                first_price_fen: request.first_price.fen(),
                additional_units: request.additional_units,
                additional_price_fen: request.additional_price.fen(),
                free_shipping_threshold_fen: request.free_shipping_threshold.map(Money::fen),
                region_overrides: &region_overrides,
                restricted_regions: &restricted_regions,
                is_default: request.is_default,
                created_at: now,
                updated_at: now,
            })
            .returning(ft::id)
            .get_result(conn)
            .map_err(map_unique)?;
        let after = get(conn, merchant_id, id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("freight_template.created")
                .target("freight_template", id)
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
    request: &FreightTemplateRequest,
    now: NaiveDateTime,
) -> AppResult<FreightTemplate> {
    let merchant_id = caller.tenant()?;
    check(request)?;
    write_transaction(conn, |conn| {
        let before = get(conn, merchant_id, id)?;
        if request.is_default {
            clear_default(conn, merchant_id, Some(id))?;
        }
        diesel::update(
            ft::table
                .filter(ft::id.eq(id))
                .filter(ft::merchant_id.eq(merchant_id)),
        )
        .set((
            ft::name.eq(&request.name),
            ft::mode.eq(request.mode),
            ft::first_units.eq(request.first_units),
            ft::first_price_fen.eq(request.first_price.fen()),
            ft::additional_units.eq(request.additional_units),
            ft::additional_price_fen.eq(request.additional_price.fen()),
            ft::free_shipping_threshold_fen.eq(request.free_shipping_threshold.map(Money::fen)),
            ft::region_overrides.eq(stored_overrides(request)),
            ft::restricted_regions.eq(stored_restricted(request)),
            ft::is_default.eq(request.is_default),
            ft::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(map_unique)?;
        let after = get(conn, merchant_id, id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("freight_template.updated")
                .target("freight_template", id)
                .changes(audit::diff(&audit_json(&before), &audit_json(&after))),
            now,
        )?;
        Ok(after)
    })
}

pub fn delete(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    now: NaiveDateTime,
) -> AppResult<()> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = get(conn, merchant_id, id)?;
        // Products name their template; deleting it would silently move them to the default.
        let used = crate::catalog::products::count_using_freight_template(conn, merchant_id, id)?;
        if used > 0 {
            return Err(AppError::conflict(
                ErrorCode::FreightTemplateInUse.arg("used", used),
            ));
        }
        diesel::delete(
            ft::table
                .filter(ft::id.eq(id))
                .filter(ft::merchant_id.eq(merchant_id)),
        )
        .execute(conn)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("freight_template.deleted")
                .target("freight_template", id)
                .changes(audit::diff(&audit_json(&before), &serde_json::Value::Null)),
            now,
        )
    })
}

/// The freight a template charges, with its reasons; [`freight::quote`] does the arithmetic.
pub fn quote(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
    request: &QuoteRequest,
) -> AppResult<FreightQuote> {
    let template = get(conn, merchant_id, id)?;
    let items: Vec<(u32, u32)> = request
        .items
        .iter()
        .map(|i| (i.quantity, i.weight_grams))
        .collect();
    Ok(freight::quote_detail(
        &template.rules(),
        &request.region_code,
        &items,
        request.goods_total,
    )?)
}
