//! Code pools of virtual SKUs (e-vouchers, card secrets 卡密). Codes are encrypted at rest
//! (`crypto::Cipher`); uniqueness is kept by `code_hash`, the SHA-256 of merchant id and code,
//! under a unique index. A virtual SKU's `stock` is the number of its available codes: imports
//! add to it and deliveries take from it in the same transaction. Codes never leave the server
//! except through `deliver`, to the order that paid for them.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::catalog::products::SkuKind;
use crate::crypto::Cipher;
use crate::db::enums::db_enum;
use crate::db::ids::{MerchantId, SkuId};
use crate::db::schema::{skus, virtual_codes};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, FieldError, Message};
use crate::inventory::MovementReason;

pub const MAX_CODES_PER_IMPORT: usize = 10_000;
pub const MAX_CODE_CHARS: usize = 200;
const BATCH: usize = 500;

db_enum! {
    /// Where a code of the pool is.
    pub enum CodeStatus {
        Available,
        /// Given to an order (`order_reference`).
        Delivered,
    }
}

/// A new code of a pool, available.
#[derive(Debug, Insertable)]
#[diesel(table_name = virtual_codes)]
pub(crate) struct VirtualCodeInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub sku_id: SkuId,
    pub code_hash: &'a str,
    pub code_encrypted: &'a str,
    pub status: CodeStatus,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Deserialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct CodeImport {
    /// 1 to 10,000 codes, each 1–200 characters (surrounding spaces removed), none already in
    /// the pool and none twice.
    pub codes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CodeSummary {
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    /// Codes not yet delivered; equals the SKU's stock.
    pub available: i64,
    pub delivered: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CodeImportResult {
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    pub imported: i64,
    pub available: i64,
    pub delivered: i64,
}

fn exhausted() -> AppError {
    AppError::conflict(ErrorCode::CodesExhausted)
}

fn not_virtual() -> AppError {
    AppError::conflict(ErrorCode::NotVirtualSku)
}

/// The keyed hash used for uniqueness: SHA-256 of the merchant id and the code.
pub fn code_hash(merchant_id: MerchantId, code: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(merchant_id.to_string().as_bytes());
    hasher.update(b":");
    hasher.update(code.as_bytes());
    format!("{:x}", hasher.finalize())
}

/// The SKU's kind, or 404 when the merchant has no such SKU.
fn sku_kind(conn: &mut DbConnection, merchant_id: MerchantId, sku_id: SkuId) -> AppResult<SkuKind> {
    Ok(skus::table
        .filter(skus::id.eq(sku_id))
        .filter(skus::merchant_id.eq(merchant_id))
        .select(skus::kind)
        .first(conn)?)
}

fn counts(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sku_id: SkuId,
) -> AppResult<(i64, i64)> {
    let rows: Vec<(CodeStatus, i64)> = virtual_codes::table
        .filter(virtual_codes::merchant_id.eq(merchant_id))
        .filter(virtual_codes::sku_id.eq(sku_id))
        .group_by(virtual_codes::status)
        .select((virtual_codes::status, diesel::dsl::count_star()))
        .load(conn)?;
    let get = |wanted: CodeStatus| {
        rows.iter()
            .find(|(status, _)| *status == wanted)
            .map_or(0, |(_, count)| *count)
    };
    Ok((get(CodeStatus::Available), get(CodeStatus::Delivered)))
}

/// Counts of a SKU's pool; never the codes. 404 for another merchant's SKU.
pub fn summary(
    conn: &mut DbConnection,
    caller: &Principal,
    sku_id: SkuId,
) -> AppResult<CodeSummary> {
    let merchant_id = caller.tenant()?;
    sku_kind(conn, merchant_id, sku_id)?;
    let (available, delivered) = counts(conn, merchant_id, sku_id)?;
    Ok(CodeSummary {
        sku_id,
        available,
        delivered,
    })
}

fn bad(field: String, message: impl Into<Message>) -> FieldError {
    FieldError::new(field, message)
}

/// Imports codes into a virtual SKU's pool and raises its stock by as many, in one transaction.
/// Any bad entry refuses the whole request, naming every offending entry (`codes[i]`).
pub fn import(
    conn: &mut DbConnection,
    cipher: &Cipher,
    caller: &Principal,
    sku_id: SkuId,
    request: &CodeImport,
    now: NaiveDateTime,
) -> AppResult<CodeImportResult> {
    let merchant_id = caller.tenant()?;
    if request.codes.is_empty() || request.codes.len() > MAX_CODES_PER_IMPORT {
        return Err(AppError::field(
            "codes",
            ErrorCode::Length
                .form("codes")
                .arg("max_codes_per_import", MAX_CODES_PER_IMPORT),
        ));
    }
    let codes: Vec<&str> = request.codes.iter().map(|c| c.trim()).collect();
    let mut errors = Vec::new();
    let mut first_seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, code) in codes.iter().enumerate() {
        let chars = code.chars().count();
        if chars == 0 || chars > MAX_CODE_CHARS {
            errors.push(bad(
                format!("codes[{i}]"),
                ErrorCode::Length.arg("max_code_chars", MAX_CODE_CHARS),
            ));
        } else if let Some(first) = first_seen.get(code) {
            errors.push(bad(
                format!("codes[{i}]"),
                ErrorCode::DuplicateCode.arg("first", first),
            ));
        } else {
            first_seen.insert(code, i);
        }
    }
    write_transaction(conn, |conn| {
        if sku_kind(conn, merchant_id, sku_id)? != SkuKind::Virtual {
            return Err(not_virtual());
        }
        let hashes: Vec<String> = codes.iter().map(|c| code_hash(merchant_id, c)).collect();
        let mut taken = std::collections::BTreeSet::new();
        for chunk in hashes.chunks(BATCH) {
            let found: Vec<String> = virtual_codes::table
                .filter(virtual_codes::code_hash.eq_any(chunk))
                .select(virtual_codes::code_hash)
                .load(conn)?;
            taken.extend(found);
        }
        for (i, hash) in hashes.iter().enumerate() {
            if taken.contains(hash) {
                errors.push(bad(format!("codes[{i}]"), ErrorCode::CodeExists));
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| {
                e.field
                    .trim_start_matches("codes[")
                    .trim_end_matches(']')
                    .parse::<usize>()
                    .unwrap_or(0)
            });
            return Err(AppError::Validation(std::mem::take(&mut errors)));
        }
        // One row per statement: MultiConnection has no batch insert.
        for (code, hash) in codes.iter().zip(&hashes) {
            let code_encrypted = cipher.encrypt(code.as_bytes())?;
            diesel::insert_into(virtual_codes::table)
                .values(VirtualCodeInsertForm {
                    merchant_id,
                    sku_id,
                    code_hash: hash,
                    code_encrypted: &code_encrypted,
                    status: CodeStatus::Available,
                    created_at: now,
                })
                .execute(conn)?;
        }
        let imported = codes.len() as i64;
        let stock = super::change(
            conn,
            merchant_id,
            sku_id,
            imported,
            MovementReason::CodeImport,
            None,
            now,
        )?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("virtual_codes.imported")
                .target("sku", sku_id)
                .changes(serde_json::json!({
                    "imported": { "before": null, "after": imported },
                    "stock": { "before": stock - imported, "after": stock },
                })),
            now,
        )?;
        let (available, delivered) = counts(conn, merchant_id, sku_id)?;
        Ok(CodeImportResult {
            sku_id,
            imported,
            available,
            delivered,
        })
    })
}

