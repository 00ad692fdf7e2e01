//! Who is calling: the bearer token (an access token or an API key) resolved against the
//! database on every request, so that revoked sessions, disabled accounts and revoked keys stop
//! working at once.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::Duration;
use diesel::prelude::*;

use super::account::{AccountKind, AccountStatus};
use super::jwt::{self, Rejection, TokenUse};
use super::one_time;
use super::permissions::{self, Need, Permission};
use super::sessions::{self, ClientInfo};
use crate::app::AppState;
use crate::audit::{ActorKind, AuditActor};
use crate::clock;
use crate::db::ids::{MemberId, MerchantId};
use crate::db::schema::{
    account_security, api_keys, members, merchants, platform_operators, staff_users,
};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode, Message};
use crate::http::RequestId;
use crate::tenancy::models::{MerchantStatus, StaffRole};

/// API keys start with this, so a bearer token tells what it is at a glance.
pub const API_KEY_PREFIX: &str = "fx_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Staff { role: StaffRole },
    Operator,
    Member,
    ApiKey,
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub caller: Caller,
    /// Staff, operator or member id; the key's id for API keys.
    pub id: i64,
    pub merchant_id: Option<MerchantId>,
    /// A member's shop address (its merchant's slug), which the member-facing paths name; none
    /// for other callers.
    pub shop: Option<String>,
    pub session_id: Option<i64>,
    /// Email, or the key's name.
    pub label: String,
    pub permissions: BTreeSet<Permission>,
    /// The merchant requires MFA and this staff account has none yet: only enrolment is open.
    pub mfa_enrolment_required: bool,
    pub client: ClientInfo,
}

impl Principal {
    pub fn account_kind(&self) -> Option<AccountKind> {
        match self.caller {
            Caller::Staff { .. } => Some(AccountKind::Staff),
            Caller::Operator => Some(AccountKind::Operator),
            Caller::Member => Some(AccountKind::Member),
            Caller::ApiKey => None,
        }
    }

    /// Refuses unless the caller holds the permission.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.mfa_enrolment_required {
            return Err(AppError::refused(ErrorCode::MfaEnrolmentRequired));
        }
        if self.permissions.contains(&permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The caller's tenant; callers without one are refused.
    pub fn tenant(&self) -> AppResult<MerchantId> {
        self.merchant_id.ok_or(AppError::Forbidden)
    }

    pub fn audit_actor(&self) -> AuditActor {
        AuditActor {
            merchant_id: self.merchant_id,
            kind: match self.caller {
                Caller::Staff { .. } => ActorKind::Staff,
                Caller::Operator => ActorKind::Operator,
                Caller::Member => ActorKind::Member,
                Caller::ApiKey => ActorKind::ApiKey,
            },
            id: Some(self.id),
            label: Some(self.label.clone()),
        }
    }
}

fn unauthorized(message: impl Into<Message>) -> AppError {
    AppError::auth_failed(message)
}

fn missing_token() -> AppError {
    AppError::Unauthorized
}

fn invalid_token() -> AppError {
    unauthorized(ErrorCode::InvalidToken.form("access_token_valid"))
}

/// The client's address and agent, as recorded in sessions and the audit log.
pub fn client_info(req: &HttpRequest) -> ClientInfo {
    let ip = crate::http::client_ip(req);
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(300).collect());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    ClientInfo {
        ip,
        user_agent,
        request_id,
    }
}

fn bearer(req: &HttpRequest) -> AppResult<String> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(missing_token)?
        .to_str()
        .map_err(|_| invalid_token())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(invalid_token)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(invalid_token());
    }
    Ok(token.trim().to_owned())
}

