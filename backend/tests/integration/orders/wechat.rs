//! WeChat Pay API v3 against a local stand-in for its API: the Native order created with a
//! signed request, notifications verified by signature, serial and time, decrypted, and
//! applied once; and the refund of a cancelled order, asked with a signed request, its signed
//! answer verified, and its notification applied once however often it comes.

use std::sync::{Arc, Mutex};

use super::fixtures::{address, count_events, listed_sku, order_body, place, refund_job, Order};
use crate::harness::{assert_problem, expect_json, TestApp, TestBackend};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use fenxiao::payments::{keys, refunds, wechat};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};

const API_V3_KEY: &str = "0123456789abcdef0123456789abcdef";

/// What the stand-in received: the Authorization headers and bodies of the orders and refunds
/// created; and how it answers refunds.
#[derive(Default)]
struct Received {
    orders: Vec<(String, String)>,
    refunds: Vec<(String, String)>,
    /// The Authorization headers and paths of refunds asked after.
    queries: Vec<(String, String)>,
    /// The `status` of its refund answers.
    refund_status: String,
    /// Signs its refund answers with this key ("WeChat Pay's", or a forger's).
    signer: Option<RsaPrivateKey>,
}

fn authorization_of(req: &HttpRequest) -> String {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// WeChat Pay's API as far as the Native order and refunds go, on a port of its own; answers its
/// base URL.
fn stand_in(received: Arc<Mutex<Received>>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let orders = received.clone();
        let refunds = received.clone();
        let queries = received.clone();
        App::new()
            .route(
                wechat::NATIVE_ORDER_PATH,
                web::post().to(move |req: HttpRequest, body: String| {
                    let received = orders.clone();
                    async move {
                        received
                            .lock()
                            .unwrap()
                            .orders
                            .push((authorization_of(&req), body));
                        HttpResponse::Ok()
                            .json(json!({ "code_url": "weixin://wxpay/bizpayurl?pr=stand-in" }))
                    }
                }),
            )
            .route(
                wechat::REFUND_PATH,
                web::post().to(move |req: HttpRequest, body: String| {
                    let received = refunds.clone();
                    async move {
                        let mut received = received.lock().unwrap();
                        let asked: Value = serde_json::from_str(&body).unwrap();
                        received.refunds.push((authorization_of(&req), body));
                        refund_answer(&received, &asked["out_refund_no"])
                    }
                }),
            )
            .route(
                &format!("{}/{{out_refund_no}}", wechat::REFUND_PATH),
                web::get().to(move |req: HttpRequest, no: web::Path<String>| {
                    let received = queries.clone();
                    async move {
                        let mut received = received.lock().unwrap();
                        received
                            .queries
                            .push((authorization_of(&req), req.path().to_owned()));
                        refund_answer(&received, &json!(no.into_inner()))
                    }
                }),
            )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    format!("http://127.0.0.1:{port}")
}

/// The stand-in's answer about a refund of 110.00, in the status it is set to, signed by its
/// signer as WeChat Pay signs answers.
fn refund_answer(received: &Received, out_refund_no: &Value) -> HttpResponse {
    let answer = json!({
        "refund_id": "50000000382019052709732678859",
        "out_refund_no": out_refund_no,
        "transaction_id": "4200000000202612030000000001",
        "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
        "create_time": "2026-12-06T10:34:56+08:00",
        "status": received.refund_status,
        "amount": { "total": 11_000, "refund": 11_000, "payer_total": 11_000,
                    "payer_refund": 11_000, "currency": "CNY" }
    })
    .to_string();
    let at = fenxiao::clock::now().and_utc().timestamp();
    let nonce = "answer-nonce-0001";
    let signature = keys::sign(
        received.signer.as_ref().unwrap(),
        format!("{at}\n{nonce}\n{answer}\n").as_bytes(),
    );
    HttpResponse::Ok()
        .insert_header(("Wechatpay-Timestamp", at.to_string()))
        .insert_header(("Wechatpay-Nonce", nonce))
        .insert_header(("Wechatpay-Signature", signature))
        .insert_header(("Wechatpay-Serial", "PUB_KEY_ID_0001"))
        .content_type("application/json")
        .body(answer)
}

fn key_pair() -> (RsaPrivateKey, String, String) {
    let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let private = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public = RsaPublicKey::from(&key)
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    (key, private, public)
}

/// A notification of the transaction, its resource encrypted, signed by "WeChat Pay".
fn notification(
    platform: &RsaPrivateKey,
    transaction: &Value,
    at: i64,
) -> (String, Vec<(&'static str, String)>) {
    notification_of(
        platform,
        "TRANSACTION.SUCCESS",
        "transaction",
        transaction,
        at,
    )
}

/// A notification of the event, its resource (of the type `kind`) encrypted, signed by
/// "WeChat Pay".
fn notification_of(
    platform: &RsaPrivateKey,
    event_type: &str,
    kind: &str,
    resource: &Value,
    at: i64,
) -> (String, Vec<(&'static str, String)>) {
    let nonce = "n0nce-123456";
    let sealed = Aes256Gcm::new_from_slice(API_V3_KEY.as_bytes())
        .unwrap()
        .encrypt(
            Nonce::from_slice(nonce.as_bytes()),
            Payload {
                msg: resource.to_string().as_bytes(),
                aad: kind.as_bytes(),
            },
        )
        .unwrap();
    let body = json!({
        "id": "EV-2018022511223320873", "create_time": "2026-12-03T10:34:56+08:00",
        "resource_type": "encrypt-resource", "event_type": event_type,
        "summary": "支付成功",
        "resource": { "original_type": kind, "algorithm": "AEAD_AES_256_GCM",
                      "ciphertext": BASE64.encode(sealed), "associated_data": kind,
                      "nonce": nonce }
    })
    .to_string();
    let header_nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
    let message = format!("{at}\n{header_nonce}\n{body}\n");
    let signature = keys::sign(platform, message.as_bytes());
    let headers = vec![
        ("Wechatpay-Timestamp", at.to_string()),
        ("Wechatpay-Nonce", header_nonce.to_owned()),
        ("Wechatpay-Signature", signature),
        ("Wechatpay-Serial", "PUB_KEY_ID_0001".to_owned()),
    ];
    (body, headers)
}

async fn post_notification(
    app: &TestApp,
    token: &str,
    body: &str,
    headers: &[(&str, String)],
) -> reqwest::Response {
    post_to(
        app,
        &format!("{}/{token}", wechat::NOTIFY_PATH),
        body,
        headers,
    )
    .await
}

async fn post_to(
    app: &TestApp,
    path: &str,
    body: &str,
    headers: &[(&str, String)],
) -> reqwest::Response {
    let mut request = app
        .anonymous()
        .request(reqwest::Method::POST, path)
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.unwrap()
}

async fn run(backend: TestBackend) {
    let received = Arc::new(Mutex::new(Received::default()));
    let api = stand_in(received.clone());
    let app = TestApp::spawn_with(backend, |c| c.wechatpay_api_base = api).await;
    let owner = app.owner("boss@example.com").await;
    let (merchant_key, merchant_private, _) = key_pair();
    let (platform_key, _, platform_public) = key_pair();
    received.lock().unwrap().signer = Some(platform_key.clone());
    app.bearer(&owner)
        .expecting(200)
        .put::<Value>(
            "/api/v1/payment-methods",
            &json!({ "kind": "wechat_pay", "enabled": true, "settings": {
                "mch_id": "1900000109", "app_id": "wxd678efh567hg6787", "serial_no": "5157F09EFDC096DE15EBE81A47057A72",
                "api_v3_key": API_V3_KEY, "private_key": merchant_private,
                "platform_serial": "PUB_KEY_ID_0001", "platform_public_key": platform_public
            } }),
        )
        .await;
    let tea = listed_sku(&app, &owner, "T-1", "50.00", 10).await;
    let member = app
        .member(owner.merchant_id.get(), "13800000001", json!({}))
        .await;
    let to = address(&app, &member, "330100").await;
    let order: Order = expect_json(place(&app, &member, &order_body(tea, 2, to)).await, 201).await;
    let started: Value = expect_json(
        app.bearer(&member)
            .post_raw(
                &member.me(&format!("/orders/{}/payments", order.id)),
                &json!({ "method": "wechat_pay" }),
            )
            .await,
        201,
    )
    .await;
    assert_eq!(started["pay_url"], "weixin://wxpay/bizpayurl?pr=stand-in");

    // The stand-in got one order, signed by the merchant's key over the documented message.
    let (auth, body) = received.lock().unwrap().orders[0].clone();
    let fields: std::collections::HashMap<&str, &str> = auth
        .trim_start_matches("WECHATPAY2-SHA256-RSA2048 ")
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k, v.trim_matches('"')))
        .collect();
    assert_eq!(fields["mchid"], "1900000109");
    assert_eq!(fields["serial_no"], "5157F09EFDC096DE15EBE81A47057A72");
    let message = format!(
        "POST\n{}\n{}\n{}\n{body}\n",
        wechat::NATIVE_ORDER_PATH,
        fields["timestamp"],
        fields["nonce_str"]
    );
    let merchant_public = RsaPublicKey::from(&merchant_key);
    assert!(keys::verify(
        &merchant_public,
        message.as_bytes(),
        fields["signature"]
    ));
    let created: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(created["amount"]["total"], 11_000);
    let token = created["out_trade_no"].as_str().unwrap().to_owned();
    assert!(created["notify_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/wechat/{token}")));

    let transaction = json!({
        "mchid": "1900000109", "appid": "wxd678efh567hg6787", "out_trade_no": token,
        "transaction_id": "4200000000202612030000000001", "trade_state": "SUCCESS",
        "amount": { "total": 11_000, "payer_total": 11_000, "currency": "CNY" }
    });
    let now = fenxiao::clock::now().and_utc().timestamp();
    let (body, headers) = notification(&platform_key, &transaction, now);
    // Another serial, a stale time, a body changed after signing, a forger's key: refused.
    let mut other_serial = headers.clone();
    other_serial[3].1 = "PUB_KEY_ID_9999".into();
    assert_problem(
        post_notification(&app, &token, &body, &other_serial).await,
        401,
        "invalid_signature",
    )
    .await;
    let (stale_body, stale) = notification(&platform_key, &transaction, now - 3_600);
    assert_problem(
        post_notification(&app, &token, &stale_body, &stale).await,
        401,
        "invalid_signature",
    )
    .await;
    let changed = body.replace("支付成功", "支付失败");
    assert_problem(
        post_notification(&app, &token, &changed, &headers).await,
        401,
        "invalid_signature",
    )
    .await;
    let (forger, _, _) = key_pair();
    let (forged_body, forged) = notification(&forger, &transaction, now);
    assert_problem(
        post_notification(&app, &token, &forged_body, &forged).await,
        401,
        "invalid_signature",
    )
    .await;
    // Genuine, but another amount.
    let mut cheaper = transaction.clone();
    cheaper["amount"]["total"] = json!(1);
    let (cheaper_body, cheaper_headers) = notification(&platform_key, &cheaper, now);
    assert_problem(
        post_notification(&app, &token, &cheaper_body, &cheaper_headers).await,
        422,
        "payment_amount_mismatch",
    )
    .await;
    let mine = member.me(&format!("/orders/{}", order.id));
    assert_eq!(
        app.bearer(&member).get::<Order>(&mine).await.status,
        "pending_payment"
    );

    // The genuine one pays, once, however often it comes.
    for _ in 0..3 {
        assert_eq!(
            post_notification(&app, &token, &body, &headers)
                .await
                .status(),
            204
        );
    }
    let paid: Order = app.bearer(&member).get(&mine).await;
    assert_eq!(paid.status, "paid");
    assert_eq!(
        paid.payments[0]["provider_txn_id"],
        "4200000000202612030000000001"
    );

    refunds_of_a_cancelled_order(
        &app,
        &owner,
        &received,
        &merchant_key,
        &platform_key,
        &order,
        &token,
    )
    .await;
}

