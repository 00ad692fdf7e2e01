//! Products and their SKUs. A product names its specifications (颜色, 尺码, …); each SKU is one
//! combination of their values and carries its own retail price, tier prices, stock, barcode
//! and weight. Descriptions are sanitised HTML. Status changes go through `lifecycle`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::lifecycle::{self, ProductAction, ProductStatus};
use super::models::{
    ProductInsertForm, ProductMediaInsertForm, ProductMediaRow, ProductRow, SkuInsertForm, SkuRow,
    SkuTierPriceInsertForm, SkuTierPriceRow,
};
use super::tier_prices::{check_distributor_tiers, PricedSku};
use crate::audit::{self, AuditActor, AuditEntry};
use crate::auth::permissions::Permission;
use crate::auth::principal::Principal;
use crate::auth::sessions::ClientInfo;
use crate::clock;
use crate::db::enums::db_enum;
use crate::db::ids::{MerchantId, ProductId, SkuId};
use crate::db::schema::{
    categories, freight_templates, product_media, products, sku_tier_prices, skus,
};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, FieldError, Message};
use crate::media::{self, Media};
use crate::money::Money;
use crate::validate;

pub const MAX_SKUS: usize = 600;
pub const MAX_SPECS: usize = 3;
pub const MAX_TAGS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TierPrice {
    pub tier_id: i64,
    pub price: Money,
}

db_enum! {
    /// `physical` goods are shipped; `virtual` ones (e-vouchers, card secrets) deliver a code from
    /// the SKU's code pool, and their stock is the number of available codes.
    #[derive(Default, Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum SkuKind {
        #[default]
        Physical,
        Virtual,
    }
}

db_enum! {
    /// Whose price a tier price is (`sku_tier_prices.tier_kind`).
    pub enum TierKind {
        /// A member tier's price.
        Member,
        /// A distributor tier's purchase price.
        Distributor,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuInput {
    /// The merchant's SKU code, unique within the merchant.
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 64))]
    #[schema(example = "TEA-RED-M")]
    pub code: String,
    /// One value per specification of the product, e.g. `{"颜色": "红", "尺码": "M"}`.
    #[serde(default)]
    pub spec_values: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(min = 1, max = 64))]
    pub barcode: Option<String>,
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000))]
    pub weight_grams: i32,
    pub retail_price: Money,
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000))]
    pub stock: i64,
    /// Alert when stock falls to this or below.
    #[validate(range(min = 0, max = 1_000_000_000))]
    pub low_stock_threshold: Option<i64>,
    /// Price per member tier.
    #[serde(default)]
    pub member_prices: Vec<TierPrice>,
    /// Purchase price per distributor tier.
    #[serde(default)]
    pub distributor_prices: Vec<TierPrice>,
    /// `physical` (default) or `virtual`. A virtual SKU starts with no stock: its stock is the
    /// number of available codes imported into its pool.
    #[serde(default)]
    pub kind: SkuKind,
    /// Units that may be sold beyond stock (presale); needs `presale_ship_date`.
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000))]
    pub presale_quantity: i64,
    /// Expected ship date of presale units, `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-20")]
    pub presale_ship_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "specs_are_consistent"))]
pub struct ProductInput {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 120))]
    #[schema(example = "明前龙井 250g")]
    pub name: String,
    #[serde(default, deserialize_with = "validate::trimmed")]
    #[validate(length(max = 200))]
    pub subtitle: String,
    /// Rich text; scripts, event handlers and unknown tags are removed.
    #[serde(default)]
    #[validate(length(max = 200000))]
    pub description_html: String,
    pub category_id: Option<i64>,
    /// A freight template of the merchant; absent or `null` ships under the default template.
    #[serde(default)]
    pub freight_template_id: Option<i64>,
    /// Up to ten labels of 1–20 characters (新品, 包邮, …), distinct.
    #[serde(default, deserialize_with = "trimmed_tags")]
    #[validate(custom(function = "tags_are_valid"))]
    pub tags: Vec<String>,
    /// Specification names in order, e.g. `["颜色", "尺码"]`; empty for a product with one SKU.
    #[serde(default)]
    pub spec_names: Vec<String>,
    #[validate(length(min = 1, max = 600), nested)]
    pub skus: Vec<SkuInput>,
}

