//! WeChat Pay API v3 (微信支付): the Native order whose `code_url` the buyer scans, created with a
//! signed request, and the payment notification, verified and decrypted before anything is
//! written.
//!
//! - Requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,
//!   timestamp=…,serial_no=…`, the signature being SHA256withRSA with the merchant's API key over
//!   `METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n`.
//! - Notifications are verified with WeChat Pay's public key, chosen by `Wechatpay-Serial`
//!   (another serial is refused), over `timestamp\nnonce\nbody\n` of the raw body; a timestamp
//!   more than five minutes off is refused. Then `resource` is decrypted (AEAD_AES_256_GCM with
//!   the APIv3 key, its nonce and associated data) and checked against the merchant, the attempt
//!   and its amount. WeChat Pay is answered 204.
//! - The notification address names the attempt (`…/wechat/{token}`): the merchant's keys are
//!   needed before the body can be read.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::NaiveDateTime;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use super::attempts::{self, AttemptRow, AttemptStatus, Received};
use super::gateway::ProviderAnswer;
use super::keys;
use super::refunds;
use super::sandbox::NotificationResult;
use super::settings::{self, PaymentKind};
use crate::crypto::Cipher;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::money::Money;
use crate::orders::lifecycle::PaymentApplied;
use crate::orders::state::Actor;

/// Where WeChat Pay sends the notifications of an attempt: `{NOTIFY_PATH}/{token}`.
pub const NOTIFY_PATH: &str = "/api/v1/payments/notifications/wechat";
/// The path of the Native order (扫码支付) on WeChat Pay's API.
pub const NATIVE_ORDER_PATH: &str = "/v3/pay/transactions/native";
/// The path of a refund (申请退款) on WeChat Pay's API.
pub const REFUND_PATH: &str = "/v3/refund/domestic/refunds";
/// Where WeChat Pay sends the notifications of a refund: `{REFUND_NOTIFY_PATH}/{refund_no}`.
pub const REFUND_NOTIFY_PATH: &str = "/api/v1/payments/notifications/wechat-refunds";
/// How far a notification's time may be from the server's.
pub const TOLERANCE_SECS: i64 = 300;

/// A merchant's WeChat Pay account, from its payment settings.
pub struct WechatMerchant {
    pub mch_id: String,
    pub app_id: String,
    /// The serial number of the merchant's API certificate, named in `Authorization`.
    pub serial_no: String,
    pub api_v3_key: Vec<u8>,
    pub private_key: RsaPrivateKey,
    pub platform_serial: String,
    pub platform_public_key: RsaPublicKey,
}

fn misconfigured(field: &str) -> AppError {
    AppError::unprocessable(ErrorCode::PaymentMethodMisconfigured.arg("field", field))
}

impl WechatMerchant {
    pub fn from_settings(settings: &BTreeMap<String, String>) -> AppResult<WechatMerchant> {
        let get = |name: &str| settings.get(name).map(String::as_str).unwrap_or_default();
        let api_v3_key = get("api_v3_key").as_bytes().to_vec();
        if api_v3_key.len() != 32 {
            return Err(misconfigured("api_v3_key"));
        }
        Ok(WechatMerchant {
            mch_id: get("mch_id").to_owned(),
            app_id: get("app_id").to_owned(),
            serial_no: get("serial_no").to_owned(),
            api_v3_key,
            private_key: keys::private_key(get("private_key"))
                .ok_or_else(|| misconfigured("private_key"))?,
            platform_serial: get("platform_serial").to_owned(),
            platform_public_key: keys::public_key(get("platform_public_key"))
                .ok_or_else(|| misconfigured("platform_public_key"))?,
        })
    }
}

/// The `Authorization` header of a request to WeChat Pay.
pub fn authorization(
    merchant: &WechatMerchant,
    method: &str,
    path_and_query: &str,
    timestamp: i64,
    nonce: &str,
    body: &str,
) -> String {
    let message = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{body}\n");
    let signature = keys::sign(&merchant.private_key, message.as_bytes());
    format!(
        "WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{}\"",
        merchant.mch_id, merchant.serial_no
    )
}

#[derive(Debug, Deserialize)]
struct NativeOrderAnswer {
    code_url: String,
}

