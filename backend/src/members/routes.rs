//! HTTP routes of a shop's members.

use actix_web::{get, post, web, HttpResponse};

use super::service::{self, CodeRequest, MemberSignInRequest, MemberView, RegisterRequest};
use crate::app::AppState;
use crate::auth::lockout::LockoutPolicy;
use crate::auth::sessions::ClientInfo;
use crate::auth::sign_in::SignInResponse;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::rate_limit::AuthRateLimit;
use crate::http::ApiJson;
use crate::shop::{OpenShop, ShopMember};

/// Send a verification code
///
/// A six-digit code by SMS (phone number) or email, valid 10 minutes; one a minute per
/// recipient.
#[utoipa::path(
    tag = "members",
    params(("slug" = String, Path, description = "The shop's address")),
    request_body = CodeRequest,
    responses(
        (status = 202, description = "The code is on its way"),
        (status = 404, description = "No open shop at this address", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Not a phone number or email", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Asked again too soon (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/verification-codes")]
pub async fn send_code(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    OpenShop(merchant_id): OpenShop,
    body: ApiJson<CodeRequest>,
    client: ClientInfo,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    state
        .db(move |conn| service::send_code(conn, merchant_id, &request, &client, clock::now()))
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Register as a member
///
/// With the code sent to the phone or email; answers tokens (signed in). With the
/// `distributor_code` of the share link the member came through, binds the member to that
/// distributor (a frozen or ended distributor's link registers the member unbound). When the
/// shop's entry mode is `everyone`, the member is a distributor at once (recruited by that
/// distributor when they can recruit).
#[utoipa::path(
    tag = "members",
    params(("slug" = String, Path, description = "The shop's address")),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered and signed in", body = SignInResponse),
        (status = 404, description = "No open shop at this address", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`login_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, `invalid_code` or `unknown_distributor_code`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/members")]
pub async fn register(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    OpenShop(merchant_id): OpenShop,
    body: ApiJson<RegisterRequest>,
    client: ClientInfo,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let key = state.jwt_secret.clone();
    let base = state.config.public_base_url();
    let response = state
        .db(move |conn| service::register(conn, &key, merchant_id, &request, &client, &base))
        .await?;
    Ok(HttpResponse::Created().json(response))
}

/// Member sign-in
#[utoipa::path(
    tag = "members",
    params(("slug" = String, Path, description = "The shop's address")),
    request_body = MemberSignInRequest,
    responses(
        (status = 200, description = "Signed in", body = SignInResponse),
        (status = 401, description = "`invalid_credentials` or `account_locked`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No open shop at this address", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/members/sign-in")]
pub async fn sign_in(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    OpenShop(merchant_id): OpenShop,
    body: ApiJson<MemberSignInRequest>,
    client: ClientInfo,
) -> AppResult<web::Json<SignInResponse>> {
    let request = body.into_inner();
    let key = state.jwt_secret.clone();
    let policy = LockoutPolicy {
        threshold: state.config.lockout_threshold,
        window: chrono::Duration::minutes(state.config.lockout_window_minutes),
    };
    Ok(web::Json(
        state
            .db(move |conn| service::sign_in(conn, &key, merchant_id, &request, &client, policy))
            .await?,
    ))
}

/// The signed-in member
#[utoipa::path(
    tag = "members",
    // Not `me`: that is the staff account's operation, and ids key the SPA's generated types.
    operation_id = "member_me",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The member", body = MemberView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop (or no open shop at this address)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me")]
pub async fn me(
    state: web::Data<AppState>,
    member: ShopMember,
) -> AppResult<web::Json<MemberView>> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    Ok(web::Json(
        state
            .db(move |conn| service::view(conn, merchant_id, member_id))
            .await?,
    ))
}
