//! HTTP routes of after-sales: the buyer's requests under `/shops/{slug}/me/…`, the staff's queue
//! and decisions under `/after-sales`, and finance's refunds under `/refunds`.

use actix_web::{get, post, web, HttpResponse};

use super::service::{
    self, AfterSaleDecision, AfterSaleDetail, AfterSalePage, AfterSaleQuery, AfterSaleRequest,
    ReturnShipment,
};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::{AfterSaleId, OrderId, RefundId};
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;
use crate::payments::refunds::{self, Refund, RefundPage, RefundQuery, RefundRecord};
use crate::shop::ShopMember;

/// Ask for after-sales
///
/// Refund only, or return and refund, of the whole order (no `items`) or of some lines, units or
/// an amount. A paid or shipped order may ask; a completed one within the shop's after-sales
/// days; a return needs shipped units. Units and money asked back by an open request cannot be
/// asked again until it is decided.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("order_id" = i64, Path)),
    request_body = AfterSaleRequest,
    responses(
        (status = 201, description = "Asked", body = AfterSaleDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`after_sale_not_open`, `after_sale_closed` (past the window), `after_sale_overlap` (asked already), `nothing_to_refund`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A line that is not the order's, more units or money than are left", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/orders/{order_id}/after-sales")]
pub async fn request_after_sale(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, OrderId)>,
    body: ApiJson<AfterSaleRequest>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, order_id) = path.into_inner();
    let request = body.into_inner();
    let created = state
        .db(move |conn| {
            service::request(
                conn,
                merchant_id,
                member_id,
                order_id,
                &request,
                clock::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The member's after-sales requests
///
/// Newest first.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), AfterSaleQuery),
    responses(
        (status = 200, description = "A page of requests", body = AfterSalePage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A filter out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/after-sales")]
pub async fn list_my_after_sales(
    member: ShopMember,
    state: web::Data<AppState>,
    query: web::Query<AfterSaleQuery>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let query = query.into_inner();
    let page = state
        .db(move |conn| service::mine(conn, merchant_id, member_id, &query))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One of the member's after-sales requests
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("after_sale_id" = i64, Path)),
    responses(
        (status = 200, description = "The request", body = AfterSaleDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such request of the member", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/after-sales/{after_sale_id}")]
pub async fn get_my_after_sale(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, AfterSaleId)>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    let found = state
        .db(move |conn| service::my_detail(conn, merchant_id, member_id, id))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Send the goods back
///
/// For an approved return: the carrier and tracking number of the parcel sent back.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("after_sale_id" = i64, Path)),
    request_body = ReturnShipment,
    responses(
        (status = 200, description = "Returning", body = AfterSaleDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such request of the member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not an approved return", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A bad carrier or tracking number", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/after-sales/{after_sale_id}/return")]
pub async fn ship_my_return(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, AfterSaleId)>,
    body: ApiJson<ReturnShipment>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    let shipment = body.into_inner();
    let found = state
        .db(move |conn| {
            service::ship_return(conn, merchant_id, member_id, id, &shipment, clock::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Withdraw an after-sales request
///
/// Before it is approved, or before the goods of an approved return are sent back.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("after_sale_id" = i64, Path)),
    responses(
        (status = 200, description = "Withdrawn", body = AfterSaleDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such request of the member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: decided, returning or refunded", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/after-sales/{after_sale_id}/withdraw")]
pub async fn withdraw_my_after_sale(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, AfterSaleId)>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    let found = state
        .db(move |conn| service::withdraw(conn, merchant_id, member_id, id, clock::now()))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// After-sales requests
///
/// The merchant's requests, newest first; `status=requested` is the queue to decide.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(AfterSaleQuery),
    responses(
        (status = 200, description = "A page of requests", body = AfterSalePage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A filter out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/after-sales")]
pub async fn list_after_sales(
    caller: Allowed<need::OrdersRead>,
    state: web::Data<AppState>,
    query: web::Query<AfterSaleQuery>,
) -> AppResult<web::Json<AfterSalePage>> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    let page = state
        .db(move |conn| service::list(conn, merchant_id, &query))
        .await?;
    Ok(web::Json(page))
}

/// An after-sales request
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("after_sale_id" = i64, Path)),
    responses(
        (status = 200, description = "The request", body = AfterSaleDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such request of the merchant", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/after-sales/{after_sale_id}")]
pub async fn get_after_sale(
    caller: Allowed<need::OrdersRead>,
    state: web::Data<AppState>,
    path: web::Path<AfterSaleId>,
) -> AppResult<web::Json<AfterSaleDetail>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    let found = state
        .db(move |conn| service::detail(conn, merchant_id, id))
        .await?;
    Ok(web::Json(found))
}

/// Approve an after-sales request
///
/// Refund only: the money goes back now, through the payment that brought it (units not shipped
/// yet will not ship, and return to stock). A return: the buyer sends the goods back. Audited.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("after_sale_id" = i64, Path)),
    responses(
        (status = 200, description = "Approved", body = AfterSaleDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such request of the merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: decided already", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/after-sales/{after_sale_id}/approve")]
pub async fn approve_after_sale(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    path: web::Path<AfterSaleId>,
) -> AppResult<web::Json<AfterSaleDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let providers = state.providers();
    let found = state
        .db(move |conn| service::approve(conn, &providers, &p, id, clock::now()))
        .await?;
    Ok(web::Json(found))
}

/// Reject an after-sales request
///
/// With the reason the buyer reads. Audited.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("after_sale_id" = i64, Path)),
    request_body = AfterSaleDecision,
    responses(
        (status = 200, description = "Rejected", body = AfterSaleDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such request of the merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: decided already", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/after-sales/{after_sale_id}/reject")]
pub async fn reject_after_sale(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    path: web::Path<AfterSaleId>,
    body: ApiJson<AfterSaleDecision>,
) -> AppResult<web::Json<AfterSaleDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let decision = body.into_inner();
    let found = state
        .db(move |conn| service::reject(conn, &p, id, &decision, clock::now()))
        .await?;
    Ok(web::Json(found))
}

/// Confirm the returned goods arrived
///
/// The units count as returned, go back to stock with the refund, and the money goes back.
/// Audited.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("after_sale_id" = i64, Path)),
    responses(
        (status = 200, description = "Received; refunding", body = AfterSaleDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such request of the merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: nothing sent back", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/after-sales/{after_sale_id}/receive")]
pub async fn receive_return(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    path: web::Path<AfterSaleId>,
) -> AppResult<web::Json<AfterSaleDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let providers = state.providers();
    let found = state
        .db(move |conn| service::receive_return(conn, &providers, &p, id, clock::now()))
        .await?;
    Ok(web::Json(found))
}

/// Refuse the returned goods
///
/// With the reason (used, damaged, not what was sold); nothing is refunded. Audited.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("after_sale_id" = i64, Path)),
    request_body = AfterSaleDecision,
    responses(
        (status = 200, description = "Refused", body = AfterSaleDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such request of the merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: nothing sent back", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/after-sales/{after_sale_id}/refuse")]
pub async fn refuse_return(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    path: web::Path<AfterSaleId>,
    body: ApiJson<AfterSaleDecision>,
) -> AppResult<web::Json<AfterSaleDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let decision = body.into_inner();
    let found = state
        .db(move |conn| service::refuse_return(conn, &p, id, &decision, clock::now()))
        .await?;
    Ok(web::Json(found))
}

/// Refunds
///
/// The merchant's refunds, newest first; `status=pending&method=bank_transfer` is what finance
/// has to pay back by hand.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(RefundQuery),
    responses(
        (status = 200, description = "A page of refunds", body = RefundPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A filter out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/refunds")]
pub async fn list_refunds(
    caller: Allowed<need::OrdersRead>,
    state: web::Data<AppState>,
    query: web::Query<RefundQuery>,
) -> AppResult<web::Json<RefundPage>> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    let page = state
        .db(move |conn| refunds::list(conn, merchant_id, &query))
        .await?;
    Ok(web::Json(page))
}

/// A refund
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("refund_id" = i64, Path)),
    responses(
        (status = 200, description = "The refund", body = Refund),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such refund of the merchant", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/refunds/{refund_id}")]
pub async fn get_refund(
    caller: Allowed<need::OrdersRead>,
    state: web::Data<AppState>,
    path: web::Path<RefundId>,
) -> AppResult<web::Json<Refund>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    let found = state
        .db(move |conn| refunds::get(conn, merchant_id, id))
        .await?;
    Ok(web::Json(found))
}

/// Record a refund made by hand
///
/// Finance paid it back outside (a bank transfer, or in the provider's own console): it succeeds
/// now, once, with the reference; recording it again changes nothing. Audited.
#[utoipa::path(
    tag = "after-sales",
    security(("bearer" = [])),
    params(("refund_id" = i64, Path)),
    request_body = RefundRecord,
    responses(
        (status = 200, description = "The refund", body = Refund),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such refund of the merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: a sandbox refund", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "No reference", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/refunds/{refund_id}/record")]
pub async fn record_refund(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    path: web::Path<RefundId>,
    body: ApiJson<RefundRecord>,
) -> AppResult<web::Json<Refund>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    let found = state
        .db(move |conn| refunds::record_made(conn, &p, id, &request, clock::now()))
        .await?;
    Ok(web::Json(found))
}

/// Registers the routes (and so their OpenAPI paths).
pub fn register(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(request_after_sale)
        .service(list_my_after_sales)
        .service(get_my_after_sale)
        .service(ship_my_return)
        .service(withdraw_my_after_sale)
        .service(list_after_sales)
        .service(get_after_sale)
        .service(approve_after_sale)
        .service(reject_after_sale)
        .service(receive_return)
        .service(refuse_return)
        .service(list_refunds)
        .service(get_refund)
        .service(record_refund);
}
