//! RSA keys as merchants paste them, and SHA256withRSA (PKCS#1 v1.5) signatures, which Alipay
//! (RSA2) and WeChat Pay v3 both use. Keys come as PEM (PKCS#8 or PKCS#1; SubjectPublicKeyInfo
//! or PKCS#1) or, as Alipay's console shows them, as bare Base64 of the DER.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

/// Whitespace (the line breaks of a pasted key) removed.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A private key in any of the accepted forms, or `None`.
pub fn private_key(text: &str) -> Option<RsaPrivateKey> {
    let text = text.trim();
    if text.starts_with("-----BEGIN") {
        return RsaPrivateKey::from_pkcs8_pem(text)
            .ok()
            .or_else(|| RsaPrivateKey::from_pkcs1_pem(text).ok());
    }
    let der = BASE64.decode(compact(text)).ok()?;
    RsaPrivateKey::from_pkcs8_der(&der)
        .ok()
        .or_else(|| RsaPrivateKey::from_pkcs1_der(&der).ok())
}

/// A public key in any of the accepted forms, or `None`.
pub fn public_key(text: &str) -> Option<RsaPublicKey> {
    let text = text.trim();
    if text.starts_with("-----BEGIN") {
        return RsaPublicKey::from_public_key_pem(text)
            .ok()
            .or_else(|| RsaPublicKey::from_pkcs1_pem(text).ok());
    }
    let der = BASE64.decode(compact(text)).ok()?;
    RsaPublicKey::from_public_key_der(&der)
        .ok()
        .or_else(|| RsaPublicKey::from_pkcs1_der(&der).ok())
}

/// The Base64 SHA256withRSA signature of `content`.
pub fn sign(key: &RsaPrivateKey, content: &[u8]) -> String {
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(content);
    BASE64.encode(signature.to_bytes())
}

/// Whether `signature` (Base64) is the SHA256withRSA signature of `content` under `key`.
pub fn verify(key: &RsaPublicKey, content: &[u8], signature: &str) -> bool {
    let Ok(bytes) = BASE64.decode(compact(signature)) else {
        return false;
    };
    let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(content, &signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

    use super::*;

    #[test]
    fn keys_read_in_every_form_and_signatures_verify_for_their_content_only() {
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let public = RsaPublicKey::from(&key);
        let pkcs8 = key.to_pkcs8_pem(LineEnding::LF).unwrap();
        let pkcs1 = key.to_pkcs1_pem(LineEnding::LF).unwrap();
        let bare = BASE64.encode(key.to_pkcs8_der().unwrap().as_bytes());
        for text in [pkcs8.as_str(), pkcs1.as_str(), bare.as_str()] {
            assert_eq!(private_key(text).as_ref(), Some(&key));
        }
        let spki = public.to_public_key_pem(LineEnding::LF).unwrap();
        let rsa_public = public.to_pkcs1_pem(LineEnding::LF).unwrap();
        let bare_public = BASE64.encode(public.to_public_key_der().unwrap().as_bytes());
        for text in [spki.as_str(), rsa_public.as_str(), bare_public.as_str()] {
            assert_eq!(public_key(text).as_ref(), Some(&public));
        }
        assert!(private_key("not a key").is_none());
        assert!(public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_none());

        let signature = sign(&key, b"a=1&b=2");
        assert!(verify(&public, b"a=1&b=2", &signature));
        assert!(!verify(&public, b"a=1&b=3", &signature));
        assert!(!verify(&public, b"a=1&b=2", "bm90IGEgc2lnbmF0dXJl"));
        assert!(!verify(&public, b"a=1&b=2", "%%%"));
    }
}
