//! Presale SKUs (selling beyond stock up to a set allowance) and virtual SKUs (code pools).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::harness::{assert_problem, expect_json, problem, test_cipher, SignedIn, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::SkuId;
use serde_json::{json, Value};

/// Creates a one-SKU product and answers the SKU id.
async fn sku(app: &TestApp, who: &SignedIn, sku: Value) -> (reqwest::StatusCode, Value) {
    let response = app
        .bearer(who)
        .post_raw(
            "/api/v1/products",
            &json!({ "name": "Gift card", "skus": [sku] }),
        )
        .await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

db_test!(
    presale_fields_are_validated_and_shown,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (status, body) = sku(
            &app,
            &owner,
            json!({ "code": "P-1", "retail_price": "10.00", "stock": 3, "presale_quantity": 5 }),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["code"], "presale_ship_date_required");
        let (status, body) = sku(
            &app,
            &owner,
            json!({ "code": "P-1", "retail_price": "10.00", "stock": 3, "presale_quantity": 5,
                "presale_ship_date": "2026-13-40" }),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = sku(
            &app,
            &owner,
            json!({ "code": "P-1", "retail_price": "10.00", "stock": 3, "presale_quantity": 5,
                "presale_ship_date": "2026-12-20" }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let s = &body["skus"][0];
        assert_eq!(s["kind"], "physical");
        assert_eq!(s["presale_quantity"], 5);
        assert_eq!(s["presale_sold"], 0);
        assert_eq!(s["presale_ship_date"], "2026-12-20");
        // A virtual SKU takes neither stock nor presale at creation.
        let (status, body) = sku(
            &app,
            &owner,
            json!({ "code": "V-1", "kind": "virtual", "retail_price": "10.00", "stock": 3 }),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["code"], "virtual_stock");
    }
);

db_test!(
    twenty_buyers_take_stock_then_presale_exactly_eight,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (status, product) = sku(
            &app,
            &owner,
            json!({ "code": "P-1", "retail_price": "10.00", "stock": 3, "presale_quantity": 5,
                "presale_ship_date": "2026-12-20" }),
        )
        .await;
        assert_eq!(status, 201, "{product}");
        let sku_id = product["skus"][0]["id"].as_i64().unwrap();
        let (sold, refused) = app.take_concurrently(owner.merchant_id, SkuId(sku_id), 20);
        assert_eq!(sold, 8);
        assert_eq!(refused, 12);
        let product: Value = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/products/{}", product["id"]))
            .await;
        assert_eq!(product["skus"][0]["stock"], 0);
        assert_eq!(product["skus"][0]["presale_sold"], 5);
        // A sale of 2 when 1 stock is left takes 1 stock and 1 presale.
        let (_, product) = sku(
            &app,
            &owner,
            json!({ "code": "P-2", "retail_price": "10.00", "stock": 1, "presale_quantity": 1,
                "presale_ship_date": "2026-12-20" }),
        )
        .await;
        let sku_id = product["skus"][0]["id"].as_i64().unwrap();
        let mut conn = app.conn();
        let left = fenxiao::db::write_transaction(&mut conn, |conn| {
            fenxiao::inventory::take(
                conn,
                owner.merchant_id,
                SkuId(sku_id),
                2,
                "o",
                fenxiao::clock::now(),
            )
        })
        .unwrap();
        assert_eq!(left, 0);
        let err = fenxiao::db::write_transaction(&mut conn, |conn| {
            fenxiao::inventory::take(
                conn,
                owner.merchant_id,
                SkuId(sku_id),
                1,
                "o",
                fenxiao::clock::now(),
            )
        })
        .unwrap_err();
        assert!(
            matches!(err, fenxiao::AppError::Conflict(_)) && err.code() == "insufficient_stock"
        );
    }
);

async fn virtual_sku(app: &TestApp, who: &SignedIn, code: &str) -> i64 {
    let (status, product) = sku(
        app,
        who,
        json!({ "code": code, "kind": "virtual", "retail_price": "50.00" }),
    )
    .await;
    assert_eq!(status, 201, "{product}");
    assert_eq!(product["skus"][0]["kind"], "virtual");
    product["skus"][0]["id"].as_i64().unwrap()
}

db_test!(
    thirty_deliveries_share_ten_codes,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let sku_id = virtual_sku(&app, &owner, "V-1").await;
        let codes: Vec<String> = (0..10).map(|i| format!("CARD-SECRET-{i:04}")).collect();
        let body: Value = app
            .bearer(&owner)
            .expecting(200)
            .post(
                &format!("/api/v1/skus/{sku_id}/codes"),
                &json!({ "codes": codes }),
            )
            .await;
        assert_eq!(body["imported"], 10);
        assert_eq!(body["available"], 10);
        let merchant_id = owner.merchant_id;
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..30)
            .map(|i| {
                let pool = app.pool.clone();
                let (delivered, refused) = (delivered.clone(), refused.clone());
                std::thread::spawn(move || {
                    let cipher = test_cipher();
                    let mut conn = pool.get().unwrap();
                    let result = fenxiao::db::write_transaction(&mut conn, |conn| {
                        fenxiao::inventory::virtual_codes::deliver(
                            conn,
                            &cipher,
                            merchant_id,
                            SkuId(sku_id),
                            1,
                            &format!("order-{i}"),
                            fenxiao::clock::now(),
                        )
                    });
                    match result {
                        Ok(codes) => delivered.lock().unwrap().extend(codes),
                        Err(e @ fenxiao::AppError::Conflict(_))
                            if e.code() == "codes_exhausted" =>
                        {
                            refused.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(other) => panic!("unexpected {other:?}"),
                    };
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let mut got = delivered.lock().unwrap().clone();
        got.sort();
        assert_eq!(got, codes, "every code delivered exactly once");
        assert_eq!(refused.load(Ordering::SeqCst), 20);
        let summary: Value = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/skus/{sku_id}/codes/summary"))
            .await;
        assert_eq!(
            summary,
            json!({ "sku_id": sku_id, "available": 0, "delivered": 10 })
        );
        use fenxiao::db::schema::skus;
        let stock: i64 = skus::table
            .filter(skus::id.eq(SkuId(sku_id)))
            .select(skus::stock)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(stock, 0);
    }
);

db_test!(code_imports_are_validated, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let sku_id = virtual_sku(&app, &owner, "V-1").await;
    let path = format!("/api/v1/skus/{sku_id}/codes");
    let response = app
        .bearer(&owner)
        .post_raw(&path, &json!({ "codes": ["A-1", "B-2"] }))
        .await;
    assert_eq!(response.status(), 200);
    // Duplicates within the request and against the pool, an empty and an overlong entry:
    // all named, nothing written.
    let long = "x".repeat(201);
    let response = app
        .bearer(&owner)
        .post_raw(
            &path,
            &json!({ "codes": ["C-3", "A-1", "C-3", " ", long, "D-4"] }),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    let named: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        named,
        vec![
            ("codes[1]".into(), "code_exists".into()),
            ("codes[2]".into(), "duplicate_code".into()),
            ("codes[3]".into(), "length".into()),
            ("codes[4]".into(), "length".into()),
        ]
    );
    assert!(!body.to_string().contains("A-1"), "codes are never echoed");
    let summary: Value = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/skus/{sku_id}/codes/summary"))
        .await;
    assert_eq!(summary["available"], 2);
    // Its stock is the pool: staff cannot adjust it.
    let response = app
        .bearer(&owner)
        .post_raw(
            &format!("/api/v1/skus/{sku_id}/stock-adjustments"),
            &json!({ "delta": 5, "reason": "stocktake" }),
        )
        .await;
    assert_problem(response, 409, "virtual_stock").await;
    // Empty and oversized requests.
    let response = app
        .bearer(&owner)
        .post_raw(&path, &json!({ "codes": [] }))
        .await;
    assert_eq!(response.status(), 422);
    let many: Vec<String> = (0..10_001).map(|i| format!("N-{i}")).collect();
    let response = app
        .bearer(&owner)
        .post_raw(&path, &json!({ "codes": many }))
        .await;
    // Over the body limit of the test server (64 KiB), else over 10,000 codes.
    assert!([413, 422].contains(&response.status().as_u16()));
    // A physical SKU has no code pool.
    let (_, product) = sku(
        &app,
        &owner,
        json!({ "code": "P-1", "retail_price": "10.00", "stock": 3 }),
    )
    .await;
    let physical = product["skus"][0]["id"].as_i64().unwrap();
    let response = app
        .bearer(&owner)
        .post_raw(
            &format!("/api/v1/skus/{physical}/codes"),
            &json!({ "codes": ["Z-1"] }),
        )
        .await;
    assert_problem(response, 409, "not_virtual_sku").await;
    // Another tenant: exactly like a missing SKU.
    let other = app.owner("other@example.com").await;
    for target in [sku_id, 999_999] {
        let response = app
            .bearer(&other)
            .post_raw(
                &format!("/api/v1/skus/{target}/codes"),
                &json!({ "codes": ["Z-1"] }),
            )
            .await;
        assert_eq!(response.status(), 404);
        let response = app
            .bearer(&other)
            .get_raw(&format!("/api/v1/skus/{target}/codes/summary"))
            .await;
        assert_eq!(response.status(), 404);
    }
});

db_test!(
    codes_are_encrypted_and_never_shown,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let sku_id = virtual_sku(&app, &owner, "V-1").await;
        let secret = "SECRET-CARD-7F3K9Q";
        let response = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/skus/{sku_id}/codes"),
                &json!({ "codes": [secret] }),
            )
            .await;
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        assert!(!text.contains(secret));
        for path in [
            format!("/api/v1/skus/{sku_id}/codes/summary"),
            "/api/v1/products".to_string(),
            "/api/v1/audit-events".to_string(),
        ] {
            let text = app
                .bearer(&owner)
                .get_raw(&path)
                .await
                .text()
                .await
                .unwrap();
            assert!(!text.contains(secret), "{path} shows a code");
        }
        use fenxiao::db::schema::{audit_events, virtual_codes};
        let audit: Vec<String> = audit_events::table
            .select(audit_events::changes)
            .load::<Option<String>>(&mut *app.conn())
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        assert!(audit.iter().any(|c| c.contains("\"imported\"")));
        assert!(audit.iter().all(|c| !c.contains(secret)));
        let (stored, hash): (String, String) = virtual_codes::table
            .select((virtual_codes::code_encrypted, virtual_codes::code_hash))
            .first(&mut *app.conn())
            .unwrap();
        assert!(!stored.contains(secret) && !hash.contains(secret));
        assert_eq!(
            String::from_utf8(test_cipher().decrypt(&stored).unwrap()).unwrap(),
            secret
        );
        // Delivered to an order, decrypted.
        let mut conn = app.conn();
        let codes = fenxiao::db::write_transaction(&mut conn, |conn| {
            fenxiao::inventory::virtual_codes::deliver(
                conn,
                &test_cipher(),
                owner.merchant_id,
                SkuId(sku_id),
                1,
                "order-1",
                fenxiao::clock::now(),
            )
        })
        .unwrap();
        assert_eq!(codes, vec![secret.to_string()]);
    }
);

db_test!(
    the_catalog_import_cannot_change_a_virtual_skus_stock,
    |app: TestApp| async move {
        let owner = app.owner("owner@example.com").await;
        virtual_sku(&app, &owner, "V-IMP").await;
        let csv = "商品名称 name,SKU编码 sku_code,零售价 retail_price,库存 stock\nGift card,V-IMP,50.00,5\n";
        let response = app
            .bearer(&owner)
            .post_bytes_raw("/api/v1/catalog/imports", "text/csv", csv)
            .await;
        let body: Value = expect_json(response, 422).await;
        assert!(
            body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["code"] == "virtual_stock"),
            "{body}"
        );
        // Leaving the stock column out (or matching the codes) is fine.
        let csv = "商品名称 name,SKU编码 sku_code,零售价 retail_price\nGift card,V-IMP,55.00\n";
        let response = app
            .bearer(&owner)
            .post_bytes_raw("/api/v1/catalog/imports", "text/csv", csv)
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
);
