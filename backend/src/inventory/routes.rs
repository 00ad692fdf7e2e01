//! HTTP routes of stock.

use actix_web::{get, post, web};

use super::low_stock::{self, LowStockPage, LowStockQuery};
use super::virtual_codes::{self, CodeImport, CodeImportResult, CodeSummary};
use super::{StockAdjustment, StockLevel};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::SkuId;
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;

/// Adjust a SKU's stock
///
/// Adds or removes units with a reason (stocktake, damage, …). Stock never goes below zero.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("sku_id" = i64, Path)),
    request_body = StockAdjustment,
    responses(
        (status = 200, description = "The new stock", body = StockLevel),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `inventory.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such SKU", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`insufficient_stock`, or `virtual_stock` for a virtual SKU", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/skus/{sku_id}/stock-adjustments")]
pub async fn adjust_stock(
    state: web::Data<AppState>,
    caller: Allowed<need::InventoryWrite>,
    path: web::Path<SkuId>,
    body: ApiJson<StockAdjustment>,
) -> AppResult<web::Json<StockLevel>> {
    let p = caller.0;
    let sku_id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| super::adjust(conn, &p, sku_id, &request, clock::now()))
            .await?,
    ))
}

/// Import codes into a virtual SKU's pool
///
/// Up to 10,000 codes (e-vouchers, card secrets), each 1–200 characters. Any empty, overlong or
/// duplicate entry (within the request or against the pool) refuses the whole request and is
/// named in `errors` (`codes[i]`). Raises the SKU's stock by the number imported. Codes are
/// stored encrypted and never shown again.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("sku_id" = i64, Path)),
    request_body = CodeImport,
    responses(
        (status = 200, description = "Imported; the pool's counts", body = CodeImportResult),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `inventory.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such SKU", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`not_virtual_sku`: the SKU is physical", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid, duplicate or existing codes", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/skus/{sku_id}/codes")]
pub async fn import_codes(
    state: web::Data<AppState>,
    caller: Allowed<need::InventoryWrite>,
    path: web::Path<SkuId>,
    body: ApiJson<CodeImport>,
) -> AppResult<web::Json<CodeImportResult>> {
    let p = caller.0;
    let sku_id = path.into_inner();
    let request = body.into_inner();
    let cipher = state.cipher.clone();
    Ok(web::Json(
        state
            .db(move |conn| {
                virtual_codes::import(conn, &cipher, &p, sku_id, &request, clock::now())
            })
            .await?,
    ))
}

/// Count a SKU's codes
///
/// How many codes are available and delivered. The codes themselves are never shown.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("sku_id" = i64, Path)),
    responses(
        (status = 200, description = "The counts", body = CodeSummary),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such SKU", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/skus/{sku_id}/codes/summary")]
pub async fn code_summary(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogRead>,
    path: web::Path<SkuId>,
) -> AppResult<web::Json<CodeSummary>> {
    let p = caller.0;
    let sku_id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| virtual_codes::summary(conn, &p, sku_id))
            .await?,
    ))
}

/// List SKUs low on stock
///
/// Every SKU whose stock is at or below its low-stock threshold, with its product, newest SKUs
/// first, in pages (`next_cursor`).
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(LowStockQuery),
    responses(
        (status = 200, description = "A page of SKUs low on stock", body = LowStockPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/inventory/low-stock")]
pub async fn list_low_stock(
    caller: Allowed<need::CatalogRead>,
    state: web::Data<AppState>,
    query: web::Query<LowStockQuery>,
) -> AppResult<web::Json<LowStockPage>> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| low_stock::list(conn, merchant_id, &query))
            .await?,
    ))
}
