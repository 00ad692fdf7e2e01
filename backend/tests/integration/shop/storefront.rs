//! Store profile, the public shop by slug, and low-stock alerts.

use crate::harness::{assert_problem, expect_json, problem, Member, SignedIn, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::SkuId;
use serde_json::{json, Value};

fn profile(slug: &str) -> Value {
    json!({ "name": "好物优选", "description": "杭州的茶", "slug": slug, "timezone": "Asia/Shanghai" })
}

async fn put_profile(app: &TestApp, who: &SignedIn, body: Value) -> reqwest::Response {
    app.bearer(&who)
        .put_raw("/api/v1/merchant/profile", &body)
        .await
}

async fn product(
    app: &TestApp,
    who: &SignedIn,
    code: &str,
    stock: i64,
    threshold: Option<i64>,
) -> Value {
    let res = app
        .bearer(&who)
        .post_raw(
            "/api/v1/products",
            &json!({
                "name": format!("茶 {code}"),
                "skus": [{ "code": code, "retail_price": "128.50", "stock": stock, "low_stock_threshold": threshold }],
            }),
        )
        .await;
    expect_json(res, 201).await
}

db_test!(the_store_profile_is_validated, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let res = put_profile(&app, &owner, profile("Haowu-Tea")).await;
    let merchant: Value = expect_json(res, 200).await;
    assert_eq!(merchant["slug"], "haowu-tea", "slugs are lower-cased");
    for (slug, code) in [
        ("-bad", "invalid_slug"),
        ("a", "invalid_slug"),
        ("has space", "invalid_slug"),
        ("api", "reserved_slug"),
    ] {
        let res = put_profile(&app, &owner, profile(slug)).await;
        assert_eq!(res.status(), 422, "{slug}");
        assert_eq!(problem(res).await["errors"][0]["code"], code, "{slug}");
    }
    let mut bad_zone = profile("haowu-tea");
    bad_zone["timezone"] = json!("Mars/Olympus");
    assert_eq!(
        problem(put_profile(&app, &owner, bad_zone).await).await["errors"][0]["code"],
        "invalid_timezone"
    );
    let mut bad_logo = profile("haowu-tea");
    bad_logo["logo_media_id"] = json!(424242);
    assert_eq!(put_profile(&app, &owner, bad_logo).await.status(), 422);

    let other = app.owner("other@example.com").await;
    let res = put_profile(&app, &other, profile("haowu-tea")).await;
    assert_problem(res, 409, "slug_taken").await;
});

db_test!(
    the_public_shop_shows_listed_products_only,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        put_profile(&app, &owner, profile("haowu-tea")).await;
        let listed = product(&app, &owner, "L-1", 5, None).await;
        let id = listed["id"].as_i64().unwrap();
        app.bearer(&owner)
            .post_raw(
                &format!("/api/v1/products/{id}/status"),
                &json!({ "action": "submit" }),
            )
            .await;
        app.bearer(&owner)
            .post_raw(
                &format!("/api/v1/products/{id}/review"),
                &json!({ "action": "approve" }),
            )
            .await;
        product(&app, &owner, "D-1", 5, None).await;

        let shop: Value = app.anonymous().get("/api/v1/shops/haowu-tea").await;
        assert_eq!(shop["name"], "好物优选");
        assert_eq!(shop["merchant_id"], owner.merchant_id.get());
        let page: Value = app
            .anonymous()
            .get("/api/v1/shops/HAOWU-TEA/products")
            .await;
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "the draft is not shown");
        assert_eq!(items[0]["id"], id);
        assert_eq!(items[0]["skus"][0]["price"]["unit_price"], "128.50");
        assert_eq!(items[0]["skus"][0]["price"]["source"], "retail");
        assert_eq!(items[0]["skus"][0]["in_stock"], true);
        assert!(
            items[0]["skus"][0].get("stock").is_none(),
            "stock figures stay private"
        );

        assert_eq!(
            app.anonymous()
                .get_raw("/api/v1/shops/nobody-here")
                .await
                .status(),
            404
        );
        // A suspended merchant has no shop.
        let op = app.operator().await;
        app.bearer(&op)
            .post_raw(
                &format!("/api/v1/platform/merchants/{}/suspend", owner.merchant_id),
                &json!({}),
            )
            .await;
        assert_eq!(
            app.anonymous()
                .get_raw("/api/v1/shops/haowu-tea")
                .await
                .status(),
            404
        );
    }
);

