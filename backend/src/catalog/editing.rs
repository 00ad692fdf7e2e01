//! Editing products and SKUs after creation. An edit is merged onto the stored product, the
//! result is checked with the same rules as a new product, and what changed decides what the
//! product's status allows:
//!
//! - **Structure** — specification names, adding or removing SKUs, a SKU's code or
//!   specification values: only in `draft` and `rejected`. A product that passed review keeps
//!   its SKUs, because buyers, carts, orders and imports refer to them (409
//!   `product_structure_locked`; make a new product instead).
//! - **Content** buyers read — name, subtitle, description, category, tags (and the gallery,
//!   `products::set_images`): in any status, but a `listed` or `unlisted` product goes back to
//!   `pending_review`, so the shop never shows content no reviewer has seen.
//! - **SKU terms** — retail, member and distributor prices, barcode, weight, low-stock threshold,
//!   presale quantity and ship date: in any status, without review.
//! - **Stock** is never edited here: it changes through adjustments, sales and imports, each with
//!   its movement. A SKU's kind never changes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;
use validator::Validate;

use super::lifecycle::ProductStatus;
use super::products::{
    self as catalog_products, check_category, check_freight_template, check_specs, code_taken,
    sanitise, tags_are_valid, trimmed_tags_option, write_tier_prices, Product, Sku, SkuInput,
    SkuKind, TierKind, TierPrice,
};
use super::tier_prices::{check_distributor_tiers, PricedSku};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::db::ids::{MerchantId, ProductId, SkuId};
use crate::db::schema::{products, sku_tier_prices, skus, virtual_codes};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, FieldError, Message};
use crate::http::validation::field_errors_for;
use crate::inventory::low_stock;
use crate::money::Money;
use crate::validate;

/// Changes to a product; a field left out keeps its value.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    #[serde(default, deserialize_with = "validate::trimmed_some")]
    #[validate(length(min = 1, max = 120))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "validate::trimmed_some")]
    #[validate(length(max = 200))]
    pub subtitle: Option<String>,
    /// Rich text; scripts, event handlers and unknown tags are removed.
    #[validate(length(max = 200000))]
    pub description_html: Option<String>,
    /// `null` takes the product out of its category.
    #[serde(default, deserialize_with = "validate::nullable")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
    /// A freight template of the merchant; `null` ships under the default template. A shipping
    /// term: changing it does not send a listed product back to review.
    #[serde(default, deserialize_with = "validate::nullable")]
    #[schema(value_type = Option<i64>)]
    pub freight_template_id: Option<Option<i64>>,
    /// The whole new list of tags.
    #[serde(default, deserialize_with = "trimmed_tags_option")]
    #[validate(custom(function = "tags_are_valid"))]
    pub tags: Option<Vec<String>>,
    /// Structure (draft and rejected products only): the specification names in order.
    pub spec_names: Option<Vec<String>>,
    /// When given, every SKU the product keeps, in order: an entry with `id` edits that SKU
    /// (fields left out keep their value), an entry without `id` adds a SKU, and a SKU not
    /// listed is removed. Adding and removing are structural changes.
    #[validate(length(min = 1, max = 600), nested)]
    pub skus: Option<Vec<SkuPatch>>,
}

