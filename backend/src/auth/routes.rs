//! HTTP routes of authentication: sign-in, refresh, sign-out, the current account, sessions.

use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::account::AccountKind;
use super::lockout::LockoutPolicy;
use super::mfa::{self, MfaCodeRequest, MfaEnrolment, MfaVerifyRequest, RecoveryCodes};
use super::password_reset::{self, ResetConfirmRequest, ResetRequest};
use super::permissions::Permission;
use super::principal::{Authenticated, Caller};
use super::sessions::{self, ClientInfo, SessionView, TokenPair};
use super::sign_in::{self, SignInRequest, SignInResponse};
use crate::app::AppState;
use crate::audit::{self, AuditEntry};
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::write_transaction;
use crate::error::{AppError, AppResult, ProblemBody};
use crate::http::rate_limit::AuthRateLimit;
use crate::http::ApiJson;
use crate::tenancy::models::StaffRole;

fn lockout_policy(state: &AppState) -> LockoutPolicy {
    LockoutPolicy {
        threshold: state.config.lockout_threshold,
        window: chrono::Duration::minutes(state.config.lockout_window_minutes),
    }
}

async fn sign_in_as(
    state: web::Data<AppState>,
    kind: AccountKind,
    request: SignInRequest,
    client: ClientInfo,
) -> AppResult<web::Json<SignInResponse>> {
    let key = state.jwt_secret.clone();
    let policy = lockout_policy(&state);
    let response = state
        .db(move |conn| sign_in::sign_in(conn, &key, kind, &request, &client, policy))
        .await?;
    Ok(web::Json(response))
}

/// Staff sign-in
///
/// Email and password of a merchant's staff member. Answers tokens, or `mfa_required` with a
/// challenge token when the account has two-factor authentication. Five wrong passwords within
/// 15 minutes lock the account.
#[utoipa::path(
    tag = "auth",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in, or a second factor is required", body = SignInResponse),
        (status = 401, description = "`invalid_credentials` or `account_locked`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`email_not_verified` or `account_disabled`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/auth/sign-in")]
pub async fn staff_sign_in(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    body: ApiJson<SignInRequest>,
    client: ClientInfo,
) -> AppResult<web::Json<SignInResponse>> {
    sign_in_as(state, AccountKind::Staff, body.into_inner(), client).await
}

/// Platform operator sign-in
#[utoipa::path(
    tag = "platform",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in, or a second factor is required", body = SignInResponse),
        (status = 401, description = "`invalid_credentials` or `account_locked`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/platform/auth/sign-in")]
pub async fn operator_sign_in(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    body: ApiJson<SignInRequest>,
    client: ClientInfo,
) -> AppResult<web::Json<SignInResponse>> {
    sign_in_as(state, AccountKind::Operator, body.into_inner(), client).await
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 200))]
    pub refresh_token: String,
}

/// Refresh tokens
///
/// Trades a refresh token for a new access token and a new refresh token. Each refresh token
/// works once: presenting a used one ends the whole session.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenPair),
        (status = 401, description = "`invalid_refresh_token`, `refresh_token_reused` or `session_ended`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> AppResult<web::Json<TokenPair>> {
    let token = body.into_inner().refresh_token;
    let key = state.jwt_secret.clone();
    let pair = state
        .db(move |conn| sessions::refresh(conn, &key, &token, clock::now()))
        .await?;
    Ok(web::Json(pair))
}

/// Sign out
///
/// Ends the session of the access token used.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/auth/sign-out")]
pub async fn sign_out(
    state: web::Data<AppState>,
    caller: Authenticated,
) -> AppResult<HttpResponse> {
    let principal = caller.0;
    let Some(session_id) = principal.session_id else {
        return Err(AppError::Forbidden);
    };
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let now = clock::now();
                sessions::revoke(conn, session_id, "signed_out", now)?;
                audit::record(
                    conn,
                    &principal.audit_actor(),
                    &principal.client,
                    AuditEntry::new("auth.signed_out").target("session", session_id),
                    now,
                )
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub kind: String,
    pub id: i64,
    /// Email, or the API key's name.
    pub label: String,
    #[schema(value_type = Option<i64>)]
    pub merchant_id: Option<MerchantId>,
    pub role: Option<StaffRole>,
    pub permissions: Vec<Permission>,
    pub mfa_enabled: bool,
    /// The merchant requires MFA and this account has none: only MFA set-up is open.
    pub mfa_enrolment_required: bool,
}

/// The signed-in caller
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Who is calling and what they may do", body = Me),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, caller: Authenticated) -> AppResult<web::Json<Me>> {
    let p = caller.0;
    let kind = p.account_kind();
    let id = p.id;
    let mfa_enabled = match kind {
        Some(kind) => {
            state
                .db(move |conn| sign_in::has_mfa(conn, kind, id))
                .await?
        }
        None => false,
    };
    Ok(web::Json(Me {
        kind: p.audit_actor().kind.as_str().to_owned(),
        id: p.id,
        label: p.label.clone(),
        merchant_id: p.merchant_id,
        role: match p.caller {
            Caller::Staff { role } => Some(role),
            _ => None,
        },
        permissions: p.permissions.iter().copied().collect(),
        mfa_enabled,
        mfa_enrolment_required: p.mfa_enrolment_required,
    }))
}

