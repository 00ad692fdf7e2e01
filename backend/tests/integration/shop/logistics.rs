//! Logistics settings: regions, carriers, delivery methods with pickup points, freight templates
//! and the freight quote.

use crate::harness::{assert_problem, expect_json, problem, TestApp};
use serde_json::{json, Value};

/// By weight: first 1 kg ¥10, each further 500 g ¥4; Zhejiang ¥8/¥2, Hangzhou ¥6/¥1; no
/// delivery to Xinjiang or Lhasa; free from ¥99.
fn by_weight() -> Value {
    json!({
        "name": "按重量",
        "mode": "weight",
        "first_units": 1000,
        "first_price": "10",
        "additional_units": 500,
        "additional_price": "4.00",
        "region_overrides": [
            { "region_codes": ["330000"], "first_price": "8", "additional_price": "2" },
            { "region_codes": ["330100"], "first_price": "6", "additional_price": "1" }
        ],
        "free_shipping_threshold": "99",
        "restricted_regions": ["650000", "540100"],
        "is_default": true
    })
}

#[actix_web::test]
async fn regions_are_public_and_complete() {
    let app = TestApp::spawn(crate::harness::TestBackend::Sqlite).await;
    let provinces: Value = app.anonymous().get("/api/v1/regions").await;
    let provinces = provinces.as_array().unwrap();
    assert_eq!(provinces.len(), 31);
    let zhejiang = provinces.iter().find(|p| p["code"] == "330000").unwrap();
    assert_eq!(zhejiang["name"], "浙江省");
    assert!(zhejiang["cities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "330100" && c["name"] == "杭州市"));
}

db_test!(
    carriers_are_seeded_once_and_editable,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let list: Value = app.bearer(&owner).get("/api/v1/carriers").await;
        let codes: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            [
                "SF",
                "ZTO",
                "YTO",
                "STO",
                "YUNDA",
                "JD",
                "EMS",
                "DEPPON",
                "JTEXPRESS"
            ]
        );
        assert_eq!(list[0]["name"], "顺丰速运");
        // Listing again does not seed again.
        let again: Value = app.bearer(&owner).get::<Value>("/api/v1/carriers").await;
        assert_eq!(again.as_array().unwrap().len(), 9);
        assert_eq!(app.audit_count("carriers.seeded"), 1);

        let zjs: Value = app
            .bearer(&owner)
            .expecting(201)
            .post(
                "/api/v1/carriers",
                &json!({ "code": " zjs ", "name": "宅急送", "sort_order": 100 }),
            )
            .await;
        assert_eq!(zjs["code"], "ZJS");
        assert_eq!(zjs["enabled"], true);
        let res = app
            .bearer(&owner)
            .post_raw(
                "/api/v1/carriers",
                &json!({ "code": "SF", "name": "又一个顺丰" }),
            )
            .await;
        assert_problem(res, 409, "carrier_code_taken").await;
        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/carriers", &json!({ "code": "S F", "name": "x" }))
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["field"], "code");

        let sf_id = list[0]["id"].as_i64().unwrap();
        let sf: Value = app
            .bearer(&owner)
            .expecting(200)
            .put(
                &format!("/api/v1/carriers/{sf_id}"),
                &json!({ "code": "SF", "name": "顺丰", "enabled": false }),
            )
            .await;
        assert_eq!(sf["enabled"], false);
        assert_eq!(sf["name"], "顺丰");
        assert_eq!(app.audit_count("carrier.updated"), 1);
        assert_eq!(
            app.audit_changes("carrier.updated"),
            json!({
                "enabled": { "before": true, "after": false },
                "name": { "before": "顺丰速运", "after": "顺丰" },
            })
        );
        assert_eq!(app.audit_count("carrier.created"), 1);

        // Another merchant has its own list and cannot touch this one's.
        let other = app.owner("other@example.com").await;
        let theirs: Value = app.bearer(&other).get::<Value>("/api/v1/carriers").await;
        assert_eq!(theirs.as_array().unwrap().len(), 9);
        assert_eq!(theirs[0]["enabled"], true);
        let res = app
            .bearer(&other)
            .put_raw(
                &format!("/api/v1/carriers/{sf_id}"),
                &json!({ "code": "SF", "name": "偷改" }),
            )
            .await;
        assert_eq!(res.status(), 404);
    }
);

