//! Verifying the ID and access tokens a user pool issues (feature `verify`).
//!
//! A [`TokenVerifier`] is built once per user pool, for the app clients
//! whose tokens it accepts, and shared (it is a cheap handle). Each call
//! checks one token as Cognito documents:
//!
//! - the header's `alg` is RS256, and nothing else (`none`, HS256 keyed with
//!   the public key and every other algorithm are refused before any key is
//!   used);
//! - the key is the pool's with the header's `kid`, and the RS256 signature
//!   verifies under it;
//! - `iss` is the pool's URL, `token_use` is the one asked for, the client
//!   is one of the verifier's (`aud` in an ID token, `client_id` in an
//!   access token, which has no `aud`);
//! - `exp` is not past, and `nbf` and `iat` not in the future, beyond a
//!   small leeway, by the verifier's [`Clock`].
//!
//! The pool's key set (JWKS) is fetched on first use and cached; a token
//! whose `kid` the cache lacks (the pool rotated its keys) makes it fetch
//! again, at most once per [refetch interval](TokenVerifierBuilder::refetch_interval),
//! so a stream of forged `kid`s can't turn the verifier into a flood of
//! requests. A fetch is bounded in time and size. The JWKS URL can point
//! elsewhere (moto and the local endpoint serve it at their own address)
//! while the expected issuer stays Cognito's; [`keys_from_json`](TokenVerifierBuilder::keys_from_json)
//! takes the keys offline instead.
//!
//! Errors are [`TokenError`]s an app acts on: [`Expired`](TokenError::Expired)
//! (refresh), [`KeysUnavailable`](TokenError::KeysUnavailable) (retryable:
//! a 503, not a 401), the rest a refusal. No error, `Debug` or log line
//! holds the token.
//!
//! ```no_run
//! use cognito_mfa::AccessToken;
//! use cognito_mfa::verify::{TokenError, TokenVerifier};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = TokenVerifier::builder("us-east-1_AbC123", ["1example23456789abcdefghij"]).build()?;
//! let token = AccessToken::new("eyJraWQiOi...");
//! match verifier.verify_access_token(&token).await {
//!     Ok(claims) => println!("signed in: {} ({})", claims.username, claims.sub),
//!     Err(e) if e.is_retryable() => println!("try again later: {e}"),
//!     Err(e) => println!("refused: {e}"),
//! }
//! # Ok(())
//! # }
//! ```

mod claims;
mod error;
mod jwks;

pub use claims::Claims;
pub use error::{KeysUnavailableKind, TokenError, TokenUse};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Field};
use crate::secret::{AccessToken, IdToken};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use error::shown;
use jwks::{Fetcher, KeySet};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};
use zeroize::Zeroizing;

/// The default leeway on `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);
/// The default least time between two fetches of the key set.
pub const DEFAULT_REFETCH_INTERVAL: Duration = Duration::from_secs(10);
/// The default bound on one fetch of the key set, connection included.
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The default bound on the key set's size (Cognito's is about 1 KiB).
pub const DEFAULT_MAX_JWKS_BYTES: usize = 64 * 1024;
/// The longest token looked at (as [`validate::token`](crate::validate::token)).
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Where the keys come from.
enum Source {
    Fetch(Box<Fetcher>),
    /// Injected with [`TokenVerifierBuilder::keys_from_json`]: never fetched.
    Fixed,
}

#[derive(Default)]
struct FetchState {
    /// When the last fetch started.
    last_attempt: Option<SystemTime>,
}

struct Inner {
    user_pool_id: String,
    issuer: String,
    client_ids: Vec<String>,
    leeway: Duration,
    refetch_interval: Duration,
    clock: Arc<dyn Clock>,
    keys: RwLock<Arc<KeySet>>,
    source: Source,
    /// Held while fetching: one fetch at a time, the others wait for it.
    fetch: tokio::sync::Mutex<FetchState>,
    /// How many fetches were started.
    fetches: AtomicU64,
}

/// Verifies the ID and access tokens of one user pool, for a set of app
/// clients. See the [module docs](self).
///
/// A cheap handle: clones share the cached keys. Safe to share between
/// tasks and threads; verifying with warm keys takes no lock but a read
/// lock held for a pointer copy.
#[derive(Clone)]
pub struct TokenVerifier {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = match &self.inner.source {
            Source::Fetch(fetcher) => Some(fetcher.url().to_string()),
            Source::Fixed => None,
        };
        f.debug_struct("TokenVerifier")
            .field("issuer", &self.inner.issuer)
            .field("client_ids", &self.inner.client_ids)
            .field("jwks_url", &url)
            .field("kids", &self.current_keys().kids())
            .finish_non_exhaustive()
    }
}

