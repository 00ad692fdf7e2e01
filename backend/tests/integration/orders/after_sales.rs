//! After-sales and refunds: refund only before shipping (money and stock back, the rest still
//! ships), a return refunded once the goods are back, a refused return, two approvals at once,
//! a refund recorded twice, a paid order cancelled by staff, a late payment, what is refused and
//! changes nothing, and random sequences of partial refunds that never give back more than was
//! paid nor restock other than what came back or never left.

use crate::harness::{assert_problem, expect_json, field_errors, Member, SignedIn, TestApp};
use crate::orders::fixtures::{
    a_paid_order, address, carrier, count_events, enable, listed_sku, order_body, pay_with, place,
    stock, Order,
};
use fenxiao::payments::refunds;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

async fn ask(app: &TestApp, member: &Member, order: &Order, body: Value) -> reqwest::Response {
    app.bearer(member)
        .post_raw(
            &member.me(&format!("/orders/{}/after-sales", order.id)),
            &body,
        )
        .await
}

async fn asked(app: &TestApp, member: &Member, order: &Order, body: Value) -> Value {
    expect_json(ask(app, member, order, body).await, 201).await
}

async fn staff_do(
    app: &TestApp,
    owner: &SignedIn,
    id: &Value,
    action: &str,
    body: Value,
) -> reqwest::Response {
    app.bearer(owner)
        .post_raw(&format!("/api/v1/after-sales/{id}/{action}"), &body)
        .await
}

async fn order_of(app: &TestApp, owner: &SignedIn, order: &Order) -> Order {
    app.bearer(owner)
        .get(&format!("/api/v1/orders/{}", order.id))
        .await
}

async fn ship_all(app: &TestApp, owner: &SignedIn, order: &Order, tracking: &str) -> Order {
    let sf = carrier(app, owner, "SF").await;
    app.bearer(owner)
        .post(
            &format!("/api/v1/orders/{}/packages", order.id),
            &json!({ "carrier_id": sf, "tracking_no": tracking }),
        )
        .await
}

db_test!(
    a_refund_before_shipping_gives_money_and_stock_back_and_the_rest_still_ships,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (member, order) = a_paid_order(&app, &owner, "13800000001").await;
        let tea = order.lines[0].sku_id;
        assert_eq!(stock(&app, tea), 97);
        let request = asked(
            &app,
            &member,
            &order,
            json!({ "kind": "refund_only", "reason": "买多了", "items": [{ "line_no": 1, "quantity": 1 }] }),
        )
        .await;
        assert_eq!(request["status"], "requested");
        assert_eq!(request["amount"], "50.00", "one unit's share of 150.00");
        assert_eq!(
            request["freight"], "0.00",
            "the rest of the order still ships"
        );
        assert_eq!(
            count_events(&app, owner.merchant_id, "after_sale.requested"),
            1
        );
        let held = order_of(&app, &owner, &order).await;
        assert_eq!(held.lines[0].claimed_quantity, 1);
        let approved: Value = expect_json(
            staff_do(&app, &owner, &request["id"], "approve", json!({})).await,
            200,
        )
        .await;
        assert_eq!(approved["status"], "refunded", "{approved}");
        assert_eq!(approved["refund"]["status"], "succeeded");
        assert_eq!(approved["refund"]["amount"], "50.00");
        assert_eq!(approved["refund"]["method"], "sandbox");
        assert_eq!(
            approved["refund"]["lines"],
            json!([{ "line_no": 1, "quantity": 1, "amount": "50.00", "restock_quantity": 1 }])
        );
        assert_eq!(stock(&app, tea), 98, "the unit that never left is back");
        let now = order_of(&app, &owner, &order).await;
        assert_eq!(now.status, "paid");
        assert_eq!(now.refunded, "50.00");
        assert_eq!(
            (
                now.lines[0].refunded_quantity,
                now.lines[0].cancelled_quantity,
                now.lines[0].claimed_quantity
            ),
            (1, 1, 0)
        );
        assert_eq!(now.lines[0].refunded, "50.00");
        assert_eq!(count_events(&app, owner.merchant_id, "refund.completed"), 1);
        assert_eq!(app.audit_count("after_sale.approved"), 1);
        // What is left ships: two teas and the cup, and the order is shipped.
        let shipped = ship_all(&app, &owner, &order, "SF3000000001").await;
        assert_eq!(shipped.status, "shipped");
        assert_eq!(
            shipped.packages[0]["lines"],
            json!([{ "line_no": 1, "quantity": 2 }, { "line_no": 2, "quantity": 1 }])
        );
        // The buyer sees the request and its refund.
        let mine: Value = app.bearer(&member).get(&member.me("/after-sales")).await;
        assert_eq!(mine["items"][0]["status"], "refunded");
        let queue: Value = app
            .bearer(&owner)
            .get("/api/v1/after-sales?status=refunded")
            .await;
        assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    }
);

