//! What the order tests share: a listed SKU, an address, placing an order, and the order's
//! answer as they read it.

use crate::harness::{Member, SignedIn, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::SkuId;
use fenxiao::db::schema::skus;
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