/// Resolves a bearer token to a principal. Runs on the blocking pool.
pub fn resolve(
    conn: &mut DbConnection,
    key: &crate::secrets::SecretKey,
    token: &str,
    client: ClientInfo,
) -> AppResult<Principal> {
    let now = clock::now();
    if token.starts_with(API_KEY_PREFIX) {
        return resolve_api_key(conn, token, client, now);
    }
    let claims =
        jwt::verify(key, token, TokenUse::Access).map_err(|rejection| match rejection {
            Rejection::Expired => unauthorized(ErrorCode::TokenExpired.form("access_token_has")),
            Rejection::Invalid => invalid_token(),
        })?;
    let account_id = claims.account_id().ok_or_else(invalid_token)?;
    let session_id = claims.sid.ok_or_else(invalid_token)?;
    if !sessions::is_open(conn, session_id, claims.kind, account_id, now)? {
        return Err(unauthorized(ErrorCode::SessionEnded));
    }
    match claims.kind {
        AccountKind::Staff => {
            let row = staff_users::table
                .inner_join(merchants::table)
                .filter(staff_users::id.eq(account_id))
                .select((
                    staff_users::merchant_id,
                    staff_users::email,
                    staff_users::role,
                    staff_users::status,
                    merchants::status,
                    merchants::require_staff_mfa,
                ))
                .first::<(
                    MerchantId,
                    String,
                    StaffRole,
                    AccountStatus,
                    MerchantStatus,
                    bool,
                )>(conn)
                .optional()?;
            let Some((merchant_id, email, role, status, merchant_status, require_mfa)) = row else {
                return Err(invalid_token());
            };
            if status != AccountStatus::Active || Some(merchant_id) != claims.mid {
                return Err(invalid_token());
            }
            if merchant_status == MerchantStatus::Suspended {
                return Err(AppError::refused(ErrorCode::MerchantSuspended));
            }
            let has_mfa = account_security::table
                .filter(account_security::account_kind.eq(AccountKind::Staff))
                .filter(account_security::account_id.eq(account_id))
                .select(account_security::totp_enabled_at)
                .first::<Option<chrono::NaiveDateTime>>(conn)
                .optional()?
                .flatten()
                .is_some();
            Ok(Principal {
                caller: Caller::Staff { role },
                id: account_id,
                merchant_id: Some(merchant_id),
                shop: None,
                session_id: Some(session_id),
                label: email,
                permissions: permissions::for_role(role).iter().copied().collect(),
                mfa_enrolment_required: require_mfa && !has_mfa,
                client,
            })
        }
        AccountKind::Operator => {
            let row = platform_operators::table
                .find(account_id)
                .select((platform_operators::email, platform_operators::status))
                .first::<(String, AccountStatus)>(conn)
                .optional()?;
            match row {
                Some((email, AccountStatus::Active)) => Ok(Principal {
                    caller: Caller::Operator,
                    id: account_id,
                    merchant_id: None,
                    shop: None,
                    session_id: Some(session_id),
                    label: email,
                    permissions: BTreeSet::new(),
                    mfa_enrolment_required: false,
                    client,
                }),
                _ => Err(invalid_token()),
            }
        }
        AccountKind::Member => {
            let row = members::table
                .inner_join(merchants::table)
                .filter(members::id.eq(MemberId(account_id)))
                .select((
                    members::merchant_id,
                    members::phone,
                    members::email,
                    members::status,
                    merchants::status,
                    merchants::slug,
                ))
                .first::<(
                    MerchantId,
                    Option<String>,
                    Option<String>,
                    AccountStatus,
                    MerchantStatus,
                    Option<String>,
                )>(conn)
                .optional()?;
            match row {
                Some((merchant_id, phone, email, status, merchant_status, shop))
                    if status == AccountStatus::Active
                        && merchant_status == MerchantStatus::Active
                        && Some(merchant_id) == claims.mid =>
                {
                    Ok(Principal {
                        caller: Caller::Member,
                        id: account_id,
                        merchant_id: Some(merchant_id),
                        shop,
                        session_id: Some(session_id),
                        label: phone.or(email).unwrap_or_default(),
                        permissions: BTreeSet::new(),
                        mfa_enrolment_required: false,
                        client,
                    })
                }
                _ => Err(invalid_token()),
            }
        }
    }
}

