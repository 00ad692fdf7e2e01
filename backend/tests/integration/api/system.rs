//! Liveness, readiness, metadata, the OpenAPI document and the docs UI.

use crate::harness::{assert_problem, TestApp};
use serde_json::Value;

db_test!(
    healthz_answers_without_the_database,
    |app: TestApp| async move {
        let res = app.anonymous().get_raw("/healthz").await;
        assert_eq!(res.status(), 200);
        assert!(res.headers().contains_key("x-request-id"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
);

db_test!(readyz_reports_the_backend, |app: TestApp| async move {
    let body: Value = app.anonymous().get("/readyz").await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], app.backend.name());
});

db_test!(meta_describes_the_service, |app: TestApp| async move {
    let body: Value = app.anonymous().get("/api/v1/meta").await;
    assert_eq!(body["name"], "Fenxiao");
    assert_eq!(body["currency"], "CNY");
    assert_eq!(body["locales"][0], "zh-CN");
});

db_test!(
    openapi_document_and_docs_ui_are_served,
    |app: TestApp| async move {
        let served: Value = app.anonymous().get("/api/openapi.json").await;
        let generated: Value = serde_json::from_str(&fenxiao::api::openapi_json()).unwrap();
        assert_eq!(served, generated);
        assert!(served["paths"]["/api/v1/meta"]["get"].is_object());

        let res = app.anonymous().get_raw("/api/docs/").await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("swagger"), "{html}");

        let res = app.anonymous().get_raw("/api/docs").await;
        assert_eq!(res.status(), 308);
        assert_eq!(res.headers()["location"], "/api/docs/");
    }
);

#[actix_web::test]
async fn readyz_answers_503_when_the_database_is_unreachable() {
    let app = TestApp::spawn_without_database().await;
    let res = app.anonymous().get_raw("/healthz").await;
    assert_eq!(
        res.status(),
        200,
        "liveness does not depend on the database"
    );
    let res = app.anonymous().get_raw("/readyz").await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 503, "service_unavailable").await;
}
