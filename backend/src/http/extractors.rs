//! Error handlers for actix's own extractors, so that a bad query string or path segment answers
//! like every other bad input.

use actix_web::error::{PathError, QueryPayloadError};
use actix_web::{web, HttpRequest};

use crate::error::{AppError, FieldError, Text};

/// A path segment that does not parse (an id that is not a number) names nothing that exists.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_err: PathError, _req: &HttpRequest| AppError::NotFound.into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req: &HttpRequest| {
        let reason = err.to_string();
        let reason = reason
            .strip_prefix("Query deserialize error: ")
            .unwrap_or(&reason)
            .to_owned();
        let field = reason
            .strip_prefix("missing field `")
            .or_else(|| reason.strip_prefix("unknown field `"))
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name.to_owned())
            .unwrap_or_else(|| "query".to_owned());
        AppError::Validation(vec![FieldError::new(
            field,
            "invalid_query",
            Text::new(reason.clone(), format!("查询参数无效：{reason}")),
        )])
        .into()
    })
}