/// Claims `quantity` available codes of a virtual SKU for an order, inside the caller's
/// transaction, and answers them decrypted. Stock is taken first through `inventory::change`
/// (one conditional update, else 409 `codes_exhausted`; a `sale` movement; the low-stock alert); then each code is claimed by a conditional
/// update (`status = 'available'`), retried on a lost race, so no code is delivered twice.
pub fn deliver(
    conn: &mut DbConnection,
    cipher: &Cipher,
    merchant_id: MerchantId,
    sku_id: SkuId,
    quantity: i64,
    order_reference: &str,
    now: NaiveDateTime,
) -> AppResult<Vec<String>> {
    if quantity < 1 {
        return Err(AppError::field(
            "quantity",
            ErrorCode::Range.form("min").arg("min", 1),
        ));
    }
    if sku_kind(conn, merchant_id, sku_id)? != SkuKind::Virtual {
        return Err(not_virtual());
    }
    // Stock is taken like any sale: a movement naming the order, and the low-stock alert.
    super::change(
        conn,
        merchant_id,
        sku_id,
        -quantity,
        MovementReason::Sale,
        Some(order_reference),
        now,
    )
    .map_err(|e| match e {
        AppError::Conflict(m) if m.code() == ErrorCode::InsufficientStock => exhausted(),
        other => other,
    })?;
    claim(conn, merchant_id, sku_id, quantity, order_reference, now)?
        .into_iter()
        .map(|encrypted| {
            let plain = cipher.decrypt(&encrypted)?;
            String::from_utf8(plain).map_err(AppError::internal)
        })
        .collect()
}

