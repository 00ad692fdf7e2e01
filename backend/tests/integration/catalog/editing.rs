//! Editing products and SKUs: what each status allows, bad bodies, other tenants, audit.

use crate::harness::{assert_problem, expect_json, problem, SignedIn, TestApp, PNG};
use fenxiao::db::ids::SkuId;
use serde_json::{json, Value};

/// A draft tea in two colours × two sizes.
async fn tea(app: &TestApp, owner: &SignedIn) -> Value {
    let mut skus = Vec::new();
    for (i, colour) in ["红", "绿"].iter().enumerate() {
        for (j, size) in ["M", "L"].iter().enumerate() {
            skus.push(json!({
                "code": format!("LJ-{i}{j}"),
                "spec_values": { "颜色": colour, "尺码": size },
                "retail_price": "128.50",
                "stock": 10,
                "weight_grams": 250,
                "member_prices": [{ "tier_id": 1, "price": "120" }],
            }));
        }
    }
    let res = app
        .bearer(&owner)
        .post_raw(
            "/api/v1/products",
            &json!({ "name": "明前龙井", "spec_names": ["颜色", "尺码"], "skus": skus, "tags": ["新品"] }),
        )
        .await;
    expect_json(res, 201).await
}

async fn listed_tea(app: &TestApp, owner: &SignedIn) -> Value {
    let product = tea(app, owner).await;
    let id = product["id"].as_i64().unwrap();
    for (path, action) in [("status", "submit"), ("review", "approve")] {
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/products/{id}/{path}"),
                &json!({ "action": action }),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    app.bearer(&owner)
        .get::<Value>(&format!("/api/v1/products/{id}"))
        .await
}

fn sku_ids(product: &Value) -> Vec<i64> {
    product["skus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

db_test!(
    a_draft_can_be_reshaped_and_the_audit_log_shows_how,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let category: Value = app
            .bearer(&owner)
            .post::<Value>("/api/v1/categories", &json!({ "name": "绿茶" }))
            .await;
        let product = tea(&app, &owner).await;
        assert_eq!(product["tags"], json!(["新品"]));
        let id = product["id"].as_i64().unwrap();
        let ids = sku_ids(&product);
        // Record a stock movement on the SKU about to be removed.
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/skus/{}/stock-adjustments", ids[3]),
                &json!({ "delta": 2, "reason": "到货" }),
            )
            .await;
        assert_eq!(res.status(), 200);

        let edit = json!({
            "name": "  西湖龙井  ",
            "description_html": "<p onclick=\"x()\">春茶<script>alert(1)</script></p>",
            "category_id": category["id"],
            "tags": [" 包邮 ", "明前"],
            "skus": [
                { "id": ids[0], "retail_price": "99.90", "barcode": "6901234567890" },
                { "id": ids[1] },
                { "id": ids[2], "spec_values": { "颜色": "绿", "尺码": "S" }, "code": "LJ-GS" },
                { "code": "LJ-NEW", "spec_values": { "颜色": "黄", "尺码": "M" },
                  "retail_price": "150", "stock": 3, "low_stock_threshold": 1 },
            ],
        });
        let edited: Value = app
            .bearer(&owner)
            .expecting(200)
            .patch(&format!("/api/v1/products/{id}"), &edit)
            .await;
        assert_eq!(edited["name"], "西湖龙井", "trimmed");
        assert_eq!(edited["description_html"], "<p>春茶</p>", "sanitised");
        assert_eq!(edited["category_id"], category["id"]);
        assert_eq!(edited["tags"], json!(["包邮", "明前"]));
        assert_eq!(edited["status"], "draft");
        let skus = edited["skus"].as_array().unwrap();
        assert_eq!(skus.len(), 4);
        assert_eq!(skus[0]["retail_price"], "99.90");
        assert_eq!(skus[0]["barcode"], "6901234567890");
        assert_eq!(skus[0]["stock"], 10, "stock untouched");
        assert_eq!(skus[0]["member_prices"][0]["price"], "120.00", "kept");
        assert_eq!(
            skus[1]["retail_price"], "128.50",
            "an entry with only its id keeps all"
        );
        assert_eq!(skus[2]["code"], "LJ-GS");
        assert_eq!(skus[3]["code"], "LJ-NEW");
        assert_eq!(skus[3]["stock"], 3);
        assert!(
            !sku_ids(&edited).contains(&ids[3]),
            "the unlisted SKU is gone"
        );
        assert_eq!(app.count("skus"), 4);

        let events = app.audit_changes_all("product.updated");
        assert_eq!(events.len(), 1);
        let changes = &events[0];
        assert_eq!(changes["name"]["before"], "明前龙井");
        assert_eq!(changes["name"]["after"], "西湖龙井");
        assert_eq!(
            changes[format!("sku {}", ids[0])]["before"]["retail_price"],
            "128.50"
        );
        assert_eq!(
            changes[format!("sku {}", ids[0])]["after"]["retail_price"],
            "99.90"
        );
        assert!(changes[format!("sku {}", ids[3])]["after"].is_null());
        assert_eq!(
            changes[format!("sku {}", ids[3])]["before"]["code"],
            "LJ-11"
        );
        assert!(
            changes.get(format!("sku {}", ids[1])).is_none(),
            "unchanged SKUs are not listed"
        );

        // The same edit again changes nothing and records nothing.
        let res = app
            .bearer(&owner)
            .patch_raw(
                &format!("/api/v1/products/{id}"),
                &json!({ "name": "西湖龙井", "tags": ["包邮", "明前"] }),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(app.audit_changes_all("product.updated").len(), 1);

        // The category can be removed again.
        let res = app
            .bearer(&owner)
            .patch_raw(
                &format!("/api/v1/products/{id}"),
                &json!({ "category_id": null }),
            )
            .await;
        let cleared: Value = res.json().await.unwrap();
        assert!(cleared["category_id"].is_null());
    }
);

db_test!(
    a_listed_product_keeps_its_structure_and_content_edits_go_back_to_review,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let token = &owner.access_token;
        let product = listed_tea(&app, &owner).await;
        let id = product["id"].as_i64().unwrap();
        let ids = sku_ids(&product);
        let path = format!("/api/v1/products/{id}");

        // Prices change without review.
        let tier: Value = app
            .bearer(token)
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
        let all: Vec<Value> = ids.iter().map(|i| json!({ "id": i })).collect();
        let mut priced = all.clone();
        priced[1] = json!({ "id": ids[1], "retail_price": "88.00",
            "distributor_prices": [{ "tier_id": tier["id"], "price": "70" }] });
        let edited: Value = app
            .bearer(token)
            .expecting(200)
            .patch(&path, &json!({ "skus": priced }))
            .await;
        assert_eq!(edited["status"], "listed");
        assert_eq!(edited["skus"][1]["retail_price"], "88.00");
        assert_eq!(edited["skus"][1]["distributor_prices"][0]["price"], "70.00");
        let sku: Value = app
            .bearer(token)
            .expecting(200)
            .patch(
                &format!("/api/v1/skus/{}", ids[0]),
                &json!({ "retail_price": "66.60", "weight_grams": 300 }),
            )
            .await;
        assert_eq!(sku["retail_price"], "66.60");
        assert_eq!(sku["weight_grams"], 300);

        // Structure is locked: adding, removing, recoding, new specification values.
        let mut added = all.clone();
        added.push(json!({ "code": "LJ-X", "spec_values": { "颜色": "黄", "尺码": "M" }, "retail_price": "1" }));
        let mut recoded = all.clone();
        recoded[0] = json!({ "id": ids[0], "code": "LJ-Z" });
        for (what, body) in [
            ("add", json!({ "skus": added })),
            ("remove", json!({ "skus": all[..3] })),
            ("recode", json!({ "skus": recoded })),
            (
                "respec",
                json!({ "spec_names": ["颜色", "规格"], "skus": all }),
            ),
        ] {
            let res = app.bearer(token).patch_raw(&path, &body).await;
            assert_eq!(res.status(), 409, "{what}");
            assert_eq!(
                problem(res).await["code"],
                "product_structure_locked",
                "{what}"
            );
        }
        let res = app
            .bearer(token)
            .patch_raw(
                &format!("/api/v1/skus/{}", ids[0]),
                &json!({ "code": "LJ-Z" }),
            )
            .await;
        assert_eq!(res.status(), 409);
        assert_eq!(app.count("skus"), 4);

        let shop_price = |app: &TestApp| {
            use diesel::prelude::*;
            use fenxiao::db::schema::skus as s;
            s::table
                .filter(s::id.eq(SkuId(ids[0])))
                .select(s::retail_price_fen)
                .first::<i64>(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(shop_price(&app), 6660);

        // Content goes back to review; the reason for the status is in the audit log.
        let edited: Value = app
            .bearer(token)
            .expecting(200)
            .patch(&path, &json!({ "subtitle": "今年新茶" }))
            .await;
        assert_eq!(edited["status"], "pending_review");
        assert_eq!(edited["subtitle"], "今年新茶");
        let events = app.audit_changes_all("product.updated");
        let last = events.last().unwrap();
        assert_eq!(last["status"]["before"], "listed");
        assert_eq!(last["status"]["after"], "pending_review");

        // While under review, prices and content may still change; the status stays.
        let res = app
            .bearer(token)
            .patch_raw(
                &format!("/api/v1/skus/{}", ids[2]),
                &json!({ "retail_price": "100" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "name": "龙井 2026" }))
            .await;
        assert_eq!(
            res.json::<Value>().await.unwrap()["status"],
            "pending_review"
        );

        // Approved again, then the gallery changes: back to review as well.
        let res = app
            .bearer(token)
            .post_raw(
                &format!("/api/v1/products/{id}/review"),
                &json!({ "action": "approve" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let png = PNG.to_vec();
        let media: Value = app
            .bearer(token)
            .post_bytes_raw("/api/v1/media", "image/png", png)
            .await
            .json()
            .await
            .unwrap();
        let res = app
            .bearer(token)
            .put_raw(
                &format!("/api/v1/products/{id}/images"),
                &json!({ "media_ids": [media["id"]] }),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.json::<Value>().await.unwrap()["status"],
            "pending_review"
        );
    }
);

db_test!(
    bad_edits_are_refused_and_change_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let token = &owner.access_token;
        let product = tea(&app, &owner).await;
        let id = product["id"].as_i64().unwrap();
        let ids = sku_ids(&product);
        let path = format!("/api/v1/products/{id}");
        let before = app.bearer(token).get::<Value>(&path).await;

        let res = app
            .bearer(token)
            .send_bytes_raw(
                reqwest::Method::PATCH,
                &path,
                "application/json",
                "{\"name\": ",
            )
            .await;
        assert_problem(res, 400, "malformed_body").await;

        let other_category = {
            let other = app.owner("other@example.com").await;
            let c: Value = app
                .bearer(&other)
                .post::<Value>("/api/v1/categories", &json!({ "name": "别家" }))
                .await;
            c["id"].clone()
        };
        let cases = [
            (json!({ "colour": "红" }), "colour", "unknown_field"),
            (json!({ "name": null }), "name", "invalid_type"),
            (json!({ "name": "  " }), "name", "length"),
            (json!({ "tags": ["a", "A"] }), "tags", "invalid_tags"),
            (
                json!({ "category_id": other_category }),
                "category_id",
                "unknown_category",
            ),
            (json!({ "skus": [] }), "skus", "length"),
            (
                json!({ "skus": [{ "id": ids[0], "retail_price": "1.001" }] }),
                "skus[0].retail_price",
                "money_precision",
            ),
            (
                json!({ "skus": [{ "id": ids[0], "retail_price": "-1" }] }),
                "skus[0].retail_price",
                "money_negative",
            ),
            (
                json!({ "skus": [{ "id": ids[0], "stock": 99 }] }),
                "skus[0].stock",
                "stock_by_adjustment",
            ),
            (
                json!({ "skus": [{ "id": 987654 }] }),
                "skus[0].id",
                "unknown_sku",
            ),
            (
                json!({ "skus": [{ "id": ids[0] }, { "id": ids[0] }] }),
                "skus[1].id",
                "duplicate_sku",
            ),
            (
                json!({ "skus": [{ "id": ids[0], "kind": "virtual" }] }),
                "skus[0].kind",
                "kind_immutable",
            ),
            (
                json!({ "skus": [{ "id": ids[0], "presale_quantity": 5 }] }),
                "skus[0].presale_ship_date",
                "presale_ship_date_required",
            ),
            (
                json!({ "skus": [{ "id": ids[0], "member_prices": [
                    { "tier_id": 1, "price": "1" }, { "tier_id": 1, "price": "2" }] }] }),
                "skus[0].member_prices",
                "duplicate_tier_price",
            ),
            (
                json!({ "skus": [{ "spec_values": { "颜色": "黄", "尺码": "M" } }] }),
                "skus[0].code",
                "required",
            ),
            (
                json!({ "skus": [{ "id": ids[0], "low_stock_threshold": -1 }] }),
                "skus[0].low_stock_threshold",
                "range",
            ),
            (
                json!({ "skus": [{ "id": ids[0], "barcode": "" }] }),
                "skus[0].barcode",
                "length",
            ),
            (
                json!({ "skus": [{ "id": ids[0], "spec_values": { "颜色": "绿", "尺码": "M" } },
                    { "id": ids[1] }, { "id": ids[2] }, { "id": ids[3] }] }),
                "skus",
                "duplicate_spec_values",
            ),
            (
                json!({ "spec_names": ["颜色", "颜色"] }),
                "spec_names",
                "invalid_spec_names",
            ),
        ];
        for (body, field, code) in cases {
            let res = app.bearer(token).patch_raw(&path, &body).await;
            assert_eq!(res.status(), 422, "{body}");
            let problem = problem(res).await;
            assert!(
                problem["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["field"] == field && e["code"] == code),
                "{body}: {problem}"
            );
        }
        // A code another product uses.
        let second: Value = app
            .bearer(token)
            .post::<Value>(
                "/api/v1/products",
                &json!({ "name": "红茶", "skus": [{ "code": "HC-1", "retail_price": "10" }] }),
            )
            .await;
        let res = app
            .bearer(token)
            .patch_raw(
                &format!("/api/v1/skus/{}", second["skus"][0]["id"]),
                &json!({ "code": "LJ-00" }),
            )
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["code"], "sku_code_taken");
        let res = app
            .bearer(token)
            .patch_raw(
                &format!("/api/v1/skus/{}", ids[0]),
                &json!({ "id": ids[1], "retail_price": "1" }),
            )
            .await;
        assert_eq!(res.status(), 422, "the path names the SKU");

        assert_eq!(
            app.bearer(token).get::<Value>(&path).await,
            before,
            "nothing changed"
        );
        assert!(app.audit_changes_all("product.updated").is_empty());
        assert!(app.audit_changes_all("sku.updated").is_empty());
    }
);

db_test!(
    other_tenants_and_callers_without_the_permission_are_refused,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let product = tea(&app, &owner).await;
        let id = product["id"].as_i64().unwrap();
        let sku = sku_ids(&product)[0];
        let other = app.owner("other@example.com").await;
        for (path, body) in [
            (format!("/api/v1/products/{id}"), json!({ "name": "x" })),
            (
                format!("/api/v1/skus/{sku}"),
                json!({ "retail_price": "1" }),
            ),
        ] {
            let theirs = app.bearer(&other).patch_raw(&path, &body).await;
            assert_eq!(theirs.status(), 404, "{path}");
            assert_eq!(problem(theirs).await["code"], "not_found");
        }
        let key: Value = app
            .bearer(&owner)
            .post::<Value>(
                "/api/v1/api-keys",
                &json!({ "name": "只读", "scopes": ["catalog.read"] }),
            )
            .await;
        let key = key["key"].as_str().unwrap();
        let res = app
            .bearer(key)
            .patch_raw(&format!("/api/v1/products/{id}"), &json!({ "name": "x" }))
            .await;
        assert_eq!(res.status(), 403);
        let res = app
            .bearer(key)
            .patch_raw(
                &format!("/api/v1/skus/{sku}"),
                &json!({ "retail_price": "1" }),
            )
            .await;
        assert_eq!(res.status(), 403);
        let after = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/products/{id}"))
            .await;
        assert_eq!(after["name"], "明前龙井");
        assert_eq!(after["skus"][0]["retail_price"], "128.50");
    }
);

db_test!(
    sku_settings_barcode_threshold_and_presale,
    |app: TestApp| async move {
        use diesel::prelude::*;
        use fenxiao::db::schema::{notifications as n, outbox_messages as o};
        let owner = app.owner("boss@example.com").await;
        let token = &owner.access_token;
        let product = listed_tea(&app, &owner).await;
        let sku = sku_ids(&product)[0];
        let path = format!("/api/v1/skus/{sku}");

        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "barcode": " 690123 " }))
            .await;
        assert_eq!(res.json::<Value>().await.unwrap()["barcode"], "690123");
        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "barcode": null }))
            .await;
        assert!(res.json::<Value>().await.unwrap()["barcode"].is_null());

        // A threshold at or above the stock alerts at once (email and inbox), once.
        let alerts = |app: &TestApp| -> (i64, i64) {
            let mut conn = app.conn();
            (
                o::table
                    .filter(o::template.eq("low_stock"))
                    .count()
                    .get_result(&mut *conn)
                    .unwrap(),
                n::table
                    .filter(n::kind.eq("low_stock"))
                    .count()
                    .get_result(&mut *conn)
                    .unwrap(),
            )
        };
        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "low_stock_threshold": 10 }))
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(alerts(&app), (1, 1));
        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "low_stock_threshold": 12 }))
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(alerts(&app), (1, 1), "still the same crossing");
        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "low_stock_threshold": null }))
            .await;
        assert!(res.json::<Value>().await.unwrap()["low_stock_threshold"].is_null());
        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "low_stock_threshold": 10 }))
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(alerts(&app), (2, 2), "off and on again is a new crossing");

        // Presale: a quantity needs a date, and cannot drop below what is sold.
        let res = app
            .bearer(token)
            .patch_raw(
                &path,
                &json!({ "presale_quantity": 5, "presale_ship_date": "2026-12-20" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        {
            let mut conn = app.conn();
            fenxiao::db::write_transaction(&mut conn, |c| {
                fenxiao::inventory::take(
                    c,
                    owner.merchant_id,
                    SkuId(sku),
                    13,
                    "order-1",
                    fenxiao::clock::now(),
                )
            })
            .unwrap();
        }
        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "presale_quantity": 2 }))
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(
            problem(res).await["errors"][0]["code"],
            "presale_below_sold"
        );
        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "presale_quantity": 3 }))
            .await;
        assert_eq!(res.status(), 200);
        let res = app
            .bearer(token)
            .patch_raw(&path, &json!({ "presale_ship_date": null }))
            .await;
        assert_eq!(res.status(), 422, "presale still needs its date");
    }
);

db_test!(
    parallel_edits_all_land_and_are_all_audited,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let product = tea(&app, &owner).await;
        let sku = sku_ids(&product)[0];
        let mut calls = Vec::new();
        for i in 0..8 {
            let edit = app.bearer(&owner).patch_raw(
                &format!("/api/v1/skus/{sku}"),
                &json!({ "retail_price": format!("{}.00", 10 + i) }),
            );
            calls.push(actix_web::rt::spawn(
                async move { edit.await.status().as_u16() },
            ));
        }
        let mut ok = 0;
        for call in calls {
            let status = call.await.unwrap();
            assert!(status == 200 || status == 409, "{status}");
            ok += usize::from(status == 200);
        }
        assert!(ok >= 1);
        assert_eq!(app.audit_changes_all("sku.updated").len(), ok);
        let after = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/products/{}", product["id"]))
            .await;
        let price = after["skus"][0]["retail_price"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!((10..18).any(|i| price == format!("{i}.00")), "{price}");
    }
);
