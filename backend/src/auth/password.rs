//! Passwords: argon2id hashes (PHC strings with their own salt and parameters) and the strength
//! policy applied wherever a password is chosen.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use validator::ValidationError;

use crate::error::{AppError, ErrorCode, Message};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 128;

pub fn hash(password: &str) -> Result<String, AppError> {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).map_err(AppError::internal)?;
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| AppError::internal(format!("password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
}

/// True when `password` matches the stored hash; a malformed hash never matches.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Common passwords that meet the length and character rules but are guessed first.
const COMMON: &[&str] = &[
    "password123",
    "password1234",
    "qwerty123456",
    "1234567890a",
    "a1234567890",
    "abc1234567",
    "abcd123456",
    "admin12345",
    "iloveyou123",
    "woaini1314",
    "qwer123456",
    "1qaz2wsx3edc",
    "zaq12wsxcde",
];

fn weak(message: Message) -> ValidationError {
    message.into_validation_error()
}

/// The strength policy: 10–128 characters, letters and digits, not a well-known password.
pub fn check_strength(password: &str) -> Result<(), ValidationError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(weak(
            ErrorCode::WeakPassword.form("short").arg("min", MIN_LENGTH),
        ));
    }
    if length > MAX_LENGTH {
        return Err(weak(
            ErrorCode::WeakPassword.form("long").arg("max", MAX_LENGTH),
        ));
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !has_letter || !has_digit {
        return Err(weak(ErrorCode::WeakPassword.form("letters_and_digits")));
    }
    let lowered = password.to_lowercase();
    if COMMON.contains(&lowered.as_str()) {
        return Err(weak(ErrorCode::WeakPassword.form("common")));
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if distinct.len() < 4 {
        return Err(weak(ErrorCode::WeakPassword.form("repetitive")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("correct horse 42").unwrap();
        let b = hash("correct horse 42").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse 42", &a));
        assert!(!verify("correct horse 43", &a));
        assert!(!verify("correct horse 42", "not a hash"));
    }

    #[test]
    fn strength_policy() {
        assert!(check_strength("Sh0rt").is_err());
        assert!(check_strength("onlyletterslong").is_err());
        assert!(check_strength("123456789012").is_err());
        assert!(check_strength("Password123").is_err());
        assert!(check_strength("a1a1a1a1a1a1").is_err());
        assert!(check_strength(&format!("a1{}", "x".repeat(200))).is_err());
        assert!(check_strength("tea-garden-2026").is_ok());
        assert!(check_strength("分销系统密码很安全2026").is_ok());
    }
}
