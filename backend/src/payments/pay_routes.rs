//! HTTP routes of paying orders: the buyer starts an attempt, finance confirms a bank transfer,
//! and the sandbox provider's pay page and notifications.

use actix_web::http::header::ContentType;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::alipay;
use super::attempts::{self, BankTransferConfirmation, PayRequest, PaymentStart};
use super::sandbox::{self, NotificationResult, SandboxNotification, SandboxOutcome};
use super::settings::{self, PaymentKind};
use super::wechat;
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::OrderId;
use crate::db::schema::orders;
use crate::error::{AppError, AppResult, ProblemBody};
use crate::http::upload::{own_origin, read_limited};
use crate::http::ApiJson;
use crate::money::Money;
use crate::orders::queries::{self, OrderDetail};
use crate::shop::ShopMember;

/// Pay an order
///
/// Starts an attempt to pay the member's unpaid order with one of the shop's enabled methods:
/// the sandbox answers its pay page (`pay_url`), a bank transfer the account to send the money
/// to and the reference to write on it. An order may have failed attempts before one succeeds.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("order_id" = i64, Path)),
    request_body = PayRequest,
    responses(
        (status = 201, description = "How to pay", body = PaymentStart),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: the order no longer waits for a payment", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`payment_method_disabled`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/orders/{order_id}/payments")]
pub async fn pay_order(
    member: ShopMember,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, OrderId)>,
    body: ApiJson<PayRequest>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, order_id) = path.into_inner();
    let request = body.into_inner();
    let providers = state.providers();
    let base = own_origin(&req);
    let method = request.method;
    let mut started = state
        .db(move |conn| {
            attempts::start(
                conn,
                &providers,
                &base,
                merchant_id,
                member_id,
                order_id,
                &request,
                clock::now(),
            )
        })
        .await?;
    if method == PaymentKind::WechatPay {
        started.pay_url = Some(wechat_code_url(&state, &req, merchant_id, &started).await?);
    }
    Ok(HttpResponse::Created().json(started))
}

/// Asks WeChat Pay for the Native order of a new attempt; a failure fails the attempt.
async fn wechat_code_url(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    merchant_id: crate::db::ids::MerchantId,
    started: &PaymentStart,
) -> AppResult<String> {
    let cipher = state.cipher.clone();
    let attempt_id = started.payment.id;
    let (attempt, merchant) = state
        .db(move |conn| {
            let attempt = attempts::by_id(conn, merchant_id, attempt_id)?;
            let settings = settings::enabled(conn, &cipher, merchant_id, PaymentKind::WechatPay)?
                .ok_or(AppError::NotFound)?;
            Ok((attempt, wechat::WechatMerchant::from_settings(&settings)?))
        })
        .await?;
    let notify_url = format!(
        "{}{}/{}",
        own_origin(req),
        wechat::NOTIFY_PATH,
        attempt.token
    );
    let created = wechat::native_order(
        &state.config.wechatpay_api_base,
        &merchant,
        &attempt.token,
        &format!("订单 {}", started.reference),
        attempt.amount_fen,
        &notify_url,
        clock::now().and_utc().timestamp(),
    )
    .await;
    match created {
        Ok(code_url) => Ok(code_url),
        Err(err) => {
            state
                .db(move |conn| {
                    attempts::fail(
                        conn,
                        &attempt,
                        "WeChat Pay did not create the order",
                        clock::now(),
                    )
                })
                .await?;
            Err(err)
        }
    }
}

/// Confirm a bank transfer
///
/// Finance saw the money arrive: the order is paid (`order.paid`). The same bank reference again
/// changes nothing; an amount other than the order's total is refused. If the order was
/// cancelled meanwhile it stays cancelled and is flagged `refund_due`. Audited.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("order_id" = i64, Path)),
    request_body = BankTransferConfirmation,
    responses(
        (status = 200, description = "The order", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`payment_amount_mismatch`, invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/orders/{order_id}/bank-transfer")]
pub async fn confirm_bank_transfer(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    path: web::Path<OrderId>,
    body: ApiJson<BankTransferConfirmation>,
) -> AppResult<web::Json<OrderDetail>> {
    let p = caller.0;
    let order_id = path.into_inner();
    let request = body.into_inner();
    let order = state
        .db(move |conn| {
            let merchant_id = p.tenant()?;
            attempts::confirm_bank_transfer(conn, &p, order_id, &request, clock::now())?;
            queries::detail(conn, merchant_id, order_id)
        })
        .await?;
    Ok(web::Json(order))
}

fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(body)
}

/// The sandbox's pay page
///
/// For development and tests: the order's number and amount, a success and a failure button.
/// The address is the capability; an unknown one is 422 `unknown_payment`.
#[utoipa::path(
    tag = "orders",
    params(("token" = String, Path, description = "The attempt's token, from `pay_url`")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 422, description = "`unknown_payment`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/payments/sandbox/{token}")]
