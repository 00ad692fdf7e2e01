//! Import of products, SKUs and stock from a spreadsheet (one row per SKU), and export of the
//! same columns.
//!
//! An import runs in two passes. The first reads and checks every row, writing only the job's
//! progress (`processed_rows`) in small transactions of their own, so that another request sees
//! it move. When any row is bad, every bad row is reported (row, column, reason) and nothing is
//! written. Otherwise, unless it is a dry run, the second pass re-reads what it depends on and
//! writes everything in one transaction: all rows or none.
//!
//! Rules: a row whose SKU code already exists updates that SKU's price, stock, barcode and weight
//! (its product name, category and specifications must be as they are: the import does not move
//! SKUs between products). Rows with new codes are grouped by product name: a name of one
//! existing product adds SKUs to it; otherwise the rows make one new `draft` product. Categories
//! must exist (`茶叶/绿茶` is the path from the root), and so must the distributor tiers the
//! purchase-price column names (`金牌:80.00;银牌:90`, by tier name), and so must the freight
//! template named (by name; empty for the default; like the category, only new products take
//! it). A column left out of the file
//! leaves that field as it is (updates) or at its default (new SKUs).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::categories::Category;
use super::models::{
    CatalogImportInsertForm, CatalogImportRow, ImportedProductInsertForm, ProductSheetRow, SkuRow,
};
use super::products::MAX_SKUS;
use super::sheet::{self, Format, RawRow, COLUMNS};
use crate::audit::{self, AuditEntry};
use crate::auth::permissions::Permission;
use crate::auth::principal::Principal;
use crate::catalog::products::{SkuKind, TierKind};
use crate::clock;
use crate::db::enums::db_enum;
use crate::db::ids::{MerchantId, ProductId, SkuId};
use crate::db::schema::{
    catalog_imports, categories, distributor_tiers, freight_templates, products, sku_tier_prices,
    skus, stock_movements,
};
use crate::db::{write_transaction, DbConnection};
use crate::distribution::tiers;
use crate::error::{AppError, AppResult, ErrorCode, FieldError, Message, Text};
use crate::inventory::{self, MovementReason};
use crate::money::Money;

/// Rows checked between two progress updates.
const PROGRESS_EVERY: usize = 500;
/// Multi-row INSERTs are not available through `MultiConnection`: run them on the concrete
/// connection (inside the transaction already open on it).
macro_rules! insert_many {
    ($conn:expr, $table:expr, $values:expr) => {
        match $conn {
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($values).execute(c),
            DbConnection::Postgresql(c) => diesel::insert_into($table).values($values).execute(c),
        }
    };
}

/// Rows per multi-row INSERT (SQLite allows 32766 bound parameters per statement).
const INSERT_BATCH: usize = 500;

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ImportStatus {
        /// First pass: reading and checking rows (`processed_rows` of `total_rows`).
        Validating,
        /// Second pass: writing in one transaction.
        Writing,
        /// A dry run found no bad row; nothing was written.
        Validated,
        /// Written.
        Completed,
        /// Refused (bad rows or another error); nothing was written.
        Failed,
    }
}

/// An import and its progress. Counts are what was written, or for a dry run what would be.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportJob {
    pub id: i64,
    pub format: Format,
    pub dry_run: bool,
    pub status: ImportStatus,
    /// Data rows in the file (0 until the file has been read).
    pub total_rows: i64,
    /// Rows checked so far.
    pub processed_rows: i64,
    /// Rows with at least one error.
    pub error_rows: i64,
    pub products_created: i64,
    pub skus_created: i64,
    pub skus_updated: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

fn to_job(r: CatalogImportRow) -> AppResult<ImportJob> {
    Ok(ImportJob {
        id: r.id,
        format: r.format,
        dry_run: r.dry_run,
        status: r.status,
        total_rows: r.total_rows,
        processed_rows: r.processed_rows,
        error_rows: r.error_rows,
        products_created: r.products_created,
        skus_created: r.skus_created,
        skus_updated: r.skus_updated,
        created_at: clock::to_utc(r.created_at),
        updated_at: clock::to_utc(r.updated_at),
        finished_at: r.finished_at.map(clock::to_utc),
    })
}

pub fn find_job(conn: &mut DbConnection, merchant_id: MerchantId, id: i64) -> AppResult<ImportJob> {
    let row: CatalogImportRow = catalog_imports::table
        .filter(catalog_imports::merchant_id.eq(merchant_id))
        .filter(catalog_imports::id.eq(id))
        .select(CatalogImportRow::as_select())
        .first(conn)?;
    to_job(row)
}

/// The merchant's 20 most recent imports, newest first (a running one among them).
pub fn list_jobs(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Vec<ImportJob>> {
    let rows: Vec<CatalogImportRow> = catalog_imports::table
        .filter(catalog_imports::merchant_id.eq(merchant_id))
        .select(CatalogImportRow::as_select())
        .order(catalog_imports::id.desc())
        .limit(20)
        .load(conn)?;
    rows.into_iter().map(to_job).collect()
}

// ---------------------------------------------------------------------------------------------
// Rows

#[derive(Debug, Clone)]
struct Row {
    number: u32,
    name: String,
    /// `None`: no category column; `Some(empty)`: no category.
    category: Option<Vec<String>>,
    specs: Option<Vec<(String, String)>>,
    code: String,
    barcode: Option<Option<String>>,
    weight: Option<i32>,
    price: Money,
    stock: Option<i64>,
    /// `None`: no such column; otherwise the SKU's whole list of purchase prices, by tier name.
    distributor_prices: Option<Vec<(String, Money)>>,
    /// `None`: no freight template column; `Some(None)`: the default template.
    freight_template: Option<Option<String>>,
}

fn reason(en: impl Into<String>, zh: impl Into<String>) -> Text {
    Text::new(en.into(), zh.into())
}

fn required() -> Text {
    reason("a value is required.", "不能为空。")
}

fn whole_number(text: &str, max: i64) -> Result<i64, (ErrorCode, Text)> {
    if text.starts_with('-') && text.len() > 1 {
        return Err((
            ErrorCode::Range,
            reason("must not be negative.", "不能为负数。"),
        ));
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err((
            ErrorCode::InvalidInteger,
            reason(
                format!("`{text}` is not a whole number."),
                format!("`{text}` 不是整数。"),
            ),
        ));
    }
    match text.parse::<i64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err((
            ErrorCode::Range,
            reason(format!("at most {max}."), format!("不能大于 {max}。")),
        )),
    }
}

