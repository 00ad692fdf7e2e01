//! HTTP routes of catalog import and export.

use actix_web::http::header;
use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::import::{self, ImportJob};
use super::sheet::{self, Format, CSV_MIME, MAX_UPLOAD_BYTES, XLSX_MIME};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::error::{AppError, AppResult, ProblemBody};

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and report, writing nothing. Default `false`.
    pub dry_run: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx` (default) or `csv`.
    pub format: Option<Format>,
}

fn unsupported() -> AppError {
    AppError::UnsupportedMediaType {
        expected: "text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
}

/// The format the body claims, checked against what it is: an xlsx workbook is a ZIP archive,
/// a CSV file is not.
fn format_of(req: &HttpRequest) -> Result<Format, AppError> {
    match req.mime_type() {
        Ok(Some(mime)) if mime.essence_str() == CSV_MIME => Ok(Format::Csv),
        Ok(Some(mime)) if mime.essence_str() == XLSX_MIME => Ok(Format::Xlsx),
        _ => Err(unsupported()),
    }
}

/// Import products, SKUs and stock
///
/// The body is the file itself: `text/csv` (UTF-8) or an xlsx workbook (first sheet), one row per
/// SKU, at most 20 MiB. Every bad row is reported as `rows[N].column` (N as the spreadsheet
/// numbers rows; the header is row 1) and nothing is written; a real run writes all rows in one
/// transaction. A file with a stock column also needs `inventory.write`. Progress of a running
/// import: `GET /catalog/imports`.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(
        description = "The spreadsheet",
        content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
    ),
    responses(
        (status = 200, description = "Imported (or, for a dry run, found clean): the job with its counts", body = ImportJob),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`stock_changed`: stock moved during the import", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 20 MiB", body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "Neither CSV nor an xlsx workbook", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows, every one as `rows[N].column` with its reason; nothing was written", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/catalog/imports")]
pub async fn import_catalog(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogWrite>,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    mut payload: web::Payload,
) -> AppResult<web::Json<ImportJob>> {
    let p = caller.0;
    let format = format_of(&req)?;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_UPLOAD_BYTES) {
        return Err(AppError::PayloadTooLarge {
            limit: MAX_UPLOAD_BYTES,
        });
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::MalformedBody(format!("cannot read body: {e}")))?;
        if body.len() + chunk.len() > MAX_UPLOAD_BYTES {
            return Err(AppError::PayloadTooLarge {
                limit: MAX_UPLOAD_BYTES,
            });
        }
        body.extend_from_slice(&chunk);
    }
    if sheet::is_zip(&body) != (format == Format::Xlsx) {
        return Err(unsupported());
    }
    let dry_run = query.dry_run.unwrap_or(false);
    let body = body.freeze();
    Ok(web::Json(
        state
            .db(move |conn| import::run(conn, &p, format, &body, dry_run))
            .await?,
    ))
}

/// List recent imports
///
/// The merchant's 20 most recent imports, newest first, with their progress: a running import
/// shows `processed_rows` of `total_rows` while it checks rows, then `writing`.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Recent imports", body = Vec<ImportJob>),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/catalog/imports")]
pub async fn list_imports(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogRead>,
) -> AppResult<web::Json<Vec<ImportJob>>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(
        state
            .db(move |conn| import::list_jobs(conn, merchant_id))
            .await?,
    ))
}

/// Get an import
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("import_id" = i64, Path)),
    responses(
        (status = 200, description = "The import and its progress", body = ImportJob),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such import", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/catalog/imports/{import_id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogRead>,
    path: web::Path<i64>,
) -> AppResult<web::Json<ImportJob>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| import::find_job(conn, merchant_id, id))
            .await?,
    ))
}

/// Export products, SKUs and stock
///
/// Every SKU of the merchant, one per row, in the columns the import reads: a file exported can
/// be imported back.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The spreadsheet", content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/catalog/export")]
pub async fn export_catalog(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogRead>,
    query: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let merchant_id = caller.0.tenant()?;
    let format = query.format.unwrap_or(Format::Xlsx);
    let bytes = state
        .db(move |conn| import::export(conn, merchant_id, format))
        .await?;
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => XLSX_MIME,
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"products.{}\"", format.as_str()),
        ))
        .body(bytes))
}
