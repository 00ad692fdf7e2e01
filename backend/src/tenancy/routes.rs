//! HTTP routes of tenancy: merchant sign-up and email verification.

use actix_web::{post, web, HttpResponse};

use super::signup::{self, SignupRequest, SignupResponse, VerifyEmailRequest, VerifyEmailResponse};
use crate::app::AppState;
use crate::auth::sessions::ClientInfo;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::rate_limit::AuthRateLimit;
use crate::http::ApiJson;

/// Merchant sign-up
///
/// Creates the merchant and its owner account, both waiting for email verification, and sends
/// the owner a single-use verification link valid for 24 hours.
#[utoipa::path(
    tag = "signup",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Signed up; the verification email is on its way", body = SignupResponse),
        (status = 400, description = "Malformed JSON", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The email is already registered (`email_taken`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/signup")]
pub async fn sign_up(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    body: ApiJson<SignupRequest>,
    client: ClientInfo,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let base_url = state.config.public_base_url();
    let created = state
        .db(move |conn| signup::sign_up(conn, &request, &base_url, &client, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Verify a merchant owner's email
///
/// Redeems the token from the verification link. A token works once and for 24 hours.
#[utoipa::path(
    tag = "signup",
    request_body = VerifyEmailRequest,
    responses(
        (status = 200, description = "Verified", body = VerifyEmailResponse),
        (status = 409, description = "The link was used already (`token_used`) or has expired (`token_expired`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Unknown token (`invalid_token`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/signup/verify-email")]
pub async fn verify_email(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    body: ApiJson<VerifyEmailRequest>,
    client: ClientInfo,
) -> AppResult<web::Json<VerifyEmailResponse>> {
    let token = body.into_inner().token;
    let approval = state.config.merchant_approval_required;
    let verified = state
        .db(move |conn| signup::verify_email(conn, &token, approval, &client, clock::now()))
        .await?;
    Ok(web::Json(verified))
}
