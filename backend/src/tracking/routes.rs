//! HTTP routes of tracking: the merchant's tracker settings, refreshing a package's timeline,
//! Kuaidi100's pushes and the generic webhook, and the timelines of an order for the distributor
//! who brought it.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};

use super::settings::{self, TrackingSettings, TrackingSettingsRequest};
use super::timeline::{self, WebhookPush};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::{OrderId, PackageId};
use crate::error::{AppError, AppResult, ProblemBody};
use crate::http::upload::{own_origin, read_limited};
use crate::http::ApiJson;
use crate::orders::queries::{self, OrderDetail};
use crate::orders::shipping::Package;
use crate::shop::ShopMember;

/// The largest push taken: a long timeline is some tens of kilobytes.
const MAX_PUSH_BYTES: usize = 256 * 1024;

async fn read_small(mut payload: web::Payload) -> AppResult<web::Bytes> {
    read_limited(&mut payload, MAX_PUSH_BYTES).await
}

/// Tracking settings
///
/// The Kuaidi100 account and the generic webhook's secret, secrets masked.
#[utoipa::path(
    tag = "fulfilment",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = TrackingSettings),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/tracking-settings")]
pub async fn get_tracking_settings(
    caller: Allowed<need::MerchantManage>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<TrackingSettings>> {
    let merchant_id = caller.0.tenant()?;
    let cipher = state.cipher.clone();
    let found = state
        .db(move |conn| settings::load(conn, &cipher, merchant_id))
        .await?;
    Ok(web::Json(found))
}

/// Change the tracking settings
///
/// A secret left out keeps its stored value; an empty one clears it. With a Kuaidi100 account,
/// every package shipped is subscribed, and its timeline pushed. Audited.
#[utoipa::path(
    tag = "fulfilment",
    security(("bearer" = [])),
    request_body = TrackingSettingsRequest,
    responses(
        (status = 200, description = "The settings", body = TrackingSettings),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A value too long, a webhook secret too short", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/tracking-settings")]
pub async fn put_tracking_settings(
    caller: Allowed<need::MerchantManage>,
    state: web::Data<AppState>,
    body: ApiJson<TrackingSettingsRequest>,
) -> AppResult<web::Json<TrackingSettings>> {
    let p = caller.0;
    let request = body.into_inner();
    let cipher = state.cipher.clone();
    let saved = state
        .db(move |conn| settings::save(conn, &cipher, &p, &request, clock::now()))
        .await?;
    Ok(web::Json(saved))
}

/// Refresh a package's timeline
///
/// Asks Kuaidi100 for the package's timeline now and keeps what is new.
#[utoipa::path(
    tag = "fulfilment",
    security(("bearer" = [])),
    params(("order_id" = i64, Path), ("package_id" = i64, Path)),
    responses(
        (status = 200, description = "The order with its packages", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such package of the merchant's order", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`tracker_not_configured`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 502, description = "Kuaidi100 did not answer as it should", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/orders/{order_id}/packages/{package_id}/refresh")]
pub async fn refresh_package(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    path: web::Path<(OrderId, PackageId)>,
) -> AppResult<web::Json<OrderDetail>> {
    let merchant_id = caller.0.tenant()?;
    let (order_id, package_id) = path.into_inner();
    timeline::refresh(&state, merchant_id, order_id, package_id).await?;
    let order = state
        .db(move |conn| queries::detail(conn, merchant_id, order_id))
        .await?;
    Ok(web::Json(order))
}

/// Kuaidi100's pushes
///
/// The timeline of the package the address names (`application/x-www-form-urlencoded`: `param`,
/// `sign` = upper-case MD5 of `param` and the package's salt). Answered as Kuaidi100 expects once
/// kept (a repeat included); a signature that does not verify is 401 `invalid_signature`.
#[utoipa::path(
    tag = "fulfilment",
    params(("token" = String, Path, description = "The package's tracking token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`param` (JSON) and `sign`"),
    responses(
        (status = 200, description = "`{\"result\":true,\"returnCode\":\"200\",\"message\":\"成功\"}`", content_type = "application/json", body = String),
        (status = 400, description = "Not a push", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_signature`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/tracking/kuaidi100/{token}")]
pub async fn kuaidi100_push(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let body = read_small(payload).await?;
    let form: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(&body).into_owned().collect();
    let (Some(param), Some(sign)) = (form.get("param").cloned(), form.get("sign").cloned()) else {
        return Err(AppError::MalformedBody(
            "a Kuaidi100 push has `param` and `sign`".into(),
        ));
    };
    let secret = state.jwt_secret.clone();
    let handled = state
        .db(move |conn| timeline::handle_push(conn, &secret, &token, &param, &sign, clock::now()))
        .await?;
    if handled.resubscribe {
        timeline::subscribe_order(
            &state,
            &own_origin(&req),
            handled.merchant_id,
            handled.order_id,
        )
        .await;
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(super::kuaidi100::PUSH_ANSWER))
}

/// A tracker's pushes
///
/// Any tracker's events of one of the shop's packages (`WebhookPush`), signed with the shop's
/// webhook secret: `Fenxiao-Tracking-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
/// "t.body">`. Each event is kept once; the package's state follows.
#[utoipa::path(
    tag = "fulfilment",
    params(
        ("slug" = String, Path, description = "The shop's address"),
        ("Fenxiao-Tracking-Signature" = String, Header),
    ),
    request_body = WebhookPush,
    responses(
        (status = 204, description = "Kept"),
        (status = 400, description = "Not a push", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_signature`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`unknown_package`, an event out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/tracking/webhooks/{slug}")]
pub async fn tracking_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let slug = path.into_inner();
    let body = read_small(payload).await?;
    let header = req
        .headers()
        .get(timeline::WEBHOOK_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let cipher = state.cipher.clone();
    state
        .db(move |conn| {
            timeline::handle_webhook(conn, &cipher, &slug, header.as_deref(), &body, clock::now())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The packages of an order I brought
///
/// For the distributor who brought the order: its packages with their timelines. Any other
/// order is not found.
#[utoipa::path(
    tag = "fulfilment",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("order_id" = i64, Path)),
    responses(
        (status = 200, description = "The packages", body = Vec<Package>),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a distributor, or not an order they brought", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/brought-orders/{order_id}/packages")]
pub async fn brought_order_packages(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, OrderId)>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, order_id) = path.into_inner();
    let packages = state
        .db(move |conn| timeline::for_distributor(conn, merchant_id, member_id, order_id))
        .await?;
    Ok(HttpResponse::Ok().json(packages))
}

/// Registers the routes (and so their OpenAPI paths).
pub fn register(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_tracking_settings)
        .service(put_tracking_settings)
        .service(refresh_package)
        .service(kuaidi100_push)
        .service(tracking_webhook)
        .service(brought_order_packages);
}
