//! Fulfilment: an order shipped in packages (partly, then wholly), what shipping refuses, two
//! packages sent at once, receipt confirmed by the buyer, and completion when the days after
//! shipping run out, under the job's lease.

use super::fixtures::{
    a_paid_order, address, carrier, count_events, listed_sku, order_body, place, Order,
};
use crate::harness::{assert_problem, expect_json, field_errors, TestApp};
use chrono::Duration;
use fenxiao::leases;
use fenxiao::orders::completion;
use serde_json::{json, Value};

fn packages_path(order: &Order) -> String {
    format!("/api/v1/orders/{}/packages", order.id)
}

db_test!(
    an_order_leaves_in_two_packages_and_completes_on_receipt,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (member, order) = a_paid_order(&app, &owner, "13800000001").await;
        let sf = carrier(&app, &owner, "SF").await;
        let staff = app.bearer(&owner);
        let first: Order = staff
            .post(
                &packages_path(&order),
                &json!({ "carrier_id": sf, "tracking_no": " SF1000000001 ",
                         "lines": [{ "line_no": 1, "quantity": 2 }] }),
            )
            .await;
        assert_eq!(first.status, "paid", "partly shipped stays paid");
        assert_eq!(first.packages.len(), 1);
        assert_eq!(first.packages[0]["tracking_no"], "SF1000000001");
        assert_eq!(first.packages[0]["carrier_name"], "顺丰速运");
        assert_eq!(first.packages[0]["tracking_state"], "awaiting_pickup");
        assert_eq!(
            first.packages[0]["lines"],
            json!([{ "line_no": 1, "quantity": 2 }])
        );
        assert_eq!(
            first
                .lines
                .iter()
                .map(|l| l.shipped_quantity)
                .collect::<Vec<_>>(),
            [2, 0]
        );
        assert!(first.complete_by.is_none());
        // The rest: one tea and the cup.
        let second: Order = staff
            .post(
                &packages_path(&order),
                &json!({ "carrier_id": sf, "tracking_no": "SF1000000002" }),
            )
            .await;
        assert_eq!(second.status, "shipped");
        assert_eq!(second.packages.len(), 2);
        assert_eq!(second.packages[1]["package_no"], 2);
        assert_eq!(
            second.packages[1]["lines"],
            json!([{ "line_no": 1, "quantity": 1 }, { "line_no": 2, "quantity": 1 }])
        );
        let complete_by =
            chrono::DateTime::parse_from_rfc3339(second.complete_by.as_deref().unwrap())
                .unwrap()
                .naive_utc();
        let in_ten_days = fenxiao::clock::now() + Duration::days(10);
        assert!(
            (complete_by - in_ten_days).num_seconds().abs() < 60,
            "{complete_by}"
        );
        assert_eq!(count_events(&app, owner.merchant_id, "order.shipped"), 2);
        assert_eq!(app.audit_count("order.package_shipped"), 2);
        // Nothing is left to send.
        let res = staff
            .post_raw(
                &packages_path(&order),
                &json!({ "carrier_id": sf, "tracking_no": "SF1000000003" }),
            )
            .await;
        assert_problem(res, 409, "invalid_transition").await;

        // The buyer sees both packages and confirms receipt, once.
        let mine: Order = app
            .bearer(&member)
            .get(&member.me(&format!("/orders/{}", order.id)))
            .await;
        assert_eq!(mine.packages.len(), 2);
        let receipt = member.me(&format!("/orders/{}/receipt", order.id));
        let done: Order = expect_json(
            app.bearer(&member).post_raw(&receipt, &json!({})).await,
            200,
        )
        .await;
        assert_eq!(done.status, "completed");
        assert!(done.after_sale_until.is_some());
        assert_eq!(done.timeline.last().unwrap()["note"], "confirmed");
        let again = app.bearer(&member).post_raw(&receipt, &json!({})).await;
        assert_problem(again, 409, "invalid_transition").await;
        assert_eq!(count_events(&app, owner.merchant_id, "order.completed"), 1);
        // Another member of the shop cannot confirm it.
        let other = app
            .member(owner.merchant_id.get(), "13800000009", json!({}))
            .await;
        let res = app
            .bearer(&other)
            .post_raw(
                &other.me(&format!("/orders/{}/receipt", order.id)),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 404);
    }
);