db_test!(
    a_return_is_refunded_once_the_goods_are_back_and_a_refused_one_frees_its_units,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (member, order) = a_paid_order(&app, &owner, "13800000001").await;
        let tea = order.lines[0].sku_id;
        ship_all(&app, &owner, &order, "SF3000000002").await;
        let receipt = member.me(&format!("/orders/{}/receipt", order.id));
        let done: Order = expect_json(
            app.bearer(&member).post_raw(&receipt, &json!({})).await,
            200,
        )
        .await;
        assert_eq!(done.status, "completed");
        // Two teas go back; a second request for more than the one left is refused.
        let request = asked(
            &app,
            &member,
            &order,
            json!({ "kind": "return_and_refund", "reason": "不合适", "items": [{ "line_no": 1, "quantity": 2 }] }),
        )
        .await;
        assert_eq!(request["amount"], "100.00");
        let again = ask(
            &app,
            &member,
            &order,
            json!({ "kind": "return_and_refund", "reason": "不合适", "items": [{ "line_no": 1, "quantity": 2 }] }),
        )
        .await;
        let errors = field_errors(again).await;
        assert_eq!(
            errors[0],
            (
                "items[0].quantity".to_owned(),
                "refund_more_than_left".to_owned()
            )
        );
        // Approved: the buyer sends them back; nothing is refunded before they arrive.
        let approved: Value = expect_json(
            staff_do(&app, &owner, &request["id"], "approve", json!({})).await,
            200,
        )
        .await;
        assert_eq!(approved["status"], "awaiting_return");
        assert!(approved["refund"].is_null());
        let receive_early = staff_do(&app, &owner, &request["id"], "receive", json!({})).await;
        assert_problem(receive_early, 409, "invalid_transition").await;
        let path = member.me(&format!("/after-sales/{}/return", request["id"]));
        let returning: Value = expect_json(
            app.bearer(&member)
                .post_raw(
                    &path,
                    &json!({ "carrier": "顺丰速运", "tracking_no": "SF9000000001" }),
                )
                .await,
            200,
        )
        .await;
        assert_eq!(returning["status"], "returning");
        assert_eq!(returning["return_tracking_no"], "SF9000000001");
        let received: Value = expect_json(
            staff_do(&app, &owner, &request["id"], "receive", json!({})).await,
            200,
        )
        .await;
        assert_eq!(received["status"], "refunded");
        assert_eq!(received["refund"]["lines"][0]["restock_quantity"], 2);
        assert_eq!(stock(&app, tea), 99, "97 + the two returned");
        let now = order_of(&app, &owner, &order).await;
        assert_eq!(now.status, "completed");
        assert_eq!(
            (
                now.lines[0].returned_quantity,
                now.lines[0].refunded_quantity
            ),
            (2, 2)
        );
        assert_eq!(now.refunded, "100.00");

        // The last tea: returned, but refused on arrival; its unit can be asked for again.
        let last = asked(
            &app,
            &member,
            &order,
            json!({ "kind": "return_and_refund", "reason": "不合适", "items": [{ "line_no": 1, "quantity": 1 }] }),
        )
        .await;
        assert_eq!(last["amount"], "50.00");
        staff_do(&app, &owner, &last["id"], "approve", json!({})).await;
        app.bearer(&member)
            .expecting(200)
            .post::<Value>(
                &member.me(&format!("/after-sales/{}/return", last["id"])),
                &json!({ "carrier": "顺丰速运", "tracking_no": "SF9000000002" }),
            )
            .await;
        let no_reason = staff_do(&app, &owner, &last["id"], "refuse", json!({})).await;
        assert_eq!(no_reason.status(), 422);
        let refused: Value = expect_json(
            staff_do(
                &app,
                &owner,
                &last["id"],
                "refuse",
                json!({ "reason": "已拆封使用" }),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(refused["status"], "rejected");
        assert_eq!(refused["reject_reason"], "已拆封使用");
        assert_eq!(stock(&app, tea), 99, "nothing restocked");
        let now = order_of(&app, &owner, &order).await;
        assert_eq!(
            (
                now.lines[0].claimed_quantity,
                now.lines[0].refunded_quantity
            ),
            (0, 2)
        );
        asked(
            &app,
            &member,
            &order,
            json!({ "kind": "refund_only", "reason": "补偿", "items": [{ "line_no": 1, "quantity": 0, "amount": "10.00" }] }),
        )
        .await;
    }
);

db_test!(
    two_approvals_at_once_refund_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (member, order) = a_paid_order(&app, &owner, "13800000001").await;
        let tea = order.lines[0].sku_id;
        let request = asked(
            &app,
            &member,
            &order,
            json!({ "kind": "refund_only", "reason": "不想要了" }),
        )
        .await;
        assert_eq!(request["amount"], "170.00");
        assert_eq!(
            request["freight"],
            order.freight.as_str(),
            "the whole order, before it shipped"
        );
        let approvals = (0..8).map(|_| {
            let staff = app.bearer(&owner);
            let id = request["id"].clone();
            async move {
                staff
                    .post_raw(&format!("/api/v1/after-sales/{id}/approve"), &json!({}))
                    .await
                    .status()
                    .as_u16()
            }
        });
        let statuses = futures_util::future::join_all(approvals).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 409),
            "{statuses:?}"
        );
        let now = order_of(&app, &owner, &order).await;
        assert_eq!(now.refunds.len(), 1);
        assert_eq!(now.refunded, order.total.as_str());
        assert_eq!(
            now.status, "cancelled",
            "refunded in full before anything shipped"
        );
        assert_eq!(count_events(&app, owner.merchant_id, "refund.completed"), 1);
        assert_eq!(stock(&app, tea), 100, "given back once");
        assert_eq!(app.audit_count("after_sale.approved"), 1);
    }
);