/// Staff cancel the paid order: its refund is asked of WeChat Pay with a signed request; an
/// answer that does not verify leaves it for the refund job; the verified `PROCESSING` answer
/// waits for the notification, which refunds once however often (and however concurrently) it
/// comes.
async fn refunds_of_a_cancelled_order(
    app: &TestApp,
    owner: &crate::harness::SignedIn,
    received: &Arc<Mutex<Received>>,
    merchant_key: &RsaPrivateKey,
    platform_key: &RsaPrivateKey,
    order: &Order,
    token: &str,
) {
    let (forger, _, _) = key_pair();
    {
        let mut r = received.lock().unwrap();
        r.refund_status = "PROCESSING".into();
        r.signer = Some(forger.clone());
    }
    let staff_view = format!("/api/v1/orders/{}", order.id);
    app.bearer(owner)
        .expecting(200)
        .post::<Value>(
            &format!("{staff_view}/cancel"),
            &json!({ "reason": "缺货" }),
        )
        .await;
    let cancelled: Order = app.bearer(owner).get(&staff_view).await;
    assert_eq!(cancelled.status, "cancelled");
    let refund = &cancelled.refunds[0];
    assert_eq!(
        refund["status"], "pending",
        "a forged answer is not believed"
    );
    assert_eq!(refund["failure_reason"], "answer_not_verified");
    let refund_no = refund["refund_no"].as_str().unwrap().to_owned();

    // The request was signed by the merchant's key, for the whole payment, under our number.
    let (auth, body) = received.lock().unwrap().refunds[0].clone();
    let fields: std::collections::HashMap<&str, &str> = auth
        .trim_start_matches("WECHATPAY2-SHA256-RSA2048 ")
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k, v.trim_matches('"')))
        .collect();
    let message = format!(
        "POST\n{}\n{}\n{}\n{body}\n",
        wechat::REFUND_PATH,
        fields["timestamp"],
        fields["nonce_str"]
    );
    assert!(keys::verify(
        &RsaPublicKey::from(merchant_key),
        message.as_bytes(),
        fields["signature"]
    ));
    let asked: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(asked["out_trade_no"], token);
    assert_eq!(asked["out_refund_no"], refund_no.as_str());
    assert_eq!(
        asked["amount"],
        json!({ "refund": 11_000, "total": 11_000, "currency": "CNY" })
    );
    assert!(asked["notify_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{}/{refund_no}", wechat::REFUND_NOTIFY_PATH)));

    // The refund job asks again, under the same number, once the lease is over.
    received.lock().unwrap().signer = Some(platform_key.clone());
    let report = refund_job(app, refunds::SUBMIT_LEASE + 1).await;
    assert_eq!(report.submitted, 1);
    let asked_again: Value = serde_json::from_str(&received.lock().unwrap().refunds[1].1).unwrap();
    assert_eq!(asked_again["out_refund_no"], refund_no.as_str());
    let processing: Order = app.bearer(owner).get(&staff_view).await;
    assert_eq!(processing.refunds[0]["status"], "processing");
    assert_eq!(
        processing.refunds[0]["provider_refund_id"],
        "50000000382019052709732678859"
    );
    assert!(processing.refund_due);

    // Its notification is late: the job asks where it stands (a signed GET), and it still waits.
    assert_eq!(refund_job(app, 60).await.checked, 0, "not late yet");
    let late = refunds::SUBMIT_LEASE + refunds::QUERY_AFTER_SECS + 2;
    assert_eq!(refund_job(app, late).await.checked, 1);
    let (auth, path) = received.lock().unwrap().queries[0].clone();
    assert_eq!(path, format!("{}/{refund_no}", wechat::REFUND_PATH));
    let fields = authorization_fields(&auth);
    let message = format!(
        "GET\n{path}\n{}\n{}\n\n",
        fields["timestamp"], fields["nonce_str"]
    );
    assert!(keys::verify(
        &RsaPublicKey::from(merchant_key),
        message.as_bytes(),
        fields["signature"]
    ));
    let still: Order = app.bearer(owner).get(&staff_view).await;
    assert_eq!(still.refunds[0]["status"], "processing");
    assert_eq!(
        still.refunds[0]["failure_reason"],
        Value::Null,
        "its verified answer said it is under way"
    );

    let outcome = json!({
        "mchid": "1900000109", "out_trade_no": token, "transaction_id": "4200000000202612030000000001",
        "out_refund_no": refund_no, "refund_id": "50000000382019052709732678859",
        "refund_status": "SUCCESS", "success_time": "2026-12-06T10:35:56+08:00",
        "user_received_account": "支付用户零钱",
        "amount": { "total": 11_000, "refund": 11_000, "payer_total": 11_000, "payer_refund": 11_000 }
    });
    let now = fenxiao::clock::now().and_utc().timestamp();
    let path = format!("{}/{refund_no}", wechat::REFUND_NOTIFY_PATH);
    let (body, headers) = notification_of(platform_key, "REFUND.SUCCESS", "refund", &outcome, now);
    // Forged, for another amount, for a refund nobody made: refused, nothing changed.
    let (forged_body, forged) = notification_of(&forger, "REFUND.SUCCESS", "refund", &outcome, now);
    assert_problem(
        post_to(app, &path, &forged_body, &forged).await,
        401,
        "invalid_signature",
    )
    .await;
    let mut less = outcome.clone();
    less["amount"]["refund"] = json!(1);
    let (less_body, less_headers) =
        notification_of(platform_key, "REFUND.SUCCESS", "refund", &less, now);
    assert_problem(
        post_to(app, &path, &less_body, &less_headers).await,
        422,
        "payment_amount_mismatch",
    )
    .await;
    assert_problem(
        post_to(
            app,
            &format!("{}/NO-SUCH-REFUND", wechat::REFUND_NOTIFY_PATH),
            &body,
            &headers,
        )
        .await,
        422,
        "unknown_payment",
    )
    .await;
    assert_eq!(count_events(app, owner.merchant_id, "refund.completed"), 0);

    // The genuine one, twice at once and once more: one refund.
    let (a, b) = tokio::join!(
        post_to(app, &path, &body, &headers),
        post_to(app, &path, &body, &headers)
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (204, 204));
    assert_eq!(post_to(app, &path, &body, &headers).await.status(), 204);
    assert_eq!(count_events(app, owner.merchant_id, "refund.completed"), 1);
    let refunded: Order = app.bearer(owner).get(&staff_view).await;
    assert_eq!(refunded.refunds[0]["status"], "succeeded");
    assert_eq!(refunded.refunded, "110.00");
    assert!(!refunded.refund_due);
    // Refunded: never asked after again.
    assert_eq!(refund_job(app, 4 * late).await.checked, 0);
    assert_eq!(received.lock().unwrap().queries.len(), 1);
}

