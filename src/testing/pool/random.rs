//! Random values, from rand's thread-local CSPRNG.

use super::users::TotpKey;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngExt as _;

/// Opaque bearer strings (Sessions, tokens): `bytes` random bytes, base64url.
pub(super) fn random_opaque(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    URL_SAFE_NO_PAD.encode(buf)
}

/// `bytes` random bytes as standard, padded base64 (SECRET_BLOCK).
pub(super) fn random_base64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    STANDARD.encode(buf)
}

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .filter_map(|_| alphabet.get(rng.random_range(0..alphabet.len())))
        .map(|&b| char::from(b))
        .collect()
}

pub(super) fn random_lower_alnum(len: usize) -> String {
    random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", len)
}

/// Upper- and lower-case letters and digits (a DeviceGroupKey's body).
pub(super) fn random_from_alnum(len: usize) -> String {
    random_from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        len,
    )
}

pub(super) fn random_digits(len: usize) -> String {
    random_from(b"0123456789", len)
}

pub(super) fn random_uuid() -> String {
    let mut b = [0u8; 16];
    rand::fill(&mut b[..]);
    // Version 4, variant 1, as Cognito's `sub`.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A TOTP key as AssociateSoftwareToken hands it out: 160 random bits,
/// upper-case unpadded base32 (32 characters).
pub(super) fn new_totp_key() -> TotpKey {
    let mut bytes = [0u8; 20];
    rand::fill(&mut bytes[..]);
    TotpKey {
        base32: totp_rs::Secret::new_stack(bytes).to_base32(),
        bytes: bytes.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pool::{ClientOptions, InMemoryPool};

    #[test]
    fn random_values_look_like_cognitos() {
        let key = new_totp_key();
        assert_eq!(key.bytes.len(), 20);
        assert_eq!(key.base32.len(), 32);
        assert!(
            key.base32
                .chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
        );
        assert_ne!(new_totp_key().base32, key.base32);
        let uuid = random_uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.as_bytes()[14], b'4');
        let session = random_opaque(96);
        assert!(crate::validate::session(&session).is_ok());
        assert!(crate::validate::token(&session).is_ok());
        assert_eq!(random_digits(6).len(), 6);
        let pool = InMemoryPool::new();
        assert!(crate::validate::user_pool_id(pool.pool_id()).is_ok());
        let client = pool
            .create_client(ClientOptions::new().generate_secret(true))
            .unwrap();
        assert!(crate::validate::client_id(&client.client_id).is_ok());
        let secret = client.client_secret.unwrap();
        assert!(crate::validate::client_secret(secret.expose_secret()).is_ok());
    }
}
