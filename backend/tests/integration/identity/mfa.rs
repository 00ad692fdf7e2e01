//! Two-factor authentication: enrolment, sign-in with TOTP or a recovery code, replay, policy.

use crate::harness::{
    assert_problem, expect_json, problem, Me, SignedIn, TestApp, OWNER_PASSWORD, SIGN_IN,
};
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

fn code_for(secret_base32: &str, offset_steps: i64) -> String {
    let secret = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, secret, None, "x".into()).unwrap();
    let now = fenxiao::clock::now().and_utc().timestamp() + offset_steps * 30;
    totp.generate(u64::try_from(now).unwrap())
}

/// Turns MFA on for the signed-in account; returns the secret and the recovery codes.
async fn enable_mfa(app: &TestApp, who: &SignedIn) -> (String, Vec<String>) {
    let res = app
        .bearer(&who)
        .post_empty_raw("/api/v1/auth/mfa/enrol")
        .await;
    let enrolment: Value = expect_json(res, 200).await;
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    assert!(enrolment["otpauth_url"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Fenxiao"));
    let codes: Value = app
        .bearer(&who)
        .expecting(200)
        .post(
            "/api/v1/auth/mfa/confirm",
            &json!({ "code": code_for(&secret, -1) }),
        )
        .await;
    let codes: Vec<String> = codes["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn mfa_challenge(app: &TestApp, email: &str) -> String {
    let res = app.sign_in(SIGN_IN, email, OWNER_PASSWORD).await;
    let body: Value = expect_json(res, 200).await;
    assert_eq!(body["status"], "mfa_required");
    assert!(body["tokens"].is_null());
    body["mfa_token"].as_str().unwrap().to_owned()
}

async fn verify(app: &TestApp, challenge: &str, code: &str) -> reqwest::Response {
    app.anonymous()
        .post_raw(
            "/api/v1/auth/mfa/verify",
            &json!({ "mfa_token": challenge, "code": code }),
        )
        .await
}

db_test!(
    sign_in_with_totp_after_enrolment,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (secret, _) = enable_mfa(&app, &owner).await;
        let me: Me = app.bearer(&owner).get("/api/v1/auth/me").await;
        assert!(me.mfa_enabled);

        let challenge = mfa_challenge(&app, "boss@example.com").await;
        let res = verify(&app, &challenge, "000000").await;
        assert_problem(res, 401, "invalid_mfa_code").await;

        let code = code_for(&secret, 0);
        let res = verify(&app, &challenge, &code).await;
        let tokens: Value = expect_json(res, 200).await;
        let res = app
            .bearer(tokens["access_token"].as_str().unwrap())
            .get_raw("/api/v1/auth/me")
            .await;
        assert_eq!(res.status(), 200);

        // The same code again is a replay.
        let challenge = mfa_challenge(&app, "boss@example.com").await;
        let res = verify(&app, &challenge, &code).await;
        assert_eq!(res.status(), 401);

        // The secret is stored encrypted, never in the clear.
        use diesel::prelude::*;
        use fenxiao::db::schema::account_security as sec;
        let stored: Option<String> = sec::table
            .select(sec::totp_secret)
            .first(&mut *app.conn())
            .unwrap();
        let stored = stored.unwrap();
        assert!(stored.starts_with("v1:") && !stored.contains(&secret));
    }
);

db_test!(recovery_codes_work_once, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let (_, codes) = enable_mfa(&app, &owner).await;
    let challenge = mfa_challenge(&app, "boss@example.com").await;
    assert_eq!(
        verify(&app, &challenge, &codes[0].to_uppercase())
            .await
            .status(),
        200
    );
    let challenge = mfa_challenge(&app, "boss@example.com").await;
    assert_eq!(verify(&app, &challenge, &codes[0]).await.status(), 401);
    assert_eq!(verify(&app, &challenge, &codes[1]).await.status(), 200);
});

db_test!(
    challenges_are_not_access_tokens_and_expire,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (secret, _) = enable_mfa(&app, &owner).await;
        let challenge = mfa_challenge(&app, "boss@example.com").await;
        let res = app.bearer(&challenge).get_raw("/api/v1/auth/me").await;
        assert_eq!(res.status(), 401);
        let res = verify(&app, "garbage", &code_for(&secret, 0)).await;
        assert_eq!(problem(res).await["code"], "mfa_challenge_invalid");
        let res = verify(&app, &owner.access_token, &code_for(&secret, 0)).await;
        assert_eq!(
            problem(res).await["code"],
            "mfa_challenge_invalid",
            "an access token is not a challenge"
        );
    }
);