fn parse_specs(text: &str) -> Result<Vec<(String, String)>, Text> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in text.split([';', '；']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((name, value)) = part.split_once([':', '：']) else {
            return Err(reason(
                format!("`{part}` is not `name:value` (e.g. `颜色:红;尺码:M`)."),
                format!("`{part}` 不是“规格名:规格值”格式（例如 `颜色:红;尺码:M`）。"),
            ));
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() || name.chars().count() > 20 {
            return Err(reason(
                "specification names have 1–20 characters.",
                "规格名须为 1–20 个字符。",
            ));
        }
        if value.is_empty() || value.chars().count() > 30 {
            return Err(reason(
                "specification values have 1–30 characters.",
                "规格值须为 1–30 个字符。",
            ));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(reason(
                format!("the specification `{name}` appears twice."),
                format!("规格 `{name}` 重复。"),
            ));
        }
        out.push((name.to_owned(), value.to_owned()));
    }
    if out.len() > super::products::MAX_SPECS {
        return Err(reason("at most three specifications.", "最多三个规格。"));
    }
    Ok(out)
}

/// `金牌:80.00;银牌:90` — a tier name and a price per entry; full-width `：；` are accepted. The
/// price is after the last colon, so a tier name may contain one.
fn parse_tier_prices(text: &str) -> Result<Vec<(String, Money)>, (ErrorCode, Text)> {
    let mut out: Vec<(String, Money)> = Vec::new();
    for part in text.split([';', '；']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((name, price)) = part.rsplit_once([':', '：']) else {
            return Err((
                ErrorCode::InvalidTierPrices,
                reason(
                    format!("`{part}` is not `tier:price` (e.g. `金牌:80.00;银牌:90`)."),
                    format!("`{part}` 不是“等级:价格”格式（例如 `金牌:80.00;银牌:90`）。"),
                ),
            ));
        };
        let (name, price) = (name.trim(), price.trim());
        if name.is_empty() {
            return Err((
                ErrorCode::InvalidTierPrices,
                reason("a tier name is missing.", "缺少等级名称。"),
            ));
        }
        let price = Money::parse_yuan(price).map_err(|e| {
            let Text { en, zh } = Message::new(e.code()).text();
            (
                e.code(),
                reason(
                    format!("`{name}`: `{price}`: {}", lower_first(&en)),
                    format!("`{name}`：`{price}`：{zh}"),
                ),
            )
        })?;
        if out.iter().any(|(n, _)| n == name) {
            return Err((
                ErrorCode::DuplicateTierPrice,
                reason(
                    format!("the tier `{name}` has two prices."),
                    format!("等级 `{name}` 有两个价格。"),
                ),
            ));
        }
        out.push((name.to_owned(), price));
    }
    Ok(out)
}

fn parse_category(text: &str) -> Result<Vec<String>, Text> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<String> = text.split('/').map(|p| p.trim().to_owned()).collect();
    if parts.iter().any(|p| p.is_empty() || p.chars().count() > 50) {
        return Err(reason(
            "write the path from the top category, e.g. `茶叶/绿茶`.",
            "请填写从一级分类开始的路径，例如 `茶叶/绿茶`。",
        ));
    }
    Ok(parts)
}

