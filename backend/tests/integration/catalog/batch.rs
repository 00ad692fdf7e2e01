//! Listing and unlisting products in batches, and the product list's filters and orders.

use crate::harness::{expect_json, problem, Id, Page, SignedIn, TestApp};
use serde::Deserialize;
use serde_json::{json, Value};

/// A product with one SKU, moved to `status` through the workflow.
async fn product(app: &TestApp, who: &SignedIn, name: &str, status: &str) -> i64 {
    let res = app
        .bearer(who)
        .in_english()
        .post_raw(
            "/api/v1/products",
            &json!({
                "name": name,
                "skus": [{ "code": format!("{name}-1"), "retail_price": "10", "stock": 5 }],
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let steps: &[(&str, &str)] = match status {
        "draft" => &[],
        "pending_review" => &[("status", "submit")],
        "listed" => &[("status", "submit"), ("review", "approve")],
        "unlisted" => &[
            ("status", "submit"),
            ("review", "approve"),
            ("status", "unlist"),
        ],
        other => panic!("no way to {other}"),
    };
    for (path, action) in steps {
        let res = app
            .bearer(who)
            .in_english()
            .post_raw(
                &format!("/api/v1/products/{id}/{path}"),
                &json!({ "action": action }),
            )
            .await;
        assert_eq!(res.status(), 200, "{name}: {action}");
    }
    id
}

async fn status_of(app: &TestApp, who: &SignedIn, id: i64) -> String {
    app.bearer(who)
        .get::<Value>(&format!("/api/v1/products/{id}"))
        .await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn status_changes(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use fenxiao::db::schema::audit_events as a;
    a::table
        .filter(a::action.eq("product.status_changed"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

async fn batch(app: &TestApp, who: &SignedIn, ids: &[i64], action: &str) -> Value {
    let res = app
        .bearer(who)
        .in_english()
        .post_raw(
            "/api/v1/products/batch-status",
            &json!({ "product_ids": ids, "action": action }),
        )
        .await;
    expect_json(res, 200).await
}

db_test!(
    a_batch_answers_for_each_product_and_changes_only_what_it_may,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        let listed = product(&app, &owner, "龙井", "listed").await;
        let unlisted = product(&app, &owner, "碧螺春", "unlisted").await;
        let draft = product(&app, &owner, "白茶", "draft").await;
        let pending = product(&app, &owner, "红茶", "pending_review").await;
        let theirs = product(&app, &other, "普洱", "listed").await;
        let before = status_changes(&app);

        // Unlist: the listed one changes, the unlisted one already is, the rest are refused;
        // another merchant's product is answered exactly like one that does not exist.
        let answer = batch(
            &app,
            &owner,
            &[listed, unlisted, draft, theirs, 987_654_321, listed],
            "unlist",
        )
        .await;
        let results = answer["results"].as_array().unwrap();
        assert_eq!(results.len(), 5, "a repeated id is handled once");
        assert_eq!(
            (&answer["changed"], &answer["unchanged"], &answer["refused"]),
            (&json!(1), &json!(1), &json!(3))
        );
        let by_id = |id: i64| results.iter().find(|r| r["product_id"] == id).unwrap();
        assert_eq!(by_id(listed)["outcome"], "changed");
        assert_eq!(by_id(listed)["status"], "unlisted");
        assert_eq!(by_id(unlisted)["outcome"], "unchanged");
        assert_eq!(by_id(draft)["outcome"], "refused");
        assert_eq!(by_id(draft)["code"], "invalid_transition");
        assert_eq!(by_id(draft)["status"], "draft");
        assert_eq!(
            by_id(draft)["message"],
            "Only listed products can be unlisted."
        );
        let (foreign, missing) = (by_id(theirs), by_id(987_654_321));
        assert_eq!(foreign["code"], "not_found");
        for field in ["outcome", "status", "code", "message"] {
            assert_eq!(foreign[field], missing[field], "{field}");
        }
        assert_eq!(status_of(&app, &other, theirs).await, "listed");
        assert_eq!(status_of(&app, &owner, listed).await, "unlisted");
        assert_eq!(
            status_changes(&app),
            before + 1,
            "one change, one audit event"
        );

        // List: unlisted products come back; a draft and a product in review cannot be listed.
        let answer = batch(&app, &owner, &[listed, unlisted, draft, pending], "list").await;
        assert_eq!(
            (&answer["changed"], &answer["unchanged"], &answer["refused"]),
            (&json!(2), &json!(0), &json!(2))
        );
        let results = answer["results"].as_array().unwrap();
        let ids: Vec<i64> = results
            .iter()
            .map(|r| r["product_id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            ids,
            vec![listed, unlisted, draft, pending],
            "in the order given"
        );
        assert_eq!(results[2]["code"], "invalid_transition");
        assert_eq!(
            results[2]["message"],
            "It has not passed review: submit it for review first."
        );
        assert_eq!(results[3]["code"], "invalid_transition");
        assert_eq!(results[3]["status"], "pending_review");
        for id in [listed, unlisted] {
            assert_eq!(status_of(&app, &owner, id).await, "listed");
        }
        assert_eq!(status_of(&app, &owner, draft).await, "draft");
        assert_eq!(status_of(&app, &owner, pending).await, "pending_review");
        assert_eq!(status_changes(&app), before + 3);

        // The messages follow the caller's language.
        let res = app
            .bearer(&owner)
            .header("accept-language", "zh-CN")
            .post_raw(
                "/api/v1/products/batch-status",
                &json!({ "product_ids": [draft], "action": "list" }),
            )
            .await;
        let answer: Value = res.json().await.unwrap();
        assert_eq!(
            answer["results"][0]["message"],
            "商品尚未通过审核，请先提交审核。"
        );
    }
);

db_test!(
    bad_batches_are_refused_whole_and_change_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let listed = product(&app, &owner, "龙井", "listed").await;
        let before = status_changes(&app);
        let path = "/api/v1/products/batch-status";

        let too_many: Vec<i64> = (0..101).map(|i| listed + i).collect();
        for (body, field) in [
            (
                json!({ "product_ids": too_many, "action": "unlist" }),
                "product_ids",
            ),
            (
                json!({ "product_ids": [], "action": "unlist" }),
                "product_ids",
            ),
            (
                json!({ "product_ids": [listed], "action": "approve" }),
                "action",
            ),
            (json!({ "product_ids": [listed] }), "action"),
            (
                json!({ "product_ids": ["x"], "action": "unlist" }),
                "product_ids[0]",
            ),
            (
                json!({ "product_ids": [listed], "action": "unlist", "force": true }),
                "force",
            ),
        ] {
            let res = app.bearer(&owner).in_english().post_raw(path, &body).await;
            assert_eq!(res.status(), 422, "{body}");
            let problem = problem(res).await;
            assert_eq!(problem["errors"][0]["field"], field, "{body}");
        }
        let res = app
            .bearer(&owner)
            .post_bytes_raw(path, "application/json", "{\"product_ids\": [")
            .await;
        assert_eq!(res.status(), 400);
        let res = app
            .anonymous()
            .post_raw(
                path,
                &json!({ "product_ids": [listed], "action": "unlist" }),
            )
            .await;
        assert_eq!(res.status(), 401);

        // The largest batch is accepted.
        let hundred: Vec<i64> = (0..100).map(|i| listed + i).collect();
        let answer = batch(&app, &owner, &hundred, "unlist").await;
        assert_eq!(answer["changed"], 1);
        assert_eq!(answer["refused"], 99);
        assert_eq!(status_changes(&app), before + 1);
    }
);

db_test!(
    two_batches_racing_change_each_product_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let mut ids = Vec::new();
        for i in 0..8 {
            ids.push(product(&app, &owner, &format!("茶{i}"), "listed").await);
        }
        let before = status_changes(&app);
        let (a, b) = tokio::join!(
            batch(&app, &owner, &ids, "unlist"),
            batch(&app, &owner, &ids, "unlist")
        );
        let changed = a["changed"].as_i64().unwrap() + b["changed"].as_i64().unwrap();
        let unchanged = a["unchanged"].as_i64().unwrap() + b["unchanged"].as_i64().unwrap();
        assert_eq!((changed, unchanged), (8, 8), "{a} {b}");
        assert_eq!(a["refused"], 0);
        assert_eq!(b["refused"], 0);
        assert_eq!(status_changes(&app), before + 8);
        for id in ids {
            assert_eq!(status_of(&app, &owner, id).await, "unlisted");
        }
    }
);

/// A product of a list, by its name.
#[derive(Debug, Deserialize)]
struct Listed {
    name: String,
}

/// A page of the product list.
type Products = Page<Listed, i64>;

fn names(page: &Products) -> Vec<String> {
    page.items.iter().map(|p| p.name.clone()).collect()
}

/// Every page of a list, one product per page, by cursor.
async fn walk(app: &TestApp, who: &SignedIn, query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<i64> = None;
    loop {
        let path = match cursor {
            Some(c) => format!("/api/v1/products?{query}&limit=1&cursor={c}"),
            None => format!("/api/v1/products?{query}&limit=1"),
        };
        let page: Products = app.bearer(who).get(&path).await;
        out.extend(names(&page));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
        assert!(out.len() < 20, "the pages never end");
    }
}

db_test!(
    the_product_list_filters_by_stock_and_sorts_with_cursors,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        let create = |name: &'static str, stock: i64, threshold: Option<i64>, presale: i64| {
            let owner = owner.clone();
            let app = &app;
            async move {
                let mut sku = json!({ "code": name, "retail_price": "10", "stock": stock,
                    "low_stock_threshold": threshold });
                if presale > 0 {
                    sku["presale_quantity"] = json!(presale);
                    sku["presale_ship_date"] = json!("2030-01-01");
                }
                let res = app
                    .bearer(&owner)
                    .in_english()
                    .post_raw("/api/v1/products", &json!({ "name": name, "skus": [sku] }))
                    .await;
                expect_json::<Id>(res, 201).await.id
            }
        };
        create("Beta", 3, Some(5), 0).await; // low
        let alpha = create("Alpha", 0, None, 0).await; // out
        create("Gamma", 0, Some(0), 10).await; // low (0 ≤ 0), not out: presale left
        create("Delta", 50, Some(5), 0).await;
        let res = app
            .bearer(&other)
            .in_english()
            .post_raw(
                "/api/v1/products",
                &json!({
                    "name": "Low elsewhere",
                    "skus": [{ "code": "X", "retail_price": "1", "stock": 0, "low_stock_threshold": 3 }],
                }),
            )
            .await;
        assert_eq!(res.status(), 201);

        let low: Products = app
            .bearer(&owner)
            .get("/api/v1/products?stock=low&sort=name")
            .await;
        assert_eq!(names(&low), vec!["Beta", "Gamma"]);
        let out: Products = app.bearer(&owner).get("/api/v1/products?stock=out").await;
        assert_eq!(names(&out), vec!["Alpha"]);

        assert_eq!(
            walk(&app, &owner, "sort=name").await,
            vec!["Alpha", "Beta", "Delta", "Gamma"]
        );
        assert_eq!(
            walk(&app, &owner, "sort=oldest").await,
            vec!["Beta", "Alpha", "Gamma", "Delta"]
        );
        assert_eq!(
            walk(&app, &owner, "").await,
            vec!["Delta", "Gamma", "Alpha", "Beta"]
        );
        // An edit moves a product to the front of the recently changed.
        let res = app
            .bearer(&owner)
            .patch_raw(
                &format!("/api/v1/products/{alpha}"),
                &json!({ "subtitle": "新" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let updated = walk(&app, &owner, "sort=updated").await;
        assert_eq!(updated[0], "Alpha");
        assert_eq!(updated.len(), 4);
        assert_eq!(
            walk(&app, &owner, "sort=name&stock=low&q=a").await,
            vec!["Beta", "Gamma"]
        );

        for bad in [
            "sort=price",
            "stock=some",
            "sort=name&cursor=987654321",
            "sort=updated&cursor=abc",
        ] {
            let res = app
                .bearer(&owner)
                .get_raw(&format!("/api/v1/products?{bad}"))
                .await;
            assert_eq!(res.status(), 422, "{bad}");
        }
        // Another merchant's product is no cursor here.
        let theirs = app.bearer(&other).get::<Value>("/api/v1/products").await["items"][0]["id"]
            .as_i64()
            .unwrap();
        let res = app
            .bearer(&owner)
            .get_raw(&format!("/api/v1/products?sort=name&cursor={theirs}"))
            .await;
        assert_eq!(res.status(), 422);
    }
);

db_test!(
    a_category_filter_includes_its_subcategories,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        let category = |who: SignedIn, name: &'static str, parent: Option<i64>| {
            let app = &app;
            async move {
                let res = app
                    .bearer(&who)
                    .in_english()
                    .post_raw(
                        "/api/v1/categories",
                        &json!({ "name": name, "parent_id": parent }),
                    )
                    .await;
                expect_json::<Id>(res, 201).await.id
            }
        };
        let tea = category(owner.clone(), "茶叶", None).await;
        let green = category(owner.clone(), "绿茶", Some(tea)).await;
        let longjing = category(owner.clone(), "龙井", Some(green)).await;
        let theirs = category(other.clone(), "茶叶", None).await;
        for (name, category) in [
            ("Tea", Some(tea)),
            ("Green", Some(green)),
            ("West Lake", Some(longjing)),
            ("Cup", None),
        ] {
            let res = app
                .bearer(&owner)
                .in_english()
                .post_raw(
                    "/api/v1/products",
                    &json!({ "name": name, "category_id": category,
                    "skus": [{ "code": name, "retail_price": "10", "stock": 1 }] }),
                )
                .await;
            assert_eq!(res.status(), 201);
        }
        let by = |id: i64| format!("/api/v1/products?sort=name&category_id={id}");
        assert_eq!(
            names(&app.bearer(&owner).get::<Products>(&by(tea)).await),
            vec!["Green", "Tea", "West Lake"]
        );
        assert_eq!(
            names(&app.bearer(&owner).get::<Products>(&by(green)).await),
            vec!["Green", "West Lake"]
        );
        assert_eq!(
            names(&app.bearer(&owner).get::<Products>(&by(longjing)).await),
            vec!["West Lake"]
        );
        // Another merchant's category names none of this merchant's products.
        assert!(names(&app.bearer(&owner).get::<Products>(&by(theirs)).await).is_empty());
    }
);
