//! The member's cart, addresses, quote and placement; cancelling and expiry; the staff's view.

use super::fixtures::{address, listed_sku, order_body, place, stock, Order};
use crate::harness::{assert_problem, expect_json, field_errors, Member, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::{MerchantId, SkuId};
use fenxiao::db::schema::{domain_events, orders, skus, stock_movements};
use serde_json::{json, Value};

db_test!(
    the_cart_keeps_what_can_no_longer_be_bought,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let tea = listed_sku(&app, &owner, "T-1", "128.50", 3).await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let cart = |member: &Member| member.me("/cart/items");
        let shopper = app.bearer(&member);
        let after: Value = shopper
            .post(&cart(&member), &json!({ "sku_id": tea, "quantity": 2 }))
            .await;
        assert_eq!(after["lines"][0]["availability"], "available");
        assert_eq!(after["lines"][0]["price"]["unit_price"], "128.50");
        // Adding again adds up; beyond the stock the line stays, marked.
        let after: Value = shopper
            .post(&cart(&member), &json!({ "sku_id": tea, "quantity": 2 }))
            .await;
        assert_eq!(after["lines"][0]["quantity"], 4);
        assert_eq!(after["lines"][0]["availability"], "out_of_stock");
        assert_eq!(after["lines"][0]["available"], 3);
        let res = shopper
            .post_raw(&cart(&member), &json!({ "sku_id": tea, "quantity": 9_996 }))
            .await;
        assert_eq!(
            field_errors(res).await,
            vec![("quantity".to_owned(), "out_of_range".to_owned())]
        );
        // A product taken off sale stays in the cart as not sold.
        let product: i64 = skus::table
            .find(SkuId(tea))
            .select(skus::product_id)
            .first::<fenxiao::db::ids::ProductId>(&mut *app.conn())
            .unwrap()
            .get();
        app.bearer(&owner)
            .expecting(200)
            .post::<Value>(
                &format!("/api/v1/products/{product}/status"),
                &json!({ "action": "unlist" }),
            )
            .await;
        let seen: Value = shopper.get(&member.me("/cart")).await;
        assert_eq!(seen["lines"][0]["availability"], "not_sold");
        assert!(seen["lines"][0]["price"].is_null());
        // Nor can it be added now; nor can another shop's SKU.
        let res = shopper
            .post_raw(&cart(&member), &json!({ "sku_id": tea, "quantity": 1 }))
            .await;
        assert_eq!(
            field_errors(res).await,
            vec![("sku_id".to_owned(), "sku_not_sold".to_owned())]
        );
        let other = app.owner("other@example.com").await;
        let theirs = listed_sku(&app, &other, "O-1", "9.90", 5).await;
        let res = shopper
            .post_raw(&cart(&member), &json!({ "sku_id": theirs, "quantity": 1 }))
            .await;
        assert_eq!(res.status(), 422);
        // Quantities change and lines go.
        let line = format!("{}/{tea}", cart(&member));
        let changed: Value = shopper.put(&line, &json!({ "quantity": 1 })).await;
        assert_eq!(changed["lines"][0]["quantity"], 1);
        let emptied: Value = shopper.delete(&line).await;
        assert_eq!(emptied["lines"], json!([]));
        assert_eq!(shopper.delete_raw(&line).await.status(), 404);
    }
);

