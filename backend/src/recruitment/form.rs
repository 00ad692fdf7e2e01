//! The application form a merchant asks applicants to fill in: an ordered list of fields, each
//! with a key, labels in Chinese and English, a type (`text`, `phone`, `select`, `textarea`),
//! whether it is required, and the options of a select. The whole list is stored as one JSON
//! document, checked strictly before it is saved; answers are checked against it when a member
//! applies and stored with the labels the applicant saw.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{self, AuditEntry};
use crate::auth::principal::{Caller, Principal};
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::recruitment_forms as rf;
use crate::db::{write_transaction, DbConnection};
use crate::distribution::settings::{self, ApplicationReview, EntryMode};
use crate::error::{AppError, AppResult, ErrorCode, FieldError, Message};
use crate::money::Money;
use crate::validate;

/// Fields a form may have: enough for name, contact, region, experience and a few questions,
/// few enough that applicants finish it.
pub const MAX_FIELDS: usize = 20;
pub const MAX_OPTIONS: usize = 30;
pub const MAX_KEY_LEN: usize = 32;
pub const MAX_LABEL_ZH: usize = 40;
pub const MAX_LABEL_EN: usize = 80;
pub const MAX_OPTION_LEN: usize = 60;
/// Longest answer to a one-line `text` (and `select`) field, in characters.
pub const MAX_TEXT: usize = 200;
/// Longest answer to a `textarea` field, in characters.
pub const MAX_TEXTAREA: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// One line of text, up to 200 characters.
    Text,
    /// A mainland mobile number or an E.164 number; spaces and dashes are removed.
    Phone,
    /// One of `options`.
    Select,
    /// Several lines, up to 2000 characters.
    Textarea,
}

fn trimmed_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(Vec::<String>::deserialize(deserializer)?
        .into_iter()
        .map(|s| s.trim().to_owned())
        .collect())
}

/// One field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// Stable name of the answer: a lower-case letter, then up to 31 lower-case letters, digits
    /// or `_`; unique in the form.
    #[serde(deserialize_with = "validate::trimmed")]
    #[schema(example = "wechat_id")]
    pub key: String,
    /// Label shown to applicants reading Chinese, 1–40 characters.
    #[serde(deserialize_with = "validate::trimmed")]
    #[schema(example = "微信号")]
    pub label_zh: String,
    /// Label shown to applicants reading English, 1–80 characters.
    #[serde(deserialize_with = "validate::trimmed")]
    #[schema(example = "WeChat ID")]
    pub label_en: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    /// The choices of a `select` (1–30, each 1–60 characters, distinct); empty for other types.
    #[serde(default, deserialize_with = "trimmed_list")]
    pub options: Vec<String>,
}

/// The whole form, as saved: fields in the order applicants see them.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormRequest {
    /// Up to 20 fields; an empty list asks nothing.
    pub fields: Vec<FormField>,
}

/// The form as staff edit it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicationForm {
    pub fields: Vec<FormField>,
    /// When it was last saved; `null` while the merchant never saved one.
    pub updated_at: Option<DateTime<Utc>>,
}

/// What a shop's join page needs to show: how members become distributors there, and the form.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicForm {
    pub entry_mode: EntryMode,
    /// With `entry_mode: application`: whether applications are approved at once.
    pub application_review: ApplicationReview,
    /// With `entry_mode: spend_threshold`: the cumulative paid spend that qualifies (yuan).
    pub spend_threshold: Option<Money>,
    pub fields: Vec<FormField>,
}

/// One answer, with the field as the applicant saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Answer {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    pub value: String,
}

fn field_error(path: String, message: impl Into<Message>) -> FieldError {
    FieldError::new(path, message)
}

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && key.len() <= MAX_KEY_LEN
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn length_error(path: String, max: usize) -> FieldError {
    field_error(
        path,
        ErrorCode::Length.form("1_max_characters").arg("max", max),
    )
}

