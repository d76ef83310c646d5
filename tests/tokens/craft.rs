//! Crafting tokens with a key of the test's own (aws-lc-rs), so every
//! refusal can be shown on a token whose signature is otherwise sound.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

pub const POOL: &str = "us-east-1_Craft3d";
pub const CLIENT: &str = "craftedclient1234567890";
pub const KID: &str = "crafted-kid-1";

pub fn issuer() -> String {
    format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}")
}

/// A signing key with its kid.
pub struct Key {
    pub kid: String,
    pub pair: KeyPair,
}

impl Key {
    pub fn new(kid: &str) -> Self {
        Self {
            kid: kid.to_owned(),
            pair: KeyPair::generate(KeySize::Rsa2048).unwrap(),
        }
    }

    /// The JWK of the public key.
    pub fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        })
    }

    /// The public key as PKCS#1 DER (what an HS256 forger would use as the secret).
    pub fn public_der(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    /// An RS256 JWT of `header` and `claims`, signed with this key.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let mut token = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                token.as_bytes(),
                &mut signature,
            )
            .unwrap();
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature));
        token
    }

    /// An RS256 JWT with this key's kid.
    pub fn token(&self, claims: &Value) -> String {
        self.sign(&json!({ "alg": "RS256", "kid": self.kid }), claims)
    }
}

/// The test binary's key (made once: RSA key generation takes a while).
pub fn key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| Key::new(KID))
}

pub fn jwks(keys: &[&Key]) -> String {
    json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() }).to_string()
}

pub fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
}

/// Cognito's ID token claims, issued at `now`, valid one hour.
pub fn id_claims(now: SystemTime) -> Value {
    let iat = unix(now);
    json!({
        "sub": "7f3c8a52-6a4b-4a8e-9b8e-2f1d6c1e9a10",
        "email_verified": true,
        "iss": issuer(),
        "cognito:username": "alice",
        "origin_jti": "0e4f7c8c-0a5d-4a43-9d35-5c2a3b5e8f01",
        "aud": CLIENT,
        "event_id": "c1d2e3f4-0000-4000-8000-000000000001",
        "token_use": "id",
        "auth_time": iat,
        "exp": iat + 3600,
        "iat": iat,
        "jti": "d3adb33f-0000-4000-8000-000000000002",
        "email": "alice@example.com",
    })
}

/// Cognito's access token claims, issued at `now`, valid one hour.
pub fn access_claims(now: SystemTime) -> Value {
    let iat = unix(now);
    json!({
        "sub": "7f3c8a52-6a4b-4a8e-9b8e-2f1d6c1e9a10",
        "cognito:groups": ["admins"],
        "iss": issuer(),
        "client_id": CLIENT,
        "origin_jti": "0e4f7c8c-0a5d-4a43-9d35-5c2a3b5e8f01",
        "event_id": "c1d2e3f4-0000-4000-8000-000000000001",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": iat,
        "exp": iat + 3600,
        "iat": iat,
        "jti": "d3adb33f-0000-4000-8000-000000000003",
        "username": "alice",
    })
}

/// A fixed time for the crafted tokens and the verifier's clock.
pub fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}
