//! The merchant's tracker settings: the Kuaidi100 account (`customer` and its key) and the secret
//! of the generic webhook, secrets sealed at rest and shown masked. A secret left out keeps its
//! stored value; an empty one clears it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::kuaidi100::Account;
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::crypto::Cipher;
use crate::db::ids::MerchantId;
use crate::db::schema::tracking_settings as ts;
use crate::db::{write_transaction, DbConnection};
use crate::error::AppResult;
use crate::payments::settings::mask;

#[derive(Debug, Clone, Default, Queryable, Selectable)]
#[diesel(table_name = ts)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct SettingsRow {
    kuaidi100_customer: Option<String>,
    kuaidi100_key_encrypted: Option<String>,
    webhook_secret_encrypted: Option<String>,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = ts)]
#[diesel(treat_none_as_null = true)]
struct SettingsForm<'a> {
    merchant_id: MerchantId,
    kuaidi100_customer: Option<&'a str>,
    kuaidi100_key_encrypted: Option<&'a str>,
    webhook_secret_encrypted: Option<&'a str>,
    updated_at: NaiveDateTime,
}

/// The settings as staff see them, secrets masked.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct TrackingSettings {
    /// The Kuaidi100 account (`customer`); packages are subscribed when it and the key are set.
    pub kuaidi100_customer: Option<String>,
    /// Masked (`****1234`).
    pub kuaidi100_key: Option<String>,
    /// Masked; the generic webhook takes pushes signed with it.
    pub webhook_secret: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingSettingsRequest {
    /// Empty clears it.
    #[validate(length(max = 64))]
    pub kuaidi100_customer: Option<String>,
    /// Absent keeps the stored key; empty clears it.
    #[validate(length(max = 128))]
    pub kuaidi100_key: Option<String>,
    /// Absent keeps the stored secret; empty clears it; else at least 16 characters.
    #[validate(length(max = 128))]
    pub webhook_secret: Option<String>,
}

fn row(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<SettingsRow> {
    Ok(ts::table
        .find(merchant_id)
        .select(SettingsRow::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

fn open(cipher: &Cipher, sealed: Option<&str>) -> AppResult<Option<String>> {
    sealed
        .map(|s| {
            cipher
                .decrypt(s)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        })
        .transpose()
}

pub fn load(
    conn: &mut DbConnection,
    cipher: &Cipher,
    merchant_id: MerchantId,
) -> AppResult<TrackingSettings> {
    let r = row(conn, merchant_id)?;
    Ok(TrackingSettings {
        kuaidi100_customer: r.kuaidi100_customer,
        kuaidi100_key: open(cipher, r.kuaidi100_key_encrypted.as_deref())?.map(|k| mask(&k)),
        webhook_secret: open(cipher, r.webhook_secret_encrypted.as_deref())?.map(|k| mask(&k)),
    })
}

/// The merchant's Kuaidi100 account, when both its parts are set.
pub fn kuaidi100(
    conn: &mut DbConnection,
    cipher: &Cipher,
    merchant_id: MerchantId,
) -> AppResult<Option<Account>> {
    let r = row(conn, merchant_id)?;
    let key = open(cipher, r.kuaidi100_key_encrypted.as_deref())?;
    Ok(match (r.kuaidi100_customer, key) {
        (Some(customer), Some(key)) => Some(Account { customer, key }),
        _ => None,
    })
}

/// The secret of the merchant's generic webhook, if set.
pub fn webhook_secret(
    conn: &mut DbConnection,
    cipher: &Cipher,
    merchant_id: MerchantId,
) -> AppResult<Option<String>> {
    let r = row(conn, merchant_id)?;
    open(cipher, r.webhook_secret_encrypted.as_deref())
}

fn short_secret() -> crate::error::AppError {
    crate::error::AppError::field(
        "webhook_secret",
        crate::error::ErrorCode::Length
            .form("between")
            .arg("min", 16)
            .arg("max", 128),
    )
}

/// Changes the settings, audited (which settings changed, never their values).
pub fn save(
    conn: &mut DbConnection,
    cipher: &Cipher,
    caller: &Principal,
    request: &TrackingSettingsRequest,
    now: NaiveDateTime,
) -> AppResult<TrackingSettings> {
    let merchant_id = caller.tenant()?;
    if let Some(secret) = request.webhook_secret.as_deref() {
        if !secret.is_empty() && secret.trim().chars().count() < 16 {
            return Err(short_secret());
        }
    }
    let seal = |value: Option<&str>, stored: Option<String>| -> AppResult<Option<String>> {
        match value.map(str::trim) {
            None => Ok(stored),
            Some("") => Ok(None),
            Some(v) => cipher.encrypt(v.as_bytes()).map(Some),
        }
    };
    write_transaction(conn, |conn| {
        let before = row(conn, merchant_id)?;
        let customer = match request.kuaidi100_customer.as_deref().map(str::trim) {
            None => before.kuaidi100_customer.clone(),
            Some("") => None,
            Some(v) => Some(v.to_owned()),
        };
        let key = seal(
            request.kuaidi100_key.as_deref(),
            before.kuaidi100_key_encrypted.clone(),
        )?;
        let secret = seal(
            request.webhook_secret.as_deref(),
            before.webhook_secret_encrypted.clone(),
        )?;
        let form = SettingsForm {
            merchant_id,
            kuaidi100_customer: customer.as_deref(),
            kuaidi100_key_encrypted: key.as_deref(),
            webhook_secret_encrypted: secret.as_deref(),
            updated_at: now,
        };
        let updated = diesel::update(ts::table.find(merchant_id))
            .set(&form)
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(ts::table).values(&form).execute(conn)?;
        }
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("tracking_settings.updated")
                .target("merchant", merchant_id)
                .changes(serde_json::json!({
                    "kuaidi100_customer": { "before": before.kuaidi100_customer, "after": customer },
                    "kuaidi100_key_changed": { "before": null, "after": request.kuaidi100_key.is_some() },
                    "webhook_secret_changed": { "before": null, "after": request.webhook_secret.is_some() },
                })),
            now,
        )?;
        Ok::<(), crate::error::AppError>(())
    })?;
    load(conn, cipher, merchant_id)
}
