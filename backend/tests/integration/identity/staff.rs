//! Staff management: invitations, roles, disabling, unlocking, and who may do it.


use crate::harness::{problem, SignedIn, TestApp};
use serde_json::{json, Value};

const SIGN_IN: &str = "/api/v1/auth/sign-in";

async fn invite(app: &TestApp, by: &SignedIn, email: &str, role: &str) -> reqwest::Response {
    app.post("/api/v1/staff/invitations")
        .bearer_auth(&by.access_token)
        .json(&json!({ "email": email, "name": "同事", "role": role }))
        .send()
        .await
        .unwrap()
}

/// Invites, accepts and signs in a staff member; returns their id and access token.
async fn join(app: &TestApp, by: &SignedIn, email: &str, role: &str) -> (i64, String) {
    let res = invite(app, by, email, role).await;
    assert_eq!(res.status(), 201);
    let member: Value = res.json().await.unwrap();
    assert_eq!(member["status"], "invited");
    let token = app.token_from_outbox(email, "staff_invitation");
    let res = app
        .post("/api/v1/staff/invitations/accept")
        .json(&json!({ "token": token, "password": "member-pass-2026" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app.sign_in(SIGN_IN, email, "member-pass-2026").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    (
        member["id"].as_i64().unwrap(),
        body["tokens"]["access_token"].as_str().unwrap().to_owned(),
    )
}

async fn patch(app: &TestApp, token: &str, staff_id: i64, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/staff/{staff_id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

db_test!(
    invited_member_joins_with_the_role_given,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (_, token) = join(&app, &owner, "ops@example.com", "operator").await;
        let me: Value = app
            .get("/api/v1/auth/me")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["role"], "operator");
        assert_eq!(me["merchant_id"], owner.merchant_id);

        // An operator may read the staff list but not invite.
        let res = app
            .get("/api/v1/staff")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let list: Value = res.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 2);
        let res = invite(
            &app,
            &SignedIn {
                access_token: token.clone(),
                ..owner.clone()
            },
            "x@example.com",
            "viewer",
        )
        .await;
        assert_eq!(res.status(), 403);
        assert_eq!(problem(res).await["code"], "forbidden");
        assert_eq!(app.count("staff_users"), 2);
    }
);

db_test!(
    invitations_refuse_bad_input_and_work_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = invite(&app, &owner, "second-owner@example.com", "owner").await;
        assert_eq!(res.status(), 422);
        assert_eq!(
            problem(res).await["errors"][0]["code"],
            "owner_not_assignable"
        );
        let res = invite(&app, &owner, "boss@example.com", "admin").await;
        assert_eq!(res.status(), 409);
        assert_eq!(problem(res).await["code"], "email_taken");
        let res = invite(&app, &owner, "x@example.com", "superuser").await;
        assert_eq!(res.status(), 422, "unknown role");
        assert_eq!(app.count("staff_users"), 1);

        invite(&app, &owner, "new@example.com", "viewer").await;
        let token = app.token_from_outbox("new@example.com", "staff_invitation");
        let weak = app
            .post("/api/v1/staff/invitations/accept")
            .json(&json!({ "token": token, "password": "short" }))
            .send()
            .await
            .unwrap();
        assert_eq!(weak.status(), 422);
        let ok = app
            .post("/api/v1/staff/invitations/accept")
            .json(&json!({ "token": token, "password": "member-pass-2026" }))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
        let again = app
            .post("/api/v1/staff/invitations/accept")
            .json(&json!({ "token": token, "password": "other-pass-2026" }))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 409);
        assert_eq!(problem(again).await["code"], "token_used");
        // The replay did not change the password.
        assert_eq!(
            app.sign_in(SIGN_IN, "new@example.com", "member-pass-2026")
                .await
                .status(),
            200
        );
    }
);

