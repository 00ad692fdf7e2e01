//! Sign-in, tokens, sessions, lockout and the audit trail they leave.

use crate::harness::{
    assert_problem, expect_json, problem, test_jwt_key, AuditPage, Me, Session, TestApp,
    OWNER_PASSWORD, SIGN_IN,
};
use fenxiao::auth::account::AccountKind;
use fenxiao::auth::jwt::{self, TokenUse};
use serde_json::{json, Value};

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.bearer(token).get_raw("/api/v1/auth/me").await
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.anonymous()
        .post_raw("/api/v1/auth/refresh", &json!({ "refresh_token": token }))
        .await
}

db_test!(
    owner_signs_in_and_sees_their_permissions,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = me(&app, &owner.access_token).await;
        let me: Me = expect_json(res, 200).await;
        assert_eq!(me.kind, "staff");
        assert_eq!(me.role.as_deref(), Some("owner"));
        assert_eq!(me.merchant_id, Some(owner.merchant_id));
        assert!(me.permissions.iter().any(|p| p == "staff.manage"));
        assert!(me.permissions.iter().any(|p| p == "audit.read"));
        assert!(!me.mfa_enabled);
    }
);

db_test!(
    wrong_password_and_unknown_email_look_the_same,
    |app: TestApp| async move {
        app.sign_up_merchant("boss@example.com").await;
        let wrong = app
            .sign_in(SIGN_IN, "boss@example.com", "wrong-password-1")
            .await;
        assert_eq!(wrong.status(), 401);
        assert!(wrong.headers().contains_key("www-authenticate"));
        let wrong = problem(wrong).await;
        let unknown = problem(
            app.sign_in(SIGN_IN, "nobody@example.com", "wrong-password-1")
                .await,
        )
        .await;
        assert_eq!(wrong["code"], "invalid_credentials");
        assert_eq!(unknown["code"], "invalid_credentials");
        assert_eq!(wrong["detail"], unknown["detail"]);
        assert_eq!(app.count("auth_sessions"), 0);
    }
);

