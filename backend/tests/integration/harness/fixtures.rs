//! What many tests start from: a signed-in merchant owner, staff members, shop members, and
//! reads of what requests left behind (the outbox, the audit log).

use fenxiao::db::ids::{MerchantId, SkuId};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::prelude::*;
use reqwest::Response;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{expect_json, Credential, Me, TestApp};

/// Where staff sign in.
pub const SIGN_IN: &str = "/api/v1/auth/sign-in";
/// The password of every owner the harness signs up.
pub const OWNER_PASSWORD: &str = "tea-garden-2026";
/// The password of every staff member `join_staff` brings in.
pub const STAFF_PASSWORD: &str = "member-pass-2026";
/// The password of the operator `operator` creates.
pub const OPERATOR_PASSWORD: &str = "platform-pass-2026";
/// The password of every shop member `member` registers.
pub const MEMBER_PASSWORD: &str = "shopper-2026";

/// A valid 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
    0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// The cipher the test apps encrypt secrets with (so tests can read what is stored).
pub fn test_cipher() -> fenxiao::crypto::Cipher {
    fenxiao::crypto::Cipher::new(&[42u8; 32])
}

/// A signed-in merchant owner.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub merchant_id: MerchantId,
    pub account_id: i64,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

/// A shop member registered through the API, signed in.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub token: String,
    /// The address of the member's shop when they registered, which their paths name.
    pub shop: String,
}

impl Member {
    /// The path of `rest` under the member's own namespace: `/api/v1/shops/{shop}/me{rest}`.
    pub fn me(&self, rest: &str) -> String {
        format!("/api/v1/shops/{}/me{rest}", self.shop)
    }
}

impl Credential for Member {
    fn bearer_token(&self) -> &str {
        &self.token
    }
}

/// The tokens of a session.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
}

/// An answer that carries a session's tokens (sign-in, registration, MFA verification).
#[derive(Debug, Deserialize)]
pub struct WithTokens {
    pub tokens: Tokens,
}

/// An answer that names a created object.
#[derive(Debug, Deserialize)]
pub struct Id {
    pub id: i64,
}

/// The code a verification message carries.
pub fn verification_code_in(message: &str) -> String {
    let start = message.find("验证码是 ").expect("a code") + "验证码是 ".len();
    message[start..start + 6].to_owned()
}

impl TestApp {
    /// The token of the newest message of `template` sent to `recipient`.
    pub fn token_from_outbox(&self, recipient: &str, template: &str) -> String {
        let body = self.newest_message(recipient, template);
        let start = body.find("token=").expect("a token link") + "token=".len();
        body[start..start + 64].to_owned()
    }

    /// The newest verification code sent to `recipient`.
    pub fn latest_code(&self, recipient: &str) -> String {
        verification_code_in(&self.newest_message(recipient, "verification_code"))
    }

    /// The body of the newest message of `template` sent to `recipient`.
    pub fn newest_message(&self, recipient: &str, template: &str) -> String {
        use fenxiao::db::schema::outbox_messages as o;
        o::table
            .filter(o::recipient.eq(recipient))
            .filter(o::template.eq(template))
            .order(o::id.desc())
            .select(o::body)
            .first(&mut *self.conn())
            .expect("message in the outbox")
    }

    pub async fn sign_up_merchant(&self, email: &str) -> i64 {
        let res = self
            .anonymous()
            .post_raw(
                "/api/v1/signup",
                &json!({
                    "company_name": format!("{email} 的店"),
                    "contact_name": "王丽",
                    "phone": "13812345678",
                    "email": email,
                    "password": OWNER_PASSWORD,
                }),
            )
            .await;
        #[derive(Deserialize)]
        struct SignedUp {
            merchant_id: MerchantId,
        }
        let body: SignedUp = expect_json(res, 201).await;
        let token = self.token_from_outbox(email, "verify_email");
        self.anonymous()
            .expecting(200)
            .post::<Value>("/api/v1/signup/verify-email", &json!({ "token": token }))
            .await;
        body.merchant_id.get()
    }

    pub async fn sign_in(&self, path: &str, email: &str, password: &str) -> Response {
        self.anonymous()
            .post_raw(path, &json!({ "email": email, "password": password }))
            .await
    }

    /// Signs up and verifies a merchant, then signs its owner in.
    pub async fn owner(&self, email: &str) -> SignedIn {
        let merchant_id = self.sign_up_merchant(email).await;
        let res = self.sign_in(SIGN_IN, email, OWNER_PASSWORD).await;
        let body: Value = expect_json(res, 200).await;
        assert_eq!(body["status"], "signed_in");
        let tokens: Tokens = serde_json::from_value(body["tokens"].clone()).unwrap();
        let me: Me = self
            .bearer(&tokens.access_token)
            .get("/api/v1/auth/me")
            .await;
        SignedIn {
            merchant_id: MerchantId(merchant_id),
            account_id: me.id,
            email: email.to_owned(),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        }
    }

    /// Creates the platform operator `root@example.com` and signs them in; answers the access
    /// token.
    pub async fn operator(&self) -> String {
        fenxiao::platform::operators::create(
            &mut self.conn(),
            "root@example.com",
            "运维",
            OPERATOR_PASSWORD,
        )
        .unwrap();
        let res = self
            .sign_in(
                "/api/v1/platform/auth/sign-in",
                "root@example.com",
                OPERATOR_PASSWORD,
            )
            .await;
        let signed_in: WithTokens = expect_json(res, 200).await;
        signed_in.tokens.access_token
    }

