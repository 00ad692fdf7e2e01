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
use serde::Deserialize;
use serde_json::json;

use super::attempts::{self, AttemptRow, AttemptStatus, Received};
use super::gateway::ProviderAnswer;
use super::keys;
use super::sandbox::NotificationResult;
use super::settings::{self, PaymentKind};
use crate::crypto::Cipher;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::money::Money;
use crate::orders::lifecycle::PaymentApplied;
use crate::orders::state::Actor;

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
/// with the merchant's application key. `gateway`: Alipay's (`Config::alipay_gateway`); `at`:
/// the time of the request in Beijing time.
pub fn page_pay_url(
    gateway: &str,
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
    let mut params = common_params(app, "alipay.trade.page.pay", &biz, at);
    params.insert("notify_url".into(), notify_url.into());
    let params = signed(app, params);
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    let joint = if gateway.contains('?') { '&' } else { '?' };
    format!("{gateway}{joint}{query}")
}

/// The public parameters of a request to the method `method`, unsigned.
fn common_params(
    app: &AlipayApp,
    method: &str,
    biz: &serde_json::Value,
    at: NaiveDateTime,
) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app_id".into(), app.app_id.clone()),
        ("method".into(), method.into()),
        ("format".into(), "JSON".into()),
        ("charset".into(), "utf-8".into()),
        ("sign_type".into(), "RSA2".into()),
        (
            "timestamp".into(),
            at.format("%Y-%m-%d %H:%M:%S").to_string(),
        ),
        ("version".into(), "1.0".into()),
        ("biz_content".into(), biz.to_string()),
    ])
}

/// `params` with their `sign`, by the merchant's application key.
fn signed(app: &AlipayApp, mut params: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let sign = keys::sign(&app.private_key, signing_content(&params, false).as_bytes());
    params.insert("sign".into(), sign);
    params
}

/// The method of a refund.
pub const REFUND_METHOD: &str = "alipay.trade.refund";
/// The member of a refund's answer that carries it (and that its signature covers).
pub const REFUND_RESPONSE: &str = "alipay_trade_refund_response";

/// What a refund asks of Alipay.
pub struct RefundRequest<'a> {
    /// The payment's `out_trade_no` (our attempt's token).
    pub out_trade_no: &'a str,
    /// Ours, unique: the same number asked again is refunded once.
    pub out_request_no: &'a str,
    pub amount: Money,
    pub reason: &'a str,
}

/// The signed form of a refund (`alipay.trade.refund`), posted to the gateway.
pub fn refund_form(
    app: &AlipayApp,
    refund: &RefundRequest<'_>,
    at: NaiveDateTime,
) -> BTreeMap<String, String> {
    let biz = json!({
        "out_trade_no": refund.out_trade_no,
        "out_request_no": refund.out_request_no,
        "refund_amount": refund.amount.to_string(),
        "refund_reason": refund.reason,
    });
    signed(app, common_params(app, REFUND_METHOD, &biz, at))
}

/// The method that tells where a refund stands.
pub const REFUND_QUERY_METHOD: &str = "alipay.trade.fastpay.refund.query";
/// The member of a refund query's answer that carries it.
pub const REFUND_QUERY_RESPONSE: &str = "alipay_trade_fastpay_refund_query_response";

/// Asks Alipay to refund, synchronously: its answer says whether the money went back. An answer
/// `fund_change` `N` (no money moved by this request: the same number was refunded before, or is
/// still under way) is confirmed by a refund query, as Alipay asks.
pub async fn refund(
    gateway: &str,
    app: &AlipayApp,
    refund: &RefundRequest<'_>,
    at: NaiveDateTime,
) -> ProviderAnswer {
    let answer = match post(gateway, &refund_form(app, refund, at)).await {
        Ok(body) => read_refund_answer(app, &body),
        Err(unanswered) => return unanswered,
    };
    match answer {
        ProviderAnswer::Accepted { .. } => {
            let biz = json!({
                "out_trade_no": refund.out_trade_no,
                "out_request_no": refund.out_request_no,
            });
            let form = signed(app, common_params(app, REFUND_QUERY_METHOD, &biz, at));
            match post(gateway, &form).await {
                Ok(body) => read_refund_query(app, &body),
                Err(unanswered) => unanswered,
            }
        }
        other => other,
    }
}

/// Posts a signed form to the gateway and answers the body, or why there is none.
async fn post(gateway: &str, form: &BTreeMap<String, String>) -> Result<String, ProviderAnswer> {
    let answer = super::gateway::client()
        .post(gateway)
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .map_err(|e| ProviderAnswer::Unanswered {
            reason: format!("Alipay unreachable: {e}"),
        })?;
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(ProviderAnswer::Unanswered {
            reason: format!("Alipay answered {status}"),
        });
    }
    Ok(body)
}

