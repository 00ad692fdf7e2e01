//! Paying orders: the sandbox's pay page and its signed notifications (once however often they
//! come, refused when forged, changed or unknown, refunded when late), bank transfers confirmed
//! by finance, and a paid order reaching the distributor's sales.

use super::fixtures::{
    address, count_events, enable, listed_sku, notification, notify, order_body, pay_with, place,
    sandbox_token, Order,
};
use crate::harness::{
    assert_problem, expect_json, field_errors, test_jwt_key, Member, SignedIn, TestApp,
};
use diesel::prelude::*;
use fenxiao::db::schema::{distributor_sales, payment_receipts};
use fenxiao::payments::sandbox;
use fenxiao::secrets::SecretKey;
use serde_json::{json, Value};

/// A placed order of a new member, for 2 × 50.00 plus 10.00 freight.
async fn an_order(app: &TestApp, owner: &SignedIn, phone: &str, extra: Value) -> (Member, Order) {
    let tea = listed_sku(app, owner, &format!("T-{phone}"), "50.00", 100).await;
    let member = app.member(owner.merchant_id.get(), phone, extra).await;
    let to = address(app, &member, "330100").await;
    let order: Order = expect_json(place(app, &member, &order_body(tea, 2, to)).await, 201).await;
    assert_eq!(order.total, "110.00");
    (member, order)
}

fn receipts(app: &TestApp) -> Vec<String> {
    payment_receipts::table
        .order(payment_receipts::id.asc())
        .select(payment_receipts::outcome)
        .load(&mut *app.conn())
        .unwrap()
}

async fn order_of(app: &TestApp, member: &Member, order: &Order) -> Order {
    app.bearer(member)
        .get(&member.me(&format!("/orders/{}", order.id)))
        .await
}