/// Trims every tag, so the rules apply to what is stored.
pub(crate) fn trimmed_tags<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    Ok(Vec::<String>::deserialize(deserializer)?
        .into_iter()
        .map(|t| t.trim().to_owned())
        .collect())
}

/// Like `trimmed_tags`, for an optional list.
pub(crate) fn trimmed_tags_option<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    trimmed_tags(deserializer).map(Some)
}

pub(crate) fn tags_are_valid(tags: &[String]) -> Result<(), ValidationError> {
    let distinct: BTreeSet<String> = tags.iter().map(|t| t.to_lowercase()).collect();
    if tags.len() > MAX_TAGS
        || distinct.len() != tags.len()
        || tags.iter().any(|t| t.is_empty() || t.chars().count() > 20)
    {
        return Err(spec_error(ErrorCode::InvalidTags, None));
    }
    Ok(())
}

/// A validator failure with the catalogue's wording `form` of `code`.
fn spec_error(code: ErrorCode, form: Option<&'static str>) -> ValidationError {
    match form {
        Some(form) => code.form(form).into_validation_error(),
        None => Message::new(code).into_validation_error(),
    }
}

fn specs_are_consistent(input: &ProductInput) -> Result<(), ValidationError> {
    check_specs(
        &input.spec_names,
        input.skus.iter().map(|s| (s.code.as_str(), &s.spec_values)),
    )
}

