//! Liveness and readiness probes for load balancers and orchestrators.

use std::time::Duration;

use actix_web::{get, web};
use diesel::connection::SimpleConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{AppError, AppResult, ProblemBody};

/// How long readiness waits for a database connection before answering 503.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: String,
    /// The database backend in use: `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: String,
}

/// Process liveness
///
/// Answers 200 while the process serves requests; it does not touch the database.
#[utoipa::path(
    tag = "system",
    responses((status = 200, description = "The process is up", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".into(),
    })
}

/// Readiness
///
/// Answers 200 when the database answers a query, 503 otherwise.
#[utoipa::path(
    tag = "system",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "The database is unreachable", body = ProblemBody,
            content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<web::Json<Readiness>> {
    let pool = state.pool.clone();
    let backend = web::block(move || -> AppResult<&'static str> {
        let mut conn = pool.get_timeout(READINESS_TIMEOUT)?;
        conn.batch_execute("SELECT 1")
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        Ok(conn.backend().name())
    })
    .await??;
    Ok(web::Json(Readiness {
        status: "ready".into(),
        database: backend.into(),
    }))
}