db_test!(
    addresses_have_real_regions_and_one_default,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let shopper = app.bearer(&member);
        let first = address(&app, &member, "330100").await;
        let second = address(&app, &member, "310100").await;
        let listed: Vec<Value> = shopper.get(&member.me("/addresses")).await;
        assert_eq!(listed[0]["id"], first, "the first address is the default");
        assert_eq!(listed[0]["is_default"], true);
        assert_eq!(listed[0]["city_name"], "杭州市");
        assert_eq!(listed[0]["phone"], "13800000000", "spaces are dropped");
        assert_eq!(listed[1]["is_default"], false);
        let body = json!({
            "recipient": "王丽", "phone": "13800000000", "province_code": "310000",
            "city_code": "310100", "detail": "南京东路 1 号", "is_default": true
        });
        let changed: Value = shopper
            .put(&member.me(&format!("/addresses/{second}")), &body)
            .await;
        assert_eq!(changed["is_default"], true);
        let listed: Vec<Value> = shopper.get(&member.me("/addresses")).await;
        assert_eq!(listed[0]["id"], second);
        assert_eq!(listed.iter().filter(|a| a["is_default"] == true).count(), 1);
        // A city of another province, an unknown code, a bad phone: refused, nothing written.
        let mut wrong = body.clone();
        wrong["province_code"] = json!("330000");
        let res = shopper.post_raw(&member.me("/addresses"), &wrong).await;
        assert_eq!(
            field_errors(res).await,
            vec![("city_code".to_owned(), "city_not_in_province".to_owned())]
        );
        let mut unknown = body.clone();
        unknown["city_code"] = json!("999900");
        unknown["phone"] = json!("12345");
        let mut errors =
            field_errors(shopper.post_raw(&member.me("/addresses"), &unknown).await).await;
        errors.sort();
        assert_eq!(
            errors,
            vec![
                ("city_code".to_owned(), "unknown_region".to_owned()),
                ("phone".to_owned(), "phone".to_owned()),
            ]
        );
        let listed: Vec<Value> = shopper.get(&member.me("/addresses")).await;
        assert_eq!(listed.len(), 2);
        // Another member's address is not there.
        let other = app
            .member(owner.merchant_id.get(), "13800000002", json!({}))
            .await;
        let res = app
            .bearer(&other)
            .delete_raw(&other.me(&format!("/addresses/{first}")))
            .await;
        assert_eq!(res.status(), 404);
        assert_eq!(
            shopper
                .delete_raw(&member.me(&format!("/addresses/{first}")))
                .await
                .status(),
            204
        );
    }
);

db_test!(
    a_placed_order_is_priced_on_the_server_and_snapshots_its_lines,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id.get();
        let tea = listed_sku(&app, &owner, "T-1", "128.50", 10).await;
        // The buyer came through a distributor's link: the order names that distributor.
        let seller = app.member(shop, "13800000009", json!({})).await;
        let distributor: Value = app
            .bearer(&owner)
            .post("/api/v1/distributors", &json!({ "member_id": seller.id }))
            .await;
        let code = distributor["code"].as_str().unwrap();
        let member = app
            .member(shop, "13800000001", json!({ "distributor_code": code }))
            .await;
        let to = address(&app, &member, "330100").await;
        app.bearer(&member)
            .expecting(200)
            .post::<Value>(
                &member.me("/cart/items"),
                &json!({ "sku_id": tea, "quantity": 3 }),
            )
            .await;

        let quote: Value = app
            .bearer(&member)
            .post(&member.me("/checkout/quote"), &order_body(tea, 3, to))
            .await;
        assert_eq!(quote["goods_amount"], "385.50");
        assert_eq!(
            quote["freight"], "12.00",
            "8.00 and two more pieces at 2.00"
        );
        assert_eq!(quote["total"], "397.50");
        assert_eq!(quote["lines"][0]["commission_base"], "385.50");
        assert_eq!(stock(&app, tea), 10, "a quote writes nothing");

        // Extra fields, such as a price of the client's, are refused outright.
        let mut cheap = order_body(tea, 3, to);
        cheap["items"][0]["unit_price"] = json!("0.01");
        assert_eq!(place(&app, &member, &cheap).await.status(), 422);

        let res = place(&app, &member, &order_body(tea, 3, to)).await;
        let order: Order = expect_json(res, 201).await;
        assert_eq!(order.status, "pending_payment");
        assert_eq!(order.member_id, member.id);
        assert_eq!(order.distributor_id, distributor["id"].as_i64());
        assert_eq!(
            (order.goods_amount.as_str(), order.paid_goods.as_str()),
            ("385.50", "385.50")
        );
        assert_eq!(
            (order.freight.as_str(), order.total.as_str()),
            ("12.00", "397.50")
        );
        assert_eq!(order.delivery, "express");
        assert_eq!(
            order.address.as_deref(),
            Some("浙江省杭州市西湖区文三路 90 号")
        );
        assert_eq!(order.order_no.len(), 20);
        assert!(order.order_no.ends_with(&format!("{:06}", order.id)));
        let line = &order.lines[0];
        assert_eq!((line.line_no, line.sku_id, line.quantity), (1, tea, 3));
        assert_eq!(line.product_name, "龙井 T-1");
        assert_eq!(line.sku_code, "T-1");
        assert_eq!(
            (line.unit_price.as_str(), line.unit_price_source.as_str()),
            ("128.50", "retail")
        );
        assert_eq!(
            (line.amount.as_str(), line.commission_base.as_str()),
            ("385.50", "385.50")
        );
        assert_eq!(order.timeline.len(), 1);
        assert_eq!(order.timeline[0]["to_status"], "pending_payment");
        assert_eq!(stock(&app, tea), 7);
        let movements: i64 = stock_movements::table
            .filter(stock_movements::reference.eq(&order.order_no))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(movements, 1);
        let cart: Value = app.bearer(&member).get(&member.me("/cart")).await;
        assert_eq!(cart["lines"], json!([]), "the ordered SKU left the cart");

        // Later changes to the product do not touch the order.
        app.bearer(&owner)
            .expecting(200)
            .patch::<Value>(
                &format!("/api/v1/skus/{tea}"),
                &json!({ "retail_price": "99.00" }),
            )
            .await;
        let again: Order = app
            .bearer(&member)
            .get(&member.me(&format!("/orders/{}", order.id)))
            .await;
        assert_eq!(again.lines[0].unit_price, "128.50");
        // The staff see it; another member does not.
        let staff: Order = app
            .bearer(&owner)
            .get(&format!("/api/v1/orders/{}", order.id))
            .await;
        assert_eq!(staff.order_no, order.order_no);
        let other = app.member(shop, "13800000002", json!({})).await;
        let res = app
            .bearer(&other)
            .get_raw(&other.me(&format!("/orders/{}", order.id)))
            .await;
        assert_eq!(res.status(), 404);
        let page: Value = app
            .bearer(&owner)
            .get(&format!(
                "/api/v1/orders?distributor_id={}",
                distributor["id"]
            ))
            .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let page: Value = app
            .bearer(&owner)
            .get(&format!("/api/v1/orders?order_no={}", order.order_no))
            .await;
        assert_eq!(page["items"][0]["id"], order.id);
        let page: Value = app.bearer(&owner).get("/api/v1/orders?status=paid").await;
        assert_eq!(page["items"], json!([]));
    }
);