db_test!(
    shipping_refuses_what_it_cannot_send_and_changes_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let sf = carrier(&app, &owner, "SF").await;
        let staff = app.bearer(&owner);
        // Unpaid.
        let tea = listed_sku(&app, &owner, "T-unpaid", "50.00", 10).await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let to = address(&app, &member, "330100").await;
        let unpaid: Order =
            expect_json(place(&app, &member, &order_body(tea, 1, to)).await, 201).await;
        let res = staff
            .post_raw(
                &packages_path(&unpaid),
                &json!({ "carrier_id": sf, "tracking_no": "SF1000000001" }),
            )
            .await;
        assert_problem(res, 409, "invalid_transition").await;

        let (_, order) = a_paid_order(&app, &owner, "13800000002").await;
        let path = packages_path(&order);
        let cases = [
            (
                json!({ "carrier_id": 999999, "tracking_no": "SF1000000001" }),
                "carrier_id",
            ),
            (
                json!({ "carrier_id": sf, "tracking_no": "SF 1" }),
                "tracking_no",
            ),
            (
                json!({ "carrier_id": sf, "tracking_no": "SF1000000001", "lines": [{ "line_no": 7, "quantity": 1 }] }),
                "lines[0].line_no",
            ),
            (
                json!({ "carrier_id": sf, "tracking_no": "SF1000000001", "lines": [{ "line_no": 1, "quantity": 4 }] }),
                "lines[0].quantity",
            ),
            (
                json!({ "carrier_id": sf, "tracking_no": "SF1000000001", "lines": [{ "line_no": 1, "quantity": 1 }, { "line_no": 1, "quantity": 1 }] }),
                "lines[1].line_no",
            ),
            (
                json!({ "carrier_id": sf, "tracking_no": "SF1000000001", "lines": [] }),
                "lines",
            ),
        ];
        for (body, field) in cases {
            let errors = field_errors(staff.post_raw(&path, &body).await).await;
            assert_eq!(errors[0].0, field, "{body}: {errors:?}");
        }
        let res = staff
            .post_raw(
                &path,
                &json!({ "carrier_id": sf, "tracking_no": "SF1000000001", "lines": [{ "line_no": 1, "quantity": 4 }] }),
            )
            .await;
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["code"], "ship_more_than_left");
        // A disabled carrier is refused.
        staff
            .expecting(200)
            .put::<Value>(
                &format!("/api/v1/carriers/{sf}"),
                &json!({ "code": "SF", "name": "顺丰速运", "enabled": false }),
            )
            .await;
        let errors = field_errors(
            staff
                .post_raw(
                    &path,
                    &json!({ "carrier_id": sf, "tracking_no": "SF1000000001" }),
                )
                .await,
        )
        .await;
        assert_eq!(
            errors[0],
            ("carrier_id".to_owned(), "carrier_unavailable".to_owned())
        );
        // Another merchant's staff: not found, whatever the body.
        let other = app.owner("other@example.com").await;
        let theirs = carrier(&app, &other, "SF").await;
        let res = app
            .bearer(&other)
            .post_raw(
                &path,
                &json!({ "carrier_id": theirs, "tracking_no": "SF1000000001" }),
            )
            .await;
        assert_eq!(res.status(), 404);
        // None of it shipped anything.
        let now: Order = staff.get(&format!("/api/v1/orders/{}", order.id)).await;
        assert_eq!(now.status, "paid");
        assert!(now.packages.is_empty());
        assert!(now.lines.iter().all(|l| l.shipped_quantity == 0));
        assert_eq!(app.audit_count("order.package_shipped"), 0);
    }
);

