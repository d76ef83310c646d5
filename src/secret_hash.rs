//! `SECRET_HASH`: what an app client with a secret must send with every
//! sign-in request.

use crate::secret::ClientSecret;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Base64(HMAC-SHA256(key = client secret, message = user name + client id)).
///
/// `username` must be the canonical user name Cognito returned
/// (`USER_ID_FOR_SRP` / `USERNAME` in the challenge parameters), not an alias
/// the person typed, for every step after InitiateAuth.
///
/// ```
/// use cognito_mfa::{ClientSecret, secret_hash};
/// let hash = secret_hash(&ClientSecret::new("client-secret"), "alice", "client-id");
/// assert_eq!(hash.len(), 44);
/// ```
pub fn secret_hash(client_secret: &ClientSecret, username: &str, client_id: &str) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(client_secret.expose_secret().as_bytes())
            .unwrap_or_else(|_| unreachable_hmac());
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cold]
fn unreachable_hmac() -> Hmac<Sha256> {
    // new_from_slice only fails for fixed-size-key MACs; HMAC has none.
    <Hmac<Sha256> as KeyInit>::new(&Default::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer() {
        // Computed independently: python3 -c 'import hmac,hashlib,base64;
        // print(base64.b64encode(hmac.new(b"secret", b"alice" + b"client", hashlib.sha256).digest()).decode())'
        let hash = secret_hash(&ClientSecret::new("secret"), "alice", "client");
        assert_eq!(hash, "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0=");
    }
}
