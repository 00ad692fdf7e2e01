//! Categories, products with SKUs and the price system, the review workflow, and stock.

use crate::harness::{assert_problem, problem, TestApp};
use fenxiao::db::ids::{MerchantId, SkuId};
use serde_json::{json, Value};

fn tea(code_prefix: &str) -> Value {
    let mut skus = Vec::new();
    for (i, colour) in ["红", "绿"].iter().enumerate() {
        for (j, size) in ["M", "L"].iter().enumerate() {
            skus.push(json!({
                "code": format!("{code_prefix}-{i}{j}"),
                "spec_values": { "颜色": colour, "尺码": size },
                "retail_price": "128.50",
                "stock": 10,
                "weight_grams": 250,
                "member_prices": [{ "tier_id": 1, "price": "120" }],
            }));
        }
    }
    json!({
        "name": "明前龙井",
        "description_html": "<p onclick=\"steal()\">好茶<script>alert(1)</script></p>",
        "spec_names": ["颜色", "尺码"],
        "skus": skus,
    })
}

db_test!(
    categories_form_a_tree_without_cycles,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let tea: Value = app
            .bearer(&owner)
            .post::<Value>("/api/v1/categories", &json!({ "name": "茶叶" }))
            .await;
        let green: Value = app
            .bearer(&owner)
            .post::<Value>(
                "/api/v1/categories",
                &json!({ "name": "绿茶", "parent_id": tea["id"] }),
            )
            .await;
        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/categories", &json!({ "name": "茶叶" }))
            .await;
        assert_problem(res, 409, "category_name_taken").await;
        let res = app
            .bearer(&owner)
            .put_raw(
                &format!("/api/v1/categories/{}", tea["id"]),
                &json!({ "name": "茶叶", "parent_id": green["id"] }),
            )
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["code"], "category_cycle");
        let res = app
            .bearer(&owner)
            .delete_raw(&format!("/api/v1/categories/{}", tea["id"]))
            .await;
        assert_eq!(res.status(), 409, "not empty");

        let other = app.owner("other@example.com").await;
        let res = app
            .bearer(&other)
            .post_raw(
                "/api/v1/categories",
                &json!({ "name": "x", "parent_id": tea["id"] }),
            )
            .await;
        assert_eq!(res.status(), 422, "another merchant's category is unknown");
        let res = app
            .bearer(&other)
            .delete_raw(&format!("/api/v1/categories/{}", green["id"]))
            .await;
        assert_eq!(res.status(), 404);
        let res = app
            .bearer(&owner)
            .delete_raw(&format!("/api/v1/categories/{}", green["id"]))
            .await;
        assert_eq!(res.status(), 204);
    }
);

