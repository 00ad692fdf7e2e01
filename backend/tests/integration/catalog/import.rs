//! Import and export of products, SKUs and stock as CSV and xlsx.

use crate::harness::{expect_json, problem, AuditPage, SignedIn, TestApp};
use serde_json::{json, Value};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: [&str; 8] = [
    "商品名称 name",
    "分类 category",
    "规格 specs",
    "SKU编码 sku_code",
    "条码 barcode",
    "重量(克) weight_grams",
    "零售价 retail_price",
    "库存 stock",
];

type Row = [String; 8];

fn row(name: &str, category: &str, specs: &str, code: &str, price: &str, stock: &str) -> Row {
    [
        name.into(),
        category.into(),
        specs.into(),
        code.into(),
        String::new(),
        "250".into(),
        price.into(),
        stock.into(),
    ]
}

fn csv_of(rows: &[Row]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER).unwrap();
    for r in rows {
        writer.write_record(r).unwrap();
    }
    writer.into_inner().unwrap()
}

/// An xlsx workbook; a price or stock cell given as `#12.5` is written as a number cell.
fn xlsx_of(rows: &[Row]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, cells) in rows.iter().enumerate() {
        for (c, value) in cells.iter().enumerate() {
            if let Some(number) = value.strip_prefix('#') {
                // Number cells as Excel stores them (binary floating point).
                let value = match number {
                    "12.5" => 12.5,
                    "3" => 3.0,
                    "4" => 4.0,
                    "2.5" => 2.5,
                    "0.30000000000000004" => 0.1 + 0.2,
                    other => panic!("no number cell for {other}"),
                };
                sheet.write_number(r as u32 + 1, c as u16, value).unwrap();
            } else if !value.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, value).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

async fn upload(
    app: &TestApp,
    who: &SignedIn,
    content_type: &str,
    body: Vec<u8>,
    dry_run: bool,
) -> reqwest::Response {
    app.bearer(&who)
        .post_bytes_raw(
            &format!("/api/v1/catalog/imports?dry_run={dry_run}"),
            content_type,
            body,
        )
        .await
}

async fn export(app: &TestApp, who: &SignedIn, format: &str) -> Vec<u8> {
    let res = app
        .bearer(&who)
        .get_raw(&format!("/api/v1/catalog/export?format={format}"))
        .await;
    assert_eq!(res.status(), 200);
    res.bytes().await.unwrap().to_vec()
}

async fn category(app: &TestApp, who: &SignedIn, name: &str, parent: Option<i64>) -> i64 {
    let res: Value = app
        .bearer(&who)
        .post(
            "/api/v1/categories",
            &json!({ "name": name, "parent_id": parent }),
        )
        .await;
    res["id"].as_i64().unwrap()
}

fn catalog_counts(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("products"),
        app.count("skus"),
        app.count("stock_movements"),
    )
}

fn many_rows(n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| {
            row(
                &format!("茶 {}", i / 4),
                "",
                &format!("尺码:{}", ["S", "M", "L", "XL"][i % 4]),
                &format!("T-{i:05}"),
                "12.50",
                "7",
            )
        })
        .collect()
}

db_test!(
    one_bad_row_in_a_thousand_changes_nothing_and_is_named,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let mut rows = many_rows(1000);
        rows[500][6] = "1.001".into(); // spreadsheet row 502: the header is row 1
        let before = catalog_counts(&app);
        let res = upload(&app, &owner, "text/csv", csv_of(&rows), false).await;
        assert_eq!(res.status(), 422);
        let body = problem(res).await;
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{body}");
        assert_eq!(errors[0]["field"], "rows[502].retail_price");
        assert_eq!(errors[0]["code"], "money_precision");
        let zh = errors[0]["message"].as_str().unwrap();
        assert!(zh.contains("第 502 行") && zh.contains("零售价"), "{zh}");
        assert_eq!(catalog_counts(&app), before);

        // The same refusal in English.
        let res = app
            .bearer(&owner)
            .in_english()
            .post_bytes_raw("/api/v1/catalog/imports", "text/csv", csv_of(&rows))
            .await;
        let body = problem(res).await;
        let en = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            en.starts_with("Row 502, column 零售价 (retail_price)"),
            "{en}"
        );
        assert!(en.contains("two decimal"), "{en}");
        assert_eq!(catalog_counts(&app), before);

        // The jobs record the refusals, with the progress they made.
        let jobs: Value = app.bearer(&owner).get("/api/v1/catalog/imports").await;
        assert_eq!(jobs[0]["status"], "failed");
        assert_eq!(jobs[0]["total_rows"], 1000);
        assert_eq!(jobs[0]["processed_rows"], 1000);
        assert_eq!(jobs[0]["error_rows"], 1);
    }
);