fn authorization_fields(auth: &str) -> std::collections::HashMap<&str, &str> {
    auth.trim_start_matches("WECHATPAY2-SHA256-RSA2048 ")
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k, v.trim_matches('"')))
        .collect()
}

#[actix_web::test]
async fn wechat_pay_on_sqlite() {
    run(TestBackend::Sqlite).await;
}

#[actix_web::test]
async fn wechat_pay_on_postgres() {
    if crate::harness::postgres_admin_url().is_some() {
        run(TestBackend::Postgres).await;
    }
}

#[actix_web::test]
async fn an_order_wechat_pay_did_not_create_leaves_a_failed_attempt() {
    // Nothing listens there: the request to WeChat Pay fails.
    let app = TestApp::spawn_with(TestBackend::Sqlite, |c| {
        c.wechatpay_api_base = "http://127.0.0.1:9".into()
    })
    .await;
    let owner = app.owner("boss@example.com").await;
    let (_, merchant_private, _) = key_pair();
    let (_, _, platform_public) = key_pair();
    app.bearer(&owner)
        .expecting(200)
        .put::<Value>(
            "/api/v1/payment-methods",
            &json!({ "kind": "wechat_pay", "enabled": true, "settings": {
                "mch_id": "1900000109", "app_id": "wx1", "serial_no": "S1", "api_v3_key": API_V3_KEY,
                "private_key": merchant_private, "platform_serial": "P1", "platform_public_key": platform_public
            } }),
        )
        .await;
    let tea = listed_sku(&app, &owner, "T-1", "50.00", 10).await;
    let member = app
        .member(owner.merchant_id.get(), "13800000001", json!({}))
        .await;
    let to = address(&app, &member, "330100").await;
    let order: Order = expect_json(place(&app, &member, &order_body(tea, 1, to)).await, 201).await;
    let res = app
        .bearer(&member)
        .post_raw(
            &member.me(&format!("/orders/{}/payments", order.id)),
            &json!({ "method": "wechat_pay" }),
        )
        .await;
    assert_problem(res, 502, "bad_gateway").await;
    let now: Order = app
        .bearer(&member)
        .get(&member.me(&format!("/orders/{}", order.id)))
        .await;
    assert_eq!(now.status, "pending_payment");
    assert_eq!(now.payments[0]["status"], "failed");
}