/// Changes to one SKU; a field left out keeps its value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuPatch {
    /// In a product's `skus` list: the SKU this entry edits; absent for a new SKU. Leave it out
    /// when editing one SKU at `/skus/{sku_id}`.
    #[schema(value_type = Option<i64>)]
    pub id: Option<SkuId>,
    /// Structure (draft and rejected products only); required for a new SKU.
    #[serde(default, deserialize_with = "validate::trimmed_some")]
    #[validate(length(min = 1, max = 64))]
    pub code: Option<String>,
    /// Structure (draft and rejected products only): one value per specification.
    pub spec_values: Option<BTreeMap<String, String>>,
    /// `null` removes the barcode.
    #[serde(default, deserialize_with = "validate::nullable_trimmed")]
    #[validate(length(min = 1, max = 64))]
    #[schema(value_type = Option<String>)]
    pub barcode: Option<Option<String>>,
    #[validate(range(min = 0, max = 1_000_000))]
    pub weight_grams: Option<i32>,
    /// Required for a new SKU.
    pub retail_price: Option<Money>,
    /// A new SKU's opening stock only: existing stock changes through stock adjustments.
    #[validate(range(min = 0, max = 1_000_000_000))]
    pub stock: Option<i64>,
    /// Alert when stock falls to this or below; `null` turns the alert off.
    #[serde(default, deserialize_with = "validate::nullable")]
    #[validate(range(min = 0, max = 1_000_000_000))]
    #[schema(value_type = Option<i64>)]
    pub low_stock_threshold: Option<Option<i64>>,
    /// The whole new list of member-tier prices.
    pub member_prices: Option<Vec<TierPrice>>,
    /// The whole new list of distributor-tier purchase prices.
    pub distributor_prices: Option<Vec<TierPrice>>,
    /// A new SKU's kind (default `physical`); an existing SKU's kind never changes.
    pub kind: Option<SkuKind>,
    /// Units that may be sold beyond stock; not below the presale units already sold.
    #[validate(range(min = 0, max = 1_000_000_000))]
    pub presale_quantity: Option<i64>,
    /// `YYYY-MM-DD`; `null` removes it (only without presale quantity).
    #[serde(default, deserialize_with = "validate::nullable")]
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-20")]
    pub presale_ship_date: Option<Option<NaiveDate>>,
}

/// A SKU as the edit would leave it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SkuState {
    id: Option<SkuId>,
    code: String,
    spec_values: BTreeMap<String, String>,
    barcode: Option<String>,
    weight_grams: i32,
    retail_price: Money,
    stock: i64,
    low_stock_threshold: Option<i64>,
    member_prices: Vec<TierPrice>,
    distributor_prices: Vec<TierPrice>,
    kind: SkuKind,
    presale_quantity: i64,
    presale_sold: i64,
    presale_ship_date: Option<NaiveDate>,
}

impl SkuState {
    fn of(sku: &Sku) -> Self {
        SkuState {
            id: Some(sku.id),
            code: sku.code.clone(),
            spec_values: sku.spec_values.clone(),
            barcode: sku.barcode.clone(),
            weight_grams: sku.weight_grams,
            retail_price: sku.retail_price,
            stock: sku.stock,
            low_stock_threshold: sku.low_stock_threshold,
            member_prices: sorted(&sku.member_prices),
            distributor_prices: sorted(&sku.distributor_prices),
            kind: sku.kind,
            presale_quantity: sku.presale_quantity,
            presale_sold: sku.presale_sold,
            presale_ship_date: sku.presale_ship_date,
        }
    }

    fn new_sku() -> Self {
        SkuState {
            id: None,
            code: String::new(),
            spec_values: BTreeMap::new(),
            barcode: None,
            weight_grams: 0,
            retail_price: Money::ZERO,
            stock: 0,
            low_stock_threshold: None,
            member_prices: Vec::new(),
            distributor_prices: Vec::new(),
            kind: SkuKind::Physical,
            presale_quantity: 0,
            presale_sold: 0,
            presale_ship_date: None,
        }
    }

    fn identity_differs(&self, other: &SkuState) -> bool {
        self.code != other.code || self.spec_values != other.spec_values
    }

    fn as_input(&self) -> SkuInput {
        SkuInput {
            code: self.code.clone(),
            spec_values: self.spec_values.clone(),
            barcode: self.barcode.clone(),
            weight_grams: self.weight_grams,
            retail_price: self.retail_price,
            stock: self.stock,
            low_stock_threshold: self.low_stock_threshold,
            member_prices: self.member_prices.clone(),
            distributor_prices: self.distributor_prices.clone(),
            kind: self.kind,
            presale_quantity: self.presale_quantity,
            presale_ship_date: self.presale_ship_date,
        }
    }
}

fn sorted(prices: &[TierPrice]) -> Vec<TierPrice> {
    let mut out = prices.to_vec();
    out.sort_by_key(|p| p.tier_id);
    out
}

