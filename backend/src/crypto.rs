//! Encryption at rest for sensitive fields (TOTP secrets; later bank accounts and ID numbers):
//! AES-256-GCM with a random nonce per value, stored as `v1:<nonce hex>:<ciphertext hex>`.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};

use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct Cipher {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher([redacted])")
    }
}

/// Lower-case hex of the bytes (random tokens, keys, nonces). Digests print themselves with
/// `{:x}`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn body_mac(key: &[u8], t: i64, body: &[u8]) -> HmacSha256 {
    use hmac::Mac;
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The value of a timestamped body signature, `t=<unix seconds>,v1=<hex of HMAC-SHA256(key,
/// "t.body")>`: the scheme of the sandbox's notifications and of the generic tracking webhook.
pub fn sign_body(key: &[u8], t: i64, body: &[u8]) -> String {
    use hmac::Mac;
    format!(
        "t={t},v1={}",
        hex(&body_mac(key, t, body).finalize().into_bytes())
    )
}

/// Checks a [`sign_body`] header against the raw body, in constant time, with its time at most
/// `tolerance_secs` from `now`.
pub fn verify_body(
    key: &[u8],
    header: Option<&str>,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> bool {
    use hmac::Mac;
    let Some(header) = header else {
        return false;
    };
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = unhex(value),
            _ => {}
        }
    }
    let (Some(t), Some(given)) = (t, v1) else {
        return false;
    };
    (now - t).abs() <= tolerance_secs && body_mac(key, t, body).verify_slice(&given).is_ok()
}

impl Cipher {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(key.into()),
        }
    }

    /// A key from 64 hex characters.
    pub fn from_hex(key: &str) -> Option<Self> {
        let bytes: [u8; 32] = unhex(key.trim())?.try_into().ok()?;
        Some(Self::new(&bytes))
    }

    pub fn encrypt(&self, plaintext: &[u8]) -> AppResult<String> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(AppError::internal)?;
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .map_err(|_| AppError::internal("encryption failed"))?;
        Ok(format!("v1:{}:{}", hex(&nonce), hex(&sealed)))
    }

    pub fn decrypt(&self, stored: &str) -> AppResult<Vec<u8>> {
        let broken = || AppError::internal("an encrypted value cannot be read with this key");
        let mut parts = stored.splitn(3, ':');
        let (Some("v1"), Some(nonce), Some(sealed)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(broken());
        };
        let nonce = unhex(nonce).filter(|n| n.len() == 12).ok_or_else(broken)?;
        let sealed = unhex(sealed).ok_or_else(broken)?;
        self.cipher
            .decrypt(Nonce::from_slice(&nonce), sealed.as_slice())
            .map_err(|_| broken())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_fresh_nonces_and_tamper_detection() {
        let cipher = Cipher::new(&[7u8; 32]);
        let a = cipher.encrypt(b"secret").unwrap();
        let b = cipher.encrypt(b"secret").unwrap();
        assert_ne!(a, b, "a new nonce each time");
        assert_eq!(cipher.decrypt(&a).unwrap(), b"secret");
        let mut tampered = a.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == '0' { '1' } else { '0' });
        assert!(cipher.decrypt(&tampered).is_err());
        assert!(Cipher::new(&[8u8; 32]).decrypt(&a).is_err(), "another key");
        assert!(cipher.decrypt("plain").is_err());
        assert!(Cipher::from_hex(&"ab".repeat(32)).is_some());
        assert!(Cipher::from_hex("abc").is_none());
    }
}
