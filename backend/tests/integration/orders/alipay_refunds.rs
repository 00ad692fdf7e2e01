//! Refunds through Alipay against a local stand-in for its gateway: `alipay.trade.refund`
//! signed with the application's key, its answer believed only when its signature verifies
//! under Alipay's key, asked again under the same number by the refund job, refused refunds left
//! to finance.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::fixtures::{
    address, count_events, enable, listed_sku, order_body, pay_with, place, refund_job, Order,
};
use super::payments::{alipay_form, key_pair, post_alipay};
use crate::harness::{expect_json, SignedIn, TestApp, TestBackend};
use actix_web::{web, App, HttpResponse, HttpServer};
use fenxiao::payments::{alipay, keys, refunds};
use rsa::RsaPrivateKey;
use serde_json::{json, Value};

/// How the stand-in answers refunds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// Refunded, signed by "Alipay".
    Refunded,
    /// Refunded, but signed by someone else.
    Forged,
    /// A business failure, signed.
    Refused,
}

struct Gateway {
    answer: Answer,
    alipay: RsaPrivateKey,
    forger: RsaPrivateKey,
    /// Each request's form, and whether its signature verified under the application's key.
    requests: Vec<(BTreeMap<String, String>, bool)>,
    /// The refund numbers refunded: a repeat moves no money (`fund_change` `N`).
    refunded: Vec<String>,
    app_public: rsa::RsaPublicKey,
}