pub async fn sandbox_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let page = state
        .db(move |conn| {
            let attempt = attempts::by_token(conn, &token)?;
            let order_no: String = {
                use diesel::prelude::*;
                orders::table
                    .find(attempt.order_id)
                    .select(orders::order_no)
                    .first(conn)?
            };
            Ok(sandbox::page(
                &order_no,
                Money::from_fen(attempt.amount_fen).unwrap_or_default(),
                &attempt.token,
                attempt.status,
            ))
        })
        .await?;
    Ok(html(page))
}

/// What the sandbox's button did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SandboxDecision {
    /// What the server answered to the sandbox's signed notification.
    pub result: NotificationResult,
}

/// Press a button of the sandbox's pay page
///
/// `succeed` or `fail`: the sandbox sends the server a signed notification over HTTP, as a
/// provider would, and answers what the server made of it.
#[utoipa::path(
    tag = "orders",
    params(
        ("token" = String, Path, description = "The attempt's token"),
        ("outcome" = String, Path, description = "`succeed` or `fail`"),
    ),
    responses(
        (status = 200, description = "The page, or JSON when asked for", body = SandboxDecision),
        (status = 404, description = "Neither `succeed` nor `fail`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`unknown_payment`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 502, description = "The notification did not get through", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/payments/sandbox/{token}/{outcome}")]
pub async fn sandbox_decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (token, outcome) = path.into_inner();
    let outcome = match outcome.as_str() {
        "succeed" => SandboxOutcome::Succeeded,
        "fail" => SandboxOutcome::Failed,
        _ => return Err(AppError::NotFound),
    };
    let lookup = token.clone();
    let attempt = state
        .db(move |conn| attempts::by_token(conn, &lookup))
        .await?;
    let notification = SandboxNotification {
        payment_token: token,
        transaction_id: format!("SBX-{}", uuid::Uuid::new_v4().simple()),
        amount: Money::from_fen(attempt.amount_fen).unwrap_or_default(),
        outcome,
    };
    let body = serde_json::to_vec(&notification).map_err(AppError::internal)?;
    let signature = sandbox::sign(&state.jwt_secret, clock::now().and_utc().timestamp(), &body);
    let sent = reqwest::Client::new()
        .post(format!("{}{}", own_origin(&req), sandbox::NOTIFY_PATH))
        .header(sandbox::SIGNATURE_HEADER, signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| AppError::BadGateway(format!("sandbox notification: {e}")))?;
    if !sent.status().is_success() {
        return Err(AppError::BadGateway(format!(
            "sandbox notification answered {}",
            sent.status()
        )));
    }
    let answer: SandboxDecision = sent
        .json::<NotificationAnswer>()
        .await
        .map(|a| SandboxDecision { result: a.result })
        .map_err(|e| AppError::BadGateway(format!("sandbox notification answer: {e}")))?;
    let wants_json = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Ok(HttpResponse::Ok().json(answer));
    }
    let text = match answer.result {
        NotificationResult::Paid => "支付成功 Paid",
        NotificationResult::ToRefund => {
            "订单已取消，款项将退回 The order was cancelled; the money will be refunded"
        }
        NotificationResult::Repeated => "已处理 Already handled",
        NotificationResult::Failed => "支付失败 Declined",
    };
    Ok(html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{text}</title></head><body><h1>{text}</h1></body></html>"
    )))
}

/// The largest notification read.
const MAX_NOTIFICATION_BYTES: usize = 16 * 1024;

/// A notification's raw bytes, as signed: read whole, up to a small limit.
async fn read_small(mut payload: web::Payload) -> AppResult<web::Bytes> {
    read_limited(&mut payload, MAX_NOTIFICATION_BYTES).await
}

/// What the server answers a notification.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct NotificationAnswer {
    pub result: NotificationResult,
}