/// Specification names are distinct; every SKU has exactly one value for each; no two SKUs share
/// a combination or a code. Used for new products and for the result of every edit.
pub(crate) fn check_specs<'a>(
    spec_names: &[String],
    skus: impl Iterator<Item = (&'a str, &'a BTreeMap<String, String>)>,
) -> Result<(), ValidationError> {
    let names: BTreeSet<&str> = spec_names.iter().map(|n| n.trim()).collect();
    if names.len() != spec_names.len()
        || spec_names.len() > MAX_SPECS
        || names.iter().any(|n| n.is_empty() || n.chars().count() > 20)
    {
        return Err(spec_error(ErrorCode::InvalidSpecNames, None));
    }
    let mut combinations = BTreeSet::new();
    let mut codes = BTreeSet::new();
    for (code, spec_values) in skus {
        let keys: BTreeSet<&str> = spec_values.keys().map(String::as_str).collect();
        if keys != names
            || spec_values
                .values()
                .any(|v| v.trim().is_empty() || v.chars().count() > 30)
        {
            return Err(spec_error(ErrorCode::InvalidSpecValues, None));
        }
        if !combinations.insert(spec_values.clone()) {
            return Err(spec_error(ErrorCode::DuplicateSpecValues, None));
        }
        if !codes.insert(code.to_lowercase()) {
            return Err(spec_error(ErrorCode::DuplicateSkuCode, None));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Sku {
    #[schema(value_type = i64)]
    pub id: SkuId,
    pub code: String,
    pub spec_values: BTreeMap<String, String>,
    pub barcode: Option<String>,
    pub weight_grams: i32,
    pub retail_price: Money,
    pub stock: i64,
    pub low_stock_threshold: Option<i64>,
    pub member_prices: Vec<TierPrice>,
    pub distributor_prices: Vec<TierPrice>,
    pub kind: SkuKind,
    /// Units that may be sold beyond stock.
    pub presale_quantity: i64,
    /// Presale units sold so far; presale still available is `presale_quantity - presale_sold`.
    pub presale_sold: i64,
    #[schema(value_type = Option<String>, format = Date)]
    pub presale_ship_date: Option<NaiveDate>,
}

impl Sku {
    /// Units that can still be sold: stock plus the presale allowance left.
    pub fn available(&self) -> i64 {
        self.stock + (self.presale_quantity - self.presale_sold).max(0)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Product {
    #[schema(value_type = i64)]
    pub id: ProductId,
    pub name: String,
    pub subtitle: String,
    pub description_html: String,
    pub category_id: Option<i64>,
    /// The freight template it ships under; `null` for the merchant's default template.
    pub freight_template_id: Option<i64>,
    pub tags: Vec<String>,
    pub spec_names: Vec<String>,
    pub status: ProductStatus,
    /// Why the review rejected it, while `rejected`.
    pub rejection_reason: Option<String>,
    pub skus: Vec<Sku>,
    /// The gallery in order; the first is the main image.
    pub images: Vec<Media>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Products by the stock of their SKUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockFilter {
    /// A SKU is at or below its low-stock threshold.
    Low,
    /// A SKU has nothing left to sell: no stock and no presale allowance left.
    Out,
}

/// The order of a product list. Pages follow each other by `cursor` whatever the order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductSort {
    /// Newest first (the default).
    #[default]
    Newest,
    Oldest,
    /// Most recently changed first.
    Updated,
    /// By name, A to Z (the database's collation).
    Name,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    pub status: Option<ProductStatus>,
    /// Products in this category or any of its subcategories.
    pub category_id: Option<i64>,
    /// Part of the name.
    pub q: Option<String>,
    #[param(inline)]
    pub stock: Option<StockFilter>,
    #[param(inline)]
    pub sort: Option<ProductSort>,
    /// The `next_cursor` of the previous page (the id of its last product).
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProductPage {
    pub items: Vec<Product>,
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: ProductAction,
    /// Required when rejecting: what the merchant must correct.
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(min = 1, max = 500))]
    pub reason: Option<String>,
}

/// Removes everything from rich text that could run or load unexpected content.
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(html)
        .to_string()
}

fn load_skus(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    product_ids: &[ProductId],
) -> AppResult<BTreeMap<ProductId, Vec<Sku>>> {
    let rows: Vec<SkuRow> = skus::table
        .filter(skus::merchant_id.eq(merchant_id))
        .filter(skus::product_id.eq_any(product_ids))
        .order(skus::id.asc())
        .select(SkuRow::as_select())
        .load(conn)?;
    let sku_ids: Vec<SkuId> = rows.iter().map(|r| r.id).collect();
    let prices: Vec<SkuTierPriceRow> = sku_tier_prices::table
        .filter(sku_tier_prices::merchant_id.eq(merchant_id))
        .filter(sku_tier_prices::sku_id.eq_any(&sku_ids))
        .order((
            sku_tier_prices::sku_id,
            sku_tier_prices::tier_kind,
            sku_tier_prices::tier_id,
        ))
        .select(SkuTierPriceRow::as_select())
        .load(conn)?;
    let mut out: BTreeMap<ProductId, Vec<Sku>> = BTreeMap::new();
    for row in rows {
        let tier = |kind: TierKind| {
            prices
                .iter()
                .filter(|p| p.sku_id == row.id && p.tier_kind == kind)
                .map(|p| TierPrice {
                    tier_id: p.tier_id,
                    price: Money::from_fen(p.price_fen).unwrap_or(Money::ZERO),
                })
                .collect::<Vec<_>>()
        };
        let member_prices = tier(TierKind::Member);
        let distributor_prices = tier(TierKind::Distributor);
        out.entry(row.product_id).or_default().push(Sku {
            id: row.id,
            code: row.code,
            spec_values: serde_json::from_str(&row.spec_values).unwrap_or_default(),
            barcode: row.barcode,
            weight_grams: row.weight_grams,
            retail_price: Money::from_fen(row.retail_price_fen).unwrap_or(Money::ZERO),
            stock: row.stock,
            low_stock_threshold: row.low_stock_threshold,
            member_prices,
            distributor_prices,
            kind: row.kind,
            presale_quantity: row.presale_quantity,
            presale_sold: row.presale_sold,
            presale_ship_date: row
                .presale_ship_date
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        });
    }
    Ok(out)
}

fn load_images(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    product_ids: &[ProductId],
) -> AppResult<BTreeMap<ProductId, Vec<Media>>> {
    let links: Vec<ProductMediaRow> = product_media::table
        .filter(product_media::merchant_id.eq(merchant_id))
        .filter(product_media::product_id.eq_any(product_ids))
        .order((product_media::product_id, product_media::sort_order))
        .select(ProductMediaRow::as_select())
        .load(conn)?;
    let media_ids: Vec<i64> = links.iter().map(|l| l.media_id).collect();
    let found = media::find_many(conn, merchant_id, &media_ids)?;
    let mut out: BTreeMap<ProductId, Vec<Media>> = BTreeMap::new();
    for link in links {
        if let Some(m) = found.iter().find(|m| m.id == link.media_id) {
            out.entry(link.product_id).or_default().push(m.clone());
        }
    }
    Ok(out)
}

fn assemble(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    rows: Vec<ProductRow>,
) -> AppResult<Vec<Product>> {
    let ids: Vec<ProductId> = rows.iter().map(|r| r.id).collect();
    let mut skus = load_skus(conn, merchant_id, &ids)?;
    let mut images = load_images(conn, merchant_id, &ids)?;
    rows.into_iter()
        .map(|r| {
            Ok(Product {
                id: r.id,
                name: r.name,
                subtitle: r.subtitle,
                description_html: r.description_html,
                category_id: r.category_id,
                freight_template_id: r.freight_template_id,
                tags: serde_json::from_str(&r.tags).unwrap_or_default(),
                spec_names: serde_json::from_str(&r.spec_names).unwrap_or_default(),
                status: r.status,
                rejection_reason: r.rejection_reason,
                skus: skus.remove(&r.id).unwrap_or_default(),
                images: images.remove(&r.id).unwrap_or_default(),
                created_at: clock::to_utc(r.created_at),
                updated_at: clock::to_utc(r.updated_at),
            })
        })
        .collect()
}

pub fn find(conn: &mut DbConnection, merchant_id: MerchantId, id: ProductId) -> AppResult<Product> {
    let row: ProductRow = products::table
        .filter(products::merchant_id.eq(merchant_id))
        .filter(products::id.eq(id))
        .select(ProductRow::as_select())
        .first(conn)?;
    assemble(conn, merchant_id, vec![row])?
        .pop()
        .ok_or(AppError::NotFound)
}

pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    query: &ProductQuery,
) -> AppResult<ProductPage> {
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let mut q = products::table
        .filter(products::merchant_id.eq(merchant_id))
        .select(ProductRow::as_select())
        .into_boxed();
    if let Some(status) = query.status {
        q = q.filter(products::status.eq(status));
    }
    if let Some(category_id) = query.category_id {
        let all = super::categories::list(conn, merchant_id)?;
        q = q.filter(products::category_id.eq_any(super::categories::subtree(&all, category_id)));
    }
    if let Some(text) = query.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let escaped = text.replace(['%', '_'], "");
        q = q.filter(products::name.like(format!("%{escaped}%")));
    }
    match query.stock {
        None => {}
        Some(StockFilter::Low) => {
            q = q.filter(exists(
                skus::table
                    .filter(skus::product_id.eq(products::id))
                    .filter(skus::stock.nullable().le(skus::low_stock_threshold)),
            ))
        }
        Some(StockFilter::Out) => {
            q = q.filter(exists(
                skus::table
                    .filter(skus::product_id.eq(products::id))
                    .filter(skus::stock.le(0))
                    .filter(skus::presale_quantity.le(skus::presale_sold)),
            ))
        }
    }
    let sort = query.sort.unwrap_or_default();
    // Keyset pages: the cursor is the last product's id; for the orders by name or time its key
    // is read back, so a page starts exactly after it.
    if let Some(cursor) = query.cursor.map(ProductId) {
        q = match sort {
            ProductSort::Newest => q.filter(products::id.lt(cursor)),
            ProductSort::Oldest => q.filter(products::id.gt(cursor)),
            ProductSort::Updated | ProductSort::Name => {
                let (name, updated_at): (String, NaiveDateTime) = products::table
                    .filter(products::id.eq(cursor))
                    .filter(products::merchant_id.eq(merchant_id))
                    .select((products::name, products::updated_at))
                    .first(conn)
                    .optional()?
                    .ok_or_else(|| AppError::field("cursor", ErrorCode::InvalidCursor))?;
                if sort == ProductSort::Name {
                    q.filter(
                        products::name
                            .gt(name.clone())
                            .or(products::name.eq(name).and(products::id.gt(cursor))),
                    )
                } else {
                    q.filter(
                        products::updated_at.lt(updated_at).or(products::updated_at
                            .eq(updated_at)
                            .and(products::id.lt(cursor))),
                    )
                }
            }
        };
    }
    q = match sort {
        ProductSort::Newest => q.order(products::id.desc()),
        ProductSort::Oldest => q.order(products::id.asc()),
        ProductSort::Updated => q.order((products::updated_at.desc(), products::id.desc())),
        ProductSort::Name => q.order((products::name.asc(), products::id.asc())),
    };
    let mut rows: Vec<ProductRow> = q.limit(limit + 1).load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(ProductPage {
        items: assemble(conn, merchant_id, rows)?,
        next_cursor: next_cursor.map(ProductId::get),
    })
}

pub(crate) fn check_category(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    category_id: Option<i64>,
) -> AppResult<()> {
    let Some(id) = category_id else {
        return Ok(());
    };
    let found: i64 = categories::table
        .filter(categories::id.eq(id))
        .filter(categories::merchant_id.eq(merchant_id))
        .count()
        .get_result(conn)?;
    if found == 0 {
        return Err(AppError::field("category_id", ErrorCode::UnknownCategory));
    }
    Ok(())
}

/// A product's freight template must be one of the merchant's; another merchant's template is
/// refused exactly like one that does not exist.
pub(crate) fn check_freight_template(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    template_id: Option<i64>,
) -> AppResult<()> {
    let Some(id) = template_id else {
        return Ok(());
    };
    let found: i64 = freight_templates::table
        .filter(freight_templates::id.eq(id))
        .filter(freight_templates::merchant_id.eq(merchant_id))
        .count()
        .get_result(conn)?;
    if found == 0 {
        return Err(AppError::field(
            "freight_template_id",
            ErrorCode::UnknownFreightTemplate,
        ));
    }
    Ok(())
}

/// How many of the merchant's products ship under a freight template; a template in use is not
/// deleted.
pub fn count_using_freight_template(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    template_id: i64,
) -> AppResult<i64> {
    Ok(products::table
        .filter(products::merchant_id.eq(merchant_id))
        .filter(products::freight_template_id.eq(template_id))
        .count()
        .get_result(conn)?)
}

pub(crate) fn code_taken(code: &str) -> AppError {
    AppError::Validation(vec![FieldError::new(
        "skus",
        ErrorCode::SkuCodeTaken.arg("code", code),
    )])
}

/// Presale needs a ship date; a virtual SKU has no presale and starts with no stock (its stock
/// is its pool of available codes).
pub(crate) fn check_presale_and_kind(sku: &SkuInput) -> AppResult<()> {
    if sku.presale_quantity > 0 && sku.presale_ship_date.is_none() {
        return Err(AppError::field(
            "skus",
            ErrorCode::PresaleShipDateRequired.arg("code", &sku.code),
        ));
    }
    if sku.kind == SkuKind::Virtual && (sku.presale_quantity > 0 || sku.stock > 0) {
        return Err(AppError::field(
            "skus",
            ErrorCode::VirtualStock.form("sku").arg("code", &sku.code),
        ));
    }
    Ok(())
}

pub(crate) fn insert_skus(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    product_id: ProductId,
    input: &[SkuInput],
    now: NaiveDateTime,
) -> AppResult<()> {
    for sku in input {
        check_presale_and_kind(sku)?;
        let spec_values = serde_json::to_string(&sku.spec_values).map_err(AppError::internal)?;
        let sku_id: SkuId = diesel::insert_into(skus::table)
            .values(SkuInsertForm {
                merchant_id,
                product_id,
                code: &sku.code,
                spec_values: &spec_values,
                barcode: sku.barcode.as_deref(),
                weight_grams: sku.weight_grams,
                retail_price_fen: sku.retail_price.fen(),
                stock: sku.stock,
                low_stock_threshold: sku.low_stock_threshold,
                kind: sku.kind,
                presale_quantity: sku.presale_quantity,
                presale_ship_date: sku
                    .presale_ship_date
                    .map(|d| d.format("%Y-%m-%d").to_string()),
                created_at: now,
                updated_at: now,
            })
            .returning(skus::id)
            .get_result(conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    code_taken(&sku.code)
                }
                other => other.into(),
            })?;
        write_tier_prices(
            conn,
            merchant_id,
            sku_id,
            TierKind::Member,
            &sku.member_prices,
        )?;
        write_tier_prices(
            conn,
            merchant_id,
            sku_id,
            TierKind::Distributor,
            &sku.distributor_prices,
        )?;
    }
    Ok(())
}

