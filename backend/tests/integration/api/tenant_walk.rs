//! Walks every operation of the OpenAPI document and proves who is refused: nobody signed in, an
//! expired or forged token, the wrong kind of account, a caller without the permission the
//! operation documents ("Needs `x.y`" in its 403 response), and another tenant, for whom an
//! object of the first tenant is indistinguishable from one that does not exist (404). A new
//! endpoint is covered by being documented; an endpoint without `security` must be listed as
//! public here.


use std::collections::HashMap;

use crate::harness::{test_jwt_key, TestApp};
use fenxiao::auth::account::AccountKind;
use fenxiao::auth::jwt::{self, TokenUse};
use fenxiao::auth::permissions::Permission;
use serde_json::{json, Value};

/// Operations anyone may call: sign-up, sign-in and their kin, health, metadata.
const PUBLIC: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    "GET /api/v1/meta",
    "GET /api/v1/regions",
    "POST /api/v1/signup",
    "POST /api/v1/signup/verify-email",
    "POST /api/v1/auth/sign-in",
    "POST /api/v1/platform/auth/sign-in",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/mfa/verify",
    "POST /api/v1/auth/password-reset",
    "POST /api/v1/auth/password-reset/confirm",
    "POST /api/v1/staff/invitations/accept",
    "POST /api/v1/shops/{merchant_id}/verification-codes",
    "POST /api/v1/shops/{merchant_id}/members",
    "POST /api/v1/shops/{merchant_id}/members/sign-in",
    "GET /api/v1/shop/{slug}",
    "GET /api/v1/shop/{slug}/products",
    "GET /api/v1/shops/{merchant_id}/distributor-application-form",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// Staff and API keys of a merchant.
    Merchant,
    Operator,
    Member,
    /// Any signed-in account.
    Anyone,
}

fn audience(path: &str) -> Audience {
    if path.starts_with("/api/v1/platform/") {
        Audience::Operator
    } else if path.starts_with("/api/v1/shops/") || path.starts_with("/api/v1/members/me/") {
        Audience::Member
    } else if path.starts_with("/api/v1/auth/") {
        Audience::Anyone
    } else {
        Audience::Merchant
    }
}

/// The permission an operation documents in its 403 response.
fn documented_permission(operation: &Value) -> Option<Permission> {
    let text = operation["responses"]["403"]["description"].as_str()?;
    let start = text.find("Needs `")? + "Needs `".len();
    let end = text[start..].find('`')? + start;
    Some(
        Permission::parse(&text[start..end])
            .unwrap_or_else(|| panic!("unknown permission in {text}")),
    )
}

struct World {
    app: TestApp,
    a_owner: String,
    b_owner: String,
    a_member: String,
    operator: String,
    expired: String,
    forged: String,
    params: HashMap<&'static str, String>,
    keys_without: HashMap<Permission, String>,
}