db_test!(
    a_refund_recorded_twice_or_at_once_completes_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        enable(
            &app,
            &owner,
            "bank_transfer",
            json!({ "account_name": "好物优选", "bank_name": "中国银行", "account_number": "6217000011112222" }),
        )
        .await;
        let tea = listed_sku(&app, &owner, "T-bank", "50.00", 10).await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let to = address(&app, &member, "330100").await;
        let order: Order =
            expect_json(place(&app, &member, &order_body(tea, 2, to)).await, 201).await;
        expect_json::<Value>(pay_with(&app, &member, &order, "bank_transfer").await, 201).await;
        app.bearer(&owner)
            .expecting(200)
            .post::<Value>(
                &format!("/api/v1/orders/{}/bank-transfer", order.id),
                &json!({ "reference": "BOC-1", "amount": order.total }),
            )
            .await;
        let request = asked(
            &app,
            &member,
            &order,
            json!({ "kind": "refund_only", "reason": "不想要了", "items": [{ "line_no": 1, "quantity": 1 }] }),
        )
        .await;
        let approved: Value = expect_json(
            staff_do(&app, &owner, &request["id"], "approve", json!({})).await,
            200,
        )
        .await;
        assert_eq!(
            approved["status"], "refunding",
            "finance pays a bank transfer back by hand"
        );
        assert_eq!(approved["refund"]["status"], "pending");
        let refund_id = approved["refund"]["id"].clone();
        let queue: Value = app
            .bearer(&owner)
            .get("/api/v1/refunds?status=pending&method=bank_transfer")
            .await;
        assert_eq!(queue["items"][0]["id"], refund_id);
        assert_eq!(stock(&app, tea), 8, "nothing back before the money is");
        let path = format!("/api/v1/refunds/{refund_id}/record");
        let records = (0..6).map(|_| {
            let staff = app.bearer(&owner);
            let path = path.clone();
            async move {
                staff
                    .post_raw(&path, &json!({ "reference": "BOC-R-1" }))
                    .await
                    .status()
                    .as_u16()
            }
        });
        let statuses = futures_util::future::join_all(records).await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        let again: Value = app
            .bearer(&owner)
            .post(&path, &json!({ "reference": "BOC-R-2" }))
            .await;
        assert_eq!(again["status"], "succeeded");
        assert_eq!(
            again["provider_refund_id"], "BOC-R-1",
            "the first record stands"
        );
        assert_eq!(count_events(&app, owner.merchant_id, "refund.completed"), 1);
        assert_eq!(app.audit_count("refund.recorded"), 1);
        assert_eq!(stock(&app, tea), 9);
        let done: Value = app
            .bearer(&owner)
            .get(&format!("/api/v1/after-sales/{}", request["id"]))
            .await;
        assert_eq!(done["status"], "refunded");
        // Another merchant cannot see or record it.
        let other = app.owner("other@example.com").await;
        let res = app
            .bearer(&other)
            .post_raw(&path, &json!({ "reference": "X-1" }))
            .await;
        assert_eq!(res.status(), 404);
    }
);

