//! API keys: `fx_` and 64 hex characters, shown once at creation, stored as a SHA-256 hash,
//! limited to scopes (permission names), revocable. Only staff manage keys, so a key can never
//! mint a key more powerful than the person who made it.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{self, AuditEntry};
use crate::auth::one_time;
use crate::auth::permissions::Permission;
use crate::auth::principal::{Caller, Principal, API_KEY_PREFIX};
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::api_keys;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::validate;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The first characters of the key, to recognise it.
    #[schema(example = "fx_1a2b3c4")]
    pub prefix: String,
    pub scopes: Vec<Permission>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiKey {
    /// The key itself. It is shown this once; store it now.
    #[schema(example = "fx_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    pub key: String,
    #[serde(flatten)]
    pub api_key: ApiKey,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "ERP sync")]
    pub name: String,
    /// Permissions the key carries; each must be one the creator holds.
    #[validate(length(min = 1, max = 50))]
    pub scopes: Vec<Permission>,
}

/// A row of `api_keys` as its owners see it (never the hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct ApiKeyRow {
    id: i64,
    name: String,
    prefix: String,
    /// Permission names separated by spaces.
    scopes: String,
    created_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

/// A new key, stored by its hash.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
#[diesel(treat_none_as_default_value = false)]
struct ApiKeyInsertForm<'a> {
    merchant_id: MerchantId,
    name: &'a str,
    prefix: &'a str,
    key_hash: &'a str,
    scopes: &'a str,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
}

fn to_key(row: ApiKeyRow) -> ApiKey {
    ApiKey {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        scopes: row
            .scopes
            .split_whitespace()
            .filter_map(Permission::parse)
            .collect(),
        created_at: clock::to_utc(row.created_at),
        last_used_at: row.last_used_at.map(clock::to_utc),
        revoked_at: row.revoked_at.map(clock::to_utc),
    }
}

/// The merchant's keys.
fn keys_of(merchant_id: MerchantId) -> diesel::dsl::Eq<api_keys::merchant_id, MerchantId> {
    api_keys::merchant_id.eq(merchant_id)
}

fn staff_only(caller: &Principal) -> AppResult<()> {
    match caller.caller {
        Caller::Staff { .. } => Ok(()),
        _ => Err(AppError::refused(ErrorCode::StaffOnly)),
    }
}

/// Notes that key `id` was just used (its `last_used_at`), for the key list.
pub(crate) fn record_use(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::last_used_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Vec<ApiKey>> {
    let rows: Vec<ApiKeyRow> = api_keys::table
        .filter(keys_of(merchant_id))
        .select(ApiKeyRow::as_select())
        .order(api_keys::id.desc())
        .load(conn)?;
    Ok(rows.into_iter().map(to_key).collect())
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &CreateApiKeyRequest,
    now: NaiveDateTime,
) -> AppResult<CreatedApiKey> {
    staff_only(caller)?;
    let merchant_id = caller.tenant()?;
    let mut scopes = request.scopes.clone();
    scopes.sort();
    scopes.dedup();
    if let Some(missing) = scopes.iter().find(|s| !caller.permissions.contains(s)) {
        return Err(AppError::field(
            "scopes",
            ErrorCode::ScopeNotHeld.arg("as_str", missing.as_str()),
        ));
    }
    let key = format!("{API_KEY_PREFIX}{}", one_time::generate()?);
    let prefix: String = key.chars().take(API_KEY_PREFIX.len() + 7).collect();
    let scope_text = scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    write_transaction(conn, |conn| {
        let id: i64 = diesel::insert_into(api_keys::table)
            .values(ApiKeyInsertForm {
                merchant_id,
                name: &request.name,
                prefix: &prefix,
                key_hash: &one_time::digest(&key),
                scopes: &scope_text,
                created_by: Some(caller.id),
                created_at: now,
            })
            .returning(api_keys::id)
            .get_result(conn)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("api_key.created")
                .target("api_key", id)
                .changes(serde_json::json!({
                    "name": { "before": null, "after": request.name },
                    "scopes": { "before": null, "after": scope_text },
                })),
            now,
        )?;
        let row: ApiKeyRow = api_keys::table
            .filter(keys_of(merchant_id))
            .select(ApiKeyRow::as_select())
            .filter(api_keys::id.eq(id))
            .first(conn)?;
        Ok(CreatedApiKey {
            key: key.clone(),
            api_key: to_key(row),
        })
    })
}

pub fn revoke(
    conn: &mut DbConnection,
    caller: &Principal,
    key_id: i64,
    now: NaiveDateTime,
) -> AppResult<ApiKey> {
    staff_only(caller)?;
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let row: ApiKeyRow = api_keys::table
            .filter(keys_of(merchant_id))
            .select(ApiKeyRow::as_select())
            .filter(api_keys::id.eq(key_id))
            .first(conn)?;
        if row.revoked_at.is_none() {
            diesel::update(api_keys::table.filter(api_keys::id.eq(key_id)))
                .set(api_keys::revoked_at.eq(now))
                .execute(conn)?;
            audit::record(
                conn,
                &caller.audit_actor(),
                &caller.client,
                AuditEntry::new("api_key.revoked").target("api_key", key_id),
                now,
            )?;
        }
        let row: ApiKeyRow = api_keys::table
            .filter(keys_of(merchant_id))
            .select(ApiKeyRow::as_select())
            .filter(api_keys::id.eq(key_id))
            .first(conn)?;
        Ok(to_key(row))
    })
}