/// The product as the edit would leave it.
#[derive(Debug, Clone)]
struct Target {
    name: String,
    subtitle: String,
    description_html: String,
    category_id: Option<i64>,
    freight_template_id: Option<i64>,
    tags: Vec<String>,
    spec_names: Vec<String>,
    skus: Vec<SkuState>,
}

impl Target {
    fn of(product: &Product) -> Self {
        Target {
            name: product.name.clone(),
            subtitle: product.subtitle.clone(),
            description_html: product.description_html.clone(),
            category_id: product.category_id,
            freight_template_id: product.freight_template_id,
            tags: product.tags.clone(),
            spec_names: product.spec_names.clone(),
            skus: product.skus.iter().map(SkuState::of).collect(),
        }
    }
}

fn field(prefix: &str, name: &str, message: impl Into<Message>) -> FieldError {
    FieldError::new(format!("{prefix}{name}"), message)
}

/// Merges one SKU entry onto `sku`, collecting every problem with the entry's field names.
fn merge_sku(sku: &mut SkuState, patch: &SkuPatch, prefix: &str, errors: &mut Vec<FieldError>) {
    let existing = sku.id.is_some();
    if existing {
        if patch.stock.is_some() {
            errors.push(field(prefix, "stock", ErrorCode::StockByAdjustment));
        }
        if patch.kind.is_some_and(|k| k != sku.kind) {
            errors.push(field(prefix, "kind", ErrorCode::KindImmutable));
        }
    } else {
        if patch.code.is_none() {
            errors.push(field(prefix, "code", ErrorCode::Required));
        }
        if patch.retail_price.is_none() {
            errors.push(field(prefix, "retail_price", ErrorCode::Required));
        }
        sku.kind = patch.kind.unwrap_or_default();
        sku.stock = patch.stock.unwrap_or(0);
    }
    if let Some(code) = &patch.code {
        sku.code = code.clone();
    }
    if let Some(values) = &patch.spec_values {
        sku.spec_values = values.clone();
    }
    if let Some(barcode) = &patch.barcode {
        sku.barcode = barcode.clone();
    }
    if let Some(weight) = patch.weight_grams {
        sku.weight_grams = weight;
    }
    if let Some(price) = patch.retail_price {
        sku.retail_price = price;
    }
    if let Some(threshold) = patch.low_stock_threshold {
        sku.low_stock_threshold = threshold;
    }
    for (name, given, target) in [
        (
            "member_prices",
            &patch.member_prices,
            &mut sku.member_prices,
        ),
        (
            "distributor_prices",
            &patch.distributor_prices,
            &mut sku.distributor_prices,
        ),
    ] {
        if let Some(prices) = given {
            let tiers: BTreeSet<i64> = prices.iter().map(|p| p.tier_id).collect();
            if tiers.len() != prices.len() {
                errors.push(field(
                    prefix,
                    name,
                    ErrorCode::DuplicateTierPrice.form("tier_has_two"),
                ));
            }
            *target = sorted(prices);
        }
    }
    if let Some(quantity) = patch.presale_quantity {
        sku.presale_quantity = quantity;
    }
    if let Some(date) = patch.presale_ship_date {
        sku.presale_ship_date = date;
    }
    if sku.presale_quantity > 0 && sku.presale_ship_date.is_none() {
        errors.push(field(
            prefix,
            "presale_ship_date",
            ErrorCode::PresaleShipDateRequired.form("presale_needs_expected"),
        ));
    }
    if sku.presale_quantity < sku.presale_sold {
        errors.push(FieldError::new(
            format!("{prefix}presale_quantity"),
            ErrorCode::PresaleBelowSold.arg("presale_sold", sku.presale_sold),
        ));
    }
    if sku.kind == SkuKind::Virtual && (sku.presale_quantity > 0 || (!existing && sku.stock > 0)) {
        errors.push(field(
            prefix,
            if sku.presale_quantity > 0 {
                "presale_quantity"
            } else {
                "stock"
            },
            ErrorCode::VirtualStock.form("virtual_sku_has"),
        ));
    }
}

