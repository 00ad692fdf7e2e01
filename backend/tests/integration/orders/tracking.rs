//! Tracking against a local stand-in for Kuaidi100: packages subscribed when they ship, a
//! timeline refreshed by a signed query, pushes verified by their salt and kept once, a generic
//! tracker's signed webhook, completion on delivery, and the timelines as the buyer and the
//! distributor who brought the order see them.

use std::sync::{Arc, Mutex};

use super::fixtures::{a_paid_order_with, carrier, Order};
use crate::harness::{assert_problem, expect_json, TestApp, TestBackend};
use actix_web::{web, App, HttpResponse, HttpServer};
use fenxiao::tracking::kuaidi100;
use serde_json::{json, Value};

const CUSTOMER: &str = "KD100-CUSTOMER-1";
const KEY: &str = "kd100-key-0123456789";
const WEBHOOK_SECRET: &str = "webhook-secret-0123456789";

/// What the stand-in received: the subscriptions' `param`s, and the queries whose sign held.
#[derive(Default)]
struct Received {
    subscriptions: Vec<Value>,
    queries: Vec<Value>,
}

fn form(body: &str) -> std::collections::BTreeMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

/// Kuaidi100's API as far as subscriptions and queries go; answers its base URL.
fn stand_in(received: Arc<Mutex<Received>>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let subscribe = received.clone();
        let query = received.clone();
        App::new()
            .route(
                kuaidi100::SUBSCRIBE_PATH,
                web::post().to(move |body: String| {
                    let received = subscribe.clone();
                    async move {
                        let fields = form(&body);
                        assert_eq!(fields["schema"], "json");
                        let param: Value = serde_json::from_str(&fields["param"]).unwrap();
                        received.lock().unwrap().subscriptions.push(param);
                        HttpResponse::Ok().json(
                            json!({ "result": true, "returnCode": "200", "message": "提交成功" }),
                        )
                    }
                }),
            )
            .route(
                kuaidi100::QUERY_PATH,
                web::post().to(move |body: String| {
                    let received = query.clone();
                    async move {
                        let fields = form(&body);
                        let expected = kuaidi100::query_sign(&fields["param"], KEY, CUSTOMER);
                        if fields["customer"] != CUSTOMER || fields["sign"] != expected {
                            return HttpResponse::Ok().json(
                                json!({ "result": false, "returnCode": "601", "message": "key已过期" }),
                            );
                        }
                        let param: Value = serde_json::from_str(&fields["param"]).unwrap();
                        received.lock().unwrap().queries.push(param.clone());
                        HttpResponse::Ok().json(json!({
                            "message": "ok", "nu": param["num"], "ischeck": "0", "com": param["com"],
                            "status": "200", "state": "0",
                            "data": [
                                { "time": "2026-12-04 18:00:00", "ftime": "2026-12-04 18:00:00", "context": "快件已到达【杭州转运中心】", "areaName": "杭州", "statusCode": "0" },
                                { "time": "2026-12-04 10:00:00", "ftime": "2026-12-04 10:00:00", "context": "顺丰速运已收取快件", "areaName": "上海", "statusCode": "1" }
                            ]
                        }))
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

async fn push(app: &TestApp, callback: &str, param: &str, sign: &str) -> reqwest::Response {
    let path = callback
        .find("/api/v1/")
        .map(|i| &callback[i..])
        .unwrap()
        .to_owned();
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("param", param)
        .append_pair("sign", sign)
        .finish();
    app.anonymous()
        .request(reqwest::Method::POST, &path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn webhook(app: &TestApp, slug: &str, secret: &str, body: &Value) -> reqwest::Response {
    let bytes = serde_json::to_vec(body).unwrap();
    let t = fenxiao::clock::now().and_utc().timestamp();
    app.anonymous()
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/tracking/webhooks/{slug}"),
        )
        .header(
            "Fenxiao-Tracking-Signature",
            fenxiao::crypto::sign_body(secret.as_bytes(), t, &bytes),
        )
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn run(backend: TestBackend) {
    let received = Arc::new(Mutex::new(Received::default()));
    let api = stand_in(received.clone());
    let app = TestApp::spawn_with(backend, |c| c.kuaidi100_api_base = api).await;
    let owner = app.owner("boss@example.com").await;
    let staff = app.bearer(&owner);
    let settings: Value = staff
        .put(
            "/api/v1/tracking-settings",
            &json!({ "kuaidi100_customer": CUSTOMER, "kuaidi100_key": KEY, "webhook_secret": WEBHOOK_SECRET }),
        )
        .await;
    assert_eq!(settings["kuaidi100_customer"], CUSTOMER);
    assert!(settings["kuaidi100_key"]
        .as_str()
        .unwrap()
        .starts_with("****"));
    assert!(
        !settings.to_string().contains(KEY),
        "secrets are never shown"
    );
    let short = staff
        .put_raw(
            "/api/v1/tracking-settings",
            &json!({ "webhook_secret": "short" }),
        )
        .await;
    assert_eq!(short.status(), 422);
    staff
        .expecting(200)
        .put::<Value>(
            "/api/v1/order-settings",
            &json!({ "complete_on_delivery": true }),
        )
        .await;
    let seller = app
        .member(owner.merchant_id.get(), "13800000009", json!({}))
        .await;
    let distributor: Value = staff
        .post("/api/v1/distributors", &json!({ "member_id": seller.id }))
        .await;
    let (member, order) = a_paid_order_with(
        &app,
        &owner,
        "13800000001",
        json!({ "distributor_code": distributor["code"] }),
    )
    .await;
    let sf = carrier(&app, &owner, "SF").await;
    let packages = format!("/api/v1/orders/{}/packages", order.id);
    for (tracking, lines) in [
        ("SF1000000001", json!([{ "line_no": 1, "quantity": 3 }])),
        ("SF1000000002", json!([{ "line_no": 2, "quantity": 1 }])),
    ] {
        staff
            .expecting(200)
            .post::<Value>(
                &packages,
                &json!({ "carrier_id": sf, "tracking_no": tracking, "lines": lines }),
            )
            .await;
    }
    // Both packages were subscribed, each with its own address and salt.
    let subscriptions = received.lock().unwrap().subscriptions.clone();
    assert_eq!(subscriptions.len(), 2);
    assert_eq!(subscriptions[0]["company"], "shunfeng");
    assert_eq!(subscriptions[0]["number"], "SF1000000001");
    assert_eq!(subscriptions[0]["key"], KEY);
    assert_eq!(subscriptions[0]["parameters"]["phone"], "13800000000");
    let callback = subscriptions[0]["parameters"]["callbackurl"]
        .as_str()
        .unwrap()
        .to_owned();
    let salt = subscriptions[0]["parameters"]["salt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        callback.contains("/api/v1/tracking/kuaidi100/"),
        "{callback}"
    );
    assert_ne!(
        salt,
        subscriptions[1]["parameters"]["salt"].as_str().unwrap()
    );

    // A refresh asks Kuaidi100 with a signed query and keeps the timeline.
    let detail: Order = staff.get(&format!("/api/v1/orders/{}", order.id)).await;
    let first = detail.packages[0]["id"].as_i64().unwrap();
    let refreshed: Order = staff
        .post(&format!("{packages}/{first}/refresh"), &json!({}))
        .await;
    assert_eq!(received.lock().unwrap().queries[0]["com"], "shunfeng");
    assert_eq!(refreshed.packages[0]["tracking_state"], "in_transit");
    let events = refreshed.packages[0]["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["description"], "快件已到达【杭州转运中心】");
    assert_eq!(
        events[0]["occurred_at"], "2026-12-04T10:00:00Z",
        "Beijing time, stored as UTC"
    );
    assert_eq!(events[1]["state"], "picked_up");

    // A push: verified by the package's salt, its timeline kept once.
    let param = json!({
        "status": "shutdown", "message": "",
        "lastResult": { "message": "ok", "nu": "SF1000000001", "com": "shunfeng", "status": "200", "state": "3",
            "data": [
                { "time": "2026-12-05 09:30:00", "context": "【杭州市】快件已由本人签收", "statusCode": "301" },
                { "time": "2026-12-04 18:00:00", "context": "快件已到达【杭州转运中心】", "statusCode": "0" },
                { "time": "2026-12-04 10:00:00", "context": "顺丰速运已收取快件", "statusCode": "1" }
            ] }
    })
    .to_string();
    let forged = push(
        &app,
        &callback,
        &param,
        &kuaidi100::push_sign(&param, "not-the-salt"),
    )
    .await;
    assert_problem(forged, 401, "invalid_signature").await;
    let sign = kuaidi100::push_sign(&param, &salt);
    for _ in 0..2 {
        let res = push(&app, &callback, &param, &sign).await;
        assert_eq!(res.status(), 200);
        let answer: Value = res.json().await.unwrap();
        assert_eq!(
            answer,
            json!({ "result": true, "returnCode": "200", "message": "成功" })
        );
    }
    let after: Order = staff.get(&format!("/api/v1/orders/{}", order.id)).await;
    assert_eq!(after.packages[0]["tracking_state"], "delivered");
    assert_eq!(
        after.packages[0]["events"].as_array().unwrap().len(),
        3,
        "each event once"
    );
    assert_eq!(
        after.status, "shipped",
        "the other package is still on its way"
    );

    // The generic webhook: signed with the shop's secret; the second package's delivery
    // completes the order.
    let delivered = json!({
        "carrier_code": "SF", "tracking_no": "SF1000000002", "state": "delivered",
        "events": [{ "state": "delivered", "description": "已签收", "location": "杭州", "occurred_at": "2026-12-05T02:00:00Z" }]
    });
    let res = webhook(&app, &member.shop, "another-secret-0123456789", &delivered).await;
    assert_problem(res, 401, "invalid_signature").await;
    let unknown = json!({
        "carrier_code": "SF", "tracking_no": "SF9999999999",
        "events": [{ "state": "in_transit", "description": "运输中", "occurred_at": "2026-12-05T02:00:00Z" }]
    });
    let res = webhook(&app, &member.shop, WEBHOOK_SECRET, &unknown).await;
    assert_problem(res, 422, "unknown_package").await;
    let res = webhook(&app, &member.shop, WEBHOOK_SECRET, &delivered).await;
    assert_eq!(res.status(), 204);
    let done: Order = staff.get(&format!("/api/v1/orders/{}", order.id)).await;
    assert_eq!(done.status, "completed");
    assert_eq!(done.timeline.last().unwrap()["note"], "delivered");
    assert_eq!(done.packages[1]["events"][0]["description"], "已签收");

    // The buyer sees both timelines; so does the distributor who brought the order, and nobody
    // else.
    let mine: Order = app
        .bearer(&member)
        .get(&member.me(&format!("/orders/{}", order.id)))
        .await;
    assert_eq!(mine.packages.len(), 2);
    assert_eq!(mine.packages[0]["events"].as_array().unwrap().len(), 3);
    let brought = format!("/brought-orders/{}/packages", order.id);
    let theirs: Vec<Value> = app.bearer(&seller).get(&seller.me(&brought)).await;
    assert_eq!(theirs.len(), 2);
    assert_eq!(theirs[1]["tracking_state"], "delivered");
    let res = app.bearer(&member).get_raw(&member.me(&brought)).await;
    assert_eq!(res.status(), 404, "the buyer is no distributor");
    let shown: Value = expect_json(
        app.bearer(&owner)
            .get_raw("/api/v1/tracking-settings")
            .await,
        200,
    )
    .await;
    assert_eq!(shown["webhook_secret"], settings["webhook_secret"]);
}

#[actix_web::test]
async fn kuaidi100_and_the_webhook_on_sqlite() {
    run(TestBackend::Sqlite).await;
}

#[actix_web::test]
async fn kuaidi100_and_the_webhook_on_postgres() {
    if crate::harness::postgres_admin_url().is_some() {
        run(TestBackend::Postgres).await;
    }
}
