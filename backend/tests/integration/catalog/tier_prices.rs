//! Distributor purchase prices name real tiers of the merchant — on create, on edit and in the
//! catalog import — and the price quote gives a distributor their tier's price.

use fenxiao::db::ids::{MemberId, MerchantId, SkuId};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::harness::{expect_json, unprocessable, Id, NewDistributor, SignedIn, TestApp};
use serde_json::{json, Value};

async fn tier(app: &TestApp, who: &SignedIn, name: &str) -> i64 {
    let res = app
        .bearer(who)
        .in_english()
        .post_raw(
            "/api/v1/distribution/tiers",
            &json!({ "name": name, "commission_kind": "percent", "level1": "10", "level2": "5" }),
        )
        .await;
    expect_json::<Id>(res, 201).await.id
}

/// The (field, code, message) of every error of a 422 problem.
async fn field_messages(res: reqwest::Response) -> Vec<(String, String, String)> {
    let problem = unprocessable(res).await;
    problem
        .errors
        .into_iter()
        .map(|e| (e.field, e.code.to_string(), e.message))
        .collect()
}

fn sku(code: &str, distributor_prices: Value) -> Value {
    json!({ "code": code, "retail_price": "100", "stock": 5, "spec_values": { "规格": code },
        "member_prices": [{ "tier_id": 424242, "price": "95" }],
        "distributor_prices": distributor_prices })
}

