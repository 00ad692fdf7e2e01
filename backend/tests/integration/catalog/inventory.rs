//! Stock written by the catalog import and by virtual-code pools goes through the one stock
//! writer: a movement per change and the low-stock alert once per crossing.

use crate::harness::{problem, test_cipher, SignedIn, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::{MerchantId, SkuId};
use fenxiao::db::schema::{outbox_messages, skus, stock_movements};
use serde_json::{json, Value};

/// Low-stock alert emails sent so far.
fn alerts(app: &TestApp) -> i64 {
    outbox_messages::table
        .filter(outbox_messages::template.eq("low_stock"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

/// A SKU's movements, oldest first: (delta, reason, reference).
fn movements(app: &TestApp, sku_id: i64) -> Vec<(i64, String, Option<String>)> {
    stock_movements::table
        .filter(stock_movements::sku_id.eq(SkuId(sku_id)))
        .order(stock_movements::id.asc())
        .select((
            stock_movements::delta,
            stock_movements::reason,
            stock_movements::reference,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

fn stock(app: &TestApp, sku_id: i64) -> i64 {
    skus::table
        .filter(skus::id.eq(SkuId(sku_id)))
        .select(skus::stock)
        .first(&mut *app.conn())
        .unwrap()
}

/// Creates a one-SKU product and answers the SKU id.
async fn sku(app: &TestApp, who: &SignedIn, name: &str, sku: Value) -> i64 {
    let product: Value = app
        .bearer(&who)
        .expecting(201)
        .post("/api/v1/products", &json!({ "name": name, "skus": [sku] }))
        .await;
    product["skus"][0]["id"].as_i64().unwrap()
}

async fn import(app: &TestApp, who: &SignedIn, csv: &str) -> reqwest::Response {
    app.bearer(&who)
        .post_bytes_raw(
            "/api/v1/catalog/imports?dry_run=false",
            "text/csv",
            format!("商品名称 name,SKU编码 sku_code,零售价 retail_price,库存 stock\n{csv}"),
        )
        .await
}

db_test!(
    an_import_that_drops_stock_under_the_threshold_alerts_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let low = sku(
            &app,
            &owner,
            "龙井",
            json!({ "code": "L-1", "retail_price": "128.50", "stock": 10, "low_stock_threshold": 3 }),
        )
        .await;
        let plenty = sku(
            &app,
            &owner,
            "碧螺春",
            json!({ "code": "B-1", "retail_price": "88.00", "stock": 10, "low_stock_threshold": 3 }),
        )
        .await;
        let before = movements(&app, low).len();

        // L-1 crosses (10 → 2); B-1 drops but stays above (10 → 5); a new SKU starts at 4.
        let res = import(
            &app,
            &owner,
            "龙井,L-1,128.50,2\n碧螺春,B-1,88.00,5\n白茶,W-1,60.00,4\n",
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(alerts(&app), 1, "only L-1 crossed its threshold");
        assert_eq!(stock(&app, low), 2);
        let seen = movements(&app, low);
        assert_eq!(seen.len(), before + 1);
        assert_eq!(seen.last().unwrap(), &(-8, "import".to_owned(), None));
        assert_eq!(
            movements(&app, plenty).last().unwrap(),
            &(-5, "import".to_owned(), None)
        );
        let new_sku: SkuId = skus::table
            .filter(skus::code.eq("W-1"))
            .select(skus::id)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(stock(&app, new_sku.get()), 4);
        assert_eq!(
            movements(&app, new_sku.get()),
            vec![(4, "import".to_owned(), None)]
        );
        let listed: Value = app.bearer(&owner).get("/api/v1/inventory/low-stock").await;
        let codes: Vec<&str> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["sku_code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["L-1"]);

        // Staying under the threshold does not alert again; the same stock writes no movement.
        let res = import(&app, &owner, "龙井,L-1,128.50,1\n").await;
        assert_eq!(res.status(), 200);
        let res = import(&app, &owner, "龙井,L-1,128.50,1\n").await;
        assert_eq!(res.status(), 200);
        assert_eq!(alerts(&app), 1);
        assert_eq!(movements(&app, low).len(), before + 2);

        // Restocked above the threshold and dropped again: a new crossing, a new alert.
        assert_eq!(
            import(&app, &owner, "龙井,L-1,128.50,20\n").await.status(),
            200
        );
        assert_eq!(alerts(&app), 1);
        assert_eq!(
            import(&app, &owner, "龙井,L-1,128.50,3\n").await.status(),
            200
        );
        assert_eq!(alerts(&app), 2);

        // A dry run writes no stock and raises nothing.
        let res = app
            .bearer(&owner)
            .post_bytes_raw(
                "/api/v1/catalog/imports?dry_run=true",
                "text/csv",
                "商品名称 name,SKU编码 sku_code,零售价 retail_price,库存 stock\n碧螺春,B-1,88.00,0\n",
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!((stock(&app, plenty), alerts(&app)), (5, 2));
    }
);

fn deliver(
    app: &TestApp,
    merchant_id: MerchantId,
    sku_id: i64,
    quantity: i64,
    order: &str,
) -> fenxiao::AppResult<Vec<String>> {
    let mut conn = app.conn();
    fenxiao::db::write_transaction(&mut conn, |conn| {
        fenxiao::inventory::virtual_codes::deliver(
            conn,
            &test_cipher(),
            merchant_id,
            SkuId(sku_id),
            quantity,
            order,
            fenxiao::clock::now(),
        )
    })
}

async fn add_codes(app: &TestApp, who: &SignedIn, sku_id: i64, codes: &[&str]) {
    let res = app
        .bearer(&who)
        .post_raw(
            &format!("/api/v1/skus/{sku_id}/codes"),
            &json!({ "codes": codes }),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

db_test!(
    virtual_code_imports_and_deliveries_record_movements_and_alert,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let m = owner.merchant_id;
        let sku_id = sku(
            &app,
            &owner,
            "礼品卡",
            json!({ "code": "V-1", "kind": "virtual", "retail_price": "50.00", "low_stock_threshold": 2 }),
        )
        .await;
        add_codes(&app, &owner, sku_id, &["C-1", "C-2", "C-3", "C-4"]).await;
        assert_eq!(
            movements(&app, sku_id),
            vec![(4, "code_import".to_owned(), None)]
        );
        assert_eq!(alerts(&app), 0);

        assert_eq!(deliver(&app, m, sku_id, 1, "order-1").unwrap(), vec!["C-1"]);
        assert_eq!((stock(&app, sku_id), alerts(&app)), (3, 0));
        assert_eq!(deliver(&app, m, sku_id, 1, "order-2").unwrap(), vec!["C-2"]);
        assert_eq!(
            (stock(&app, sku_id), alerts(&app)),
            (2, 1),
            "crossing to 2 alerts"
        );
        assert_eq!(deliver(&app, m, sku_id, 1, "order-3").unwrap(), vec!["C-3"]);
        assert_eq!(alerts(&app), 1, "staying below does not alert again");
        assert_eq!(
            movements(&app, sku_id),
            vec![
                (4, "code_import".to_owned(), None),
                (-1, "sale".to_owned(), Some("order-1".to_owned())),
                (-1, "sale".to_owned(), Some("order-2".to_owned())),
                (-1, "sale".to_owned(), Some("order-3".to_owned())),
            ]
        );

        // Asking for more codes than are left changes nothing and says why.
        let refused = deliver(&app, m, sku_id, 2, "order-4").unwrap_err();
        assert!(
            matches!(
                refused,
                fenxiao::AppError::Conflict(ref m) if m.code() == "codes_exhausted"
            ),
            "{refused:?}"
        );
        assert_eq!((stock(&app, sku_id), movements(&app, sku_id).len()), (1, 4));

        // New codes lift the SKU above its threshold; the next crossing alerts again.
        add_codes(&app, &owner, sku_id, &["C-5", "C-6", "C-7"]).await;
        assert_eq!((stock(&app, sku_id), alerts(&app)), (4, 1));
        deliver(&app, m, sku_id, 2, "order-5").unwrap();
        assert_eq!((stock(&app, sku_id), alerts(&app)), (2, 2));

        // Another merchant's SKU is not found.
        let other = app.owner("other@example.com").await;
        assert!(matches!(
            deliver(&app, other.merchant_id, sku_id, 1, "order-6"),
            Err(fenxiao::AppError::NotFound)
        ));
        let res = app
            .bearer(&other)
            .post_raw(
                &format!("/api/v1/skus/{sku_id}/codes"),
                &json!({ "codes": ["X-1"] }),
            )
            .await;
        assert_eq!(problem(res).await["status"], 404);
        assert_eq!(stock(&app, sku_id), 2);
    }
);
