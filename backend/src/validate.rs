//! Input rules shared by request types: validators for `validator`'s `custom` and serde helpers
//! that normalise text before it is validated.

use serde::{Deserialize, Deserializer};
use validator::ValidationError;

/// Trims surrounding white space, so that length rules apply to what will be stored.
pub fn trimmed<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(String::deserialize(deserializer)?.trim().to_owned())
}

/// Like `trimmed`, for an optional field.
pub fn trimmed_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(|s| s.trim().to_owned()))
}

/// For partial updates: a field left out stays `None` (keep), `null` becomes `Some(None)`
/// (clear), and a value `Some(Some(value))`. Use with `#[serde(default)]`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Like `nullable`, trimming the text.
pub fn nullable_trimmed<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(trimmed_option(deserializer)?))
}

/// Like `trimmed`, for an optional field of a partial update.
pub fn trimmed_some<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    trimmed(deserializer).map(Some)
}

/// Trims and lower-cases text compared case-insensitively (emails, slugs).
pub fn lowercase<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(String::deserialize(deserializer)?.trim().to_lowercase())
}

/// Trims and lower-cases an email address (addresses are compared case-insensitively).
pub fn email_address<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    lowercase(deserializer)
}

/// Removes the spaces and dashes people type inside phone numbers.
pub fn phone_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(String::deserialize(deserializer)?
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect())
}

/// A mainland China mobile number (11 digits starting 13–19) or an E.164 number (`+` and
/// 7–15 digits).
pub fn phone(value: &str) -> Result<(), ValidationError> {
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mainland = value.len() == 11
        && value.starts_with('1')
        && matches!(value.as_bytes()[1], b'3'..=b'9')
        && digits(value);
    let e164 = value.strip_prefix('+').is_some_and(|rest| {
        (7..=15).contains(&rest.len()) && !rest.starts_with('0') && digits(rest)
    });
    if mainland || e164 {
        Ok(())
    } else {
        Err(ValidationError::new("phone"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers() {
        assert!(phone("13812345678").is_ok());
        assert!(phone("+8613812345678").is_ok());
        assert!(phone("+14155550123").is_ok());
        assert!(phone("12812345678").is_err());
        assert!(phone("1381234567").is_err());
        assert!(phone("+0123456789").is_err());
        assert!(phone("1381234567a").is_err());
        assert!(phone("").is_err());
    }
}