db_test!(
    the_sandbox_pays_an_order_and_its_distributor_makes_a_sale,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        enable(&app, &owner, "sandbox", json!({})).await;
        let seller = app
            .member(owner.merchant_id.get(), "13800000009", json!({}))
            .await;
        let distributor: Value = app
            .bearer(&owner)
            .post("/api/v1/distributors", &json!({ "member_id": seller.id }))
            .await;
        let (member, order) = an_order(
            &app,
            &owner,
            "13800000001",
            json!({ "distributor_code": distributor["code"] }),
        )
        .await;
        // A method the shop has not enabled is refused.
        assert_eq!(
            field_errors(pay_with(&app, &member, &order, "bank_transfer").await).await,
            vec![("method".to_owned(), "payment_method_disabled".to_owned())]
        );
        let token = sandbox_token(&app, &member, &order).await;
        let page = app
            .anonymous()
            .get_raw(&format!("{}/{token}", sandbox::PAGE_PATH))
            .await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(
            html.contains(&order.order_no) && html.contains("110.00"),
            "{html}"
        );

        // Declined first: the attempt fails, the order still waits.
        let declined: Value = app
            .anonymous()
            .header("accept", "application/json")
            .post(&format!("{}/{token}/fail", sandbox::PAGE_PATH), &json!({}))
            .await;
        assert_eq!(declined["result"], "failed");
        assert_eq!(
            order_of(&app, &member, &order).await.status,
            "pending_payment"
        );

        // A second attempt succeeds, through the signed notification over HTTP.
        let token = sandbox_token(&app, &member, &order).await;
        let paid: Value = app
            .anonymous()
            .header("accept", "application/json")
            .post(
                &format!("{}/{token}/succeed", sandbox::PAGE_PATH),
                &json!({}),
            )
            .await;
        assert_eq!(paid["result"], "paid");
        let now = order_of(&app, &member, &order).await;
        assert_eq!(now.status, "paid");
        let statuses: Vec<&str> = now
            .payments
            .iter()
            .map(|p| p["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["failed", "succeeded"]);
        assert_eq!(now.timeline.last().unwrap()["to_status"], "paid");
        assert_eq!(count_events(&app, owner.merchant_id, "order.paid"), 1);
        // The sale reached the distributor who brought the buyer, at the paid goods amount.
        let sales: Vec<(String, i64)> = distributor_sales::table
            .select((distributor_sales::order_ref, distributor_sales::amount_fen))
            .load(&mut *app.conn())
            .unwrap();
        assert_eq!(sales, vec![(order.order_no.clone(), 10_000)]);
        // Paid: no further attempt, no cancel by the buyer.
        assert_problem(
            pay_with(&app, &member, &order, "sandbox").await,
            409,
            "invalid_transition",
        )
        .await;
        let res = app
            .bearer(&member)
            .post_raw(
                &member.me(&format!("/orders/{}/cancel", order.id)),
                &json!({}),
            )
            .await;
        assert_problem(res, 409, "invalid_transition").await;
    }
);

db_test!(
    one_notification_fifty_times_at_once_pays_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        enable(&app, &owner, "sandbox", json!({})).await;
        let (member, order) = an_order(&app, &owner, "13800000001", json!({})).await;
        let token = sandbox_token(&app, &member, &order).await;
        let body = notification(&token, "SBX-one", "110.00");
        let key = test_jwt_key();
        let answers =
            futures_util::future::join_all((0..50).map(|_| notify(&app, &key, &body))).await;
        let mut results = Vec::new();
        for res in answers {
            assert_eq!(res.status(), 200);
            results.push(
                res.json::<Value>().await.unwrap()["result"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        assert_eq!(
            results.iter().filter(|r| *r == "paid").count(),
            1,
            "{results:?}"
        );
        assert_eq!(results.iter().filter(|r| *r == "repeated").count(), 49);
        assert_eq!(receipts(&app), ["paid"]);
        assert_eq!(count_events(&app, owner.merchant_id, "order.paid"), 1);
        assert_eq!(order_of(&app, &member, &order).await.status, "paid");
    }
);

db_test!(
    forged_changed_and_unknown_notifications_record_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        enable(&app, &owner, "sandbox", json!({})).await;
        let (member, order) = an_order(&app, &owner, "13800000001", json!({})).await;
        let token = sandbox_token(&app, &member, &order).await;
        let key = test_jwt_key();
        // Signed with another key.
        let forger = SecretKey::from_bytes(b"not the installation's secret at all".to_vec());
        let body = notification(&token, "SBX-1", "110.00");
        assert_problem(notify(&app, &forger, &body).await, 401, "invalid_signature").await;
        // Signed, then changed on the way.
        let signature = sandbox::sign(&key, fenxiao::clock::now().and_utc().timestamp(), &body);
        let tampered = notification(&token, "SBX-1", "0.01");
        let res = app
            .anonymous()
            .request(reqwest::Method::POST, sandbox::NOTIFY_PATH)
            .header(sandbox::SIGNATURE_HEADER, signature)
            .body(tampered)
            .send()
            .await
            .unwrap();
        assert_problem(res, 401, "invalid_signature").await;
        // No signature; an old one.
        let res = app
            .anonymous()
            .request(reqwest::Method::POST, sandbox::NOTIFY_PATH)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_problem(res, 401, "invalid_signature").await;
        let stale = sandbox::sign(
            &key,
            fenxiao::clock::now().and_utc().timestamp() - 3_600,
            &body,
        );
        let res = app
            .anonymous()
            .request(reqwest::Method::POST, sandbox::NOTIFY_PATH)
            .header(sandbox::SIGNATURE_HEADER, stale)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_problem(res, 401, "invalid_signature").await;
        // Genuine, but for another amount, or for no payment we know.
        let cheaper = notification(&token, "SBX-2", "100.00");
        assert_problem(
            notify(&app, &key, &cheaper).await,
            422,
            "payment_amount_mismatch",
        )
        .await;
        let unknown = notification("no-such-token", "SBX-3", "110.00");
        assert_problem(notify(&app, &key, &unknown).await, 422, "unknown_payment").await;
        let garbage = b"{\"payment_token\": 1}".to_vec();
        assert_eq!(notify(&app, &key, &garbage).await.status(), 400);
        assert_eq!(receipts(&app), Vec::<String>::new());
        assert_eq!(count_events(&app, owner.merchant_id, "order.paid"), 0);
        assert_eq!(
            order_of(&app, &member, &order).await.status,
            "pending_payment"
        );
    }
);

db_test!(
    a_payment_after_the_cancel_is_kept_and_flagged_for_a_refund,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        enable(&app, &owner, "sandbox", json!({})).await;
        let (member, order) = an_order(&app, &owner, "13800000001", json!({})).await;
        let token = sandbox_token(&app, &member, &order).await;
        app.bearer(&member)
            .expecting(200)
            .post::<Value>(
                &member.me(&format!("/orders/{}/cancel", order.id)),
                &json!({}),
            )
            .await;
        let res = notify(
            &app,
            &test_jwt_key(),
            &notification(&token, "SBX-late", "110.00"),
        )
        .await;
        let answer: Value = expect_json(res, 200).await;
        assert_eq!(answer["result"], "to_refund");
        let now = order_of(&app, &member, &order).await;
        assert_eq!(now.status, "cancelled");
        assert!(now.refund_due);
        assert_eq!(now.payments[0]["status"], "succeeded");
        assert_eq!(receipts(&app), ["to_refund"]);
        assert_eq!(count_events(&app, owner.merchant_id, "order.paid"), 0);
    }
);

db_test!(
    finance_confirms_a_bank_transfer_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        enable(
            &app,
            &owner,
            "bank_transfer",
            json!({ "account_name": "好物优选", "bank_name": "中国银行", "account_number": "6217000011112222" }),
        )
        .await;
        let (member, order) = an_order(&app, &owner, "13800000001", json!({})).await;
        let started: Value =
            expect_json(pay_with(&app, &member, &order, "bank_transfer").await, 201).await;
        assert_eq!(
            started["bank_account"]["account_number"],
            "6217000011112222"
        );
        assert_eq!(started["reference"], order.order_no.as_str());
        let confirm = format!("/api/v1/orders/{}/bank-transfer", order.id);
        let staff = app.bearer(&owner);
        let wrong = staff
            .post_raw(
                &confirm,
                &json!({ "reference": "BOC-1", "amount": "100.00" }),
            )
            .await;
        assert_problem(wrong, 422, "payment_amount_mismatch").await;
        let paid: Order = staff
            .post(
                &confirm,
                &json!({ "reference": "BOC-1", "amount": "110.00" }),
            )
            .await;
        assert_eq!(paid.status, "paid");
        assert_eq!(paid.timeline.last().unwrap()["actor_kind"], "staff");
        assert_eq!(paid.payments.len(), 1, "the buyer's attempt was confirmed");
        let again: Order = staff
            .post(
                &confirm,
                &json!({ "reference": "BOC-1", "amount": "110.00" }),
            )
            .await;
        assert_eq!(again.status, "paid");
        assert_eq!(app.audit_count("order.bank_transfer_confirmed"), 1);
        assert_eq!(count_events(&app, owner.merchant_id, "order.paid"), 1);
        let res = staff
            .post_raw(&confirm, &json!({ "reference": "", "amount": "110.00" }))
            .await;
        assert_eq!(field_errors(res).await[0].0, "reference");
    }
);

