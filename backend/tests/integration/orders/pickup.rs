//! Self-pickup: chosen at checkout among the shop's enabled points (no freight, no address), a
//! code issued at payment and shown to the buyer only, the order handed over against it once —
//! completing it — and never shipped.

use super::fixtures::{count_events, listed_sku, pay_in_sandbox, place, stock, Order};
use crate::harness::{expect_json, field_errors, Member, SignedIn, TestApp};
use serde_json::{json, Value};

/// A pickup point of the owner's shop, with self-pickup switched on; answers its id.
async fn pickup_point(app: &TestApp, owner: &SignedIn, name: &str) -> i64 {
    let point: Value = app
        .bearer(owner)
        .expecting(201)
        .post(
            "/api/v1/pickup-points",
            &json!({
                "name": name, "region_code": "330100", "address": "杭州市西湖区龙井路 1 号",
                "contact_phone": "0571-88888888", "opening_hours": "周一至周日 9:00–18:00"
            }),
        )
        .await;
    app.bearer(owner)
        .expecting(200)
        .put::<Value>(
            "/api/v1/delivery-methods",
            &json!({ "express_enabled": true, "pickup_enabled": true }),
        )
        .await;
    point["id"].as_i64().unwrap()
}

fn pickup_body(sku: i64, quantity: i64, point: Option<i64>) -> Value {
    json!({ "items": [{ "sku_id": sku, "quantity": quantity }], "delivery": "pickup",
            "pickup_point_id": point })
}

async fn mine(app: &TestApp, member: &Member, order: &Order) -> Value {
    app.bearer(member)
        .get(&member.me(&format!("/orders/{}", order.id)))
        .await
}

async fn hand_over(app: &TestApp, owner: &SignedIn, code: &str) -> reqwest::Response {
    app.bearer(owner)
        .post_raw("/api/v1/orders/pickups", &json!({ "code": code }))
        .await
}

