//! Low stock: the alert raised once per crossing of a SKU's threshold (an email to the owner and
//! admins and an in-app notice to the staff who manage stock), and the list of SKUs at or below
//! their threshold.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::account::AccountStatus;
use crate::auth::permissions::Permission;
use crate::catalog::lifecycle::ProductStatus;
use crate::catalog::products::SkuKind;
use crate::db::ids::{MerchantId, ProductId, SkuId};
use crate::db::schema::{products, skus, staff_users};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::notify::inbox::{self, Recipients};
use crate::notify::{outbox, templates};
use crate::tenancy::models::StaffRole;

/// Re-evaluates a SKU's low-stock state after its stock (or its threshold) changed; runs in the
/// caller's transaction. The `low_stock_alerted` flag is set by a conditional update, so of two
/// sales crossing together only one alerts, and cleared when stock rises above the threshold
/// (or the threshold is removed), so the next crossing alerts again.
pub fn alert(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    sku_id: SkuId,
    stock: i64,
    now: NaiveDateTime,
) -> AppResult<()> {
    let (threshold, code, product_id, product): (Option<i64>, String, ProductId, String) =
        skus::table
            .inner_join(products::table)
            .filter(skus::id.eq(sku_id))
            .filter(skus::merchant_id.eq(merchant_id))
            .select((
                skus::low_stock_threshold,
                skus::code,
                products::id,
                products::name,
            ))
            .first(conn)?;
    let row = skus::table.filter(skus::id.eq(sku_id));
    let Some(threshold) = threshold.filter(|t| stock <= *t) else {
        diesel::update(row.filter(skus::low_stock_alerted.eq(true)))
            .set(skus::low_stock_alerted.eq(false))
            .execute(conn)?;
        return Ok(());
    };
    let raised = diesel::update(row.filter(skus::low_stock_alerted.eq(false)))
        .set(skus::low_stock_alerted.eq(true))
        .execute(conn)?;
    if raised == 0 {
        return Ok(());
    }
    let owners: Vec<String> = staff_users::table
        .filter(staff_users::merchant_id.eq(merchant_id))
        .filter(staff_users::role.eq_any([StaffRole::Owner, StaffRole::Admin]))
        .filter(staff_users::status.eq(AccountStatus::Active))
        .select(staff_users::email)
        .load(conn)?;
    for email in owners {
        let message = templates::low_stock(&email, &product, &code, stock, threshold);
        outbox::enqueue(conn, Some(merchant_id), &message, now)?;
    }
    let notice = templates::low_stock_notice(product_id, &product, sku_id, &code, stock, threshold);
    inbox::notify_staff(
        conn,
        merchant_id,
        Recipients::Holding(Permission::InventoryWrite),
        &notice,
        now,
    )?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LowStockQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

/// A SKU whose stock is at or below its low-stock threshold.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LowStockSku {
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    pub sku_code: String,
    pub spec_values: BTreeMap<String, String>,
    pub kind: SkuKind,
    #[schema(value_type = i64)]
    pub product_id: ProductId,
    pub product_name: String,
    pub product_status: ProductStatus,
    pub stock: i64,
    pub low_stock_threshold: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LowStockPage {
    /// Newest SKUs first.
    pub items: Vec<LowStockSku>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<i64>,
}

/// The SKU columns a low-stock entry shows.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = skus)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct LowStockSkuRow {
    id: SkuId,
    code: String,
    /// JSON object of the specification values.
    spec_values: String,
    kind: SkuKind,
    stock: i64,
    low_stock_threshold: Option<i64>,
}

/// The product columns a low-stock entry shows.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = products)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct LowStockProductRow {
    id: ProductId,
    name: String,
    status: ProductStatus,
}

/// The merchant's SKUs at or below their threshold, whatever the product's status.
pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    query: &LowStockQuery,
) -> AppResult<LowStockPage> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(AppError::field(
            "limit",
            ErrorCode::Range
                .form("between")
                .arg("min", 1)
                .arg("max", 100),
        ));
    }
    let mut q = skus::table
        .inner_join(products::table)
        .filter(skus::merchant_id.eq(merchant_id))
        .filter(skus::low_stock_threshold.is_not_null())
        .filter(skus::low_stock_threshold.ge(skus::stock.nullable()))
        .select((LowStockSkuRow::as_select(), LowStockProductRow::as_select()))
        .into_boxed();
    if let Some(cursor) = query.cursor {
        q = q.filter(skus::id.lt(SkuId(cursor)));
    }
    let mut rows: Vec<(LowStockSkuRow, LowStockProductRow)> =
        q.order(skus::id.desc()).limit(limit + 1).load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|(sku, _)| sku.id)
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|(sku, product)| LowStockSku {
            sku_id: sku.id,
            sku_code: sku.code,
            spec_values: serde_json::from_str(&sku.spec_values).unwrap_or_default(),
            kind: sku.kind,
            product_id: product.id,
            product_name: product.name,
            product_status: product.status,
            stock: sku.stock,
            low_stock_threshold: sku.low_stock_threshold.unwrap_or_default(),
        })
        .collect();
    Ok(LowStockPage {
        items,
        next_cursor: next_cursor.map(SkuId::get),
    })
}
