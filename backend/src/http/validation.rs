//! Turns `validator` and `serde` failures into field errors with texts in both languages.

use std::borrow::Cow;

use validator::{ValidationErrors, ValidationErrorsKind};

use crate::error::{FieldError, Text};

/// Flattens nested validation errors into `field.path` entries, sorted for stable output.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field).then_with(|| a.code.cmp(&b.code)));
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (name, kind) in errors.errors() {
        let path = join(prefix, name);
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError::new(
                        path.clone(),
                        e.code.clone(),
                        message_for(e),
                    ));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

/// Field errors for one validator failure outside a derived `Validate` (services, the CLI).
pub fn field_errors_for(field: &str, error: &validator::ValidationError) -> Vec<FieldError> {
    vec![FieldError::new(
        field,
        error.code.clone(),
        message_for(error),
    )]
}

fn param(e: &validator::ValidationError, name: &str) -> Option<String> {
    e.params.get(name).map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Texts for the codes the validators produce. Custom validators of this crate set their own
/// code and use a code listed here, or set `message` as `"en|zh"`.
fn message_for(e: &validator::ValidationError) -> Text {
    if let Some(message) = &e.message {
        if let Some((en, zh)) = message.split_once('|') {
            return Text::new(en.to_owned(), zh.to_owned());
        }
        return Text::new(message.clone(), message.clone());
    }
    let code: &str = &e.code;
    match code {
        "length" => match (param(e, "min"), param(e, "max"), param(e, "equal")) {
            (_, _, Some(n)) => Text::new(
                format!("Must be exactly {n} characters long."),
                format!("长度必须为 {n} 个字符。"),
            ),
            (Some(min), Some(max), _) => Text::new(
                format!("Must be {min} to {max} characters long."),
                format!("长度必须在 {min} 到 {max} 个字符之间。"),
            ),
            (Some(min), None, _) => Text::new(
                format!("Must be at least {min} characters long."),
                format!("长度至少为 {min} 个字符。"),
            ),
            (None, Some(max), _) => Text::new(
                format!("Must be at most {max} characters long."),
                format!("长度最多为 {max} 个字符。"),
            ),
            _ => Text::new("Has the wrong length.", "长度不正确。"),
        },
        "range" => match (param(e, "min"), param(e, "max")) {
            (Some(min), Some(max)) => Text::new(
                format!("Must be between {min} and {max}."),
                format!("必须在 {min} 到 {max} 之间。"),
            ),
            (Some(min), None) => Text::new(
                format!("Must be at least {min}."),
                format!("不能小于 {min}。"),
            ),
            (None, Some(max)) => Text::new(
                format!("Must be at most {max}."),
                format!("不能大于 {max}。"),
            ),
            _ => Text::new("Is out of range.", "超出允许范围。"),
        },
        "email" => Text::new(
            "Must be a valid email address.",
            "必须是有效的电子邮箱地址。",
        ),
        "url" => Text::new("Must be a valid URL.", "必须是有效的网址。"),
        "required" => Text::new("Is required.", "必填。"),
        "phone" => Text::new("Must be a valid phone number.", "必须是有效的手机号码。"),
        other => Text::new(
            format!("Is not valid ({other})."),
            format!("无效（{other}）。"),
        ),
    }
}

/// A field error for a body that parsed as JSON but does not fit the expected shape.
pub fn from_serde(path: &str, err: &serde_json::Error) -> FieldError {
    let message = err.to_string();
    // serde_json appends " at line X column Y"; the field path says more to a client.
    let reason = message
        .rsplit_once(" at line ")
        .map(|(head, _)| head)
        .unwrap_or(&message)
        .to_owned();
    if let Some(missing) = reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return FieldError::new(
            join(path, missing),
            Cow::Borrowed("required"),
            Text::new("Is required.", "必填。"),
        );
    }
    if let Some(unknown) = reason
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name)
    {
        // The path already ends at the unknown key.
        let field = if path.ends_with(unknown) {
            path.to_owned()
        } else {
            join(path, unknown)
        };
        return FieldError::new(
            field,
            Cow::Borrowed("unknown_field"),
            Text::new("Is not a known field.", "不是可识别的字段。"),
        );
    }
    let field = if path.is_empty() { "$" } else { path };
    // Domain types report `code|en|zh` through serde's custom errors.
    let mut parts = reason.splitn(3, '|');
    if let (Some(code), Some(en), Some(zh)) = (parts.next(), parts.next(), parts.next()) {
        if !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return FieldError::new(
                field,
                code.to_owned(),
                Text::new(en.to_owned(), zh.to_owned()),
            );
        }
    }
    let code = if reason.starts_with("invalid type") {
        "invalid_type"
    } else {
        "invalid_value"
    };
    FieldError::new(
        field,
        Cow::Borrowed(code),
        Text::new(reason.clone(), format!("取值无效：{reason}")),
    )
}