db_test!(
    a_dry_run_reports_every_bad_row_and_writes_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        category(&app, &owner, "茶叶", None).await;
        let rows = vec![
            row("红茶", "茶叶", "", "R-1", "#12.5", "#3"), // row 2: fine, number cells
            row("绿茶", "茶叶", "", "G-1", "1.001", "1"),  // row 3: price too precise
            row("", "茶叶", "", "G-2", "1", "1"),          // row 4: no name
            row("白茶", "茶叶", "", "W-1", "5", "-1"),     // row 5: negative stock
            row("黄茶", "酒水", "", "Y-1", "5", "1"),      // row 6: unknown category
            row("黑茶", "茶叶", "", "R-1", "5", "1"),      // row 7: code also on row 2
            row("花茶", "", "颜色", "F-1", "5", "1"),      // row 8: specs not name:value
            row("乌龙", "", "", "O-1", "#0.30000000000000004", "1"), // row 9: float artefact
            row("普洱", "", "", "P-1", "5", "#2.5"),       // row 10: stock not whole
        ];
        let before = catalog_counts(&app);
        let res = upload(&app, &owner, XLSX, xlsx_of(&rows), true).await;
        assert_eq!(res.status(), 422);
        let body = problem(res).await;
        let fields: Vec<(&str, &str)> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("rows[3].retail_price", "money_precision"),
                ("rows[4].name", "required"),
                ("rows[5].stock", "range"),
                ("rows[6].category", "unknown_category"),
                ("rows[7].sku_code", "duplicate_sku_code"),
                ("rows[8].specs", "invalid_spec_values"),
                ("rows[9].retail_price", "money_precision"),
                ("rows[10].stock", "invalid_integer"),
            ],
            "{body}"
        );
        assert_eq!(catalog_counts(&app), before);

        // A clean dry run reports what it would do, and still writes nothing.
        let res = upload(&app, &owner, XLSX, xlsx_of(&rows[..1]), true).await;
        let job: Value = expect_json(res, 200).await;
        assert_eq!(job["status"], "validated");
        assert_eq!(job["dry_run"], true);
        assert_eq!(job["products_created"], 1);
        assert_eq!(job["skus_created"], 1);
        assert_eq!(catalog_counts(&app), before);
        let again: Value = app
            .bearer(&owner)
            .get(&format!("/api/v1/catalog/imports/{}", job["id"]))
            .await;
        assert_eq!(again["status"], "validated");
        assert_eq!(again["processed_rows"], 1);
    }
);

fn parse_export(format: &str, bytes: &[u8]) -> Vec<Vec<String>> {
    if format == "csv" {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap();
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    } else {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }
}

