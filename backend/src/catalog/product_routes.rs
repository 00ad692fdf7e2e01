//! HTTP routes of products.

use actix_web::{get, post, put, web, HttpResponse};

use super::products::{
    self, ImagesRequest, Product, ProductInput, ProductPage, ProductQuery, TransitionRequest,
};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::error::{AppError, AppResult, ProblemBody, Text};
use crate::http::ApiJson;

/// List products
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(ProductQuery),
    responses(
        (status = 200, description = "A page of products, newest first", body = ProductPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogRead>,
    query: web::Query<ProductQuery>,
) -> AppResult<web::Json<ProductPage>> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| products::list(conn, merchant_id, &query))
            .await?,
    ))
}

/// Get a product
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("product_id" = i64, Path)),
    responses(
        (status = 200, description = "The product with its SKUs", body = Product),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such product", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/products/{product_id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogRead>,
    path: web::Path<i64>,
) -> AppResult<web::Json<Product>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| products::find(conn, merchant_id, id))
            .await?,
    ))
}

/// Create a product
///
/// With its specifications and SKUs, as a `draft`.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    request_body = ProductInput,
    responses(
        (status = 201, description = "Created", body = Product),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`money_precision`, `invalid_spec_values`, `sku_code_taken`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/products")]
pub async fn create_product(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogWrite>,
    body: ApiJson<ProductInput>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let input = body.into_inner();
    let created = state
        .db(move |conn| products::create(conn, &p, &input, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

fn wrong_door(review: bool) -> AppError {
    AppError::field(
        "action",
        "wrong_action",
        if review {
            Text::new(
                "Use `approve` or `reject` here.",
                "此处只能审核通过或驳回。",
            )
        } else {
            Text::new(
                "Review decisions go to the review endpoint.",
                "审核操作请使用审核接口。",
            )
        },
    )
}

/// Submit, unlist or relist a product
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("product_id" = i64, Path)),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "The product in its new state", body = Product),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such product", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/products/{product_id}/status")]
pub async fn change_product_status(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogWrite>,
    path: web::Path<i64>,
    body: ApiJson<TransitionRequest>,
) -> AppResult<web::Json<Product>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    if request.action.is_review() {
        return Err(wrong_door(false));
    }
    let platform_reviews = state.config.platform_product_review;
    Ok(web::Json(
        state
            .db(move |conn| {
                products::transition(conn, &p, id, &request, platform_reviews, clock::now())
            })
            .await?,
    ))
}

/// Review a product
///
/// Approve (it is listed) or reject with a reason.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("product_id" = i64, Path)),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "The product in its new state", body = Product),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.review` (`platform_review` when the platform reviews products)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such product", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (a rejection needs a `reason`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/products/{product_id}/review")]
pub async fn review_product(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogReview>,
    path: web::Path<i64>,
    body: ApiJson<TransitionRequest>,
) -> AppResult<web::Json<Product>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    if !request.action.is_review() {
        return Err(wrong_door(true));
    }
    let platform_reviews = state.config.platform_product_review;
    Ok(web::Json(
        state
            .db(move |conn| {
                products::transition(conn, &p, id, &request, platform_reviews, clock::now())
            })
            .await?,
    ))
}

/// Set a product's images
///
/// Replaces the gallery with uploaded images in order; the first is the main image.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("product_id" = i64, Path)),
    request_body = ImagesRequest,
    responses(
        (status = 200, description = "The product with its new gallery", body = Product),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such product", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_media`, `duplicate_media`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/products/{product_id}/images")]
pub async fn set_product_images(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogWrite>,
    path: web::Path<i64>,
    body: ApiJson<ImagesRequest>,
) -> AppResult<web::Json<Product>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| products::set_images(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}
