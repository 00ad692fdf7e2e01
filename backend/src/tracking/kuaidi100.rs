//! Kuaidi100 (快递100): the real-time query, the subscription with push, and its states.
//!
//! - Query: `POST {base}/poll/query.do`, form fields `customer`, `param`, `sign`; `param` is JSON
//!   with `com` (Kuaidi100's company code), `num`, and `phone` (SF asks for the recipient's phone);
//!   `sign` is the upper-case MD5 of `param + key + customer`.
//! - Subscription: `POST {base}/poll`, form fields `schema=json` and `param` (JSON: `company`,
//!   `number`, `key`, `parameters.callbackurl`, `parameters.salt`, `parameters.phone`). Pushes to
//!   the callback carry the form fields `param` and `sign` = upper-case MD5 of `param + salt`, and
//!   are answered `{"result":true,"returnCode":"200","message":"成功"}`. A push with status
//!   `abort` ends the subscription: the package is subscribed again.
//! - Times are Beijing time (UTC+8) as `yyyy-MM-dd HH:mm:ss`.

use chrono::{NaiveDateTime, TimeDelta};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::orders::shipping::TrackingState;

pub const QUERY_PATH: &str = "/poll/query.do";
pub const SUBSCRIBE_PATH: &str = "/poll";
/// What a push is answered once handled.
pub const PUSH_ANSWER: &str = r#"{"result":true,"returnCode":"200","message":"成功"}"#;

/// A merchant's Kuaidi100 account.
#[derive(Clone)]
pub struct Account {
    pub customer: String,
    pub key: String,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Account({}, [redacted])", self.customer)
    }
}

fn upper_md5(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The `sign` of a query.
pub fn query_sign(param: &str, key: &str, customer: &str) -> String {
    upper_md5(&format!("{param}{key}{customer}"))
}

/// The `sign` of a push.
pub fn push_sign(param: &str, salt: &str) -> String {
    upper_md5(&format!("{param}{salt}"))
}

/// Kuaidi100's company code of one of our carrier codes (the default carriers'; another code is
/// taken to be Kuaidi100's own, lower-cased).
pub fn company(carrier_code: &str) -> String {
    match carrier_code {
        "SF" => "shunfeng",
        "ZTO" => "zhongtong",
        "YTO" => "yuantong",
        "STO" => "shentong",
        "YUNDA" => "yunda",
        "JD" => "jd",
        "EMS" => "ems",
        "DEPPON" => "debangkuaidi",
        "JTEXPRESS" => "jtexpress",
        other => return other.to_ascii_lowercase(),
    }
    .to_owned()
}

/// Our state of one of Kuaidi100's: the main states, and sub-states by their main state
/// (`301` is a kind of `3`, `1401` of `14`).
pub fn state_of(code: &str) -> Option<TrackingState> {
    let n: u32 = code.trim().parse().ok()?;
    let main = if n < 100 { n } else { n / 100 };
    Some(match main {
        0 | 7 | 8 | 10 | 11 | 12 => TrackingState::InTransit,
        1 => TrackingState::PickedUp,
        2 | 13 => TrackingState::Problem,
        3 => TrackingState::Delivered,
        4 => TrackingState::Returned,
        5 => TrackingState::OutForDelivery,
        6 => TrackingState::Returning,
        14 => TrackingState::Refused,
        _ => return None,
    })
}

/// One line of a Kuaidi100 timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// Beijing time, `yyyy-MM-dd HH:mm:ss`.
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub ftime: String,
    pub context: String,
    /// With `resultv2`: the place, and the sub-state of this line.
    #[serde(default, rename = "areaName")]
    pub area_name: Option<String>,
    #[serde(default, rename = "statusCode")]
    pub status_code: Option<String>,
}

/// A timeline as Kuaidi100 answers a query and pushes it (`lastResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    #[serde(default)]
    pub message: String,
    /// `200` when there is a timeline.
    #[serde(default)]
    pub status: Option<String>,
    /// The package's state now.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub nu: Option<String>,
    #[serde(default)]
    pub com: Option<String>,
    #[serde(default)]
    pub data: Vec<Trace>,
    /// An error answer: `false` with its `returnCode`.
    #[serde(default)]
    pub result: Option<bool>,
    #[serde(default, rename = "returnCode")]
    pub return_code: Option<String>,
}

/// The `param` of a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Push {
    /// `polling`, `shutdown` (done: delivered or returned), `abort` (given up), `updateall`.
    pub status: String,
    #[serde(default)]
    pub message: String,
    #[serde(rename = "lastResult")]
    pub last_result: Timeline,
}