db_test!(
    import_export_and_reimport_round_trip_in_both_formats,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let tea = category(&app, &owner, "茶叶", None).await;
        let green = category(&app, &owner, "绿茶", Some(tea)).await;
        for (format, content_type) in [("csv", "text/csv"), ("xlsx", XLSX)] {
            let p = format.to_uppercase();
            let rows = vec![
                row(
                    &format!("龙井-{p}"),
                    "茶叶/绿茶",
                    "颜色:红;尺码:M",
                    &format!("{p}-1"),
                    "#12.5",
                    "10",
                ),
                row(
                    &format!("龙井-{p}"),
                    "茶叶/绿茶",
                    "颜色:绿;尺码:M",
                    &format!("{p}-2"),
                    "128.50",
                    "0",
                ),
                row(
                    &format!("碧螺春-{p}"),
                    "",
                    "",
                    &format!("{p}-3"),
                    "0.1",
                    "#4",
                ),
            ];
            let rows: Vec<Row> = if format == "csv" {
                rows.into_iter()
                    .map(|r| r.map(|c| c.trim_start_matches('#').to_owned()))
                    .collect()
            } else {
                rows
            };
            let file = if format == "csv" {
                csv_of(&rows)
            } else {
                xlsx_of(&rows)
            };
            let res = upload(&app, &owner, content_type, file, false).await;
            assert_eq!(res.status(), 200, "{format}");
            let job: Value = res.json().await.unwrap();
            assert_eq!(job["status"], "completed");
            assert_eq!(job["products_created"], 2);
            assert_eq!(job["skus_created"], 3);

            let page: Value = app
                .bearer(&owner)
                .get(&format!("/api/v1/products?q=龙井-{p}"))
                .await;
            let product = &page["items"][0];
            assert_eq!(product["category_id"], green);
            assert_eq!(product["status"], "draft");
            assert_eq!(product["spec_names"], json!(["颜色", "尺码"]));
            assert_eq!(product["skus"][0]["retail_price"], "12.50");
            assert_eq!(product["skus"][0]["stock"], 10);
            assert_eq!(product["skus"][0]["spec_values"]["颜色"], "红");
        }
        let (products, skus, _) = catalog_counts(&app);
        assert_eq!((products, skus), (4, 6));

        for (format, content_type) in [("csv", "text/csv"), ("xlsx", XLSX)] {
            let exported = export(&app, &owner, format).await;
            let table = parse_export(format, &exported);
            assert_eq!(table.len(), 7, "{format}: header and six SKUs");
            assert_eq!(table[0][0], "商品名称 name");
            let first = table.iter().find(|r| r[3] == "CSV-1").unwrap();
            assert_eq!(
                first,
                &vec![
                    "龙井-CSV".to_owned(),
                    "茶叶/绿茶".into(),
                    "颜色:红;尺码:M".into(),
                    "CSV-1".into(),
                    "".into(),
                    "250".into(),
                    "12.50".into(),
                    "10".into(),
                    "".into(),
                    "".into(),
                ]
            );
            // The exported file imports back unchanged: every row an update.
            let res = upload(&app, &owner, content_type, exported.clone(), false).await;
            assert_eq!(res.status(), 200, "{format}");
            let job: Value = res.json().await.unwrap();
            assert_eq!(job["skus_updated"], 6);
            assert_eq!(job["skus_created"], 0);
            assert_eq!(catalog_counts(&app).1, 6);
        }

        // A stocktake through the exported file: stock and price change, with a movement.
        let mut rows: Vec<Row> = parse_export("csv", &export(&app, &owner, "csv").await)[1..]
            .iter()
            .map(|r| std::array::from_fn(|i| r[i].clone()))
            .collect();
        let target = rows.iter_mut().find(|r| r[3] == "XLSX-2").unwrap();
        target[6] = "99.90".into();
        target[7] = "42".into();
        let movements = app.count("stock_movements");
        let res = upload(&app, &owner, "text/csv", csv_of(&rows), false).await;
        assert_eq!(res.status(), 200);
        assert_eq!(app.count("stock_movements"), movements + 1);
        let table = parse_export("csv", &export(&app, &owner, "csv").await);
        let changed = table.iter().find(|r| r[3] == "XLSX-2").unwrap();
        assert_eq!((changed[6].as_str(), changed[7].as_str()), ("99.90", "42"));

        // A new SKU for an existing product joins it.
        let res = upload(
            &app,
            &owner,
            "text/csv",
            csv_of(&[row(
                "龙井-CSV",
                "茶叶/绿茶",
                "尺码:L;颜色:黄",
                "CSV-4",
                "3",
                "1",
            )]),
            false,
        )
        .await;
        let job: Value = expect_json(res, 200).await;
        assert_eq!(
            (
                job["products_created"].as_i64(),
                job["skus_created"].as_i64()
            ),
            (Some(0), Some(1))
        );
        assert_eq!(catalog_counts(&app).0, 4);

        // Unless the name is not unique.
        let res = app
            .bearer(&owner)
            .post_raw(
                "/api/v1/products",
                &json!({ "name": "龙井-CSV", "skus": [{ "code": "API-1", "retail_price": "1" }] }),
            )
            .await;
        assert_eq!(res.status(), 201);
        let res = upload(
            &app,
            &owner,
            "text/csv",
            csv_of(&[row(
                "龙井-CSV",
                "茶叶/绿茶",
                "颜色:黄;尺码:XL",
                "CSV-5",
                "3",
                "1",
            )]),
            false,
        )
        .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["code"], "ambiguous_product");
    }
);

db_test!(
    a_failed_real_run_leaves_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = upload(&app, &owner, "text/csv", csv_of(&many_rows(8)), false).await;
        assert_eq!(res.status(), 200);
        let before = catalog_counts(&app);
        let exported = export(&app, &owner, "csv").await;

        let mut rows = many_rows(12);
        for r in rows.iter_mut() {
            r[7] = "99".into();
        }
        rows[11][7] = "lots".into();
        let res = upload(&app, &owner, "text/csv", csv_of(&rows), false).await;
        assert_eq!(res.status(), 422);
        let body = problem(res).await;
        assert_eq!(body["errors"][0]["field"], "rows[13].stock");
        assert_eq!(catalog_counts(&app), before);
        assert_eq!(
            export(&app, &owner, "csv").await,
            exported,
            "no stock changed"
        );

        // Renaming through an import is refused rather than half-applied.
        let mut rows = many_rows(8);
        rows[0][0] = "改名".into();
        let res = upload(&app, &owner, "text/csv", csv_of(&rows), false).await;
        assert_eq!(res.status(), 422);
        assert_eq!(
            problem(res).await["errors"][0]["code"],
            "immutable_by_import"
        );
        assert_eq!(export(&app, &owner, "csv").await, exported);

        let audit: AuditPage = app
            .bearer(&owner)
            .get("/api/v1/audit-events?action=catalog.imported")
            .await;
        assert_eq!(audit.items.len(), 1, "{audit:?}");
    }
);

