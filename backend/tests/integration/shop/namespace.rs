//! The member-facing namespace `/api/v1/shops/{slug}/…`: every merchant's default address, the
//! reservation of default-shaped addresses, the migration that gave earlier merchants one, the
//! signed-in member of one shop at another, and addresses that lead nowhere.

use crate::harness::{assert_problem, expect_json, field_errors, Member, SignedIn, TestApp};
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;
use fenxiao::db::ids::MerchantId;
use fenxiao::db::schema::merchants;
use fenxiao::db::DbConnection;
use serde_json::{json, Value};

async fn put_slug(app: &TestApp, who: &SignedIn, slug: &str) -> reqwest::Response {
    app.bearer(who)
        .put_raw(
            "/api/v1/merchant/profile",
            &json!({ "name": "好物优选", "slug": slug, "timezone": "Asia/Shanghai" }),
        )
        .await
}

fn stored_slug(app: &TestApp, merchant_id: MerchantId) -> Option<String> {
    merchants::table
        .find(merchant_id)
        .select(merchants::slug)
        .first(&mut *app.conn())
        .unwrap()
}

fn set_stored_slug(app: &TestApp, merchant_id: MerchantId, slug: Option<&str>) {
    diesel::update(merchants::table.find(merchant_id))
        .set(merchants::slug.eq(slug))
        .execute(&mut *app.conn())
        .unwrap();
}

db_test!(
    a_merchant_has_its_default_address_from_sign_up,
    |app: TestApp| async move {
        let res = app
            .anonymous()
            .post_raw(
                "/api/v1/signup",
                &json!({
                    "company_name": "好物优选", "contact_name": "王丽", "phone": "13812345678",
                    "email": "boss@example.com", "password": "tea-garden-2026"
                }),
            )
            .await;
        let signed_up: Value = expect_json(res, 201).await;
        let id = signed_up["merchant_id"].as_i64().unwrap();
        let default = format!("shop-{id}");
        assert_eq!(
            stored_slug(&app, MerchantId(id)).as_deref(),
            Some(default.as_str()),
            "set in the sign-up's own transaction, before verification"
        );
        let recorded = app.audit_changes("merchant.signed_up");
        assert_eq!(
            recorded["slug"],
            json!({ "before": null, "after": default })
        );
        // Not open before the owner verifies.
        let res = app
            .anonymous()
            .get_raw(&format!("/api/v1/shops/{default}"))
            .await;
        assert_problem(res, 404, "not_found").await;

        let owner = app.owner("other@example.com").await;
        let merchant: Value = app.bearer(&owner).get("/api/v1/merchant").await;
        let default = format!("shop-{}", owner.merchant_id);
        assert_eq!(merchant["slug"], default.as_str());
        let shop: Value = app
            .anonymous()
            .get(&format!("/api/v1/shops/{}", default.to_uppercase()))
            .await;
        assert_eq!(shop["merchant_id"], owner.merchant_id.get());
        assert_eq!(shop["slug"], default.as_str());
    }
);

db_test!(
    default_shaped_addresses_are_reserved_for_their_merchant,
    |app: TestApp| async move {
        let a = app.owner("a@example.com").await;
        let b = app.owner("b@example.com").await;
        let (a_id, b_id) = (a.merchant_id, b.merchant_id);
        for taken in [
            format!("shop-{b_id}"),
            "shop-999999".to_owned(),
            format!("shop-0{a_id}"),
        ] {
            let res = put_slug(&app, &a, &taken).await;
            assert_eq!(
                field_errors(res).await,
                vec![("slug".to_owned(), "reserved_slug".to_owned())],
                "{taken}"
            );
        }
        assert_eq!(stored_slug(&app, a_id), Some(format!("shop-{a_id}")));
        // Other addresses that start alike are anyone's.
        assert_eq!(put_slug(&app, &a, "shop-tea").await.status(), 200);
        assert_eq!(put_slug(&app, &a, "shop-1-tea").await.status(), 200);
        // A merchant may go back to its own default.
        let res = put_slug(&app, &a, &format!("shop-{a_id}")).await;
        let merchant: Value = expect_json(res, 200).await;
        assert_eq!(merchant["slug"], format!("shop-{a_id}"));

        // A default-shaped address chosen before they were reserved stays its merchant's, who may
        // save it again; the merchant whose default it is gets the stand-in `shop--{id}`.
        let next = b_id.get() + 1;
        set_stored_slug(&app, a_id, Some(&format!("shop-{next}")));
        let res = put_slug(&app, &a, &format!("shop-{next}")).await;
        assert_eq!(res.status(), 200, "its own address, kept");
        let c = app.owner("c@example.com").await;
        assert_eq!(
            c.merchant_id,
            MerchantId(next),
            "ids are handed out in order"
        );
        assert_eq!(
            stored_slug(&app, MerchantId(next)),
            Some(format!("shop--{next}"))
        );
        let shop: Value = app
            .anonymous()
            .get(&format!("/api/v1/shops/shop--{next}"))
            .await;
        assert_eq!(shop["merchant_id"], next);
        assert_eq!(stored_slug(&app, b_id), Some(format!("shop-{b_id}")));
    }
);

