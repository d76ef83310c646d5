//! The pool's tokens: RS256 JWTs with Cognito's claims, signed with one
//! RSA-2048 key per pool, whose JWKS the pool hands out (and the local
//! endpoint serves), so offline tests verify real tokens.
//!
//! The key is made on first use (the first tokens, or the first
//! [`InMemoryPool::jwks_json`] call): aws-lc draws an RSA-2048 key in about
//! 60–80 ms in a release build (170 ms in a debug one), which pools that
//! never issue tokens don't pay.

use super::errors::user_not_found;
use super::locks::{lock, read, write};
use super::random::{random_opaque, random_uuid};
use super::{InMemoryPool, Inner};
use crate::error::{Error, Operation};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, SystemTime};

/// Cognito's scope for tokens from the user-pool API (not the hosted UI).
const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// The pool's signing key and the groups its tokens name.
pub(super) struct PoolKeys {
    kid: String,
    key: OnceLock<Option<Signing>>,
    /// Canonical user name → groups (AdminAddUserToGroup).
    groups: RwLock<HashMap<String, BTreeSet<String>>>,
    /// Random opaque tokens instead of JWTs ([`InMemoryPool::set_signed_tokens`]).
    opaque: AtomicBool,
}

struct Signing {
    pair: KeyPair,
    jwks: String,
}

impl PoolKeys {
    pub(super) fn new() -> Self {
        Self {
            // Cognito's kids are 44 base64 characters.
            kid: random_opaque(33),
            key: OnceLock::new(),
            groups: RwLock::new(HashMap::new()),
            opaque: AtomicBool::new(false),
        }
    }

    fn signing(&self) -> Option<&Signing> {
        self.key
            .get_or_init(|| {
                let pair = KeyPair::generate(KeySize::Rsa2048).ok()?;
                let public = pair.public_key();
                let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
                let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
                let jwks = json!({ "keys": [{
                    "alg": "RS256", "e": e, "kid": self.kid, "kty": "RSA", "n": n, "use": "sig",
                }]})
                .to_string();
                Some(Signing { pair, jwks })
            })
            .as_ref()
    }

    /// A JWT of `claims` under the pool's key; an opaque string if aws-lc
    /// could not make a key (which it does not fail to do).
    fn sign(&self, claims: &Value) -> String {
        let Some(signing) = self.signing() else {
            return random_opaque(96);
        };
        let header = json!({ "kid": self.kid, "alg": "RS256" }).to_string();
        let mut token = URL_SAFE_NO_PAD.encode(header);
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut signature = vec![0; signing.pair.public_modulus_len()];
        if signing
            .pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                token.as_bytes(),
                &mut signature,
            )
            .is_err()
        {
            return random_opaque(96);
        }
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature));
        token
    }
}