/// Checks one row on its own; every bad cell is reported.
fn parse_row(
    raw: &RawRow,
    positions: &[Option<usize>; sheet::COLUMN_COUNT],
) -> Result<Row, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = raw.number;
    let cell = |index: usize, errors: &mut Vec<FieldError>| -> Option<String> {
        let position = positions[index]?;
        match raw.cells.get(position) {
            None => Some(String::new()),
            Some(Ok(text)) => Some(text.clone()),
            Some(Err(why)) => {
                errors.push(sheet::row_error(
                    number,
                    &COLUMNS[index],
                    ErrorCode::InvalidCell.text_arg("reason", why.clone()),
                ));
                None
            }
        }
    };
    let fail = |errors: &mut Vec<FieldError>, index: usize, code: ErrorCode, why: Text| {
        errors.push(sheet::row_error(
            number,
            &COLUMNS[index],
            Message::new(code).text_arg("reason", why),
        ));
    };

    let name = cell(sheet::NAME, &mut errors).unwrap_or_default();
    if name.is_empty() {
        fail(&mut errors, sheet::NAME, ErrorCode::Required, required());
    } else if name.chars().count() > 120 {
        fail(
            &mut errors,
            sheet::NAME,
            ErrorCode::Length,
            reason("at most 120 characters.", "最多 120 个字符。"),
        );
    }
    let category = match cell(sheet::CATEGORY, &mut errors) {
        Some(text) => match parse_category(&text) {
            Ok(path) => Some(path),
            Err(why) => {
                fail(
                    &mut errors,
                    sheet::CATEGORY,
                    ErrorCode::InvalidCategory,
                    why,
                );
                None
            }
        },
        None => None,
    };
    let specs = match cell(sheet::SPECS, &mut errors) {
        Some(text) => match parse_specs(&text) {
            Ok(specs) => Some(specs),
            Err(why) => {
                fail(&mut errors, sheet::SPECS, ErrorCode::InvalidSpecValues, why);
                None
            }
        },
        None => None,
    };
    let code = cell(sheet::SKU_CODE, &mut errors).unwrap_or_default();
    if code.is_empty() {
        fail(
            &mut errors,
            sheet::SKU_CODE,
            ErrorCode::Required,
            required(),
        );
    } else if code.chars().count() > 64 {
        fail(
            &mut errors,
            sheet::SKU_CODE,
            ErrorCode::Length,
            reason("at most 64 characters.", "最多 64 个字符。"),
        );
    }
    let barcode = match cell(sheet::BARCODE, &mut errors) {
        Some(text) if text.chars().count() > 64 => {
            fail(
                &mut errors,
                sheet::BARCODE,
                ErrorCode::Length,
                reason("at most 64 characters.", "最多 64 个字符。"),
            );
            None
        }
        Some(text) => Some((!text.is_empty()).then_some(text)),
        None => None,
    };
    let weight = match cell(sheet::WEIGHT, &mut errors) {
        Some(text) if text.is_empty() => Some(0),
        Some(text) => match whole_number(&text, 1_000_000) {
            Ok(n) => i32::try_from(n).ok(),
            Err((code, why)) => {
                fail(&mut errors, sheet::WEIGHT, code, why);
                None
            }
        },
        None => None,
    };
    let price = match cell(sheet::PRICE, &mut errors) {
        Some(text) if text.is_empty() => {
            fail(&mut errors, sheet::PRICE, ErrorCode::Required, required());
            None
        }
        Some(text) => match Money::parse_yuan(&text) {
            Ok(price) => Some(price),
            Err(e) => {
                let Text { en, zh } = Message::new(e.code()).text();
                fail(
                    &mut errors,
                    sheet::PRICE,
                    e.code(),
                    reason(
                        format!("`{text}`: {}", lower_first(&en)),
                        format!("`{text}`：{zh}"),
                    ),
                );
                None
            }
        },
        None => None,
    };
    let stock = match cell(sheet::STOCK, &mut errors) {
        Some(text) if text.is_empty() => {
            fail(&mut errors, sheet::STOCK, ErrorCode::Required, required());
            None
        }
        Some(text) => match whole_number(&text, 1_000_000_000) {
            Ok(n) => Some(n),
            Err((code, why)) => {
                fail(&mut errors, sheet::STOCK, code, why);
                None
            }
        },
        None => None,
    };
    let distributor_prices = match cell(sheet::DISTRIBUTOR_PRICES, &mut errors) {
        Some(text) => match parse_tier_prices(&text) {
            Ok(prices) => Some(prices),
            Err((code, why)) => {
                fail(&mut errors, sheet::DISTRIBUTOR_PRICES, code, why);
                None
            }
        },
        None => None,
    };
    let freight_template = match cell(sheet::FREIGHT_TEMPLATE, &mut errors) {
        Some(text) if text.chars().count() > 50 => {
            fail(
                &mut errors,
                sheet::FREIGHT_TEMPLATE,
                ErrorCode::Length,
                reason("at most 50 characters.", "最多 50 个字符。"),
            );
            None
        }
        Some(text) => Some((!text.is_empty()).then_some(text)),
        None => None,
    };
    match price {
        Some(price) if errors.is_empty() => Ok(Row {
            number,
            name,
            category,
            specs,
            code,
            barcode,
            weight,
            price,
            stock,
            distributor_prices,
            freight_template,
        }),
        _ => Err(errors),
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// What is in the database

struct ExistingSku {
    id: SkuId,
    product_id: ProductId,
    spec_values: BTreeMap<String, String>,
    stock: i64,
    barcode: Option<String>,
    weight: i32,
    is_virtual: bool,
}

struct ExistingProduct {
    name: String,
    category_id: Option<i64>,
    freight_template_id: Option<i64>,
    spec_names: Vec<String>,
    sku_count: usize,
}

struct Snapshot {
    skus: HashMap<String, ExistingSku>,
    products: HashMap<ProductId, ExistingProduct>,
    by_name: HashMap<String, Vec<ProductId>>,
    category_ids: HashMap<Vec<String>, i64>,
    /// Distributor tiers by name.
    tier_ids: BTreeMap<String, i64>,
    /// Freight templates by name (unique within the merchant).
    freight_template_ids: HashMap<String, i64>,
}

/// The path of every category from its root, e.g. `[茶叶, 绿茶]`.
fn category_paths(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
) -> AppResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<Category> = categories::table
        .filter(categories::merchant_id.eq(merchant_id))
        .select(Category::as_select())
        .load(conn)?;
    let nodes: HashMap<i64, (Option<i64>, String)> = rows
        .into_iter()
        .map(|c| (c.id, (c.parent_id, c.name)))
        .collect();
    let mut out = HashMap::new();
    for id in nodes.keys() {
        let mut path = Vec::new();
        let mut cursor = Some(*id);
        while let Some(c) = cursor {
            let Some((parent, name)) = nodes.get(&c) else {
                break;
            };
            path.push(name.clone());
            cursor = *parent;
            if path.len() > nodes.len() {
                return Err(AppError::internal("category tree has a cycle"));
            }
        }
        path.reverse();
        out.insert(*id, path);
    }
    Ok(out)
}