db_test!(
    wrong_codes_count_towards_the_lockout,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (secret, _) = enable_mfa(&app, &owner).await;
        let challenge = mfa_challenge(&app, "boss@example.com").await;
        for _ in 0..5 {
            verify(&app, &challenge, "111111").await;
        }
        let res = verify(&app, &challenge, &code_for(&secret, 0)).await;
        assert_eq!(problem(res).await["code"], "account_locked");
    }
);

db_test!(enrolment_refuses_bad_input, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let res = app
        .bearer(&owner)
        .post_raw("/api/v1/auth/mfa/confirm", &json!({ "code": "123456" }))
        .await;
    assert_problem(res, 409, "mfa_not_enrolling").await;
    let (secret, _) = enable_mfa(&app, &owner).await;
    let res = app
        .bearer(&owner)
        .post_empty_raw("/api/v1/auth/mfa/enrol")
        .await;
    assert_eq!(problem(res).await["code"], "mfa_already_enabled");
    let res = app
        .bearer(&owner)
        .post_raw("/api/v1/auth/mfa/disable", &json!({ "code": "999999" }))
        .await;
    assert_eq!(res.status(), 401);
    let res = app
        .bearer(&owner)
        .post_raw(
            "/api/v1/auth/mfa/disable",
            &json!({ "code": code_for(&secret, 1) }),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .sign_in(SIGN_IN, "boss@example.com", OWNER_PASSWORD)
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "signed_in", "MFA is off again");
});

db_test!(
    owner_policy_requires_mfa_of_all_staff,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let merchant: Value = app
            .bearer(&owner)
            .expecting(200)
            .put(
                "/api/v1/merchant/security-policy",
                &json!({ "require_staff_mfa": true }),
            )
            .await;
        assert_eq!(merchant["require_staff_mfa"], true);

        // The owner has no MFA yet: everything but the MFA set-up is closed.
        let res = app.bearer(&owner).get_raw("/api/v1/staff").await;
        assert_problem(res, 403, "mfa_enrolment_required").await;
        let me: Me = app.bearer(&owner).get("/api/v1/auth/me").await;
        assert!(me.mfa_enrolment_required);
        enable_mfa(&app, &owner).await;
        let res = app.bearer(&owner).get_raw("/api/v1/staff").await;
        assert_eq!(res.status(), 200);
    }
);

db_test!(only_the_owner_sets_the_policy, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let res = app
        .bearer(&owner)
        .post_raw(
            "/api/v1/staff/invitations",
            &json!({ "email": "admin@example.com", "name": "管理员", "role": "admin" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let token = app.token_from_outbox("admin@example.com", "staff_invitation");
    app.anonymous()
        .post_raw(
            "/api/v1/staff/invitations/accept",
            &json!({ "token": token, "password": "member-pass-2026" }),
        )
        .await;
    let signed: Value = app
        .sign_in(SIGN_IN, "admin@example.com", "member-pass-2026")
        .await
        .json()
        .await
        .unwrap();
    let admin = signed["tokens"]["access_token"].as_str().unwrap();
    let res = app
        .bearer(admin)
        .put_raw(
            "/api/v1/merchant/security-policy",
            &json!({ "require_staff_mfa": true }),
        )
        .await;
    assert_problem(res, 403, "owner_only").await;
    let merchant: Value = app.bearer(admin).get("/api/v1/merchant").await;
    assert_eq!(merchant["require_staff_mfa"], false);
});
