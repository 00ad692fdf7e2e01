//! Merchant sign-up and email verification.

use crate::harness::{assert_problem, problem, TestApp, TestBackend};
use diesel::prelude::*;
use fenxiao::db::ids::MerchantId;
use fenxiao::db::schema::{merchants, one_time_tokens, outbox_messages, staff_users};
use serde_json::{json, Value};

fn signup_body(email: &str) -> Value {
    json!({
        "company_name": " 杭州好物优选有限公司 ",
        "contact_name": "王丽",
        "phone": "138-1234-5678",
        "email": email,
        "password": "tea-garden-2026"
    })
}

/// The token from the newest verification email sent to `email`.
fn verification_token(app: &TestApp, email: &str) -> String {
    let body: String = outbox_messages::table
        .filter(outbox_messages::recipient.eq(email))
        .filter(outbox_messages::template.eq("verify_email"))
        .order(outbox_messages::id.desc())
        .select(outbox_messages::body)
        .first(&mut *app.conn())
        .unwrap();
    let start = body.find("token=").unwrap() + "token=".len();
    body[start..start + 64].to_owned()
}

db_test!(
    sign_up_then_verify_activates_the_merchant,
    |app: TestApp| async move {
        let created: Value = app
            .anonymous()
            .expecting(201)
            .post("/api/v1/signup", &signup_body("Owner@Example.COM "))
            .await;
        assert_eq!(created["status"], "pending_verification");
        assert_eq!(created["email"], "owner@example.com");
        let merchant_id = MerchantId(created["merchant_id"].as_i64().unwrap());

        let (name, phone, status): (String, String, String) = merchants::table
            .find(merchant_id)
            .select((merchants::name, merchants::contact_phone, merchants::status))
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(name, "杭州好物优选有限公司");
        assert_eq!(phone, "13812345678");
        assert_eq!(status, "pending_verification");
        let (role, hash): (String, String) = staff_users::table
            .filter(staff_users::merchant_id.eq(merchant_id))
            .select((staff_users::role, staff_users::password_hash))
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(role, "owner");
        assert!(hash.starts_with("$argon2id$"), "stored as an argon2id hash");

        let token = verification_token(&app, "owner@example.com");
        let stored: String = one_time_tokens::table
            .select(one_time_tokens::token_hash)
            .first(&mut *app.conn())
            .unwrap();
        assert_ne!(stored, token, "only the token's hash is stored");

        let verified: Value = app
            .anonymous()
            .expecting(200)
            .post("/api/v1/signup/verify-email", &json!({ "token": token }))
            .await;
        assert_eq!(verified["status"], "active");
        assert_eq!(verified["merchant_id"], merchant_id.get());

        // The link works once.
        let res = app
            .anonymous()
            .post_raw("/api/v1/signup/verify-email", &json!({ "token": token }))
            .await;
        assert_problem(res, 409, "token_used").await;
    }
);

db_test!(
    duplicate_email_is_409_and_writes_nothing,
    |app: TestApp| async move {
        let res = app
            .anonymous()
            .post_raw("/api/v1/signup", &signup_body("a@example.com"))
            .await;
        assert_eq!(res.status(), 201);
        let res = app
            .anonymous()
            .post_raw("/api/v1/signup", &signup_body("A@example.com"))
            .await;
        assert_problem(res, 409, "email_taken").await;
        assert_eq!(app.count("merchants"), 1);
        assert_eq!(app.count("staff_users"), 1);
        assert_eq!(app.count("outbox_messages"), 1);
    }
);

db_test!(
    concurrent_sign_ups_with_one_email_create_one_account,
    |app: TestApp| async move {
        let attempts = (0..8).map(|_| {
            app.anonymous()
                .post_raw("/api/v1/signup", &signup_body("race@example.com"))
        });
        let results = futures_util::future::join_all(attempts).await;
        let statuses: Vec<u16> = results.into_iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 409),
            "{statuses:?}"
        );
        assert_eq!(app.count("merchants"), 1);
        assert_eq!(app.count("staff_users"), 1);
    }
);

db_test!(
    unknown_and_expired_tokens_are_refused,
    |app: TestApp| async move {
        let res = app
            .anonymous()
            .post_raw(
                "/api/v1/signup/verify-email",
                &json!({ "token": "0".repeat(64) }),
            )
            .await;
        assert_eq!(res.status(), 422);
        let body = problem(res).await;
        assert_eq!(body["errors"][0]["code"], "invalid_token");

        app.anonymous()
            .post_raw("/api/v1/signup", &signup_body("late@example.com"))
            .await;
        let token = verification_token(&app, "late@example.com");
        diesel::update(one_time_tokens::table)
            .set(
                one_time_tokens::expires_at
                    .eq(fenxiao::clock::now() - chrono::Duration::seconds(1)),
            )
            .execute(&mut *app.conn())
            .unwrap();
        let res = app
            .anonymous()
            .post_raw("/api/v1/signup/verify-email", &json!({ "token": token }))
            .await;
        assert_problem(res, 409, "token_expired").await;
        let status: String = merchants::table
            .select(merchants::status)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(
            status, "pending_verification",
            "an expired link changes nothing"
        );
    }
);

db_test!(
    password_containing_the_email_is_weak,
    |app: TestApp| async move {
        let mut body = signup_body("liwang@example.com");
        body["password"] = json!("liwang-2026-ok");
        let res = app.anonymous().post_raw("/api/v1/signup", &body).await;
        assert_eq!(res.status(), 422);
        let problem = problem(res).await;
        assert_eq!(problem["errors"][0]["code"], "weak_password");
        assert_eq!(app.count("merchants"), 0);
    }
);

#[actix_web::test]
async fn approval_setting_leaves_verified_merchants_pending() {
    let app = TestApp::spawn_with(TestBackend::Sqlite, |config| {
        config.merchant_approval_required = true;
    })
    .await;
    app.anonymous()
        .post_raw("/api/v1/signup", &signup_body("wait@example.com"))
        .await;
    let token = verification_token(&app, "wait@example.com");
    let verified: Value = app
        .anonymous()
        .expecting(200)
        .post("/api/v1/signup/verify-email", &json!({ "token": token }))
        .await;
    assert_eq!(verified["status"], "pending_approval");
}
