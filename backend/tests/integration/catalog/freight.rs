//! The freight template a product ships under: set on create and edit, one of the merchant's
//! own templates, and a template in use cannot be deleted.

use crate::harness::{assert_problem, expect_json, field_errors, problem, Id, SignedIn, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::ProductId;
use serde_json::{json, Value};

async fn template(app: &TestApp, who: &SignedIn, name: &str) -> i64 {
    let created: Id = app
        .bearer(who)
        .expecting(201)
        .post(
            "/api/v1/freight-templates",
            &json!({ "name": name, "mode": "piece", "first_units": 1, "first_price": "10",
            "additional_units": 1, "additional_price": "5" }),
        )
        .await;
    created.id
}

async fn edit_product(app: &TestApp, who: &SignedIn, id: i64, body: Value) -> reqwest::Response {
    app.bearer(who)
        .patch_raw(&format!("/api/v1/products/{id}"), &body)
        .await
}

async fn delete_template(app: &TestApp, who: &SignedIn, template: i64) -> reqwest::Response {
    app.bearer(who)
        .delete_raw(&format!("/api/v1/freight-templates/{template}"))
        .await
}

fn product_body(template: Value) -> Value {
    json!({ "name": "龙井", "freight_template_id": template,
        "skus": [{ "code": "L-1", "retail_price": "128.50", "stock": 5 }] })
}

fn stored(app: &TestApp, product_id: i64) -> Option<i64> {
    use fenxiao::db::schema::products;
    products::table
        .filter(products::id.eq(ProductId(product_id)))
        .select(products::freight_template_id)
        .first(&mut *app.conn())
        .unwrap()
}

fn refused_as_unknown(body: &Value) {
    assert_eq!(body["status"], 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "freight_template_id", "{body}");
    assert_eq!(
        body["errors"][0]["code"], "unknown_freight_template",
        "{body}"
    );
}

db_test!(
    a_product_ships_under_a_template_of_its_merchant,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        let express = template(&app, &owner, "快递").await;
        let bulky = template(&app, &owner, "大件").await;
        let foreign = template(&app, &other, "外店模板").await;
        let as_owner = app.bearer(&owner);
        let post = |body: Value| {
            let as_owner = as_owner.clone();
            async move { as_owner.post_raw("/api/v1/products", &body).await }
        };

        // Create: a missing template and another merchant's answer the same 422, nothing written.
        let products_before = app.count("products");
        let missing = problem(post(product_body(json!(foreign + 1000))).await).await;
        refused_as_unknown(&missing);
        let theirs = problem(post(product_body(json!(foreign))).await).await;
        refused_as_unknown(&theirs);
        assert_eq!(
            missing["errors"], theirs["errors"],
            "another merchant's id reads as missing"
        );
        assert_eq!(app.count("products"), products_before);

        // Create with a template; without one (absent or null) the default applies.
        let res = post(product_body(json!(express))).await;
        let product: Value = expect_json(res, 201).await;
        let id = product["id"].as_i64().unwrap();
        assert_eq!(product["freight_template_id"], express);
        assert_eq!(stored(&app, id), Some(express));
        let mut plain = product_body(Value::Null);
        plain["skus"][0]["code"] = json!("L-2");
        let res = post(plain).await;
        let plain: Value = expect_json(res, 201).await;
        assert_eq!(plain["freight_template_id"], Value::Null);

        // List an edited product: the template is a shipping term, no new review.
        for (path, action) in [("status", "submit"), ("review", "approve")] {
            let res = as_owner
                .post_raw(
                    &format!("/api/v1/products/{id}/{path}"),
                    &json!({ "action": action }),
                )
                .await;
            assert_eq!(res.status(), 200, "{path}");
        }
        let res = edit_product(&app, &owner, id, json!({ "freight_template_id": bulky })).await;
        let edited: Value = expect_json(res, 200).await;
        assert_eq!(edited["freight_template_id"], bulky);
        assert_eq!(edited["status"], "listed");
        let shown: Value = as_owner.get(&format!("/api/v1/products/{id}")).await;
        assert_eq!(shown["freight_template_id"], bulky);

        // Edit: the same refusals, and the product keeps its template.
        refused_as_unknown(
            &problem(
                edit_product(&app, &owner, id, json!({ "freight_template_id": foreign })).await,
            )
            .await,
        );
        refused_as_unknown(
            &problem(
                edit_product(
                    &app,
                    &owner,
                    id,
                    json!({ "freight_template_id": foreign + 1000 }),
                )
                .await,
            )
            .await,
        );
        assert_eq!(stored(&app, id), Some(bulky));

        // Leaving the field out keeps it; null returns to the default.
        let res = edit_product(&app, &owner, id, json!({ "subtitle": "明前" })).await;
        assert_eq!(
            res.json::<Value>().await.unwrap()["freight_template_id"],
            bulky
        );
        let res = edit_product(&app, &owner, id, json!({ "freight_template_id": null })).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.json::<Value>().await.unwrap()["freight_template_id"],
            Value::Null
        );
        assert_eq!(stored(&app, id), None);

        // The change is audited.
        use fenxiao::db::schema::audit_events as a;
        let changes: Vec<Option<String>> = a::table
            .filter(a::action.eq("product.updated"))
            .select(a::changes)
            .load(&mut *app.conn())
            .unwrap();
        assert!(
            changes
                .iter()
                .flatten()
                .any(|c| c.contains("freight_template_id")),
            "{changes:?}"
        );
    }
);

