//! Walks every operation of the OpenAPI document and proves who is refused: nobody signed in, an
//! expired or forged token, the wrong kind of account, a caller without the permission the
//! operation documents ("Needs `x.y`" in its 403 response), and another tenant, for whom an
//! object of the first tenant is indistinguishable from one that does not exist (404). On the
//! member paths (`/api/v1/shops/{slug}/me…`) the other tenant is a member of another shop, for
//! whom the first shop is indistinguishable from an address that does not exist. A new endpoint
//! is covered by being documented; an endpoint without `security` must be listed as public here.

use std::collections::HashMap;

use crate::harness::{expect_json, test_jwt_key, Id, TestApp, OWNER_PASSWORD};
use fenxiao::auth::account::AccountKind;
use fenxiao::auth::jwt::{self, TokenUse};
use fenxiao::auth::permissions::Permission;
use reqwest::Method;
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
    "POST /api/v1/shops/{slug}/verification-codes",
    "POST /api/v1/shops/{slug}/members",
    "POST /api/v1/shops/{slug}/members/sign-in",
    "GET /api/v1/shops/{slug}",
    "GET /api/v1/shops/{slug}/products",
    "GET /api/v1/shops/{slug}/distributor-application-form",
    // The sandbox provider: its page's address is the capability, its notifications are signed.
    "GET /api/v1/payments/sandbox/{token}",
    "POST /api/v1/payments/sandbox/{token}/{outcome}",
    "POST /api/v1/payments/notifications/sandbox",
    "POST /api/v1/payments/notifications/alipay",
    "POST /api/v1/payments/notifications/wechat/{token}",
    "POST /api/v1/payments/notifications/wechat-refunds/{refund_no}",
    // Trackers' pushes: verified by their signatures (a package's salt, the shop's secret).
    "POST /api/v1/tracking/kuaidi100/{token}",
    "POST /api/v1/tracking/webhooks/{slug}",
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
    } else if path.starts_with("/api/v1/shops/") {
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
    /// A member of tenant B's shop.
    b_member: String,
    b_shop: String,
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
        let owner_a = app.bearer(&a);
        let invited: Id = owner_a
            .post(
                "/api/v1/staff/invitations",
                &json!({ "email": "staff-a@example.com", "name": "甲", "role": "viewer" }),
            )
            .await;
        let key: Id = owner_a
            .post(
                "/api/v1/api-keys",
                &json!({ "name": "A key", "scopes": ["staff.read"] }),
            )
            .await;
        let second: Value = app
            .sign_in("/api/v1/auth/sign-in", "a@example.com", OWNER_PASSWORD)
            .await
            .json()
            .await
            .unwrap();
        let member = app
            .member(a.merchant_id.get(), "13812345678", json!({}))
            .await;
        // A distributor of tenant A: the member's own distributor profile.
        let distributor: Id = owner_a
            .post("/api/v1/distributors", &json!({ "member_id": member.id }))
            .await;
        // A pending distributor application of tenant A, from a second member.
        let applicant = app
            .member(a.merchant_id.get(), "13812345679", json!({}))
            .await;
        let application: Value = app
            .bearer(&applicant)
            .post(&applicant.me("/distributor-application"), &json!({}))
            .await;
        assert_eq!(application["status"], "pending");
        let b_member = app
            .member(b.merchant_id.get(), "13812345678", json!({}))
            .await;
        let operator = app.operator().await;

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

        let category: Id = owner_a
            .post("/api/v1/categories", &json!({ "name": "茶叶" }))
            .await;
        let product: Value = owner_a
            .post(
                "/api/v1/products",
                &json!({
                    "name": "龙井", "category_id": category.id,
                    "skus": [{ "code": "A-1", "retail_price": "10.00", "stock": 5, "low_stock_threshold": 4 }]
                }),
            )
            .await;
        // Crossing the threshold puts a notice in the owner's inbox.
        owner_a
            .post::<Value>(
                &format!(
                    "/api/v1/skus/{}/stock-adjustments",
                    product["skus"][0]["id"]
                ),
                &json!({ "delta": -1, "reason": "盘点" }),
            )
            .await;
        let inbox: Value = owner_a.get("/api/v1/notifications").await;
        // The product on sale, and an order of the member's for it, sent to their address.
        let product_id = product["id"].as_i64().unwrap();
        for (path, action) in [("status", "submit"), ("review", "approve")] {
            owner_a
                .expecting(200)
                .post::<Value>(
                    &format!("/api/v1/products/{product_id}/{path}"),
                    &json!({ "action": action }),
                )
                .await;
        }
        let address: Id = app
            .bearer(&member)
            .post(
                &member.me("/addresses"),
                &json!({
                    "recipient": "王丽", "phone": "13812345678", "province_code": "330000",
                    "city_code": "330100", "detail": "文三路 90 号"
                }),
            )
            .await;
        let order: Id = app
            .bearer(&member)
            .post(
                &member.me("/orders"),
                &json!({
                    "items": [{ "sku_id": product["skus"][0]["id"], "quantity": 1 }],
                    "address_id": address.id
                }),
            )
            .await;
        // Two paid orders of the member's: one that staff cancelled (so it has its refund), one
        // with an after-sales request waiting for staff.
        let body = json!({
            "items": [{ "sku_id": product["skus"][0]["id"], "quantity": 1 }],
            "address_id": address.id
        });
        let mut paid = Vec::new();
        for _ in 0..2 {
            let placed: crate::orders::fixtures::Order =
                app.bearer(&member).post(&member.me("/orders"), &body).await;
            crate::orders::fixtures::pay_in_sandbox(&app, &a, &member, &placed).await;
            paid.push(placed);
        }
        let cancelled: Value = owner_a
            .post(
                &format!("/api/v1/orders/{}/cancel", paid[0].id),
                &json!({ "reason": "缺货" }),
            )
            .await;
        let refund_id = cancelled["refunds"][0]["id"].as_i64().unwrap();
        // The other one shipped, so it has a package.
        let carriers: Vec<Id> = owner_a.get("/api/v1/carriers").await;
        let shipped: Value = owner_a
            .post(
                &format!("/api/v1/orders/{}/packages", paid[1].id),
                &json!({ "carrier_id": carriers[0].id, "tracking_no": "SF1000000001" }),
            )
            .await;
        let package_id = shipped["packages"][0]["id"].as_i64().unwrap();
        let after_sale: Id = app
            .bearer(&member)
            .post(
                &member.me(&format!("/orders/{}/after-sales", paid[1].id)),
                &json!({ "kind": "refund_only", "reason": "不想要了" }),
            )
            .await;
        let carriers: Vec<Id> = owner_a.get("/api/v1/carriers").await;
        let pickup_point: Id = owner_a
            .post(
                "/api/v1/pickup-points",
                &json!({
                    "name": "西湖店", "region_code": "330100", "address": "杭州市西湖区龙井路 1 号",
                    "contact_phone": "0571-88888888"
                }),
            )
            .await;
        let template: Id = owner_a
            .post(
                "/api/v1/freight-templates",
                &json!({
                    "name": "默认运费", "mode": "piece", "first_units": 1, "first_price": "8",
                    "additional_units": 1, "additional_price": "2"
                }),
            )
            .await;
        let import: Id = expect_json(
            owner_a
                .post_bytes_raw(
                    "/api/v1/catalog/imports?dry_run=true",
                    "text/csv",
                    "商品名称 name,SKU编码 sku_code,零售价 retail_price\n红茶,A-2,12.50\n",
                )
                .await,
            200,
        )
        .await;
        let tier: Id = owner_a
            .post(
                "/api/v1/distribution/tiers",
                &json!({
                    "name": "金牌", "commission_kind": "percent", "level1": "10", "level2": "5"
                }),
            )
            .await;
        // The distributor is demoted, which holds its automatic promotion: the refused callers
        // of the release must leave the hold in place.
        let distributor_id = distributor.id;
        for (tier_id, reason) in [(json!(tier.id), "晋级"), (Value::Null, "降级")] {
            owner_a
                .expecting(200)
                .put::<Value>(
                    &format!("/api/v1/distributors/{distributor_id}/tier"),
                    &json!({ "tier_id": tier_id, "reason": reason }),
                )
                .await;
        }
        let contest: Id = owner_a
            .post(
                "/api/v1/contests",
                &json!({
                    "name": "月度冠军", "metric": "sales",
                    "start_date": "2026-03-01", "end_date": "2026-03-31",
                    "prizes": [{ "rank_from": 1, "rank_to": 1, "description": "冠军" }]
                }),
            )
            .await;
        let params = HashMap::from([
            ("tier_id", tier.id.to_string()),
            ("contest_id", contest.id.to_string()),
            ("carrier_id", carriers[0].id.to_string()),
            ("pickup_point_id", pickup_point.id.to_string()),
            ("template_id", template.id.to_string()),
            ("import_id", import.id.to_string()),
            ("category_id", category.id.to_string()),
            ("product_id", product["id"].as_i64().unwrap().to_string()),
            (
                "sku_id",
                product["skus"][0]["id"].as_i64().unwrap().to_string(),
            ),
            ("staff_id", invited.id.to_string()),
            ("key_id", key.id.to_string()),
            (
                "session_id",
                second["tokens"]["session_id"].as_i64().unwrap().to_string(),
            ),
            ("merchant_id", a.merchant_id.to_string()),
            ("address_id", address.id.to_string()),
            ("order_id", order.id.to_string()),
            ("after_sale_id", after_sale.id.to_string()),
            ("refund_id", refund_id.to_string()),
            ("package_id", package_id.to_string()),
            ("slug", member.shop.clone()),
            ("member_id", member.id.to_string()),
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
            a_member: member.token,
            b_member: b_member.token,
            b_shop: b_member.shop,
            operator,
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
            .bearer(&self.a_owner)
            .post(
                "/api/v1/api-keys",
                &json!({ "name": format!("without {}", missing.as_str()), "scopes": scopes }),
            )
            .await;
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
        let client = match token {
            Some(token) => self.app.bearer(token),
            None => self.app.anonymous(),
        };
        let method: Method = method.to_uppercase().parse().unwrap();
        let body = [Method::POST, Method::PUT, Method::PATCH]
            .contains(&method)
            .then(|| json!({}));
        let res = client.send_raw(method.clone(), path, body.as_ref()).await;
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
                        Audience::Member => &world.b_member,
                        _ => &world.b_owner,
                    };
                    // Another tenant's object must look exactly like one that does not exist:
                    // 404, or the same validation error a missing object would get when the
                    // walk's empty body is not a valid one.
                    let theirs = world.call(m, &target, Some(stranger)).await;
                    let missing = world
                        .call(m, &world.fill_missing(path), Some(stranger))
                        .await;
                    assert_eq!(
                        theirs, missing,
                        "{name}: another tenant's object differs from a missing one"
                    );
                    // A member of another shop is refused before the body is read.
                    let expected: &[u16] =
                        if audience != Audience::Member && matches!(m, "post" | "put" | "patch") {
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
        assert!(walked >= 20, "walked only {walked} operations");

        // Nothing the refused calls aimed at changed.
        let owner_a = world.app.bearer(&world.a_owner);
        let staff: Value = owner_a
            .get(&format!("/api/v1/staff/{}", world.params["staff_id"]))
            .await;
        assert_eq!(staff["status"], "invited");
        assert_eq!(staff["role"], "viewer");
        let keys: Value = owner_a.get("/api/v1/api-keys").await;
        assert!(keys
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["revoked_at"].is_null()));
        let sessions: Value = owner_a.get("/api/v1/auth/sessions").await;
        assert_eq!(sessions.as_array().unwrap().len(), 2);
        let merchant: Value = owner_a.get("/api/v1/merchant").await;
        assert_eq!(merchant["status"], "active");
        assert_eq!(merchant["require_staff_mfa"], false);
        let unread: Value = owner_a.get("/api/v1/notifications/unread-count").await;
        // The low-stock notice, the notice of the pending application and that of the
        // after-sales request.
        assert_eq!(unread["unread"], 3, "nobody else could mark them read");
        let tier: Value = owner_a
            .get(&format!(
                "/api/v1/distribution/tiers/{}",
                world.params["tier_id"]
            ))
            .await;
        assert_eq!(tier["name"], "金牌");
        assert_eq!(tier["level1"], "10");
        let contest: Value = owner_a
            .get(&format!("/api/v1/contests/{}", world.params["contest_id"]))
            .await;
        assert_eq!(contest["status"], "draft");
        assert_eq!(contest["name"], "月度冠军");
        let application: Value = owner_a
            .get(&format!(
                "/api/v1/distributor-applications/{}",
                world.params["application_id"]
            ))
            .await;
        assert_eq!(
            application["status"], "pending",
            "nobody else could decide it"
        );
        let after_sale: Value = owner_a
            .get(&format!(
                "/api/v1/after-sales/{}",
                world.params["after_sale_id"]
            ))
            .await;
        assert_eq!(
            after_sale["status"], "requested",
            "nobody else could decide it"
        );
        let distributor: Value = owner_a
            .get(&format!(
                "/api/v1/distributors/{}",
                world.params["distributor_id"]
            ))
            .await;
        assert!(
            distributor["promotion_held_since"].is_string(),
            "nobody else could release the promotion hold: {distributor}"
        );
        assert_eq!(distributor["tier_id"], Value::Null);
        // The member of the other shop changed nothing at either shop: no distributor, no
        // application, no binding beyond what the world was built with.
        assert_eq!(world.app.count("distributors"), 1);
        assert_eq!(world.app.count("distributor_applications"), 1);
        assert_eq!(world.app.count("customer_bindings"), 0);
        let b_member = world.app.bearer(&world.b_member);
        for rest in ["/me/distributor", "/me/distributor-application"] {
            let res = b_member
                .get_raw(&format!("/api/v1/shops/{}{rest}", world.b_shop))
                .await;
            assert_eq!(res.status(), 404, "{rest} at their own shop");
        }
    }
);
