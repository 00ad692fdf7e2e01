//! Secrets the server needs but nobody configured: generated once into the data directory
//! (readable by the owner only) and read from there afterwards. Never logged.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

const JWT_SECRET_FILE: &str = "jwt_secret";
const ENCRYPTION_KEY_FILE: &str = "encryption_key";
const SECRET_BYTES: usize = 64;

/// Key material that refuses to print itself.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        SecretKey(bytes)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read or write the secret file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the secret file {0} is empty or too short; delete it to generate a new one")]
    TooShort(PathBuf),
    #[error("the configured JWT secret must be at least 32 bytes")]
    ConfiguredTooShort,
    #[error("the encryption key must be 64 hexadecimal characters")]
    BadEncryptionKey,
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

/// The key that signs access tokens: the configured one, or the one in the data directory,
/// created on first use.
pub fn jwt_secret(configured: Option<&str>, data_dir: &Path) -> Result<SecretKey, SecretError> {
    if let Some(value) = configured {
        if value.len() < 32 {
            return Err(SecretError::ConfiguredTooShort);
        }
        return Ok(SecretKey(value.as_bytes().to_vec()));
    }
    load_or_create(&data_dir.join(JWT_SECRET_FILE))
}

/// The key that encrypts sensitive fields at rest: the configured one (64 hex characters), or
/// the one in the data directory, created on first use. Losing it makes those fields unreadable:
/// back it up with the database.
pub fn encryption_key(
    configured: Option<&str>,
    data_dir: &Path,
) -> Result<crate::crypto::Cipher, SecretError> {
    let text = match configured {
        Some(value) => value.to_owned(),
        None => {
            let key = load_or_create(&data_dir.join(ENCRYPTION_KEY_FILE))?;
            String::from_utf8_lossy(key.expose()).into_owned()
        }
    };
    // Generated files hold 128 hex characters; the first 64 are the key.
    let hex_key: String = text.trim().chars().take(64).collect();
    crate::crypto::Cipher::from_hex(&hex_key).ok_or(SecretError::BadEncryptionKey)
}

fn load_or_create(path: &Path) -> Result<SecretKey, SecretError> {
    let io = |source| SecretError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| SecretError::Random(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    // `create_new` makes the first writer win when two processes start at once.
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(crate::crypto::hex(&bytes).as_bytes())
                .map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(e)),
    }
    let stored = std::fs::read_to_string(path).map_err(io)?;
    let stored = stored.trim();
    if stored.len() < 64 {
        return Err(SecretError::TooShort(path.to_path_buf()));
    }
    Ok(SecretKey(stored.as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_private_and_stable() {
        let dir = std::env::temp_dir().join(format!("fenxiao-secret-{}", uuid::Uuid::new_v4()));
        let first = jwt_secret(None, &dir).unwrap();
        let second = jwt_secret(None, &dir).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.expose().len(), SECRET_BYTES * 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(JWT_SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(format!("{first:?}"), "SecretKey([redacted])");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn configured_secret_wins_and_must_be_long_enough() {
        let dir = std::env::temp_dir().join("fenxiao-secret-unused");
        let key = jwt_secret(Some(&"k".repeat(32)), &dir).unwrap();
        assert_eq!(key.expose(), "k".repeat(32).as_bytes());
        assert!(!dir.exists());
        assert!(matches!(
            jwt_secret(Some("short"), &dir),
            Err(SecretError::ConfiguredTooShort)
        ));
    }
}