fn spec_errors(target: &Target) -> Vec<FieldError> {
    match check_specs(
        &target.spec_names,
        target
            .skus
            .iter()
            .map(|s| (s.code.as_str(), &s.spec_values)),
    ) {
        Ok(()) => Vec::new(),
        Err(e) => {
            let name = if e.code == "invalid_spec_names" {
                "spec_names"
            } else {
                "skus"
            };
            field_errors_for(name, &e)
        }
    }
}

/// Builds the product the patch asks for (the specifications are checked by `edit`).
fn merge_product(before: &Product, patch: &ProductPatch) -> AppResult<Target> {
    let mut target = Target::of(before);
    if let Some(name) = &patch.name {
        target.name = name.clone();
    }
    if let Some(subtitle) = &patch.subtitle {
        target.subtitle = subtitle.clone();
    }
    if let Some(html) = &patch.description_html {
        target.description_html = sanitise(html);
    }
    if let Some(category) = patch.category_id {
        target.category_id = category;
    }
    if let Some(template) = patch.freight_template_id {
        target.freight_template_id = template;
    }
    if let Some(tags) = &patch.tags {
        target.tags = tags.clone();
    }
    if let Some(names) = &patch.spec_names {
        target.spec_names = names.iter().map(|n| n.trim().to_owned()).collect();
    }
    let mut errors = Vec::new();
    if let Some(entries) = &patch.skus {
        let mut seen = BTreeSet::new();
        let mut skus = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            let prefix = format!("skus[{index}].");
            let mut sku = match entry.id {
                Some(id) => {
                    let found = before.skus.iter().find(|s| s.id == id);
                    match found {
                        Some(existing) if seen.insert(id) => SkuState::of(existing),
                        Some(_) => {
                            errors.push(field(&prefix, "id", ErrorCode::DuplicateSku));
                            continue;
                        }
                        None => {
                            errors.push(field(
                                &prefix,
                                "id",
                                ErrorCode::UnknownSku.form("product_has_such"),
                            ));
                            continue;
                        }
                    }
                }
                None => SkuState::new_sku(),
            };
            merge_sku(&mut sku, entry, &prefix, &mut errors);
            skus.push(sku);
        }
        target.skus = skus;
    }
    if errors.is_empty() {
        Ok(target)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// What an edit changes, by the kinds the status rules distinguish.
#[derive(Debug, Default, PartialEq, Eq)]
struct Changes {
    content: bool,
    structure: bool,
    terms: bool,
}

fn classify(before: &Target, after: &Target) -> Changes {
    let content = before.name != after.name
        || before.subtitle != after.subtitle
        || before.description_html != after.description_html
        || before.category_id != after.category_id
        || before.tags != after.tags;
    let kept: BTreeSet<SkuId> = after.skus.iter().filter_map(|s| s.id).collect();
    let removed = before
        .skus
        .iter()
        .any(|s| s.id.is_some_and(|id| !kept.contains(&id)));
    let added = after.skus.iter().any(|s| s.id.is_none());
    let mut structure = before.spec_names != after.spec_names || removed || added;
    let mut terms = before.freight_template_id != after.freight_template_id;
    for sku in after.skus.iter().filter(|s| s.id.is_some()) {
        if let Some(old) = before.skus.iter().find(|s| s.id == sku.id) {
            structure |= old.identity_differs(sku);
            terms |= old != sku && !old.identity_differs(sku);
        }
    }
    Changes {
        content,
        structure,
        terms,
    }
}

/// The status the product has after an edit of this kind, or the refusal.
fn status_after(status: ProductStatus, changes: &Changes) -> AppResult<ProductStatus> {
    use ProductStatus::*;
    if changes.structure && !matches!(status, Draft | Rejected) {
        return Err(AppError::conflict(ErrorCode::ProductStructureLocked));
    }
    Ok(if changes.content && matches!(status, Listed | Unlisted) {
        PendingReview
    } else {
        status
    })
}

/// What the audit log shows of a product: its fields, and each SKU under `sku {id}`.
fn audit_view(product: &Product) -> Value {
    let mut description: String = product.description_html.chars().take(500).collect();
    if product.description_html.chars().count() > 500 {
        description.push('…');
    }
    let mut view = json!({
        "name": product.name,
        "subtitle": product.subtitle,
        "description_html": description,
        "category_id": product.category_id,
        "freight_template_id": product.freight_template_id,
        "tags": product.tags,
        "spec_names": product.spec_names,
        "status": product.status.as_str(),
    });
    if let Some(map) = view.as_object_mut() {
        for sku in &product.skus {
            map.insert(
                format!("sku {}", sku.id),
                json!({
                    "code": sku.code,
                    "spec_values": sku.spec_values,
                    "barcode": sku.barcode,
                    "weight_grams": sku.weight_grams,
                    "retail_price": sku.retail_price,
                    "low_stock_threshold": sku.low_stock_threshold,
                    "member_prices": sku.member_prices,
                    "distributor_prices": sku.distributor_prices,
                    "kind": sku.kind.as_str(),
                    "presale_quantity": sku.presale_quantity,
                    "presale_ship_date": sku.presale_ship_date,
                }),
            );
        }
    }
    view
}

fn changed_meanwhile() -> AppError {
    AppError::conflict(ErrorCode::ProductChanged)
}

/// Removes a SKU of a product that never passed review (so it was never sold): its tier prices
/// and stock history go with it; a SKU with codes in its pool is kept (409).
fn remove_sku(conn: &mut DbConnection, merchant_id: MerchantId, sku: &SkuState) -> AppResult<()> {
    let Some(id) = sku.id else {
        return Ok(());
    };
    let codes: i64 = virtual_codes::table
        .filter(virtual_codes::merchant_id.eq(merchant_id))
        .filter(virtual_codes::sku_id.eq(id))
        .count()
        .get_result(conn)?;
    if codes > 0 {
        return Err(AppError::conflict(
            ErrorCode::SkuHasCodes.arg("code", &sku.code),
        ));
    }
    diesel::delete(
        sku_tier_prices::table
            .filter(sku_tier_prices::merchant_id.eq(merchant_id))
            .filter(sku_tier_prices::sku_id.eq(id)),
    )
    .execute(conn)?;
    crate::inventory::forget_movements(conn, merchant_id, id)?;
    diesel::delete(
        skus::table
            .filter(skus::merchant_id.eq(merchant_id))
            .filter(skus::id.eq(id)),
    )
    .execute(conn)?;
    Ok(())
}

/// Writes an existing SKU's new settings. The update is conditional on the presale units sold
/// not exceeding the new presale quantity, so a sale racing the edit cannot be cut off.
fn update_sku_row(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    old: &SkuState,
    new: &SkuState,
    now: NaiveDateTime,
) -> AppResult<()> {
    let Some(id) = new.id else {
        return Ok(());
    };
    let spec_values = serde_json::to_string(&new.spec_values).map_err(AppError::internal)?;
    let updated = diesel::update(
        skus::table
            .filter(skus::id.eq(id))
            .filter(skus::merchant_id.eq(merchant_id))
            .filter(skus::presale_sold.le(new.presale_quantity)),
    )
    .set((
        skus::code.eq(&new.code),
        skus::spec_values.eq(spec_values),
        skus::barcode.eq(new.barcode.as_deref()),
        skus::weight_grams.eq(new.weight_grams),
        skus::retail_price_fen.eq(new.retail_price.fen()),
        skus::low_stock_threshold.eq(new.low_stock_threshold),
        skus::presale_quantity.eq(new.presale_quantity),
        skus::presale_ship_date.eq(new
            .presale_ship_date
            .map(|d| d.format("%Y-%m-%d").to_string())),
        skus::updated_at.eq(now),
    ))
    .execute(conn)
    .map_err(|e| match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => code_taken(&new.code),
        other => other.into(),
    })?;
    if updated == 0 {
        return Err(changed_meanwhile());
    }
    if old.member_prices != new.member_prices {
        write_tier_prices(conn, merchant_id, id, TierKind::Member, &new.member_prices)?;
    }
    if old.distributor_prices != new.distributor_prices {
        write_tier_prices(
            conn,
            merchant_id,
            id,
            TierKind::Distributor,
            &new.distributor_prices,
        )?;
    }
    if old.low_stock_threshold != new.low_stock_threshold {
        // The stock read now, not the one the edit started from: a sale may have moved it.
        let stock: i64 = skus::table
            .filter(skus::id.eq(id))
            .select(skus::stock)
            .first(conn)?;
        low_stock::alert(conn, merchant_id, id, stock, now)?;
    }
    Ok(())
}