/// Creates the Native order of an attempt and answers its `code_url` (the QR code's content).
#[allow(clippy::too_many_arguments)]
pub async fn native_order(
    api_base: &str,
    merchant: &WechatMerchant,
    out_trade_no: &str,
    description: &str,
    total_fen: i64,
    notify_url: &str,
    timestamp: i64,
) -> AppResult<String> {
    let body = json!({
        "appid": merchant.app_id,
        "mchid": merchant.mch_id,
        "description": description,
        "out_trade_no": out_trade_no,
        "notify_url": notify_url,
        "amount": { "total": total_fen, "currency": "CNY" },
    })
    .to_string();
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let auth = authorization(
        merchant,
        "POST",
        NATIVE_ORDER_PATH,
        timestamp,
        &nonce,
        &body,
    );
    let answer = reqwest::Client::new()
        .post(format!("{api_base}{NATIVE_ORDER_PATH}"))
        .header("authorization", auth)
        .header("accept", "application/json")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| AppError::BadGateway(format!("WeChat Pay: {e}")))?;
    let status = answer.status();
    if !status.is_success() {
        let text = answer.text().await.unwrap_or_default();
        return Err(AppError::BadGateway(format!(
            "WeChat Pay answered {status}: {}",
            text.chars().take(300).collect::<String>()
        )));
    }
    answer
        .json::<NativeOrderAnswer>()
        .await
        .map(|a| a.code_url)
        .map_err(|e| AppError::BadGateway(format!("WeChat Pay's answer: {e}")))
}

/// The headers WeChat Pay signs a notification with.
#[derive(Debug, Clone, Default)]
pub struct SignedHeaders {
    pub timestamp: Option<String>,
    pub nonce: Option<String>,
    pub signature: Option<String>,
    pub serial: Option<String>,
}

fn invalid() -> AppError {
    AppError::auth_failed(ErrorCode::InvalidSignature)
}

/// Checks a notification's signature: the serial the merchant configured, a time within five
/// minutes of `now`, and SHA256withRSA over `timestamp\nnonce\nbody\n` under its public key.
pub fn verify(
    merchant: &WechatMerchant,
    headers: &SignedHeaders,
    body: &[u8],
    now: i64,
) -> AppResult<()> {
    let (Some(timestamp), Some(nonce), Some(signature), Some(serial)) = (
        headers.timestamp.as_deref(),
        headers.nonce.as_deref(),
        headers.signature.as_deref(),
        headers.serial.as_deref(),
    ) else {
        return Err(invalid());
    };
    if serial != merchant.platform_serial {
        return Err(invalid());
    }
    let t: i64 = timestamp.parse().map_err(|_| invalid())?;
    if (now - t).abs() > TOLERANCE_SECS {
        return Err(invalid());
    }
    let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    if keys::verify(&merchant.platform_public_key, &message, signature) {
        Ok(())
    } else {
        Err(invalid())
    }
}

#[derive(Debug, Deserialize)]
struct Envelope {
    resource: Resource,
}

#[derive(Debug, Deserialize)]
struct Resource {
    algorithm: String,
    ciphertext: String,
    #[serde(default)]
    associated_data: String,
    nonce: String,
}

/// The decrypted `resource` of a payment notification (the fields read here).
#[derive(Debug, Deserialize)]
pub struct Transaction {
    pub mchid: String,
    pub appid: String,
    pub out_trade_no: String,
    pub transaction_id: Option<String>,
    pub trade_state: String,
    pub amount: Option<TransactionAmount>,
}

#[derive(Debug, Deserialize)]
pub struct TransactionAmount {
    pub total: i64,
}

/// Decrypts a payment notification's `resource` with the APIv3 key.
pub fn decrypt(api_v3_key: &[u8], body: &[u8]) -> AppResult<Transaction> {
    decrypt_resource(api_v3_key, body)
}