db_test!(
    a_template_products_ship_under_cannot_be_deleted,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        let used = template(&app, &owner, "快递").await;
        let unused = template(&app, &owner, "备用").await;
        let Id { id } = app
            .bearer(&owner)
            .expecting(201)
            .post("/api/v1/products", &product_body(json!(used)))
            .await;

        let res = delete_template(&app, &owner, used).await;
        assert_problem(res, 409, "freight_template_in_use").await;
        assert_eq!(app.count("freight_templates"), 2);
        // Another merchant cannot learn it exists, nor delete it.
        assert_eq!(delete_template(&app, &other, used).await.status(), 404);

        assert_eq!(delete_template(&app, &owner, unused).await.status(), 204);
        // Once no product uses it, it goes.
        let res = edit_product(&app, &owner, id, json!({ "freight_template_id": null })).await;
        assert_eq!(res.status(), 200);
        assert_eq!(delete_template(&app, &owner, used).await.status(), 204);
        assert_eq!(app.count("freight_templates"), 0);
    }
);

async fn import(app: &TestApp, who: &SignedIn, csv: &str, dry_run: bool) -> reqwest::Response {
    app.bearer(who)
        .post_bytes_raw(
            &format!("/api/v1/catalog/imports?dry_run={dry_run}"),
            "text/csv",
            format!(
                "商品名称 name,规格 specs,SKU编码 sku_code,零售价 retail_price,运费模板 freight_template\n{csv}"
            ),
        )
        .await
}

db_test!(
    the_sheet_names_a_products_freight_template,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let other = app.owner("other@example.com").await;
        let express = template(&app, &owner, "快递").await;
        template(&app, &other, "外店模板").await;

        // Refused: a template that is not the store's (another store's name reads as unknown),
        // and two rows of one new product that disagree.
        let products = app.count("products");
        let errors = field_errors(
            import(
                &app,
                &owner,
                "白茶,,W-1,60.00,外店模板\n红茶,罐:大,R-1,50.00,快递\n红茶,罐:小,R-2,50.00,\n",
                true,
            )
            .await,
        )
        .await;
        assert_eq!(
            errors,
            vec![
                (
                    "rows[2].freight_template".to_owned(),
                    "unknown_freight_template".to_owned()
                ),
                (
                    "rows[4].freight_template".to_owned(),
                    "inconsistent_freight_template".to_owned()
                ),
            ]
        );
        assert_eq!(app.count("products"), products);

        // New products take the template named; an empty cell is the default.
        let res = import(
            &app,
            &owner,
            "红茶,罐:大,R-1,50.00,快递\n红茶,罐:小,R-2,50.00,快递\n白茶,,W-1,60.00,\n",
            false,
        )
        .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let page: Value = app.bearer(&owner).get("/api/v1/products").await;
        let template_of = |name: &str| {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap()["freight_template_id"]
                .clone()
        };
        assert_eq!(template_of("红茶"), json!(express));
        assert_eq!(template_of("白茶"), Value::Null);

        // The export names it; re-importing the export changes nothing.
        let res = app
            .bearer(&owner)
            .get_raw("/api/v1/catalog/export?format=csv")
            .await;
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap();
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap())
            .unwrap()
            .to_owned();
        let mut lines = text.lines();
        assert!(
            lines.next().unwrap().ends_with("运费模板 freight_template"),
            "{text}"
        );
        let rows: Vec<&str> = lines.collect();
        assert!(
            rows.iter()
                .any(|r| r.starts_with("红茶,") && r.ends_with(",快递")),
            "{text}"
        );
        assert!(
            rows.iter()
                .any(|r| r.starts_with("白茶,") && r.ends_with(',')),
            "{text}"
        );
        let res = app
            .bearer(&owner)
            .post_bytes_raw(
                "/api/v1/catalog/imports?dry_run=false",
                "text/csv",
                bytes.to_vec(),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

        // An import does not move an existing product to another template.
        let errors = field_errors(
            import(
                &app,
                &owner,
                "白茶,,W-1,60.00,快递\n红茶,罐:中,R-3,50.00,\n",
                false,
            )
            .await,
        )
        .await;
        assert_eq!(
            errors,
            vec![
                (
                    "rows[2].freight_template".to_owned(),
                    "immutable_by_import".to_owned()
                ),
                (
                    "rows[3].freight_template".to_owned(),
                    "immutable_by_import".to_owned()
                ),
            ]
        );
    }
);