db_test!(
    a_paid_order_cancelled_by_staff_is_refunded_whole,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (member, order) = a_paid_order(&app, &owner, "13800000001").await;
        let tea = order.lines[0].sku_id;
        // Not while an after-sales request is open.
        let request = asked(&app, &member, &order, json!({ "kind": "refund_only", "reason": "不想要了", "items": [{ "line_no": 2, "quantity": 1 }] })).await;
        let cancel = format!("/api/v1/orders/{}/cancel", order.id);
        let res = app
            .bearer(&owner)
            .post_raw(&cancel, &json!({ "reason": "缺货" }))
            .await;
        assert_problem(res, 409, "after_sale_open_on_order").await;
        let member_path = member.me(&format!("/after-sales/{}/withdraw", request["id"]));
        let withdrawn: Value = expect_json(
            app.bearer(&member).post_raw(&member_path, &json!({})).await,
            200,
        )
        .await;
        assert_eq!(withdrawn["status"], "withdrawn");
        let cancelled: Order = app
            .bearer(&owner)
            .post(&cancel, &json!({ "reason": "缺货" }))
            .await;
        assert_eq!(cancelled.status, "cancelled");
        assert_eq!(cancelled.refunds.len(), 1);
        assert_eq!(cancelled.refunds[0]["cause"], "order_cancelled");
        assert_eq!(cancelled.refunds[0]["status"], "succeeded");
        assert_eq!(cancelled.refunds[0]["amount"], order.total.as_str());
        assert_eq!(cancelled.refunded, order.total.as_str());
        assert!(!cancelled.refund_due, "the money is back");
        assert_eq!(
            stock(&app, tea),
            100,
            "given back once, by the cancellation"
        );
        assert_eq!(cancelled.lines[0].refunded, "150.00");
    }
);

db_test!(
    a_late_payment_is_refunded_by_the_refund_job,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        enable(&app, &owner, "sandbox", json!({})).await;
        let tea = listed_sku(&app, &owner, "T-late", "50.00", 10).await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let to = address(&app, &member, "330100").await;
        let order: Order =
            expect_json(place(&app, &member, &order_body(tea, 1, to)).await, 201).await;
        let token = crate::orders::fixtures::sandbox_token(&app, &member, &order).await;
        app.bearer(&member)
            .expecting(200)
            .post::<Value>(
                &member.me(&format!("/orders/{}/cancel", order.id)),
                &json!({}),
            )
            .await;
        let body = crate::orders::fixtures::notification(&token, "SBX-late", &order.total);
        let res =
            crate::orders::fixtures::notify(&app, &crate::harness::test_jwt_key(), &body).await;
        assert_eq!(res.status(), 200);
        let flagged = order_of(&app, &owner, &order).await;
        assert!(flagged.refund_due);
        assert_eq!(flagged.refunds[0]["cause"], "late_payment");
        assert_eq!(flagged.refunds[0]["status"], "pending");
        let report =
            refunds::submit_due(&mut app.conn(), &app.providers, fenxiao::clock::now(), 100)
                .unwrap();
        assert_eq!(report.submitted, 1);
        let again =
            refunds::submit_due(&mut app.conn(), &app.providers, fenxiao::clock::now(), 100)
                .unwrap();
        assert_eq!(again.submitted, 0);
        let refunded = order_of(&app, &owner, &order).await;
        assert_eq!(refunded.refunds[0]["status"], "succeeded");
        assert!(!refunded.refund_due);
        assert_eq!(refunded.refunded, "0.00", "it never paid the order");
        assert_eq!(stock(&app, tea), 10);
    }
);