db_test!(
    prices_for_unknown_or_foreign_tiers_are_refused_naming_the_row,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        let gold = tier(&app, &owner, "金牌").await;
        let silver = tier(&app, &owner, "银牌").await;
        let theirs = tier(&app, &other, "外").await;

        // Create: the row with another merchant's tier, and the one with a tier that exists
        // nowhere, are named alike; nothing is written.
        let products = app.count("products");
        let res = app
            .bearer(&owner)
            .in_english()
            .post_raw(
                "/api/v1/products",
                &json!({ "name": "龙井", "spec_names": ["规格"], "skus": [
                { "spec_values": { "规格": "一" }, "code": "A", "retail_price": "100",
                  "distributor_prices": [{ "tier_id": gold, "price": "80" }] },
                { "spec_values": { "规格": "二" }, "code": "B", "retail_price": "100",
                  "distributor_prices": [{ "tier_id": theirs, "price": "80" }] },
                { "spec_values": { "规格": "三" }, "code": "C", "retail_price": "100",
                  "distributor_prices": [{ "tier_id": 987654321, "price": "80" }] },
            ] }),
            )
            .await;
        let errors = field_messages(res).await;
        assert_eq!(
            errors
                .iter()
                .map(|(f, c, _)| (f.as_str(), c.as_str()))
                .collect::<Vec<_>>(),
            vec![
                ("skus[1].distributor_prices", "unknown_tier"),
                ("skus[2].distributor_prices", "unknown_tier"),
            ]
        );
        assert_eq!(
            errors[1].2,
            "SKU `C`: there is no distributor tier 987654321."
        );
        assert_eq!(app.count("products"), products);
        assert_eq!(app.count("sku_tier_prices"), 0);

        // Real tiers are accepted; member tier ids are not checked (member tiers have no table
        // yet).
        let product: Value = app
            .bearer(&owner)
            .in_english()
            .expecting(201)
            .post(
                "/api/v1/products",
                &json!({ "name": "龙井", "spec_names": ["规格"], "skus": [sku("A", json!([
                { "tier_id": gold, "price": "80" }, { "tier_id": silver, "price": "90" }]))] }),
            )
            .await;
        let id = product["id"].as_i64().unwrap();
        let sku_id = product["skus"][0]["id"].as_i64().unwrap();
        assert_eq!(
            product["skus"][0]["distributor_prices"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(product["skus"][0]["member_prices"][0]["tier_id"], 424242);

        // Editing the product: the entry is named by its place in `skus`.
        let res = app
            .bearer(&owner)
            .in_english()
            .patch_raw(
                &format!("/api/v1/products/{id}"),
                &json!({ "skus": [
                { "id": sku_id, "distributor_prices": [{ "tier_id": theirs, "price": "70" }] },
                { "code": "B", "spec_values": { "规格": "B" }, "retail_price": "50",
                  "distributor_prices": [{ "tier_id": 987654321, "price": "40" }] },
            ] }),
            )
            .await;
        let errors = field_messages(res).await;
        let fields: Vec<&str> = errors.iter().map(|(f, _, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            vec!["skus[0].distributor_prices", "skus[1].distributor_prices"]
        );
        // Editing one SKU.
        let path = format!("/api/v1/skus/{sku_id}");
        let res = app
            .bearer(&owner)
            .in_english()
            .patch_raw(
                &path,
                &json!({
                    "distributor_prices": [
                        { "tier_id": gold, "price": "70" },
                        { "tier_id": theirs, "price": "60" },
                    ],
                }),
            )
            .await;
        let errors = field_messages(res).await;
        assert_eq!(errors[0].0, "distributor_prices");
        assert_eq!(errors[0].1, "unknown_tier");
        assert!(errors[0].2.contains(&theirs.to_string()));
        let stored = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/products/{id}"))
            .await;
        assert_eq!(
            stored["skus"].as_array().unwrap().len(),
            1,
            "nothing written"
        );
        assert_eq!(
            stored["skus"][0]["distributor_prices"],
            product["skus"][0]["distributor_prices"]
        );

        let edited: Value = app
            .bearer(&owner)
            .in_english()
            .expecting(200)
            .patch(
                &path,
                &json!({ "distributor_prices": [{ "tier_id": silver, "price": "85" }] }),
            )
            .await;
        assert_eq!(
            edited["distributor_prices"],
            json!([{ "tier_id": silver, "price": "85.00" }])
        );
        // A price of a tier that went away is not checked again when other fields change.
        let res = app
            .bearer(&owner)
            .delete_raw(&format!("/api/v1/distribution/tiers/{gold}"))
            .await;
        assert_eq!(res.status(), 204);
        let res = app
            .bearer(&owner)
            .in_english()
            .patch_raw(&path, &json!({ "retail_price": "99" }))
            .await;
        assert_eq!(res.status(), 200);
    }
);

const HEADER: &str =
    "商品名称 name,规格 specs,SKU编码 sku_code,零售价 retail_price,分销进货价 distributor_prices\n";

async fn import(app: &TestApp, who: &SignedIn, csv: String) -> reqwest::Response {
    app.bearer(&who)
        .in_english()
        .post_bytes_raw("/api/v1/catalog/imports", "text/csv", csv)
        .await
}

db_test!(
    the_import_sets_purchase_prices_by_tier_name_and_refuses_unknown_tiers,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        let gold = tier(&app, &owner, "金牌").await;
        let silver = tier(&app, &owner, "银牌").await;
        tier(&app, &other, "外").await;

        let res = import(
            &app,
            &owner,
            format!("{HEADER}龙井,规格:1,L-1,100,金牌:80;银牌：90.5\n龙井,规格:2,L-2,100,外:70\n龙井,规格:3,L-3,100,金牌:1.001\n龙井,规格:4,L-4,100,铜牌:1\n"),
        )
        .await;
        let errors = field_messages(res).await;
        assert_eq!(
            errors
                .iter()
                .map(|(f, c, _)| (f.as_str(), c.as_str()))
                .collect::<Vec<_>>(),
            vec![
                ("rows[3].distributor_prices", "unknown_tier"),
                ("rows[4].distributor_prices", "money_precision"),
                ("rows[5].distributor_prices", "unknown_tier"),
            ]
        );
        assert_eq!(
            errors[0].2,
            "Row 3, column 分销进货价 (distributor_prices): there is no distributor tier `外`."
        );
        assert_eq!(app.count("skus"), 0);

        let res = import(
            &app,
            &owner,
            format!("{HEADER}龙井,规格:1,L-1,100,金牌:80;银牌：90.5\n龙井,规格:2,L-2,100,\n"),
        )
        .await;
        assert_eq!(res.status(), 200);
        let page = app.bearer(&owner).get::<Value>("/api/v1/products").await;
        let skus = page["items"][0]["skus"].as_array().unwrap();
        assert_eq!(
            skus[0]["distributor_prices"],
            json!([{ "tier_id": gold, "price": "80.00" }, { "tier_id": silver, "price": "90.50" }])
        );
        assert_eq!(skus[1]["distributor_prices"], json!([]));

        // The export names the tiers, lowest first, and imports back unchanged.
        let res = app
            .bearer(&owner)
            .get_raw("/api/v1/catalog/export?format=csv")
            .await;
        let exported = res.bytes().await.unwrap().to_vec();
        let text = String::from_utf8(exported.clone()).unwrap();
        assert!(text.contains("分销进货价 distributor_prices"), "{text}");
        assert!(text.contains("金牌:80.00;银牌:90.50"), "{text}");
        let res = app
            .bearer(&owner)
            .post_bytes_raw("/api/v1/catalog/imports", "text/csv", exported)
            .await;
        assert_eq!(res.status(), 200);
        let again = app.bearer(&owner).get::<Value>("/api/v1/products").await;
        assert_eq!(again["items"][0]["skus"], page["items"][0]["skus"]);

        // An update replaces the list; an empty cell clears it; no column keeps it.
        let res = import(
            &app,
            &owner,
            format!("{HEADER}龙井,规格:1,L-1,100,银牌:70\n龙井,规格:2,L-2,100,金牌:60\n"),
        )
        .await;
        assert_eq!(res.status(), 200);
        let res = import(
            &app,
            &owner,
            "商品名称 name,SKU编码 sku_code,零售价 retail_price\n龙井,L-1,100\n".into(),
        )
        .await;
        assert_eq!(res.status(), 200);
        let page = app.bearer(&owner).get::<Value>("/api/v1/products").await;
        let skus = page["items"][0]["skus"].as_array().unwrap();
        assert_eq!(
            skus[0]["distributor_prices"],
            json!([{ "tier_id": silver, "price": "70.00" }])
        );
        assert_eq!(
            skus[1]["distributor_prices"],
            json!([{ "tier_id": gold, "price": "60.00" }])
        );
        let res = import(&app, &owner, format!("{HEADER}龙井,规格:1,L-1,100,\n")).await;
        assert_eq!(res.status(), 200);
        let page = app.bearer(&owner).get::<Value>("/api/v1/products").await;
        assert_eq!(page["items"][0]["skus"][0]["distributor_prices"], json!([]));
    }
);

static NEXT: AtomicU64 = AtomicU64::new(1);

/// A member of the merchant, with a distributor profile of `tier` in `status` when given.
fn member(app: &TestApp, merchant_id: MerchantId, distributor: Option<(&str, i64)>) -> i64 {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let now = fenxiao::clock::now();
    let member_id = app.insert_member(merchant_id, &format!("m{n}@example.com"), None, now);
    if let Some((status, tier_id)) = distributor {
        app.insert_distributor(NewDistributor {
            status,
            tier_id: Some(tier_id),
            ..NewDistributor::root(merchant_id, member_id, &format!("D{n}"), now)
        });
    }
    member_id.get()
}

db_test!(
    a_distributor_is_quoted_their_tier_purchase_price,
    |app: TestApp| async move {
        use fenxiao::catalog::pricing::{quote, Buyer, PriceSource};
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        let gold = tier(&app, &owner, "金牌").await;
        let silver = tier(&app, &owner, "银牌").await;
        let res = app
            .bearer(&owner)
            .in_english()
            .post_raw(
                "/api/v1/products",
                &json!({ "name": "龙井", "spec_names": ["规格"], "skus": [sku("A", json!([
                { "tier_id": gold, "price": "80" }, { "tier_id": silver, "price": "120" }]))] }),
            )
            .await;
        let product: Value = res.json().await.unwrap();
        let sku_id = product["skus"][0]["id"].as_i64().unwrap();
        let m = owner.merchant_id;
        let gold_member = member(&app, m, Some(("active", gold)));
        let silver_member = member(&app, m, Some(("active", silver)));
        let frozen = member(&app, m, Some(("frozen", gold)));
        let shopper = member(&app, m, None);
        let elsewhere = member(&app, other.merchant_id, None);

        let mut conn = app.conn();
        let mut price_for = |member_id: i64| {
            let buyer = Buyer::of_member(&mut conn, m, MemberId(member_id)).unwrap();
            let q = quote(&mut conn, m, SkuId(sku_id), buyer).unwrap();
            (q.unit_price.fen(), q.source, q.tier_id)
        };
        assert_eq!(
            price_for(gold_member),
            (8_000, PriceSource::DistributorTier, Some(gold))
        );
        assert_eq!(
            price_for(silver_member),
            (10_000, PriceSource::Retail, None),
            "a purchase price above retail is no discount"
        );
        assert_eq!(price_for(frozen), (10_000, PriceSource::Retail, None));
        assert_eq!(price_for(shopper), (10_000, PriceSource::Retail, None));
        assert_eq!(price_for(elsewhere), (10_000, PriceSource::Retail, None));
        // Buyers are read per merchant: the gold member means nothing to another merchant.
        assert_eq!(
            Buyer::of_member(&mut conn, other.merchant_id, MemberId(gold_member)).unwrap(),
            Buyer::default()
        );
    }
);
