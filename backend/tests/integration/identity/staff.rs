//! Staff management: invitations, roles, disabling, unlocking, and who may do it.

use crate::harness::{
    assert_problem, expect_json, problem, AuditPage, Credential, Me, TestApp, SIGN_IN,
    STAFF_PASSWORD,
};
use serde_json::{json, Value};

async fn invite(
    app: &TestApp,
    by: &(impl Credential + ?Sized),
    email: &str,
    role: &str,
) -> reqwest::Response {
    app.bearer(by)
        .post_raw(
            "/api/v1/staff/invitations",
            &json!({ "email": email, "name": "同事", "role": role }),
        )
        .await
}

async fn update(
    app: &TestApp,
    by: &(impl Credential + ?Sized),
    staff_id: i64,
    body: Value,
) -> reqwest::Response {
    app.bearer(by)
        .patch_raw(&format!("/api/v1/staff/{staff_id}"), &body)
        .await
}

db_test!(
    invited_member_joins_with_the_role_given,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (_, token) = app.join_staff(&owner, "ops@example.com", "operator").await;
        let me: Me = app.bearer(&token).get("/api/v1/auth/me").await;
        assert_eq!(me.role.as_deref(), Some("operator"));
        assert_eq!(me.merchant_id, Some(owner.merchant_id));

        // An operator may read the staff list but not invite.
        let list: Value = app.bearer(&token).get("/api/v1/staff").await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        let res = invite(&app, &token, "x@example.com", "viewer").await;
        assert_problem(res, 403, "forbidden").await;
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
        assert_problem(res, 409, "email_taken").await;
        let res = invite(&app, &owner, "x@example.com", "superuser").await;
        assert_eq!(res.status(), 422, "unknown role");
        assert_eq!(app.count("staff_users"), 1);

        invite(&app, &owner, "new@example.com", "viewer").await;
        let token = app.token_from_outbox("new@example.com", "staff_invitation");
        let weak = app
            .anonymous()
            .post_raw(
                "/api/v1/staff/invitations/accept",
                &json!({ "token": token, "password": "short" }),
            )
            .await;
        assert_eq!(weak.status(), 422);
        let ok = app
            .anonymous()
            .post_raw(
                "/api/v1/staff/invitations/accept",
                &json!({ "token": token, "password": STAFF_PASSWORD }),
            )
            .await;
        assert_eq!(ok.status(), 200);
        let again = app
            .anonymous()
            .post_raw(
                "/api/v1/staff/invitations/accept",
                &json!({ "token": token, "password": "other-pass-2026" }),
            )
            .await;
        assert_problem(again, 409, "token_used").await;
        // The replay did not change the password.
        assert_eq!(
            app.sign_in(SIGN_IN, "new@example.com", STAFF_PASSWORD)
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
        let (admin_id, admin_token) = app.join_staff(&owner, "admin@example.com", "admin").await;
        let res = update(
            &app,
            &admin_token,
            owner.account_id,
            json!({ "role": "viewer" }),
        )
        .await;
        assert_problem(res, 409, "owner_protected").await;
        let res = update(
            &app,
            &admin_token,
            owner.account_id,
            json!({ "status": "disabled" }),
        )
        .await;
        assert_eq!(problem(res).await["code"], "owner_protected");
        let res = update(&app, &admin_token, admin_id, json!({ "role": "viewer" })).await;
        assert_eq!(problem(res).await["code"], "cannot_change_self");
        let res = update(&app, &owner, admin_id, json!({ "role": "owner" })).await;
        assert_eq!(res.status(), 422);
        let res = update(&app, &owner, admin_id, json!({ "status": "invited" })).await;
        assert_eq!(res.status(), 422);
    }
);

db_test!(
    role_changes_are_audited_and_disabling_ends_sessions,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (id, token) = app.join_staff(&owner, "fin@example.com", "finance").await;
        let res = update(&app, &owner, id, json!({ "role": "viewer" })).await;
        let updated: Value = expect_json(res, 200).await;
        assert_eq!(updated["role"], "viewer");

        let audit: AuditPage = app
            .bearer(&owner)
            .get(&format!(
                "/api/v1/audit-events?action=staff.updated&target_id={id}"
            ))
            .await;
        let event = &audit.items[0];
        assert_eq!(
            event.changes.as_ref().unwrap()["role"],
            json!({ "before": "finance", "after": "viewer" })
        );
        assert_eq!(event.actor_label.as_deref(), Some("boss@example.com"));

        let res = update(&app, &owner, id, json!({ "status": "disabled" })).await;
        assert_eq!(res.status(), 200);
        let res = app.bearer(&token).get_raw("/api/v1/auth/me").await;
        assert_eq!(
            res.status(),
            401,
            "a disabled member's sessions end at once"
        );
        let res = app
            .sign_in(SIGN_IN, "fin@example.com", STAFF_PASSWORD)
            .await;
        assert_problem(res, 403, "account_disabled").await;
    }
);

db_test!(
    locked_members_show_and_can_be_unlocked,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (id, _) = app.join_staff(&owner, "ops@example.com", "operator").await;
        for _ in 0..5 {
            app.sign_in(SIGN_IN, "ops@example.com", "wrong-password-9")
                .await;
        }
        let member: Value = app.bearer(&owner).get(&format!("/api/v1/staff/{id}")).await;
        assert_eq!(member["locked"], true);
        let res = app
            .bearer(&owner)
            .post_empty_raw(&format!("/api/v1/staff/{id}/unlock"))
            .await;
        let member: Value = expect_json(res, 200).await;
        assert_eq!(member["locked"], false);
        assert_eq!(
            app.sign_in(SIGN_IN, "ops@example.com", STAFF_PASSWORD)
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
        let (id, _) = app.join_staff(&owner, "ops@example.com", "operator").await;
        let other = app.owner("other@example.com").await;
        let res = app
            .bearer(&other)
            .get_raw(&format!("/api/v1/staff/{id}"))
            .await;
        assert_eq!(res.status(), 404);
        let res = update(&app, &other, id, json!({ "role": "viewer" })).await;
        assert_eq!(res.status(), 404);
        let res = app
            .bearer(&other)
            .post_empty_raw(&format!("/api/v1/staff/{id}/unlock"))
            .await;
        assert_eq!(res.status(), 404);
        let list: Value = app.bearer(&other).get("/api/v1/staff").await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let res = app
            .bearer(&other)
            .get_raw("/api/v1/staff/not-a-number")
            .await;
        assert_eq!(res.status(), 404);
    }
);
