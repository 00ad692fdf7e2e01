//! The actix application: shared state, middleware, routes, docs and the fallback, assembled in
//! one function that the server and the tests both use.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::JsonPayloadError;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpResponse};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::config::Config;
use crate::crypto::Cipher;
use crate::db::{DbConnection, DbPool};
use crate::error::{AppError, AppResult};
use crate::http::fallback::{fallback, Frontend};
use crate::http::json::JsonLimit;
use crate::http::rate_limit::RateLimiter;
use crate::http::{extractors, request_context};
use crate::media::store::{LocalDiskStore, MediaStore};
use crate::payments::gateway::Providers;
use crate::secrets::SecretKey;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub jwt_secret: SecretKey,
    pub cipher: Cipher,
    /// Per-client budget for sign-in, sign-up, codes and resets.
    pub auth_limiter: Arc<RateLimiter>,
    /// Where uploaded files are stored.
    pub media: Arc<dyn MediaStore>,
}

impl AppState {
    pub fn new(pool: DbPool, config: Config, jwt_secret: SecretKey, cipher: Cipher) -> Self {
        Self {
            pool,
            auth_limiter: Arc::new(RateLimiter::new(config.auth_rate_limit_per_minute)),
            media: Arc::new(LocalDiskStore::new(&config.data_dir.join("media"))),
            config: Arc::new(config),
            jwt_secret,
            cipher,
        }
    }

    /// Where the payment providers are, for paying and refunding.
    pub fn providers(&self) -> Providers {
        Providers::new(&self.config, self.cipher.clone())
    }

    /// Runs database work on the blocking thread pool (never on an actix worker), inside the
    /// caller's tracing span so its log lines keep the request id.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        web::block(move || {
            let _entered = span.enter();
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }
}

/// Errors of actix's own JSON extractor, should a route use it instead of `ApiJson`.
fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => AppError::PayloadTooLarge { limit },
        JsonPayloadError::ContentType => AppError::UnsupportedMediaType {
            expected: "application/json",
        },
        other => AppError::MalformedBody(other.to_string()),
    }
    .into()
}

pub fn build(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.config.max_json_bytes;
    let frontend = Frontend::new(&state.config.frontend_dir);
    let (app, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(api::ApiDoc::openapi())
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(JsonLimit(limit)))
        .app_data(
            web::JsonConfig::default()
                .limit(limit)
                .error_handler(json_error),
        )
        .app_data(extractors::path_config())
        .app_data(extractors::query_config())
        .configure(api::configure)
        .split_for_parts();
    api::share_problem_responses(&mut spec);
    let app = match frontend {
        Some(frontend) => app.app_data(web::Data::new(frontend)),
        None => app,
    };
    app.service(SwaggerUi::new("/api/docs/{_:.*}").url(api::OPENAPI_PATH, spec))
        .route(
            &format!("{}/{{merchant}}/{{file}}", crate::media::MEDIA_PATH),
            web::get().to(crate::media::routes::serve_media),
        )
        .route(
            "/api/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", api::DOCS_PATH))
                    .finish()
            }),
        )
        .default_service(web::to(fallback))
        .wrap(from_fn(crate::auth::principal::authenticate))
        .wrap(from_fn(request_context::request_context))
}