/// The caller's open sessions
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Open sessions, newest first", body = [SessionView]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/auth/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Authenticated,
) -> AppResult<web::Json<Vec<SessionView>>> {
    let p = caller.0;
    let kind = p.account_kind().ok_or(AppError::Forbidden)?;
    let (id, current) = (p.id, p.session_id);
    let list = state
        .db(move |conn| sessions::list_open(conn, kind, id, current, clock::now()))
        .await?;
    Ok(web::Json(list))
}

/// End one of the caller's sessions
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    params(("session_id" = i64, Path, description = "A session of the caller")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such session of the caller", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[delete("/auth/sessions/{session_id}")]
pub async fn revoke_session(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let kind = p.account_kind().ok_or(AppError::Forbidden)?;
    let session_id = path.into_inner();
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let now = clock::now();
                sessions::revoke_own(conn, kind, p.id, session_id, now)?;
                audit::record(
                    conn,
                    &p.audit_actor(),
                    &p.client,
                    AuditEntry::new("auth.session_revoked").target("session", session_id),
                    now,
                )
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Start setting up two-factor authentication
///
/// Answers a new TOTP secret (and its `otpauth://` URI for a QR code). It takes effect once
/// confirmed with a code.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The secret to put in an authenticator app", body = MfaEnrolment),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`mfa_already_enabled`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/auth/mfa/enrol")]
pub async fn mfa_enrol(
    state: web::Data<AppState>,
    caller: Authenticated,
) -> AppResult<web::Json<MfaEnrolment>> {
    let p = caller.0;
    let cipher = state.cipher.clone();
    Ok(web::Json(
        state
            .db(move |conn| mfa::enrol(conn, &cipher, &p, clock::now()))
            .await?,
    ))
}

/// Confirm two-factor authentication
///
/// Turns MFA on with a first valid code and answers ten single-use recovery codes (shown once).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = MfaCodeRequest,
    responses(
        (status = 200, description = "MFA is on", body = RecoveryCodes),
        (status = 401, description = "`invalid_mfa_code`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`mfa_already_enabled` or `mfa_not_enrolling`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/auth/mfa/confirm")]
pub async fn mfa_confirm(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: ApiJson<MfaCodeRequest>,
) -> AppResult<web::Json<RecoveryCodes>> {
    let p = caller.0;
    let code = body.into_inner().code;
    let cipher = state.cipher.clone();
    Ok(web::Json(
        state
            .db(move |conn| mfa::confirm(conn, &cipher, &p, &code, clock::now()))
            .await?,
    ))
}

/// Turn two-factor authentication off
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = MfaCodeRequest,
    responses(
        (status = 204, description = "MFA is off"),
        (status = 401, description = "`invalid_mfa_code`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/auth/mfa/disable")]
pub async fn mfa_disable(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: ApiJson<MfaCodeRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let code = body.into_inner().code;
    let cipher = state.cipher.clone();
    state
        .db(move |conn| mfa::disable(conn, &cipher, &p, &code, clock::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Finish signing in with a second factor
///
/// The `mfa_token` from sign-in and a TOTP or recovery code. Wrong codes count towards the
/// lockout.
#[utoipa::path(
    tag = "auth",
    request_body = MfaVerifyRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 401, description = "`invalid_mfa_code`, `mfa_challenge_invalid` or `account_locked`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/auth/mfa/verify")]
pub async fn mfa_verify(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    body: ApiJson<MfaVerifyRequest>,
    client: ClientInfo,
) -> AppResult<web::Json<TokenPair>> {
    let request = body.into_inner();
    let key = state.jwt_secret.clone();
    let cipher = state.cipher.clone();
    let policy = lockout_policy(&state);
    Ok(web::Json(
        state
            .db(move |conn| mfa::complete_sign_in(conn, &key, &cipher, &request, &client, policy))
            .await?,
    ))
}

/// Ask for a password reset link
///
/// Always answers 202, whether or not the email has an account. An active account gets a
/// single-use link valid 30 minutes.
#[utoipa::path(
    tag = "auth",
    request_body = ResetRequest,
    responses(
        (status = 202, description = "If the account exists, the link is on its way"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    body: ApiJson<ResetRequest>,
    client: ClientInfo,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let base = state.config.public_base_url();
    state
        .db(move |conn| password_reset::request(conn, &request, &base, &client, clock::now()))
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with a reset link
///
/// Ends every session of the account and lifts a lockout.
#[utoipa::path(
    tag = "auth",
    request_body = ResetConfirmRequest,
    responses(
        (status = 204, description = "The password is changed; sign in again"),
        (status = 409, description = "`token_used` or `token_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_token` or a weak password", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    body: ApiJson<ResetConfirmRequest>,
    client: ClientInfo,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    state
        .db(move |conn| password_reset::confirm(conn, &request, &client, clock::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