/// An RSA key pair: the private key as PKCS#8 PEM, the public key as bare Base64 of its DER, the
/// way Alipay's console shows one.
pub(super) fn key_pair() -> (rsa::RsaPrivateKey, String, String) {
    use base64::Engine;
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let private = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public = base64::engine::general_purpose::STANDARD.encode(
        rsa::RsaPublicKey::from(&key)
            .to_public_key_der()
            .unwrap()
            .as_bytes(),
    );
    (key, private, public)
}

/// An Alipay notification's form, signed by "Alipay" the way Alipay signs.
pub(super) fn alipay_form(alipay: &rsa::RsaPrivateKey, fields: &[(&str, &str)]) -> String {
    use std::collections::BTreeMap;
    let mut params: BTreeMap<String, String> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    params.insert("sign_type".into(), "RSA2".into());
    let content = fenxiao::payments::alipay::signing_content(&params, true);
    let sign = fenxiao::payments::keys::sign(alipay, content.as_bytes());
    params.insert("sign".into(), sign);
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish()
}

pub(super) async fn post_alipay(app: &TestApp, form: String) -> reqwest::Response {
    app.anonymous()
        .request(
            reqwest::Method::POST,
            fenxiao::payments::alipay::NOTIFY_PATH,
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
}

db_test!(
    alipay_requests_are_signed_and_its_notifications_verified,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let (_, app_private, app_public) = key_pair();
        let (alipay_key, _, alipay_public) = key_pair();
        enable(
            &app,
            &owner,
            "alipay",
            json!({
                "app_id": "2021000000000001", "seller_id": "2088000000000001",
                "private_key": app_private, "alipay_public_key": alipay_public
            }),
        )
        .await;
        let (member, order) = an_order(&app, &owner, "13800000001", json!({})).await;
        let started: Value =
            expect_json(pay_with(&app, &member, &order, "alipay").await, 201).await;
        // The request the buyer is sent with verifies under the application's public key.
        let url = url::Url::parse(started["pay_url"].as_str().unwrap()).unwrap();
        assert_eq!(url.host_str(), Some("openapi.alipay.com"));
        let params: std::collections::BTreeMap<String, String> =
            url.query_pairs().into_owned().collect();
        assert_eq!(params["method"], "alipay.trade.page.pay");
        assert_eq!(params["sign_type"], "RSA2");
        let content = fenxiao::payments::alipay::signing_content(&params, false);
        let app_key = fenxiao::payments::keys::public_key(&app_public).unwrap();
        assert!(fenxiao::payments::keys::verify(
            &app_key,
            content.as_bytes(),
            &params["sign"]
        ));
        let biz: Value = serde_json::from_str(&params["biz_content"]).unwrap();
        assert_eq!(biz["total_amount"], "110.00");
        let token = biz["out_trade_no"].as_str().unwrap().to_owned();

        let paid = [
            ("app_id", "2021000000000001"),
            ("seller_id", "2088000000000001"),
            ("out_trade_no", token.as_str()),
            ("trade_no", "2026120322001400001"),
            ("trade_status", "TRADE_SUCCESS"),
            ("total_amount", "110.00"),
            ("subject", "订单"),
            ("notify_id", "ac05099524730693a8b330c5ecf72da9786"),
        ];
        // Tampered after signing: refused, nothing recorded.
        let tampered =
            alipay_form(&alipay_key, &paid).replace("total_amount=110.00", "total_amount=0.01");
        assert_problem(post_alipay(&app, tampered).await, 401, "invalid_signature").await;
        // Signed by someone else.
        let (forger, _, _) = key_pair();
        assert_problem(
            post_alipay(&app, alipay_form(&forger, &paid)).await,
            401,
            "invalid_signature",
        )
        .await;
        // Genuine but for another application.
        let mut elsewhere = paid;
        elsewhere[0] = ("app_id", "2021000000009999");
        assert_problem(
            post_alipay(&app, alipay_form(&alipay_key, &elsewhere)).await,
            422,
            "unknown_payment",
        )
        .await;
        assert_eq!(receipts(&app), Vec::<String>::new());

        let res = post_alipay(&app, alipay_form(&alipay_key, &paid)).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.text().await.unwrap(), "success");
        assert_eq!(order_of(&app, &member, &order).await.status, "paid");
        // Alipay retries until it reads `success`: the repeat changes nothing.
        let res = post_alipay(&app, alipay_form(&alipay_key, &paid)).await;
        assert_eq!(res.text().await.unwrap(), "success");
        assert_eq!(receipts(&app), ["paid"]);
        assert_eq!(count_events(&app, owner.merchant_id, "order.paid"), 1);

        // A closed trade fails its attempt; the order of another buyer still waits.
        let (other, second) = an_order(&app, &owner, "13800000002", json!({})).await;
        let started: Value =
            expect_json(pay_with(&app, &other, &second, "alipay").await, 201).await;
        let url = url::Url::parse(started["pay_url"].as_str().unwrap()).unwrap();
        let biz: Value = serde_json::from_str(
            &url.query_pairs()
                .find(|(k, _)| k == "biz_content")
                .unwrap()
                .1,
        )
        .unwrap();
        let closed = [
            ("app_id", "2021000000000001"),
            ("seller_id", "2088000000000001"),
            ("out_trade_no", biz["out_trade_no"].as_str().unwrap()),
            ("trade_no", "2026120322001400002"),
            ("trade_status", "TRADE_CLOSED"),
            ("total_amount", "110.00"),
        ];
        assert_eq!(
            post_alipay(&app, alipay_form(&alipay_key, &closed))
                .await
                .status(),
            200
        );
        let now = order_of(&app, &other, &second).await;
        assert_eq!(now.status, "pending_payment");
        assert_eq!(now.payments[0]["status"], "failed");
    }
);

