//! Random tokens, their stored hashes, and password hashing (argon2id, PHC strings).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use gongkai_domain::hex;
use sha2::{Digest, Sha256};

use crate::{Result, ServiceError};

/// 32 random bytes as 64 hex characters (session ids, CSRF tokens, one-time links).
pub(crate) fn random_token() -> Result<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| ServiceError::Internal(format!("getrandom: {e}")))?;
    Ok(hex(&b))
}

/// What is stored for a token: its SHA-256, so a database leak does not leak live tokens.
pub(crate) fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2id (default parameters, random salt) off the async threads.
pub(crate) async fn hash_password(pw: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("hash task: {e}")))?
}

/// A PHC string of the same cost, verified when the account does not exist, so a login's timing
/// does not reveal which user names exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0yP9lXJ0c2yqHk1hJ3bq9kqQkHjX9yUeJpHhXo2Q0mY";

/// Verifies a password against a stored PHC string (or a dummy when there is none).
pub(crate) async fn verify_password(pw: String, hash: Option<String>) -> bool {
    let real = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(pw.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
        && real
}