db_test!(
    placements_are_refused_whole_and_change_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id.get();
        let tea = listed_sku(&app, &owner, "T-1", "10.00", 2).await;
        let cup = listed_sku(&app, &owner, "C-1", "5.00", 9).await;
        let member = app.member(shop, "13800000001", json!({})).await;
        let to = address(&app, &member, "330100").await;
        let both = |tea_units: i64| {
            json!({ "items": [{ "sku_id": cup, "quantity": 1 }, { "sku_id": tea, "quantity": tea_units }],
                "address_id": to })
        };
        // One line short of stock: nothing is taken, from either line.
        let problem =
            assert_problem(place(&app, &member, &both(3)).await, 409, "out_of_stock").await;
        assert!(problem.detail.contains("T-1"), "{}", problem.detail);
        assert_eq!((stock(&app, tea), stock(&app, cup)), (2, 9));
        // No address for goods to send; another member's address; a region not delivered to.
        let res = place(
            &app,
            &member,
            &json!({ "items": [{ "sku_id": tea, "quantity": 1 }] }),
        )
        .await;
        assert_eq!(
            field_errors(res).await,
            vec![("address_id".to_owned(), "address_required".to_owned())]
        );
        let other = app.member(shop, "13800000002", json!({})).await;
        let theirs = address(&app, &other, "330100").await;
        let res = place(&app, &member, &order_body(tea, 1, theirs)).await;
        assert_eq!(field_errors(res).await[0].0, "address_id");
        let far = address(&app, &member, "650100").await;
        assert_problem(
            place(&app, &member, &order_body(tea, 1, far)).await,
            422,
            "region_not_delivered",
        )
        .await;
        // Malformed lines.
        let res = place(&app, &member, &json!({ "items": [], "address_id": to })).await;
        assert_eq!(field_errors(res).await[0].0, "items");
        let res = place(&app, &member, &order_body(tea, 0, to)).await;
        assert_eq!(field_errors(res).await[0].0, "items[0].quantity");
        let orders: i64 = orders::table.count().get_result(&mut *app.conn()).unwrap();
        assert_eq!(orders, 0);
        assert_eq!((stock(&app, tea), stock(&app, cup)), (2, 9));
    }
);