/// Replaces a SKU's prices of one tier kind.
pub(crate) fn write_tier_prices(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sku_id: SkuId,
    kind: TierKind,
    prices: &[TierPrice],
) -> AppResult<()> {
    let mut seen = BTreeSet::new();
    if prices.iter().any(|p| !seen.insert(p.tier_id)) {
        return Err(AppError::field("skus", ErrorCode::DuplicateTierPrice));
    }
    diesel::delete(
        sku_tier_prices::table
            .filter(sku_tier_prices::merchant_id.eq(merchant_id))
            .filter(sku_tier_prices::sku_id.eq(sku_id))
            .filter(sku_tier_prices::tier_kind.eq(kind)),
    )
    .execute(conn)?;
    for price in prices {
        diesel::insert_into(sku_tier_prices::table)
            .values(SkuTierPriceInsertForm {
                merchant_id,
                sku_id,
                tier_kind: kind,
                tier_id: price.tier_id,
                price_fen: price.price.fen(),
            })
            .execute(conn)?;
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    input: &ProductInput,
    now: NaiveDateTime,
) -> AppResult<Product> {
    let merchant_id = caller.tenant()?;
    let description = sanitise(&input.description_html);
    let spec_names = serde_json::to_string(&input.spec_names).map_err(AppError::internal)?;
    let tags = serde_json::to_string(&input.tags).map_err(AppError::internal)?;
    write_transaction(conn, |conn| {
        check_category(conn, merchant_id, input.category_id)?;
        check_freight_template(conn, merchant_id, input.freight_template_id)?;
        let priced: Vec<PricedSku<'_>> = input
            .skus
            .iter()
            .enumerate()
            .map(|(i, s)| PricedSku {
                field: format!("skus[{i}].distributor_prices"),
                code: &s.code,
                prices: &s.distributor_prices,
            })
            .collect();
        check_distributor_tiers(conn, merchant_id, &priced)?;
        let id: ProductId = diesel::insert_into(products::table)
            .values(ProductInsertForm {
                merchant_id,
                category_id: input.category_id,
                freight_template_id: input.freight_template_id,
                name: &input.name,
                subtitle: &input.subtitle,
                description_html: &description,
                spec_names: &spec_names,
                tags: &tags,
                status: ProductStatus::Draft,
                created_at: now,
                updated_at: now,
            })
            .returning(products::id)
            .get_result(conn)?;
        insert_skus(conn, merchant_id, id, &input.skus, now)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("product.created")
                .target("product", id)
                .changes(serde_json::json!({
                    "name": { "before": null, "after": input.name },
                    "freight_template_id": { "before": null, "after": input.freight_template_id },
                    "tags": { "before": null, "after": input.tags },
                    "skus": { "before": null, "after": input.skus.len() },
                    "sku_settings": { "before": null, "after": input.skus.iter().map(|s| serde_json::json!({
                        "code": s.code,
                        "kind": s.kind.as_str(),
                        "stock": s.stock,
                        "presale_quantity": s.presale_quantity,
                        "presale_ship_date": s.presale_ship_date,
                    })).collect::<Vec<_>>() },
                })),
            now,
        )?;
        find(conn, merchant_id, id)
    })
}

