//! API keys: created with scopes, shown once, usable as bearer tokens within their scopes.

use crate::harness::{assert_problem, expect_json, TestApp};
use serde_json::{json, Value};

async fn create(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.bearer(token).post_raw("/api/v1/api-keys", &body).await
}

db_test!(
    a_key_works_within_its_scopes_until_revoked,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = create(
            &app,
            &owner.access_token,
            json!({ "name": "ERP", "scopes": ["staff.read", "staff.read"] }),
        )
        .await;
        let created: Value = expect_json(res, 201).await;
        let key = created["key"].as_str().unwrap().to_owned();
        assert!(key.starts_with("fx_") && key.len() == 67, "{key}");
        assert_eq!(created["scopes"], json!(["staff.read"]));
        assert!(key.starts_with(created["prefix"].as_str().unwrap()));

        let res = app.bearer(&key).get_raw("/api/v1/staff").await;
        assert_eq!(res.status(), 200, "in scope");
        let res = app.bearer(&key).get_raw("/api/v1/audit-events").await;
        assert_eq!(res.status(), 403, "out of scope");

        let listed: Value = app.bearer(&owner).get("/api/v1/api-keys").await;
        assert!(listed[0]["last_used_at"].is_string(), "use is recorded");
        assert!(
            listed[0].get("key").is_none(),
            "the key is never shown again"
        );
        assert!(
            !listed.to_string().contains(&key[3..]),
            "no trace of the key in listings"
        );

        let id = created["id"].as_i64().unwrap();
        let res = app
            .bearer(&owner)
            .delete_raw(&format!("/api/v1/api-keys/{id}"))
            .await;
        assert_eq!(res.status(), 200);
        let res = app.bearer(&key).get_raw("/api/v1/staff").await;
        assert_problem(res, 401, "invalid_api_key").await;
    }
);

db_test!(
    keys_cannot_exceed_their_creator_or_mint_keys,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = create(
            &app,
            &owner.access_token,
            json!({ "name": "x", "scopes": ["no.such"] }),
        )
        .await;
        assert_eq!(res.status(), 422);
        let res = create(
            &app,
            &owner.access_token,
            json!({ "name": "x", "scopes": [] }),
        )
        .await;
        assert_eq!(res.status(), 422);
        let res = create(
            &app,
            &owner.access_token,
            json!({ "name": " ", "scopes": ["staff.read"] }),
        )
        .await;
        assert_eq!(res.status(), 422);

        let created: Value = create(
            &app,
            &owner.access_token,
            json!({ "name": "admin key", "scopes": ["api_keys.manage"] }),
        )
        .await
        .json()
        .await
        .unwrap();
        let key = created["key"].as_str().unwrap();
        let res = create(
            &app,
            key,
            json!({ "name": "child", "scopes": ["api_keys.manage"] }),
        )
        .await;
        assert_problem(res, 403, "staff_only").await;
        assert_eq!(app.count("api_keys"), 1);

        let res = app.bearer("fx_0000").get_raw("/api/v1/staff").await;
        assert_eq!(res.status(), 401);
    }
);

db_test!(
    another_merchants_keys_do_not_exist,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let created: Value = create(
            &app,
            &owner.access_token,
            json!({ "name": "ERP", "scopes": ["staff.read"] }),
        )
        .await
        .json()
        .await
        .unwrap();
        let id = created["id"].as_i64().unwrap();
        let other = app.owner("other@example.com").await;
        let res = app
            .bearer(&other)
            .delete_raw(&format!("/api/v1/api-keys/{id}"))
            .await;
        assert_eq!(res.status(), 404);
        let listed: Value = app.bearer(&other).get("/api/v1/api-keys").await;
        assert_eq!(listed, json!([]));
        // The key reads its own merchant's staff only.
        let key = created["key"].as_str().unwrap();
        let staff: Value = app.bearer(key).get("/api/v1/staff").await;
        assert!(staff
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["email"] != "other@example.com"));
    }
);
