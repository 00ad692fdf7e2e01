//! What the order tests share: a listed SKU, an address, placing an order, and the order's
//! answer as they read it.

use crate::harness::{expect_json, test_jwt_key, Member, SignedIn, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::SkuId;
use fenxiao::db::schema::skus;
use fenxiao::payments::sandbox;
use fenxiao::secrets::SecretKey;
use serde::Deserialize;
use serde_json::{json, Value};

/// The fields of an order the tests read.
#[derive(Debug, Deserialize)]
pub struct Order {
    pub id: i64,
    pub order_no: String,
    pub status: String,
    pub member_id: i64,
    pub distributor_id: Option<i64>,
    pub goods_amount: String,
    pub paid_goods: String,
    pub freight: String,
    pub total: String,
    pub delivery: String,
    pub address: Option<String>,
    pub refund_due: bool,
    pub lines: Vec<Line>,
    pub payments: Vec<Value>,
    pub timeline: Vec<Value>,
    pub packages: Vec<Value>,
    pub complete_by: Option<String>,
    pub after_sale_until: Option<String>,
    pub refunded: String,
    pub refunds: Vec<Value>,
}

#[derive(Debug, Deserialize)]
pub struct Line {
    pub line_no: i32,
    pub sku_id: i64,
    pub product_name: String,
    pub sku_code: String,
    pub quantity: i64,
    pub unit_price: String,
    pub unit_price_source: String,
    pub amount: String,
    pub commission_base: String,
    pub shipped_quantity: i64,
    pub cancelled_quantity: i64,
    pub returned_quantity: i64,
    pub refunded_quantity: i64,
    pub refunded: String,
    pub claimed_quantity: i64,
}

/// A listed product of the owner's shop with one SKU, charged by a freight template of 8.00 for
/// the first piece and 2.00 for each further one; answers the SKU's id.
pub async fn listed_sku(
    app: &TestApp,
    owner: &SignedIn,
    code: &str,
    price: &str,
    stock: i64,
) -> i64 {
    let staff = app.bearer(owner);
    let template: Value = staff
        .post(
            "/api/v1/freight-templates",
            &json!({
                "name": format!("运费 {code}"), "mode": "piece", "first_units": 1,
                "first_price": "8", "additional_units": 1, "additional_price": "2",
                "restricted_regions": ["650000"]
            }),
        )
        .await;
    let product: Value = staff
        .post(
            "/api/v1/products",
            &json!({
                "name": format!("龙井 {code}"), "freight_template_id": template["id"],
                "skus": [{ "code": code, "retail_price": price, "stock": stock,
                           "spec_values": {} }]
            }),
        )
        .await;
    let id = product["id"].as_i64().unwrap();
    for (path, action) in [("status", "submit"), ("review", "approve")] {
        staff
            .expecting(200)
            .post::<Value>(
                &format!("/api/v1/products/{id}/{path}"),
                &json!({ "action": action }),
            )
            .await;
    }
    product["skus"][0]["id"].as_i64().unwrap()
}

pub async fn address(app: &TestApp, member: &Member, city: &str) -> i64 {
    let province = format!("{}0000", &city[..2]);
    let created: Value = app
        .bearer(member)
        .post(
            &member.me("/addresses"),
            &json!({
                "recipient": "王丽", "phone": "138 0000 0000", "province_code": province,
                "city_code": city, "district": "西湖区", "detail": "文三路 90 号"
            }),
        )
        .await;
    created["id"].as_i64().unwrap()
}

pub fn stock(app: &TestApp, sku: i64) -> i64 {
    skus::table
        .find(SkuId(sku))
        .select(skus::stock)
        .first(&mut *app.conn())
        .unwrap()
}

pub fn order_body(sku: i64, quantity: i64, address_id: i64) -> Value {
    json!({ "items": [{ "sku_id": sku, "quantity": quantity }], "address_id": address_id })
}

pub async fn place(app: &TestApp, member: &Member, body: &Value) -> reqwest::Response {
    app.bearer(member)
        .post_raw(&member.me("/orders"), body)
        .await
}

pub async fn enable(app: &TestApp, owner: &SignedIn, kind: &str, settings: Value) {
    app.bearer(owner)
        .expecting(200)
        .put::<Value>(
            "/api/v1/payment-methods",
            &json!({ "kind": kind, "enabled": true, "settings": settings }),
        )
        .await;
}

pub async fn pay_with(
    app: &TestApp,
    member: &Member,
    order: &Order,
    method: &str,
) -> reqwest::Response {
    app.bearer(member)
        .post_raw(
            &member.me(&format!("/orders/{}/payments", order.id)),
            &json!({ "method": method }),
        )
        .await
}

/// The token of a new sandbox attempt, from its pay page's address.
pub async fn sandbox_token(app: &TestApp, member: &Member, order: &Order) -> String {
    let started: Value = expect_json(pay_with(app, member, order, "sandbox").await, 201).await;
    assert_eq!(started["payment"]["status"], "pending");
    assert_eq!(started["reference"], order.order_no.as_str());
    let url = started["pay_url"].as_str().unwrap();
    url.rsplit('/').next().unwrap().to_owned()
}

pub fn notification(token: &str, txn: &str, amount: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "payment_token": token, "transaction_id": txn, "amount": amount, "outcome": "succeeded"
    }))
    .unwrap()
}