pub fn transition(
    conn: &mut DbConnection,
    caller: &Principal,
    id: ProductId,
    request: &TransitionRequest,
    platform_reviews: bool,
    now: NaiveDateTime,
) -> AppResult<Product> {
    let merchant_id = caller.tenant()?;
    caller.require(if request.action.is_review() {
        Permission::CatalogReview
    } else {
        Permission::CatalogWrite
    })?;
    if request.action.is_review() && platform_reviews {
        return Err(AppError::refused(ErrorCode::PlatformReview));
    }
    apply(
        conn,
        &caller.audit_actor(),
        &caller.client,
        merchant_id,
        id,
        request,
        now,
    )
}

/// A platform operator's review decision on any merchant's product.
pub fn platform_review(
    conn: &mut DbConnection,
    operator: &Principal,
    id: ProductId,
    request: &TransitionRequest,
    now: NaiveDateTime,
) -> AppResult<Product> {
    if !request.action.is_review() {
        return Err(AppError::field("action", ErrorCode::WrongAction));
    }
    let merchant_id: MerchantId = products::table
        .filter(products::id.eq(id))
        .select(products::merchant_id)
        .first(conn)?;
    let mut actor = operator.audit_actor();
    actor.merchant_id = Some(merchant_id);
    apply(
        conn,
        &actor,
        &operator.client,
        merchant_id,
        id,
        request,
        now,
    )
}

