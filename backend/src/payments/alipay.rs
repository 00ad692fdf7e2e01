//! Alipay (支付宝) with RSA2 signatures: the signed page-pay request the buyer is sent to, and the
//! asynchronous notification, verified the way Alipay specifies before anything is written.
//!
//! Signing content: the parameters without `sign` (and, for notifications, without `sign_type`)
//! and without empty values, sorted by key, joined as `k=v` with `&`, values URL-decoded; the
//! signature is SHA256withRSA, Base64. A notification is further checked against the merchant's
//! `app_id` (and `seller_id` when set) and the attempt's amount. `TRADE_SUCCESS` and
//! `TRADE_FINISHED` pay; `TRADE_CLOSED` fails the attempt; Alipay is answered the plain text
//! `success` so it stops retrying.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::json;

use super::attempts::{self, AttemptRow, AttemptStatus, Received};
use super::keys;
use super::sandbox::NotificationResult;
use super::settings::{self, PaymentKind};
use crate::crypto::Cipher;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::money::Money;
use crate::orders::lifecycle::PaymentApplied;
use crate::orders::state::Actor;

/// Alipay's gateway, where the buyer's browser is sent with the signed request.
pub const GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// Where Alipay sends its notifications.
pub const NOTIFY_PATH: &str = "/api/v1/payments/notifications/alipay";

/// A merchant's Alipay application, from its payment settings.
pub struct AlipayApp {
    pub app_id: String,
    pub seller_id: Option<String>,
    pub private_key: RsaPrivateKey,
    pub alipay_public_key: RsaPublicKey,
}

fn misconfigured(field: &str) -> AppError {
    AppError::unprocessable(ErrorCode::PaymentMethodMisconfigured.arg("field", field))
}

impl AlipayApp {
    pub fn from_settings(settings: &BTreeMap<String, String>) -> AppResult<AlipayApp> {
        let get = |name: &str| settings.get(name).map(String::as_str).unwrap_or_default();
        Ok(AlipayApp {
            app_id: get("app_id").to_owned(),
            seller_id: settings.get("seller_id").filter(|s| !s.is_empty()).cloned(),
            private_key: keys::private_key(get("private_key"))
                .ok_or_else(|| misconfigured("private_key"))?,
            alipay_public_key: keys::public_key(get("alipay_public_key"))
                .ok_or_else(|| misconfigured("alipay_public_key"))?,
        })
    }
}

/// The signing content of `params`; see the module documentation.
pub fn signing_content(params: &BTreeMap<String, String>, notification: bool) -> String {
    params
        .iter()
        .filter(|(k, v)| {
            k.as_str() != "sign" && !(notification && k.as_str() == "sign_type") && !v.is_empty()
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The gateway address the buyer opens to pay the attempt (`alipay.trade.page.pay`), signed
/// with the merchant's application key. `at`: the time of the request in Beijing time.
pub fn page_pay_url(
    app: &AlipayApp,
    notify_url: &str,
    out_trade_no: &str,
    amount: Money,
    subject: &str,
    at: NaiveDateTime,
) -> String {
    let biz = json!({
        "out_trade_no": out_trade_no,
        "total_amount": amount.to_string(),
        "subject": subject,
        "product_code": "FAST_INSTANT_TRADE_PAY",
    });
    let mut params: BTreeMap<String, String> = BTreeMap::from([
        ("app_id".into(), app.app_id.clone()),
        ("method".into(), "alipay.trade.page.pay".into()),
        ("format".into(), "JSON".into()),
        ("charset".into(), "utf-8".into()),
        ("sign_type".into(), "RSA2".into()),
        (
            "timestamp".into(),
            at.format("%Y-%m-%d %H:%M:%S").to_string(),
        ),
        ("version".into(), "1.0".into()),
        ("notify_url".into(), notify_url.into()),
        ("biz_content".into(), biz.to_string()),
    ]);
    let sign = keys::sign(&app.private_key, signing_content(&params, false).as_bytes());
    params.insert("sign".into(), sign);
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    format!("{GATEWAY}?{query}")
}

fn invalid() -> AppError {
    AppError::auth_failed(ErrorCode::InvalidSignature)
}

/// Verifies and applies a notification (its form fields, URL-decoded). A signature that does
/// not verify under the merchant's Alipay public key is 401 `invalid_signature` and records
/// nothing; another application, seller or amount is 422.
pub fn handle(
    conn: &mut DbConnection,
    cipher: &Cipher,
    form: &BTreeMap<String, String>,
    now: NaiveDateTime,
) -> AppResult<NotificationResult> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let attempt: AttemptRow =
        attempts::by_token(conn, field("out_trade_no")).inspect_err(|_| {
            tracing::warn!(
                out_trade_no = field("out_trade_no"),
                "Alipay notification for an unknown payment"
            );
        })?;
    if attempt.method != PaymentKind::Alipay {
        return Err(AppError::unprocessable(ErrorCode::UnknownPayment));
    }
    let app = settings::configured(conn, cipher, attempt.merchant_id, PaymentKind::Alipay)?
        .ok_or_else(|| AppError::unprocessable(ErrorCode::UnknownPayment))
        .and_then(|s| AlipayApp::from_settings(&s))?;
    let content = signing_content(form, true);
    if !keys::verify(&app.alipay_public_key, content.as_bytes(), field("sign")) {
        tracing::warn!(
            attempt = attempt.id,
            "Alipay notification with a signature that does not verify"
        );
        return Err(invalid());
    }
    if field("app_id") != app.app_id
        || app
            .seller_id
            .as_deref()
            .is_some_and(|s| s != field("seller_id"))
    {
        tracing::warn!(
            attempt = attempt.id,
            "Alipay notification for another application or seller"
        );
        return Err(AppError::unprocessable(ErrorCode::UnknownPayment));
    }
    let amount = Money::parse_yuan(field("total_amount"))
        .map_err(|_| AppError::field("total_amount", ErrorCode::InvalidMoney))?;
    match field("trade_status") {
        "TRADE_SUCCESS" | "TRADE_FINISHED" => {
            let received = attempts::receive(
                conn,
                &attempt,
                field("trade_no"),
                amount.fen(),
                Actor::SYSTEM,
                now,
            )?;
            Ok(match received {
                Received::Applied(PaymentApplied::Paid) => NotificationResult::Paid,
                Received::Applied(PaymentApplied::ToRefund) => NotificationResult::ToRefund,
                Received::Repeated => NotificationResult::Repeated,
            })
        }
        "TRADE_CLOSED" => {
            if attempt.status == AttemptStatus::Pending {
                attempts::fail(conn, &attempt, "closed by Alipay", now)?;
            }
            Ok(NotificationResult::Failed)
        }
        // WAIT_BUYER_PAY and anything new: nothing to do yet.
        _ => Ok(NotificationResult::Repeated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signing_content_sorts_and_leaves_out_the_signature_and_empty_values() {
        let params: BTreeMap<String, String> = [
            ("trade_status", "TRADE_SUCCESS"),
            ("sign", "xyz"),
            ("sign_type", "RSA2"),
            ("app_id", "2021000000000000"),
            ("body", ""),
            ("subject", "龙井 & 茶"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(
            signing_content(&params, true),
            "app_id=2021000000000000&subject=龙井 & 茶&trade_status=TRADE_SUCCESS"
        );
        assert_eq!(
            signing_content(&params, false),
            "app_id=2021000000000000&sign_type=RSA2&subject=龙井 & 茶&trade_status=TRADE_SUCCESS"
        );
    }
}