db_test!(
    a_product_with_two_specs_goes_through_review,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let product: Value = app
            .bearer(&owner)
            .expecting(201)
            .post("/api/v1/products", &tea("LJ"))
            .await;
        assert_eq!(product["status"], "draft");
        assert_eq!(product["skus"].as_array().unwrap().len(), 4);
        assert_eq!(product["skus"][0]["retail_price"], "128.50");
        assert_eq!(product["skus"][0]["member_prices"][0]["price"], "120.00");
        assert_eq!(product["description_html"], "<p>好茶</p>", "sanitised");
        let id = product["id"].as_i64().unwrap();

        let status = |action: &str| json!({ "action": action });
        let res = app
            .bearer(&owner)
            .post_raw(&format!("/api/v1/products/{id}/review"), &status("approve"))
            .await;
        assert_eq!(res.status(), 409, "a draft cannot be approved");
        assert_eq!(problem(res).await["code"], "invalid_transition");
        let res = app
            .bearer(&owner)
            .post_raw(&format!("/api/v1/products/{id}/status"), &status("approve"))
            .await;
        assert_eq!(
            res.status(),
            422,
            "review decisions have their own endpoint"
        );
        assert_eq!(
            app.bearer(&owner)
                .post_raw(&format!("/api/v1/products/{id}/status"), &status("submit"))
                .await
                .status(),
            200
        );
        let res = app
            .bearer(&owner)
            .post_raw(&format!("/api/v1/products/{id}/review"), &status("reject"))
            .await;
        assert_eq!(res.status(), 422, "a rejection needs a reason");
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/products/{id}/review"),
                &json!({ "action": "reject", "reason": "图片模糊" }),
            )
            .await;
        let rejected: Value = res.json().await.unwrap();
        assert_eq!(rejected["status"], "rejected");
        assert_eq!(rejected["rejection_reason"], "图片模糊");
        app.bearer(&owner)
            .post_raw(&format!("/api/v1/products/{id}/status"), &status("submit"))
            .await;
        let listed: Value = app
            .bearer(&owner)
            .post::<Value>(&format!("/api/v1/products/{id}/review"), &status("approve"))
            .await;
        assert_eq!(listed["status"], "listed");
        assert!(listed["rejection_reason"].is_null());
        let unlisted: Value = app
            .bearer(&owner)
            .post::<Value>(&format!("/api/v1/products/{id}/status"), &status("unlist"))
            .await;
        assert_eq!(unlisted["status"], "unlisted");

        let page: Value = app
            .bearer(&owner)
            .get("/api/v1/products?status=unlisted")
            .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let other = app.owner("other@example.com").await;
        let res = app
            .bearer(&other)
            .get_raw(&format!("/api/v1/products/{id}"))
            .await;
        assert_eq!(res.status(), 404);
        let res = app
            .bearer(&other)
            .post_raw(&format!("/api/v1/products/{id}/status"), &status("relist"))
            .await;
        assert_eq!(res.status(), 404);
    }
);

db_test!(
    bad_money_and_specs_are_refused_with_the_field,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let cases = [
            (
                "/skus/0/retail_price",
                json!("1.001"),
                "skus[0].retail_price",
                "money_precision",
            ),
            (
                "/skus/0/retail_price",
                json!("-1"),
                "skus[0].retail_price",
                "money_negative",
            ),
            (
                "/skus/0/retail_price",
                json!(12.5),
                "skus[0].retail_price",
                "invalid_type",
            ),
            ("/skus/1/stock", json!(-3), "skus[1].stock", "range"),
            (
                "/skus/2/spec_values",
                json!({ "颜色": "红" }),
                "__all__",
                "invalid_spec_values",
            ),
            (
                "/skus/3/code",
                json!("LJ-00"),
                "__all__",
                "duplicate_sku_code",
            ),
        ];
        for (pointer, value, field, code) in cases {
            let mut body = tea("LJ");
            *body.pointer_mut(pointer).unwrap() = value;
            let res = app.bearer(&owner).post_raw("/api/v1/products", &body).await;
            assert_eq!(res.status(), 422, "{pointer}");
            let problem = problem(res).await;
            let errors = problem["errors"].as_array().unwrap();
            assert!(
                errors
                    .iter()
                    .any(|e| e["code"] == code && (field == "__all__" || e["field"] == field)),
                "{pointer}: {problem}"
            );
        }
        assert_eq!(app.count("products"), 0);
        assert_eq!(app.count("skus"), 0);

        app.bearer(&owner)
            .post_raw("/api/v1/products", &tea("LJ"))
            .await;
        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/products", &tea("LJ"))
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["code"], "sku_code_taken");
        assert_eq!(
            app.count("products"),
            1,
            "the second product was not half-created"
        );
    }
);

db_test!(
    fifty_buyers_cannot_oversell_ten,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let product: Value = app
            .bearer(&owner)
            .post::<Value>("/api/v1/products", &tea("LJ"))
            .await;
        let sku_id = product["skus"][0]["id"].as_i64().unwrap();
        let (sold, refused) = app.take_concurrently(owner.merchant_id, SkuId(sku_id), 50);
        assert_eq!(sold, 10);
        assert_eq!(refused, 40);
        let product: Value = app
            .bearer(&owner)
            .get(&format!("/api/v1/products/{}", product["id"]))
            .await;
        assert_eq!(product["skus"][0]["stock"], 0);
        use diesel::prelude::*;
        use fenxiao::db::schema::stock_movements as m;
        let moved: i64 = m::table
            .filter(m::sku_id.eq(SkuId(sku_id)))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(moved, 10, "one movement per sale");
    }
);