/// Products waiting for the platform's review, oldest first, with their merchant.
pub fn review_queue(
    conn: &mut DbConnection,
    cursor: Option<i64>,
    limit: i64,
) -> AppResult<Vec<(MerchantId, Product)>> {
    let mut q = products::table
        .filter(products::status.eq(ProductStatus::PendingReview))
        .select((products::id, products::merchant_id))
        .into_boxed();
    if let Some(cursor) = cursor {
        q = q.filter(products::id.gt(ProductId(cursor)));
    }
    let ids: Vec<(ProductId, MerchantId)> = q
        .order(products::id.asc())
        .limit(limit.clamp(1, 100))
        .load(conn)?;
    ids.into_iter()
        .map(|(id, merchant_id)| Ok((merchant_id, find(conn, merchant_id, id)?)))
        .collect()
}

/// Moves one product through the state table in its own transaction, conditionally on the
/// status read, and records it in the audit log.
pub(crate) fn apply(
    conn: &mut DbConnection,
    actor: &AuditActor,
    client: &ClientInfo,
    merchant_id: MerchantId,
    id: ProductId,
    request: &TransitionRequest,
    now: NaiveDateTime,
) -> AppResult<Product> {
    if request.action == ProductAction::Reject && request.reason.is_none() {
        return Err(AppError::field(
            "reason",
            ErrorCode::Required.form("reject_reason"),
        ));
    }
    write_transaction(conn, |conn| {
        let before = find(conn, merchant_id, id)?;
        let to = lifecycle::next(before.status, request.action).ok_or_else(|| {
            AppError::InvalidTransition {
                from: before.status.as_str().to_owned(),
                action: request.action.as_str().to_owned(),
            }
        })?;
        let reason = (to == ProductStatus::Rejected)
            .then(|| request.reason.clone())
            .flatten();
        // Conditional on the status read: of two concurrent reviews, one wins, the other is 409.
        let changed = diesel::update(
            products::table
                .filter(products::id.eq(id))
                .filter(products::merchant_id.eq(merchant_id))
                .filter(products::status.eq(before.status)),
        )
        .set((
            products::status.eq(to),
            products::rejection_reason.eq(reason.as_deref()),
            products::updated_at.eq(now),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(AppError::InvalidTransition {
                from: before.status.as_str().to_owned(),
                action: request.action.as_str().to_owned(),
            });
        }
        audit::record(
            conn,
            actor,
            client,
            AuditEntry::new("product.status_changed")
                .target("product", id)
                .changes(serde_json::json!({
                    "status": { "before": before.status.as_str(), "after": to.as_str() },
                    "reason": { "before": null, "after": reason },
                })),
            now,
        )?;
        find(conn, merchant_id, id)
    })
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImagesRequest {
    /// Uploaded media ids in display order; the first is the main image. Empty clears.
    #[validate(length(max = 20))]
    pub media_ids: Vec<i64>,
}

/// Replaces the product's gallery.
pub fn set_images(
    conn: &mut DbConnection,
    caller: &Principal,
    id: ProductId,
    request: &ImagesRequest,
    now: NaiveDateTime,
) -> AppResult<Product> {
    let merchant_id = caller.tenant()?;
    let unique: BTreeSet<i64> = request.media_ids.iter().copied().collect();
    if unique.len() != request.media_ids.len() {
        return Err(AppError::field("media_ids", ErrorCode::DuplicateMedia));
    }
    write_transaction(conn, |conn| {
        let before = find(conn, merchant_id, id)?;
        let known = media::find_many(conn, merchant_id, &request.media_ids)?;
        if known.len() != request.media_ids.len() {
            return Err(AppError::field("media_ids", ErrorCode::UnknownMedia));
        }
        diesel::delete(
            product_media::table
                .filter(product_media::merchant_id.eq(merchant_id))
                .filter(product_media::product_id.eq(id)),
        )
        .execute(conn)?;
        for (position, media_id) in request.media_ids.iter().enumerate() {
            diesel::insert_into(product_media::table)
                .values(ProductMediaInsertForm {
                    merchant_id,
                    product_id: id,
                    media_id: *media_id,
                    sort_order: i32::try_from(position).unwrap_or(i32::MAX),
                })
                .execute(conn)?;
        }
        let before_ids: Vec<i64> = before.images.iter().map(|m| m.id).collect();
        // The gallery is content buyers see: a reviewed product goes back to review when it
        // changes (see `editing`).
        let status = if before_ids != request.media_ids
            && matches!(
                before.status,
                ProductStatus::Listed | ProductStatus::Unlisted
            ) {
            ProductStatus::PendingReview
        } else {
            before.status
        };
        let updated = diesel::update(
            products::table
                .filter(products::id.eq(id))
                .filter(products::merchant_id.eq(merchant_id))
                .filter(products::status.eq(before.status)),
        )
        .set((products::status.eq(status), products::updated_at.eq(now)))
        .execute(conn)?;
        if updated == 0 {
            return Err(AppError::conflict(ErrorCode::ProductChanged));
        }
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("product.images_changed")
                .target("product", id)
                .changes(serde_json::json!({
                    "media_ids": { "before": before_ids, "after": request.media_ids },
                    "status": { "before": before.status.as_str(), "after": status.as_str() },
                })),
            now,
        )?;
        find(conn, merchant_id, id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_lose_scripts_and_handlers() {
        let clean = sanitise(
            r#"<p onclick="x()">好茶<script>alert(1)</script><img src="a.png" onerror="y()"></p>"#,
        );
        assert_eq!(clean, r#"<p>好茶<img src="a.png"></p>"#);
        assert!(sanitise(r#"<a href="javascript:alert(1)">x</a>"#).contains("<a rel="));
        assert!(!sanitise(r#"<a href="javascript:alert(1)">x</a>"#).contains("javascript"));
    }
}