/// Alipay's gateway as far as refunds go; answers its address.
fn stand_in(gateway: Arc<Mutex<Gateway>>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let gateway = gateway.clone();
        App::new().route(
            "/gateway.do",
            web::post().to(move |body: String| {
                let gateway = gateway.clone();
                async move {
                    let mut g = gateway.lock().unwrap();
                    let form: BTreeMap<String, String> =
                        url::form_urlencoded::parse(body.as_bytes())
                            .into_owned()
                            .collect();
                    let content = alipay::signing_content(&form, false);
                    let verified = keys::verify(&g.app_public, content.as_bytes(), &form["sign"]);
                    let biz: Value = serde_json::from_str(&form["biz_content"]).unwrap();
                    let number = biz["out_request_no"].as_str().unwrap().to_owned();
                    let method = form["method"].clone();
                    g.requests.push((form, verified));
                    let (member, response) = if method == alipay::REFUND_QUERY_METHOD {
                        let done = g.refunded.contains(&number);
                        let mut found = json!({
                            "code": "10000", "msg": "Success", "trade_no": "2026120622001400001",
                            "out_request_no": number, "refund_amount": "110.00",
                        });
                        if done {
                            found["refund_status"] = json!("REFUND_SUCCESS");
                        }
                        (alipay::REFUND_QUERY_RESPONSE, found)
                    } else {
                        let answer = match g.answer {
                            Answer::Refunded | Answer::Forged => {
                                let again = g.refunded.contains(&number);
                                g.refunded.push(number);
                                json!({
                                    "code": "10000", "msg": "Success",
                                    "trade_no": "2026120622001400001", "out_trade_no": "x",
                                    "buyer_logon_id": "159****5620",
                                    "fund_change": if again { "N" } else { "Y" },
                                    "refund_fee": "110.00",
                                })
                            }
                            Answer::Refused => json!({
                                "code": "40004", "msg": "Business Failed",
                                "sub_code": "ACQ.TRADE_STATUS_ERROR", "sub_msg": "交易状态不合法",
                            }),
                        };
                        (alipay::REFUND_RESPONSE, answer)
                    };
                    let response = response.to_string();
                    let signer = if g.answer == Answer::Forged {
                        &g.forger
                    } else {
                        &g.alipay
                    };
                    let sign = keys::sign(signer, response.as_bytes());
                    HttpResponse::Ok()
                        .content_type("text/html;charset=utf-8")
                        .body(format!("{{\"{member}\":{response},\"sign\":\"{sign}\"}}"))
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    format!("http://127.0.0.1:{port}/gateway.do")
}

/// A new member's order of 2 × 50.00 plus 10.00 freight, paid by Alipay; answers its payment's
/// `out_trade_no` too.
async fn paid_by_alipay(
    app: &TestApp,
    owner: &SignedIn,
    alipay_key: &RsaPrivateKey,
    phone: &str,
) -> (Order, String) {
    let tea = listed_sku(app, owner, &format!("T-{phone}"), "50.00", 10).await;
    let member = app.member(owner.merchant_id.get(), phone, json!({})).await;
    let to = address(app, &member, "330100").await;
    let order: Order = expect_json(place(app, &member, &order_body(tea, 2, to)).await, 201).await;
    let started: Value = expect_json(pay_with(app, &member, &order, "alipay").await, 201).await;
    let url = url::Url::parse(started["pay_url"].as_str().unwrap()).unwrap();
    let biz: Value = serde_json::from_str(
        &url.query_pairs()
            .find(|(k, _)| k == "biz_content")
            .unwrap()
            .1,
    )
    .unwrap();
    let token = biz["out_trade_no"].as_str().unwrap().to_owned();
    let trade_no = format!("2026120622{phone}");
    let paid = [
        ("app_id", "2021000000000001"),
        ("out_trade_no", token.as_str()),
        ("trade_no", trade_no.as_str()),
        ("trade_status", "TRADE_SUCCESS"),
        ("total_amount", "110.00"),
    ];
    assert_eq!(
        post_alipay(app, alipay_form(alipay_key, &paid))
            .await
            .status(),
        200
    );
    (order, token)
}

async fn run(backend: TestBackend) {
    let (app_key, app_private, _) = key_pair();
    let (alipay_key, _, alipay_public) = key_pair();
    let (forger, _, _) = key_pair();
    let gateway = Arc::new(Mutex::new(Gateway {
        answer: Answer::Forged,
        alipay: alipay_key.clone(),
        forger,
        requests: Vec::new(),
        refunded: Vec::new(),
        app_public: rsa::RsaPublicKey::from(&app_key),
    }));
    let address_of_gateway = stand_in(gateway.clone());
    let app = TestApp::spawn_with(backend, |c| c.alipay_gateway = address_of_gateway.clone()).await;
    let owner = app.owner("boss@example.com").await;
    enable(
        &app,
        &owner,
        "alipay",
        json!({ "app_id": "2021000000000001", "private_key": app_private, "alipay_public_key": alipay_public }),
    )
    .await;
    let (order, token) = paid_by_alipay(&app, &owner, &alipay_key, "13800000001").await;
    let staff_view = format!("/api/v1/orders/{}", order.id);

    // Cancelled by staff: the refund is asked at once; an answer whose signature does not
    // verify is not believed.
    app.bearer(&owner)
        .expecting(200)
        .post::<Value>(
            &format!("{staff_view}/cancel"),
            &json!({ "reason": "缺货" }),
        )
        .await;
    let cancelled: Order = app.bearer(&owner).get(&staff_view).await;
    let refund = cancelled.refunds[0].clone();
    assert_eq!(refund["status"], "pending");
    assert_eq!(refund["failure_reason"], "answer_not_verified");
    let refund_no = refund["refund_no"].as_str().unwrap().to_owned();
    {
        let g = gateway.lock().unwrap();
        let (form, verified) = &g.requests[0];
        assert!(verified, "signed with the application's key");
        assert_eq!(form["method"], "alipay.trade.refund");
        assert_eq!(form["app_id"], "2021000000000001");
        let biz: Value = serde_json::from_str(&form["biz_content"]).unwrap();
        assert_eq!(biz["out_trade_no"], token.as_str());
        assert_eq!(biz["out_request_no"], refund_no.as_str());
        assert_eq!(biz["refund_amount"], "110.00");
    }
    assert_eq!(count_events(&app, owner.merchant_id, "refund.completed"), 0);
    // Alipay may have paid it: finance cannot record it by hand meanwhile.
    let res = app
        .bearer(&owner)
        .post_raw(
            &format!("/api/v1/refunds/{}/record", refund["id"]),
            &json!({ "reference": "BY-HAND-1" }),
        )
        .await;
    assert_eq!(res.status(), 409);

    // Within its lease nobody asks again; after it, the job does, under the same number: Alipay
    // moved the money the first time (`fund_change` `N` now), which its refund query confirms.
    gateway.lock().unwrap().answer = Answer::Refunded;
    assert_eq!(refund_job(&app, 0).await.submitted, 0);
    assert_eq!(
        refund_job(&app, refunds::SUBMIT_LEASE + 1).await.submitted,
        1
    );
    let refunded: Order = app.bearer(&owner).get(&staff_view).await;
    assert_eq!(refunded.refunds[0]["status"], "succeeded");
    assert_eq!(
        refunded.refunds[0]["provider_refund_id"],
        "2026120622001400001"
    );
    assert_eq!(refunded.refunded, "110.00");
    assert!(!refunded.refund_due);
    // Once refunded, never asked again.
    assert_eq!(
        refund_job(&app, 3 * refunds::SUBMIT_LEASE).await.submitted,
        0
    );
    {
        let g = gateway.lock().unwrap();
        assert_eq!(g.requests.len(), 3);
        let biz: Value = serde_json::from_str(&g.requests[1].0["biz_content"]).unwrap();
        assert_eq!(biz["out_request_no"], refund_no.as_str());
        let (query, verified) = &g.requests[2];
        assert_eq!(query["method"], alipay::REFUND_QUERY_METHOD);
        assert!(verified);
        let biz: Value = serde_json::from_str(&query["biz_content"]).unwrap();
        assert_eq!(biz["out_request_no"], refund_no.as_str());
    }
    assert_eq!(count_events(&app, owner.merchant_id, "refund.completed"), 1);

    // A refusal fails the refund with Alipay's reason; finance refunds by hand and records it.
    gateway.lock().unwrap().answer = Answer::Refused;
    let (second, _) = paid_by_alipay(&app, &owner, &alipay_key, "13800000002").await;
    let second_view = format!("/api/v1/orders/{}", second.id);
    app.bearer(&owner)
        .expecting(200)
        .post::<Value>(&format!("{second_view}/cancel"), &json!({}))
        .await;
    let failed: Order = app.bearer(&owner).get(&second_view).await;
    assert_eq!(failed.refunds[0]["status"], "failed");
    assert!(failed.refunds[0]["failure_reason"]
        .as_str()
        .unwrap()
        .contains("ACQ.TRADE_STATUS_ERROR"));
    // Staff who may refund are told in their inbox.
    let inbox: Value = app.bearer(&owner).get("/api/v1/notifications").await;
    let told = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "refund_failed")
        .expect("a refund_failed notice");
    assert_eq!(told["target_id"], failed.refunds[0]["id"].to_string());
    assert_eq!(
        refund_job(&app, 3 * refunds::SUBMIT_LEASE).await.submitted,
        0,
        "refused for good"
    );
    let recorded: Value = app
        .bearer(&owner)
        .expecting(200)
        .post(
            &format!("/api/v1/refunds/{}/record", failed.refunds[0]["id"]),
            &json!({ "reference": "ALIPAY-CONSOLE-0001" }),
        )
        .await;
    assert_eq!(recorded["status"], "succeeded");
    assert_eq!(count_events(&app, owner.merchant_id, "refund.completed"), 2);

    // Answers it can never believe (a wrong Alipay key configured, say): asked again under its
    // lease until the tries run out, then failed for finance.
    gateway.lock().unwrap().answer = Answer::Forged;
    let (third, _) = paid_by_alipay(&app, &owner, &alipay_key, "13800000003").await;
    let third_view = format!("/api/v1/orders/{}", third.id);
    let asked_before = gateway.lock().unwrap().requests.len();
    app.bearer(&owner)
        .expecting(200)
        .post::<Value>(&format!("{third_view}/cancel"), &json!({}))
        .await;
    for round in 1..=refunds::MAX_TRIES {
        refund_job(&app, i64::from(round) * (refunds::SUBMIT_LEASE + 1)).await;
    }
    let given_up: Order = app.bearer(&owner).get(&third_view).await;
    assert_eq!(given_up.refunds[0]["status"], "failed");
    assert!(given_up.refunds[0]["failure_reason"]
        .as_str()
        .unwrap()
        .starts_with("no usable answer after 20 tries"));
    // The cancellation's own try, then the job's, and none once failed.
    let asked = gateway.lock().unwrap().requests.len() - asked_before;
    assert_eq!(asked, usize::try_from(refunds::MAX_TRIES).unwrap());
}

#[actix_web::test]
async fn alipay_refunds_on_sqlite() {
    run(TestBackend::Sqlite).await;
}

#[actix_web::test]
async fn alipay_refunds_on_postgres() {
    if crate::harness::postgres_admin_url().is_some() {
        run(TestBackend::Postgres).await;
    }
}
