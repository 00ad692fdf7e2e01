//! The catalog's rows: one struct per table, read with `X::as_select()`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::import::ImportStatus;
use super::lifecycle::ProductStatus;
use super::products::{SkuKind, TierKind};
use super::sheet::Format;
use crate::db::ids::{MerchantId, ProductId, SkuId};
use crate::db::schema::{
    catalog_imports, categories, product_media, products, sku_tier_prices, skus,
};

/// A row of `products` (without its tenant).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = products)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ProductRow {
    pub id: ProductId,
    pub category_id: Option<i64>,
    pub name: String,
    pub subtitle: String,
    pub description_html: String,
    /// JSON array of the specification names.
    pub spec_names: String,
    pub status: ProductStatus,
    pub rejection_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// JSON array of the tags.
    pub tags: String,
    pub freight_template_id: Option<i64>,
}

/// The columns of `skus` a product shows.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = skus)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct SkuRow {
    pub id: SkuId,
    pub product_id: ProductId,
    pub code: String,
    /// JSON object of the specification values by name.
    pub spec_values: String,
    pub barcode: Option<String>,
    pub weight_grams: i32,
    pub retail_price_fen: i64,
    pub stock: i64,
    pub low_stock_threshold: Option<i64>,
    pub kind: SkuKind,
    pub presale_quantity: i64,
    pub presale_sold: i64,
    /// `YYYY-MM-DD`.
    pub presale_ship_date: Option<String>,
}

/// A row of `sku_tier_prices` (without its tenant).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sku_tier_prices)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct SkuTierPriceRow {
    pub sku_id: SkuId,
    pub tier_kind: TierKind,
    pub tier_id: i64,
    pub price_fen: i64,
}

/// A row of `product_media` (without its tenant).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = product_media)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ProductMediaRow {
    pub product_id: ProductId,
    pub media_id: i64,
    pub sort_order: i32,
}

/// What an import or an export needs of a product.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = products)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ProductSheetRow {
    pub id: ProductId,
    pub name: String,
    pub category_id: Option<i64>,
    /// JSON array of the specification names.
    pub spec_names: String,
    pub freight_template_id: Option<i64>,
}

/// A row of `catalog_imports` (without its tenant).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = catalog_imports)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CatalogImportRow {
    pub id: i64,
    pub format: Format,
    pub dry_run: bool,
    pub status: ImportStatus,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub error_rows: i64,
    pub products_created: i64,
    pub skus_created: i64,
    pub skus_updated: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// A new product (a draft).
#[derive(Debug, Insertable)]
#[diesel(table_name = products)]
#[diesel(treat_none_as_default_value = false)]
pub struct ProductInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub category_id: Option<i64>,
    pub freight_template_id: Option<i64>,
    pub name: &'a str,
    pub subtitle: &'a str,
    pub description_html: &'a str,
    pub spec_names: &'a str,
    pub tags: &'a str,
    pub status: ProductStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new product from an import: a draft without subtitle, description or tags (the column
/// defaults apply).
#[derive(Debug, Insertable)]
#[diesel(table_name = products)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct ImportedProductInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub category_id: Option<i64>,
    pub freight_template_id: Option<i64>,
    pub name: &'a str,
    pub spec_names: &'a str,
    pub status: ProductStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new SKU of a product.
#[derive(Debug, Insertable)]
#[diesel(table_name = skus)]
#[diesel(treat_none_as_default_value = false)]
pub struct SkuInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub product_id: ProductId,
    pub code: &'a str,
    pub spec_values: &'a str,
    pub barcode: Option<&'a str>,
    pub weight_grams: i32,
    pub retail_price_fen: i64,
    pub stock: i64,
    pub low_stock_threshold: Option<i64>,
    pub kind: SkuKind,
    pub presale_quantity: i64,
    pub presale_ship_date: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One price of a SKU for one tier.
#[derive(Debug, Insertable)]
#[diesel(table_name = sku_tier_prices)]
pub struct SkuTierPriceInsertForm {
    pub merchant_id: MerchantId,
    pub sku_id: SkuId,
    pub tier_kind: TierKind,
    pub tier_id: i64,
    pub price_fen: i64,
}

/// One image of a product's gallery, at its position.
#[derive(Debug, Insertable)]
#[diesel(table_name = product_media)]
pub(crate) struct ProductMediaInsertForm {
    pub merchant_id: MerchantId,
    pub product_id: ProductId,
    pub media_id: i64,
    pub sort_order: i32,
}

/// A new import job, validating; its counters start at zero (column defaults).
#[derive(Debug, Insertable)]
#[diesel(table_name = catalog_imports)]
pub(crate) struct CatalogImportInsertForm {
    pub merchant_id: MerchantId,
    pub format: Format,
    pub dry_run: bool,
    pub status: ImportStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new category.
#[derive(Debug, Insertable)]
#[diesel(table_name = categories)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct CategoryInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub parent_id: Option<i64>,
    pub name: &'a str,
    pub sort_order: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
