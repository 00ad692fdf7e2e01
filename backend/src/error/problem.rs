//! RFC 9457 problem documents, with their texts in zh-CN and en.

use std::borrow::Cow;

use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::{catalogue, ErrorCode, FieldError};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The languages the API answers in; zh-CN unless the client asks for English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks the best supported language from an `Accept-Language` header (by q-value, then order).
    pub fn from_accept_language(value: &str) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(parse_quality)
                .unwrap_or(1000);
            let lang = if tag == "zh" || tag.starts_with("zh-") {
                Lang::ZhCn
            } else if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }

    pub fn from_headers(headers: &HeaderMap) -> Lang {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default()
    }
}

/// A q-value in thousandths, so that no float is involved.
fn parse_quality(q: &str) -> Option<u16> {
    let q = q.trim();
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let padded = format!("{frac:0<3}");
    let thousandths: u16 = padded.parse().ok()?;
    let value = whole + thousandths;
    (value <= 1000).then_some(value)
}

/// A human text in both languages the product speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub en: Cow<'static, str>,
    pub zh: Cow<'static, str>,
}

impl Text {
    pub fn new(en: impl Into<Cow<'static, str>>, zh: impl Into<Cow<'static, str>>) -> Self {
        Self {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A problem before it is rendered for one request's language.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub title: Text,
    pub detail: Text,
    pub errors: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

/// The body of every error response (`application/problem+json`).
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ProblemBody {
    /// A URI naming the kind of problem: `urn:fenxiao:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:fenxiao:problem:validation_failed")]
    pub type_: String,
    #[schema(example = "The request is not valid")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code; clients branch on this, never on the texts.
    pub code: ErrorCode,
    /// The offending fields, for validation errors; empty otherwise.
    pub errors: Vec<ProblemFieldBody>,
    /// The id of this request, as in the `X-Request-Id` header and the server's logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ProblemFieldBody {
    #[schema(example = "contact.email")]
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, code: ErrorCode, title: Text, detail: Text) -> Self {
        Self {
            status,
            code,
            title,
            detail,
            errors: Vec::new(),
            retry_after_secs: None,
        }
    }

    /// A generic problem for an error status produced outside our handlers (so that even those
    /// answer with a problem document).
    pub fn for_status(status: StatusCode) -> Self {
        let code = match status.as_u16() {
            400 => ErrorCode::BadRequest,
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            408 => ErrorCode::RequestTimeout,
            413 => ErrorCode::PayloadTooLarge,
            414 => ErrorCode::UriTooLong,
            415 => ErrorCode::UnsupportedMediaType,
            429 => ErrorCode::TooManyRequests,
            431 => ErrorCode::RequestHeaderFieldsTooLarge,
            500 => ErrorCode::InternalServerError,
            503 => ErrorCode::ServiceUnavailable,
            _ => ErrorCode::RequestFailed,
        };
        // Generic problems say no more than their status: the code's own text, without facts.
        let text = catalogue::Message::new(code).form("generic").text();
        Problem::new(status, code, text.clone(), text)
    }

    pub fn body(&self, lang: Lang, request_id: Option<&str>) -> ProblemBody {
        ProblemBody {
            type_: format!("urn:fenxiao:problem:{}", self.code),
            title: self.title.get(lang).to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.get(lang).to_owned(),
            code: self.code,
            errors: self
                .errors
                .iter()
                .map(|e| ProblemFieldBody {
                    field: e.field.clone(),
                    code: e.code(),
                    message: e.message.render(lang),
                })
                .collect(),
            request_id: request_id.map(str::to_owned),
        }
    }

    /// Renders the response. The problem itself rides along in the response extensions, so the
    /// request middleware can render it again in the caller's language with the request id.
    pub fn into_response(self, lang: Lang, request_id: Option<&str>) -> HttpResponse {
        let body = self.body(lang, request_id);
        let mut builder = HttpResponse::build(self.status);
        builder
            .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
            .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            builder.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"fenxiao\""));
        }
        if let Some(secs) = self.retry_after_secs {
            builder.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = builder.body(json);
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::ZhCn
        );
        assert_eq!(Lang::from_accept_language("fr-FR, en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("zh;q=0.2, en;q=0.7"), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0, zh;q=0.1"), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language("de"), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language(""), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language("en;q=banana"), Lang::En);
    }

    #[test]
    fn quality_values_parse_exactly() {
        assert_eq!(parse_quality("1"), Some(1000));
        assert_eq!(parse_quality("0.5"), Some(500));
        assert_eq!(parse_quality("0.123"), Some(123));
        assert_eq!(parse_quality("1.000"), Some(1000));
        assert_eq!(parse_quality("1.5"), None);
        assert_eq!(parse_quality("0.1234"), None);
        assert_eq!(parse_quality("2"), None);
    }

    #[test]
    fn generic_problems_cover_any_status() {
        let p = Problem::for_status(StatusCode::URI_TOO_LONG);
        assert_eq!(p.code, ErrorCode::UriTooLong);
        assert_eq!(p.title.zh, "请求地址过长");
        let body = p.body(Lang::En, Some("abc"));
        assert_eq!(body.type_, "urn:fenxiao:problem:uri_too_long");
        assert_eq!(body.request_id.as_deref(), Some("abc"));
    }
}