/// A time of Kuaidi100's (Beijing time) as we store times (UTC).
pub fn utc_of(beijing: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(beijing.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t - TimeDelta::hours(8))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

/// The package's timeline now (`poll/query.do`).
pub async fn query(
    api_base: &str,
    account: &Account,
    com: &str,
    num: &str,
    phone: Option<&str>,
) -> AppResult<Timeline> {
    let param = serde_json::json!({
        "com": com, "num": num, "phone": phone.unwrap_or(""), "resultv2": "1", "order": "desc"
    })
    .to_string();
    let sign = query_sign(&param, &account.key, &account.customer);
    let answer = client()
        .post(format!("{api_base}{QUERY_PATH}"))
        .form(&[
            ("customer", account.customer.as_str()),
            ("param", param.as_str()),
            ("sign", sign.as_str()),
        ])
        .send()
        .await
        .map_err(|e| AppError::BadGateway(format!("Kuaidi100: {e}")))?;
    let status = answer.status();
    let text = answer
        .text()
        .await
        .map_err(|e| AppError::BadGateway(format!("Kuaidi100: {e}")))?;
    if !status.is_success() {
        return Err(AppError::BadGateway(format!(
            "Kuaidi100 answered {status}: {}",
            text.chars().take(300).collect::<String>()
        )));
    }
    let timeline: Timeline = serde_json::from_str(&text)
        .map_err(|e| AppError::BadGateway(format!("Kuaidi100's answer: {e}")))?;
    if timeline.result == Some(false) {
        return Err(AppError::BadGateway(format!(
            "Kuaidi100 refused the query ({}): {}",
            timeline.return_code.as_deref().unwrap_or("?"),
            timeline.message
        )));
    }
    Ok(timeline)
}

/// Subscribes the package: Kuaidi100 pushes its timeline to `callback_url`, signed with `salt`.
pub async fn subscribe(
    api_base: &str,
    account: &Account,
    com: &str,
    num: &str,
    phone: Option<&str>,
    callback_url: &str,
    salt: &str,
) -> AppResult<()> {
    let param = serde_json::json!({
        "company": com,
        "number": num,
        "key": account.key,
        "parameters": {
            "callbackurl": callback_url, "salt": salt, "resultv2": "1",
            "phone": phone.unwrap_or("")
        }
    })
    .to_string();
    let answer = client()
        .post(format!("{api_base}{SUBSCRIBE_PATH}"))
        .form(&[("schema", "json"), ("param", param.as_str())])
        .send()
        .await
        .map_err(|e| AppError::BadGateway(format!("Kuaidi100: {e}")))?;
    #[derive(Deserialize)]
    struct Answer {
        result: bool,
        #[serde(default, rename = "returnCode")]
        return_code: String,
        #[serde(default)]
        message: String,
    }
    let answer: Answer = answer
        .json()
        .await
        .map_err(|e| AppError::BadGateway(format!("Kuaidi100's answer: {e}")))?;
    // 501: subscribed already, which is what was asked.
    if answer.result || answer.return_code == "501" {
        Ok(())
    } else {
        Err(AppError::BadGateway(format!(
            "Kuaidi100 refused the subscription ({}): {}",
            answer.return_code, answer.message
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_are_upper_case_md5_of_the_documented_concatenations() {
        // MD5("abc") = 900150983cd24fb0d6963f7d28e17f72
        assert_eq!(upper_md5("abc"), "900150983CD24FB0D6963F7D28E17F72");
        assert_eq!(query_sign("a", "b", "c"), upper_md5("abc"));
        assert_eq!(push_sign("ab", "c"), upper_md5("abc"));
    }

    #[test]
    fn states_map_to_ours_with_their_sub_states() {
        assert_eq!(state_of("0"), Some(TrackingState::InTransit));
        assert_eq!(state_of("1"), Some(TrackingState::PickedUp));
        assert_eq!(state_of("2"), Some(TrackingState::Problem));
        assert_eq!(state_of("3"), Some(TrackingState::Delivered));
        assert_eq!(state_of("301"), Some(TrackingState::Delivered));
        assert_eq!(state_of("4"), Some(TrackingState::Returned));
        assert_eq!(state_of("5"), Some(TrackingState::OutForDelivery));
        assert_eq!(state_of("6"), Some(TrackingState::Returning));
        assert_eq!(state_of("14"), Some(TrackingState::Refused));
        assert_eq!(state_of("1401"), Some(TrackingState::Refused));
        assert_eq!(state_of("99"), None);
        assert_eq!(state_of("x"), None);
    }

    #[test]
    fn carriers_and_times_as_kuaidi100_names_them() {
        assert_eq!(company("SF"), "shunfeng");
        assert_eq!(company("DEPPON"), "debangkuaidi");
        assert_eq!(company("ANE"), "ane");
        assert_eq!(
            utc_of("2026-12-04 10:00:00").unwrap().to_string(),
            "2026-12-04 02:00:00"
        );
        assert!(utc_of("yesterday").is_none());
    }
}