impl World {
    async fn build(app: TestApp) -> World {
        let a = app.owner("a@example.com").await;
        let b = app.owner("b@example.com").await;
        // Objects of tenant A, one of each kind the paths name.
        let invited: Value = app
            .post("/api/v1/staff/invitations")
            .bearer_auth(&a.access_token)
            .json(&json!({ "email": "staff-a@example.com", "name": "甲", "role": "viewer" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let key: Value = app
            .post("/api/v1/api-keys")
            .bearer_auth(&a.access_token)
            .json(&json!({ "name": "A key", "scopes": ["staff.read"] }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let second: Value = app
            .sign_in("/api/v1/auth/sign-in", "a@example.com", "tea-garden-2026")
            .await
            .json()
            .await
            .unwrap();
        app.post(&format!(
            "/api/v1/shops/{}/verification-codes",
            a.merchant_id
        ))
        .json(&json!({ "recipient": "13812345678" }))
        .send()
        .await
        .unwrap();
        let code = {
            use diesel::prelude::*;
            use fenxiao::db::schema::outbox_messages as o;
            let body: String = o::table
                .filter(o::template.eq("verification_code"))
                .select(o::body)
                .first(&mut *app.conn())
                .unwrap();
            let start = body.find("验证码是 ").unwrap() + "验证码是 ".len();
            body[start..start + 6].to_owned()
        };
        let member: Value = app
            .post(&format!("/api/v1/shops/{}/members", a.merchant_id))
            .json(&json!({ "login": "13812345678", "code": code, "password": "shopper-2026" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let member_id = app
            .get(&format!("/api/v1/shops/{}/members/me", a.merchant_id))
            .bearer_auth(member["tokens"]["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        // A distributor of tenant A: the member's own distributor profile.
        let distributor_id = app
            .post("/api/v1/distributors")
            .bearer_auth(&a.access_token)
            .json(&json!({ "member_id": member_id }))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        // A pending distributor application of tenant A, from a second member.
        app.post(&format!(
            "/api/v1/shops/{}/verification-codes",
            a.merchant_id
        ))
        .json(&json!({ "recipient": "13812345679" }))
        .send()
        .await
        .unwrap();
        let applicant_code = {
            use diesel::prelude::*;
            use fenxiao::db::schema::outbox_messages as o;
            let body: String = o::table
                .filter(o::template.eq("verification_code"))
                .filter(o::recipient.eq("13812345679"))
                .select(o::body)
                .first(&mut *app.conn())
                .unwrap();
            let start = body.find("验证码是 ").unwrap() + "验证码是 ".len();
            body[start..start + 6].to_owned()
        };
        let applicant: Value = app
            .post(&format!("/api/v1/shops/{}/members", a.merchant_id))
            .json(&json!({ "login": "13812345679", "code": applicant_code, "password": "shopper-2026" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let application: Value = app
            .post("/api/v1/members/me/distributor-application")
            .bearer_auth(applicant["tokens"]["access_token"].as_str().unwrap())
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(application["status"], "pending");
        fenxiao::platform::operators::create(
            &mut app.conn(),
            "root@example.com",
            "运维",
            "platform-pass-2026",
        )
        .unwrap();
        let operator: Value = app
            .sign_in(
                "/api/v1/platform/auth/sign-in",
                "root@example.com",
                "platform-pass-2026",
            )
            .await
            .json()
            .await
            .unwrap();

        let past = fenxiao::clock::now() - chrono::Duration::hours(1);
        let (expired, _) = jwt::issue(
            &test_jwt_key(),
            AccountKind::Staff,
            a.account_id,
            Some(a.merchant_id),
            Some(1),
            TokenUse::Access,
            past,
        )
        .unwrap();
        let other_key = fenxiao::secrets::SecretKey::from_bytes(
            b"some-other-installation-key-0123456789".to_vec(),
        );
        let (forged, _) = jwt::issue(
            &other_key,
            AccountKind::Staff,
            a.account_id,
            Some(a.merchant_id),
            Some(1),
            TokenUse::Access,
            fenxiao::clock::now(),
        )
        .unwrap();

        let category: Value = app
            .post("/api/v1/categories")
            .bearer_auth(&a.access_token)
            .json(&json!({ "name": "茶叶" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let product: Value = app
            .post("/api/v1/products")
            .bearer_auth(&a.access_token)
            .json(&json!({
                "name": "龙井", "category_id": category["id"],
                "skus": [{ "code": "A-1", "retail_price": "10.00", "stock": 5, "low_stock_threshold": 4 }]
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Crossing the threshold puts a notice in the owner's inbox.
        app.post(&format!(
            "/api/v1/skus/{}/stock-adjustments",
            product["skus"][0]["id"]
        ))
        .bearer_auth(&a.access_token)
        .json(&json!({ "delta": -1, "reason": "盘点" }))
        .send()
        .await
        .unwrap();
        let inbox: Value = app
            .get("/api/v1/notifications")
            .bearer_auth(&a.access_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let carriers: Value = app
            .get("/api/v1/carriers")
            .bearer_auth(&a.access_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let pickup_point: Value = app
            .post("/api/v1/pickup-points")
            .bearer_auth(&a.access_token)
            .json(&json!({
                "name": "西湖店", "region_code": "330100", "address": "杭州市西湖区龙井路 1 号",
                "contact_phone": "0571-88888888"
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let template: Value = app
            .post("/api/v1/freight-templates")
            .bearer_auth(&a.access_token)
            .json(&json!({
                "name": "默认运费", "mode": "piece", "first_units": 1, "first_price": "8",
                "additional_units": 1, "additional_price": "2"
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let import: Value = app
            .post("/api/v1/catalog/imports?dry_run=true")
            .bearer_auth(&a.access_token)
            .header("content-type", "text/csv")
            .body("商品名称 name,SKU编码 sku_code,零售价 retail_price\n红茶,A-2,12.50\n")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tier: Value = app
            .post("/api/v1/distribution/tiers")
            .bearer_auth(&a.access_token)
            .json(&json!({
                "name": "金牌", "commission_kind": "percent", "level1": "10", "level2": "5"
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // The distributor is demoted, which holds its automatic promotion: the refused callers
        // of the release must leave the hold in place.
        for (tier_id, reason) in [(tier["id"].clone(), "晋级"), (Value::Null, "降级")] {
            let res = app
                .client
                .put(app.url(&format!("/api/v1/distributors/{distributor_id}/tier")))
                .bearer_auth(&a.access_token)
                .json(&json!({ "tier_id": tier_id, "reason": reason }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
        let contest: Value = app
            .post("/api/v1/contests")
            .bearer_auth(&a.access_token)
            .json(&json!({
                "name": "月度冠军", "metric": "sales",
                "start_date": "2026-03-01", "end_date": "2026-03-31",
                "prizes": [{ "rank_from": 1, "rank_to": 1, "description": "冠军" }]
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let params = HashMap::from([
            ("tier_id", tier["id"].as_i64().unwrap().to_string()),
            ("contest_id", contest["id"].as_i64().unwrap().to_string()),
            (
                "carrier_id",
                carriers[0]["id"].as_i64().unwrap().to_string(),
            ),
            (
                "pickup_point_id",
                pickup_point["id"].as_i64().unwrap().to_string(),
            ),
            ("template_id", template["id"].as_i64().unwrap().to_string()),
            ("import_id", import["id"].as_i64().unwrap().to_string()),
            ("category_id", category["id"].as_i64().unwrap().to_string()),
            ("product_id", product["id"].as_i64().unwrap().to_string()),
            (
                "sku_id",
                product["skus"][0]["id"].as_i64().unwrap().to_string(),
            ),
            ("staff_id", invited["id"].as_i64().unwrap().to_string()),
            ("key_id", key["id"].as_i64().unwrap().to_string()),
            (
                "session_id",
                second["tokens"]["session_id"].as_i64().unwrap().to_string(),
            ),
            ("merchant_id", a.merchant_id.to_string()),
            ("member_id", member_id.to_string()),
            ("distributor_id", distributor_id.to_string()),
            (
                "application_id",
                application["id"].as_i64().unwrap().to_string(),
            ),
            (
                "notification_id",
                inbox["items"][0]["id"].as_i64().unwrap().to_string(),
            ),
        ]);
        World {
            a_owner: a.access_token,
            b_owner: b.access_token,
            a_member: member["tokens"]["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
            operator: operator["tokens"]["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
            expired,
            forged,
            params,
            keys_without: HashMap::new(),
            app,
        }
    }

    /// An API key of tenant A holding every permission but `missing`.
    async fn key_without(&mut self, missing: Permission) -> String {
        if let Some(key) = self.keys_without.get(&missing) {
            return key.clone();
        }
        let scopes: Vec<&str> = Permission::ALL
            .iter()
            .filter(|p| **p != missing)
            .map(|p| p.as_str())
            .collect();
        let res: Value = self
            .app
            .post("/api/v1/api-keys")
            .bearer_auth(&self.a_owner)
            .json(&json!({ "name": format!("without {}", missing.as_str()), "scopes": scopes }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let key = res["key"].as_str().unwrap().to_owned();
        self.keys_without.insert(missing, key.clone());
        key
    }

    fn fill(&self, path: &str) -> String {
        let mut out = String::new();
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').unwrap() + start;
            let name = &rest[start + 1..end];
            let value = self.params.get(name).unwrap_or_else(|| {
                panic!("no fixture for path parameter `{name}` in {path}: add one to World::build")
            });
            out.push_str(&rest[..start]);
            out.push_str(value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The path with every object id replaced by one that exists nowhere.
    fn fill_missing(&self, path: &str) -> String {
        let mut out = String::new();
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').unwrap() + start;
            out.push_str(&rest[..start]);
            out.push_str("987654321");
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    async fn call(&self, method: &str, path: &str, token: Option<&str>) -> u16 {
        let url = self.app.url(path);
        let mut req = match method {
            "get" => self.app.client.get(url),
            "post" => self.app.client.post(url),
            "put" => self.app.client.put(url),
            "patch" => self.app.client.patch(url),
            "delete" => self.app.client.delete(url),
            other => panic!("unexpected method {other}"),
        };
        if matches!(method, "post" | "put" | "patch") {
            req = req.json(&json!({}));
        }
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        if status >= 400 {
            let content_type = res
                .headers()
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            assert_eq!(content_type, "application/problem+json", "{method} {path}");
        }
        status
    }
}

db_test!(
    every_operation_refuses_the_wrong_callers,
    |app: TestApp| async move {
        let spec: Value = serde_json::from_str(&fenxiao::api::openapi_json()).unwrap();
        let mut world = World::build(app).await;
        let mut walked = 0;
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let name = format!("{} {path}", method.to_uppercase());
                let secured = operation["security"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty());
                if !secured {
                    assert!(
                        PUBLIC.contains(&name.as_str()),
                        "{name} has no `security`: secure it or list it as public"
                    );
                    continue;
                }
                assert!(
                    !PUBLIC.contains(&name.as_str()),
                    "{name} is listed as public but secured"
                );
                walked += 1;
                let target = world.fill(path);
                let m = method.as_str();
                assert_eq!(
                    world.call(m, &target, None).await,
                    401,
                    "{name} without a token"
                );
                assert_eq!(
                    world.call(m, &target, Some(&world.expired)).await,
                    401,
                    "{name} with an expired token"
                );
                assert_eq!(
                    world.call(m, &target, Some(&world.forged)).await,
                    401,
                    "{name} with a forged token"
                );
                assert_eq!(
                    world.call(m, &target, Some("fx_not-a-key")).await,
                    401,
                    "{name} with an unknown key"
                );

                let audience = audience(path);
                let wrong_kinds: Vec<(&str, &String)> = match audience {
                    Audience::Merchant => {
                        vec![("member", &world.a_member), ("operator", &world.operator)]
                    }
                    Audience::Operator => {
                        vec![("owner", &world.a_owner), ("member", &world.a_member)]
                    }
                    Audience::Member => {
                        vec![("owner", &world.a_owner), ("operator", &world.operator)]
                    }
                    Audience::Anyone => vec![],
                };
                for (who, token) in wrong_kinds {
                    assert_eq!(
                        world.call(m, &target, Some(token)).await,
                        403,
                        "{name} by the {who}"
                    );
                }
                if audience == Audience::Merchant {
                    let permission = documented_permission(operation)
                    .unwrap_or_else(|| panic!("{name}: document the permission as \"Needs `x.y`\" in its 403 response"));
                    let key = world.key_without(permission).await;
                    assert_eq!(
                        world.call(m, &target, Some(&key)).await,
                        403,
                        "{name} without {}",
                        permission.as_str()
                    );
                }
                if path.contains('{') && audience != Audience::Operator {
                    let stranger = match audience {
                        Audience::Member => None,
                        _ => Some(world.b_owner.clone()),
                    };
                    if let Some(stranger) = stranger {
                        // Another tenant's object must look exactly like one that does not exist:
                        // 404, or the same validation error a missing object would get when the
                        // walk's empty body is not a valid one.
                        let theirs = world.call(m, &target, Some(&stranger)).await;
                        let missing = world
                            .call(m, &world.fill_missing(path), Some(&stranger))
                            .await;
                        assert_eq!(
                            theirs, missing,
                            "{name}: another tenant's object differs from a missing one"
                        );
                        let expected: &[u16] = if matches!(m, "post" | "put" | "patch") {
                            &[404, 422]
                        } else {
                            &[404]
                        };
                        assert!(
                            expected.contains(&theirs),
                            "{name} by another tenant answered {theirs}"
                        );
                    }
                }
            }
        }
        assert!(walked >= 20, "walked only {walked} operations");

        // Nothing the refused calls aimed at changed.
        let app = &world.app;
        let staff: Value = app
            .get(&format!("/api/v1/staff/{}", world.params["staff_id"]))
            .bearer_auth(&world.a_owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(staff["status"], "invited");
        assert_eq!(staff["role"], "viewer");
        let keys: Value = app
            .get("/api/v1/api-keys")
            .bearer_auth(&world.a_owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(keys
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["revoked_at"].is_null()));
        let sessions: Value = app
            .get("/api/v1/auth/sessions")
            .bearer_auth(&world.a_owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(sessions.as_array().unwrap().len(), 2);
        let merchant: Value = app
            .get("/api/v1/merchant")
            .bearer_auth(&world.a_owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(merchant["status"], "active");
        assert_eq!(merchant["require_staff_mfa"], false);
        let unread: Value = app
            .get("/api/v1/notifications/unread-count")
            .bearer_auth(&world.a_owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // The low-stock notice and the notice of the pending application.
        assert_eq!(unread["unread"], 2, "nobody else could mark them read");
        let tier: Value = app
            .get(&format!(
                "/api/v1/distribution/tiers/{}",
                world.params["tier_id"]
            ))
            .bearer_auth(&world.a_owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(tier["name"], "金牌");
        assert_eq!(tier["level1"], "10");
        let contest: Value = app
            .get(&format!("/api/v1/contests/{}", world.params["contest_id"]))
            .bearer_auth(&world.a_owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(contest["status"], "draft");
        assert_eq!(contest["name"], "月度冠军");
        let application: Value = app
            .get(&format!(
                "/api/v1/distributor-applications/{}",
                world.params["application_id"]
            ))
            .bearer_auth(&world.a_owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            application["status"], "pending",
            "nobody else could decide it"
        );
        let distributor: Value = app
            .get(&format!(
                "/api/v1/distributors/{}",
                world.params["distributor_id"]
            ))
            .bearer_auth(&world.a_owner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            distributor["promotion_held_since"].is_string(),
            "nobody else could release the promotion hold: {distributor}"
        );
        assert_eq!(distributor["tier_id"], Value::Null);
    }
);