/// Decrypts a notification's `resource` (AEAD_AES_256_GCM) with the APIv3 key.
fn decrypt_resource<T: DeserializeOwned>(api_v3_key: &[u8], body: &[u8]) -> AppResult<T> {
    let bad = |what: &str| AppError::MalformedBody(format!("WeChat Pay notification: {what}"));
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
    let r = envelope.resource;
    if r.algorithm != "AEAD_AES_256_GCM" || r.nonce.len() != 12 {
        return Err(bad("unknown algorithm or nonce"));
    }
    let ciphertext = BASE64
        .decode(&r.ciphertext)
        .map_err(|_| bad("ciphertext"))?;
    let cipher = Aes256Gcm::new_from_slice(api_v3_key).map_err(|_| bad("key"))?;
    let plain = cipher
        .decrypt(
            Nonce::from_slice(r.nonce.as_bytes()),
            Payload {
                msg: &ciphertext,
                aad: r.associated_data.as_bytes(),
            },
        )
        .map_err(|_| bad("the resource does not decrypt"))?;
    serde_json::from_slice(&plain).map_err(|e| bad(&e.to_string()))
}

/// Verifies, decrypts and applies the notification of the attempt `token`.
pub fn handle(
    conn: &mut DbConnection,
    cipher: &Cipher,
    token: &str,
    headers: &SignedHeaders,
    body: &[u8],
    now: NaiveDateTime,
) -> AppResult<NotificationResult> {
    let attempt: AttemptRow = attempts::by_token(conn, token).inspect_err(|_| {
        tracing::warn!(token, "WeChat Pay notification for an unknown payment");
    })?;
    if attempt.method != PaymentKind::WechatPay {
        return Err(AppError::unprocessable(ErrorCode::UnknownPayment));
    }
    let merchant = settings::configured(conn, cipher, attempt.merchant_id, PaymentKind::WechatPay)?
        .ok_or_else(|| AppError::unprocessable(ErrorCode::UnknownPayment))
        .and_then(|s| WechatMerchant::from_settings(&s))?;
    if let Err(err) = verify(&merchant, headers, body, now.and_utc().timestamp()) {
        tracing::warn!(
            attempt = attempt.id,
            "WeChat Pay notification that does not verify"
        );
        return Err(err);
    }
    let transaction = decrypt(&merchant.api_v3_key, body)?;
    if transaction.mchid != merchant.mch_id
        || transaction.appid != merchant.app_id
        || transaction.out_trade_no != attempt.token
    {
        tracing::warn!(
            attempt = attempt.id,
            "WeChat Pay notification for another merchant or payment"
        );
        return Err(AppError::unprocessable(ErrorCode::UnknownPayment));
    }
    match transaction.trade_state.as_str() {
        "SUCCESS" => {
            let transaction_id = transaction
                .transaction_id
                .ok_or_else(|| AppError::MalformedBody("transaction_id missing".into()))?;
            let total = transaction.amount.map(|a| a.total).unwrap_or(-1);
            let received =
                attempts::receive(conn, &attempt, &transaction_id, total, Actor::SYSTEM, now)?;
            Ok(match received {
                Received::Applied(PaymentApplied::Paid) => NotificationResult::Paid,
                Received::Applied(PaymentApplied::ToRefund) => NotificationResult::ToRefund,
                Received::Repeated => NotificationResult::Repeated,
            })
        }
        "CLOSED" | "PAYERROR" | "REVOKED" => {
            if attempt.status == AttemptStatus::Pending {
                attempts::fail(
                    conn,
                    &attempt,
                    &format!("WeChat Pay: {}", transaction.trade_state),
                    now,
                )?;
            }
            Ok(NotificationResult::Failed)
        }
        _ => Ok(NotificationResult::Repeated),
    }
}

/// What a refund asks of WeChat Pay.
pub struct RefundRequest<'a> {
    /// The payment's `out_trade_no` (our attempt's token).
    pub out_trade_no: &'a str,
    /// Ours, unique: the same number asked again is refunded once.
    pub out_refund_no: &'a str,
    pub reason: &'a str,
    pub refund_fen: i64,
    /// What the payment took.
    pub total_fen: i64,
    pub notify_url: &'a str,
}

#[derive(Debug, Deserialize)]
struct RefundAnswer {
    refund_id: String,
    out_refund_no: String,
    status: String,
}

#[derive(Debug, Deserialize)]
struct ApiError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

fn signed_headers(headers: &reqwest::header::HeaderMap) -> SignedHeaders {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    SignedHeaders {
        timestamp: get("wechatpay-timestamp"),
        nonce: get("wechatpay-nonce"),
        signature: get("wechatpay-signature"),
        serial: get("wechatpay-serial"),
    }
}

