//! HTTP routes of stock.

use actix_web::{post, web};

use super::{StockAdjustment, StockLevel};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
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
        (status = 409, description = "`insufficient_stock`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/skus/{sku_id}/stock-adjustments")]
pub async fn adjust_stock(
    state: web::Data<AppState>,
    caller: Allowed<need::InventoryWrite>,
    path: web::Path<i64>,
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
