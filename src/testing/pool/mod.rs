//! [`InMemoryPool`]: a Cognito user pool in memory, behind [`CognitoBackend`].
//!
//! See the [module docs](super) for the behaviour reproduced and the choices
//! made where Cognito does not document it.
//!
//! [`CognitoBackend`]: crate::backend::CognitoBackend

mod auth;
mod backend;
mod challenges;
mod clients;
mod compare;
mod devices;
mod enrollment;
mod errors;
mod jwt;
mod locks;
mod outbox;
mod random;
mod srp;
mod store;
mod user_auth;
mod users;

pub use clients::ClientOptions;
pub use outbox::SentMessage;

use crate::backend::{DeviceConfiguration, PoolMfaConfig, PoolMfaMode, UserPoolTier};
use crate::clock::{Clock, SystemClock};
use crate::error::ServiceError;
use clients::ClientRecord;
use errors::pool_not_found;
use locks::{read, write};
use rand::distr::{Alphanumeric, SampleString as _};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;
use store::{BlockRecord, RefreshRecord, SessionRecord, Sharded, TokenRecord};
use users::UserRecord;

struct Inner {
    pool_id: String,
    clock: Arc<dyn Clock>,
    mfa_config: RwLock<PoolMfaConfig>,
    /// `None`: the pool tracks no devices.
    device_config: RwLock<Option<DeviceConfiguration>>,
    /// The feature plan: USER_AUTH and email MFA need Essentials.
    tier: RwLock<UserPoolTier>,
    /// `AllowedFirstAuthFactors`, for USER_AUTH.
    first_factors: RwLock<Vec<String>>,
    /// Codes "sent", for tests to read.
    outbox: Mutex<VecDeque<SentMessage>>,
    clients: RwLock<HashMap<String, Arc<ClientRecord>>>,
    /// Canonical user name → user. Written only when a user is created; each
    /// user has its own mutex, so flows of different users never wait on
    /// each other.
    users: RwLock<HashMap<String, Arc<Mutex<UserRecord>>>>,
    /// Lower-cased email → canonical user name.
    aliases: RwLock<HashMap<String, String>>,
    sessions: Sharded<SessionRecord>,
    access_tokens: Sharded<TokenRecord>,
    refresh_tokens: Sharded<RefreshRecord>,
    /// PASSWORD_VERIFIER Sessions by SECRET_BLOCK, for answers without one.
    srp_blocks: Sharded<BlockRecord>,
    /// The key the pool's JWTs are signed with, and the groups they name.
    keys: jwt::PoolKeys,
}

/// An in-memory Cognito user pool: the [`CognitoBackend`] for tests and
/// demos, with administrator-style setup helpers.
///
/// A cheap handle: clones share the pool. Safe to share between threads and
/// tasks; many concurrent sign-ins don't serialize on one lock (users each
/// have a mutex, Sessions and tokens live in sharded maps, and no lock is
/// held across an `.await`).
///
/// Errors are the ones Cognito sends (exception code and message), mapped
/// through [`Error::from_service`], so code under
/// test sees what it would see from the service. The setup helpers stand
/// for admin calls outside [`CognitoBackend`] (AdminCreateUser,
/// CreateUserPoolClient, AdminUpdateUserAttributes, ...) and report their
/// refusals the same way, as an [`Error`] naming that call, so `?` works in
/// a test that returns `Result<_, cognito_mfa::Error>`.
///
/// ```
/// use cognito_mfa::backend::{
///     Api, AuthFlow, CognitoBackend, InitiateAuthRequest, Parameters, PoolMfaConfig, PoolMfaMode,
/// };
/// use cognito_mfa::testing::{ClientOptions, InMemoryPool};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = InMemoryPool::new();
/// pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
/// let client = pool.create_client(ClientOptions::new())?;
/// pool.create_user("alice", "correct horse")?;
/// let answer = pool
///     .initiate_auth(InitiateAuthRequest::new(
///         Api::Public,
///         client.client_id.clone(),
///         AuthFlow::UserPassword,
///         Parameters::new()
///             .with("USERNAME", "alice")
///             .with("PASSWORD", "correct horse"),
///     ))
///     .await?;
/// assert!(answer.tokens.is_some());
/// # Ok(())
/// # }
/// ```
///
/// [`CognitoBackend`]: crate::backend::CognitoBackend
/// [`Error::from_service`]: crate::error::Error::from_service
/// [`Error`]: crate::error::Error
#[derive(Clone)]
pub struct InMemoryPool {
    inner: Arc<Inner>,
}

impl Default for InMemoryPool {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for InMemoryPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryPool")
            .field("pool_id", &self.inner.pool_id)
            .field("mfa_config", &*read(&self.inner.mfa_config))
            .finish_non_exhaustive()
    }
}

impl InMemoryPool {
    /// An empty pool on the system clock, MFA OFF and TOTP disabled (a new
    /// Cognito pool's defaults).
    pub fn new() -> Self {
        Self::with_clock(SystemClock)
    }

    /// An empty pool reading the time from `clock` (a
    /// [`ManualClock`](super::ManualClock) in tests).
    pub fn with_clock(clock: impl Clock + 'static) -> Self {
        let pool_id = format!(
            "us-east-1_{}",
            Alphanumeric.sample_string(&mut rand::rng(), 9)
        );
        Self {
            inner: Arc::new(Inner {
                pool_id,
                clock: Arc::new(clock),
                mfa_config: RwLock::new(PoolMfaConfig::new(PoolMfaMode::Off, false)),
                device_config: RwLock::new(None),
                tier: RwLock::new(UserPoolTier::Essentials),
                first_factors: RwLock::new(vec!["PASSWORD".to_owned()]),
                outbox: Mutex::new(VecDeque::new()),
                clients: RwLock::new(HashMap::new()),
                users: RwLock::new(HashMap::new()),
                aliases: RwLock::new(HashMap::new()),
                sessions: Sharded::new(),
                access_tokens: Sharded::new(),
                refresh_tokens: Sharded::new(),
                srp_blocks: Sharded::new(),
                keys: jwt::PoolKeys::new(),
            }),
        }
    }

    /// The pool id, like `us-east-1_AbC123xyZ`.
    pub fn pool_id(&self) -> &str {
        &self.inner.pool_id
    }

    /// The pool's clock, to hand to a [`SignIn`](crate::sign_in::SignIn) so
    /// both sides of a flow read one time.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.inner.clock)
    }

    /// The pool clock's time.
    pub fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }

    /// The MFA configuration.
    pub fn mfa_config(&self) -> PoolMfaConfig {
        *read(&self.inner.mfa_config)
    }

    /// Sets the MFA mode and the TOTP switch (SetUserPoolMfaConfig).
    ///
    /// The pool behaves as if SMS and email MFA were configured too, so ON
    /// or OPTIONAL with TOTP off is accepted.
    pub fn set_mfa_config(&self, config: PoolMfaConfig) {
        *write(&self.inner.mfa_config) = config;
    }
}

impl Inner {
    fn now(&self) -> SystemTime {
        self.clock.now()
    }

    fn config(&self) -> PoolMfaConfig {
        *read(&self.mfa_config)
    }

    fn check_pool(&self, id: &str) -> Result<(), ServiceError> {
        if id == self.pool_id {
            Ok(())
        } else {
            Err(pool_not_found(id))
        }
    }
}
