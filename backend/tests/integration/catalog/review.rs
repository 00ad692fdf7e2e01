//! When the platform reviews products, merchants submit and operators decide.

use crate::harness::{assert_problem, AuditPage, TestApp, TestBackend};
use serde_json::{json, Value};

async fn run(backend: TestBackend) {
    let app = TestApp::spawn_with(backend, |c| c.platform_product_review = true).await;
    let owner = app.owner("boss@example.com").await;
    let product: Value = app
        .bearer(&owner)
        .post(
            "/api/v1/products",
            &json!({ "name": "龙井", "skus": [{ "code": "A", "retail_price": "10" }] }),
        )
        .await;
    let id = product["id"].as_i64().unwrap();
    app.bearer(&owner)
        .post_raw(
            &format!("/api/v1/products/{id}/status"),
            &json!({ "action": "submit" }),
        )
        .await;
    let res = app
        .bearer(&owner)
        .post_raw(
            &format!("/api/v1/products/{id}/review"),
            &json!({ "action": "approve" }),
        )
        .await;
    assert_problem(res, 403, "platform_review").await;

    let op = app.operator().await;
    let queue: Value = app.bearer(&op).get("/api/v1/platform/products").await;
    assert_eq!(queue[0]["merchant_id"], owner.merchant_id.get());
    assert_eq!(queue[0]["product"]["id"], id);

    let res = app
        .bearer(&op)
        .post_raw(
            &format!("/api/v1/platform/products/{id}/review"),
            &json!({ "action": "reject" }),
        )
        .await;
    assert_eq!(res.status(), 422, "a rejection needs a reason");
    let approved: Value = app
        .bearer(&op)
        .expecting(200)
        .post(
            &format!("/api/v1/platform/products/{id}/review"),
            &json!({ "action": "approve" }),
        )
        .await;
    assert_eq!(approved["status"], "listed");
    let res = app
        .bearer(&op)
        .post_raw(
            "/api/v1/platform/products/987654/review",
            &json!({ "action": "approve" }),
        )
        .await;
    assert_eq!(res.status(), 404);

    let audit: AuditPage = app
        .bearer(&owner)
        .get("/api/v1/audit-events?action=product.status_changed")
        .await;
    assert_eq!(
        audit.items[0].actor_kind, "operator",
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
