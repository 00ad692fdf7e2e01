//! Payment method settings: validated per method, encrypted at rest as one JSON document, shown
//! with secrets masked. Updating without a secret keeps the stored one, so clients never need to
//! hold secrets they did not type.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::crypto::Cipher;
use crate::db::enums::db_enum;
use crate::db::ids::MerchantId;
use crate::db::schema::payment_methods;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};

db_enum! {
    #[derive(PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum PaymentKind {
        BankTransfer,
        Alipay,
        WechatPay,
        Sandbox,
    }
}

/// A merchant's settings of one payment method, sealed.
#[derive(Debug, Insertable)]
#[diesel(table_name = payment_methods)]
pub(crate) struct PaymentMethodInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub kind: PaymentKind,
    pub enabled: bool,
    pub settings_encrypted: &'a str,
    pub updated_at: NaiveDateTime,
}

/// A setting a method needs: its name, whether it is secret (masked in answers), and whether
/// it is required to enable the method.
struct Field {
    name: &'static str,
    secret: bool,
    required: bool,
    max_len: usize,
}

const fn field(name: &'static str, secret: bool, required: bool, max_len: usize) -> Field {
    Field {
        name,
        secret,
        required,
        max_len,
    }
}

impl PaymentKind {
    fn fields(self) -> &'static [Field] {
        const BANK: &[Field] = &[
            field("account_name", false, true, 100),
            field("bank_name", false, true, 100),
            field("branch", false, false, 100),
            field("account_number", true, true, 34),
        ];
        const ALIPAY: &[Field] = &[
            field("app_id", false, true, 32),
            // The merchant's Alipay account (2088…); when set, notifications must name it.
            field("seller_id", false, false, 32),
            field("alipay_public_key", false, true, 4096),
            field("private_key", true, true, 8192),
        ];
        const WECHAT: &[Field] = &[
            field("mch_id", false, true, 32),
            field("app_id", false, true, 32),
            field("serial_no", false, true, 64),
            field("api_v3_key", true, true, 64),
            field("private_key", true, true, 8192),
            // WeChat Pay's public key (or platform certificate's key) and its id, which
            // notifications name in `Wechatpay-Serial`.
            field("platform_serial", false, true, 64),
            field("platform_public_key", false, true, 4096),
        ];
        match self {
            PaymentKind::BankTransfer => BANK,
            PaymentKind::Alipay => ALIPAY,
            PaymentKind::WechatPay => WECHAT,
            PaymentKind::Sandbox => &[],
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentMethod {
    pub kind: PaymentKind,
    pub enabled: bool,
    /// The settings, secrets masked (`****1234`).
    pub settings: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethodRequest {
    pub kind: PaymentKind,
    pub enabled: bool,
    /// Settings of the method; a secret left out keeps its stored value.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
}

/// Shows the last four characters of a secret, never more than a quarter of it.
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let shown = (chars.len() / 4).min(4);
    format!(
        "****{}",
        chars[chars.len() - shown..].iter().collect::<String>()
    )
}

/// A method's stored state: whether enabled, and its settings in the clear.
type Stored = BTreeMap<PaymentKind, (bool, BTreeMap<String, String>)>;

fn load(conn: &mut DbConnection, cipher: &Cipher, merchant_id: MerchantId) -> AppResult<Stored> {
    let rows: Vec<(PaymentKind, bool, String)> = payment_methods::table
        .filter(payment_methods::merchant_id.eq(merchant_id))
        .select((
            payment_methods::kind,
            payment_methods::enabled,
            payment_methods::settings_encrypted,
        ))
        .load(conn)?;
    let mut out = BTreeMap::new();
    for (kind, enabled, sealed) in rows {
        let settings: BTreeMap<String, String> =
            serde_json::from_slice(&cipher.decrypt(&sealed)?).map_err(AppError::internal)?;
        out.insert(kind, (enabled, settings));
    }
    Ok(out)
}

fn masked(kind: PaymentKind, enabled: bool, settings: &BTreeMap<String, String>) -> PaymentMethod {
    let settings = kind
        .fields()
        .iter()
        .filter_map(|f| {
            settings.get(f.name).map(|v| {
                (
                    f.name.to_owned(),
                    if f.secret { mask(v) } else { v.clone() },
                )
            })
        })
        .collect();
    PaymentMethod {
        kind,
        enabled,
        settings,
    }
}

/// The settings of one method, in the clear, enabled or not (a notification for an attempt made
/// while it was enabled is still verified and applied).
pub fn configured(
    conn: &mut DbConnection,
    cipher: &Cipher,
    merchant_id: MerchantId,
    kind: PaymentKind,
) -> AppResult<Option<BTreeMap<String, String>>> {
    Ok(load(conn, cipher, merchant_id)?
        .remove(&kind)
        .map(|(_, settings)| settings))
}

/// The settings of one method, in the clear, when the merchant has enabled it.
pub fn enabled(
    conn: &mut DbConnection,
    cipher: &Cipher,
    merchant_id: MerchantId,
    kind: PaymentKind,
) -> AppResult<Option<BTreeMap<String, String>>> {
    Ok(load(conn, cipher, merchant_id)?
        .remove(&kind)
        .filter(|(enabled, _)| *enabled)
        .map(|(_, settings)| settings))
}

/// Every method, configured or not, in a fixed order.
pub fn list(
    conn: &mut DbConnection,
    cipher: &Cipher,
    merchant_id: MerchantId,
) -> AppResult<Vec<PaymentMethod>> {
    let stored = load(conn, cipher, merchant_id)?;
    Ok(PaymentKind::VARIANTS
        .iter()
        .map(|&kind| match stored.get(&kind) {
            Some((enabled, settings)) => masked(kind, *enabled, settings),
            None => masked(kind, false, &BTreeMap::new()),
        })
        .collect())
}

pub fn save(
    conn: &mut DbConnection,
    cipher: &Cipher,
    caller: &Principal,
    request: &PaymentMethodRequest,
    now: NaiveDateTime,
) -> AppResult<PaymentMethod> {
    let merchant_id = caller.tenant()?;
    let kind = request.kind;
    let mut errors = Vec::new();
    for name in request.settings.keys() {
        if !kind.fields().iter().any(|f| f.name == name) {
            errors.push(FieldError::new(
                format!("settings.{name}"),
                ErrorCode::UnknownField,
            ));
        }
    }
    write_transaction(conn, |conn| {
        let stored = load(conn, cipher, merchant_id)?;
        let before = stored.get(&kind).cloned();
        let mut settings = before
            .as_ref()
            .map(|(_, settings)| settings.clone())
            .unwrap_or_default();
        for f in kind.fields() {
            match request.settings.get(f.name).map(|v| v.trim()) {
                Some("") if f.secret => {}
                Some(value) if value.chars().count() > f.max_len => errors.push(FieldError::new(
                    format!("settings.{}", f.name),
                    ErrorCode::Length.form("max").arg("max", f.max_len),
                )),
                Some("") => {
                    settings.remove(f.name);
                }
                Some(value) => {
                    settings.insert(f.name.to_owned(), value.to_owned());
                }
                None if f.secret => {}
                None => {
                    settings.remove(f.name);
                }
            }
            if request.enabled && f.required && !settings.contains_key(f.name) {
                errors.push(FieldError::new(
                    format!("settings.{}", f.name),
                    ErrorCode::Required.form("enabled_method"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(std::mem::take(&mut errors)));
        }
        let sealed = cipher.encrypt(&serde_json::to_vec(&settings).map_err(AppError::internal)?)?;
        diesel::delete(
            payment_methods::table
                .filter(payment_methods::merchant_id.eq(merchant_id))
                .filter(payment_methods::kind.eq(kind)),
        )
        .execute(conn)?;
        diesel::insert_into(payment_methods::table)
            .values(PaymentMethodInsertForm {
                merchant_id,
                kind,
                enabled: request.enabled,
                settings_encrypted: &sealed,
                updated_at: now,
            })
            .execute(conn)?;
        let old = before
            .as_ref()
            .map(|(enabled, s)| serde_json::to_value(masked(kind, *enabled, s)).unwrap_or_default())
            .unwrap_or_default();
        let new = masked(kind, request.enabled, &settings);
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("payment_method.saved")
                .target("payment_method", kind.as_str())
                .changes(audit::diff(
                    &old,
                    &serde_json::to_value(&new).unwrap_or_default(),
                )),
            now,
        )?;
        Ok(new)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_little() {
        assert_eq!(mask("6222021234567890123"), "****0123");
        assert_eq!(mask("abcd"), "****d");
        assert_eq!(mask("ab"), "****");
        assert_eq!(mask(""), "****");
    }
}