/// Every rule of a form, each broken one reported at its path (`fields[2].options[0]`).
pub fn check_fields(fields: &[FormField]) -> AppResult<()> {
    let mut errors = Vec::new();
    if fields.len() > MAX_FIELDS {
        errors.push(field_error(
            "fields".into(),
            ErrorCode::TooManyFields.arg("max_fields", MAX_FIELDS),
        ));
    }
    let mut keys = HashSet::new();
    for (i, f) in fields.iter().enumerate() {
        let at = |name: &str| format!("fields[{i}].{name}");
        if !valid_key(&f.key) {
            errors.push(field_error(
                at("key"),
                ErrorCode::InvalidKey.arg("max_more", MAX_KEY_LEN - 1),
            ));
        } else if !keys.insert(f.key.as_str()) {
            errors.push(field_error(at("key"), ErrorCode::DuplicateKey));
        }
        for (name, label, max) in [
            ("label_zh", &f.label_zh, MAX_LABEL_ZH),
            ("label_en", &f.label_en, MAX_LABEL_EN),
        ] {
            let n = label.chars().count();
            if n == 0 || n > max {
                errors.push(length_error(at(name), max));
            }
        }
        match f.field_type {
            FieldType::Select => {
                if f.options.is_empty() {
                    errors.push(field_error(at("options"), ErrorCode::OptionsRequired));
                } else if f.options.len() > MAX_OPTIONS {
                    errors.push(field_error(
                        at("options"),
                        ErrorCode::TooManyOptions.arg("max_options", MAX_OPTIONS),
                    ));
                }
                let mut seen = HashSet::new();
                for (j, option) in f.options.iter().enumerate() {
                    let n = option.chars().count();
                    if n == 0 || n > MAX_OPTION_LEN {
                        errors.push(length_error(
                            format!("fields[{i}].options[{j}]"),
                            MAX_OPTION_LEN,
                        ));
                    } else if !seen.insert(option.as_str()) {
                        errors.push(field_error(
                            format!("fields[{i}].options[{j}]"),
                            ErrorCode::DuplicateOption,
                        ));
                    }
                }
            }
            _ if !f.options.is_empty() => {
                errors.push(field_error(at("options"), ErrorCode::OptionsNotAllowed))
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Checks the answers against the form and returns what to store: the answered fields in the
/// form's order, normalised (trimmed; phone numbers without spaces and dashes). A blank answer
/// counts as none. Every problem is reported at `answers.{key}`.
pub fn check_answers(
    fields: &[FormField],
    answers: &BTreeMap<String, String>,
) -> AppResult<Vec<Answer>> {
    let mut errors = Vec::new();
    for key in answers.keys() {
        if !fields.iter().any(|f| &f.key == key) {
            errors.push(field_error(
                format!("answers.{key}"),
                ErrorCode::UnknownField.form("form_has_such"),
            ));
        }
    }
    let mut out = Vec::new();
    for f in fields {
        let path = format!("answers.{}", f.key);
        let raw = answers.get(&f.key).map(|v| v.trim()).unwrap_or_default();
        let value: String = match f.field_type {
            FieldType::Phone => raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect(),
            _ => raw.to_owned(),
        };
        if value.is_empty() {
            if f.required {
                errors.push(field_error(path, ErrorCode::Required));
            }
            continue;
        }
        let length = value.chars().count();
        let problem = match f.field_type {
            FieldType::Text | FieldType::Select if length > MAX_TEXT => Some(field_error(
                path,
                ErrorCode::TooLong.arg("max_text", MAX_TEXT),
            )),
            FieldType::Textarea if length > MAX_TEXTAREA => Some(field_error(
                path,
                ErrorCode::TooLong
                    .form("most_max_textarea")
                    .arg("max_textarea", MAX_TEXTAREA),
            )),
            FieldType::Text if value.chars().any(char::is_control) => {
                Some(field_error(path, ErrorCode::SingleLine))
            }
            FieldType::Phone if validate::phone(&value).is_err() => {
                Some(field_error(path, ErrorCode::Phone))
            }
            FieldType::Select if !f.options.contains(&value) => {
                Some(field_error(path, ErrorCode::InvalidOption))
            }
            _ => None,
        };
        match problem {
            Some(e) => errors.push(e),
            None => out.push(Answer {
                key: f.key.clone(),
                label_zh: f.label_zh.clone(),
                label_en: f.label_en.clone(),
                field_type: f.field_type,
                value,
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        Err(AppError::Validation(errors))
    }
}

fn stored(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<ApplicationForm> {
    let row: Option<(String, NaiveDateTime)> = rf::table
        .find(merchant_id)
        .select((rf::fields, rf::updated_at))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(ApplicationForm {
            fields: Vec::new(),
            updated_at: None,
        }),
        Some((json, updated_at)) => Ok(ApplicationForm {
            fields: serde_json::from_str(&json)
                .map_err(|e| AppError::internal(format!("stored application form: {e}")))?,
            updated_at: Some(clock::to_utc(updated_at)),
        }),
    }
}

/// The merchant's form as staff edit it.
pub fn load(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<ApplicationForm> {
    stored(conn, merchant_id)
}

/// The form and the entry rules, as a shop's join page shows them.
pub fn public(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<PublicForm> {
    let s = settings::load(conn, merchant_id)?;
    Ok(PublicForm {
        entry_mode: s.entry_mode,
        application_review: s.application_review,
        spend_threshold: s.spend_threshold,
        fields: stored(conn, merchant_id)?.fields,
    })
}

/// Replaces the form. Applications already made keep the answers and labels they were made
/// with.
pub fn save(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &FormRequest,
    now: NaiveDateTime,
) -> AppResult<ApplicationForm> {
    let merchant_id = caller.tenant()?;
    check_fields(&request.fields)?;
    let json = serde_json::to_string(&request.fields).map_err(AppError::internal)?;
    let staff = matches!(caller.caller, Caller::Staff { .. }).then_some(caller.id);
    write_transaction(conn, |conn| {
        let before = stored(conn, merchant_id)?;
        let values = (
            rf::fields.eq(&json),
            rf::updated_by.eq(staff),
            rf::updated_at.eq(now),
        );
        let updated = diesel::update(rf::table.find(merchant_id))
            .set(values)
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(rf::table)
                .values((rf::merchant_id.eq(merchant_id), values))
                .execute(conn)?;
        }
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("recruitment_form.updated")
                .target("merchant", merchant_id)
                .changes(serde_json::json!({
                    "fields": { "before": before.fields, "after": request.fields },
                })),
            now,
        )?;
        stored(conn, merchant_id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: serde_json::Value) -> Vec<FormField> {
        serde_json::from_value(value).unwrap()
    }

    fn codes(err: AppError) -> Vec<(String, String)> {
        let AppError::Validation(errors) = err else {
            panic!("expected a validation error, got {err:?}");
        };
        errors
            .into_iter()
            .map(|e| (e.code().to_string(), e.field))
            .map(|(c, f)| (f, c))
            .collect()
    }

    fn form() -> Vec<FormField> {
        fields(json!([
            { "key": "name", "label_zh": "姓名", "label_en": "Name", "type": "text", "required": true },
            { "key": "mobile", "label_zh": "手机", "label_en": "Mobile", "type": "phone" },
            { "key": "channel", "label_zh": "渠道", "label_en": "Channel", "type": "select",
              "required": true, "options": ["微信", "抖音"] },
            { "key": "about", "label_zh": "简介", "label_en": "About", "type": "textarea" },
        ]))
    }

    #[test]
    fn a_good_form_passes_and_trims() {
        let f = fields(
            json!([{ "key": " name ", "label_zh": " 姓名 ", "label_en": "Name",
            "type": "select", "options": [" a ", "b"] }]),
        );
        assert_eq!(f[0].key, "name");
        assert_eq!(f[0].options, vec!["a", "b"]);
        assert!(check_fields(&f).is_ok());
        assert!(check_fields(&form()).is_ok());
        assert!(check_fields(&[]).is_ok());
    }

    #[test]
    fn every_broken_rule_is_named() {
        let f = fields(json!([
            { "key": "Name", "label_zh": "", "label_en": "Name", "type": "text" },
            { "key": "a", "label_zh": "甲", "label_en": "A", "type": "text", "options": ["x"] },
            { "key": "a", "label_zh": "乙", "label_en": "B", "type": "select" },
            { "key": "c", "label_zh": "丙", "label_en": "C", "type": "select", "options": ["x", "x", ""] },
        ]));
        assert_eq!(
            codes(check_fields(&f).unwrap_err()),
            vec![
                ("fields[0].key".into(), "invalid_key".into()),
                ("fields[0].label_zh".into(), "length".into()),
                ("fields[1].options".into(), "options_not_allowed".into()),
                ("fields[2].key".into(), "duplicate_key".into()),
                ("fields[2].options".into(), "options_required".into()),
                ("fields[3].options[1]".into(), "duplicate_option".into()),
                ("fields[3].options[2]".into(), "length".into()),
            ]
        );
        let many: Vec<FormField> = (0..=MAX_FIELDS)
            .map(|i| FormField {
                key: format!("k{i}"),
                label_zh: "字段".into(),
                label_en: "Field".into(),
                field_type: FieldType::Text,
                required: false,
                options: vec![],
            })
            .collect();
        assert_eq!(
            codes(check_fields(&many).unwrap_err()),
            vec![("fields".into(), "too_many_fields".into())]
        );
        assert!(valid_key("wechat_id2"));
        assert!(!valid_key("2x"));
        assert!(!valid_key(&"a".repeat(33)));
        assert!(serde_json::from_value::<Vec<FormField>>(
            json!([{ "key": "a", "label_zh": "甲", "label_en": "A", "type": "date" }])
        )
        .is_err());
    }

    fn answers(value: serde_json::Value) -> BTreeMap<String, String> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn answers_are_checked_and_normalised() {
        let got = check_answers(
            &form(),
            &answers(json!({ "name": " 王丽 ", "mobile": "138-1234 5678", "channel": "抖音", "about": "" })),
        )
        .unwrap();
        let values: Vec<(&str, &str)> = got
            .iter()
            .map(|a| (a.key.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(
            values,
            vec![
                ("name", "王丽"),
                ("mobile", "13812345678"),
                ("channel", "抖音")
            ]
        );
        assert_eq!(got[0].label_en, "Name");

        let err = check_answers(
            &form(),
            &answers(json!({ "name": "  ", "mobile": "12345", "channel": "快手",
                             "about": "长".repeat(MAX_TEXTAREA + 1), "age": "30" })),
        )
        .unwrap_err();
        assert_eq!(
            codes(err),
            vec![
                ("answers.about".into(), "too_long".into()),
                ("answers.age".into(), "unknown_field".into()),
                ("answers.channel".into(), "invalid_option".into()),
                ("answers.mobile".into(), "phone".into()),
                ("answers.name".into(), "required".into()),
            ]
        );
        let err = check_answers(
            &form(),
            &answers(json!({ "name": "a\nb", "channel": "微信" })),
        )
        .unwrap_err();
        assert_eq!(
            codes(err),
            vec![("answers.name".into(), "single_line".into())]
        );
        let err = check_answers(
            &form(),
            &answers(json!({ "name": "x".repeat(MAX_TEXT + 1), "channel": "微信" })),
        )
        .unwrap_err();
        assert_eq!(codes(err), vec![("answers.name".into(), "too_long".into())]);
    }
}