db_test!(
    delivery_methods_and_pickup_points,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let methods: Value = app
            .bearer(&owner)
            .get::<Value>("/api/v1/delivery-methods")
            .await;
        assert_eq!(methods["express_enabled"], true);
        assert_eq!(methods["pickup_enabled"], false);

        let res = app
            .bearer(&owner)
            .put_raw(
                "/api/v1/delivery-methods",
                &json!({ "express_enabled": true, "pickup_enabled": true }),
            )
            .await;
        assert_eq!(res.status(), 422, "no pickup point yet");
        let body = problem(res).await;
        assert_eq!(body["errors"][0]["code"], "no_pickup_points");
        assert_eq!(body["errors"][0]["field"], "pickup_enabled");

        let point = json!({
            "name": "西湖店",
            "region_code": "330100",
            "address": "杭州市西湖区龙井路 1 号",
            "contact_phone": "0571-88888888",
            "opening_hours": "周一至周日 9:00–18:00"
        });
        let mut bad = point.clone();
        bad["region_code"] = json!("330199");
        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/pickup-points", &bad)
            .await;
        assert_eq!(res.status(), 422);
        let body = problem(res).await;
        assert_eq!(body["errors"][0]["field"], "region_code");
        assert_eq!(body["errors"][0]["code"], "unknown_region");
        let mut bad = point.clone();
        bad["contact_phone"] = json!("call me");
        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/pickup-points", &bad)
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["field"], "contact_phone");
        assert_eq!(app.count("pickup_points"), 0);

        let created: Value = app
            .bearer(&owner)
            .expecting(201)
            .post("/api/v1/pickup-points", &point)
            .await;
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["enabled"], true);
        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/pickup-points", &point)
            .await;
        assert_problem(res, 409, "pickup_point_name_taken").await;

        let methods: Value = app
            .bearer(&owner)
            .expecting(200)
            .put(
                "/api/v1/delivery-methods",
                &json!({ "express_enabled": false, "pickup_enabled": true }),
            )
            .await;
        assert_eq!(methods["express_enabled"], false);
        assert_eq!(methods["pickup_enabled"], true);
        assert_eq!(methods["pickup_points"][0]["name"], "西湖店");
        assert_eq!(app.audit_count("delivery_methods.updated"), 1);

        // The last enabled point cannot be switched off while self-pickup is on.
        let mut off = point.clone();
        off["enabled"] = json!(false);
        let res = app
            .bearer(&owner)
            .put_raw(&format!("/api/v1/pickup-points/{id}"), &off)
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["code"], "last_pickup_point");
        let points: Value = app
            .bearer(&owner)
            .get::<Value>("/api/v1/pickup-points")
            .await;
        assert_eq!(
            points[0]["enabled"], true,
            "the refused change wrote nothing"
        );

        let mut moved = point.clone();
        moved["region_code"] = json!("330000");
        moved["address"] = json!("浙江省某地");
        let res = app
            .bearer(&owner)
            .put_raw(&format!("/api/v1/pickup-points/{id}"), &moved)
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Value>().await.unwrap()["region_code"], "330000");
        assert_eq!(app.audit_count("pickup_point.updated"), 1);
        assert_eq!(
            app.audit_changes("pickup_point.updated")["region"],
            json!({ "before": "330100", "after": "330000" })
        );

        let other = app.owner("other@example.com").await;
        let res = app
            .bearer(&other)
            .put_raw(&format!("/api/v1/pickup-points/{id}"), &point)
            .await;
        assert_eq!(res.status(), 404);
        let theirs: Value = app
            .bearer(&other)
            .get::<Value>("/api/v1/delivery-methods")
            .await;
        assert_eq!(theirs["pickup_points"].as_array().unwrap().len(), 0);
        assert_eq!(theirs["express_enabled"], true);
    }
);