db_test!(
    bodies_that_are_not_spreadsheets_are_415,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let csv = csv_of(&many_rows(2));
        let xlsx = xlsx_of(&many_rows(2));
        for (content_type, body) in [
            ("application/json", b"{}".to_vec()),
            ("image/png", b"\x89PNG\r\n\x1a\n".to_vec()),
            (XLSX, csv.clone()),
            ("text/csv", xlsx.clone()),
            ("application/octet-stream", xlsx.clone()),
        ] {
            let res = upload(&app, &owner, content_type, body, true).await;
            assert_eq!(res.status(), 415, "{content_type}");
            assert_eq!(problem(res).await["code"], "unsupported_media_type");
        }
        // A ZIP that is not a workbook is a bad file, not a crash.
        let mut fake = b"PK\x03\x04".to_vec();
        fake.extend_from_slice(&[0; 64]);
        let res = upload(&app, &owner, XLSX, fake, true).await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["field"], "file");
        // A header without the required columns.
        let res = upload(&app, &owner, "text/csv", b"name,foo\nx,y\n".to_vec(), true).await;
        assert_eq!(res.status(), 422);
        let body = problem(res).await;
        let codes: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            vec!["unknown_column", "missing_column", "missing_column"]
        );
    }
);

db_test!(
    another_tenant_sees_nothing_of_the_first,
    |app: TestApp| async move {
        let a = app.owner("a@example.com").await;
        let b = app.owner("b@example.com").await;
        let res = upload(&app, &a, "text/csv", csv_of(&many_rows(4)), false).await;
        let job: Value = expect_json(res, 200).await;

        let theirs = parse_export("csv", &export(&app, &b, "csv").await);
        assert_eq!(theirs.len(), 1, "only the header");
        let theirs = parse_export("xlsx", &export(&app, &b, "xlsx").await);
        assert_eq!(theirs.len(), 1, "only the header");
        let res = app
            .bearer(&b)
            .get_raw(&format!("/api/v1/catalog/imports/{}", job["id"]))
            .await;
        assert_eq!(res.status(), 404);
        let list: Value = app.bearer(&b).get("/api/v1/catalog/imports").await;
        assert_eq!(list, json!([]));
        // B may use the same SKU codes: they are unique per merchant.
        let res = upload(&app, &b, "text/csv", csv_of(&many_rows(4)), false).await;
        let job: Value = expect_json(res, 200).await;
        assert_eq!(job["skus_created"], 4);
    }
);

db_test!(
    columns_left_out_keep_their_values_and_stock_needs_inventory_write,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let mut rows = many_rows(2);
        rows[0][4] = "6901234567890".into();
        let res = upload(&app, &owner, "text/csv", csv_of(&rows), false).await;
        assert_eq!(res.status(), 200);

        let key: Value = app
            .bearer(&owner)
            .post(
                "/api/v1/api-keys",
                &json!({ "name": "sync", "scopes": ["catalog.write", "catalog.read"] }),
            )
            .await;
        let key = SignedIn {
            access_token: key["key"].as_str().unwrap().to_owned(),
            ..owner.clone()
        };
        // With a stock column the key lacks `inventory.write`.
        let res = upload(&app, &key, "text/csv", csv_of(&rows), false).await;
        assert_eq!(res.status(), 403);

        // Prices only: stock, barcode and weight stay as they are.
        let file = "SKU编码,零售价,商品名称\nT-00000,8.80,茶 0\nT-00001,9,茶 0\n";
        let res = upload(&app, &key, "text/csv", file.as_bytes().to_vec(), false).await;
        assert_eq!(res.status(), 200);
        let table = parse_export("csv", &export(&app, &owner, "csv").await);
        assert_eq!(
            table[1][3..],
            ["T-00000", "6901234567890", "250", "8.80", "7", "", ""].map(String::from)
        );
        assert_eq!(table[2][6], "9.00");
    }
);