    /// Invites `email` to `by`'s merchant as `role`, accepts and signs in; answers the staff
    /// member's id and access token.
    pub async fn join_staff(&self, by: &SignedIn, email: &str, role: &str) -> (i64, String) {
        let invited: Value = self
            .bearer(by)
            .expecting(201)
            .post(
                "/api/v1/staff/invitations",
                &json!({ "email": email, "name": "同事", "role": role }),
            )
            .await;
        assert_eq!(invited["status"], "invited");
        let token = self.token_from_outbox(email, "staff_invitation");
        self.anonymous()
            .expecting(200)
            .post::<Value>(
                "/api/v1/staff/invitations/accept",
                &json!({ "token": token, "password": STAFF_PASSWORD }),
            )
            .await;
        let res = self.sign_in(SIGN_IN, email, STAFF_PASSWORD).await;
        let signed_in: WithTokens = expect_json(res, 200).await;
        (
            invited["id"].as_i64().unwrap(),
            signed_in.tokens.access_token,
        )
    }

    /// The address (slug) of the merchant's shop, as it is now.
    pub fn slug(&self, merchant_id: MerchantId) -> String {
        use fenxiao::db::schema::merchants as m;
        m::table
            .find(merchant_id)
            .select(m::slug)
            .first::<Option<String>>(&mut *self.conn())
            .expect("the merchant")
            .expect("every merchant has an address")
    }

    /// Asks `shop` for a verification code for `login` and registers with it (password
    /// `MEMBER_PASSWORD`); `extra` adds fields to the registration (a name, a distributor code).
    pub async fn register_member_raw(&self, shop: i64, login: &str, extra: Value) -> Response {
        let shop = self.slug(MerchantId(shop));
        let res = self
            .anonymous()
            .post_raw(
                &format!("/api/v1/shops/{shop}/verification-codes"),
                &json!({ "recipient": login }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let mut body = json!({
            "login": login, "code": self.latest_code(login), "password": MEMBER_PASSWORD
        });
        for (key, value) in extra.as_object().expect("extra fields").clone() {
            body[key] = value;
        }
        self.anonymous()
            .post_raw(&format!("/api/v1/shops/{shop}/members"), &body)
            .await
    }

    /// A member of `shop` registered through the API (see `register_member_raw`), signed in.
    pub async fn member(&self, shop: i64, login: &str, extra: Value) -> Member {
        let res = self.register_member_raw(shop, login, extra).await;
        let registered: WithTokens = expect_json(res, 201).await;
        let token = registered.tokens.access_token;
        let shop = self.slug(MerchantId(shop));
        let me: Id = self
            .bearer(&token)
            .get(&format!("/api/v1/shops/{shop}/me"))
            .await;
        Member {
            id: me.id,
            token,
            shop,
        }
    }

    /// Takes one unit of the SKU in each of `buyers` transactions running at once (orders
    /// `order-0`, `order-1`, …); answers how many were sold and how many refused for want of
    /// stock.
    pub fn take_concurrently(
        &self,
        merchant_id: MerchantId,
        sku_id: SkuId,
        buyers: usize,
    ) -> (usize, usize) {
        let sold = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..buyers)
            .map(|i| {
                let pool = self.pool.clone();
                let (sold, refused) = (sold.clone(), refused.clone());
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    let result = fenxiao::db::write_transaction(&mut conn, |conn| {
                        fenxiao::inventory::take(
                            conn,
                            merchant_id,
                            sku_id,
                            1,
                            &format!("order-{i}"),
                            fenxiao::clock::now(),
                        )
                    });
                    match result {
                        Ok(_) => sold.fetch_add(1, Ordering::SeqCst),
                        Err(fenxiao::AppError::Conflict(m)) if m.code() == "insufficient_stock" => {
                            refused.fetch_add(1, Ordering::SeqCst)
                        }
                        Err(other) => panic!("unexpected {other:?}"),
                    };
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        (sold.load(Ordering::SeqCst), refused.load(Ordering::SeqCst))
    }

    /// How many audit events of `action` were recorded.
    pub fn audit_count(&self, action: &str) -> i64 {
        use fenxiao::db::schema::audit_events as a;
        a::table
            .filter(a::action.eq(action))
            .count()
            .get_result(&mut *self.conn())
            .unwrap()
    }

    /// The changes recorded by every audit event of `action`, oldest first.
    pub fn audit_changes_all(&self, action: &str) -> Vec<Value> {
        use fenxiao::db::schema::audit_events as a;
        a::table
            .filter(a::action.eq(action))
            .order(a::id.asc())
            .select(a::changes)
            .load::<Option<String>>(&mut *self.conn())
            .unwrap()
            .into_iter()
            .map(|c| serde_json::from_str(&c.expect("changes recorded")).unwrap())
            .collect()
    }

    /// The changes recorded by the newest audit event of `action`.
    pub fn audit_changes(&self, action: &str) -> Value {
        self.audit_changes_all(action)
            .pop()
            .unwrap_or_else(|| panic!("no audit event {action}"))
    }
}