/// Builds a [`TokenVerifier`]: the pool, its clients, and optionally where
/// the keys come from, the leeway, the clock and the fetch bounds.
pub struct TokenVerifierBuilder {
    user_pool_id: String,
    client_ids: Vec<String>,
    jwks_url: Option<String>,
    jwks_json: Option<Vec<u8>>,
    leeway: Duration,
    refetch_interval: Duration,
    fetch_timeout: Duration,
    max_jwks_bytes: usize,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for TokenVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenVerifierBuilder")
            .field("user_pool_id", &self.user_pool_id)
            .field("client_ids", &self.client_ids)
            .field("jwks_url", &self.jwks_url)
            .field("keys_from_json", &self.jwks_json.is_some())
            .field("leeway", &self.leeway)
            .field("refetch_interval", &self.refetch_interval)
            .field("fetch_timeout", &self.fetch_timeout)
            .field("max_jwks_bytes", &self.max_jwks_bytes)
            .finish_non_exhaustive()
    }
}

impl TokenVerifierBuilder {
    /// Fetch the key set from `url` instead of Cognito's
    /// `https://cognito-idp.REGION.amazonaws.com/POOL/.well-known/jwks.json`.
    /// The expected issuer stays Cognito's: moto and the local endpoint
    /// serve the keys at their own address but issue tokens in Cognito's
    /// name.
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"])
    ///     .jwks_url("http://127.0.0.1:5000/us-east-1_AbC123/.well-known/jwks.json")
    ///     .build()?;
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    #[must_use]
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = Some(url.into());
        self
    }

    /// Use these keys (a JWKS document, as Cognito serves it) and never
    /// fetch: for offline use, tests, or keys shipped with the service. A
    /// token whose `kid` is not among them is refused with
    /// [`TokenError::UnknownKey`].
    ///
    /// ```
    /// # #[cfg(feature = "test-util")] {
    /// # use cognito_mfa::testing::InMemoryPool;
    /// # use cognito_mfa::verify::TokenVerifier;
    /// let pool = InMemoryPool::new();
    /// let verifier = TokenVerifier::builder(pool.pool_id(), ["client1"])
    ///     .keys_from_json(pool.jwks_json())
    ///     .build()?;
    /// # }
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    #[must_use]
    pub fn keys_from_json(mut self, jwks: impl AsRef<[u8]>) -> Self {
        self.jwks_json = Some(jwks.as_ref().to_vec());
        self
    }

    /// The leeway on `exp`, `nbf` and `iat` for clock skew; by default
    /// [`DEFAULT_LEEWAY`] (5 s).
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// # use std::time::Duration;
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"])
    ///     .leeway(Duration::ZERO)
    ///     .build()?;
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The clock that judges `exp`, `nbf` and `iat` and paces the refetches;
    /// by default the system's. Tests hand the in-memory pool's
    /// `testing::ManualClock` (feature `test-util`).
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// # use cognito_mfa::clock::SystemClock;
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"])
    ///     .clock(SystemClock)
    ///     .build()?;
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The least time between two fetches of the key set, whatever `kid`s
    /// arrive; by default [`DEFAULT_REFETCH_INTERVAL`] (10 s). Within it, a
    /// token with an unknown `kid` is refused without a fetch.
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// # use std::time::Duration;
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"])
    ///     .refetch_interval(Duration::from_secs(60))
    ///     .build()?;
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    #[must_use]
    pub fn refetch_interval(mut self, interval: Duration) -> Self {
        self.refetch_interval = interval;
        self
    }

    /// The bound on one fetch, connecting and reading included; by default
    /// [`DEFAULT_FETCH_TIMEOUT`] (5 s).
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// # use std::time::Duration;
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"])
    ///     .fetch_timeout(Duration::from_secs(2))
    ///     .build()?;
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    #[must_use]
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// The largest key set read; by default [`DEFAULT_MAX_JWKS_BYTES`]
    /// (64 KiB).
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"])
    ///     .max_jwks_bytes(16 * 1024)
    ///     .build()?;
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    #[must_use]
    pub fn max_jwks_bytes(mut self, bytes: usize) -> Self {
        self.max_jwks_bytes = bytes;
        self
    }

    /// Checks the pool id, the client ids, the JWKS URL and any injected
    /// keys, and builds the verifier. Nothing is fetched yet.
    ///
    /// Fails with [`Error::InvalidInput`] for a malformed pool or client id,
    /// no client id, a JWKS URL that is not `http://` or `https://`, or
    /// injected keys with no RS256 key.
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// assert!(TokenVerifier::builder("not a pool", ["client1"]).build().is_err());
    /// assert!(TokenVerifier::builder("us-east-1_AbC123", Vec::<String>::new()).build().is_err());
    /// ```
    pub fn build(self) -> Result<TokenVerifier, Error> {
        crate::validate::user_pool_id(&self.user_pool_id)?;
        if self.client_ids.is_empty() {
            return Err(Error::invalid(
                Field::ClientId,
                "a verifier needs at least one app client id",
            ));
        }
        for id in &self.client_ids {
            crate::validate::client_id(id)?;
        }
        let issuer = crate::backend::token_issuer(&self.user_pool_id);
        let (source, keys) = match self.jwks_json {
            Some(json) => {
                let keys = KeySet::parse(&json).map_err(|_| {
                    Error::invalid(
                        Field::Jwks,
                        "must be a JSON Web Key Set with at least one RS256 key of 2048 bits or more",
                    )
                })?;
                (Source::Fixed, keys)
            }
            None => {
                let url = self
                    .jwks_url
                    .unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json"));
                let uri: hyper::Uri = url.parse().map_err(|_| {
                    Error::invalid(Field::Jwks, "the JWKS URL must be an absolute http(s) URL")
                })?;
                if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
                    return Err(Error::invalid(
                        Field::Jwks,
                        "the JWKS URL must be an absolute http(s) URL",
                    ));
                }
                let fetcher = Fetcher::new(uri, self.fetch_timeout, self.max_jwks_bytes);
                (Source::Fetch(Box::new(fetcher)), KeySet::default())
            }
        };
        Ok(TokenVerifier {
            inner: Arc::new(Inner {
                user_pool_id: self.user_pool_id,
                issuer,
                client_ids: self.client_ids,
                leeway: self.leeway,
                refetch_interval: self.refetch_interval,
                clock: self.clock,
                keys: RwLock::new(Arc::new(keys)),
                source,
                fetch: tokio::sync::Mutex::new(FetchState::default()),
                fetches: AtomicU64::new(0),
            }),
        })
    }
}

