//! The server process killed (SIGKILL) in the middle of placements and payments, then started
//! again: no order is left without its lines, no paid order without its payment, and the stock
//! is the initial stock less what the surviving orders hold. A real `fenxiao serve` process on
//! the test's database.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::fixtures::{address, listed_sku};
use crate::harness::{test_jwt_key, Member, TestApp, TestBackend};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use fenxiao::payments::sandbox;
use serde_json::{json, Value};

const STOCK: i64 = 500;

/// `fenxiao serve` on the app's database, with the app's secrets, so its tokens hold there.
fn serve(app: &TestApp, port: u16, data_dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_fenxiao"))
        .arg("serve")
        .env("FENXIAO_DATABASE_URL", &app.database_url)
        .env("FENXIAO_BIND", format!("127.0.0.1:{port}"))
        .env("FENXIAO_DATA_DIR", data_dir)
        .env("FENXIAO_FRONTEND_DIR", data_dir.join("no-frontend"))
        .env(
            "FENXIAO_JWT_SECRET",
            std::str::from_utf8(test_jwt_key().expose()).unwrap(),
        )
        .env("FENXIAO_ENCRYPTION_KEY", "2a".repeat(32))
        .env("FENXIAO_PROMOTION_INTERVAL_SECS", "0")
        .env("FENXIAO_PRINT_MESSAGES", "false")
        .env("FENXIAO_LOG_LEVEL", "error")
        .env("FENXIAO_DB_POOL_SIZE", "8")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the fenxiao binary starts")
}

async fn ready(base: &str) {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(res) = client.get(format!("{base}/readyz")).send().await {
            if res.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server at {base} did not become ready");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One buyer placing and paying orders against the process until it goes away.
async fn shop(base: String, member: Member, address_id: i64, sku: i64) {
    let client = reqwest::Client::new();
    let key = test_jwt_key();
    for _ in 0..200 {
        let placed = client
            .post(format!("{base}{}", member.me("/orders")))
            .bearer_auth(&member.token)
            .json(&json!({ "items": [{ "sku_id": sku, "quantity": 1 }], "address_id": address_id }))
            .send()
            .await;
        let Ok(placed) = placed else { return };
        let Ok(order) = placed.json::<Value>().await else {
            return;
        };
        let Some(id) = order["id"].as_i64() else {
            continue;
        };
        let started = client
            .post(format!(
                "{base}{}",
                member.me(&format!("/orders/{id}/payments"))
            ))
            .bearer_auth(&member.token)
            .json(&json!({ "method": "sandbox" }))
            .send()
            .await;
        let Ok(started) = started else { return };
        let Ok(started) = started.json::<Value>().await else {
            return;
        };
        let Some(url) = started["pay_url"].as_str() else {
            continue;
        };
        let token = url.rsplit('/').next().unwrap_or_default();
        let body = serde_json::to_vec(&json!({
            "payment_token": token, "transaction_id": format!("SBX-{token}"),
            "amount": order["total"], "outcome": "succeeded"
        }))
        .unwrap();
        let signature = sandbox::sign(&key, fenxiao::clock::now().and_utc().timestamp(), &body);
        if client
            .post(format!("{base}{}", sandbox::NOTIFY_PATH))
            .header(sandbox::SIGNATURE_HEADER, signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .is_err()
        {
            return;
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(app: &TestApp, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(&mut *app.conn())
        .unwrap()
        .n
}

async fn run(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let owner = app.owner("boss@example.com").await;
    app.bearer(&owner)
        .expecting(200)
        .put::<Value>(
            "/api/v1/payment-methods",
            &json!({ "kind": "sandbox", "enabled": true, "settings": {} }),
        )
        .await;
    let sku = listed_sku(&app, &owner, "T-1", "10.00", STOCK).await;
    let mut buyers = Vec::new();
    for n in 0..6 {
        let member = app
            .member(
                owner.merchant_id.get(),
                &format!("1390000{n:04}"),
                json!({}),
            )
            .await;
        let to = address(&app, &member, "330100").await;
        buyers.push((member, to));
    }

    let data_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = serve(&app, port, data_dir.path());
    ready(&base).await;
    let load: Vec<_> = buyers
        .iter()
        .map(|(member, to)| actix_web::rt::spawn(shop(base.clone(), member.clone(), *to, sku)))
        .collect();
    // Let the load get going, then kill the process in the middle of it.
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if count(&app, "SELECT COUNT(*) AS n FROM payment_receipts") >= 5 {
            break;
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    for task in load {
        let _ = task.await;
    }

    // Started again, it serves on.
    let mut child = serve(&app, port, data_dir.path());
    ready(&base).await;
    let (member, to) = buyers[0].clone();
    shop_once(&base, &member, to, sku).await;
    child.kill().unwrap();
    child.wait().unwrap();

    let orders = count(&app, "SELECT COUNT(*) AS n FROM orders");
    assert!(
        orders > 5,
        "the load placed orders before the kill: {orders}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"),
        0,
        "an order without its lines"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM orders o WHERE o.status = 'paid' AND NOT EXISTS (SELECT 1 FROM payment_receipts r WHERE r.order_id = o.id AND r.outcome = 'paid') "),
        0,
        "a paid order without its payment"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM payment_receipts r JOIN orders o ON o.id = r.order_id WHERE r.outcome = 'paid' AND o.status <> 'paid'"),
        0,
        "a payment whose order is not paid"
    );
    let held = count(
        &app,
        "SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) AS n FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status <> 'cancelled'",
    );
    let stock = count(
        &app,
        &format!("SELECT stock AS n FROM skus WHERE id = {sku}"),
    );
    assert_eq!(stock, STOCK - held, "stock = initial - sold");
}

/// One more order, placed and paid after the restart.
async fn shop_once(base: &str, member: &Member, to: i64, sku: i64) {
    let client = reqwest::Client::new();
    let placed: Value = client
        .post(format!("{base}{}", member.me("/orders")))
        .bearer_auth(&member.token)
        .json(&json!({ "items": [{ "sku_id": sku, "quantity": 1 }], "address_id": to }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(placed["status"], "pending_payment", "{placed}");
}

#[actix_web::test]
async fn a_killed_server_leaves_orders_payments_and_stock_whole_on_sqlite() {
    run(TestBackend::Sqlite).await;
}

#[actix_web::test]
async fn a_killed_server_leaves_orders_payments_and_stock_whole_on_postgres() {
    if crate::harness::postgres_admin_url().is_some() {
        run(TestBackend::Postgres).await;
    }
}