db_test!(
    freight_templates_validate_and_keep_one_default,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let first: Value = app
            .bearer(&owner)
            .expecting(201)
            .post("/api/v1/freight-templates", &by_weight())
            .await;
        assert_eq!(first["mode"], "weight");
        assert_eq!(first["first_price"], "10.00");
        assert_eq!(first["additional_price"], "4.00");
        assert_eq!(first["free_shipping_threshold"], "99.00");
        assert_eq!(first["region_overrides"][1]["region_codes"][0], "330100");
        assert_eq!(first["region_overrides"][0]["first_price"], "8.00");
        assert_eq!(first["restricted_regions"], json!(["650000", "540100"]));
        assert_eq!(first["is_default"], true);
        let first_id = first["id"].as_i64().unwrap();
        let created = app.audit_changes("freight_template.created");
        assert_eq!(
            created["region_prices"]["after"][0]["regions"],
            json!(["330000"]),
            "{created}"
        );

        // Bad input: unknown region, repeated region, bad money, unknown mode, zero units.
        let cases: Vec<(Value, &str, &str)> = vec![
            (
                json!({ "restricted_regions": ["650000", "999999"] }),
                "restricted_regions",
                "unknown_region",
            ),
            (
                json!({ "region_overrides": [{ "region_codes": ["3301"], "first_price": "1", "additional_price": "1" }] }),
                "region_overrides[0].region_codes",
                "unknown_region",
            ),
            (
                json!({ "region_overrides": [
                    { "region_codes": ["330100"], "first_price": "1", "additional_price": "1" },
                    { "region_codes": ["330100"], "first_price": "2", "additional_price": "1" }
                ] }),
                "region_overrides[1].region_codes",
                "duplicate_region",
            ),
            (
                json!({ "first_price": "1.001" }),
                "first_price",
                "money_precision",
            ),
            (
                json!({ "free_shipping_threshold": "-5" }),
                "free_shipping_threshold",
                "money_negative",
            ),
            (json!({ "mode": "volume" }), "mode", ""),
            (
                json!({ "additional_units": 0 }),
                "additional_units",
                "range",
            ),
        ];
        for (patch, field, code) in cases {
            let mut body = by_weight();
            body["name"] = json!("坏模板");
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let res = app
                .bearer(&owner)
                .post_raw("/api/v1/freight-templates", &body)
                .await;
            assert_eq!(res.status(), 422, "{field}");
            let problem = problem(res).await;
            let error = &problem["errors"][0];
            assert_eq!(error["field"], field, "{problem}");
            if !code.is_empty() {
                assert_eq!(error["code"], code, "{problem}");
            }
        }
        assert_eq!(app.count("freight_templates"), 1, "nothing written");

        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/freight-templates", &by_weight())
            .await;
        assert_problem(res, 409, "freight_template_name_taken").await;

        // A second default takes the mark from the first.
        let mut piece = json!({
            "name": "按件", "mode": "piece", "first_units": 1, "first_price": "6",
            "additional_units": 2, "additional_price": "1.5", "is_default": true
        });
        let second: Value = app
            .bearer(&owner)
            .expecting(201)
            .post("/api/v1/freight-templates", &piece)
            .await;
        let second_id = second["id"].as_i64().unwrap();
        assert_eq!(second["free_shipping_threshold"], Value::Null);
        let list: Value = app
            .bearer(&owner)
            .get::<Value>("/api/v1/freight-templates")
            .await;
        let defaults: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["is_default"] == true)
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert_eq!(defaults, [second_id]);

        // Updating the first back to default moves the mark again.
        let res = app
            .bearer(&owner)
            .put_raw(
                &format!("/api/v1/freight-templates/{first_id}"),
                &by_weight(),
            )
            .await;
        assert_eq!(res.status(), 200);
        let second_now: Value = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/freight-templates/{second_id}"))
            .await;
        assert_eq!(second_now["is_default"], false);

        piece["first_price"] = json!("7");
        piece["is_default"] = json!(false);
        let res = app
            .bearer(&owner)
            .put_raw(&format!("/api/v1/freight-templates/{second_id}"), &piece)
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Value>().await.unwrap()["first_price"], "7.00");
        assert_eq!(app.audit_count("freight_template.created"), 2);
        assert_eq!(app.audit_count("freight_template.updated"), 2);
        assert_eq!(
            app.audit_changes("freight_template.updated")["first_price"],
            json!({ "before": "6.00", "after": "7.00" })
        );

        // Another tenant: 404 for reading, changing, deleting and quoting.
        let other = app.owner("other@example.com").await;
        let path = format!("/api/v1/freight-templates/{first_id}");
        assert_eq!(app.bearer(&other).get_raw(&path).await.status(), 404);
        assert_eq!(
            app.bearer(&other)
                .put_raw(&path, &by_weight())
                .await
                .status(),
            404
        );
        let res = app
            .bearer(&other)
            .send_raw(reqwest::Method::DELETE, &path, None)
            .await;
        assert_eq!(res.status(), 404);
        let res = app
            .bearer(&other)
            .post_raw(
                &format!("{path}/quote"),
                &json!({
                    "region_code": "110100",
                    "items": [{ "quantity": 1 }],
                    "goods_total": "1",
                }),
            )
            .await;
        assert_eq!(res.status(), 404);
        let theirs: Value = app
            .bearer(&other)
            .get::<Value>("/api/v1/freight-templates")
            .await;
        assert_eq!(theirs, json!([]));

        let res = app
            .bearer(&owner)
            .send_raw(reqwest::Method::DELETE, &path, None)
            .await;
        assert_eq!(res.status(), 204);
        assert_eq!(app.bearer(&owner).get_raw(&path).await.status(), 404);
        assert_eq!(app.audit_count("freight_template.deleted"), 1);
    }
);

