//! The one error type of the application and its mapping to `application/problem+json`.
//!
//! Every failure a request can meet becomes an [`AppError`]; [`AppError::problem`] is the single
//! place that decides its status and stable [`ErrorCode`]; the texts (zh-CN and en) come from the
//! catalogues ([`catalogue`]), keyed by code.

pub mod catalogue;
mod code;
mod problem;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use diesel::result::DatabaseErrorKind;

pub use catalogue::Message;
pub use code::ErrorCode;
pub use problem::{Lang, Problem, ProblemBody, ProblemFieldBody, Text, PROBLEM_JSON};

pub type AppResult<T> = Result<T, AppError>;

/// A validation failure of one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field in the input, e.g. `contact.email` or `items[2].quantity`.
    pub field: String,
    /// The stable code (`required`, `invalid_type`, `length`, …) and the facts of its text.
    pub message: Message,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<Message>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.message.code()
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
    /// A uniqueness or business conflict with its own stable code (409).
    #[error("conflict: {}", .0.code())]
    Conflict(Message),
    /// Well-formed input that a business rule refuses, with its own code (422), e.g.
    /// `region_not_delivered`.
    #[error("unprocessable: {}", .0.code())]
    Unprocessable(Message),
    /// A state change that the state table does not allow.
    #[error("transition `{action}` not allowed from `{from}`")]
    InvalidTransition { from: String, action: String },
    #[error("authentication required")]
    Unauthorized,
    /// A refused sign-in or token, with the reason's own code (`invalid_credentials`, …).
    #[error("authentication failed: {}", .0.code())]
    AuthFailed(Message),
    /// Authenticated, but refused for a reason with its own code (`account_disabled`, …).
    #[error("refused: {}", .0.code())]
    Refused(Message),
    #[error("forbidden")]
    Forbidden,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A service the request depends on (a payment provider) did not answer as it should; the
    /// cause is logged, never shown.
    #[error("upstream service failed: {0}")]
    BadGateway(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A validation failure of one field.
    pub fn field(field: impl Into<String>, message: impl Into<Message>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn conflict(message: impl Into<Message>) -> Self {
        AppError::Conflict(message.into())
    }

    pub fn unprocessable(message: impl Into<Message>) -> Self {
        AppError::Unprocessable(message.into())
    }

    pub fn auth_failed(message: impl Into<Message>) -> Self {
        AppError::AuthFailed(message.into())
    }

    pub fn refused(message: impl Into<Message>) -> Self {
        AppError::Refused(message.into())
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        AppError::Internal(err.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(_) | AppError::Unprocessable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::MalformedBody(_) => StatusCode::BAD_REQUEST,
            AppError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::InvalidTransition { .. } => StatusCode::CONFLICT,
            AppError::Unauthorized | AppError::AuthFailed(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Refused(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code clients see.
    pub fn code(&self) -> ErrorCode {
        self.message().code()
    }

    /// The code and the facts of the problem's `detail`.
    fn message(&self) -> Message {
        match self {
            AppError::Validation(_) => ErrorCode::ValidationFailed.into(),
            AppError::MalformedBody(reason) => ErrorCode::MalformedBody.arg("reason", reason),
            AppError::UnsupportedMediaType { expected } => {
                ErrorCode::UnsupportedMediaType.arg("expected", expected)
            }
            AppError::PayloadTooLarge { limit } => ErrorCode::PayloadTooLarge.arg("limit", limit),
            AppError::NotFound => ErrorCode::NotFound.into(),
            AppError::MethodNotAllowed => ErrorCode::MethodNotAllowed.into(),
            AppError::Conflict(message)
            | AppError::Unprocessable(message)
            | AppError::AuthFailed(message)
            | AppError::Refused(message) => message.clone(),
            AppError::InvalidTransition { from, action } => ErrorCode::InvalidTransition
                .arg("from", from)
                .arg("action", action),
            AppError::Unauthorized => ErrorCode::Unauthorized.into(),
            AppError::Forbidden => ErrorCode::Forbidden.into(),
            AppError::TooManyRequests { retry_after_secs } => {
                ErrorCode::RateLimited.arg("seconds", retry_after_secs)
            }
            AppError::Unavailable(_) => ErrorCode::ServiceUnavailable.into(),
            AppError::BadGateway(_) => ErrorCode::BadGateway.into(),
            // The cause is logged, never shown: it may carry internals.
            AppError::Internal(_) => ErrorCode::InternalError.into(),
        }
    }

    /// The catalogue key of the problem's title: the kind of problem.
    fn title_key(&self) -> &'static str {
        match self {
            AppError::Conflict(_) => "conflict",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::AuthFailed(_) => "authentication_failed",
            AppError::Refused(_) => "refused",
            other => other.code().as_str(),
        }
    }

    /// The problem document for this error: the one mapping from errors to what clients see.
    pub fn problem(&self) -> Problem {
        let message = self.message();
        let mut problem = Problem::new(
            self.status(),
            message.code(),
            catalogue::title(self.title_key()),
            message.text(),
        );
        match self {
            AppError::Validation(fields) => problem.errors = fields.clone(),
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
            AppError::BadGateway(cause) => tracing::error!(%cause, "upstream service failed"),
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
            E::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                AppError::conflict(ErrorCode::AlreadyExists.arg(
                    "constraint",
                    info.constraint_name().unwrap_or("unique constraint"),
                ))
            }
            E::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                AppError::conflict(ErrorCode::ReferenceConflict)
            }
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
                AppError::unprocessable(ErrorCode::RegionNotDelivered),
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
