//! HTTP routes of the caller's merchant.

use actix_web::{get, put, web};

use super::merchant::{self, MerchantView, ProfileRequest, SecurityPolicyRequest};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;

/// The caller's merchant
#[utoipa::path(
    tag = "merchant",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The merchant", body = MerchantView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/merchant")]
pub async fn get_merchant(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantRead>,
) -> AppResult<web::Json<MerchantView>> {
    let p = caller.0;
    let merchant_id = p.tenant()?;
    Ok(web::Json(
        state
            .db(move |conn| merchant::view(conn, merchant_id))
            .await?,
    ))
}

/// Set the security policy
///
/// The owner decides whether every staff member must use two-factor authentication. Staff
/// without it can then only set it up until they do.
#[utoipa::path(
    tag = "merchant",
    security(("bearer" = [])),
    request_body = SecurityPolicyRequest,
    responses(
        (status = 200, description = "Updated", body = MerchantView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`, and only the owner may (`owner_only`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/merchant/security-policy")]
pub async fn set_security_policy(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    body: ApiJson<SecurityPolicyRequest>,
) -> AppResult<web::Json<MerchantView>> {
    let p = caller.0;
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| merchant::set_security_policy(conn, &p, &request, clock::now()))
            .await?,
    ))
}

/// Set the store profile
///
/// Name, description, logo, time zone and the shop's address (`slug`).
#[utoipa::path(
    tag = "merchant",
    security(("bearer" = [])),
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "Updated", body = MerchantView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`slug_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`invalid_slug`, `reserved_slug`, `invalid_timezone`, `unknown_media`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/merchant/profile")]
pub async fn update_profile(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    body: ApiJson<ProfileRequest>,
) -> AppResult<web::Json<MerchantView>> {
    let p = caller.0;
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| merchant::update_profile(conn, &p, &request, clock::now()))
            .await?,
    ))
}