db_test!(
    an_idempotency_key_places_one_order,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let tea = listed_sku(&app, &owner, "T-1", "10.00", 5).await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let to = address(&app, &member, "330100").await;
        let keyed = app
            .bearer(&member)
            .header("Idempotency-Key", "checkout-7f3a");
        let first: Order = expect_json(
            keyed
                .post_raw(&member.me("/orders"), &order_body(tea, 2, to))
                .await,
            201,
        )
        .await;
        let again: Order = expect_json(
            keyed
                .post_raw(&member.me("/orders"), &order_body(tea, 2, to))
                .await,
            200,
        )
        .await;
        assert_eq!(again.id, first.id);
        assert_eq!(stock(&app, tea), 3, "taken once");
        assert_problem(
            keyed
                .post_raw(&member.me("/orders"), &order_body(tea, 1, to))
                .await,
            422,
            "idempotency_key_reused",
        )
        .await;
        // Concurrent retries with one key: one order.
        let racing = app
            .bearer(&member)
            .header("Idempotency-Key", "checkout-race");
        let body = order_body(tea, 1, to);
        let answers = futures_util::future::join_all(
            (0..6).map(|_| racing.post_raw(&member.me("/orders"), &body)),
        )
        .await;
        let mut ids = Vec::new();
        for res in answers {
            assert!(
                matches!(res.status().as_u16(), 200 | 201),
                "{}",
                res.status()
            );
            ids.push(res.json::<Order>().await.unwrap().id);
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "{ids:?}");
        assert_eq!(stock(&app, tea), 2);
        // A key that is no header value at all.
        let bad = app.bearer(&member).header("Idempotency-Key", " ");
        let res = bad.post_raw(&member.me("/orders"), &body).await;
        assert_eq!(field_errors(res).await[0].0, "Idempotency-Key");
    }
);

db_test!(
    cancelled_and_expired_orders_give_their_stock_back,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let tea = listed_sku(&app, &owner, "T-1", "10.00", 5).await;
        let member = app.member(shop.get(), "13800000001", json!({})).await;
        let to = address(&app, &member, "330100").await;

        let order: Order =
            expect_json(place(&app, &member, &order_body(tea, 2, to)).await, 201).await;
        assert_eq!(stock(&app, tea), 3);
        let cancel = member.me(&format!("/orders/{}/cancel", order.id));
        let cancelled: Order = app
            .bearer(&member)
            .post(&cancel, &json!({ "reason": "不想要了" }))
            .await;
        assert_eq!(cancelled.status, "cancelled");
        assert!(!cancelled.refund_due);
        assert_eq!(cancelled.timeline.len(), 2);
        assert_eq!(cancelled.timeline[1]["actor_kind"], "member");
        assert_eq!(cancelled.timeline[1]["note"], "不想要了");
        assert_eq!(stock(&app, tea), 5);
        // A second cancel is a forbidden transition and changes nothing.
        let problem = assert_problem(
            app.bearer(&member).post_raw(&cancel, &json!({})).await,
            409,
            "invalid_transition",
        )
        .await;
        assert!(!problem.detail.is_empty());
        assert_eq!(stock(&app, tea), 5);
        assert_eq!(events_named(&app, shop, "order.cancelled"), 1);

        // Staff cancel another; with a reason, audited.
        let staffs: Order =
            expect_json(place(&app, &member, &order_body(tea, 1, to)).await, 201).await;
        let done: Order = app
            .bearer(&owner)
            .post(
                &format!("/api/v1/orders/{}/cancel", staffs.id),
                &json!({ "reason": "缺货" }),
            )
            .await;
        assert_eq!(done.timeline[1]["actor_kind"], "staff");
        assert_eq!(app.audit_count("order.cancelled"), 1);
        assert_eq!(stock(&app, tea), 5);

        // Unpaid past its payment timeout: cancelled by the expiry job, once.
        app.bearer(&owner)
            .expecting(200)
            .put::<Value>(
                "/api/v1/order-settings",
                &json!({ "payment_timeout_minutes": 5 }),
            )
            .await;
        let late: Order =
            expect_json(place(&app, &member, &order_body(tea, 4, to)).await, 201).await;
        assert_eq!(stock(&app, tea), 1);
        let now = fenxiao::clock::now();
        let early = fenxiao::orders::lifecycle::expire_all(&mut app.conn(), now).unwrap();
        assert_eq!(early.cancelled, 0, "not yet due");
        let later = now + chrono::Duration::minutes(6);
        let report = fenxiao::orders::lifecycle::expire_all(&mut app.conn(), later).unwrap();
        assert_eq!((report.cancelled, report.failed), (1, 0));
        let expired: Order = app
            .bearer(&member)
            .get(&member.me(&format!("/orders/{}", late.id)))
            .await;
        assert_eq!(expired.status, "cancelled");
        assert_eq!(expired.timeline[1]["actor_kind"], "system");
        assert_eq!(stock(&app, tea), 5);
        let again = fenxiao::orders::lifecycle::expire_all(&mut app.conn(), later).unwrap();
        assert_eq!(again.cancelled, 0);
        assert_eq!(events_named(&app, shop, "order.cancelled"), 3);
        let res = app
            .bearer(&owner)
            .put_raw(
                "/api/v1/order-settings",
                &json!({ "payment_timeout_minutes": 1 }),
            )
            .await;
        assert_eq!(field_errors(res).await[0].0, "payment_timeout_minutes");
    }
);