fn resolve_api_key(
    conn: &mut DbConnection,
    token: &str,
    client: ClientInfo,
    now: chrono::NaiveDateTime,
) -> AppResult<Principal> {
    let row = api_keys::table
        .inner_join(merchants::table)
        .filter(api_keys::key_hash.eq(one_time::digest(token)))
        .filter(api_keys::revoked_at.is_null())
        .select((
            api_keys::id,
            api_keys::merchant_id,
            api_keys::name,
            api_keys::scopes,
            api_keys::last_used_at,
            merchants::status,
        ))
        .first::<(
            i64,
            MerchantId,
            String,
            String,
            Option<chrono::NaiveDateTime>,
            MerchantStatus,
        )>(conn)
        .optional()?;
    let Some((id, merchant_id, name, scopes, last_used_at, merchant_status)) = row else {
        return Err(unauthorized(ErrorCode::InvalidApiKey));
    };
    if merchant_status == MerchantStatus::Suspended {
        return Err(AppError::refused(ErrorCode::MerchantSuspended));
    }
    // Recording every use would turn every read into a write; a minute's precision is enough.
    if last_used_at.is_none_or(|t| now - t > Duration::minutes(1)) {
        crate::integrations::api_keys::record_use(conn, id, now)?;
    }
    Ok(Principal {
        caller: Caller::ApiKey,
        id,
        merchant_id: Some(merchant_id),
        shop: None,
        session_id: None,
        label: name,
        permissions: scopes
            .split_whitespace()
            .filter_map(Permission::parse)
            .collect(),
        mfa_enrolment_required: false,
        client,
    })
}

/// The outcome of resolving the request's bearer token, computed once by `authenticate`.
#[derive(Clone)]
struct Resolved(Result<Principal, AppError>);

/// Middleware: resolves a bearer token before any extractor runs. Extractors of one handler are
/// polled together, so without this a fast validation error in the body could answer before the
/// slower token check — and tell an unauthenticated caller about the body.
pub async fn authenticate(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.headers().contains_key(header::AUTHORIZATION) {
        let resolved = resolve_request(req.request()).await;
        req.extensions_mut().insert(Resolved(resolved));
    }
    next.call(req).await
}

async fn principal_from(req: &HttpRequest) -> AppResult<Principal> {
    if !req.headers().contains_key(header::AUTHORIZATION) {
        return Err(missing_token());
    }
    let stored = req.extensions().get::<Resolved>().cloned();
    match stored {
        Some(Resolved(result)) => result,
        None => resolve_request(req).await,
    }
}

async fn resolve_request(req: &HttpRequest) -> AppResult<Principal> {
    let token = bearer(req)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state missing"))?
        .clone();
    let client = client_info(req);
    let key = state.jwt_secret.clone();
    state
        .db(move |conn| resolve(conn, &key, &token, client))
        .await
}

/// Any signed-in caller.
pub struct Authenticated(pub Principal);

/// A merchant's staff member or API key: the callers of the console and integration API.
pub struct MerchantCaller(pub Principal);

/// A platform operator.
pub struct OperatorCaller(pub Principal);

/// A member (shopper) of a merchant.
pub struct MemberCaller(pub Principal);

type Fut<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

impl FromRequest for ClientInfo {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(client_info(req)))
    }
}

impl FromRequest for Authenticated {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { principal_from(&req).await.map(Authenticated) })
    }
}

fn wrong_kind() -> AppError {
    AppError::refused(ErrorCode::WrongAccountKind)
}

impl FromRequest for MerchantCaller {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let principal = principal_from(&req).await?;
            match principal.caller {
                Caller::Staff { .. } | Caller::ApiKey => Ok(MerchantCaller(principal)),
                _ => Err(wrong_kind()),
            }
        })
    }
}

impl FromRequest for OperatorCaller {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let principal = principal_from(&req).await?;
            match principal.caller {
                Caller::Operator => Ok(OperatorCaller(principal)),
                _ => Err(wrong_kind()),
            }
        })
    }
}

impl FromRequest for MemberCaller {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let principal = principal_from(&req).await?;
            match principal.caller {
                Caller::Member => Ok(MemberCaller(principal)),
                _ => Err(wrong_kind()),
            }
        })
    }
}

/// A merchant caller (staff or API key) holding the permission `N`. Checked while extracting,
/// before the body is read, so an unauthorised caller learns nothing about the body's rules.
pub struct Allowed<N: Need>(pub Principal, std::marker::PhantomData<N>);

impl<N: Need + 'static> FromRequest for Allowed<N> {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = MerchantCaller::from_request(req, payload);
        Box::pin(async move {
            let MerchantCaller(principal) = caller.await?;
            principal.require(N::PERMISSION)?;
            Ok(Allowed(principal, std::marker::PhantomData))
        })
    }
}
