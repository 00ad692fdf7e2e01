//! Batch operations: a file of 1,000 shipments with 3 bad rows ships 997 and names the 3 by their
//! row numbers (all or nothing ships none; a dry run ships nothing), an xlsx file, batch
//! cancelling reported per order, and the export.

use super::fixtures::{address, enable, listed_sku, Order};
use crate::harness::{expect_json, TestApp};
use serde_json::{json, Value};

async fn upload(app: &TestApp, token: &str, query: &str, mime: &str, body: Vec<u8>) -> Value {
    let res = app
        .anonymous()
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/orders/shipments/file{query}"),
        )
        .bearer_auth(token)
        .header("content-type", mime)
        .body(body)
        .send()
        .await
        .unwrap();
    expect_json(res, 200).await
}

fn packages(app: &TestApp) -> i64 {
    app.count("order_packages")
}

db_test!(
    a_file_of_a_thousand_shipments_with_three_bad_rows_ships_997,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        enable(
            &app,
            &owner,
            "bank_transfer",
            json!({ "account_name": "好物优选", "bank_name": "中国银行", "account_number": "6217000011112222" }),
        )
        .await;
        let tea = listed_sku(&app, &owner, "T-batch", "5.00", 2000).await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let to = address(&app, &member, "330100").await;
        let body = json!({ "items": [{ "sku_id": tea, "quantity": 1 }], "address_id": to });
        let mut orders: Vec<Order> = Vec::with_capacity(1000);
        for _ in 0..40 {
            let chunk = (0..25).map(|_| {
                let client = app.bearer(&member);
                let path = member.me("/orders");
                let body = body.clone();
                async move { client.post::<Order>(&path, &body).await }
            });
            orders.extend(futures_util::future::join_all(chunk).await);
        }
        for chunk in orders.chunks(25) {
            let confirms = chunk.iter().map(|o| {
                let staff = app.bearer(&owner);
                let path = format!("/api/v1/orders/{}/bank-transfer", o.id);
                let body = json!({ "reference": format!("BOC-{}", o.order_no), "amount": o.total });
                async move { staff.expecting(200).post::<Value>(&path, &body).await }
            });
            futures_util::future::join_all(confirms).await;
        }
        // Rows 2..=1001 (the header is row 1). Three are bad: an order that does not exist
        // (row 101), a tracking number that is not one (row 501), a carrier the shop has not
        // (row 1001).
        let mut csv = String::from("订单号,快递公司,快递单号\n");
        for (i, o) in orders.iter().take(1000).enumerate() {
            let row = i + 2;
            let (order_no, carrier, tracking) = match row {
                101 => (
                    "20260101000000999999".to_owned(),
                    "SF".to_owned(),
                    format!("SF{row:010}"),
                ),
                501 => (o.order_no.clone(), "顺丰速运".to_owned(), "X".to_owned()),
                1001 => (
                    o.order_no.clone(),
                    "飞鸽快递".to_owned(),
                    format!("SF{row:010}"),
                ),
                _ => (
                    o.order_no.clone(),
                    if row % 2 == 0 { "SF" } else { "中通快递" }.to_owned(),
                    format!("SF{row:010}"),
                ),
            };
            csv.push_str(&format!("{order_no},{carrier},{tracking}\n"));
        }
        let token = owner.access_token.clone();
        let all: Value = upload(
            &app,
            &token,
            "?all_or_nothing=true",
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
        assert_eq!(
            (all["succeeded"].as_u64(), all["failed"].as_u64()),
            (Some(0), Some(1000))
        );
        assert_eq!(all["rows"][1]["code"], "batch_voided");
        assert_eq!(packages(&app), 0, "all or nothing: none");
        let dry: Value = upload(
            &app,
            &token,
            "?dry_run=true",
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
        assert_eq!(
            (dry["succeeded"].as_u64(), dry["failed"].as_u64()),
            (Some(997), Some(3))
        );
        assert_eq!(packages(&app), 0, "a dry run ships nothing");
        let done: Value = upload(&app, &token, "", "text/csv", csv.into_bytes()).await;
        assert_eq!(
            (done["succeeded"].as_u64(), done["failed"].as_u64()),
            (Some(997), Some(3))
        );
        let bad: Vec<(u64, String, Option<String>)> = done["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ok"] == false)
            .map(|r| {
                (
                    r["row"].as_u64().unwrap(),
                    r["code"].as_str().unwrap().to_owned(),
                    r["field"].as_str().map(str::to_owned),
                )
            })
            .collect();
        assert_eq!(
            bad,
            vec![
                (101, "not_found".to_owned(), None),
                (
                    501,
                    "tracking_number".to_owned(),
                    Some("tracking_no".to_owned())
                ),
                (
                    1001,
                    "carrier_unavailable".to_owned(),
                    Some("carrier".to_owned())
                ),
            ]
        );
        assert_eq!(packages(&app), 997);
        assert!(done["rows"][1]["detail"].is_null());
        // The same file again: every good row's order is shipped now.
        let again: Value = upload(
            &app,
            &token,
            "?dry_run=true",
            "text/csv",
            b"\xEF\xBB\xBForder_no,carrier,tracking_no\n"
                .iter()
                .copied()
                .chain(format!("{},SF,SF0000000002\n", orders[0].order_no).into_bytes())
                .collect(),
        )
        .await;
        assert_eq!(again["rows"][0]["code"], "invalid_transition");

        // Cancelling in a batch: the two paid orders left are cancelled (and refunded), a
        // shipped one is not.
        let cancel: Value = app
            .bearer(&owner)
            .post(
                "/api/v1/orders/batch-cancel",
                &json!({ "order_ids": [orders[499].id, orders[0].id, orders[999].id], "reason": "缺货" }),
            )
            .await;
        let outcome: Vec<(bool, Option<&str>)> = cancel["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["ok"].as_bool().unwrap(), r["code"].as_str()))
            .collect();
        assert_eq!(
            outcome,
            vec![
                (true, None),
                (false, Some("invalid_transition")),
                (true, None)
            ]
        );
        let cancelled: Order = app
            .bearer(&owner)
            .get(&format!("/api/v1/orders/{}", orders[499].id))
            .await;
        assert_eq!(
            cancelled.refunds[0]["status"], "pending",
            "a bank transfer goes back by hand"
        );

        // The export: one row per line, here of the cancelled orders.
        let res = app
            .bearer(&owner)
            .get_raw("/api/v1/orders/export?format=csv&status=cancelled")
            .await;
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.contains(&orders[999].order_no));
    }
);