db_test!(
    low_stock_alerts_once_per_crossing,
    |app: TestApp| async move {
        use fenxiao::db::schema::outbox_messages as o;
        let owner = app.owner("boss@example.com").await;
        let p = product(&app, &owner, "T-1", 5, Some(3)).await;
        let sku = p["skus"][0]["id"].as_i64().unwrap();
        let alerts = |app: &TestApp| -> i64 {
            o::table
                .filter(o::template.eq("low_stock"))
                .count()
                .get_result(&mut *app.conn())
                .unwrap()
        };
        let take = |n: i64| {
            let pool = app.pool.clone();
            let merchant_id = owner.merchant_id;
            move || {
                let mut conn = pool.get().unwrap();
                fenxiao::db::write_transaction(&mut conn, |c| {
                    fenxiao::inventory::take(
                        c,
                        merchant_id,
                        SkuId(sku),
                        n,
                        "order",
                        fenxiao::clock::now(),
                    )
                })
                .unwrap();
            }
        };
        take(1)();
        assert_eq!(alerts(&app), 0, "4 is above the threshold");
        take(1)();
        assert_eq!(alerts(&app), 1, "crossing to 3 alerts");
        take(1)();
        assert_eq!(alerts(&app), 1, "staying below does not alert again");
        let path = format!("/api/v1/skus/{sku}/stock-adjustments");
        app.bearer(&owner)
            .post_raw(&path, &json!({ "delta": 10, "reason": "到货" }))
            .await;
        assert_eq!(alerts(&app), 1);
        app.bearer(&owner)
            .post_raw(&path, &json!({ "delta": -10, "reason": "盘亏" }))
            .await;
        assert_eq!(alerts(&app), 2, "a new crossing alerts again");
        let body: String = o::table
            .filter(o::template.eq("low_stock"))
            .select(o::body)
            .first(&mut *app.conn())
            .unwrap();
        assert!(body.contains("T-1"), "{body}");
    }
);

db_test!(
    a_signed_in_distributor_sees_their_tier_price_in_the_shop,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        put_profile(&app, &owner, profile("haowu-tea")).await;
        let tier: Value = app
            .bearer(&owner)
            .post(
                "/api/v1/distribution/tiers",
                &json!({
                    "name": "金牌",
                    "commission_kind": "percent",
                    "level1": "10",
                    "level2": "5",
                }),
            )
            .await;
        let res = app
            .bearer(&owner)
            .post_raw(
                "/api/v1/products",
                &json!({
                    "name": "龙井",
                    "skus": [{
                        "code": "L-1", "retail_price": "128.50", "stock": 5,
                        "distributor_prices": [{ "tier_id": tier["id"], "price": "99.00" }],
                    }],
                }),
            )
            .await;
        let product: Value = res.json().await.unwrap();
        let id = product["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{product}"));
        for (path, action) in [("status", "submit"), ("review", "approve")] {
            let res = app
                .bearer(&owner)
                .post_raw(
                    &format!("/api/v1/products/{id}/{path}"),
                    &json!({ "action": action }),
                )
                .await;
            assert_eq!(res.status(), 200, "{path}");
        }
        let Member {
            id: member_id,
            token: distributor_token,
            ..
        } = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let plain_token = app
            .member(owner.merchant_id.get(), "13800000002", json!({}))
            .await
            .token;
        let foreign_token = app
            .member(other.merchant_id.get(), "13800000001", json!({}))
            .await
            .token;
        let distributor: Value = app
            .bearer(&owner)
            .post("/api/v1/distributors", &json!({ "member_id": member_id }))
            .await;
        let res = app
            .bearer(&owner)
            .put_raw(
                &format!("/api/v1/distributors/{}/tier", distributor["id"]),
                &json!({ "tier_id": tier["id"], "reason": "首批分销商" }),
            )
            .await;
        assert_eq!(res.status(), 200);

        let price_seen_by = |token: Option<String>| {
            let client = match &token {
                Some(token) => app.bearer(token),
                None => app.anonymous(),
            };
            let request = client.get_raw("/api/v1/shops/haowu-tea/products");
            async move {
                let page: Value = request.await.json().await.unwrap();
                let price = &page["items"][0]["skus"][0]["price"];
                (
                    price["unit_price"].as_str().unwrap().to_owned(),
                    price["source"].as_str().unwrap().to_owned(),
                )
            }
        };
        let retail = ("128.50".to_owned(), "retail".to_owned());
        assert_eq!(
            price_seen_by(Some(distributor_token.clone())).await,
            ("99.00".to_owned(), "distributor_tier".to_owned())
        );
        assert_eq!(price_seen_by(None).await, retail);
        assert_eq!(price_seen_by(Some(plain_token)).await, retail);
        assert_eq!(
            price_seen_by(Some(foreign_token)).await,
            retail,
            "a member of another shop buys here like anyone"
        );
        assert_eq!(
            price_seen_by(Some("not-a-token".to_owned())).await,
            retail,
            "a token that means nothing is an anonymous visit"
        );
        // A frozen distributor buys like any member.
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{}/freeze", distributor["id"]),
                &json!({ "reason": "核查" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(price_seen_by(Some(distributor_token)).await, retail);
    }
);

