//! HTTP routes of API keys.

use actix_web::{delete, get, post, web, HttpResponse};

use super::api_keys::{self, ApiKey, CreateApiKeyRequest, CreatedApiKey};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;

/// List API keys
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The merchant's keys, newest first (never the keys themselves)", body = [ApiKey]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `api_keys.manage`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    caller: Allowed<need::ApiKeysManage>,
) -> AppResult<web::Json<Vec<ApiKey>>> {
    let p = caller.0;
    let merchant_id = p.tenant()?;
    Ok(web::Json(
        state
            .db(move |conn| api_keys::list(conn, merchant_id))
            .await?,
    ))
}

/// Create an API key
///
/// The answer carries the key once; only a hash is kept.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "Created", body = CreatedApiKey),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `api_keys.manage` (`staff_only` for API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`scope_not_held`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    caller: Allowed<need::ApiKeysManage>,
    body: ApiJson<CreateApiKeyRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let request = body.into_inner();
    let created = state
        .db(move |conn| api_keys::create(conn, &p, &request, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Revoke an API key
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    params(("key_id" = i64, Path, description = "A key of the caller's merchant")),
    responses(
        (status = 200, description = "Revoked (revoking twice changes nothing)", body = ApiKey),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `api_keys.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such key", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[delete("/api-keys/{key_id}")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    caller: Allowed<need::ApiKeysManage>,
    path: web::Path<i64>,
) -> AppResult<web::Json<ApiKey>> {
    let p = caller.0;
    let key_id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| api_keys::revoke(conn, &p, key_id, clock::now()))
            .await?,
    ))
}
