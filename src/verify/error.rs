//! [`TokenError`]: why a token was refused, in terms an application acts on.

use std::fmt;
use std::time::SystemTime;

/// Which of the two tokens a user pool issues.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// An OpenID Connect ID token (`token_use` = `id`): who the person is.
    Id,
    /// An OAuth 2.0 access token (`token_use` = `access`): what the bearer
    /// may do.
    Access,
}

impl TokenUse {
    /// The `token_use` claim's value: `id` or `access`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the pool's keys could not be had.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeysUnavailableKind {
    /// No connection, a TLS failure, or the connection broke.
    Connect,
    /// No whole answer within the fetch timeout.
    Timeout,
    /// The server answered with this HTTP status instead of 200.
    Status(u16),
    /// The answer was larger than the verifier reads.
    TooLarge,
    /// The answer was not a JSON Web Key Set with an RS256 key.
    Malformed,
    /// A fetch failed a moment ago and the next is not yet due (the
    /// refetch interval bounds how often the JWKS URL is asked).
    Backoff,
    /// [`TokenVerifier::verify_id_token`](super::TokenVerifier::verify_id_token)
    /// and friends were called outside a Tokio runtime, which the fetch
    /// needs.
    NoRuntime,
}

impl fmt::Display for KeysUnavailableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect => f.write_str("could not connect"),
            Self::Timeout => f.write_str("timed out"),
            Self::Status(status) => write!(f, "HTTP status {status}"),
            Self::TooLarge => f.write_str("answer too large"),
            Self::Malformed => f.write_str("not a JSON Web Key Set with an RS256 key"),
            Self::Backoff => f.write_str("the last fetch failed; the next is not yet due"),
            Self::NoRuntime => f.write_str("no Tokio runtime to fetch on"),
        }
    }
}

/// Why a token was refused.
///
/// Each variant is a decision an application takes without reading a
/// string: [`Expired`](Self::Expired) means "refresh and retry", a
/// [`KeysUnavailable`](Self::KeysUnavailable) is the verifier's problem,
/// not the caller's ([`is_retryable`](Self::is_retryable)), everything else
/// is a 401. **No variant, `Debug` or `Display` holds the token or any
/// part of it**; the few values kept from a refused token (its `alg`, `kid`,
/// `iss`, `token_use`) are cut short and withheld when they are not plain
/// printable ASCII.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not a JWT: not three base64url parts, or a header or payload that is
    /// not JSON, or a claim of the wrong type.
    Malformed {
        /// What was wrong, in a few words.
        reason: &'static str,
    },
    /// The header's `alg` is not RS256 (`none`, `HS256` keyed with the
    /// public key, or anything else): refused before any key is used.
    UnsupportedAlgorithm {
        /// The `alg` the token named, cut short.
        alg: String,
    },
    /// No key of the pool has the token's `kid`, even after fetching the
    /// key set again (or the refetch was not yet due).
    UnknownKey {
        /// The `kid` the token named, cut short; empty when it named none.
        kid: String,
    },
    /// The signature does not match the token under the key its `kid`
    /// names: forged or altered.
    BadSignature,
    /// `exp` is past, beyond the leeway. Refresh the tokens.
    Expired {
        /// The token's `exp`.
        expired_at: SystemTime,
    },
    /// `nbf` or `iat` lies in the future, beyond the leeway.
    NotYetValid {
        /// The time the token says it becomes valid.
        valid_from: SystemTime,
    },
    /// `iss` is not this user pool.
    WrongIssuer {
        /// The issuer the token named, cut short.
        found: String,
    },
    /// `aud` (ID token) or `client_id` (access token) is none of the app
    /// clients the verifier accepts.
    WrongClient,
    /// `token_use` is not what was asked for: an ID token presented as an
    /// access token, or the other way round.
    WrongUse {
        /// What the caller asked for.
        expected: TokenUse,
        /// The token's `token_use`, cut short.
        found: String,
    },
    /// A claim Cognito always sets is missing.
    MissingClaim {
        /// The claim's name.
        claim: &'static str,
    },
    /// The pool's keys could not be fetched: the token was not judged.
    /// Retryable: answer 503, not 401.
    KeysUnavailable {
        /// Why.
        kind: KeysUnavailableKind,
    },
}

impl TokenError {
    /// Whether the same token may pass later: only when the keys were
    /// unavailable, so the token was never judged. Every other refusal is
    /// final for this token.
    ///
    /// ```
    /// use cognito_mfa::verify::{KeysUnavailableKind, TokenError};
    ///
    /// assert!(TokenError::KeysUnavailable { kind: KeysUnavailableKind::Timeout }.is_retryable());
    /// assert!(!TokenError::BadSignature.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::KeysUnavailable { .. })
    }

    /// The variant's name (`"Expired"`, `"BadSignature"`, ...), for logs
    /// and metrics.
    ///
    /// ```
    /// use cognito_mfa::verify::TokenError;
    ///
    /// assert_eq!(TokenError::WrongClient.kind(), "WrongClient");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "Malformed",
            Self::UnsupportedAlgorithm { .. } => "UnsupportedAlgorithm",
            Self::UnknownKey { .. } => "UnknownKey",
            Self::BadSignature => "BadSignature",
            Self::Expired { .. } => "Expired",
            Self::NotYetValid { .. } => "NotYetValid",
            Self::WrongIssuer { .. } => "WrongIssuer",
            Self::WrongClient => "WrongClient",
            Self::WrongUse { .. } => "WrongUse",
            Self::MissingClaim { .. } => "MissingClaim",
            Self::KeysUnavailable { .. } => "KeysUnavailable",
        }
    }

    /// Whether the token was sound and merely expired: the client should
    /// refresh its tokens (REFRESH_TOKEN_AUTH) and retry.
    pub fn is_expired(&self) -> bool {
        matches!(self, Self::Expired { .. })
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { reason } => write!(f, "malformed token: {reason}"),
            Self::UnsupportedAlgorithm { alg } => {
                write!(f, "token algorithm {alg:?} refused: only RS256 is accepted")
            }
            Self::UnknownKey { kid } => write!(f, "no key of the user pool has kid {kid:?}"),
            Self::BadSignature => f.write_str("token signature does not verify"),
            Self::Expired { expired_at } => write!(f, "token expired at {}", unix(*expired_at)),
            Self::NotYetValid { valid_from } => {
                write!(f, "token not valid before {}", unix(*valid_from))
            }
            Self::WrongIssuer { found } => {
                write!(f, "token issued by {found:?}, not this user pool")
            }
            Self::WrongClient => f.write_str("token issued to another app client"),
            Self::WrongUse { expected, found } => {
                write!(
                    f,
                    "token_use is {found:?}, expected {expected:?}",
                    expected = expected.as_str()
                )
            }
            Self::MissingClaim { claim } => write!(f, "token lacks the {claim} claim"),
            Self::KeysUnavailable { kind } => {
                write!(
                    f,
                    "the user pool's keys are unavailable ({kind}); retry later"
                )
            }
        }
    }
}

impl std::error::Error for TokenError {}

/// Seconds since the Unix epoch, for messages.
fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The longest value kept from a refused token.
const MAX_SHOWN: usize = 64;

/// A value from a refused token, for an error: printable ASCII cut to
/// [`MAX_SHOWN`] characters, else withheld (it is the attacker's text).
pub(super) fn shown(value: &str) -> String {
    if value.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        let mut out: String = value.chars().take(MAX_SHOWN).collect();
        if value.len() > MAX_SHOWN {
            out.push('…');
        }
        out
    } else {
        "(withheld: not printable ASCII)".to_owned()
    }
}
