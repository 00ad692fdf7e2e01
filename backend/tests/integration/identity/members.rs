//! Members of a shop: verification codes, registration, sign-in, isolation between shops.

use crate::harness::{assert_problem, expect_json, problem, verification_code_in, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::MerchantId;
use serde_json::{json, Value};

async fn send_code(app: &TestApp, shop: &str, recipient: &str) -> reqwest::Response {
    app.anonymous()
        .post_raw(
            &format!("/api/v1/shops/{shop}/verification-codes"),
            &json!({ "recipient": recipient }),
        )
        .await
}

async fn register(app: &TestApp, shop: &str, login: &str, code: &str) -> reqwest::Response {
    app.anonymous()
        .post_raw(
            &format!("/api/v1/shops/{shop}/members"),
            &json!({ "login": login, "code": code, "password": "shopper-2026", "name": "小张" }),
        )
        .await
}

async fn member_sign_in(
    app: &TestApp,
    shop: &str,
    login: &str,
    password: &str,
) -> reqwest::Response {
    app.anonymous()
        .post_raw(
            &format!("/api/v1/shops/{shop}/members/sign-in"),
            &json!({ "login": login, "password": password }),
        )
        .await
}

db_test!(
    a_member_registers_with_a_code_and_signs_in,
    |app: TestApp| async move {
        let merchant_id = app.owner("boss@example.com").await.merchant_id;
        let shop = &format!("shop-{merchant_id}");
        assert_eq!(send_code(&app, shop, "138 1234 5678").await.status(), 202);
        let code = app.latest_code("13812345678");
        let channel: String = {
            use fenxiao::db::schema::outbox_messages as o;
            o::table
                .filter(o::template.eq("verification_code"))
                .select(o::channel)
                .first(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(channel, "sms");
        let res = register(&app, shop, "13812345678", &code).await;
        let body: Value = expect_json(res, 201).await;
        let token = body["tokens"]["access_token"].as_str().unwrap().to_owned();
        let me: Value = app
            .bearer(&token)
            .get(&format!("/api/v1/shops/{shop}/me"))
            .await;
        assert_eq!(me["phone"], "13812345678");
        assert_eq!(me["name"], "小张");

        let res = member_sign_in(&app, shop, "138-1234-5678", "shopper-2026").await;
        assert_eq!(res.status(), 200);
        let res = member_sign_in(&app, shop, "13812345678", "wrong-pass-1").await;
        assert_eq!(res.status(), 401);

        // The code was used up.
        let res = register(&app, shop, "13812345678", &code).await;
        assert_eq!(res.status(), 409, "and the phone is taken anyway");
        assert_eq!(problem(res).await["code"], "login_taken");
    }
);

db_test!(
    codes_are_checked_bounded_and_throttled,
    |app: TestApp| async move {
        let shop = &app.slug(app.owner("boss@example.com").await.merchant_id);
        send_code(&app, shop, "shopper@example.com").await;
        let res = send_code(&app, shop, "shopper@example.com").await;
        assert_eq!(res.status(), 429, "one code a minute");
        let code = app.latest_code("shopper@example.com");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let res = register(&app, shop, "shopper@example.com", wrong).await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["code"], "invalid_code");
        for _ in 0..4 {
            register(&app, shop, "shopper@example.com", wrong).await;
        }
        let res = register(&app, shop, "shopper@example.com", &code).await;
        assert_eq!(res.status(), 422, "five wrong guesses burn the code");
        assert_eq!(app.count("members"), 0);

        let res = send_code(&app, shop, "not-a-phone").await;
        assert_eq!(res.status(), 422);
        let res = app
            .anonymous()
            .post_raw(
                &format!("/api/v1/shops/{shop}/members"),
                &json!({ "login": "13900000000", "code": "12", "password": "shopper-2026" }),
            )
            .await;
        assert_eq!(res.status(), 422);
    }
);

db_test!(shops_keep_their_members_apart, |app: TestApp| async move {
    let owner_a = app.owner("a@example.com").await;
    let (merchant_a, shop_a) = (owner_a.merchant_id, app.slug(owner_a.merchant_id));
    let merchant_b = app.owner("b@example.com").await.merchant_id;
    let shop_b = app.slug(merchant_b);
    for (merchant, shop) in [(merchant_a, &shop_a), (merchant_b, &shop_b)] {
        send_code(&app, shop, "13812345678").await;
        let code: String = {
            use fenxiao::db::schema::outbox_messages as o;
            let body: String = o::table
                .filter(o::merchant_id.eq(merchant))
                .filter(o::template.eq("verification_code"))
                .order(o::id.desc())
                .select(o::body)
                .first(&mut *app.conn())
                .unwrap();
            verification_code_in(&body)
        };
        assert_eq!(
            register(&app, shop, "13812345678", &code).await.status(),
            201,
            "shop {shop}"
        );
    }
    let body: Value = member_sign_in(&app, &shop_a, "13812345678", "shopper-2026")
        .await
        .json()
        .await
        .unwrap();
    let token = body["tokens"]["access_token"].as_str().unwrap().to_owned();
    let res = app
        .bearer(&token)
        .get_raw(&format!("/api/v1/shops/{shop_b}/me"))
        .await;
    assert_eq!(res.status(), 404, "shop A's member is nobody at shop B");
    let res = app.bearer(&token).get_raw("/api/v1/staff").await;
    assert_problem(res, 403, "wrong_account_kind").await;
    let res = app
        .bearer(&owner_a)
        .get_raw(&format!("/api/v1/shops/{shop_a}/me"))
        .await;
    assert_eq!(res.status(), 403, "staff are not members");
});

db_test!(
    only_active_merchants_have_a_shop,
    |app: TestApp| async move {
        assert_eq!(
            send_code(&app, "no-such-shop", "13812345678")
                .await
                .status(),
            404
        );
        let res = app
            .anonymous()
            .post_raw(
                "/api/v1/signup",
                &json!({
                    "company_name": "未验证", "contact_name": "李", "phone": "13900000000",
                    "email": "new@example.com", "password": "tea-garden-2026"
                }),
            )
            .await;
        let pending: Value = res.json().await.unwrap();
        // It has its address from the start, but no open shop there until it is active.
        let shop = &app.slug(MerchantId(pending["merchant_id"].as_i64().unwrap()));
        assert_eq!(send_code(&app, shop, "13812345678").await.status(), 404);
        assert_eq!(
            member_sign_in(&app, shop, "13812345678", "x-1234567890")
                .await
                .status(),
            404
        );
    }
);