db_test!(
    the_migration_gives_every_merchant_an_address,
    |app: TestApp| async move {
        let a = app.owner("a@example.com").await.merchant_id;
        let b = app.owner("b@example.com").await.merchant_id;
        let c = app.owner("c@example.com").await.merchant_id;
        let d = app.owner("d@example.com").await.merchant_id;
        // As before the migration: a and b never chose an address, c chose b's default, d chose
        // its own.
        set_stored_slug(&app, a, None);
        set_stored_slug(&app, b, None);
        set_stored_slug(&app, c, Some(&format!("shop-{b}")));
        set_stored_slug(&app, d, Some("haowu-tea"));
        {
            let mut conn = app.conn();
            rerun_default_slugs_migration(&mut conn);
        }
        assert_eq!(stored_slug(&app, a), Some(format!("shop-{a}")));
        assert_eq!(
            stored_slug(&app, b),
            Some(format!("shop--{b}")),
            "its default was taken"
        );
        assert_eq!(stored_slug(&app, c), Some(format!("shop-{b}")), "kept");
        assert_eq!(stored_slug(&app, d).as_deref(), Some("haowu-tea"));
        let shop: Value = app
            .anonymous()
            .get(&format!("/api/v1/shops/shop-{a}"))
            .await;
        assert_eq!(shop["merchant_id"], a.get());
    }
);