fn events_named(app: &TestApp, merchant_id: MerchantId, name: &str) -> i64 {
    domain_events::table
        .filter(domain_events::merchant_id.eq(merchant_id))
        .filter(domain_events::name.eq(name))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

db_test!(
    a_thousand_buyers_at_once_cannot_oversell,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let tea = listed_sku(&app, &owner, "T-1", "10.00", 10).await;
        let buyers = 1_000;
        let members = 20;
        let mut shoppers = Vec::new();
        for n in 0..members {
            let member = app
                .member(
                    owner.merchant_id.get(),
                    &format!("1390000{n:04}"),
                    json!({}),
                )
                .await;
            let to = address(&app, &member, "330100").await;
            shoppers.push((member, to));
        }
        let bodies: Vec<Value> = shoppers
            .iter()
            .map(|(_, to)| order_body(tea, 1, *to))
            .collect();
        let answers = futures_util::future::join_all((0..buyers).map(|i| {
            let (member, _) = &shoppers[i % members];
            place(&app, member, &bodies[i % members])
        }))
        .await;
        let mut placed = 0;
        for res in answers {
            match res.status().as_u16() {
                201 => placed += 1,
                409 => assert_eq!(res.json::<Value>().await.unwrap()["code"], "out_of_stock"),
                other => panic!("unexpected {other}: {}", res.text().await.unwrap()),
            }
        }
        assert_eq!(placed, 10);
        assert_eq!(stock(&app, tea), 0);
        let orders: i64 = orders::table.count().get_result(&mut *app.conn()).unwrap();
        assert_eq!(orders, 10);
    }
);

db_test!(
    an_open_console_hears_of_new_and_cancelled_orders,
    |app: TestApp| async move {
        use futures_util::StreamExt;
        let owner = app.owner("boss@example.com").await;
        let tea = listed_sku(&app, &owner, "T-1", "10.00", 5).await;
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        let to = address(&app, &member, "330100").await;
        let before: Order =
            expect_json(place(&app, &member, &order_body(tea, 1, to)).await, 201).await;
        let res = app.bearer(&owner).get_raw("/api/v1/orders/events").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        let mut body = res.bytes_stream();
        let placed: Order =
            expect_json(place(&app, &member, &order_body(tea, 1, to)).await, 201).await;
        app.bearer(&member)
            .expecting(200)
            .post::<Value>(
                &member.me(&format!("/orders/{}/cancel", placed.id)),
                &json!({}),
            )
            .await;
        let mut seen = String::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while !seen.contains("event: order.cancelled") && std::time::Instant::now() < deadline {
            let next = tokio::time::timeout(std::time::Duration::from_secs(5), body.next()).await;
            if let Ok(Some(Ok(chunk))) = next {
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        }
        assert!(seen.contains("event: order.placed"), "{seen}");
        assert!(seen.contains(&placed.order_no), "{seen}");
        assert!(seen.contains("event: order.cancelled"), "{seen}");
        assert!(
            !seen.contains(&before.order_no),
            "the stream starts after the newest event: {seen}"
        );
        // Reconnecting with the last id it had, a client gets what it missed, from there.
        let first_id: i64 = seen
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap()
            .parse()
            .unwrap();
        let res = app
            .bearer(&owner)
            .header("Last-Event-ID", &first_id.to_string())
            .get_raw("/api/v1/orders/events")
            .await;
        let mut body = res.bytes_stream();
        let mut again = String::new();
        while !again.contains("event: order.cancelled") && std::time::Instant::now() < deadline {
            if let Ok(Some(Ok(chunk))) =
                tokio::time::timeout(std::time::Duration::from_secs(5), body.next()).await
            {
                again.push_str(&String::from_utf8_lossy(&chunk));
            }
        }
        assert!(
            again.contains("event: order.cancelled") && !again.contains("event: order.placed"),
            "{again}"
        );
    }
);
