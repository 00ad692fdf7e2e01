//! HTTP routes of categories.

use actix_web::{delete, get, post, put, web, HttpResponse};

use super::categories::{self, Category, CategoryRequest};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;

/// List categories
///
/// The whole tree as a flat list (each with its `parent_id`), in display order.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Categories", body = [Category]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogRead>,
) -> AppResult<web::Json<Vec<Category>>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(
        state
            .db(move |conn| categories::list(conn, merchant_id))
            .await?,
    ))
}

/// Create a category
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    request_body = CategoryRequest,
    responses(
        (status = 201, description = "Created", body = Category),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`category_name_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_category`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogWrite>,
    body: ApiJson<CategoryRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let request = body.into_inner();
    let created = state
        .db(move |conn| categories::create(conn, &p, &request, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Rename or move a category
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("category_id" = i64, Path)),
    request_body = CategoryRequest,
    responses(
        (status = 200, description = "Updated", body = Category),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`category_name_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`category_cycle`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/categories/{category_id}")]
pub async fn update_category(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogWrite>,
    path: web::Path<i64>,
    body: ApiJson<CategoryRequest>,
) -> AppResult<web::Json<Category>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| categories::update(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}

/// Delete an empty category
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("category_id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`category_not_empty`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[delete("/categories/{category_id}")]
pub async fn delete_category(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogWrite>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let id = path.into_inner();
    state
        .db(move |conn| categories::delete(conn, &p, id, clock::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