db_test!(unverified_owner_cannot_sign_in, |app: TestApp| async move {
    let res = app
        .anonymous()
        .post_raw(
            "/api/v1/signup",
            &json!({
                "company_name": "未验证的店", "contact_name": "李", "phone": "13900000000",
                "email": "new@example.com", "password": OWNER_PASSWORD
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .sign_in(SIGN_IN, "new@example.com", OWNER_PASSWORD)
        .await;
    assert_problem(res, 403, "email_not_verified").await;
    assert_eq!(app.count("auth_sessions"), 0);
});

db_test!(five_failures_lock_the_account, |app: TestApp| async move {
    app.sign_up_merchant("boss@example.com").await;
    for attempt in 1..=5 {
        let res = app
            .sign_in(SIGN_IN, "boss@example.com", "wrong-password-1")
            .await;
        assert_eq!(res.status(), 401);
        let code = problem(res).await["code"].clone();
        let expected = if attempt < 5 {
            "invalid_credentials"
        } else {
            "account_locked"
        };
        assert_eq!(code, expected, "attempt {attempt}");
    }
    let res = app
        .sign_in(SIGN_IN, "boss@example.com", OWNER_PASSWORD)
        .await;
    assert_eq!(res.status(), 401);
    assert_eq!(
        problem(res).await["code"],
        "account_locked",
        "the right password does not open a locked account"
    );
    assert_eq!(app.count("auth_sessions"), 0);
});

db_test!(
    failures_outside_the_window_do_not_add_up,
    |app: TestApp| async move {
        use diesel::prelude::*;
        use fenxiao::db::schema::account_security as sec;
        app.sign_up_merchant("boss@example.com").await;
        for _ in 0..4 {
            app.sign_in(SIGN_IN, "boss@example.com", "wrong-password-1")
                .await;
        }
        // The first failures happened 16 minutes ago.
        diesel::update(sec::table)
            .set(
                sec::first_failed_at
                    .eq(Some(fenxiao::clock::now() - chrono::Duration::minutes(16))),
            )
            .execute(&mut *app.conn())
            .unwrap();
        let res = app
            .sign_in(SIGN_IN, "boss@example.com", "wrong-password-1")
            .await;
        assert_eq!(problem(res).await["code"], "invalid_credentials");
        let res = app
            .sign_in(SIGN_IN, "boss@example.com", OWNER_PASSWORD)
            .await;
        assert_eq!(res.status(), 200);
    }
);

db_test!(
    refresh_tokens_rotate_and_reuse_ends_the_session,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = refresh(&app, &owner.refresh_token).await;
        let pair: Value = expect_json(res, 200).await;
        let new_refresh = pair["refresh_token"].as_str().unwrap().to_owned();
        let new_access = pair["access_token"].as_str().unwrap().to_owned();
        assert_ne!(new_refresh, owner.refresh_token);
        assert_eq!(me(&app, &new_access).await.status(), 200);

        // The old refresh token again: somebody copied it. The whole family dies.
        let res = refresh(&app, &owner.refresh_token).await;
        assert_problem(res, 401, "refresh_token_reused").await;
        let res = refresh(&app, &new_refresh).await;
        assert_problem(res, 401, "session_ended").await;
        let res = me(&app, &new_access).await;
        assert_problem(res, 401, "session_ended").await;

        let res = refresh(&app, "not-a-token").await;
        assert_eq!(problem(res).await["code"], "invalid_refresh_token");
    }
);

db_test!(
    concurrent_refreshes_let_exactly_one_through,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let attempts = (0..6).map(|_| refresh(&app, &owner.refresh_token));
        let statuses: Vec<u16> = futures_util::future::join_all(attempts)
            .await
            .into_iter()
            .map(|r| r.status().as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
    }
);

db_test!(
    sign_out_ends_the_session_at_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = app
            .bearer(&owner)
            .post_empty_raw("/api/v1/auth/sign-out")
            .await;
        assert_eq!(res.status(), 204);
        let res = me(&app, &owner.access_token).await;
        assert_problem(res, 401, "session_ended").await;
        assert_eq!(refresh(&app, &owner.refresh_token).await.status(), 401);
    }
);

db_test!(bad_tokens_are_refused, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let res = app.anonymous().get_raw("/api/v1/auth/me").await;
    assert_problem(res, 401, "unauthorized").await;

    let res = app
        .anonymous()
        .header("authorization", "Basic abc")
        .get_raw("/api/v1/auth/me")
        .await;
    assert_eq!(problem(res).await["code"], "invalid_token");

    // Flip a character of the signature.
    let mut tampered = owner.access_token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let res = me(&app, &tampered).await;
    assert_eq!(problem(res).await["code"], "invalid_token");

    // `alg: none` with the same claims.
    let claims = owner.access_token.split('.').nth(1).unwrap();
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{claims}.");
    let res = me(&app, &none).await;
    assert_eq!(problem(res).await["code"], "invalid_token");

    // Correctly signed but expired.
    let past = fenxiao::clock::now() - chrono::Duration::minutes(20);
    let (expired, _) = jwt::issue(
        &test_jwt_key(),
        AccountKind::Staff,
        owner.account_id,
        Some(owner.merchant_id),
        Some(1),
        TokenUse::Access,
        past,
    )
    .unwrap();
    let res = me(&app, &expired).await;
    assert_eq!(problem(res).await["code"], "token_expired");

    // An MFA challenge token is not an access token.
    let (challenge, _) = jwt::issue(
        &test_jwt_key(),
        AccountKind::Staff,
        owner.account_id,
        Some(owner.merchant_id),
        None,
        TokenUse::MfaChallenge,
        fenxiao::clock::now(),
    )
    .unwrap();
    let res = me(&app, &challenge).await;
    assert_eq!(problem(res).await["code"], "invalid_token");
});

