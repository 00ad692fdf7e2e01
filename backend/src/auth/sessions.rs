//! Sessions: one per signed-in device, each a family of rotating refresh tokens. A refresh token
//! works once; presenting a used one means it was copied, so the whole session is revoked.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::account::{self, AccountKind};
use super::jwt::{self, TokenUse};
use super::one_time;
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::{auth_sessions, refresh_tokens};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Message};
use crate::secrets::SecretKey;

/// A new session, open until it expires or is revoked.
#[derive(Debug, Insertable)]
#[diesel(table_name = auth_sessions)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct SessionInsertForm<'a> {
    pub account_kind: AccountKind,
    pub account_id: i64,
    pub merchant_id: Option<MerchantId>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// A new refresh token of a session (its hash), unused.
#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub(crate) struct RefreshTokenInsertForm<'a> {
    pub session_id: i64,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
}

/// A session lives this long from sign-in, however often it is refreshed.
pub const SESSION_TTL_DAYS: i64 = 30;

/// Where a request came from, for sessions and the audit log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

/// Tokens handed to a client after sign-in or refresh.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenPair {
    /// Bearer token for API calls; valid 15 minutes.
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    /// Single-use token for `POST /api/v1/auth/refresh`.
    pub refresh_token: String,
    /// When the session ends; refreshing does not extend it.
    pub session_expires_at: DateTime<Utc>,
    pub session_id: i64,
    #[schema(example = "Bearer")]
    pub token_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Whether this is the session of the token that asked.
    pub current: bool,
}

fn refresh_failed(message: impl Into<Message>) -> AppError {
    AppError::auth_failed(message)
}

/// The session a pair of tokens is issued for.
struct SessionOf {
    id: i64,
    kind: AccountKind,
    account_id: i64,
    merchant_id: Option<MerchantId>,
    expires_at: NaiveDateTime,
}

fn issue_pair(
    conn: &mut DbConnection,
    key: &SecretKey,
    session: &SessionOf,
    now: NaiveDateTime,
) -> AppResult<TokenPair> {
    let SessionOf {
        id: session_id,
        kind,
        account_id,
        merchant_id,
        expires_at: session_expires_at,
    } = *session;
    let refresh_token = one_time::generate()?;
    let token_hash = one_time::digest(&refresh_token);
    diesel::insert_into(refresh_tokens::table)
        .values(RefreshTokenInsertForm {
            session_id,
            token_hash: &token_hash,
            created_at: now,
        })
        .execute(conn)?;
    let (access_token, access_expires_at) = jwt::issue(
        key,
        kind,
        account_id,
        merchant_id,
        Some(session_id),
        TokenUse::Access,
        now,
    )?;
    Ok(TokenPair {
        access_token,
        access_token_expires_at: clock::to_utc(access_expires_at),
        refresh_token,
        session_expires_at: clock::to_utc(session_expires_at),
        session_id,
        token_type: "Bearer".into(),
    })
}

/// Opens a session for an account that just proved who it is. Runs inside the caller's
/// transaction.
pub fn start(
    conn: &mut DbConnection,
    key: &SecretKey,
    kind: AccountKind,
    account_id: i64,
    merchant_id: Option<MerchantId>,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> AppResult<TokenPair> {
    let expires_at = now + Duration::days(SESSION_TTL_DAYS);
    let user_agent = client.user_agent.as_deref().map(truncate_agent);
    let session_id: i64 = diesel::insert_into(auth_sessions::table)
        .values(SessionInsertForm {
            account_kind: kind,
            account_id,
            merchant_id,
            ip: client.ip.as_deref(),
            user_agent: user_agent.as_deref(),
            created_at: now,
            last_seen_at: now,
            expires_at,
        })
        .returning(auth_sessions::id)
        .get_result(conn)?;
    issue_pair(
        conn,
        key,
        &SessionOf {
            id: session_id,
            kind,
            account_id,
            merchant_id,
            expires_at,
        },
        now,
    )
}

fn truncate_agent(agent: &str) -> String {
    agent.chars().take(300).collect()
}

enum RefreshOutcome {
    Rotated(Box<TokenPair>),
    Reused,
}

/// Trades a refresh token for a new pair. A used token revokes its session (and that
/// revocation is committed even though the call fails).
pub fn refresh(
    conn: &mut DbConnection,
    key: &SecretKey,
    refresh_token: &str,
    now: NaiveDateTime,
) -> AppResult<TokenPair> {
    let outcome = write_transaction(conn, |conn| {
        let found = refresh_tokens::table
            .inner_join(auth_sessions::table)
            .filter(refresh_tokens::token_hash.eq(one_time::digest(refresh_token)))
            .select((
                refresh_tokens::id,
                refresh_tokens::used_at,
                auth_sessions::id,
                auth_sessions::account_kind,
                auth_sessions::account_id,
                auth_sessions::merchant_id,
                auth_sessions::expires_at,
                auth_sessions::revoked_at,
            ))
            .first::<(
                i64,
                Option<NaiveDateTime>,
                i64,
                AccountKind,
                i64,
                Option<MerchantId>,
                NaiveDateTime,
                Option<NaiveDateTime>,
            )>(conn)
            .optional()?;
        let Some((
            token_id,
            used_at,
            session_id,
            kind,
            account_id,
            merchant_id,
            expires_at,
            revoked_at,
        )) = found
        else {
            return Err(refresh_failed(ErrorCode::InvalidRefreshToken));
        };
        if revoked_at.is_some() || expires_at <= now {
            return Err(refresh_failed(ErrorCode::SessionEnded));
        }
        // Marking the token used is conditional, so of two concurrent refreshes one wins and
        // the other counts as reuse.
        let marked = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::id.eq(token_id))
                .filter(refresh_tokens::used_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)?;
        if used_at.is_some() || marked == 0 {
            revoke(conn, session_id, "refresh_token_reuse", now)?;
            return Ok(RefreshOutcome::Reused);
        }
        let active = account::find_by_id(conn, kind, account_id)?.is_some_and(|a| a.is_active());
        if !active {
            revoke(conn, session_id, "account_inactive", now)?;
            return Err(refresh_failed(ErrorCode::SessionEnded));
        }
        diesel::update(auth_sessions::table.find(session_id))
            .set(auth_sessions::last_seen_at.eq(now))
            .execute(conn)?;
        let pair = issue_pair(
            conn,
            key,
            &SessionOf {
                id: session_id,
                kind,
                account_id,
                merchant_id,
                expires_at,
            },
            now,
        )?;
        Ok(RefreshOutcome::Rotated(Box::new(pair)))
    })?;
    match outcome {
        RefreshOutcome::Rotated(pair) => Ok(*pair),
        RefreshOutcome::Reused => Err(refresh_failed(ErrorCode::RefreshTokenReused)),
    }
}

