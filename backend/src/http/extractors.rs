//! Error handlers for actix's own extractors, so that a bad query string or path segment answers
//! like every other bad input.

use actix_web::error::{PathError, QueryPayloadError};
use actix_web::{web, HttpRequest};

use crate::error::{AppError, ErrorCode, FieldError};

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
            ErrorCode::InvalidQuery.arg("reason", reason),
        )])
        .into()
    })
}

#[cfg(test)]
mod tests {
    use actix_web::{test, App, HttpResponse};
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Page {
        limit: u32,
    }

    async fn by_id(_id: web::Path<i64>, _page: web::Query<Page>) -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[actix_web::test]
    async fn bad_paths_are_404_and_bad_queries_422() {
        let app = test::init_service(
            App::new()
                .app_data(path_config())
                .app_data(query_config())
                .route("/things/{id}", web::get().to(by_id)),
        )
        .await;

        let ok = test::TestRequest::get()
            .uri("/things/7?limit=5")
            .to_request();
        assert_eq!(test::call_service(&app, ok).await.status(), 200);

        let bad_path = test::TestRequest::get()
            .uri("/things/abc?limit=5")
            .to_request();
        let res = test::call_service(&app, bad_path).await;
        assert_eq!(res.status(), 404);
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/problem+json"
        );

        let bad_query = test::TestRequest::get()
            .uri("/things/7?limit=-1")
            .to_request();
        let res = test::call_service(&app, bad_query).await;
        assert_eq!(res.status(), 422);
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["errors"][0]["code"], "invalid_query");

        let missing = test::TestRequest::get().uri("/things/7").to_request();
        let res = test::call_service(&app, missing).await;
        assert_eq!(res.status(), 422);
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["errors"][0]["field"], "limit");
    }
}