db_test!(
    sessions_are_listed_and_revoked_by_their_owner_only,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let second: Value = app
            .sign_in(SIGN_IN, "boss@example.com", OWNER_PASSWORD)
            .await
            .json()
            .await
            .unwrap();
        let second_access = second["tokens"]["access_token"].as_str().unwrap();
        let second_id = second["tokens"]["session_id"].as_i64().unwrap();

        let list: Vec<Session> = app.bearer(&owner).get("/api/v1/auth/sessions").await;
        assert_eq!(list.len(), 2);
        assert_eq!(list.iter().filter(|s| s.current).count(), 1);
        assert!(list.iter().any(|s| s.id == second_id));

        let other = app.owner("other@example.com").await;
        let res = app
            .bearer(&other)
            .delete_raw(&format!("/api/v1/auth/sessions/{second_id}"))
            .await;
        assert_eq!(
            res.status(),
            404,
            "another account's session does not exist for them"
        );
        assert_eq!(me(&app, second_access).await.status(), 200);

        let res = app
            .bearer(&owner)
            .delete_raw(&format!("/api/v1/auth/sessions/{second_id}"))
            .await;
        assert_eq!(res.status(), 204);
        assert_eq!(me(&app, second_access).await.status(), 401);
        assert_eq!(me(&app, &owner.access_token).await.status(), 200);
    }
);

db_test!(
    audit_log_records_and_stays_within_the_tenant,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        app.sign_in(SIGN_IN, "boss@example.com", "wrong-password-1")
            .await;
        let other = app.owner("other@example.com").await;

        let page: AuditPage = app
            .bearer(&owner)
            .header("user-agent", "audit-test")
            .get("/api/v1/audit-events")
            .await;
        let actions: Vec<&str> = page.items.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"auth.signed_in"), "{actions:?}");
        assert!(actions.contains(&"auth.sign_in_failed"), "{actions:?}");
        assert!(actions.contains(&"merchant.signed_up"), "{actions:?}");
        for event in &page.items {
            assert_ne!(
                event.actor_label.as_deref(),
                Some(other.email.as_str()),
                "no event of another tenant"
            );
            assert_eq!(event.ip.as_deref(), Some("127.0.0.1"), "{event:?}");
        }

        let filtered: AuditPage = app
            .bearer(&owner)
            .get("/api/v1/audit-events?action=auth.&limit=1")
            .await;
        assert_eq!(filtered.items.len(), 1);
        let cursor = filtered.next_cursor.unwrap();
        let next: AuditPage = app
            .bearer(&owner)
            .get(&format!(
                "/api/v1/audit-events?action=auth.&limit=1&cursor={cursor}"
            ))
            .await;
        assert!(next.items[0].id < cursor);

        let res = app
            .bearer(&owner)
            .get_raw("/api/v1/audit-events?limit=abc")
            .await;
        assert_eq!(res.status(), 422);
    }
);

db_test!(
    operators_sign_in_but_not_into_merchant_endpoints,
    |app: TestApp| async move {
        fenxiao::platform::operators::create(
            &mut app.conn(),
            "Root@Example.com",
            "运维",
            "platform-pass-2026",
        )
        .unwrap();
        let res = app
            .sign_in(
                "/api/v1/platform/auth/sign-in",
                "root@example.com",
                "platform-pass-2026",
            )
            .await;
        let body: Value = expect_json(res, 200).await;
        let token = body["tokens"]["access_token"].as_str().unwrap();
        let who: Me = expect_json(me(&app, token).await, 200).await;
        assert_eq!(who.kind, "operator");
        let res = app.bearer(token).get_raw("/api/v1/audit-events").await;
        assert_problem(res, 403, "wrong_account_kind").await;

        // Staff credentials do not work at the operators' door, nor the reverse.
        app.sign_up_merchant("boss@example.com").await;
        let res = app
            .sign_in(
                "/api/v1/platform/auth/sign-in",
                "boss@example.com",
                OWNER_PASSWORD,
            )
            .await;
        assert_eq!(res.status(), 401);
        let res = app
            .sign_in(SIGN_IN, "root@example.com", "platform-pass-2026")
            .await;
        assert_eq!(res.status(), 401);

        let weak =
            fenxiao::platform::operators::create(&mut app.conn(), "x@example.com", "x", "password");
        assert!(weak.is_err());
        let dup = fenxiao::platform::operators::create(
            &mut app.conn(),
            "root@example.com",
            "x",
            "platform-pass-2027",
        );
        assert_eq!(dup.unwrap_err().status(), 409);
    }
);