db_test!(
    the_quote_prices_regions_and_refuses_restricted_ones,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let template: Value = app
            .bearer(&owner)
            .post::<Value>("/api/v1/freight-templates", &by_weight())
            .await;
        let path = format!("/api/v1/freight-templates/{}/quote", template["id"]);
        let quote = |region: &'static str, grams: u32, goods: &'static str| {
            let app = &app;
            let owner = &owner;
            let path = path.clone();
            async move {
                app.bearer(owner)
                    .post_raw(
                        &path,
                        &json!({
                            "region_code": region,
                            "items": [{ "quantity": 1, "weight_grams": grams }],
                            "goods_total": goods
                        }),
                    )
                    .await
            }
        };

        // Beijing, 1001 g: ¥10 + one step of ¥4 (rounded up).
        let res = quote("110100", 1001, "50").await;
        let body: Value = expect_json(res, 200).await;
        assert_eq!(body["freight"], "14.00");
        assert_eq!(body["chargeable_units"], 1001);
        assert_eq!(body["free_shipping"], false);
        assert_eq!(body["override_region"], Value::Null);

        // Ningbo: the Zhejiang prices; Hangzhou: its own, which beat Zhejiang's.
        let body: Value = quote("330200", 1600, "50").await.json().await.unwrap();
        assert_eq!(body["freight"], "12.00");
        assert_eq!(body["override_region"], "330000");
        let body: Value = quote("330100", 1600, "50").await.json().await.unwrap();
        assert_eq!(body["freight"], "8.00");
        assert_eq!(body["override_region"], "330100");

        // At the threshold shipping is free.
        let body: Value = quote("110100", 5000, "99.00").await.json().await.unwrap();
        assert_eq!(body["freight"], "0.00");
        assert_eq!(body["free_shipping"], true);

        // Urumqi (Xinjiang is restricted) and Lhasa: refused, even when shipping would be free.
        for region in ["650100", "540100"] {
            let res = quote(region, 500, "1000").await;
            assert_eq!(res.status(), 422, "{region}");
            let body = problem(res).await;
            assert_eq!(body["code"], "region_not_delivered");
        }
        let res = app
            .bearer(&owner)
            .in_english()
            .post_raw(
                &path,
                &json!({
                    "region_code": "650100",
                    "items": [{ "quantity": 1 }],
                    "goods_total": "1",
                }),
            )
            .await;
        let body = problem(res).await;
        assert!(
            body["detail"].as_str().unwrap().contains("do not deliver"),
            "{body}"
        );

        // Bad input.
        let res = quote("123456", 500, "1").await;
        assert_eq!(res.status(), 422);
        let body = problem(res).await;
        assert_eq!(body["errors"][0]["field"], "region_code");
        assert_eq!(body["errors"][0]["code"], "unknown_region");
        let res = quote("110100", 500, "1.001").await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["field"], "goods_total");
        let res = app
            .bearer(&owner)
            .post_raw(
                &path,
                &json!({
                    "region_code": "110100",
                    "items": [{ "quantity": 0 }],
                    "goods_total": "1",
                }),
            )
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(
            problem(res).await["errors"][0]["field"],
            "items[0].quantity"
        );
    }
);

db_test!(
    parallel_first_requests_seed_carriers_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let requests = (0..6).map(|_| app.bearer(&owner).get_raw("/api/v1/carriers"));
        let responses = futures_util::future::join_all(requests).await;
        for res in responses {
            let list: Value = expect_json(res, 200).await;
            assert_eq!(list.as_array().unwrap().len(), 9);
        }
        assert_eq!(app.count("carriers"), 9);
        assert_eq!(app.audit_count("carriers.seeded"), 1);
    }
);
