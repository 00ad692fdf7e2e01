//! The one error type of the application and its mapping to `application/problem+json`.
//!
//! Every failure a request can meet becomes an [`AppError`]; [`AppError::problem`] is the single
//! place that decides its status, stable code and human texts (zh-CN and en).

mod problem;

use std::borrow::Cow;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use diesel::result::DatabaseErrorKind;

pub use problem::{Lang, Problem, ProblemBody, ProblemFieldBody, Text, PROBLEM_JSON};

pub type AppResult<T> = Result<T, AppError>;

/// A validation failure of one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field in the input, e.g. `contact.email` or `items[2].quantity`.
    pub field: String,
    /// Stable machine code, e.g. `required`, `invalid_type`, `too_long`.
    pub code: Cow<'static, str>,
    pub message: Text,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<Cow<'static, str>>,
        message: Text,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message,
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("malformed request body: {0}")]
    MalformedBody(String),
    #[error("unsupported media type, expected {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("payload larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A uniqueness or business conflict with its own stable code.
    #[error("conflict: {code}")]
    Conflict { code: &'static str, message: Text },
    /// Well-formed input that a business rule refuses, with its own code (422), e.g.
    /// `region_not_delivered`.
    #[error("unprocessable: {code}")]
    Unprocessable { code: &'static str, message: Text },
    /// A state change that the state table does not allow.
    #[error("transition `{action}` not allowed from `{from}`")]
    InvalidTransition { from: String, action: String },
    #[error("authentication required")]
    Unauthorized,
    /// A refused sign-in or token, with the reason's own code (`invalid_credentials`, …).
    #[error("authentication failed: {code}")]
    AuthFailed { code: &'static str, message: Text },
    /// Authenticated, but refused for a reason with its own code (`account_disabled`, …).
    #[error("refused: {code}")]
    Refused { code: &'static str, message: Text },
    #[error("forbidden")]
    Forbidden,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn field(field: impl Into<String>, code: &'static str, message: Text) -> Self {
        AppError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        AppError::Internal(err.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(_) | AppError::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::MalformedBody(_) => StatusCode::BAD_REQUEST,
            AppError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } | AppError::InvalidTransition { .. } => StatusCode::CONFLICT,
            AppError::Unauthorized | AppError::AuthFailed { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Refused { .. } => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document for this error: the one mapping from errors to what clients see.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (code, title, detail): (&str, Text, Text) = match self {
            AppError::Validation(_) => (
                "validation_failed",
                Text::new("The request is not valid", "请求参数无效"),
                Text::new(
                    "One or more fields are invalid; see `errors`.",
                    "一个或多个字段无效，详见 errors。",
                ),
            ),
            AppError::MalformedBody(reason) => (
                "malformed_body",
                Text::new("The request body is malformed", "请求体格式错误"),
                Text::new(
                    format!("The body is not valid JSON: {reason}"),
                    format!("请求体不是合法的 JSON：{reason}"),
                ),
            ),
            AppError::UnsupportedMediaType { expected } => (
                "unsupported_media_type",
                Text::new("Unsupported media type", "不支持的内容类型"),
                Text::new(
                    format!("The body must be sent as {expected}."),
                    format!("请求体必须以 {expected} 格式发送。"),
                ),
            ),
            AppError::PayloadTooLarge { limit } => (
                "payload_too_large",
                Text::new("The request body is too large", "请求体过大"),
                Text::new(
                    format!("The body may be at most {limit} bytes."),
                    format!("请求体最多 {limit} 字节。"),
                ),
            ),
            AppError::NotFound => (
                "not_found",
                Text::new("Not found", "未找到"),
                Text::new(
                    "The requested resource does not exist.",
                    "请求的资源不存在。",
                ),
            ),
            AppError::MethodNotAllowed => (
                "method_not_allowed",
                Text::new("Method not allowed", "不允许的请求方法"),
                Text::new(
                    "This resource does not support the request method.",
                    "该资源不支持此请求方法。",
                ),
            ),
            AppError::Conflict { code, message } => {
                (code, Text::new("Conflict", "冲突"), message.clone())
            }
            AppError::Unprocessable { code, message } => (
                code,
                Text::new("The request cannot be carried out", "请求无法执行"),
                message.clone(),
            ),
            AppError::InvalidTransition { from, action } => (
                "invalid_transition",
                Text::new("Transition not allowed", "不允许的状态变更"),
                Text::new(
                    format!("`{action}` is not allowed while the state is `{from}`."),
                    format!("当前状态为 `{from}`，不允许执行 `{action}`。"),
                ),
            ),
            AppError::Unauthorized => (
                "unauthorized",
                Text::new("Authentication required", "需要登录"),
                Text::new(
                    "Sign in, or send a valid access token or API key.",
                    "请登录，或提供有效的访问令牌或 API 密钥。",
                ),
            ),
            AppError::AuthFailed { code, message } => (
                code,
                Text::new("Authentication failed", "认证失败"),
                message.clone(),
            ),
            AppError::Refused { code, message } => {
                (code, Text::new("Forbidden", "没有权限"), message.clone())
            }
            AppError::Forbidden => (
                "forbidden",
                Text::new("Forbidden", "没有权限"),
                Text::new(
                    "You do not have permission for this action.",
                    "您没有执行此操作的权限。",
                ),
            ),
            AppError::TooManyRequests { retry_after_secs } => (
                "rate_limited",
                Text::new("Too many requests", "请求过于频繁"),
                Text::new(
                    format!("Try again in {retry_after_secs} seconds."),
                    format!("请在 {retry_after_secs} 秒后重试。"),
                ),
            ),
            AppError::Unavailable(_) => (
                "service_unavailable",
                Text::new("Service unavailable", "服务暂不可用"),
                Text::new(
                    "The service is temporarily unavailable; try again shortly.",
                    "服务暂时不可用，请稍后重试。",
                ),
            ),
            // The cause is logged, never shown: it may carry internals.
            AppError::Internal(_) => (
                "internal_error",
                Text::new("Internal server error", "服务器内部错误"),
                Text::new(
                    "Something went wrong on our side; the request id identifies it in our logs.",
                    "服务器出现错误，可凭请求编号查询日志。",
                ),
            ),
        };
        let mut problem = Problem::new(status, code, title, detail);
        match self {
            AppError::Validation(fields) => problem.errors = fields.clone(),
            AppError::MethodNotAllowed => {}
            AppError::TooManyRequests { retry_after_secs } => {
                problem.retry_after_secs = Some(*retry_after_secs)
            }
            AppError::Unavailable(_) => problem.retry_after_secs = Some(1),
            _ => {}
        }
        problem
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(cause) => tracing::error!(%cause, "internal error"),
            AppError::Unavailable(cause) => tracing::warn!(%cause, "service unavailable"),
            _ => {}
        }
        self.problem().into_response(Lang::default(), None)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::Error as E;
        match err {
            E::NotFound => AppError::NotFound,
            E::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => AppError::Conflict {
                code: "already_exists",
                message: Text::new(
                    format!(
                        "A record with the same unique value already exists ({}).",
                        info.constraint_name().unwrap_or("unique constraint")
                    ),
                    "已存在相同唯一值的记录。",
                ),
            },
            E::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => AppError::Conflict {
                code: "reference_conflict",
                message: Text::new(
                    "The change refers to, or is referred to by, another record.",
                    "此变更引用了其他记录，或被其他记录引用。",
                ),
            },
            // Lost serialisation races and lock waits are worth a retry, not a 500.
            E::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                AppError::Unavailable(info.message().to_owned())
            }
            E::DatabaseError(_, info) if is_busy(info.message()) => {
                AppError::Unavailable(info.message().to_owned())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("database pool: {err}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        AppError::Internal(err.to_string())
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        AppError::Validation(crate::http::validation::field_errors(&errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_stable_code_and_status() {
        let cases: Vec<(AppError, u16, &str)> = vec![
            (AppError::Validation(vec![]), 422, "validation_failed"),
            (AppError::MalformedBody("x".into()), 400, "malformed_body"),
            (
                AppError::UnsupportedMediaType {
                    expected: "application/json",
                },
                415,
                "unsupported_media_type",
            ),
            (
                AppError::PayloadTooLarge { limit: 10 },
                413,
                "payload_too_large",
            ),
            (AppError::NotFound, 404, "not_found"),
            (AppError::MethodNotAllowed, 405, "method_not_allowed"),
            (
                AppError::InvalidTransition {
                    from: "paid".into(),
                    action: "pay".into(),
                },
                409,
                "invalid_transition",
            ),
            (
                AppError::Unprocessable {
                    code: "region_not_delivered",
                    message: Text::new("x", "x"),
                },
                422,
                "region_not_delivered",
            ),
            (AppError::Unauthorized, 401, "unauthorized"),
            (AppError::Forbidden, 403, "forbidden"),
            (
                AppError::TooManyRequests {
                    retry_after_secs: 3,
                },
                429,
                "rate_limited",
            ),
            (
                AppError::Unavailable("x".into()),
                503,
                "service_unavailable",
            ),
            (AppError::Internal("boom".into()), 500, "internal_error"),
        ];
        for (err, status, code) in cases {
            let problem = err.problem();
            assert_eq!(problem.status.as_u16(), status, "{err:?}");
            assert_eq!(problem.code, code, "{err:?}");
            assert!(!problem.title.en.is_empty() && !problem.title.zh.is_empty());
        }
    }

    #[test]
    fn internal_details_never_reach_the_client() {
        let problem = AppError::Internal("password=hunter2".into()).problem();
        assert!(!problem.detail.en.contains("hunter2"));
        assert!(!problem.detail.zh.contains("hunter2"));
    }

    #[test]
    fn diesel_errors_map_to_http_semantics() {
        assert!(matches!(
            AppError::from(diesel::result::Error::NotFound),
            AppError::NotFound
        ));
        assert_eq!(
            AppError::from(diesel::result::Error::RollbackTransaction).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