db_test!(
    a_paid_order_hands_its_virtual_codes_to_the_buyer_only,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        enable(&app, &owner, "sandbox", json!({})).await;
        let staff = app.bearer(&owner);
        let product: Value = staff
            .post(
                "/api/v1/products",
                &json!({ "name": "礼品卡", "skus": [{ "code": "V-1", "kind": "virtual", "retail_price": "50.00" }] }),
            )
            .await;
        let (id, sku) = (
            product["id"].as_i64().unwrap(),
            product["skus"][0]["id"].as_i64().unwrap(),
        );
        staff
            .expecting(200)
            .post::<Value>(
                &format!("/api/v1/skus/{sku}/codes"),
                &json!({ "codes": ["CARD-0001", "CARD-0002", "CARD-0003"] }),
            )
            .await;
        for (path, action) in [("status", "submit"), ("review", "approve")] {
            staff
                .expecting(200)
                .post::<Value>(
                    &format!("/api/v1/products/{id}/{path}"),
                    &json!({ "action": action }),
                )
                .await;
        }
        let member = app
            .member(owner.merchant_id.get(), "13800000001", json!({}))
            .await;
        // Nothing to send: no address needed, no freight.
        let order: Order = expect_json(
            place(
                &app,
                &member,
                &json!({ "items": [{ "sku_id": sku, "quantity": 2 }] }),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(
            (order.delivery.as_str(), order.total.as_str()),
            ("none", "100.00")
        );
        let codes_path = member.me(&format!("/orders/{}/codes", order.id));
        let before: Vec<Value> = app.bearer(&member).get(&codes_path).await;
        assert!(before.is_empty(), "no codes before the payment");
        let token = sandbox_token(&app, &member, &order).await;
        let answer: Value = expect_json(
            notify(
                &app,
                &test_jwt_key(),
                &notification(&token, "SBX-v", "100.00"),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(answer["result"], "paid");
        // Nothing to send: the codes were the delivery, and the order is complete.
        let done: Order = app
            .bearer(&member)
            .get(&member.me(&format!("/orders/{}", order.id)))
            .await;
        assert_eq!(done.status, "completed");
        assert_eq!(done.timeline.last().unwrap()["note"], "nothing_to_ship");
        assert_eq!(done.lines[0].shipped_quantity, 2);
        assert!(done.after_sale_until.is_some());
        assert_eq!(count_events(&app, owner.merchant_id, "order.completed"), 1);
        let codes: Vec<Value> = app.bearer(&member).get(&codes_path).await;
        let codes: Vec<&str> = codes.iter().map(|c| c["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["CARD-0001", "CARD-0002"]);
        let summary: Value = staff
            .get(&format!("/api/v1/skus/{sku}/codes/summary"))
            .await;
        assert_eq!(summary["available"], 1, "two codes went, once: {summary}");
        // Another member of the shop sees nothing of it.
        let other = app
            .member(owner.merchant_id.get(), "13800000002", json!({}))
            .await;
        let res = app
            .bearer(&other)
            .get_raw(&other.me(&format!("/orders/{}/codes", order.id)))
            .await;
        assert_eq!(res.status(), 404);
    }
);
