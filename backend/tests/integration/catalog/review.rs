//! When the platform reviews products, merchants submit and operators decide.


use crate::harness::{problem, TestApp, TestBackend};
use serde_json::{json, Value};

async fn run(backend: TestBackend) {
    let app = TestApp::spawn_with(backend, |c| c.platform_product_review = true).await;
    let owner = app.owner("boss@example.com").await;
    let product: Value = app
        .post("/api/v1/products")
        .bearer_auth(&owner.access_token)
        .json(&json!({ "name": "龙井", "skus": [{ "code": "A", "retail_price": "10" }] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = product["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/products/{id}/status"))
        .bearer_auth(&owner.access_token)
        .json(&json!({ "action": "submit" }))
        .send()
        .await
        .unwrap();
    let res = app
        .post(&format!("/api/v1/products/{id}/review"))
        .bearer_auth(&owner.access_token)
        .json(&json!({ "action": "approve" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(problem(res).await["code"], "platform_review");

    fenxiao::platform::operators::create(
        &mut app.conn(),
        "root@example.com",
        "运维",
        "platform-pass-2026",
    )
    .unwrap();
    let op: Value = app
        .sign_in(
            "/api/v1/platform/auth/sign-in",
            "root@example.com",
            "platform-pass-2026",
        )
        .await
        .json()
        .await
        .unwrap();
    let op = op["tokens"]["access_token"].as_str().unwrap().to_owned();
    let queue: Value = app
        .get("/api/v1/platform/products")
        .bearer_auth(&op)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue[0]["merchant_id"], owner.merchant_id);
    assert_eq!(queue[0]["product"]["id"], id);

    let res = app
        .post(&format!("/api/v1/platform/products/{id}/review"))
        .bearer_auth(&op)
        .json(&json!({ "action": "reject" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "a rejection needs a reason");
    let res = app
        .post(&format!("/api/v1/platform/products/{id}/review"))
        .bearer_auth(&op)
        .json(&json!({ "action": "approve" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let approved: Value = res.json().await.unwrap();
    assert_eq!(approved["status"], "listed");
    let res = app
        .post("/api/v1/platform/products/987654/review")
        .bearer_auth(&op)
        .json(&json!({ "action": "approve" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    let audit: Value = app
        .get("/api/v1/audit-events?action=product.status_changed")
        .bearer_auth(&owner.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        audit["items"][0]["actor_kind"], "operator",
        "the merchant sees who decided"
    );
}

#[actix_web::test]
async fn operators_review_products_on_sqlite() {
    run(TestBackend::Sqlite).await;
}

#[actix_web::test]
async fn operators_review_products_on_postgres() {
    if crate::harness::postgres_admin_url().is_some() {
        run(TestBackend::Postgres).await;
    }
}
