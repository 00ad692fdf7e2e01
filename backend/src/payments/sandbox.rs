//! The sandbox provider, for development, demos and tests: a hosted pay page with a success and
//! a failure button, whose choice reaches the server as a signed notification over real HTTP,
//! exactly as a provider's would (so the notification path is the one real providers use).
//!
//! A notification is JSON signed with HMAC-SHA256 under a key derived from the installation's
//! secret: header `Fenxiao-Sandbox-Signature: t=<unix seconds>,v1=<hex of HMAC(key, "t.body")>`.
//! A signature that does not verify, or a time more than five minutes off, is 401
//! `invalid_signature` and records nothing.

use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::attempts::{self, AttemptStatus, Received};
use crate::crypto;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::money::Money;
use crate::orders::lifecycle::PaymentApplied;
use crate::orders::state::Actor;
use crate::secrets::SecretKey;

/// Where the pay page of an attempt is: `{PAGE_PATH}/{token}`.
pub const PAGE_PATH: &str = "/api/v1/payments/sandbox";
/// Where the sandbox sends its notifications.
pub const NOTIFY_PATH: &str = "/api/v1/payments/notifications/sandbox";
pub const SIGNATURE_HEADER: &str = "Fenxiao-Sandbox-Signature";
/// How far a notification's time may be from the server's.
pub const TOLERANCE_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// What the sandbox says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SandboxOutcome {
    Succeeded,
    Failed,
}

/// A notification of the sandbox, as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SandboxNotification {
    pub payment_token: String,
    /// The sandbox's transaction id, unique per payment.
    pub transaction_id: String,
    pub amount: Money,
    pub outcome: SandboxOutcome,
}

/// The key notifications are signed with, derived from the installation's secret so it is never
/// the secret itself.
fn key(secret: &SecretKey) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(secret.expose()).unwrap_or_else(|_| {
        // HMAC takes a key of any length.
        HmacSha256::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| unreachable!())
    });
    mac.update(b"fenxiao sandbox notifications v1");
    mac.finalize().into_bytes().to_vec()
}

/// The signature header's value for `body` sent at `t` (unix seconds).
pub fn sign(secret: &SecretKey, t: i64, body: &[u8]) -> String {
    crypto::sign_body(&key(secret), t, body)
}

/// Checks the signature header against the raw body, in constant time.
pub fn verify(secret: &SecretKey, header: Option<&str>, body: &[u8], now: i64) -> AppResult<()> {
    if crypto::verify_body(&key(secret), header, body, now, TOLERANCE_SECS) {
        Ok(())
    } else {
        Err(AppError::AuthFailed(ErrorCode::InvalidSignature.into()))
    }
}

/// What a notification did, as the sandbox is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationResult {
    /// The order is paid.
    Paid,
    /// The order was cancelled or paid already: the money is to be refunded.
    ToRefund,
    /// The same transaction came before; nothing changed.
    Repeated,
    /// The attempt failed; the order still waits for a payment.
    Failed,
}

/// Handles a verified notification: applies a success once, records a failure.
pub fn handle(
    conn: &mut DbConnection,
    notification: &SandboxNotification,
    now: NaiveDateTime,
) -> AppResult<NotificationResult> {
    let attempt = attempts::by_token(conn, &notification.payment_token).inspect_err(|_| {
        tracing::warn!(token = %notification.payment_token, "sandbox notification for an unknown payment");
    })?;
    if attempt.method != super::settings::PaymentKind::Sandbox {
        return Err(AppError::unprocessable(ErrorCode::UnknownPayment));
    }
    match notification.outcome {
        SandboxOutcome::Failed => {
            if attempt.status == AttemptStatus::Pending {
                attempts::fail(conn, &attempt, "declined in the sandbox", now)?;
            }
            Ok(NotificationResult::Failed)
        }
        SandboxOutcome::Succeeded => {
            let received = attempts::receive(
                conn,
                &attempt,
                &notification.transaction_id,
                notification.amount.fen(),
                Actor::SYSTEM,
                now,
            )?;
            Ok(match received {
                Received::Applied(PaymentApplied::Paid) => NotificationResult::Paid,
                Received::Applied(PaymentApplied::ToRefund) => NotificationResult::ToRefund,
                Received::Repeated => NotificationResult::Repeated,
            })
        }
    }
}

/// The pay page of an attempt: the order's number and amount, and the two buttons.
pub fn page(order_no: &str, amount: Money, token: &str, status: AttemptStatus) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let (order_no, token) = (escape(order_no), escape(token));
    let buttons = if status == AttemptStatus::Pending {
        format!(
            r#"<form method="post" action="{PAGE_PATH}/{token}/succeed"><button type="submit">支付成功 Pay</button></form>
<form method="post" action="{PAGE_PATH}/{token}/fail"><button type="submit">支付失败 Decline</button></form>"#
        )
    } else {
        format!("<p>{}</p>", status.as_str())
    };
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>沙箱支付 Sandbox payment</title></head>
<body><h1>沙箱支付 Sandbox payment</h1>
<p>订单 Order <strong>{order_no}</strong></p>
<p>金额 Amount <strong>¥{amount}</strong></p>
{buttons}
</body></html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretKey {
        SecretKey::from_bytes(b"an installation secret of some length".to_vec())
    }

    #[test]
    fn a_signature_verifies_for_its_body_and_time_only() {
        let body = br#"{"payment_token":"abc"}"#;
        let header = sign(&secret(), 1_000, body);
        assert!(verify(&secret(), Some(&header), body, 1_000).is_ok());
        assert!(verify(&secret(), Some(&header), body, 1_000 + TOLERANCE_SECS).is_ok());
        assert!(verify(&secret(), Some(&header), body, 1_001 + TOLERANCE_SECS).is_err());
        assert!(verify(
            &secret(),
            Some(&header),
            br#"{"payment_token":"abd"}"#,
            1_000
        )
        .is_err());
        let other = SecretKey::from_bytes(b"another installation".to_vec());
        assert!(verify(&other, Some(&header), body, 1_000).is_err());
        assert!(verify(&secret(), None, body, 1_000).is_err());
        assert!(verify(&secret(), Some("t=1000,v1=zz"), body, 1_000).is_err());
        assert!(verify(&secret(), Some("v1=00"), body, 1_000).is_err());
    }
}