/// Applies an edit: reads the product, builds what the edit asks for, checks the status rules,
/// writes the differences and records them in the audit log, in one transaction.
fn edit(
    conn: &mut DbConnection,
    caller: &Principal,
    product_id: ProductId,
    action: &'static str,
    build: impl Fn(&Product) -> AppResult<Target>,
    field_prefix: impl Fn(usize) -> String,
    now: NaiveDateTime,
) -> AppResult<Product> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = catalog_products::find(conn, merchant_id, product_id)?;
        let target = build(&before)?;
        let current = Target::of(&before);
        let changes = classify(&current, &target);
        if changes == Changes::default() {
            return Ok(before);
        }
        // The status rules come before the specification check: a reviewed product's
        // structure is refused as such, however the new structure would have looked.
        let status = status_after(before.status, &changes)?;
        let invalid = spec_errors(&target);
        if !invalid.is_empty() {
            return Err(AppError::Validation(invalid));
        }
        if target.category_id != before.category_id {
            check_category(conn, merchant_id, target.category_id)?;
        }
        if target.freight_template_id != before.freight_template_id {
            check_freight_template(conn, merchant_id, target.freight_template_id)?;
        }
        // New SKUs and changed price lists name tiers that must exist; prices left as they
        // were are not checked again.
        let priced: Vec<PricedSku<'_>> = target
            .skus
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                current
                    .skus
                    .iter()
                    .find(|old| old.id.is_some() && old.id == s.id)
                    .is_none_or(|old| old.distributor_prices != s.distributor_prices)
            })
            .map(|(i, s)| PricedSku {
                field: format!("{}distributor_prices", field_prefix(i)),
                code: &s.code,
                prices: &s.distributor_prices,
            })
            .collect();
        check_distributor_tiers(conn, merchant_id, &priced)?;
        let tags = serde_json::to_string(&target.tags).map_err(AppError::internal)?;
        let spec_names = serde_json::to_string(&target.spec_names).map_err(AppError::internal)?;
        let reason = if status == before.status {
            before.rejection_reason.clone()
        } else {
            None
        };
        // Conditional on the status read: a review decided meanwhile makes this edit retry.
        let updated = diesel::update(
            products::table
                .filter(products::id.eq(product_id))
                .filter(products::merchant_id.eq(merchant_id))
                .filter(products::status.eq(before.status)),
        )
        .set((
            products::name.eq(&target.name),
            products::subtitle.eq(&target.subtitle),
            products::description_html.eq(&target.description_html),
            products::category_id.eq(target.category_id),
            products::freight_template_id.eq(target.freight_template_id),
            products::tags.eq(tags),
            products::spec_names.eq(spec_names),
            products::status.eq(status),
            products::rejection_reason.eq(reason),
            products::updated_at.eq(now),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(changed_meanwhile());
        }
        let kept: BTreeSet<SkuId> = target.skus.iter().filter_map(|s| s.id).collect();
        for old in current
            .skus
            .iter()
            .filter(|s| s.id.is_some_and(|id| !kept.contains(&id)))
        {
            remove_sku(conn, merchant_id, old)?;
        }
        for new in target.skus.iter().filter(|s| s.id.is_some()) {
            if let Some(old) = current.skus.iter().find(|s| s.id == new.id) {
                if old != new {
                    update_sku_row(conn, merchant_id, old, new, now)?;
                }
            }
        }
        let added: Vec<SkuInput> = target
            .skus
            .iter()
            .filter(|s| s.id.is_none())
            .map(SkuState::as_input)
            .collect();
        catalog_products::insert_skus(conn, merchant_id, product_id, &added, now)?;
        let after = catalog_products::find(conn, merchant_id, product_id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new(action)
                .target("product", product_id)
                .changes(audit::diff(&audit_view(&before), &audit_view(&after))),
            now,
        )?;
        Ok(after)
    })
}

