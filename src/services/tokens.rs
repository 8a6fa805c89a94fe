//! Random secrets (session ids, API keys) and their stored form: a SHA-256
//! hash, compared in constant time. The database never holds a usable secret.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 256 random bits from the OS generator, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a secret: lowercase hex SHA-256.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares a presented secret with a stored hash in constant time.
pub fn matches(token: &str, stored_hash: &str) -> bool {
    hash_token(token).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_unique_and_url_safe() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn hash_matches_only_its_token() {
        let token = random_token();
        let stored = hash_token(&token);
        assert_eq!(stored.len(), 64);
        assert!(matches(&token, &stored));
        assert!(!matches(&random_token(), &stored));
        assert_ne!(stored, token);
    }
}