/// The header fields looked at before any key is used.
struct Header {
    alg: Option<String>,
    kid: Option<String>,
}

fn malformed(reason: &'static str) -> TokenError {
    TokenError::Malformed { reason }
}

impl TokenVerifier {
    /// A builder for a verifier of `user_pool_id`'s tokens (like
    /// `us-east-1_AbC123`: the region is read from it) issued to any of
    /// `client_ids`.
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// let verifier = TokenVerifier::builder("eu-west-1_AbC123", ["webclient1234", "cliclient5678"])
    ///     .build()?;
    /// assert_eq!(verifier.issuer(), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123");
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    pub fn builder<I, S>(user_pool_id: impl Into<String>, client_ids: I) -> TokenVerifierBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        TokenVerifierBuilder {
            user_pool_id: user_pool_id.into(),
            client_ids: client_ids.into_iter().map(Into::into).collect(),
            jwks_url: None,
            jwks_json: None,
            leeway: DEFAULT_LEEWAY,
            refetch_interval: DEFAULT_REFETCH_INTERVAL,
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
            max_jwks_bytes: DEFAULT_MAX_JWKS_BYTES,
            clock: Arc::new(SystemClock),
        }
    }

    /// The issuer tokens must name: `https://cognito-idp.REGION.amazonaws.com/POOL`.
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"]).build()?;
    /// assert!(verifier.issuer().ends_with("/us-east-1_AbC123"));
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The user pool id.
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"]).build()?;
    /// assert_eq!(verifier.user_pool_id(), "us-east-1_AbC123");
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    pub fn user_pool_id(&self) -> &str {
        &self.inner.user_pool_id
    }

    /// How many times the key set was fetched (successfully or not), for
    /// monitoring and tests of the refetch bound.
    ///
    /// ```
    /// # use cognito_mfa::verify::TokenVerifier;
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"]).build()?;
    /// assert_eq!(verifier.fetch_count(), 0); // nothing is fetched until needed
    /// # Ok::<(), cognito_mfa::Error>(())
    /// ```
    pub fn fetch_count(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    /// Verifies an ID token: RS256 under the pool's key, this pool's
    /// issuer, `token_use` = `id`, `aud` one of the verifier's clients, not
    /// expired. See the [module docs](self).
    ///
    /// ```no_run
    /// # use cognito_mfa::IdToken;
    /// # use cognito_mfa::verify::TokenVerifier;
    /// # async fn demo(verifier: &TokenVerifier, token: IdToken) -> Result<(), cognito_mfa::verify::TokenError> {
    /// let claims = verifier.verify_id_token(&token).await?;
    /// println!("{} <{}>", claims.username, claims.email.unwrap_or_default());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn verify_id_token(&self, token: &IdToken) -> Result<Claims, TokenError> {
        self.verify_str(token.expose_secret(), TokenUse::Id).await
    }

    /// Verifies an access token: RS256 under the pool's key, this pool's
    /// issuer, `token_use` = `access`, `client_id` one of the verifier's
    /// clients, not expired.
    ///
    /// ```no_run
    /// # use cognito_mfa::AccessToken;
    /// # use cognito_mfa::verify::TokenVerifier;
    /// # async fn demo(verifier: &TokenVerifier, token: AccessToken) -> Result<(), cognito_mfa::verify::TokenError> {
    /// let claims = verifier.verify_access_token(&token).await?;
    /// if !claims.in_group("admins") { /* 403 */ }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn verify_access_token(&self, token: &AccessToken) -> Result<Claims, TokenError> {
        self.verify_str(token.expose_secret(), TokenUse::Access)
            .await
    }

    /// Verifies a token held as plain text (an `Authorization` header's
    /// value after `Bearer `), expecting `token_use`. The text is read,
    /// never copied or echoed.
    ///
    /// ```no_run
    /// # use cognito_mfa::verify::{TokenUse, TokenVerifier};
    /// # async fn demo(verifier: &TokenVerifier, authorization: &str) -> Result<(), cognito_mfa::verify::TokenError> {
    /// let bearer = authorization.strip_prefix("Bearer ").unwrap_or_default();
    /// let claims = verifier.verify_str(bearer, TokenUse::Access).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn verify_str(&self, token: &str, expected: TokenUse) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(malformed("longer than 16384 characters"));
        }
        let header = parse_header(token)?;
        match header.alg.as_deref() {
            Some("RS256") => {}
            Some(other) => {
                return Err(TokenError::UnsupportedAlgorithm { alg: shown(other) });
            }
            None => return Err(malformed("the header has no alg")),
        }
        let kid = header.kid.unwrap_or_default();
        let keys = self.keys_with(&kid).await?;
        let key = keys
            .get(&kid)
            .ok_or_else(|| TokenError::UnknownKey { kid: shown(&kid) })?;
        // RS256 is RSASSA-PKCS1-v1_5 with SHA-256 over `header.payload`
        // (RFC 7518 §3.3), checked by aws-lc with the key parsed once.
        let (message, signature) = token
            .rsplit_once('.')
            .ok_or_else(|| malformed("not three dot-separated parts"))?;
        // Decoded, the signature and the payload are the token again in
        // other bytes: wiped when dropped, as the secret types are.
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map(Zeroizing::new)
            .map_err(|_| malformed("the signature is not base64url"))?;
        key.verify_sig(message.as_bytes(), &signature)
            .map_err(|_| TokenError::BadSignature)?;
        let payload = message
            .split_once('.')
            .map(|(_, payload)| payload)
            .ok_or_else(|| malformed("not three dot-separated parts"))?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map(Zeroizing::new)
            .map_err(|_| malformed("the payload is not base64url"))?;
        let payload: Map<String, Value> = serde_json::from_slice(&payload)
            .map_err(|_| malformed("the payload is not a JSON object"))?;
        self.check(&payload, expected)?;
        Claims::from_payload(payload, expected)
    }

    /// The claim checks, on a payload whose signature verified.
    fn check(&self, payload: &Map<String, Value>, expected: TokenUse) -> Result<(), TokenError> {
        let inner = &*self.inner;
        match payload.get("iss") {
            Some(Value::String(iss)) if *iss == inner.issuer => {}
            Some(Value::String(iss)) => return Err(TokenError::WrongIssuer { found: shown(iss) }),
            _ => return Err(TokenError::MissingClaim { claim: "iss" }),
        }
        match payload.get("token_use") {
            Some(Value::String(u)) if u == expected.as_str() => {}
            Some(Value::String(u)) => {
                return Err(TokenError::WrongUse {
                    expected,
                    found: shown(u),
                });
            }
            _ => return Err(TokenError::MissingClaim { claim: "token_use" }),
        }
        let ours = |id: &str| inner.client_ids.iter().any(|c| c == id);
        let client_claim = match expected {
            TokenUse::Id => "aud",
            TokenUse::Access => "client_id",
        };
        let client_ok = match payload.get(client_claim) {
            Some(Value::String(id)) => ours(id),
            // An `aud` array passes only if every audience is ours.
            Some(Value::Array(ids)) if expected == TokenUse::Id && !ids.is_empty() => {
                ids.iter().all(|v| v.as_str().is_some_and(ours))
            }
            None => {
                return Err(TokenError::MissingClaim {
                    claim: client_claim,
                });
            }
            _ => false,
        };
        if !client_ok {
            return Err(TokenError::WrongClient);
        }
        let now = inner.clock.now();
        let exp = payload
            .get("exp")
            .ok_or(TokenError::MissingClaim { claim: "exp" })
            .and_then(claims::numeric_date)?;
        if now > exp + inner.leeway {
            return Err(TokenError::Expired { expired_at: exp });
        }
        for name in ["nbf", "iat"] {
            if let Some(value) = payload.get(name) {
                let from = claims::numeric_date(value)?;
                if from > now + inner.leeway {
                    return Err(TokenError::NotYetValid { valid_from: from });
                }
            }
        }
        Ok(())
    }

    fn current_keys(&self) -> Arc<KeySet> {
        match self.inner.keys.read() {
            Ok(keys) => Arc::clone(&keys),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The key set, holding `kid` if the cache does or a fetch finds it.
    async fn keys_with(&self, kid: &str) -> Result<Arc<KeySet>, TokenError> {
        let keys = self.current_keys();
        if keys.get(kid).is_some() {
            return Ok(keys);
        }
        let Source::Fetch(fetcher) = &self.inner.source else {
            return Err(TokenError::UnknownKey { kid: shown(kid) });
        };
        let mut state = self.inner.fetch.lock().await;
        // Another task may have fetched while this one waited.
        let keys = self.current_keys();
        if keys.get(kid).is_some() {
            return Ok(keys);
        }
        let now = self.inner.clock.now();
        let due = state.last_attempt.is_none_or(|last| {
            // A clock stepped back counts as due, or the verifier could wait forever.
            now.duration_since(last)
                .map_or(true, |since| since >= self.inner.refetch_interval)
        });
        if !due {
            return Err(if keys.is_empty() {
                TokenError::KeysUnavailable {
                    kind: KeysUnavailableKind::Backoff,
                }
            } else {
                TokenError::UnknownKey { kid: shown(kid) }
            });
        }
        state.last_attempt = Some(now);
        self.inner.fetches.fetch_add(1, Ordering::Relaxed);
        let fetched = fetcher
            .fetch()
            .await
            .map_err(|kind| TokenError::KeysUnavailable { kind })?;
        let fetched = Arc::new(fetched);
        match self.inner.keys.write() {
            Ok(mut keys) => *keys = Arc::clone(&fetched),
            Err(poisoned) => *poisoned.into_inner() = Arc::clone(&fetched),
        }
        if fetched.get(kid).is_some() {
            Ok(fetched)
        } else {
            Err(TokenError::UnknownKey { kid: shown(kid) })
        }
    }

    /// Fetches the key set now if none is cached, so the first request
    /// doesn't wait for it (call it at start-up). Keys injected with
    /// [`keys_from_json`](TokenVerifierBuilder::keys_from_json) need none.
    ///
    /// ```no_run
    /// # use cognito_mfa::verify::TokenVerifier;
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let verifier = TokenVerifier::builder("us-east-1_AbC123", ["client1"]).build()?;
    /// verifier.warm_up().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn warm_up(&self) -> Result<(), TokenError> {
        if !self.current_keys().is_empty() {
            return Ok(());
        }
        match self.keys_with("").await {
            Ok(_) | Err(TokenError::UnknownKey { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The header, decoded only to read `alg` and `kid`.
fn parse_header(token: &str) -> Result<Header, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("not three dot-separated parts"));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| malformed("the header is not base64url"))?;
    let mut header: Map<String, Value> =
        serde_json::from_slice(&bytes).map_err(|_| malformed("the header is not a JSON object"))?;
    // RFC 7515 §4.1.11: extensions marked critical must be understood;
    // Cognito marks none, and this verifier understands none.
    if header.contains_key("crit") {
        return Err(malformed("the header names critical extensions"));
    }
    let mut take = |name: &str| match header.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed("a header field has the wrong type")),
    };
    Ok(Header {
        alg: take("alg")?,
        kid: take("kid")?,
    })
}