/// The sandbox's notifications
///
/// Signed (`Fenxiao-Sandbox-Signature`); a signature that does not verify is 401
/// `invalid_signature` and records nothing. A payment is applied once however often it is
/// notified; an amount other than the attempt's is refused.
#[utoipa::path(
    tag = "orders",
    params(("Fenxiao-Sandbox-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256>`")),
    request_body = SandboxNotification,
    responses(
        (status = 200, description = "Handled", body = NotificationAnswer),
        (status = 400, description = "Not a notification", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_signature`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`unknown_payment`, `payment_amount_mismatch`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/payments/notifications/sandbox")]
pub async fn sandbox_notification(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<web::Json<NotificationAnswer>> {
    let body = read_small(payload).await?;
    let header = req
        .headers()
        .get(sandbox::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    if let Err(err) = sandbox::verify(
        &state.jwt_secret,
        header,
        &body,
        clock::now().and_utc().timestamp(),
    ) {
        tracing::warn!("sandbox notification with a signature that does not verify");
        return Err(err);
    }
    let notification: SandboxNotification =
        serde_json::from_slice(&body).map_err(|e| AppError::MalformedBody(e.to_string()))?;
    let result = state
        .db(move |conn| sandbox::handle(conn, &notification, clock::now()))
        .await?;
    Ok(web::Json(NotificationAnswer { result }))
}

/// Alipay's notifications
///
/// Alipay's asynchronous notification (`application/x-www-form-urlencoded`), verified with the
/// merchant's Alipay public key before anything is written: a signature that does not verify is
/// 401 `invalid_signature`. Answered with the plain text `success`, as Alipay expects, once
/// handled (a repeat included).
#[utoipa::path(
    tag = "orders",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "The notification's fields, signed (`sign`, `sign_type=RSA2`)"),
    responses(
        (status = 200, description = "`success`", content_type = "text/plain", body = String),
        (status = 401, description = "`invalid_signature`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`unknown_payment`, `payment_amount_mismatch`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/payments/notifications/alipay")]
pub async fn alipay_notification(
    state: web::Data<AppState>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let body = read_small(payload).await?;
    let form: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(&body).into_owned().collect();
    let cipher = state.cipher.clone();
    state
        .db(move |conn| alipay::handle(conn, &cipher, &form, clock::now()))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::plaintext())
        .body("success"))
}

/// WeChat Pay's notifications
///
/// The notification of the attempt the address names, verified with WeChat Pay's public key
/// (`Wechatpay-Serial` must be the configured one; `Wechatpay-Timestamp` within five minutes)
/// before anything is written, then decrypted with the APIv3 key. Answered 204 once handled (a
/// repeat included); a signature that does not verify is 401 `invalid_signature`.
#[utoipa::path(
    tag = "orders",
    params(
        ("token" = String, Path, description = "The attempt's token"),
        ("Wechatpay-Timestamp" = String, Header),
        ("Wechatpay-Nonce" = String, Header),
        ("Wechatpay-Signature" = String, Header),
        ("Wechatpay-Serial" = String, Header),
    ),
    request_body(content = String, content_type = "application/json", description = "The notification, its `resource` encrypted"),
    responses(
        (status = 204, description = "Handled"),
        (status = 400, description = "Not a notification, or a resource that does not decrypt", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_signature`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`unknown_payment`, `payment_amount_mismatch`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/payments/notifications/wechat/{token}")]
pub async fn wechat_notification(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let body = read_small(payload).await?;
    let headers = wechat_headers(&req);
    let cipher = state.cipher.clone();
    state
        .db(move |conn| wechat::handle(conn, &cipher, &token, &headers, &body, clock::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The headers WeChat Pay signs its notifications with.
fn wechat_headers(req: &HttpRequest) -> wechat::SignedHeaders {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    wechat::SignedHeaders {
        timestamp: header("Wechatpay-Timestamp"),
        nonce: header("Wechatpay-Nonce"),
        signature: header("Wechatpay-Signature"),
        serial: header("Wechatpay-Serial"),
    }
}

/// WeChat Pay's refund notifications
///
/// The outcome of the refund the address names (`REFUND.SUCCESS`, `REFUND.CLOSED`,
/// `REFUND.ABNORMAL`), verified and decrypted as a payment notification is. A refund succeeds
/// once, whether its answer or its notification comes first, however often it is notified; a
/// signature that does not verify is 401 `invalid_signature` and changes nothing. Answered 204.
#[utoipa::path(
    tag = "orders",
    params(
        ("refund_no" = String, Path, description = "The refund's number (`out_refund_no`)"),
        ("Wechatpay-Timestamp" = String, Header),
        ("Wechatpay-Nonce" = String, Header),
        ("Wechatpay-Signature" = String, Header),
        ("Wechatpay-Serial" = String, Header),
    ),
    request_body(content = String, content_type = "application/json", description = "The notification, its `resource` encrypted"),
    responses(
        (status = 204, description = "Handled"),
        (status = 400, description = "Not a notification, or a resource that does not decrypt", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_signature`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`unknown_payment`, `payment_amount_mismatch`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/payments/notifications/wechat-refunds/{refund_no}")]
pub async fn wechat_refund_notification(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let refund_no = path.into_inner();
    let body = read_small(payload).await?;
    let headers = wechat_headers(&req);
    let cipher = state.cipher.clone();
    state
        .db(move |conn| {
            wechat::handle_refund(conn, &cipher, &refund_no, &headers, &body, clock::now())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