db_test!(
    a_pickup_order_is_handed_over_against_its_code_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let tea = listed_sku(&app, &owner, "T-pick", "50.00", 10).await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;

        // Not offered yet: refused, nothing placed.
        let res = place(&app, &member, &pickup_body(tea, 2, None)).await;
        assert_eq!(
            field_errors(res).await,
            [("delivery".to_owned(), "delivery_unavailable".to_owned())]
        );
        let point = pickup_point(&app, &owner, "西湖店").await;
        let res = place(&app, &member, &pickup_body(tea, 2, None)).await;
        assert_eq!(
            field_errors(res).await,
            [(
                "pickup_point_id".to_owned(),
                "pickup_point_required".to_owned()
            )]
        );
        let res = place(&app, &member, &pickup_body(tea, 2, Some(point + 100))).await;
        assert_eq!(
            field_errors(res).await,
            [("pickup_point_id".to_owned(), "not_found".to_owned())]
        );
        assert_eq!(app.count("orders"), 0);
        assert_eq!(stock(&app, tea), 10);

        // Placed: no freight, no address, the point on the order.
        let order: Order = expect_json(
            place(&app, &member, &pickup_body(tea, 2, Some(point))).await,
            201,
        )
        .await;
        assert_eq!(order.delivery, "pickup");
        assert_eq!(
            (order.freight.as_str(), order.total.as_str()),
            ("0.00", "100.00")
        );
        assert_eq!(order.address, None);
        let placed = mine(&app, &member, &order).await;
        assert_eq!(placed["pickup"]["point"]["name"], "西湖店");
        assert_eq!(
            placed["pickup"]["code"],
            Value::Null,
            "no code before payment"
        );

        // Paid: the buyer gets a code; staff do not see it.
        pay_in_sandbox(&app, &owner, &member, &order).await;
        let paid = mine(&app, &member, &order).await;
        let code = paid["pickup"]["code"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 8);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        // Told by SMS (the member registered by phone) with the code and the place.
        let told: Vec<(String, String)> = {
            use diesel::prelude::*;
            use fenxiao::db::schema::outbox_messages as o;
            o::table
                .filter(o::template.eq("pickup_ready"))
                .select((o::recipient, o::body))
                .load(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].0, "13800000001");
        assert!(
            told[0].1.contains(&code) && told[0].1.contains("西湖店"),
            "{}",
            told[0].1
        );
        let staff_view = format!("/api/v1/orders/{}", order.id);
        let seen: Value = app.bearer(&owner).get(&staff_view).await;
        assert_eq!(seen["pickup"]["code"], Value::Null);
        assert_eq!(seen["status"], "paid");

        // Never shipped.
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("{staff_view}/packages"),
                &json!({ "carrier_id": 1, "tracking_no": "SF1234567890" }),
            )
            .await;
        assert!(res.status().is_client_error());

        // A wrong code, another shop's staff: refused, nothing changes.
        assert_eq!(
            field_errors(hand_over(&app, &owner, "00000000").await).await,
            [("code".to_owned(), "pickup_code_invalid".to_owned())]
        );
        let stranger = app.owner("other@example.com").await;
        assert_eq!(
            field_errors(hand_over(&app, &stranger, &code).await).await,
            [("code".to_owned(), "pickup_code_invalid".to_owned())]
        );
        assert_eq!(count_events(&app, owner.merchant_id, "order.completed"), 0);

        // An open after-sales request holds units that may yet be refunded: decided first.
        let asked: Value = expect_json(
            app.bearer(&member)
                .post_raw(
                    &member.me(&format!("/orders/{}/after-sales", order.id)),
                    &json!({ "kind": "refund_only", "reason": "不要了",
                             "items": [{ "line_no": 1, "quantity": 1 }] }),
                )
                .await,
            201,
        )
        .await;
        let res = hand_over(&app, &owner, &code).await;
        assert_eq!(res.status(), 409);
        assert_eq!(
            res.json::<Value>().await.unwrap()["code"],
            "after_sale_open_on_order"
        );
        app.bearer(&owner)
            .expecting(200)
            .post::<Value>(
                &format!("/api/v1/after-sales/{}/reject", asked["id"]),
                &json!({ "reason": "已备货" }),
            )
            .await;

        // Handed over: completed, every unit counted out, the window open; once.
        let done: Value = expect_json(hand_over(&app, &owner, &code).await, 200).await;
        assert_eq!(done["status"], "completed");
        assert_eq!(done["lines"][0]["shipped_quantity"], 2);
        assert!(done["pickup"]["handed_over_at"].is_string());
        assert!(done["after_sale_until"].is_string());
        assert_eq!(
            field_errors(hand_over(&app, &owner, &code).await).await,
            [("code".to_owned(), "pickup_code_invalid".to_owned())]
        );
        assert_eq!(count_events(&app, owner.merchant_id, "order.completed"), 1);
        assert_eq!(stock(&app, tea), 8);
    }
);

db_test!(
    a_cancelled_pickup_order_cannot_be_handed_over,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let tea = listed_sku(&app, &owner, "T-pick", "50.00", 10).await;
        let point = pickup_point(&app, &owner, "西湖店").await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let order: Order = expect_json(
            place(&app, &member, &pickup_body(tea, 1, Some(point))).await,
            201,
        )
        .await;
        pay_in_sandbox(&app, &owner, &member, &order).await;
        let code = mine(&app, &member, &order).await["pickup"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        // Staff cancel it before the buyer comes: refunded, its code no longer hands anything over.
        app.bearer(&owner)
            .expecting(200)
            .post::<Value>(&format!("/api/v1/orders/{}/cancel", order.id), &json!({}))
            .await;
        assert_eq!(
            field_errors(hand_over(&app, &owner, &code).await).await,
            [("code".to_owned(), "pickup_code_invalid".to_owned())]
        );
        assert_eq!(stock(&app, tea), 10);
        let cancelled: Value = app
            .bearer(&owner)
            .get(&format!("/api/v1/orders/{}", order.id))
            .await;
        assert_eq!(cancelled["refunds"][0]["status"], "succeeded");
    }
);