/// What the tokens of one sign-in say about the user.
struct Subject {
    sub: String,
    email: Option<String>,
    email_verified: bool,
    groups: Vec<String>,
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl Inner {
    fn subject(&self, username: &str) -> Subject {
        let user = read(&self.users).get(username).cloned();
        let (sub, email, email_verified) = user.map_or_else(
            || (String::new(), None, false),
            |user| {
                let user = lock(&user);
                let email = user.attributes.get("email").cloned();
                // An email set through the pool's helpers is taken as verified.
                let verified = user
                    .attributes
                    .get("email_verified")
                    .map_or(email.is_some(), |v| v == "true");
                (user.sub.clone(), email, verified)
            },
        );
        let groups = read(&self.keys.groups)
            .get(username)
            .map(|g| g.iter().cloned().collect())
            .unwrap_or_default();
        Subject {
            sub,
            email,
            email_verified,
            groups,
        }
    }

    fn issuer(&self) -> String {
        crate::backend::token_issuer(&self.pool_id)
    }

    /// An access and an ID token for `username` signed in at `client_id`,
    /// with Cognito's claims, valid for `lifetime` from `now`.
    pub(super) fn signed_tokens(
        &self,
        username: &str,
        client_id: &str,
        now: SystemTime,
        lifetime: Duration,
    ) -> (String, String) {
        if self.keys.opaque.load(Ordering::Relaxed) {
            return (random_opaque(96), random_opaque(96));
        }
        let subject = self.subject(username);
        let iss = self.issuer();
        let (iat, exp) = (unix(now), unix(now + lifetime));
        let origin_jti = random_uuid();
        let event_id = random_uuid();
        let mut access = Map::new();
        access.insert("sub".into(), json!(subject.sub));
        if !subject.groups.is_empty() {
            access.insert("cognito:groups".into(), json!(subject.groups));
        }
        access.insert("iss".into(), json!(iss));
        access.insert("client_id".into(), json!(client_id));
        access.insert("origin_jti".into(), json!(origin_jti));
        access.insert("event_id".into(), json!(event_id));
        access.insert("token_use".into(), json!("access"));
        access.insert("scope".into(), json!(ADMIN_SCOPE));
        access.insert("auth_time".into(), json!(iat));
        access.insert("exp".into(), json!(exp));
        access.insert("iat".into(), json!(iat));
        access.insert("jti".into(), json!(random_uuid()));
        access.insert("username".into(), json!(username));

        let mut id = Map::new();
        id.insert("sub".into(), json!(subject.sub));
        if !subject.groups.is_empty() {
            id.insert("cognito:groups".into(), json!(subject.groups));
        }
        if subject.email.is_some() {
            id.insert("email_verified".into(), json!(subject.email_verified));
        }
        id.insert("iss".into(), json!(iss));
        id.insert("cognito:username".into(), json!(username));
        id.insert("origin_jti".into(), json!(origin_jti));
        id.insert("aud".into(), json!(client_id));
        id.insert("event_id".into(), json!(event_id));
        id.insert("token_use".into(), json!("id"));
        id.insert("auth_time".into(), json!(iat));
        id.insert("exp".into(), json!(exp));
        id.insert("iat".into(), json!(iat));
        id.insert("jti".into(), json!(random_uuid()));
        if let Some(email) = subject.email {
            id.insert("email".into(), json!(email));
        }
        (
            self.keys.sign(&Value::Object(access)),
            self.keys.sign(&Value::Object(id)),
        )
    }
}

impl InMemoryPool {
    /// The pool's JSON Web Key Set, as Cognito serves it at
    /// `https://cognito-idp.REGION.amazonaws.com/POOL/.well-known/jwks.json`
    /// (the local endpoint serves it at `/POOL/.well-known/jwks.json`): one
    /// RSA-2048 RS256 key, made on first use. The pool's access and ID
    /// tokens are JWTs signed with it.
    ///
    /// ```
    /// use cognito_mfa::testing::InMemoryPool;
    ///
    /// let pool = InMemoryPool::new();
    /// let jwks: serde_json::Value = serde_json::from_str(&pool.jwks_json()).unwrap();
    /// assert_eq!(jwks["keys"][0]["alg"], "RS256");
    /// ```
    pub fn jwks_json(&self) -> String {
        self.inner
            .keys
            .signing()
            .map_or_else(|| r#"{"keys":[]}"#.to_owned(), |s| s.jwks.clone())
    }

    /// Whether the pool's access and ID tokens are RS256 JWTs (the default,
    /// as Cognito's) or, with `false`, random opaque strings as the pool
    /// issued before it signed tokens. For benchmarks of flows only: an
    /// RSA-2048 signature costs about 0.3 ms per token, so a sign-in on the
    /// pool takes about 600 µs with signed tokens against 7 µs without
    /// (`cargo bench --bench tokens`), which would drown what they measure. Opaque tokens work with the pool's
    /// own calls but verify nowhere.
    ///
    /// ```
    /// use cognito_mfa::testing::InMemoryPool;
    ///
    /// let pool = InMemoryPool::new();
    /// pool.set_signed_tokens(false); // a benchmark of sign-in flows
    /// ```
    pub fn set_signed_tokens(&self, signed: bool) {
        self.inner.keys.opaque.store(!signed, Ordering::Relaxed);
    }

    /// Adds the user to a group (AdminAddUserToGroup; the group need not be
    /// made first): their tokens issued from now on name it in
    /// `cognito:groups`.
    ///
    /// Fails with `UserNotFoundException` for an unknown user.
    ///
    /// ```
    /// use cognito_mfa::testing::InMemoryPool;
    ///
    /// let pool = InMemoryPool::new();
    /// pool.create_user("alice", "correct horse")?;
    /// pool.add_user_to_group("alice", "admins")?;
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    pub fn add_user_to_group(&self, username: &str, group: &str) -> Result<(), Error> {
        let inner = &self.inner;
        let canonical = inner
            .resolve(username)
            .map(|resolved| resolved.0)
            .ok_or_else(|| Error::from_service(Operation::AdminAddUserToGroup, user_not_found()))?;
        write(&inner.keys.groups)
            .entry(canonical)
            .or_default()
            .insert(group.to_owned());
        Ok(())
    }
}