db_test!(
    shipments_read_from_an_xlsx_workbook,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (_, order) = crate::orders::fixtures::a_paid_order(&app, &owner, "13800000001").await;
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (col, title) in [
            "订单号 order_no",
            "快递公司 carrier",
            "快递单号 tracking_no",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(0, col as u16, *title).unwrap();
        }
        sheet.write_string(1, 0, &order.order_no).unwrap();
        sheet.write_string(1, 1, "YTO").unwrap();
        sheet.write_string(1, 2, "YT9000000001").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let token = owner.access_token.clone();
        let report: Value = upload(
            &app,
            &token,
            "",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        )
        .await;
        assert_eq!(report["succeeded"], 1, "{report}");
        let shipped: Order = app
            .bearer(&owner)
            .get(&format!("/api/v1/orders/{}", order.id))
            .await;
        assert_eq!(shipped.status, "shipped");
        assert_eq!(shipped.packages[0]["carrier_name"], "圆通速递");
        // A file that is not what it says, and one without the columns.
        let res = app
            .anonymous()
            .request(reqwest::Method::POST, "/api/v1/orders/shipments/file")
            .bearer_auth(&token)
            .header(
                "content-type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .body("not a workbook")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 415);
        let res = app
            .anonymous()
            .request(reqwest::Method::POST, "/api/v1/orders/shipments/file")
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body("a,b\n1,2\n")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
    }
);