/// Reverts the migration that backfills default addresses and runs it again, on the database as
/// the test left it.
fn rerun_default_slugs_migration(conn: &mut DbConnection) {
    const NAME: &str = "default_shop_slugs";
    fn rerun<H, DB>(harness: &mut H, source: impl diesel::migration::MigrationSource<DB>)
    where
        DB: diesel::backend::Backend,
        H: MigrationHarness<DB>,
    {
        let migrations = source.migrations().unwrap();
        let migration = migrations
            .iter()
            .find(|m| m.name().to_string().ends_with(NAME))
            .expect("the migration is embedded");
        harness.revert_migration(&**migration).unwrap();
        harness.run_migration(&**migration).unwrap();
    }
    match conn {
        DbConnection::Sqlite(c) => rerun(c, fenxiao::db::SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => rerun(c, fenxiao::db::POSTGRES_MIGRATIONS),
    }
}

async fn settings(app: &TestApp, owner: &SignedIn, entry_mode: &str) {
    app.bearer(owner)
        .put::<Value>(
            "/api/v1/distribution/settings",
            &json!({
                "entry_mode": entry_mode, "commission_depth": 2,
                "self_purchase_commission": false, "binding_mode": "first_touch",
                "protection_days": 0,
            }),
        )
        .await;
}

/// Every member path of a shop, with a body that would be valid there.
fn member_calls(shop: &str, contest_id: i64, code: &str) -> Vec<(&'static str, String, Value)> {
    let me = |rest: &str| format!("/api/v1/shops/{shop}/me{rest}");
    vec![
        ("GET", me(""), Value::Null),
        ("GET", me("/distributor"), Value::Null),
        ("POST", me("/distributor"), Value::Null),
        ("GET", me("/distributor-application"), Value::Null),
        ("POST", me("/distributor-application"), json!({})),
        ("GET", me("/contests"), Value::Null),
        ("GET", me(&format!("/contests/{contest_id}")), Value::Null),
        ("GET", me("/recruitment/link"), Value::Null),
        ("GET", me("/recruitment/qr.png"), Value::Null),
        ("GET", me("/recruitment/qr.svg"), Value::Null),
        ("POST", me("/visits"), json!({ "distributor_code": code })),
    ]
}

async fn call(app: &TestApp, who: &Member, method: &str, path: &str, body: &Value) -> u16 {
    let method: reqwest::Method = method.parse().unwrap();
    let body = (!body.is_null()).then_some(body);
    let res = app.bearer(&who.token).send_raw(method, path, body).await;
    let status = res.status().as_u16();
    if status == 404 {
        assert_problem(res, 404, "not_found").await;
    }
    status
}

db_test!(
    a_member_of_another_shop_is_nobody_here,
    |app: TestApp| async move {
        let a = app.owner("a@example.com").await;
        let b = app.owner("b@example.com").await;
        // Shop A makes every member a distributor: a write the refusal must prevent.
        settings(&app, &a, "everyone").await;
        let seller = app
            .member(a.merchant_id.get(), "13800000001", json!({}))
            .await;
        let mine: Value = app
            .bearer(&seller.token)
            .get(&seller.me("/distributor"))
            .await;
        let code = mine["code"].as_str().unwrap().to_owned();
        let contest: Value = app
            .bearer(&a)
            .post(
                "/api/v1/contests",
                &json!({
                    "name": "月度冠军", "metric": "sales",
                    "start_date": "2026-03-01", "end_date": "2026-03-31",
                    "prizes": [{ "rank_from": 1, "rank_to": 1, "description": "冠军" }]
                }),
            )
            .await;
        let contest_id = contest["id"].as_i64().unwrap();
        app.bearer(&a)
            .post::<Value>(
                &format!("/api/v1/contests/{contest_id}/publish"),
                &json!({}),
            )
            .await;
        // The same phone number is a member at both shops, and at B a distributor too.
        let stranger = app
            .member(b.merchant_id.get(), "13800000001", json!({}))
            .await;
        app.bearer(&b)
            .post::<Value>("/api/v1/distributors", &json!({ "member_id": stranger.id }))
            .await;

        let tables = [
            "members",
            "distributors",
            "distributor_applications",
            "customer_bindings",
        ];
        let before: Vec<i64> = tables.iter().map(|t| app.count(t)).collect();
        for (method, path, body) in member_calls(&seller.shop, contest_id, &code) {
            assert_eq!(
                call(&app, &stranger, method, &path, &body).await,
                404,
                "{method} {path} by a member of shop B"
            );
        }
        // The other way round.
        for (method, path, body) in member_calls(&stranger.shop, contest_id, &code) {
            assert_eq!(
                call(&app, &seller, method, &path, &body).await,
                404,
                "{method} {path} by a member of shop A"
            );
        }
        let after: Vec<i64> = tables.iter().map(|t| app.count(t)).collect();
        assert_eq!(before, after, "nothing changed at either shop");

        // Each is still somebody at their own shop, whatever the case of the address.
        let me: Value = app
            .bearer(&seller.token)
            .get(&format!("/api/v1/shops/{}/me", seller.shop.to_uppercase()))
            .await;
        assert_eq!(me["id"], seller.id);
        let theirs: Value = app
            .bearer(&stranger.token)
            .get(&stranger.me("/distributor"))
            .await;
        assert_ne!(theirs["code"], code.as_str());
        let contests: Value = app.bearer(&seller.token).get(&seller.me("/contests")).await;
        assert_eq!(contests[0]["id"], contest_id);
    }
);

db_test!(
    an_unknown_address_is_not_found_everywhere,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let nowhere = "no-such-shop";
        let public = [
            ("GET", format!("/api/v1/shops/{nowhere}"), Value::Null),
            (
                "GET",
                format!("/api/v1/shops/{nowhere}/products"),
                Value::Null,
            ),
            (
                "GET",
                format!("/api/v1/shops/{nowhere}/distributor-application-form"),
                Value::Null,
            ),
            (
                "POST",
                format!("/api/v1/shops/{nowhere}/verification-codes"),
                json!({ "recipient": "13800000002" }),
            ),
            (
                "POST",
                format!("/api/v1/shops/{nowhere}/members"),
                json!({ "login": "13800000002", "code": "123456", "password": "shopper-2026" }),
            ),
            (
                "POST",
                format!("/api/v1/shops/{nowhere}/members/sign-in"),
                json!({ "login": "13800000001", "password": "shopper-2026" }),
            ),
        ];
        for (method, path, body) in public {
            let body = (!body.is_null()).then_some(&body);
            let res = app
                .anonymous()
                .send_raw(method.parse().unwrap(), &path, body)
                .await;
            assert_problem(res, 404, "not_found").await;
        }
        for (method, path, body) in member_calls(nowhere, 1, "NOPE") {
            assert_eq!(
                call(&app, &member, method, &path, &body).await,
                404,
                "{method} {path}"
            );
        }
        assert_eq!(app.count("members"), 1);
        assert_eq!(app.count("distributor_applications"), 0);
    }
);