/// Edits a product (and, through `skus`, its SKUs) under the rules of this module.
pub fn update_product(
    conn: &mut DbConnection,
    caller: &Principal,
    product_id: ProductId,
    patch: &ProductPatch,
    now: NaiveDateTime,
) -> AppResult<Product> {
    edit(
        conn,
        caller,
        product_id,
        "product.updated",
        |before| merge_product(before, patch),
        |index| format!("skus[{index}]."),
        now,
    )
}

/// Edits one SKU under the rules of this module; answers the SKU.
pub fn update_sku(
    conn: &mut DbConnection,
    caller: &Principal,
    sku_id: SkuId,
    patch: &SkuPatch,
    now: NaiveDateTime,
) -> AppResult<Sku> {
    let merchant_id = caller.tenant()?;
    if patch.id.is_some_and(|id| id != sku_id) {
        return Err(AppError::field("id", ErrorCode::UnknownSku));
    }
    let product_id: ProductId = skus::table
        .filter(skus::id.eq(sku_id))
        .filter(skus::merchant_id.eq(merchant_id))
        .select(skus::product_id)
        .first(conn)?;
    let product = edit(
        conn,
        caller,
        product_id,
        "sku.updated",
        |before| {
            let mut target = Target::of(before);
            let mut errors = Vec::new();
            let sku = target
                .skus
                .iter_mut()
                .find(|s| s.id == Some(sku_id))
                .ok_or(AppError::NotFound)?;
            merge_sku(sku, patch, "", &mut errors);
            if errors.is_empty() {
                Ok(target)
            } else {
                Err(AppError::Validation(errors))
            }
        },
        |_| String::new(),
        now,
    )?;
    product
        .skus
        .into_iter()
        .find(|s| s.id == sku_id)
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        let mut sku = SkuState::new_sku();
        sku.id = Some(SkuId(1));
        sku.code = "A".into();
        Target {
            name: "茶".into(),
            subtitle: String::new(),
            description_html: String::new(),
            category_id: None,
            freight_template_id: None,
            tags: Vec::new(),
            spec_names: Vec::new(),
            skus: vec![sku],
        }
    }

    #[test]
    fn changes_are_classified_by_what_they_touch() {
        let before = target();
        let mut price = before.clone();
        price.skus[0].retail_price = Money::from_fen(100).unwrap_or(Money::ZERO);
        assert_eq!(
            classify(&before, &price),
            Changes {
                terms: true,
                ..Changes::default()
            }
        );
        let mut name = before.clone();
        name.name = "红茶".into();
        assert_eq!(
            classify(&before, &name),
            Changes {
                content: true,
                ..Changes::default()
            }
        );
        let mut code = before.clone();
        code.skus[0].code = "B".into();
        assert!(classify(&before, &code).structure);
        let mut added = before.clone();
        added.skus.push(SkuState::new_sku());
        assert!(classify(&before, &added).structure);
        let mut removed = before.clone();
        removed.skus.clear();
        assert!(classify(&before, &removed).structure);
    }

    #[test]
    fn reviewed_products_keep_their_structure_and_content_goes_back_to_review() {
        use ProductStatus::*;
        let structure = Changes {
            structure: true,
            ..Changes::default()
        };
        let content = Changes {
            content: true,
            ..Changes::default()
        };
        let terms = Changes {
            terms: true,
            ..Changes::default()
        };
        for &status in ProductStatus::VARIANTS {
            assert_eq!(
                status_after(status, &structure).is_ok(),
                matches!(status, Draft | Rejected),
                "{status:?}"
            );
            assert_eq!(status_after(status, &terms).ok(), Some(status));
        }
        assert_eq!(status_after(Listed, &content).ok(), Some(PendingReview));
        assert_eq!(status_after(Unlisted, &content).ok(), Some(PendingReview));
        assert_eq!(status_after(Draft, &content).ok(), Some(Draft));
        assert_eq!(status_after(Rejected, &content).ok(), Some(Rejected));
        assert_eq!(
            status_after(PendingReview, &content).ok(),
            Some(PendingReview)
        );
    }
}