db_test!(
    stock_adjustments_never_go_below_zero,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let product: Value = app
            .bearer(&owner)
            .post::<Value>("/api/v1/products", &tea("LJ"))
            .await;
        let sku = product["skus"][0]["id"].as_i64().unwrap();
        let path = format!("/api/v1/skus/{sku}/stock-adjustments");
        let res = app
            .bearer(&owner)
            .post_raw(&path, &json!({ "delta": -11, "reason": "盘点" }))
            .await;
        assert_problem(res, 409, "insufficient_stock").await;
        let level: Value = app
            .bearer(&owner)
            .post::<Value>(&path, &json!({ "delta": 5, "reason": "到货" }))
            .await;
        assert_eq!(level["stock"], 15);
        assert_eq!(
            app.bearer(&owner)
                .post_raw(&path, &json!({ "delta": 0, "reason": "x" }))
                .await
                .status(),
            422
        );
        let other = app.owner("other@example.com").await;
        assert_eq!(
            app.bearer(&other)
                .post_raw(&path, &json!({ "delta": 1, "reason": "x" }))
                .await
                .status(),
            404
        );
    }
);

db_test!(
    buyers_pay_the_lowest_price_they_are_entitled_to,
    |app: TestApp| async move {
        use fenxiao::catalog::pricing::{quote, Buyer, PriceSource};
        let owner = app.owner("boss@example.com").await;
        let tier: Value = app
            .bearer(&owner)
            .post::<Value>(
                "/api/v1/distribution/tiers",
                &json!({
                    "name": "金牌",
                    "commission_kind": "percent",
                    "level1": "10",
                    "level2": "5",
                }),
            )
            .await;
        let tier = tier["id"].as_i64().unwrap();
        let mut body = tea("LJ");
        for sku in body["skus"].as_array_mut().unwrap() {
            sku["distributor_prices"] = json!([{ "tier_id": tier, "price": "99.90" }]);
        }
        let product: Value = app
            .bearer(&owner)
            .post::<Value>("/api/v1/products", &body)
            .await;
        let sku = product["skus"][0]["id"].as_i64().unwrap();
        let mut conn = app.conn();
        let retail = quote(&mut conn, owner.merchant_id, SkuId(sku), Buyer::default()).unwrap();
        assert_eq!(
            (retail.unit_price.fen(), retail.source),
            (12_850, PriceSource::Retail)
        );
        let member = quote(
            &mut conn,
            owner.merchant_id,
            SkuId(sku),
            Buyer {
                member_tier_id: Some(1),
                ..Buyer::default()
            },
        )
        .unwrap();
        assert_eq!(
            (member.unit_price.fen(), member.source),
            (12_000, PriceSource::MemberTier)
        );
        let both = quote(
            &mut conn,
            owner.merchant_id,
            SkuId(sku),
            Buyer {
                member_tier_id: Some(1),
                distributor_tier_id: Some(tier),
                ..Buyer::default()
            },
        )
        .unwrap();
        assert_eq!(
            (both.unit_price.fen(), both.source, both.tier_id),
            (9_990, PriceSource::DistributorTier, Some(tier))
        );
        let unknown_tier = quote(
            &mut conn,
            owner.merchant_id,
            SkuId(sku),
            Buyer {
                member_tier_id: Some(99),
                ..Buyer::default()
            },
        )
        .unwrap();
        assert_eq!(unknown_tier.source, PriceSource::Retail);
        assert!(
            quote(
                &mut conn,
                MerchantId(owner.merchant_id.get() + 1000),
                SkuId(sku),
                Buyer::default()
            )
            .is_err(),
            "another merchant's SKU"
        );
    }
);
