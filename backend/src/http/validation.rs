//! Turns `validator` and `serde` failures into field errors with texts in both languages.

use std::str::FromStr;

use validator::{ValidationErrors, ValidationErrorsKind};

use crate::error::{ErrorCode, FieldError, Message};

/// Flattens nested validation errors into `field.path` entries, sorted for stable output.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| {
        a.field
            .cmp(&b.field)
            .then_with(|| a.code().as_str().cmp(b.code().as_str()))
    });
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
                    out.push(FieldError::new(path.clone(), message_for(e)));
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
    vec![FieldError::new(field, message_for(error))]
}

fn param_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The message of one validator failure. Its code names the text in the catalogue; a `form`
/// parameter (set by this crate's own validators) picks a specific wording, and the bounds
/// (`min`, `max`, `equal`) of `length` and `range` pick theirs. Every parameter fills the
/// placeholder of its name. A code the catalogue does not know (a validator added without its
/// text) answers `invalid`, naming the code, rather than failing the request.
fn message_for(e: &validator::ValidationError) -> Message {
    let has = |name: &str| e.params.contains_key(name);
    let mut message = match ErrorCode::from_str(&e.code) {
        Ok(code) => Message::new(code),
        Err(_) => {
            tracing::warn!(code = %e.code, "validator code without a catalogue text");
            ErrorCode::Invalid.arg("code", &e.code)
        }
    };
    let bounded = matches!(message.code(), ErrorCode::Length | ErrorCode::Range);
    let form = match e.params.get("form") {
        Some(form) => Some(param_text(form)),
        None if bounded && has("equal") => Some("exact".to_owned()),
        None if bounded && has("min") && has("max") => Some("between".to_owned()),
        None if bounded && has("min") => Some("min".to_owned()),
        None if bounded && has("max") => Some("max".to_owned()),
        None => None,
    };
    if let Some(form) = form {
        message = message.form(form);
    }
    for (name, value) in &e.params {
        if name != "value" && name != "form" {
            message = message.arg(name.clone(), param_text(value));
        }
    }
    message
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
        return FieldError::new(join(path, missing), ErrorCode::Required);
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
        return FieldError::new(field, ErrorCode::UnknownField);
    }
    let field = if path.is_empty() { "$" } else { path };
    // Domain types (money, rates) report their error code as serde's custom error.
    if let Ok(code) = ErrorCode::from_str(&reason) {
        return FieldError::new(field, code);
    }
    let code = if reason.starts_with("invalid type") {
        ErrorCode::InvalidType
    } else {
        ErrorCode::InvalidValue
    };
    FieldError::new(field, code.arg("reason", reason))
}
