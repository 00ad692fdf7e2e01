//! Payment method settings: validated, encrypted at rest, masked in answers.

use crate::harness::{expect_json, problem, SignedIn, TestApp};
use diesel::prelude::*;
use serde_json::{json, Value};

async fn save(app: &TestApp, who: &SignedIn, body: Value) -> reqwest::Response {
    app.bearer(&who)
        .put_raw("/api/v1/payment-methods", &body)
        .await
}

async fn list(app: &TestApp, who: &SignedIn) -> Value {
    app.bearer(&who).get("/api/v1/payment-methods").await
}

db_test!(
    bank_details_are_encrypted_and_masked,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let methods = list(&app, &owner).await;
        assert_eq!(methods.as_array().unwrap().len(), 4);
        assert!(methods
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["enabled"] == false));

        let res = save(&app, &owner, json!({ "kind": "bank_transfer", "enabled": true, "settings": { "bank_name": "工商银行" } })).await;
        assert_eq!(res.status(), 422);
        let problem = problem(res).await;
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            vec!["settings.account_name", "settings.account_number"]
        );

        let res = save(&app, &owner, json!({ "kind": "bank_transfer", "enabled": true, "settings": {
        "account_name": "杭州好物优选有限公司", "bank_name": "工商银行", "account_number": "6222021234567890123"
    } })).await;
        let saved: Value = expect_json(res, 200).await;
        assert_eq!(saved["settings"]["account_number"], "****0123");
        assert_eq!(saved["settings"]["bank_name"], "工商银行");

        use fenxiao::db::schema::payment_methods as pm;
        let sealed: String = pm::table
            .select(pm::settings_encrypted)
            .first(&mut *app.conn())
            .unwrap();
        assert!(
            !sealed.contains("6222021234567890123") && !sealed.contains("工商银行"),
            "encrypted at rest"
        );

        // Changing the bank without re-sending the account number keeps it.
        let res = save(
            &app,
            &owner,
            json!({ "kind": "bank_transfer", "enabled": true, "settings": {
        "account_name": "杭州好物优选有限公司", "bank_name": "建设银行"
    } }),
        )
        .await;
        let saved: Value = expect_json(res, 200).await;
        assert_eq!(saved["settings"]["account_number"], "****0123");
        assert_eq!(saved["settings"]["bank_name"], "建设银行");

        let audit: Value = app
            .bearer(&owner)
            .get("/api/v1/audit-events?action=payment_method.saved")
            .await;
        assert!(
            !audit.to_string().contains("6222021234567890123"),
            "no secret in the audit log"
        );
    }
);

db_test!(
    bad_settings_are_refused_and_tenants_are_apart,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = save(
            &app,
            &owner,
            json!({ "kind": "alipay", "enabled": false, "settings": { "password": "x" } }),
        )
        .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["code"], "unknown_field");
        let res = save(
            &app,
            &owner,
            json!({ "kind": "alipay", "enabled": false, "settings": { "app_id": "x".repeat(40) } }),
        )
        .await;
        assert_eq!(res.status(), 422);
        let res = save(&app, &owner, json!({ "kind": "bitcoin", "enabled": true })).await;
        assert_eq!(res.status(), 422);
        assert_eq!(
            save(&app, &owner, json!({ "kind": "sandbox", "enabled": true }))
                .await
                .status(),
            200
        );

        let other = app.owner("other@example.com").await;
        let theirs = list(&app, &other).await;
        assert!(
            theirs
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["enabled"] == false),
            "another merchant's settings are its own"
        );
    }
);
