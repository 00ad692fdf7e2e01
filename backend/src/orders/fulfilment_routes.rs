//! HTTP routes of fulfilment: staff send an order's packages or hand a pickup order over; the
//! buyer confirms receipt.

use actix_web::{post, web, HttpRequest, HttpResponse};

use super::completion;
use super::pickup::{self, PickupHandover};
use super::queries::OrderDetail;
use super::shipping::{self, ShipmentRequest};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::OrderId;
use crate::error::{AppResult, ProblemBody};
use crate::http::upload::own_origin;
use crate::http::ApiJson;
use crate::shop::ShopMember;

/// Ship a package
///
/// A package of a paid order with its carrier and tracking number, holding the units given (or
/// every unit not shipped yet). The order stays `paid` until its last unit is shipped, then
/// becomes `shipped` and completes by itself after the merchant's days. Audited.
#[utoipa::path(
    tag = "fulfilment",
    security(("bearer" = [])),
    params(("order_id" = i64, Path)),
    request_body = ShipmentRequest,
    responses(
        (status = 200, description = "The order with its packages", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not paid; `nothing_to_ship`; `order_changed`: shipped meanwhile", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "An unknown or disabled carrier, a bad tracking number, a line that is not the order's or more units than are left", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/orders/{order_id}/packages")]
pub async fn ship_package(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<OrderId>,
    body: ApiJson<ShipmentRequest>,
) -> AppResult<web::Json<OrderDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    let merchant_id = p.tenant()?;
    let order = state
        .db(move |conn| shipping::ship(conn, &p, id, &request, clock::now()))
        .await?;
    // With a Kuaidi100 account the package is subscribed, so its timeline is pushed.
    crate::tracking::timeline::subscribe_order(&state, &own_origin(&req), merchant_id, id).await;
    Ok(web::Json(order))
}

/// Confirm receipt
///
/// The buyer received their shipped order: it completes now, and the after-sales window opens.
#[utoipa::path(
    tag = "fulfilment",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("order_id" = i64, Path)),
    responses(
        (status = 200, description = "Completed", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not shipped (yet, or any more)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/orders/{order_id}/receipt")]
pub async fn confirm_receipt(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, OrderId)>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    let order = state
        .db(move |conn| completion::confirm_receipt(conn, merchant_id, member_id, id, clock::now()))
        .await?;
    Ok(HttpResponse::Ok().json(order))
}

/// Hand over a pickup order
///
/// The buyer shows the pickup code of their paid self-pickup order at the counter: every unit not
/// refunded counts as handed over, the order completes and its after-sales window opens. A code
/// that no paid order of the shop waits with (wrong, handed over already, or of a cancelled order)
/// is 422 `pickup_code_invalid` and changes nothing. Audited.
#[utoipa::path(
    tag = "fulfilment",
    security(("bearer" = [])),
    request_body = PickupHandover,
    responses(
        (status = 200, description = "The completed order", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`order_changed`: handed over at the same moment; `after_sale_open_on_order`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`pickup_code_invalid`, a code out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/orders/pickups")]
pub async fn hand_over_pickup(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    body: ApiJson<PickupHandover>,
) -> AppResult<web::Json<OrderDetail>> {
    let p = caller.0;
    let request = body.into_inner();
    let order = state
        .db(move |conn| pickup::hand_over(conn, &p, &request, clock::now()))
        .await?;
    Ok(web::Json(order))
}

/// Registers the routes (and so their OpenAPI paths).
pub fn register(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(ship_package)
        .service(confirm_receipt)
        .service(hand_over_pickup);
}