pub async fn notify(app: &TestApp, key: &SecretKey, body: &[u8]) -> reqwest::Response {
    let signature = sandbox::sign(key, fenxiao::clock::now().and_utc().timestamp(), body);
    app.anonymous()
        .request(reqwest::Method::POST, sandbox::NOTIFY_PATH)
        .header(sandbox::SIGNATURE_HEADER, signature)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

/// Pays the order through the sandbox (enabled on the way): an attempt, then the sandbox's signed
/// notification of its success.
pub async fn pay_in_sandbox(app: &TestApp, owner: &SignedIn, member: &Member, order: &Order) {
    enable(app, owner, "sandbox", json!({})).await;
    let token = sandbox_token(app, member, order).await;
    let answer: Value = expect_json(
        notify(
            app,
            &test_jwt_key(),
            &notification(&token, &format!("SBX-{}", order.order_no), &order.total),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(answer["result"], "paid", "{answer}");
}

/// The id of the merchant's carrier with this code (the default carriers are there on first use).
pub async fn carrier(app: &TestApp, owner: &SignedIn, code: &str) -> i64 {
    let carriers: Vec<Value> = app.bearer(owner).get("/api/v1/carriers").await;
    carriers
        .iter()
        .find(|c| c["code"] == code)
        .and_then(|c| c["id"].as_i64())
        .unwrap_or_else(|| panic!("no carrier {code}"))
}

/// How many events of this name the merchant has recorded.
pub fn count_events(app: &TestApp, merchant_id: fenxiao::db::ids::MerchantId, name: &str) -> i64 {
    use fenxiao::db::schema::domain_events;
    domain_events::table
        .filter(domain_events::merchant_id.eq(merchant_id))
        .filter(domain_events::name.eq(name))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

/// A paid order of a new member: 3 × 50.00 of one tea (line 1) and 1 × 20.00 of a cup (line 2),
/// each with its own freight template, paid in the sandbox.
pub async fn a_paid_order(app: &TestApp, owner: &SignedIn, phone: &str) -> (Member, Order) {
    a_paid_order_with(app, owner, phone, json!({})).await
}

/// [`a_paid_order`] of a member registered with `extra` (a distributor's code, say).
pub async fn a_paid_order_with(
    app: &TestApp,
    owner: &SignedIn,
    phone: &str,
    extra: Value,
) -> (Member, Order) {
    let tea = listed_sku(app, owner, &format!("T-{phone}"), "50.00", 100).await;
    let cup = listed_sku(app, owner, &format!("C-{phone}"), "20.00", 100).await;
    let member = app.member(owner.merchant_id.get(), phone, extra).await;
    let to = address(app, &member, "330100").await;
    let mut body = order_body(tea, 3, to);
    body["items"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "sku_id": cup, "quantity": 1 }));
    let order: Order = expect_json(place(app, &member, &body).await, 201).await;
    pay_in_sandbox(app, owner, &member, &order).await;
    (member, order)
}

/// Runs one round of the refund job as it would run `seconds` from now, off the test's thread (a
/// provider's stand-in answers on that thread).
pub async fn refund_job(app: &TestApp, seconds: i64) -> fenxiao::payments::refunds::SubmitReport {
    let (mut conn, providers) = (app.conn(), app.providers.clone());
    let at = fenxiao::clock::now() + chrono::Duration::seconds(seconds);
    actix_web::rt::task::spawn_blocking(move || {
        fenxiao::payments::refunds::submit_due(&mut conn, &providers, at, 100)
    })
    .await
    .unwrap()
    .unwrap()
}