#[derive(Debug, Deserialize)]
struct RefundResponse {
    code: String,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    sub_code: Option<String>,
    #[serde(default)]
    sub_msg: Option<String>,
    #[serde(default)]
    trade_no: Option<String>,
    #[serde(default)]
    fund_change: Option<String>,
    /// A refund query's: `REFUND_SUCCESS` once the money went back.
    #[serde(default)]
    refund_status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SignedEnvelope {
    #[serde(default)]
    sign: Option<String>,
}

/// The response `member` of an answer, believed only when `sign` verifies over its raw text as
/// it stands in the body, under Alipay's public key.
fn verified_response(
    app: &AlipayApp,
    body: &str,
    member: &str,
) -> Result<RefundResponse, ProviderAnswer> {
    let unanswered = |reason: &str| ProviderAnswer::Unanswered {
        reason: reason.to_owned(),
    };
    let raw =
        member_text(body, member).ok_or_else(|| unanswered("Alipay's answer has no response"))?;
    let response = serde_json::from_str::<RefundResponse>(raw)
        .map_err(|_| unanswered("Alipay's response does not parse"))?;
    let sign = serde_json::from_str::<SignedEnvelope>(body)
        .ok()
        .and_then(|e| e.sign);
    let verified = sign
        .as_deref()
        .is_some_and(|s| keys::verify(&app.alipay_public_key, raw.as_bytes(), s));
    if !verified {
        return Err(unanswered("answer_not_verified"));
    }
    Ok(response)
}

/// Reads Alipay's answer to a refund, verified ([`verified_response`]). `10000` refunded, or
/// with `fund_change` `N` accepted, to be confirmed; `20000` and `ACQ.SYSTEM_ERROR` are worth
/// asking again; any other code is a refusal.
pub fn read_refund_answer(app: &AlipayApp, body: &str) -> ProviderAnswer {
    let response = match verified_response(app, body, REFUND_RESPONSE) {
        Ok(response) => response,
        Err(unanswered) => return unanswered,
    };
    let unanswered = |reason: &str| ProviderAnswer::Unanswered {
        reason: reason.to_owned(),
    };
    let sub_code = response.sub_code.as_deref().unwrap_or_default();
    match response.code.as_str() {
        "10000" => match (response.trade_no, response.fund_change.as_deref()) {
            (Some(trade_no), Some("N")) => ProviderAnswer::Accepted {
                provider_refund_id: trade_no,
            },
            (Some(trade_no), _) => ProviderAnswer::Refunded {
                provider_refund_id: trade_no,
            },
            (None, _) => unanswered("Alipay's refund response has no trade_no"),
        },
        "20000" => unanswered(&format!("Alipay: {} {sub_code}", response.msg)),
        _ if sub_code == "ACQ.SYSTEM_ERROR" => unanswered("Alipay: ACQ.SYSTEM_ERROR"),
        code => ProviderAnswer::Refused {
            reason: format!(
                "Alipay {code} {sub_code}: {}",
                response.sub_msg.as_deref().unwrap_or(&response.msg)
            ),
        },
    }
}

/// Reads Alipay's answer to a refund query: `REFUND_SUCCESS` refunded; anything else is not
/// refunded (yet), so the refund is asked again under the same number.
fn read_refund_query(app: &AlipayApp, body: &str) -> ProviderAnswer {
    let response = match verified_response(app, body, REFUND_QUERY_RESPONSE) {
        Ok(response) => response,
        Err(unanswered) => return unanswered,
    };
    match (
        response.code.as_str(),
        response.refund_status.as_deref(),
        response.trade_no,
    ) {
        ("10000", Some("REFUND_SUCCESS"), Some(trade_no)) => ProviderAnswer::Refunded {
            provider_refund_id: trade_no,
        },
        (code, status, _) => ProviderAnswer::Unanswered {
            reason: format!(
                "Alipay's refund query: {code} {}",
                status.unwrap_or("not refunded")
            ),
        },
    }
}

/// The raw text of the value of the top-level member `name` of the JSON object `body`, exactly
/// as it stands there (what Alipay signs), or `None` when there is no such object member.
fn member_text<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("\"{name}\"");
    let bytes = body.as_bytes();
    let mut at = body.find(&key)? + key.len();
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    if bytes.get(at) != Some(&b':') {
        return None;
    }
    at += 1;
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let start = at;
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return body.get(start..=i);
                }
            }
            _ => {}
        }
    }
    None
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
    fn the_signed_member_is_read_as_it_stands_in_the_body() {
        let body = r#"{"alipay_trade_refund_response" : {"code":"10000","msg":"Success","note":"{\"}","x":{"y":1}},"sign":"abc"}"#;
        assert_eq!(
            member_text(body, REFUND_RESPONSE),
            Some(r#"{"code":"10000","msg":"Success","note":"{\"}","x":{"y":1}}"#)
        );
        assert_eq!(member_text(body, "sign"), None, "not an object");
        assert_eq!(
            member_text(r#"{"alipay_trade_refund_response":{"#, REFUND_RESPONSE),
            None
        );
        assert_eq!(member_text("{}", REFUND_RESPONSE), None);
    }

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