/// Asks WeChat Pay to refund. Its answer is signed like a notification and verified the same
/// way; `SUCCESS` refunded, `PROCESSING` accepted (the notification tells the end), `CLOSED`
/// and `ABNORMAL` refused. A server error, `SYSTEM_ERROR`, `FREQUENCY_LIMITED` and `NOT_ENOUGH`
/// (the merchant's balance, topped up later) are worth asking again.
pub async fn refund(
    api_base: &str,
    merchant: &WechatMerchant,
    refund: &RefundRequest<'_>,
    now: i64,
) -> ProviderAnswer {
    let body = json!({
        "out_trade_no": refund.out_trade_no,
        "out_refund_no": refund.out_refund_no,
        "reason": refund.reason,
        "notify_url": refund.notify_url,
        "amount": { "refund": refund.refund_fen, "total": refund.total_fen, "currency": "CNY" },
    })
    .to_string();
    call_refund_api(
        api_base,
        merchant,
        "POST",
        REFUND_PATH,
        body,
        refund.out_refund_no,
        now,
    )
    .await
}

/// Asks WeChat Pay where a refund it accepted stands (查询单笔退款), for one whose notification
/// is late; answered as [`refund`] is.
pub async fn query_refund(
    api_base: &str,
    merchant: &WechatMerchant,
    out_refund_no: &str,
    now: i64,
) -> ProviderAnswer {
    let path = format!("{REFUND_PATH}/{out_refund_no}");
    call_refund_api(
        api_base,
        merchant,
        "GET",
        &path,
        String::new(),
        out_refund_no,
        now,
    )
    .await
}

/// One signed call of the refund API and its verified answer.
async fn call_refund_api(
    api_base: &str,
    merchant: &WechatMerchant,
    method: &str,
    path: &str,
    body: String,
    out_refund_no: &str,
    now: i64,
) -> ProviderAnswer {
    let unanswered = |reason: String| ProviderAnswer::Unanswered { reason };
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let auth = authorization(merchant, method, path, now, &nonce, &body);
    let client = super::gateway::client();
    let request = match method {
        "GET" => client.get(format!("{api_base}{path}")),
        _ => client
            .post(format!("{api_base}{path}"))
            .header("content-type", "application/json")
            .body(body),
    };
    let sent = request
        .header("authorization", auth)
        .header("accept", "application/json")
        .send()
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(e) => return unanswered(format!("WeChat Pay unreachable: {e}")),
    };
    let status = answer.status();
    let headers = signed_headers(answer.headers());
    let text = answer.bytes().await.unwrap_or_default();
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return unanswered(format!("WeChat Pay answered {status}"));
    }
    if !status.is_success() {
        let error: ApiError = serde_json::from_slice(&text).unwrap_or(ApiError {
            code: status.to_string(),
            message: String::new(),
        });
        let reason = format!("WeChat Pay {}: {}", error.code, error.message);
        // Error answers are not signed: only a request's own refusal is believed, never an
        // error about a refund WeChat Pay had accepted (its notification may still come).
        return match error.code.as_str() {
            _ if method == "GET" => unanswered(reason),
            "SYSTEM_ERROR" | "FREQUENCY_LIMITED" | "NOT_ENOUGH" => unanswered(reason),
            _ => ProviderAnswer::Refused { reason },
        };
    }
    if verify(merchant, &headers, &text, now).is_err() {
        return unanswered("answer_not_verified".to_owned());
    }
    let Ok(answer) = serde_json::from_slice::<RefundAnswer>(&text) else {
        return unanswered("WeChat Pay's refund answer does not parse".to_owned());
    };
    if answer.out_refund_no != out_refund_no {
        return unanswered("WeChat Pay answered for another refund".to_owned());
    }
    match answer.status.as_str() {
        "SUCCESS" => ProviderAnswer::Refunded {
            provider_refund_id: answer.refund_id,
        },
        "PROCESSING" => ProviderAnswer::Accepted {
            provider_refund_id: answer.refund_id,
        },
        other => ProviderAnswer::Refused {
            reason: format!("WeChat Pay: {other}"),
        },
    }
}

