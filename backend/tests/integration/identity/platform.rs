//! The platform operator: the approval queue, suspension, the outbox.

use crate::harness::{assert_problem, expect_json, AuditPage, TestApp, TestBackend};
use fenxiao::db::ids::MerchantId;
use serde_json::{json, Value};

async fn act(
    app: &TestApp,
    token: &str,
    merchant_id: MerchantId,
    action: &str,
) -> reqwest::Response {
    app.bearer(token)
        .post_raw(
            &format!("/api/v1/platform/merchants/{merchant_id}/{action}"),
            &json!({ "reason": "测试" }),
        )
        .await
}

#[actix_web::test]
async fn approval_queue_and_state_table() {
    let app =
        TestApp::spawn_with(TestBackend::Sqlite, |c| c.merchant_approval_required = true).await;
    let op = app.operator().await;
    let merchant_id = app.sign_up_merchant("boss@example.com").await;
    let queue: Value = app
        .bearer(&op)
        .get("/api/v1/platform/merchants?status=pending_approval")
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["id"], merchant_id);

    let res = act(&app, &op, MerchantId(merchant_id), "reactivate").await;
    assert_problem(res, 409, "invalid_transition").await;
    let res = act(&app, &op, MerchantId(merchant_id), "approve").await;
    let merchant: Value = expect_json(res, 200).await;
    assert_eq!(merchant["status"], "active");
    let res = act(&app, &op, MerchantId(merchant_id), "approve").await;
    assert_eq!(res.status(), 409, "approving twice is refused");
    let res = act(&app, &op, MerchantId(999_999), "approve").await;
    assert_eq!(res.status(), 404);
}

db_test!(
    suspension_stops_the_merchants_staff_and_keys,
    |app: TestApp| async move {
        let op = app.operator().await;
        let owner = app.owner("boss@example.com").await;
        let key: Value = app
            .bearer(&owner)
            .post(
                "/api/v1/api-keys",
                &json!({ "name": "ERP", "scopes": ["staff.read"] }),
            )
            .await;
        let key = key["key"].as_str().unwrap().to_owned();

        let res = act(&app, &op, owner.merchant_id, "suspend").await;
        assert_eq!(res.status(), 200);
        for token in [&owner.access_token, &key] {
            let res = app.bearer(token).get_raw("/api/v1/staff").await;
            assert_problem(res, 403, "merchant_suspended").await;
        }
        let res = act(&app, &op, owner.merchant_id, "reactivate").await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            app.bearer(&key).get_raw("/api/v1/staff").await.status(),
            200
        );

        // The merchant's audit log tells who did it.
        let audit: AuditPage = app
            .bearer(&owner)
            .get("/api/v1/audit-events?action=merchant.suspended")
            .await;
        let event = &audit.items[0];
        assert_eq!(event.actor_kind, "operator");
        assert_eq!(event.changes.as_ref().unwrap()["reason"]["after"], "测试");
    }
);

db_test!(
    operators_read_the_outbox_and_merchants_cannot,
    |app: TestApp| async move {
        let op = app.operator().await;
        let owner = app.owner("boss@example.com").await;
        let messages: Value = app
            .bearer(&op)
            .get("/api/v1/platform/outbox?recipient=BOSS@example.com&template=verify_email")
            .await;
        assert_eq!(messages.as_array().unwrap().len(), 1);
        assert!(messages[0]["body"]
            .as_str()
            .unwrap()
            .contains("/verify-email?token="));
        let res = app.bearer(&owner).get_raw("/api/v1/platform/outbox").await;
        assert_eq!(res.status(), 403);
        let res = app
            .bearer(&owner)
            .get_raw("/api/v1/platform/merchants")
            .await;
        assert_eq!(res.status(), 403);
        let res = app
            .bearer(&op)
            .get_raw("/api/v1/platform/merchants?status=sleeping")
            .await;
        assert_eq!(res.status(), 422);
    }
);