fn snapshot(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Snapshot> {
    let category_ids = category_paths(conn, merchant_id)?
        .into_iter()
        .map(|(id, path)| (path, id))
        .collect();
    let product_rows: Vec<ProductSheetRow> = products::table
        .filter(products::merchant_id.eq(merchant_id))
        .select(ProductSheetRow::as_select())
        .load(conn)?;
    let mut products = HashMap::new();
    let mut by_name: HashMap<String, Vec<ProductId>> = HashMap::new();
    for p in product_rows {
        by_name.entry(p.name.clone()).or_default().push(p.id);
        products.insert(
            p.id,
            ExistingProduct {
                name: p.name,
                category_id: p.category_id,
                freight_template_id: p.freight_template_id,
                spec_names: serde_json::from_str(&p.spec_names).unwrap_or_default(),
                sku_count: 0,
            },
        );
    }
    let sku_rows: Vec<SkuRow> = skus::table
        .filter(skus::merchant_id.eq(merchant_id))
        .select(SkuRow::as_select())
        .load(conn)?;
    let mut skus = HashMap::new();
    for sku in sku_rows {
        if let Some(p) = products.get_mut(&sku.product_id) {
            p.sku_count += 1;
        }
        skus.insert(
            sku.code,
            ExistingSku {
                id: sku.id,
                product_id: sku.product_id,
                spec_values: serde_json::from_str(&sku.spec_values).unwrap_or_default(),
                stock: sku.stock,
                barcode: sku.barcode,
                weight: sku.weight_grams,
                is_virtual: sku.kind == SkuKind::Virtual,
            },
        );
    }
    Ok(Snapshot {
        skus,
        products,
        by_name,
        category_ids,
        tier_ids: tiers::ids_by_name(conn, merchant_id)?,
        freight_template_ids: freight_templates::table
            .filter(freight_templates::merchant_id.eq(merchant_id))
            .select((freight_templates::name, freight_templates::id))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// The plan: what each row does

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ProductRef {
    Existing(ProductId),
    New(usize),
}

enum Action {
    Update {
        sku_id: SkuId,
        old_stock: i64,
        barcode: Option<String>,
        weight: i32,
    },
    Create(ProductRef),
}

struct NewProduct {
    name: String,
    category_id: Option<i64>,
    freight_template_id: Option<i64>,
    spec_names: Vec<String>,
    sku_count: usize,
}

#[derive(Default)]
struct Plan {
    actions: Vec<Action>,
    new_products: Vec<NewProduct>,
    skus_created: i64,
    skus_updated: i64,
    /// The tiers the rows name, by name.
    tier_ids: BTreeMap<String, i64>,
    /// The freight templates the rows name.
    freight_template_ids: BTreeSet<i64>,
}

fn template_immutable() -> Text {
    reason(
        "an import does not change the freight template of an existing product; change it in the product editor.",
        "导入不能修改已有商品的运费模板，请在商品编辑中修改。",
    )
}

fn plan(rows: &[Row], db: &Snapshot) -> (Plan, Vec<FieldError>) {
    let mut plan = Plan::default();
    let mut errors = Vec::new();
    let mut codes: HashMap<String, u32> = HashMap::new();
    let mut new_by_name: HashMap<&str, usize> = HashMap::new();
    let mut combinations: HashSet<(ProductRef, BTreeMap<String, String>)> = db
        .skus
        .values()
        .map(|s| (ProductRef::Existing(s.product_id), s.spec_values.clone()))
        .collect();
    let mut added: HashMap<i64, usize> = HashMap::new();
    for row in rows {
        let n = row.number;
        let mut err = |column: usize, code: ErrorCode, why: Text| {
            errors.push(sheet::row_error(
                n,
                &COLUMNS[column],
                Message::new(code).text_arg("reason", why),
            ));
        };
        if let Some(first) = codes.insert(row.code.to_lowercase(), n) {
            err(
                sheet::SKU_CODE,
                ErrorCode::DuplicateSkuCode,
                reason(
                    format!("the SKU code `{}` is also on row {first}.", row.code),
                    format!("SKU 编码 `{}` 与第 {first} 行重复。", row.code),
                ),
            );
            plan.actions.push(Action::Update {
                sku_id: SkuId(0),
                old_stock: 0,
                barcode: None,
                weight: 0,
            });
            continue;
        }
        let category = match &row.category {
            None => None,
            Some(path) if path.is_empty() => Some(None),
            Some(path) => match db.category_ids.get(path) {
                Some(id) => Some(Some(*id)),
                None => {
                    err(
                        sheet::CATEGORY,
                        ErrorCode::UnknownCategory,
                        reason(
                            format!("no category `{}`; create it first.", path.join("/")),
                            format!("分类 `{}` 不存在，请先创建。", path.join("/")),
                        ),
                    );
                    None
                }
            },
        };
        let freight_template = match &row.freight_template {
            None => None,
            Some(None) => Some(None),
            Some(Some(name)) => match db.freight_template_ids.get(name) {
                Some(id) => {
                    plan.freight_template_ids.insert(*id);
                    Some(Some(*id))
                }
                None => {
                    err(
                        sheet::FREIGHT_TEMPLATE,
                        ErrorCode::UnknownFreightTemplate,
                        reason(
                            format!("there is no freight template `{name}`; leave it empty for the default."),
                            format!("运费模板 `{name}` 不存在；留空则使用默认模板。"),
                        ),
                    );
                    None
                }
            },
        };
        for (tier, _) in row.distributor_prices.iter().flatten() {
            match db.tier_ids.get(tier) {
                Some(id) => {
                    plan.tier_ids.insert(tier.clone(), *id);
                }
                None => err(
                    sheet::DISTRIBUTOR_PRICES,
                    ErrorCode::UnknownTier,
                    reason(
                        format!("there is no distributor tier `{tier}`."),
                        format!("分销等级 `{tier}` 不存在。"),
                    ),
                ),
            }
        }
        let spec_map: Option<BTreeMap<String, String>> =
            row.specs.as_ref().map(|s| s.iter().cloned().collect());

        if let Some(existing) = db.skus.get(&row.code) {
            let Some(product) = db.products.get(&existing.product_id) else {
                continue;
            };
            if product.name != row.name {
                err(
                    sheet::NAME,
                    ErrorCode::ImmutableByImport,
                    reason(
                        format!(
                            "the SKU `{}` belongs to the product `{}`; an import does not rename products or move SKUs.",
                            row.code, product.name
                        ),
                        format!(
                            "SKU `{}` 属于商品 `{}`，导入不能修改商品名称或移动 SKU。",
                            row.code, product.name
                        ),
                    ),
                );
            }
            if spec_map
                .as_ref()
                .is_some_and(|m| *m != existing.spec_values)
            {
                err(
                    sheet::SPECS,
                    ErrorCode::ImmutableByImport,
                    reason(
                        "an import does not change the specifications of an existing SKU.",
                        "导入不能修改已有 SKU 的规格。",
                    ),
                );
            }
            if category.is_some_and(|c| c != product.category_id) {
                err(
                    sheet::CATEGORY,
                    ErrorCode::ImmutableByImport,
                    reason(
                        "an import does not change the category of an existing product.",
                        "导入不能修改已有商品的分类。",
                    ),
                );
            }
            if freight_template.is_some_and(|t| t != product.freight_template_id) {
                err(
                    sheet::FREIGHT_TEMPLATE,
                    ErrorCode::ImmutableByImport,
                    template_immutable(),
                );
            }
            // A virtual SKU's stock is its count of available codes; only importing codes
            // changes it.
            if existing.is_virtual && row.stock.is_some_and(|s| s != existing.stock) {
                err(
                    sheet::STOCK,
                    ErrorCode::VirtualStock,
                    reason(
                        "the stock of a virtual SKU is its number of codes; import codes instead.",
                        "虚拟商品的库存等于卡密数量，请导入卡密。",
                    ),
                );
            }
            plan.skus_updated += 1;
            plan.actions.push(Action::Update {
                sku_id: existing.id,
                old_stock: existing.stock,
                barcode: existing.barcode.clone(),
                weight: existing.weight,
            });
            continue;
        }

        let names: Vec<String> = row
            .specs
            .as_ref()
            .map(|s| s.iter().map(|(k, _)| k.clone()).collect())
            .unwrap_or_default();
        let name_set: BTreeSet<&String> = names.iter().collect();
        let target = match db.by_name.get(&row.name).map(Vec::as_slice) {
            Some([id]) => {
                let product = &db.products[id];
                let count = added.entry((*id).get()).or_insert(product.sku_count);
                *count += 1;
                if *count > MAX_SKUS {
                    err(
                        sheet::NAME,
                        ErrorCode::TooManySkus,
                        reason(
                            format!("a product has at most {MAX_SKUS} SKUs."),
                            format!("一个商品最多 {MAX_SKUS} 个 SKU。"),
                        ),
                    );
                }
                if product.spec_names.iter().collect::<BTreeSet<_>>() != name_set {
                    err(
                        sheet::SPECS,
                        ErrorCode::InvalidSpecValues,
                        reason(
                            format!(
                                "the product `{}` has the specifications `{}`; give one value for each.",
                                row.name,
                                product.spec_names.join(";")
                            ),
                            format!(
                                "商品 `{}` 的规格为 `{}`，须为每个规格填写一个值。",
                                row.name,
                                product.spec_names.join(";")
                            ),
                        ),
                    );
                }
                if category.is_some_and(|c| c != product.category_id) {
                    err(
                        sheet::CATEGORY,
                        ErrorCode::ImmutableByImport,
                        reason(
                            "an import does not change the category of an existing product.",
                            "导入不能修改已有商品的分类。",
                        ),
                    );
                }
                if freight_template.is_some_and(|t| t != product.freight_template_id) {
                    err(
                        sheet::FREIGHT_TEMPLATE,
                        ErrorCode::ImmutableByImport,
                        template_immutable(),
                    );
                }
                ProductRef::Existing(*id)
            }
            Some(_) => {
                err(
                    sheet::NAME,
                    ErrorCode::AmbiguousProduct,
                    reason(
                        format!("several products are named `{}`; add SKUs to them in the product editor.", row.name),
                        format!("有多个名为 `{}` 的商品，请在商品编辑中添加 SKU。", row.name),
                    ),
                );
                ProductRef::New(usize::MAX)
            }
            None => {
                if let Some(index) = new_by_name.get(row.name.as_str()) {
                    let group = &mut plan.new_products[*index];
                    group.sku_count += 1;
                    if group.sku_count > MAX_SKUS {
                        err(
                            sheet::NAME,
                            ErrorCode::TooManySkus,
                            reason(
                                format!("a product has at most {MAX_SKUS} SKUs."),
                                format!("一个商品最多 {MAX_SKUS} 个 SKU。"),
                            ),
                        );
                    }
                    if group.spec_names.iter().collect::<BTreeSet<_>>() != name_set {
                        err(
                            sheet::SPECS,
                            ErrorCode::InvalidSpecValues,
                            reason(
                                format!(
                                    "the rows of `{}` must all name the specifications `{}`.",
                                    row.name,
                                    group.spec_names.join(";")
                                ),
                                format!(
                                    "商品 `{}` 的各行须使用相同的规格 `{}`。",
                                    row.name,
                                    group.spec_names.join(";")
                                ),
                            ),
                        );
                    }
                    if category.is_some_and(|c| c != group.category_id) {
                        err(
                            sheet::CATEGORY,
                            ErrorCode::InconsistentCategory,
                            reason(
                                format!("the rows of `{}` must have the same category.", row.name),
                                format!("商品 `{}` 的各行分类须相同。", row.name),
                            ),
                        );
                    }
                    if freight_template.is_some_and(|t| t != group.freight_template_id) {
                        err(
                            sheet::FREIGHT_TEMPLATE,
                            ErrorCode::InconsistentFreightTemplate,
                            reason(
                                format!(
                                    "the rows of `{}` must have the same freight template.",
                                    row.name
                                ),
                                format!("商品 `{}` 的各行运费模板须相同。", row.name),
                            ),
                        );
                    }
                    ProductRef::New(*index)
                } else {
                    plan.new_products.push(NewProduct {
                        name: row.name.clone(),
                        category_id: category.flatten(),
                        freight_template_id: freight_template.flatten(),
                        spec_names: names.clone(),
                        sku_count: 1,
                    });
                    let index = plan.new_products.len() - 1;
                    new_by_name.insert(row.name.as_str(), index);
                    ProductRef::New(index)
                }
            }
        };
        let values = spec_map.unwrap_or_default();
        if !combinations.insert((target, values)) {
            err(
                sheet::SPECS,
                ErrorCode::DuplicateSpecValues,
                reason(
                    "another SKU of this product has the same specification values.",
                    "该商品已有规格值完全相同的 SKU。",
                ),
            );
        }
        plan.skus_created += 1;
        plan.actions.push(Action::Create(target));
    }
    (plan, errors)
}

// ---------------------------------------------------------------------------------------------
// Running an import

fn create_job(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    format: Format,
    dry_run: bool,
    now: NaiveDateTime,
) -> AppResult<i64> {
    write_transaction(conn, |conn| {
        diesel::insert_into(catalog_imports::table)
            .values(CatalogImportInsertForm {
                merchant_id,
                format,
                dry_run,
                status: ImportStatus::Validating,
                created_at: now,
                updated_at: now,
            })
            .returning(catalog_imports::id)
            .get_result(conn)
            .map_err(AppError::from)
    })
}

fn update_job(
    conn: &mut DbConnection,
    job_id: i64,
    status: ImportStatus,
    total: i64,
    processed: i64,
    error_rows: i64,
) -> AppResult<()> {
    let now = clock::now();
    let finished = matches!(
        status,
        ImportStatus::Validated | ImportStatus::Completed | ImportStatus::Failed
    )
    .then_some(now);
    diesel::update(catalog_imports::table.filter(catalog_imports::id.eq(job_id)))
        .set((
            catalog_imports::status.eq(status),
            catalog_imports::total_rows.eq(total),
            catalog_imports::processed_rows.eq(processed),
            catalog_imports::error_rows.eq(error_rows),
            catalog_imports::updated_at.eq(now),
            catalog_imports::finished_at.eq(finished),
        ))
        .execute(conn)?;
    Ok(())
}

fn set_counts(conn: &mut DbConnection, job_id: i64, plan: &Plan) -> AppResult<()> {
    diesel::update(catalog_imports::table.filter(catalog_imports::id.eq(job_id)))
        .set((
            catalog_imports::products_created.eq(plan.new_products.len() as i64),
            catalog_imports::skus_created.eq(plan.skus_created),
            catalog_imports::skus_updated.eq(plan.skus_updated),
        ))
        .execute(conn)?;
    Ok(())
}

/// Imports a file for the caller's merchant. Bad rows answer 422 listing every one of them (field
/// `rows[N].column`); nothing is written then, nor on a dry run. The job row records the outcome
/// either way.
pub fn run(
    conn: &mut DbConnection,
    caller: &Principal,
    format: Format,
    body: &[u8],
    dry_run: bool,
) -> AppResult<ImportJob> {
    let merchant_id = caller.tenant()?;
    let now = clock::now();
    let job_id = create_job(conn, merchant_id, format, dry_run, now)?;
    let mut total = 0;
    let mut processed = 0;
    match process(
        conn,
        caller,
        merchant_id,
        job_id,
        format,
        body,
        dry_run,
        now,
        &mut total,
        &mut processed,
    ) {
        Ok(()) => find_job(conn, merchant_id, job_id),
        Err(err) => {
            let error_rows = match &err {
                AppError::Validation(fields) => fields
                    .iter()
                    .map(|f| f.field.split('.').next().unwrap_or_default())
                    .collect::<BTreeSet<_>>()
                    .len() as i64,
                _ => 0,
            };
            // The outcome is best effort: the refusal itself is what the caller must get.
            let _ = write_transaction(conn, |conn| {
                update_job(
                    conn,
                    job_id,
                    ImportStatus::Failed,
                    total,
                    processed,
                    error_rows,
                )
            });
            Err(err)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn process(
    conn: &mut DbConnection,
    caller: &Principal,
    merchant_id: MerchantId,
    job_id: i64,
    format: Format,
    body: &[u8],
    dry_run: bool,
    now: NaiveDateTime,
    total: &mut i64,
    processed: &mut i64,
) -> AppResult<()> {
    let file = sheet::read(format, body)?;
    let positions = sheet::map_header(&file)?;
    if positions[sheet::STOCK].is_some() {
        caller.require(Permission::InventoryWrite)?;
    }
    *total = file.rows.len() as i64;

    // First pass: every row on its own, progress written as it goes.
    let mut rows = Vec::with_capacity(file.rows.len());
    let mut errors = Vec::new();
    for chunk in file.rows.chunks(PROGRESS_EVERY) {
        for raw in chunk {
            match parse_row(raw, &positions) {
                Ok(row) => rows.push(row),
                Err(mut e) => errors.append(&mut e),
            }
        }
        *processed += chunk.len() as i64;
        let (t, p) = (*total, *processed);
        write_transaction(conn, |conn| {
            update_job(conn, job_id, ImportStatus::Validating, t, p, 0)
        })?;
    }
    // Then the rows together and against what exists.
    let db = snapshot(conn, merchant_id)?;
    let (planned, mut plan_errors) = plan(&rows, &db);
    errors.append(&mut plan_errors);
    if !errors.is_empty() {
        errors.sort_by_key(|e| row_of(&e.field));
        return Err(AppError::Validation(errors));
    }
    if dry_run {
        let (t, p) = (*total, *processed);
        return write_transaction(conn, |conn| {
            set_counts(conn, job_id, &planned)?;
            update_job(conn, job_id, ImportStatus::Validated, t, p, 0)
        });
    }
    let (t, p) = (*total, *processed);
    write_transaction(conn, |conn| {
        update_job(conn, job_id, ImportStatus::Writing, t, p, 0)
    })?;

    // Second pass: one transaction, planned again on what it reads inside it.
    write_transaction(conn, |conn| {
        let db = snapshot(conn, merchant_id)?;
        let (planned, errors) = plan(&rows, &db);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        write(conn, merchant_id, &rows, &planned, now)?;
        set_counts(conn, job_id, &planned)?;
        update_job(conn, job_id, ImportStatus::Completed, t, p, 0)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("catalog.imported")
                .target("catalog_import", job_id)
                .changes(serde_json::json!({
                    "rows": { "before": null, "after": t },
                    "products_created": { "before": null, "after": planned.new_products.len() },
                    "skus_created": { "before": null, "after": planned.skus_created },
                    "skus_updated": { "before": null, "after": planned.skus_updated },
                })),
            now,
        )
    })
}

fn row_of(field: &str) -> u32 {
    field
        .strip_prefix("rows[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn stock_changed() -> AppError {
    AppError::conflict(ErrorCode::StockChanged)
}

fn write(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    rows: &[Row],
    plan: &Plan,
    now: NaiveDateTime,
) -> AppResult<()> {
    // Before anything is written: the tiers named must still exist, and stay (see
    // `tiers::existing_ids`).
    let named: BTreeSet<i64> = plan.tier_ids.values().copied().collect();
    if tiers::existing_ids(conn, merchant_id, &named)?.len() != named.len() {
        return Err(AppError::conflict(ErrorCode::TiersChanged));
    }
    // Likewise the freight templates named (a template no product uses yet may be deleted).
    let templates: Vec<i64> = plan.freight_template_ids.iter().copied().collect();
    let found: i64 = freight_templates::table
        .filter(freight_templates::merchant_id.eq(merchant_id))
        .filter(freight_templates::id.eq_any(&templates))
        .count()
        .get_result(conn)?;
    if found != templates.len() as i64 {
        return Err(AppError::conflict(ErrorCode::FreightTemplatesChanged));
    }
    let mut product_ids = Vec::with_capacity(plan.new_products.len());
    for p in &plan.new_products {
        let spec_names = serde_json::to_string(&p.spec_names).map_err(AppError::internal)?;
        let id: ProductId = diesel::insert_into(products::table)
            .values(ImportedProductInsertForm {
                merchant_id,
                category_id: p.category_id,
                freight_template_id: p.freight_template_id,
                name: &p.name,
                spec_names: &spec_names,
                status: super::lifecycle::ProductStatus::Draft,
                created_at: now,
                updated_at: now,
            })
            .returning(products::id)
            .get_result(conn)?;
        product_ids.push(id);
    }

    let mut new_skus = Vec::new();
    // A changed stock of an existing SKU goes through `inventory::change` like every other stock
    // write (a movement and the low-stock alert). New SKUs are inserted with their opening stock
    // in batches (thousands of them: one statement per SKU would multiply the import's time), and
    // get the same movement and alert below.
    let mut new_stock: Vec<(String, i64)> = Vec::new();
    let mut stock_changes: Vec<(SkuId, i64)> = Vec::new();
    // SKUs whose purchase prices the file sets: existing ones by id, new ones by code.
    let mut priced_ids: Vec<(SkuId, &[(String, Money)])> = Vec::new();
    let mut priced_codes: Vec<(&str, &[(String, Money)])> = Vec::new();
    for (row, action) in rows.iter().zip(&plan.actions) {
        if let Some(prices) = &row.distributor_prices {
            match action {
                Action::Update { sku_id, .. } => priced_ids.push((*sku_id, prices)),
                Action::Create(_) if !prices.is_empty() => {
                    priced_codes.push((row.code.as_str(), prices))
                }
                Action::Create(_) => {}
            }
        }
        match action {
            Action::Create(target) => {
                let product_id = match target {
                    ProductRef::Existing(id) => *id,
                    ProductRef::New(i) => *product_ids
                        .get(*i)
                        .ok_or_else(|| AppError::internal("planned product missing"))?,
                };
                let spec_values: BTreeMap<&str, &str> = row
                    .specs
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let stock = row.stock.unwrap_or(0);
                if stock > 0 {
                    new_stock.push((row.code.clone(), stock));
                }
                new_skus.push((
                    skus::merchant_id.eq(merchant_id),
                    skus::product_id.eq(product_id),
                    skus::code.eq(row.code.clone()),
                    skus::spec_values
                        .eq(serde_json::to_string(&spec_values).map_err(AppError::internal)?),
                    skus::barcode.eq(row.barcode.clone().flatten()),
                    skus::weight_grams.eq(row.weight.unwrap_or(0)),
                    skus::retail_price_fen.eq(row.price.fen()),
                    skus::stock.eq(stock),
                    skus::created_at.eq(now),
                    skus::updated_at.eq(now),
                ));
            }
            Action::Update {
                sku_id,
                old_stock,
                barcode,
                weight,
            } => {
                // One statement per SKU; a column left out of the file keeps its value. The
                // row is written only while its stock is the stock read: a sale in between is
                // not overwritten silently, and the stock change below starts from it.
                let barcode = row.barcode.clone().unwrap_or_else(|| barcode.clone());
                let changed = diesel::update(
                    skus::table
                        .filter(skus::id.eq(*sku_id))
                        .filter(skus::merchant_id.eq(merchant_id))
                        .filter(skus::stock.eq(*old_stock)),
                )
                .set((
                    skus::retail_price_fen.eq(row.price.fen()),
                    skus::barcode.eq(barcode),
                    skus::weight_grams.eq(row.weight.unwrap_or(*weight)),
                    skus::updated_at.eq(now),
                ))
                .execute(conn)?;
                if changed == 0 {
                    return Err(stock_changed());
                }
                if let Some(stock) = row.stock {
                    if stock != *old_stock {
                        stock_changes.push((*sku_id, stock - old_stock));
                    }
                }
            }
        }
    }
    for batch in new_skus.chunks(INSERT_BATCH) {
        insert_many!(conn, skus::table, batch.to_vec())?;
    }
    // New SKUs get their opening stock as movements in batches; the sheet sets no low-stock
    // threshold, so none of them can cross one (existing SKUs go through `inventory::change`).
    for batch in new_stock.chunks(INSERT_BATCH) {
        let codes: Vec<&str> = batch.iter().map(|(c, _)| c.as_str()).collect();
        let found: HashMap<String, SkuId> = skus::table
            .filter(skus::merchant_id.eq(merchant_id))
            .filter(skus::code.eq_any(&codes))
            .select((skus::code, skus::id))
            .load::<(String, SkuId)>(conn)?
            .into_iter()
            .collect();
        let mut values = Vec::with_capacity(batch.len());
        for (code, stock) in batch {
            let id = *found
                .get(code)
                .ok_or_else(|| AppError::internal("imported SKU not found"))?;
            values.push((
                stock_movements::merchant_id.eq(merchant_id),
                stock_movements::sku_id.eq(id),
                stock_movements::delta.eq(*stock),
                stock_movements::reason.eq(MovementReason::Import),
                stock_movements::created_at.eq(now),
            ));
        }
        insert_many!(conn, stock_movements::table, values)?;
    }
    for batch in priced_codes.chunks(INSERT_BATCH) {
        let codes: Vec<&str> = batch.iter().map(|(c, _)| *c).collect();
        let ids: HashMap<String, SkuId> = skus::table
            .filter(skus::merchant_id.eq(merchant_id))
            .filter(skus::code.eq_any(&codes))
            .select((skus::code, skus::id))
            .load::<(String, SkuId)>(conn)?
            .into_iter()
            .collect();
        for (code, prices) in batch {
            let id = ids
                .get(*code)
                .ok_or_else(|| AppError::internal("imported SKU not found"))?;
            priced_ids.push((*id, prices));
        }
    }
    write_distributor_prices(conn, merchant_id, &priced_ids, &plan.tier_ids)?;
    for (sku_id, delta) in stock_changes {
        inventory::change(
            conn,
            merchant_id,
            sku_id,
            delta,
            MovementReason::Import,
            None,
            now,
        )?;
    }
    Ok(())
}

/// Replaces the purchase prices of each SKU listed (an empty list clears them), a batch of SKUs
/// per statement.
fn write_distributor_prices(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    priced: &[(SkuId, &[(String, Money)])],
    tier_ids: &BTreeMap<String, i64>,
) -> AppResult<()> {
    for batch in priced.chunks(INSERT_BATCH) {
        let ids: Vec<SkuId> = batch.iter().map(|(id, _)| *id).collect();
        diesel::delete(
            sku_tier_prices::table
                .filter(sku_tier_prices::merchant_id.eq(merchant_id))
                .filter(sku_tier_prices::tier_kind.eq(TierKind::Distributor))
                .filter(sku_tier_prices::sku_id.eq_any(&ids)),
        )
        .execute(conn)?;
        let mut values = Vec::new();
        for (sku_id, prices) in batch {
            for (tier, price) in prices.iter() {
                let tier_id = tier_ids
                    .get(tier)
                    .ok_or_else(|| AppError::internal("planned tier missing"))?;
                values.push((
                    sku_tier_prices::merchant_id.eq(merchant_id),
                    sku_tier_prices::sku_id.eq(*sku_id),
                    sku_tier_prices::tier_kind.eq(TierKind::Distributor),
                    sku_tier_prices::tier_id.eq(*tier_id),
                    sku_tier_prices::price_fen.eq(price.fen()),
                ));
            }
        }
        for chunk in values.chunks(INSERT_BATCH) {
            insert_many!(conn, sku_tier_prices::table, chunk.to_vec())?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Export

/// Every SKU of the merchant as rows of the import's columns, products in creation order.
pub fn export(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    format: Format,
) -> AppResult<Vec<u8>> {
    let paths = category_paths(conn, merchant_id)?;
    let template_names: HashMap<i64, String> = freight_templates::table
        .filter(freight_templates::merchant_id.eq(merchant_id))
        .select((freight_templates::id, freight_templates::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let product_rows: Vec<ProductSheetRow> = products::table
        .filter(products::merchant_id.eq(merchant_id))
        .order(products::id.asc())
        .select(ProductSheetRow::as_select())
        .load(conn)?;
    // Per product: name, category path, specification names, freight template name.
    let products: HashMap<ProductId, (String, String, Vec<String>, String)> = product_rows
        .into_iter()
        .map(|p| {
            let path = p
                .category_id
                .and_then(|c| paths.get(&c))
                .map(|p| p.join("/"))
                .unwrap_or_default();
            let template = p
                .freight_template_id
                .and_then(|t| template_names.get(&t).cloned())
                .unwrap_or_default();
            (
                p.id,
                (
                    p.name,
                    path,
                    serde_json::from_str(&p.spec_names).unwrap_or_default(),
                    template,
                ),
            )
        })
        .collect();
    // Purchase prices by tier name, lowest tier first; a price of a tier that no longer exists
    // is not exported (the import would refuse it).
    let price_rows: Vec<(SkuId, String, i64)> = sku_tier_prices::table
        .inner_join(
            distributor_tiers::table.on(distributor_tiers::id
                .eq(sku_tier_prices::tier_id)
                .and(distributor_tiers::merchant_id.eq(sku_tier_prices::merchant_id))),
        )
        .filter(sku_tier_prices::merchant_id.eq(merchant_id))
        .filter(sku_tier_prices::tier_kind.eq(TierKind::Distributor))
        .order((sku_tier_prices::sku_id, distributor_tiers::rank))
        .select((
            sku_tier_prices::sku_id,
            distributor_tiers::name,
            sku_tier_prices::price_fen,
        ))
        .load(conn)?;
    let mut prices: HashMap<SkuId, Vec<String>> = HashMap::new();
    for (sku_id, tier, fen) in price_rows {
        let price = Money::from_fen(fen).unwrap_or(Money::ZERO);
        prices
            .entry(sku_id)
            .or_default()
            .push(format!("{tier}:{price}"));
    }
    let sku_rows: Vec<SkuRow> = skus::table
        .filter(skus::merchant_id.eq(merchant_id))
        .order((skus::product_id.asc(), skus::id.asc()))
        .select(SkuRow::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(sku_rows.len());
    for sku in sku_rows {
        let Some((name, path, spec_names, template)) = products.get(&sku.product_id) else {
            continue;
        };
        let values: BTreeMap<String, String> =
            serde_json::from_str(&sku.spec_values).unwrap_or_default();
        let specs = spec_names
            .iter()
            .filter_map(|n| values.get(n).map(|v| format!("{n}:{v}")))
            .collect::<Vec<_>>()
            .join(";");
        out.push([
            name.clone(),
            path.clone(),
            specs,
            sku.code,
            sku.barcode.unwrap_or_default(),
            sku.weight_grams.to_string(),
            Money::from_fen(sku.retail_price_fen)
                .unwrap_or(Money::ZERO)
                .to_string(),
            sku.stock.to_string(),
            prices.remove(&sku.id).unwrap_or_default().join(";"),
            template.clone(),
        ]);
    }
    sheet::write(format, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_in_order_with_either_punctuation() {
        assert_eq!(
            parse_specs("颜色:红；尺码：M").unwrap(),
            vec![("颜色".into(), "红".into()), ("尺码".into(), "M".into())]
        );
        assert!(parse_specs("颜色").is_err());
        assert!(parse_specs("颜色:红;颜色:绿").is_err());
        assert_eq!(parse_specs("").unwrap(), vec![]);
    }

    #[test]
    fn tier_prices_parse_by_name_with_either_punctuation() {
        let parsed = parse_tier_prices("金牌:80.00；银牌：90; VIP:黑卡:70.5").unwrap();
        let fen: Vec<(&str, i64)> = parsed.iter().map(|(n, p)| (n.as_str(), p.fen())).collect();
        assert_eq!(
            fen,
            vec![("金牌", 8000), ("银牌", 9000), ("VIP:黑卡", 7050)]
        );
        assert_eq!(parse_tier_prices("").unwrap(), vec![]);
        assert_eq!(
            parse_tier_prices("金牌").unwrap_err().0,
            "invalid_tier_prices"
        );
        assert_eq!(
            parse_tier_prices(":80").unwrap_err().0,
            "invalid_tier_prices"
        );
        assert_eq!(
            parse_tier_prices("金牌:1.001").unwrap_err().0,
            "money_precision"
        );
        assert_eq!(
            parse_tier_prices("金牌:1;金牌:2").unwrap_err().0,
            "duplicate_tier_price"
        );
    }

    #[test]
    fn whole_numbers_refuse_fractions_and_negatives() {
        assert_eq!(whole_number("12", 100).unwrap(), 12);
        assert_eq!(whole_number("12.5", 100).unwrap_err().0, "invalid_integer");
        assert_eq!(whole_number("-1", 100).unwrap_err().0, "range");
        assert_eq!(whole_number("101", 100).unwrap_err().0, "range");
    }
}