/// Submits and approves a product so the shop lists it.
async fn list_product(app: &TestApp, owner: &SignedIn, id: i64) {
    for (path, action) in [("status", "submit"), ("review", "approve")] {
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/products/{id}/{path}"),
                &json!({ "action": action }),
            )
            .await;
        assert_eq!(res.status(), 200, "{path}");
    }
}

db_test!(
    a_distributor_pays_the_lower_of_the_tier_discount_and_the_tier_price,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        put_profile(&app, &owner, profile("haowu-tea")).await;
        let tier: Value = app
            .bearer(&owner)
            .post(
                "/api/v1/distribution/tiers",
                &json!({ "name": "金牌", "commission_kind": "percent", "level1": "10",
                "level2": "5", "purchase_discount": "12.5" }),
            )
            .await;
        let tier_id = tier["id"].as_i64().unwrap_or_else(|| panic!("{tier}"));
        // L-1 has no tier price: 12.5 % off 128.50 is 112.4375, paid as 112.44.
        // L-2 has a tier price of 80.00, below 12.5 % off 100.00 (87.50).
        // L-3 has a tier price of 95.00, above 12.5 % off 100.00.
        let body = json!({ "name": "龙井", "spec_names": ["规格"], "skus": [
            { "code": "L-1", "spec_values": { "规格": "大" }, "retail_price": "128.50", "stock": 5 },
            { "code": "L-2", "spec_values": { "规格": "中" }, "retail_price": "100.00", "stock": 5,
              "distributor_prices": [{ "tier_id": tier_id, "price": "80.00" }] },
            { "code": "L-3", "spec_values": { "规格": "小" }, "retail_price": "100.00", "stock": 5,
              "distributor_prices": [{ "tier_id": tier_id, "price": "95.00" }] }] });
        let product: Value = app
            .bearer(&owner)
            .expecting(201)
            .post("/api/v1/products", &body)
            .await;
        list_product(&app, &owner, product["id"].as_i64().unwrap()).await;
        let Member {
            id: member_id,
            token,
            ..
        } = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let distributor: Value = app
            .bearer(&owner)
            .post("/api/v1/distributors", &json!({ "member_id": member_id }))
            .await;
        let res = app
            .bearer(&owner)
            .put_raw(
                &format!("/api/v1/distributors/{}/tier", distributor["id"]),
                &json!({ "tier_id": tier_id, "reason": "首批分销商" }),
            )
            .await;
        assert_eq!(res.status(), 200);

        let prices = |token: Option<&str>| {
            let client = match token {
                Some(token) => app.bearer(token),
                None => app.anonymous(),
            };
            let request = client.get_raw("/api/v1/shops/haowu-tea/products");
            async move {
                let page: Value = request.await.json().await.unwrap();
                let mut seen: Vec<(String, Value)> = page["items"][0]["skus"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|sku| {
                        (
                            sku["spec_values"]["规格"].as_str().unwrap().to_owned(),
                            sku["price"].clone(),
                        )
                    })
                    .collect();
                seen.sort_by(|a, b| a.0.cmp(&b.0));
                seen.into_iter().map(|(_, price)| price).collect::<Vec<_>>()
            }
        };
        // Sorted by spec value: 中 (L-2), 大 (L-1), 小 (L-3).
        assert_eq!(
            prices(Some(&token)).await,
            vec![
                json!({ "unit_price": "80.00", "source": "distributor_tier", "tier_id": tier_id, "discount": null }),
                json!({ "unit_price": "112.44", "source": "distributor_tier_discount", "tier_id": tier_id, "discount": "12.5" }),
                json!({ "unit_price": "87.50", "source": "distributor_tier_discount", "tier_id": tier_id, "discount": "12.5" }),
            ]
        );
        let retail = |price: &str| json!({ "unit_price": price, "source": "retail", "tier_id": null, "discount": null });
        assert_eq!(
            prices(None).await,
            vec![retail("100.00"), retail("128.50"), retail("100.00")],
            "an anonymous visitor gets no discount"
        );
        // Once frozen, the distributor buys like any member: no tier price, no discount.
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{}/freeze", distributor["id"]),
                &json!({ "reason": "核查" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            prices(Some(&token)).await,
            vec![retail("100.00"), retail("128.50"), retail("100.00")]
        );
    }
);