/// Claims `quantity` available codes of a virtual SKU for the order `order_reference` without
/// touching stock (a paid order's codes, whose stock its placement took), inside the caller's
/// transaction; answers them still encrypted. Each code is claimed by a conditional update
/// (`status = 'available'`), retried on a lost race, so no code goes to two orders; fewer codes
/// than asked is 409 `codes_exhausted`.
pub fn claim(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sku_id: SkuId,
    quantity: i64,
    order_reference: &str,
    now: NaiveDateTime,
) -> AppResult<Vec<String>> {
    let mut delivered = Vec::with_capacity(usize::try_from(quantity).unwrap_or(0));
    let mut misses = 0;
    while (delivered.len() as i64) < quantity {
        let candidate: Option<(i64, String)> = virtual_codes::table
            .filter(virtual_codes::merchant_id.eq(merchant_id))
            .filter(virtual_codes::sku_id.eq(sku_id))
            .filter(virtual_codes::status.eq(CodeStatus::Available))
            .order(virtual_codes::id.asc())
            .select((virtual_codes::id, virtual_codes::code_encrypted))
            .first(conn)
            .optional()?;
        let Some((id, encrypted)) = candidate else {
            return Err(exhausted());
        };
        let claimed = diesel::update(
            virtual_codes::table
                .filter(virtual_codes::id.eq(id))
                .filter(virtual_codes::status.eq(CodeStatus::Available)),
        )
        .set((
            virtual_codes::status.eq(CodeStatus::Delivered),
            virtual_codes::order_reference.eq(Some(order_reference)),
            virtual_codes::delivered_at.eq(Some(now)),
        ))
        .execute(conn)?;
        if claimed == 0 {
            misses += 1;
            if misses > 1000 {
                return Err(exhausted());
            }
            continue;
        }
        delivered.push(encrypted);
    }
    Ok(delivered)
}

/// The codes delivered to the order `order_reference`, decrypted, by SKU.
pub fn of_order(
    conn: &mut DbConnection,
    cipher: &Cipher,
    merchant_id: MerchantId,
    order_reference: &str,
) -> AppResult<Vec<(SkuId, String)>> {
    let rows: Vec<(SkuId, String)> = virtual_codes::table
        .filter(virtual_codes::merchant_id.eq(merchant_id))
        .filter(virtual_codes::order_reference.eq(order_reference))
        .filter(virtual_codes::status.eq(CodeStatus::Delivered))
        .order(virtual_codes::id.asc())
        .select((virtual_codes::sku_id, virtual_codes::code_encrypted))
        .load(conn)?;
    rows.into_iter()
        .map(|(sku_id, encrypted)| {
            let plain = cipher.decrypt(&encrypted)?;
            Ok((
                sku_id,
                String::from_utf8(plain).map_err(AppError::internal)?,
            ))
        })
        .collect()
}