db_test!(
    the_owner_and_oneself_are_protected,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (admin_id, admin_token) = join(&app, &owner, "admin@example.com", "admin").await;
        let res = patch(
            &app,
            &admin_token,
            owner.account_id,
            json!({ "role": "viewer" }),
        )
        .await;
        assert_eq!(res.status(), 409);
        assert_eq!(problem(res).await["code"], "owner_protected");
        let res = patch(
            &app,
            &admin_token,
            owner.account_id,
            json!({ "status": "disabled" }),
        )
        .await;
        assert_eq!(problem(res).await["code"], "owner_protected");
        let res = patch(&app, &admin_token, admin_id, json!({ "role": "viewer" })).await;
        assert_eq!(problem(res).await["code"], "cannot_change_self");
        let res = patch(
            &app,
            &owner.access_token,
            admin_id,
            json!({ "role": "owner" }),
        )
        .await;
        assert_eq!(res.status(), 422);
        let res = patch(
            &app,
            &owner.access_token,
            admin_id,
            json!({ "status": "invited" }),
        )
        .await;
        assert_eq!(res.status(), 422);
    }
);

db_test!(
    role_changes_are_audited_and_disabling_ends_sessions,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (id, token) = join(&app, &owner, "fin@example.com", "finance").await;
        let res = patch(&app, &owner.access_token, id, json!({ "role": "viewer" })).await;
        assert_eq!(res.status(), 200);
        let updated: Value = res.json().await.unwrap();
        assert_eq!(updated["role"], "viewer");

        let audit: Value = app
            .get(&format!(
                "/api/v1/audit-events?action=staff.updated&target_id={id}"
            ))
            .bearer_auth(&owner.access_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let event = &audit["items"][0];
        assert_eq!(
            event["changes"]["role"],
            json!({ "before": "finance", "after": "viewer" })
        );
        assert_eq!(event["actor_label"], "boss@example.com");

        let res = patch(
            &app,
            &owner.access_token,
            id,
            json!({ "status": "disabled" }),
        )
        .await;
        assert_eq!(res.status(), 200);
        let res = app
            .get("/api/v1/auth/me")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            401,
            "a disabled member's sessions end at once"
        );
        let res = app
            .sign_in(SIGN_IN, "fin@example.com", "member-pass-2026")
            .await;
        assert_eq!(res.status(), 403);
        assert_eq!(problem(res).await["code"], "account_disabled");
    }
);

db_test!(
    locked_members_show_and_can_be_unlocked,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (id, _) = join(&app, &owner, "ops@example.com", "operator").await;
        for _ in 0..5 {
            app.sign_in(SIGN_IN, "ops@example.com", "wrong-password-9")
                .await;
        }
        let member: Value = app
            .get(&format!("/api/v1/staff/{id}"))
            .bearer_auth(&owner.access_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(member["locked"], true);
        let res = app
            .post(&format!("/api/v1/staff/{id}/unlock"))
            .bearer_auth(&owner.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let member: Value = res.json().await.unwrap();
        assert_eq!(member["locked"], false);
        assert_eq!(
            app.sign_in(SIGN_IN, "ops@example.com", "member-pass-2026")
                .await
                .status(),
            200
        );
    }
);

db_test!(
    another_merchants_staff_do_not_exist,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (id, _) = join(&app, &owner, "ops@example.com", "operator").await;
        let other = app.owner("other@example.com").await;
        let res = app
            .get(&format!("/api/v1/staff/{id}"))
            .bearer_auth(&other.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        let res = patch(&app, &other.access_token, id, json!({ "role": "viewer" })).await;
        assert_eq!(res.status(), 404);
        let res = app
            .post(&format!("/api/v1/staff/{id}/unlock"))
            .bearer_auth(&other.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        let list: Value = app
            .get("/api/v1/staff")
            .bearer_auth(&other.access_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        let res = app
            .get("/api/v1/staff/not-a-number")
            .bearer_auth(&other.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
    }
);
