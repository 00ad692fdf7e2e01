//! HTTP routes of products.

use actix_web::{get, patch, post, put, web, HttpResponse};

use super::batch_status::{self, BatchStatusRequest, BatchStatusResponse};
use super::editing::{self, ProductPatch, SkuPatch};
use super::products::{
    self, ImagesRequest, Product, ProductInput, ProductPage, ProductQuery, Sku, TransitionRequest,
};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::{ProductId, SkuId};
use crate::error::{AppError, AppResult, ErrorCode, ProblemBody};
use crate::http::{ApiJson, RequestLang};

/// List products
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(ProductQuery),
    responses(
        (status = 200, description = "A page of products in the order asked (newest first by default)", body = ProductPage),
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
    path: web::Path<ProductId>,
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
        (status = 422, description = "Invalid fields (`money_precision`, `invalid_spec_values`, `sku_code_taken`, `unknown_freight_template`, …)", body = ProblemBody, content_type = "application/problem+json"),
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

/// Edit a product
///
/// Fields left out keep their value. What may change depends on the status: specifications
/// and the set of SKUs (adding, removing, codes, specification values) only in `draft` and
/// `rejected`; name, subtitle, description, category and tags in any status, but a `listed` or
/// `unlisted` product goes back to `pending_review`; SKU prices, barcode, weight, low-stock
/// threshold and presale settings in any status. Stock changes through stock adjustments only.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("product_id" = i64, Path)),
    request_body = ProductPatch,
    responses(
        (status = 200, description = "The product as edited", body = Product),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such product", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`product_structure_locked`, `product_changed`, `sku_has_codes`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`money_precision`, `invalid_spec_values`, `unknown_sku`, `stock_by_adjustment`, `sku_code_taken`, `unknown_freight_template`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[patch("/products/{product_id}")]
pub async fn update_product(
    caller: Allowed<need::CatalogWrite>,
    state: web::Data<AppState>,
    path: web::Path<ProductId>,
    body: ApiJson<ProductPatch>,
) -> AppResult<web::Json<Product>> {
    let p = caller.0;
    let id = path.into_inner();
    let patch = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| editing::update_product(conn, &p, id, &patch, clock::now()))
            .await?,
    ))
}

/// Edit a SKU
///
/// Prices, barcode, weight, low-stock threshold and presale settings, in any status of the
/// product; code and specification values only while the product is `draft` or `rejected`.
/// Fields left out keep their value. Stock changes through stock adjustments only.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(("sku_id" = i64, Path)),
    request_body = SkuPatch,
    responses(
        (status = 200, description = "The SKU as edited", body = Sku),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such SKU", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`product_structure_locked`, `product_changed`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`money_precision`, `stock_by_adjustment`, `presale_below_sold`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[patch("/skus/{sku_id}")]
pub async fn update_sku(
    caller: Allowed<need::CatalogWrite>,
    state: web::Data<AppState>,
    path: web::Path<SkuId>,
    body: ApiJson<SkuPatch>,
) -> AppResult<web::Json<Sku>> {
    let p = caller.0;
    let id = path.into_inner();
    let patch = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| editing::update_sku(conn, &p, id, &patch, clock::now()))
            .await?,
    ))
}

fn wrong_door(review: bool) -> AppError {
    AppError::field(
        "action",
        ErrorCode::WrongAction.form(if review { "review" } else { "status" }),
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
    path: web::Path<ProductId>,
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

/// List or unlist many products
///
/// `list` puts `unlisted` products back on sale, `unlist` takes `listed` ones off. Each product
/// changes on its own (atomically, audited as `product.status_changed`), so the answer is 200
/// with a result per product: `changed`, `unchanged` (it already had that status) or `refused`
/// with a code — `not_found` for an unknown or another merchant's id, `invalid_transition` for a
/// product whose status does not allow it (a draft cannot be listed before review). At most 100
/// ids; an id given twice is handled once.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    request_body = BatchStatusRequest,
    responses(
        (status = 200, description = "What happened to each product", body = BatchStatusResponse),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (no ids, more than 100, unknown action)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/products/batch-status")]
pub async fn batch_product_status(
    caller: Allowed<need::CatalogWrite>,
    state: web::Data<AppState>,
    body: ApiJson<BatchStatusRequest>,
    lang: RequestLang,
) -> AppResult<web::Json<BatchStatusResponse>> {
    let p = caller.0;
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| batch_status::change_status(conn, &p, &request, lang.0, clock::now()))
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
    path: web::Path<ProductId>,
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
/// Replaces the gallery with uploaded images in order; the first is the main image. The gallery
/// is content buyers see: when it changes, a `listed` or `unlisted` product goes back to
/// `pending_review`.
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
        (status = 409, description = "`product_changed`: a review decided meanwhile", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_media`, `duplicate_media`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/products/{product_id}/images")]
pub async fn set_product_images(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogWrite>,
    path: web::Path<ProductId>,
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
