//! HTTP routes of the platform operator.

use actix_web::{get, post, web};

use super::merchants::{self, MerchantQuery, StatusChangeRequest};
use crate::app::AppState;
use crate::auth::principal::OperatorCaller;
use crate::catalog::products::{self, Product, TransitionRequest};
use crate::clock;
use crate::db::ids::{MerchantId, ProductId};
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;
use crate::notify::outbox_view::{self, OutboxMessage, OutboxQuery};
use crate::tenancy::lifecycle::MerchantAction;
use crate::tenancy::merchant::MerchantView;

/// Messages in the outbox
///
/// Email and SMS messages, newest first, with their texts: where operators read them when no
/// mail server is configured.
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(OutboxQuery),
    responses(
        (status = 200, description = "Messages", body = [OutboxMessage]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/platform/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    _operator: OperatorCaller,
    query: web::Query<OutboxQuery>,
) -> AppResult<web::Json<Vec<OutboxMessage>>> {
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| outbox_view::search(conn, &query))
            .await?,
    ))
}

/// List merchants
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(MerchantQuery),
    responses(
        (status = 200, description = "Merchants by id", body = [MerchantView]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/platform/merchants")]
pub async fn list_merchants(
    state: web::Data<AppState>,
    _operator: OperatorCaller,
    query: web::Query<MerchantQuery>,
) -> AppResult<web::Json<Vec<MerchantView>>> {
    let query = query.into_inner();
    Ok(web::Json(
        state.db(move |conn| merchants::list(conn, &query)).await?,
    ))
}

async fn change(
    state: web::Data<AppState>,
    operator: OperatorCaller,
    merchant_id: MerchantId,
    action: MerchantAction,
    body: StatusChangeRequest,
) -> AppResult<web::Json<MerchantView>> {
    let p = operator.0;
    Ok(web::Json(
        state
            .db(move |conn| {
                merchants::change_status(
                    conn,
                    &p,
                    merchant_id,
                    action,
                    body.reason.as_deref(),
                    clock::now(),
                )
            })
            .await?,
    ))
}

/// Approve a merchant
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(("merchant_id" = i64, Path)),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, description = "Active", body = MerchantView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/platform/merchants/{merchant_id}/approve")]
pub async fn approve_merchant(
    state: web::Data<AppState>,
    operator: OperatorCaller,
    path: web::Path<MerchantId>,
    body: ApiJson<StatusChangeRequest>,
) -> AppResult<web::Json<MerchantView>> {
    change(
        state,
        operator,
        path.into_inner(),
        MerchantAction::Approve,
        body.into_inner(),
    )
    .await
}

/// Suspend a merchant
///
/// Its staff and API keys are refused (`merchant_suspended`) until it is reactivated.
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(("merchant_id" = i64, Path)),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, description = "Suspended", body = MerchantView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/platform/merchants/{merchant_id}/suspend")]
pub async fn suspend_merchant(
    state: web::Data<AppState>,
    operator: OperatorCaller,
    path: web::Path<MerchantId>,
    body: ApiJson<StatusChangeRequest>,
) -> AppResult<web::Json<MerchantView>> {
    change(
        state,
        operator,
        path.into_inner(),
        MerchantAction::Suspend,
        body.into_inner(),
    )
    .await
}

/// Reactivate a suspended merchant
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(("merchant_id" = i64, Path)),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, description = "Active again", body = MerchantView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/platform/merchants/{merchant_id}/reactivate")]
pub async fn reactivate_merchant(
    state: web::Data<AppState>,
    operator: OperatorCaller,
    path: web::Path<MerchantId>,
    body: ApiJson<StatusChangeRequest>,
) -> AppResult<web::Json<MerchantView>> {
    change(
        state,
        operator,
        path.into_inner(),
        MerchantAction::Reactivate,
        body.into_inner(),
    )
    .await
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct QueuedProduct {
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    pub product: Product,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// The id of the last product of the previous page.
    pub cursor: Option<i64>,
    /// 1–100, default 50.
    pub limit: Option<i64>,
}

/// The product review queue
///
/// Products of every merchant waiting for review, oldest first (when the platform reviews).
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(QueueQuery),
    responses(
        (status = 200, description = "Waiting products", body = [QueuedProduct]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/platform/products")]
pub async fn product_review_queue(
    state: web::Data<AppState>,
    _operator: OperatorCaller,
    query: web::Query<QueueQuery>,
) -> AppResult<web::Json<Vec<QueuedProduct>>> {
    let query = query.into_inner();
    let queue = state
        .db(move |conn| products::review_queue(conn, query.cursor, query.limit.unwrap_or(50)))
        .await?;
    Ok(web::Json(
        queue
            .into_iter()
            .map(|(merchant_id, product)| QueuedProduct {
                merchant_id,
                product,
            })
            .collect(),
    ))
}

/// Review a product as the platform
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(("product_id" = i64, Path)),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "The product in its new state", body = Product),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such product", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/platform/products/{product_id}/review")]
pub async fn platform_review_product(
    state: web::Data<AppState>,
    operator: OperatorCaller,
    path: web::Path<ProductId>,
    body: ApiJson<TransitionRequest>,
) -> AppResult<web::Json<Product>> {
    let p = operator.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| products::platform_review(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}