/// The decrypted `resource` of a refund notification (the fields read here).
#[derive(Debug, Deserialize)]
pub struct RefundNotice {
    pub mchid: String,
    pub out_refund_no: String,
    pub refund_id: String,
    pub refund_status: String,
    pub amount: RefundNoticeAmount,
}

#[derive(Debug, Deserialize)]
pub struct RefundNoticeAmount {
    pub refund: i64,
}

/// What a refund notification did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundNoticeResult {
    Refunded,
    Failed,
    /// Known already, or nothing to do.
    Repeated,
}

/// Verifies, decrypts and applies the notification of the refund `refund_no`, once: a second
/// `REFUND.SUCCESS` changes nothing.
pub fn handle_refund(
    conn: &mut DbConnection,
    cipher: &Cipher,
    refund_no: &str,
    headers: &SignedHeaders,
    body: &[u8],
    now: NaiveDateTime,
) -> AppResult<RefundNoticeResult> {
    let found = refunds::by_number(conn, refund_no).inspect_err(|_| {
        tracing::warn!(refund_no, "WeChat Pay notification for an unknown refund");
    })?;
    if found.method != PaymentKind::WechatPay {
        return Err(AppError::unprocessable(ErrorCode::UnknownPayment));
    }
    let merchant = settings::configured(conn, cipher, found.merchant_id, PaymentKind::WechatPay)?
        .ok_or_else(|| AppError::unprocessable(ErrorCode::UnknownPayment))
        .and_then(|s| WechatMerchant::from_settings(&s))?;
    if let Err(err) = verify(&merchant, headers, body, now.and_utc().timestamp()) {
        tracing::warn!(
            refund = found.id.get(),
            "WeChat Pay refund notification that does not verify"
        );
        return Err(err);
    }
    let notice: RefundNotice = decrypt_resource(&merchant.api_v3_key, body)?;
    if notice.mchid != merchant.mch_id || notice.out_refund_no != found.refund_no {
        tracing::warn!(
            refund = found.id.get(),
            "WeChat Pay refund notification for another merchant or refund"
        );
        return Err(AppError::unprocessable(ErrorCode::UnknownPayment));
    }
    if notice.amount.refund != found.amount_fen {
        return Err(AppError::unprocessable(
            ErrorCode::PaymentAmountMismatch
                .arg(
                    "amount",
                    Money::from_fen(notice.amount.refund).unwrap_or_default(),
                )
                .arg(
                    "total",
                    Money::from_fen(found.amount_fen).unwrap_or_default(),
                ),
        ));
    }
    let applied = match notice.refund_status.as_str() {
        "SUCCESS" => {
            refunds::succeed_on_notice(conn, found.merchant_id, found.id, &notice.refund_id, now)?
                .then_some(RefundNoticeResult::Refunded)
        }
        "CLOSED" | "ABNORMAL" => refunds::refuse(
            conn,
            found.merchant_id,
            found.id,
            &format!("WeChat Pay: {}", notice.refund_status),
            now,
        )?
        .then_some(RefundNoticeResult::Failed),
        _ => None,
    };
    Ok(applied.unwrap_or(RefundNoticeResult::Repeated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_decrypts_only_with_its_key_and_associated_data() {
        let key = b"0123456789abcdef0123456789abcdef";
        let nonce = "abcdefghijkl";
        let plain = br#"{"mchid":"1","appid":"wx","out_trade_no":"t","trade_state":"SUCCESS"}"#;
        let sealed = Aes256Gcm::new_from_slice(key)
            .unwrap()
            .encrypt(
                Nonce::from_slice(nonce.as_bytes()),
                Payload {
                    msg: plain,
                    aad: b"transaction",
                },
            )
            .unwrap();
        let body = |aad: &str| {
            json!({ "resource": { "algorithm": "AEAD_AES_256_GCM", "ciphertext": BASE64.encode(&sealed),
                                 "associated_data": aad, "nonce": nonce } })
            .to_string()
        };
        let t = decrypt(key, body("transaction").as_bytes()).unwrap();
        assert_eq!((t.mchid.as_str(), t.trade_state.as_str()), ("1", "SUCCESS"));
        assert!(decrypt(key, body("other").as_bytes()).is_err());
        assert!(decrypt(
            b"fedcba9876543210fedcba9876543210",
            body("transaction").as_bytes()
        )
        .is_err());
    }
}