db_test!(
    after_sales_refuses_what_it_cannot_take_and_changes_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let tea = listed_sku(&app, &owner, "T-unpaid", "50.00", 10).await;
        let buyer = app
            .member(owner.merchant_id.get(), "13800000009", json!({}))
            .await;
        let to = address(&app, &buyer, "330100").await;
        let unpaid: Order =
            expect_json(place(&app, &buyer, &order_body(tea, 1, to)).await, 201).await;
        let res = ask(
            &app,
            &buyer,
            &unpaid,
            json!({ "kind": "refund_only", "reason": "x" }),
        )
        .await;
        assert_problem(res, 409, "after_sale_not_open").await;

        let (member, order) = a_paid_order(&app, &owner, "13800000001").await;
        let res = ask(
            &app,
            &member,
            &order,
            json!({ "kind": "return_and_refund", "reason": "x" }),
        )
        .await;
        assert_problem(res, 409, "after_sale_not_open").await;
        let cases = [
            (
                json!({ "kind": "refund_only", "reason": "x", "items": [{ "line_no": 9, "quantity": 1 }] }),
                "items[0].line_no",
            ),
            (
                json!({ "kind": "refund_only", "reason": "x", "items": [{ "line_no": 1, "quantity": 4 }] }),
                "items[0].quantity",
            ),
            (
                json!({ "kind": "refund_only", "reason": "x", "items": [{ "line_no": 1, "quantity": 0, "amount": "150.01" }] }),
                "items[0].amount",
            ),
            (
                json!({ "kind": "refund_only", "reason": "x", "items": [{ "line_no": 1, "quantity": 0 }] }),
                "items[0].amount",
            ),
            (
                json!({ "kind": "refund_only", "reason": "x", "items": [{ "line_no": 1, "quantity": 1 }, { "line_no": 1, "quantity": 1 }] }),
                "items[1].line_no",
            ),
            (
                json!({ "kind": "refund_only", "reason": "", "items": [{ "line_no": 1, "quantity": 1 }] }),
                "reason",
            ),
            (
                json!({ "kind": "refund_only", "reason": "x", "items": [] }),
                "items",
            ),
        ];
        for (body, field) in cases {
            let errors = field_errors(ask(&app, &member, &order, body.clone()).await).await;
            assert_eq!(errors[0].0, field, "{body}: {errors:?}");
        }
        let res = ask(
            &app,
            &member,
            &order,
            json!({ "kind": "refund_everything", "reason": "x" }),
        )
        .await;
        assert_eq!(res.status(), 422);
        // Someone else's order: not found.
        let res = ask(
            &app,
            &buyer,
            &order,
            json!({ "kind": "refund_only", "reason": "x" }),
        )
        .await;
        assert_eq!(res.status(), 404);
        let untouched = order_of(&app, &owner, &order).await;
        assert!(untouched.lines.iter().all(|l| l.claimed_quantity == 0));
        assert_eq!(
            count_events(&app, owner.merchant_id, "after_sale.requested"),
            0
        );

        // A request another merchant's staff cannot see or decide, nor the buyer decide.
        let request = asked(&app, &member, &order, json!({ "kind": "refund_only", "reason": "x", "items": [{ "line_no": 2, "quantity": 1 }] })).await;
        let other = app.owner("other@example.com").await;
        let res = staff_do(&app, &other, &request["id"], "approve", json!({})).await;
        assert_eq!(res.status(), 404);
        let res = app
            .bearer(&member)
            .post_raw(
                &format!("/api/v1/after-sales/{}/approve", request["id"]),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 403);
        let rejected: Value = expect_json(
            staff_do(
                &app,
                &owner,
                &request["id"],
                "reject",
                json!({ "reason": "已发货" }),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(rejected["status"], "rejected");
        let res = staff_do(&app, &owner, &request["id"], "approve", json!({})).await;
        assert_problem(res, 409, "invalid_transition").await;
        let res = app
            .bearer(&member)
            .post_raw(
                &member.me(&format!("/after-sales/{}/withdraw", request["id"])),
                &json!({}),
            )
            .await;
        assert_problem(res, 409, "invalid_transition").await;
        let untouched = order_of(&app, &owner, &order).await;
        assert!(untouched
            .lines
            .iter()
            .all(|l| l.claimed_quantity == 0 && l.refunded_quantity == 0));
        assert!(untouched.refunds.is_empty());

        // Past the window: a completed order takes none.
        app.bearer(&owner)
            .expecting(200)
            .put::<Value>("/api/v1/order-settings", &json!({ "after_sale_days": 0 }))
            .await;
        ship_all(&app, &owner, &order, "SF3000000003").await;
        app.bearer(&member)
            .expecting(200)
            .post::<Value>(
                &member.me(&format!("/orders/{}/receipt", order.id)),
                &json!({}),
            )
            .await;
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let res = ask(
            &app,
            &member,
            &order,
            json!({ "kind": "refund_only", "reason": "x" }),
        )
        .await;
        assert_problem(res, 409, "after_sale_closed").await;
    }
);

/// Invariants of an order's money and stock that no sequence of after-sales may break.
fn assert_whole(order: &Order, initial: &[(i64, i64)], stocks: &[i64], step: &str) {
    let total = fenxiao::money::Money::parse_yuan(&order.total)
        .unwrap()
        .fen();
    let refunded = fenxiao::money::Money::parse_yuan(&order.refunded)
        .unwrap()
        .fen();
    assert!(refunded <= total, "{step}: refunded {refunded} of {total}");
    let mut lines_back = 0;
    for (i, line) in order.lines.iter().enumerate() {
        let base = fenxiao::money::Money::parse_yuan(&line.commission_base)
            .unwrap()
            .fen();
        let back = fenxiao::money::Money::parse_yuan(&line.refunded)
            .unwrap()
            .fen();
        assert!(
            back <= base,
            "{step}: line {} gave back {back} of {base}",
            line.line_no
        );
        assert!(line.refunded_quantity <= line.quantity, "{step}");
        assert!(
            line.shipped_quantity + line.cancelled_quantity <= line.quantity,
            "{step}"
        );
        assert!(line.returned_quantity <= line.shipped_quantity, "{step}");
        lines_back += back;
        // Stock restored is exactly the units returned or never shipped, once refunded.
        let (start, sold) = initial[i];
        let restored = stocks[i] - (start - sold);
        let expected = line.returned_quantity + line.cancelled_quantity;
        let settled: i64 = order
            .refunds
            .iter()
            .filter(|r| r["status"] == "succeeded")
            .flat_map(|r| r["lines"].as_array().cloned().unwrap_or_default())
            .filter(|l| l["line_no"] == line.line_no)
            .map(|l| l["restock_quantity"].as_i64().unwrap())
            .sum();
        assert_eq!(restored, settled, "{step}: line {} restocked", line.line_no);
        assert!(
            restored <= expected,
            "{step}: line {} restocked {restored} of {expected}",
            line.line_no
        );
    }
    assert!(lines_back <= refunded, "{step}");
}

db_test!(
    random_partial_refunds_never_give_back_more_than_was_paid,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let sf = carrier(&app, &owner, "SF").await;
        for seed in 0..3u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (member, order) = a_paid_order(&app, &owner, &format!("1380000010{seed}")).await;
            let skus: Vec<i64> = order.lines.iter().map(|l| l.sku_id).collect();
            let initial: Vec<(i64, i64)> = order.lines.iter().map(|l| (100, l.quantity)).collect();
            let mut open: Vec<Value> = Vec::new();
            for step in 0..24 {
                let now = order_of(&app, &owner, &order).await;
                let choice = rng.gen_range(0..6);
                let label = format!("seed {seed} step {step} choice {choice}");
                match choice {
                    // Ship some units of a line.
                    0 => {
                        let line = &now.lines[rng.gen_range(0..now.lines.len())];
                        let left = line.quantity - line.shipped_quantity - line.cancelled_quantity;
                        if left > 0 {
                            let res = app
                                .bearer(&owner)
                                .post_raw(
                                    &format!("/api/v1/orders/{}/packages", order.id),
                                    &json!({ "carrier_id": sf, "tracking_no": format!("SF{seed}{step:02}00000"),
                                             "lines": [{ "line_no": line.line_no, "quantity": rng.gen_range(1..=left) }] }),
                                )
                                .await;
                            assert!([200, 409].contains(&res.status().as_u16()), "{label}");
                        }
                    }
                    // Ask back some units, or an amount.
                    1 | 2 => {
                        let line = &now.lines[rng.gen_range(0..now.lines.len())];
                        let units = rng.gen_range(0..=line.quantity);
                        let mut item = json!({ "line_no": line.line_no, "quantity": units });
                        if units == 0 || rng.gen_bool(0.3) {
                            item["amount"] = json!(format!(
                                "{}.{:02}",
                                rng.gen_range(0..60),
                                rng.gen_range(0..100)
                            ));
                        }
                        let res = ask(
                            &app,
                            &member,
                            &order,
                            json!({ "kind": "refund_only", "reason": "随机", "items": [item] }),
                        )
                        .await;
                        let status = res.status().as_u16();
                        assert!([201, 409, 422].contains(&status), "{label}: {status}");
                        if status == 201 {
                            open.push(res.json().await.unwrap());
                        }
                    }
                    // Decide or withdraw an open request.
                    _ => {
                        if open.is_empty() {
                            continue;
                        }
                        let request = open.remove(rng.gen_range(0..open.len()));
                        let res = match rng.gen_range(0..3) {
                            0 => {
                                staff_do(
                                    &app,
                                    &owner,
                                    &request["id"],
                                    "reject",
                                    json!({ "reason": "不符合" }),
                                )
                                .await
                            }
                            1 => {
                                app.bearer(&member)
                                    .post_raw(
                                        &member.me(&format!(
                                            "/after-sales/{}/withdraw",
                                            request["id"]
                                        )),
                                        &json!({}),
                                    )
                                    .await
                            }
                            _ => staff_do(&app, &owner, &request["id"], "approve", json!({})).await,
                        };
                        assert!([200, 409].contains(&res.status().as_u16()), "{label}");
                    }
                }
                let after = order_of(&app, &owner, &order).await;
                let stocks: Vec<i64> = skus.iter().map(|s| stock(&app, *s)).collect();
                assert_whole(&after, &initial, &stocks, &label);
            }
        }
    }
);

