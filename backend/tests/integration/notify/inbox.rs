//! The staff inbox, the in-app low-stock alert, and the low-stock list.

use crate::harness::{assert_problem, expect_json, problem, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::SkuId;
use fenxiao::db::schema::{notifications as n, outbox_messages as o};
use serde_json::{json, Value};

/// A product with one SKU per (code, stock, threshold).
async fn product(
    app: &TestApp,
    token: &str,
    name: &str,
    skus: &[(&str, i64, Option<i64>)],
) -> Value {
    let names: Vec<&str> = if skus.len() > 1 {
        vec!["规格"]
    } else {
        vec![]
    };
    let skus: Vec<Value> = skus
        .iter()
        .map(|(code, stock, threshold)| {
            let mut sku = json!({ "code": code, "retail_price": "10", "stock": stock,
                "low_stock_threshold": threshold });
            if !names.is_empty() {
                sku["spec_values"] = json!({ "规格": code });
            }
            sku
        })
        .collect();
    let res = app
        .bearer(token)
        .post_raw(
            "/api/v1/products",
            &json!({ "name": name, "spec_names": names, "skus": skus }),
        )
        .await;
    expect_json(res, 201).await
}

async fn adjust(app: &TestApp, token: &str, sku: &Value, delta: i64) {
    let res = app
        .bearer(token)
        .post_raw(
            &format!("/api/v1/skus/{sku}/stock-adjustments"),
            &json!({ "delta": delta, "reason": "盘点" }),
        )
        .await;
    assert_eq!(res.status(), 200);
}

fn emails(app: &TestApp) -> i64 {
    o::table
        .filter(o::template.eq("low_stock"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

db_test!(
    low_stock_notifies_the_staff_who_manage_stock_once_per_crossing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let operator = app
            .join_staff(&owner, "ops@example.com", "operator")
            .await
            .1;
        let viewer = app.join_staff(&owner, "look@example.com", "viewer").await.1;
        let p = product(&app, &owner.access_token, "龙井", &[("LJ-1", 5, Some(3))]).await;
        let sku = &p["skus"][0]["id"];

        adjust(&app, &owner.access_token, sku, -1).await;
        assert_eq!(app.count("notifications"), 0, "4 is above the threshold");
        adjust(&app, &owner.access_token, sku, -1).await;
        assert_eq!(emails(&app), 1, "the email still goes to the owner");
        for (token, expected) in [(&owner.access_token, 1), (&operator, 1), (&viewer, 0)] {
            let count = app
                .bearer(token)
                .get::<Value>("/api/v1/notifications/unread-count")
                .await;
            assert_eq!(count["unread"], expected);
        }
        adjust(&app, &owner.access_token, sku, -1).await;
        assert_eq!(
            app.count("notifications"),
            2,
            "staying below does not alert again"
        );
        adjust(&app, &owner.access_token, sku, 10).await;
        adjust(&app, &owner.access_token, sku, -10).await;
        assert_eq!(app.count("notifications"), 4, "a new crossing alerts again");
        assert_eq!(emails(&app), 2);

        let page = app
            .bearer(&owner)
            .get::<Value>("/api/v1/notifications")
            .await;
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(
            items[0]["id"].as_i64() > items[1]["id"].as_i64(),
            "newest first"
        );
        assert_eq!(items[0]["kind"], "low_stock");
        assert_eq!(items[0]["title"], "库存预警：龙井");
        assert!(items[0]["body"].as_str().unwrap().contains("LJ-1"));
        assert_eq!(items[0]["target_type"], "sku");
        assert_eq!(items[0]["data"]["sku_id"], *sku);
        assert_eq!(items[0]["data"]["stock"], 2);
        assert_eq!(items[0]["data"]["threshold"], 3);
        assert!(items[0]["read_at"].is_null());

        let english: Value = app
            .bearer(&owner)
            .in_english()
            .get("/api/v1/notifications")
            .await;
        assert_eq!(english["items"][0]["title"], "Low stock: 龙井");

        // Pages, the unread filter, marking one and all.
        let first = app
            .bearer(&owner)
            .get::<Value>("/api/v1/notifications?limit=1")
            .await;
        assert_eq!(first["items"].as_array().unwrap().len(), 1);
        let cursor = first["next_cursor"].as_i64().unwrap();
        let second = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/notifications?limit=1&cursor={cursor}"))
            .await;
        assert_eq!(second["items"][0]["id"], items[1]["id"]);
        assert!(second["next_cursor"].is_null());

        let id = items[1]["id"].as_i64().unwrap();
        let read: Value = app
            .bearer(&owner)
            .expecting(200)
            .post(&format!("/api/v1/notifications/{id}/read"), &json!({}))
            .await;
        assert!(read["read_at"].is_string());
        let again: Value = app
            .bearer(&owner)
            .post::<Value>(&format!("/api/v1/notifications/{id}/read"), &json!({}))
            .await;
        assert_eq!(again["read_at"], read["read_at"], "the first reading stays");
        let unread = app
            .bearer(&owner)
            .get::<Value>("/api/v1/notifications?unread=true")
            .await;
        assert_eq!(unread["items"].as_array().unwrap().len(), 1);
        assert_eq!(unread["items"][0]["id"], items[0]["id"]);

        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/notifications/read-all", &json!({}))
            .await;
        assert_eq!(res.json::<Value>().await.unwrap()["marked"], 1);
        let count = app
            .bearer(&owner)
            .get::<Value>("/api/v1/notifications/unread-count")
            .await;
        assert_eq!(count["unread"], 0);
        let count = app
            .bearer(&operator)
            .get::<Value>("/api/v1/notifications/unread-count")
            .await;
        assert_eq!(count["unread"], 2, "the operator's own inbox is untouched");
    }
);

db_test!(inboxes_are_private, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let operator = app
        .join_staff(&owner, "ops@example.com", "operator")
        .await
        .1;
    let p = product(&app, &owner.access_token, "龙井", &[("LJ-1", 5, Some(4))]).await;
    adjust(&app, &owner.access_token, &p["skus"][0]["id"], -1).await;
    let mine = app
        .bearer(&owner)
        .get::<Value>("/api/v1/notifications")
        .await;
    let id = mine["items"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/notifications/{id}/read");

    let res = app.bearer(&operator).post_raw(&path, &json!({})).await;
    assert_eq!(res.status(), 404, "a colleague's notification");
    let stranger = app.owner("other@example.com").await;
    let res = app.bearer(&stranger).post_raw(&path, &json!({})).await;
    assert_eq!(res.status(), 404, "another merchant's");
    assert_eq!(problem(res).await["code"], "not_found");
    let theirs = app
        .bearer(&stranger)
        .get::<Value>("/api/v1/notifications")
        .await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    let res = app
        .bearer(&stranger)
        .post_raw("/api/v1/notifications/read-all", &json!({}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["marked"], 0);

    // An API key has no inbox, whatever its scopes.
    let key: Value = app
        .bearer(&owner)
        .post::<Value>(
            "/api/v1/api-keys",
            &json!({ "name": "ERP", "scopes": ["merchant.read"] }),
        )
        .await;
    let res = app
        .bearer(key["key"].as_str().unwrap())
        .send_raw(reqwest::Method::GET, "/api/v1/notifications", None)
        .await;
    assert_problem(res, 403, "wrong_account_kind").await;

    for query in ["limit=0", "limit=101", "unread=maybe", "colour=red"] {
        let res = app
            .bearer(&owner)
            .send_raw(
                reqwest::Method::GET,
                &format!("/api/v1/notifications?{query}"),
                None,
            )
            .await;
        assert_eq!(res.status(), 422, "{query}");
    }
    let count = app
        .bearer(&owner)
        .get::<Value>("/api/v1/notifications/unread-count")
        .await;
    assert_eq!(count["unread"], 1, "nobody else could mark it read");
});

db_test!(
    the_alert_and_its_notice_roll_back_with_the_sale,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let p = product(&app, &owner.access_token, "龙井", &[("LJ-1", 5, Some(4))]).await;
        let sku = p["skus"][0]["id"].as_i64().unwrap();
        let mut conn = app.conn();
        let result: Result<(), fenxiao::AppError> =
            fenxiao::db::write_transaction(&mut conn, |c| {
                fenxiao::inventory::take(
                    c,
                    owner.merchant_id,
                    SkuId(sku),
                    2,
                    "order-1",
                    fenxiao::clock::now(),
                )?;
                Err(fenxiao::AppError::conflict(
                    fenxiao::error::ErrorCode::AlreadyExists,
                ))
            });
        assert!(result.is_err());
        drop(conn);
        assert_eq!(emails(&app), 0);
        assert_eq!(app.count("notifications"), 0);
        let unread: i64 = n::table
            .filter(n::merchant_id.eq(owner.merchant_id))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(unread, 0);

        let mut conn = app.conn();
        fenxiao::db::write_transaction(&mut conn, |c| {
            fenxiao::inventory::take(
                c,
                owner.merchant_id,
                SkuId(sku),
                2,
                "order-2",
                fenxiao::clock::now(),
            )
        })
        .unwrap();
        drop(conn);
        assert_eq!(emails(&app), 1);
        assert_eq!(app.count("notifications"), 1);
    }
);

db_test!(
    the_low_stock_list_shows_skus_at_or_below_their_threshold,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let token = &owner.access_token;
        let tea = product(
            &app,
            token,
            "龙井",
            &[
                ("LJ-1", 5, Some(5)),
                ("LJ-2", 6, Some(5)),
                ("LJ-3", 0, None),
                ("LJ-4", 0, Some(0)),
            ],
        )
        .await;
        product(&app, token, "红茶", &[("HC-1", 1, Some(2))]).await;
        let other = app.owner("other@example.com").await;
        product(&app, &other.access_token, "别家", &[("X-1", 0, Some(9))]).await;

        let page = app
            .bearer(token)
            .get::<Value>("/api/v1/inventory/low-stock")
            .await;
        let codes: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["sku_code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["HC-1", "LJ-4", "LJ-1"], "at or below, newest first");
        let first = &page["items"][2];
        assert_eq!(first["product_name"], "龙井");
        assert_eq!(first["product_id"], tea["id"]);
        assert_eq!(first["product_status"], "draft");
        assert_eq!(first["stock"], 5);
        assert_eq!(first["low_stock_threshold"], 5);
        assert_eq!(first["spec_values"]["规格"], "LJ-1");
        assert_eq!(first["kind"], "physical");

        let one = app
            .bearer(token)
            .get::<Value>("/api/v1/inventory/low-stock?limit=2")
            .await;
        assert_eq!(one["items"].as_array().unwrap().len(), 2);
        let cursor = one["next_cursor"].as_i64().unwrap();
        let rest = app
            .bearer(token)
            .get::<Value>(&format!(
                "/api/v1/inventory/low-stock?limit=2&cursor={cursor}"
            ))
            .await;
        assert_eq!(rest["items"][0]["sku_code"], "LJ-1");
        assert!(rest["next_cursor"].is_null());

        // Restocking takes a SKU off the list.
        adjust(&app, token, &tea["skus"][0]["id"], 1).await;
        let page = app
            .bearer(token)
            .get::<Value>("/api/v1/inventory/low-stock")
            .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 2);

        let theirs = app
            .bearer(&other)
            .get::<Value>("/api/v1/inventory/low-stock")
            .await;
        assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
        assert_eq!(theirs["items"][0]["sku_code"], "X-1");

        let res = app
            .bearer(token)
            .send_raw(
                reqwest::Method::GET,
                "/api/v1/inventory/low-stock?limit=abc",
                None,
            )
            .await;
        assert_eq!(res.status(), 422);
    }
);