pub fn revoke(
    conn: &mut DbConnection,
    session_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let changed = diesel::update(
        auth_sessions::table
            .filter(auth_sessions::id.eq(session_id))
            .filter(auth_sessions::revoked_at.is_null()),
    )
    .set((
        auth_sessions::revoked_at.eq(now),
        auth_sessions::revoke_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Ends every session of an account (password reset, disabling, "sign out everywhere").
pub fn revoke_all(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<usize> {
    Ok(diesel::update(
        auth_sessions::table
            .filter(auth_sessions::account_kind.eq(kind))
            .filter(auth_sessions::account_id.eq(account_id))
            .filter(auth_sessions::revoked_at.is_null()),
    )
    .set((
        auth_sessions::revoked_at.eq(now),
        auth_sessions::revoke_reason.eq(reason),
    ))
    .execute(conn)?)
}

/// Whether the session is open and belongs to the account (checked on every request, so that
/// revocation takes effect at once).
pub fn is_open(
    conn: &mut DbConnection,
    session_id: i64,
    kind: AccountKind,
    account_id: i64,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let count: i64 = auth_sessions::table
        .filter(auth_sessions::id.eq(session_id))
        .filter(auth_sessions::account_kind.eq(kind))
        .filter(auth_sessions::account_id.eq(account_id))
        .filter(auth_sessions::revoked_at.is_null())
        .filter(auth_sessions::expires_at.gt(now))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

pub fn list_open(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: i64,
    current: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<Vec<SessionView>> {
    let rows = auth_sessions::table
        .filter(auth_sessions::account_kind.eq(kind))
        .filter(auth_sessions::account_id.eq(account_id))
        .filter(auth_sessions::revoked_at.is_null())
        .filter(auth_sessions::expires_at.gt(now))
        .order(auth_sessions::id.desc())
        .select((
            auth_sessions::id,
            auth_sessions::ip,
            auth_sessions::user_agent,
            auth_sessions::created_at,
            auth_sessions::last_seen_at,
            auth_sessions::expires_at,
        ))
        .load::<(
            i64,
            Option<String>,
            Option<String>,
            NaiveDateTime,
            NaiveDateTime,
            NaiveDateTime,
        )>(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, ip, user_agent, created_at, last_seen_at, expires_at)| SessionView {
                id,
                ip,
                user_agent,
                created_at: clock::to_utc(created_at),
                last_seen_at: clock::to_utc(last_seen_at),
                expires_at: clock::to_utc(expires_at),
                current: Some(id) == current,
            },
        )
        .collect())
}

/// Revokes one of the account's own sessions; another account's session is "not found".
pub fn revoke_own(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: i64,
    session_id: i64,
    now: NaiveDateTime,
) -> AppResult<()> {
    let owned: i64 = auth_sessions::table
        .filter(auth_sessions::id.eq(session_id))
        .filter(auth_sessions::account_kind.eq(kind))
        .filter(auth_sessions::account_id.eq(account_id))
        .count()
        .get_result(conn)?;
    if owned == 0 {
        return Err(AppError::NotFound);
    }
    revoke(conn, session_id, "signed_out", now)?;
    Ok(())
}