db_test!(
    packages_sent_at_once_never_ship_more_than_was_sold,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (_, order) = a_paid_order(&app, &owner, "13800000001").await;
        let sf = carrier(&app, &owner, "SF").await;
        let path = packages_path(&order);
        let sends = (0..8).map(|i| {
            let staff = app.bearer(&owner);
            let path = path.clone();
            async move {
                staff
                    .post_raw(
                        &path,
                        &json!({ "carrier_id": sf, "tracking_no": format!("SF20000000{i:02}"),
                                 "lines": [{ "line_no": 1, "quantity": 2 }] }),
                    )
                    .await
                    .status()
                    .as_u16()
            }
        });
        let statuses = futures_util::future::join_all(sends).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "3 units: one package of 2 fits: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 409 || *s == 422),
            "{statuses:?}"
        );
        let now: Order = app
            .bearer(&owner)
            .get(&format!("/api/v1/orders/{}", order.id))
            .await;
        assert_eq!(now.packages.len(), 1);
        assert_eq!(now.lines[0].shipped_quantity, 2);
    }
);

db_test!(
    shipped_orders_complete_when_their_days_run_out,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let settings: Value = app
            .bearer(&owner)
            .put(
                "/api/v1/order-settings",
                &json!({ "auto_complete_days": 3 }),
            )
            .await;
        assert_eq!(
            settings,
            json!({ "payment_timeout_minutes": 30, "auto_complete_days": 3,
                    "after_sale_days": 7, "complete_on_delivery": false })
        );
        let (_, order) = a_paid_order(&app, &owner, "13800000001").await;
        let (_, later) = a_paid_order(&app, &owner, "13800000002").await;
        let sf = carrier(&app, &owner, "SF").await;
        for o in [&order, &later] {
            app.bearer(&owner)
                .expecting(200)
                .post::<Value>(
                    &packages_path(o),
                    &json!({ "carrier_id": sf, "tracking_no": format!("SF{}", o.id * 1000) }),
                )
                .await;
        }
        let now = fenxiao::clock::now();
        let mut conn = app.conn();
        let early = completion::complete_all(&mut conn, now + Duration::days(2)).unwrap();
        assert_eq!(early.completed, 0);
        let report =
            completion::complete_all(&mut conn, now + Duration::days(3) + Duration::minutes(1))
                .unwrap();
        assert_eq!(report.completed, 2);
        let again = completion::complete_all(&mut conn, now + Duration::days(4)).unwrap();
        assert_eq!(again.completed, 0, "each order completes once");
        drop(conn);
        let done: Order = app
            .bearer(&owner)
            .get(&format!("/api/v1/orders/{}", order.id))
            .await;
        assert_eq!(done.status, "completed");
        assert_eq!(done.timeline.last().unwrap()["note"], "timeout");
        assert_eq!(done.timeline.last().unwrap()["actor_kind"], "system");
        assert_eq!(count_events(&app, owner.merchant_id, "order.completed"), 2);
    }
);

db_test!(
    a_periodic_job_runs_on_one_instance_at_a_time,
    |app: TestApp| async move {
        let mut conn = app.conn();
        let t0 = fenxiao::clock::now();
        let ttl = Duration::seconds(60);
        assert!(leases::acquire(&mut conn, "job", "a", ttl, t0).unwrap());
        assert!(!leases::acquire(&mut conn, "job", "b", ttl, t0).unwrap());
        // The holder renews it; the other still waits.
        assert!(leases::acquire(&mut conn, "job", "a", ttl, t0 + Duration::seconds(30)).unwrap());
        assert!(!leases::acquire(&mut conn, "job", "b", ttl, t0 + Duration::seconds(80)).unwrap());
        // Lapsed: another takes it, and the first no longer has it.
        assert!(leases::acquire(&mut conn, "job", "b", ttl, t0 + Duration::seconds(91)).unwrap());
        assert!(!leases::acquire(&mut conn, "job", "a", ttl, t0 + Duration::seconds(92)).unwrap());
        // Given up: free at once. Other jobs are separate.
        leases::release(&mut conn, "job", "b").unwrap();
        assert!(leases::acquire(&mut conn, "job", "a", ttl, t0 + Duration::seconds(93)).unwrap());
        assert!(leases::acquire(&mut conn, "other", "b", ttl, t0).unwrap());
    }
);
