//! HTTP routes of batch operations on orders: shipping from rows or a file, cancelling many,
//! exporting the list.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::batch::{self, BatchCancelRequest, BatchReport, BatchShipmentRequest};
use super::queries::OrderQuery;
use super::state::OrderStatus;
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::catalog::sheet::{self, Format, CSV_MIME, XLSX_MIME};
use crate::clock;
use crate::error::{AppError, AppResult, ErrorCode, ProblemBody};
use crate::http::upload::Upload;
use crate::http::ApiJson;

/// Ship orders in a batch
///
/// One package per row with every unit of the order not shipped yet. Every row is checked first
/// and reported (`ok`, else the code and field at fault); a dry run stops there. Then each row
/// ships on its own, or with `all_or_nothing` all of them or, when one fails, none. Audited per
/// order.
#[utoipa::path(
    tag = "fulfilment",
    security(("bearer" = [])),
    request_body = BatchShipmentRequest,
    responses(
        (status = 200, description = "What became of each row", body = BatchReport),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "No rows, or more than 5,000", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/orders/shipments")]
pub async fn ship_batch(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    body: ApiJson<BatchShipmentRequest>,
) -> AppResult<web::Json<BatchReport>> {
    let p = caller.0;
    let request = body.into_inner();
    let rows: Vec<(u32, batch::ShipmentRow)> = request
        .rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| (u32::try_from(i + 1).unwrap_or(u32::MAX), r))
        .collect();
    let (dry_run, all) = (request.dry_run, request.all_or_nothing);
    let report = state
        .db(move |conn| batch::ship_rows(conn, &p, &rows, dry_run, all, clock::now()))
        .await?;
    Ok(web::Json(report))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShipmentFileQuery {
    /// Check every row and ship nothing.
    pub dry_run: Option<bool>,
    /// Ship every row or, when one fails, none.
    pub all_or_nothing: Option<bool>,
}

fn unsupported() -> AppError {
    AppError::UnsupportedMediaType {
        expected: "text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
}

/// Ship orders from a file
///
/// The body is the file: `text/csv` (UTF-8) or an xlsx workbook (first sheet) with the columns
/// 订单号 `order_no`, 快递公司 `carrier` (code or name), 快递单号 `tracking_no`, one order per row,
/// at most 5,000 rows. Rows are reported by their number in the sheet (the header is row 1); the
/// rest is as for a batch of rows.
#[utoipa::path(
    tag = "fulfilment",
    security(("bearer" = [])),
    params(ShipmentFileQuery),
    request_body(
        description = "The spreadsheet",
        content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
    ),
    responses(
        (status = 200, description = "What became of each row", body = BatchReport),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the upload limit (`FENXIAO_MAX_UPLOAD_BYTES`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "Neither CSV nor an xlsx workbook", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A file that does not read, a missing column, more than 5,000 rows", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/orders/shipments/file")]
pub async fn ship_file(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    query: web::Query<ShipmentFileQuery>,
    file: Upload,
) -> AppResult<web::Json<BatchReport>> {
    let p = caller.0;
    let format = match file.content_type.as_str() {
        CSV_MIME => Format::Csv,
        XLSX_MIME => Format::Xlsx,
        _ => return Err(unsupported()),
    };
    if sheet::is_zip(&file.bytes) != (format == Format::Xlsx) {
        return Err(unsupported());
    }
    let rows = batch::file_rows(format, &file.bytes)?;
    if rows.is_empty() {
        return Err(AppError::field("file", ErrorCode::NothingToShip));
    }
    let dry_run = query.dry_run.unwrap_or(false);
    let all = query.all_or_nothing.unwrap_or(false);
    let report = state
        .db(move |conn| batch::ship_rows(conn, &p, &rows, dry_run, all, clock::now()))
        .await?;
    Ok(web::Json(report))
}

/// Cancel orders in a batch
///
/// Each order as if cancelled on its own (a paid one is refunded whole); what became of each.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    request_body = BatchCancelRequest,
    responses(
        (status = 200, description = "What became of each order", body = BatchReport),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "No orders, more than 500, a reason out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/orders/batch-cancel")]
pub async fn cancel_batch(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    body: ApiJson<BatchCancelRequest>,
) -> AppResult<web::Json<BatchReport>> {
    let p = caller.0;
    let request = body.into_inner();
    let providers = state.providers();
    let report = state
        .db(move |conn| batch::cancel_orders(conn, &providers, &p, &request, clock::now()))
        .await?;
    Ok(web::Json(report))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrderExportQuery {
    /// `xlsx` (the default) or `csv`.
    pub format: Option<Format>,
    pub status: Option<OrderStatus>,
    /// Placed on or after this day (the merchant's time zone).
    pub placed_from: Option<NaiveDate>,
    /// Placed on or before this day (the merchant's time zone).
    pub placed_to: Option<NaiveDate>,
}

/// Export orders
///
/// The orders matching the filters, newest first, one row per line (at most 10,000 rows).
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(OrderExportQuery),
    responses(
        (status = 200, description = "The spreadsheet", content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "An unknown format or filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/orders/export")]
pub async fn export_orders(
    caller: Allowed<need::OrdersRead>,
    state: web::Data<AppState>,
    query: web::Query<OrderExportQuery>,
) -> AppResult<HttpResponse> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    let format = query.format.unwrap_or(Format::Xlsx);
    let filters = OrderQuery {
        status: query.status,
        placed_from: query.placed_from,
        placed_to: query.placed_to,
        ..OrderQuery::default()
    };
    let bytes = state
        .db(move |conn| batch::export(conn, merchant_id, &filters, format))
        .await?;
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => XLSX_MIME,
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"orders.{}\"", format.as_str()),
        ))
        .body(bytes))
}

/// Registers the routes (and so their OpenAPI paths); before `/orders/{order_id}`, which would
/// take `export` for an id.
pub fn register(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(ship_batch)
        .service(ship_file)
        .service(cancel_batch)
        .service(export_orders);
}
