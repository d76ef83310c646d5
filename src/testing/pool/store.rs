//! Sessions and tokens: the records behind the bearer strings, the sharded
//! maps that hold them until they expire, and spending a Session.

use super::Inner;
use super::challenges::SessionStep;
use super::errors::{session_expired, session_spent};
use super::locks::lock;
use super::random::random_opaque;
use crate::backend::AuthTokens;
use crate::error::ServiceError;
use crate::secret::{AccessToken, IdToken, RefreshToken, Session};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Access and ID token lifetime (Cognito's default, one hour).
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Refresh token lifetime (Cognito's default, 30 days).
const REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// How many wrong codes one Session takes before it is spent. Cognito does
/// not document the number; three is what people report.
const WRONG_CODES_PER_SESSION: u8 = 3;
/// Shards of each token map: enough that 10,000 concurrent flows on two to
/// sixteen cores rarely meet on one lock.
const SHARDS: usize = 64;
/// A shard is swept for expired entries once it holds this many (and
/// thereafter at twice the size it had after the last sweep).
const PRUNE_MIN: usize = 256;

pub(super) struct SessionRecord {
    pub(super) username: String,
    pub(super) client_id: String,
    /// The client's AuthSessionValidity, for the Sessions that follow.
    validity: Duration,
    expires_at: SystemTime,
    pub(super) step: SessionStep,
    wrong_codes: u8,
}

pub(super) struct TokenRecord {
    pub(super) username: String,
    pub(super) expires_at: SystemTime,
}

pub(super) struct RefreshRecord {
    pub(super) username: String,
    pub(super) client_id: String,
    pub(super) expires_at: SystemTime,
}

/// A PASSWORD_VERIFIER's Session, found by the SECRET_BLOCK it was sent
/// with.
pub(super) struct BlockRecord {
    pub(super) session: String,
    pub(super) expires_at: SystemTime,
}

impl Expiring for BlockRecord {
    fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

pub(super) trait Expiring {
    fn expires_at(&self) -> SystemTime;
}

impl Expiring for SessionRecord {
    fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

impl Expiring for TokenRecord {
    fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

impl Expiring for RefreshRecord {
    fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

struct Shard<V> {
    map: HashMap<String, V>,
    prune_at: usize,
}

/// A map from random bearer strings to records, split over [`SHARDS`]
/// mutexes so concurrent flows rarely share a lock. Every critical section
/// is one hash-map operation (or an occasional sweep of one shard).
pub(super) struct Sharded<V> {
    shards: [Mutex<Shard<V>>; SHARDS],
    hasher: RandomState,
}

impl<V: Expiring> Sharded<V> {
    pub(super) fn new() -> Self {
        Self {
            shards: std::array::from_fn(|_| {
                Mutex::new(Shard {
                    map: HashMap::new(),
                    prune_at: PRUNE_MIN,
                })
            }),
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, key: &str) -> &Mutex<Shard<V>> {
        // Modulo keeps the index in range; the cast only drops high bits.
        let index = (self.hasher.hash_one(key) % SHARDS as u64) as usize;
        &self.shards[index]
    }

    pub(super) fn insert(&self, key: String, value: V, now: SystemTime) {
        let mut shard = lock(self.shard(&key));
        if shard.map.len() >= shard.prune_at {
            // Drop what expired, so long benchmarks don't grow without bound.
            shard.map.retain(|_, v| v.expires_at() > now);
            shard.prune_at = (shard.map.len() * 2).max(PRUNE_MIN);
        }
        shard.map.insert(key, value);
    }

    pub(super) fn take(&self, key: &str) -> Option<V> {
        lock(self.shard(key)).map.remove(key)
    }

    pub(super) fn with<R>(&self, key: &str, f: impl FnOnce(&V) -> R) -> Option<R> {
        lock(self.shard(key)).map.get(key).map(f)
    }
}

/// What a step that spends a Session does with it on failure.
enum Keep {
    /// The sign-in is over: the Session stays spent.
    No,
    /// The request was wrong, not the person: the Session stays usable.
    Yes,
    /// A wrong code: usable until [`WRONG_CODES_PER_SESSION`] of them.
    WrongCode,
}

pub(super) struct Fault {
    pub(super) error: ServiceError,
    keep: Keep,
}

impl Fault {
    pub(super) fn end(error: ServiceError) -> Self {
        Self {
            error,
            keep: Keep::No,
        }
    }

    pub(super) fn wrong_code(error: ServiceError) -> Self {
        Self {
            error,
            keep: Keep::WrongCode,
        }
    }
}

impl From<ServiceError> for Fault {
    fn from(error: ServiceError) -> Self {
        Self {
            error,
            keep: Keep::Yes,
        }
    }
}

impl Inner {
    pub(super) fn new_session(
        &self,
        username: &str,
        client_id: &str,
        validity: Duration,
        step: SessionStep,
        now: SystemTime,
    ) -> Session {
        // 96 random bytes: 128 characters, within Cognito's 20–2048.
        let key = random_opaque(96);
        let record = SessionRecord {
            username: username.to_owned(),
            client_id: client_id.to_owned(),
            validity,
            expires_at: now + validity,
            step,
            wrong_codes: 0,
        };
        self.sessions.insert(key.clone(), record, now);
        Session::new(key)
    }

    /// Takes the Session out of the map (so no concurrent call can spend it
    /// twice), runs `f`, and puts it back if the failure leaves it usable.
    pub(super) fn spend_session<T>(
        &self,
        session: &Session,
        now: SystemTime,
        f: impl FnOnce(&SessionRecord) -> Result<T, Fault>,
    ) -> Result<T, ServiceError> {
        let key = session.expose_secret();
        let mut record = self.sessions.take(key).ok_or_else(session_spent)?;
        if record.expires_at <= now {
            return Err(session_expired());
        }
        match f(&record) {
            Ok(value) => Ok(value),
            Err(Fault { error, keep }) => {
                let keep = match keep {
                    Keep::No => false,
                    Keep::Yes => true,
                    Keep::WrongCode => {
                        record.wrong_codes = record.wrong_codes.saturating_add(1);
                        record.wrong_codes < WRONG_CODES_PER_SESSION
                    }
                };
                if keep {
                    self.sessions.insert(key.to_owned(), record, now);
                }
                Err(error)
            }
        }
    }

    pub(super) fn issue_tokens(
        &self,
        username: &str,
        client_id: &str,
        with_refresh: bool,
        now: SystemTime,
    ) -> AuthTokens {
        // Real RS256 JWTs with Cognito's claims (see `jwt`); the access
        // token is still looked up by its text.
        let (access, id) = self.signed_tokens(username, client_id, now, TOKEN_LIFETIME);
        self.access_tokens.insert(
            access.clone(),
            TokenRecord {
                username: username.to_owned(),
                expires_at: now + TOKEN_LIFETIME,
            },
            now,
        );
        let refresh = with_refresh.then(|| {
            let refresh = random_opaque(96);
            self.refresh_tokens.insert(
                refresh.clone(),
                RefreshRecord {
                    username: username.to_owned(),
                    client_id: client_id.to_owned(),
                    expires_at: now + REFRESH_LIFETIME,
                },
                now,
            );
            RefreshToken::new(refresh)
        });
        AuthTokens {
            access_token: AccessToken::new(access),
            // Nothing reads ID tokens back, so they are not stored.
            id_token: Some(IdToken::new(id)),
            refresh_token: refresh,
            expires_in: TOKEN_LIFETIME,
            token_type: "Bearer".to_owned(),
            new_device: None,
        }
    }

    /// A new Session for the same sign-in, at `step`, with a fresh lifetime.
    pub(super) fn follow_up(
        &self,
        record: &SessionRecord,
        step: SessionStep,
        now: SystemTime,
    ) -> Session {
        self.new_session(
            &record.username,
            &record.client_id,
            record.validity,
            step,
            now,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_sweep_expired_entries() {
        let map: Sharded<TokenRecord> = Sharded::new();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        for i in 0..(SHARDS * PRUNE_MIN * 2) {
            map.insert(
                format!("k{i}"),
                TokenRecord {
                    username: "u".into(),
                    expires_at: t0,
                },
                t0,
            );
        }
        let later = t0 + Duration::from_secs(1);
        for i in 0..(SHARDS * PRUNE_MIN * 2) {
            map.insert(
                format!("n{i}"),
                TokenRecord {
                    username: "u".into(),
                    expires_at: later + Duration::from_secs(60),
                },
                later,
            );
        }
        let total: usize = map.shards.iter().map(|s| lock(s).map.len()).sum();
        assert!(total < SHARDS * PRUNE_MIN * 4, "expired entries were swept");
        assert!(map.with("n0", |r| r.username.clone()).is_some());
    }
}