db_test!(
    an_open_console_hears_of_after_sales_requests_and_refunds,
    |app: TestApp| async move {
        use futures_util::StreamExt;
        let owner = app.owner("boss@example.com").await;
        let (member, order) = a_paid_order(&app, &owner, "13800000001").await;
        let res = app.bearer(&owner).get_raw("/api/v1/orders/events").await;
        assert_eq!(res.status(), 200);
        let mut body = res.bytes_stream();
        let request = asked(
            &app,
            &member,
            &order,
            json!({ "kind": "refund_only", "reason": "买多了", "items": [{ "line_no": 2, "quantity": 1 }] }),
        )
        .await;
        staff_do(&app, &owner, &request["id"], "approve", json!({})).await;
        let mut seen = String::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while !seen.contains("event: refund.completed") && std::time::Instant::now() < deadline {
            let next = tokio::time::timeout(std::time::Duration::from_secs(5), body.next()).await;
            if let Ok(Some(Ok(chunk))) = next {
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        }
        assert!(seen.contains("event: after_sale.requested"), "{seen}");
        assert!(
            seen.contains(&format!("\"after_sale_id\":{}", request["id"])),
            "{seen}"
        );
        assert!(seen.contains("event: refund.completed"), "{seen}");
    }
);

/// The outbox's messages of one template, oldest first: (recipient, body).
fn messages(app: &TestApp, template: &str) -> Vec<(String, String)> {
    use diesel::prelude::*;
    use fenxiao::db::schema::outbox_messages as o;
    o::table
        .filter(o::template.eq(template))
        .order(o::id.asc())
        .select((o::recipient, o::body))
        .load(&mut *app.conn())
        .unwrap()
}

db_test!(
    the_buyer_and_staff_are_told_and_a_refund_takes_the_sale_back,
    |app: TestApp| async move {
        use diesel::prelude::*;
        use fenxiao::db::schema::distributors;
        let owner = app.owner("boss@example.com").await;
        let seller = app
            .member(owner.merchant_id.get(), "13800000009", json!({}))
            .await;
        let distributor: Value = app
            .bearer(&owner)
            .post("/api/v1/distributors", &json!({ "member_id": seller.id }))
            .await;
        let (member, order) = crate::orders::fixtures::a_paid_order_with(
            &app,
            &owner,
            "buyer@example.com",
            json!({ "distributor_code": distributor["code"] }),
        )
        .await;
        let sales = || -> i64 {
            distributors::table
                .find(fenxiao::db::ids::DistributorId(
                    distributor["id"].as_i64().unwrap(),
                ))
                .select(distributors::personal_sales)
                .first(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(sales(), 17_000, "the paid goods, freight excluded");
        ship_all(&app, &owner, &order, "SF3000000009").await;
        let shipped = messages(&app, "order_shipped");
        assert_eq!(shipped.len(), 1);
        assert_eq!(shipped[0].0, "buyer@example.com");
        assert!(shipped[0].1.contains(&order.order_no) && shipped[0].1.contains("SF3000000009"));
        // The request reaches the staff's inbox; its decision and its refund reach the buyer.
        let request = asked(
            &app,
            &member,
            &order,
            json!({ "kind": "refund_only", "reason": "少发了一件", "items": [{ "line_no": 1, "quantity": 1 }] }),
        )
        .await;
        let unread: Value = app
            .bearer(&owner)
            .get("/api/v1/notifications/unread-count")
            .await;
        assert_eq!(unread["unread"], 1);
        let inbox: Value = app.bearer(&owner).get("/api/v1/notifications").await;
        assert!(inbox.to_string().contains(&order.order_no), "{inbox}");
        staff_do(&app, &owner, &request["id"], "approve", json!({})).await;
        assert_eq!(messages(&app, "after_sale_decided").len(), 1);
        let refunded = messages(&app, "refund_completed");
        assert_eq!(refunded.len(), 1);
        assert!(refunded[0].1.contains("¥50.00"), "{}", refunded[0].1);
        assert_eq!(sales(), 12_000, "the refunded goods are taken back");
        // The leaderboards (and contests) count the sale net of the refund.
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        let board: Value = app
            .bearer(&owner)
            .get(&format!(
                "/api/v1/leaderboards?metric=sales&period=day&date={today}"
            ))
            .await;
        assert_eq!(board["items"][0]["amount"], "120.00", "{board}");
        assert_eq!(board["items"][0]["count"], 1);
        let refused = asked(
            &app,
            &member,
            &order,
            json!({ "kind": "refund_only", "reason": "再退一件", "items": [{ "line_no": 1, "quantity": 1 }] }),
        )
        .await;
        staff_do(
            &app,
            &owner,
            &refused["id"],
            "reject",
            json!({ "reason": "已核实无误" }),
        )
        .await;
        let decided = messages(&app, "after_sale_decided");
        assert_eq!(decided.len(), 2);
        assert!(decided[1].1.contains("已核实无误"));
        assert_eq!(sales(), 12_000);

        // The buyer's in-app inbox has the same, newest first, each naming the order.
        let inbox: Value = app
            .bearer(&member)
            .in_english()
            .get(&member.me("/notifications"))
            .await;
        let kinds: Vec<&str> = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "after_sale_decided",
                "refund_completed",
                "after_sale_decided",
                "order_shipped"
            ]
        );
        let first = &inbox["items"][3];
        assert_eq!(first["title"], "Your order has shipped");
        assert_eq!(first["target_type"], "order");
        assert_eq!(first["target_id"], order.id.to_string());
        assert!(first["body"].as_str().unwrap().contains("SF3000000009"));
        let unread: Value = app
            .bearer(&member)
            .get(&member.me("/notifications/unread-count"))
            .await;
        assert_eq!(unread["unread"], 4);
        let id = first["id"].as_i64().unwrap();
        // Nobody else reads it: another buyer, or staff through their own inbox.
        let other = app
            .member(owner.merchant_id.get(), "13800000077", json!({}))
            .await;
        let res = app
            .bearer(&other)
            .post_empty_raw(&other.me(&format!("/notifications/{id}/read")))
            .await;
        assert_eq!(res.status(), 404);
        let res = app
            .bearer(&owner)
            .post_empty_raw(&format!("/api/v1/notifications/{id}/read"))
            .await;
        assert_eq!(res.status(), 404);
        let read: Value = app
            .bearer(&member)
            .post(&member.me(&format!("/notifications/{id}/read")), &json!({}))
            .await;
        assert!(read["read_at"].is_string());
        let all: Value = app
            .bearer(&member)
            .post(&member.me("/notifications/read-all"), &json!({}))
            .await;
        assert_eq!(all["marked"], 3);
    }
);
