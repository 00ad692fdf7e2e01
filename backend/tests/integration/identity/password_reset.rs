//! Password reset and the rate limit on authentication endpoints.

use crate::harness::{problem, TestApp, TestBackend, OWNER_PASSWORD, SIGN_IN};
use serde_json::json;

async fn ask(app: &TestApp, email: &str) -> reqwest::Response {
    app.anonymous()
        .post_raw("/api/v1/auth/password-reset", &json!({ "email": email }))
        .await
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.anonymous()
        .post_raw(
            "/api/v1/auth/password-reset/confirm",
            &json!({ "token": token, "password": password }),
        )
        .await
}

db_test!(
    reset_changes_the_password_and_ends_sessions,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        for _ in 0..5 {
            app.sign_in(SIGN_IN, "boss@example.com", "wrong-password-1")
                .await;
        }
        let res = ask(&app, "Boss@Example.com").await;
        assert_eq!(res.status(), 202);
        let token = app.token_from_outbox("boss@example.com", "reset_password");
        let res = confirm(&app, &token, "weak").await;
        assert_eq!(res.status(), 422);
        let res = confirm(&app, &token, "new-garden-2027").await;
        assert_eq!(res.status(), 204);

        let res = app.bearer(&owner).get_raw("/api/v1/auth/me").await;
        assert_eq!(res.status(), 401, "sessions end with the reset");
        assert_eq!(
            app.sign_in(SIGN_IN, "boss@example.com", OWNER_PASSWORD)
                .await
                .status(),
            401
        );
        assert_eq!(
            app.sign_in(SIGN_IN, "boss@example.com", "new-garden-2027")
                .await
                .status(),
            200,
            "and the lock is lifted"
        );

        let res = confirm(&app, &token, "third-garden-2028").await;
        assert_eq!(res.status(), 409, "a reset link works once");
        assert_eq!(problem(res).await["code"], "token_used");
        assert_eq!(
            app.sign_in(SIGN_IN, "boss@example.com", "new-garden-2027")
                .await
                .status(),
            200
        );
    }
);

db_test!(
    unknown_emails_get_the_same_answer_and_no_mail,
    |app: TestApp| async move {
        app.owner("boss@example.com").await;
        let before = app.count("outbox_messages");
        let res = ask(&app, "nobody@example.com").await;
        assert_eq!(res.status(), 202);
        assert_eq!(app.count("outbox_messages"), before);
        assert_eq!(ask(&app, "not an email").await.status(), 422);
        let res = confirm(&app, &"f".repeat(64), "new-garden-2027").await;
        assert_eq!(res.status(), 422);
    }
);

db_test!(expired_reset_links_are_refused, |app: TestApp| async move {
    use diesel::prelude::*;
    use fenxiao::db::schema::one_time_tokens as t;
    app.owner("boss@example.com").await;
    ask(&app, "boss@example.com").await;
    let token = app.token_from_outbox("boss@example.com", "reset_password");
    diesel::update(t::table.filter(t::purpose.eq("reset_password")))
        .set(t::expires_at.eq(fenxiao::clock::now() - chrono::Duration::minutes(1)))
        .execute(&mut *app.conn())
        .unwrap();
    let res = confirm(&app, &token, "new-garden-2027").await;
    assert_eq!(problem(res).await["code"], "token_expired");
    assert_eq!(
        app.sign_in(SIGN_IN, "boss@example.com", OWNER_PASSWORD)
            .await
            .status(),
        200
    );
});

#[actix_web::test]
async fn authentication_endpoints_are_rate_limited() {
    let app = TestApp::spawn_with(TestBackend::Sqlite, |c| c.auth_rate_limit_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(
            app.sign_in(SIGN_IN, "x@example.com", "whatever-123")
                .await
                .status(),
            401
        );
    }
    let res = app.sign_in(SIGN_IN, "x@example.com", "whatever-123").await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(problem(res).await["code"], "rate_limited");
    // The same budget covers the other doors, but not ordinary endpoints.
    assert_eq!(ask(&app, "x@example.com").await.status(), 429);
    assert_eq!(app.anonymous().get_raw("/api/v1/meta").await.status(), 200);
}
