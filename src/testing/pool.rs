//! [`InMemoryPool`]: a Cognito user pool in memory, behind [`CognitoBackend`].
//!
//! See the [module docs](super) for the behaviour reproduced and the choices
//! made where Cognito does not document it.

use super::clock::{Clock, SystemClock};
use crate::backend::{
    AppClient, AssociatedSoftwareToken, AuthFlow, AuthResponse, AuthTokens, ChallengeName,
    CognitoBackend, FactorPreference, InitiateAuthRequest, MfaFactor, MfaPreferenceUpdate,
    Parameters, PoolMfaConfig, PoolMfaMode, RespondToAuthChallengeRequest, TokenAuth,
    UserMfaSettings, UserStatus, UserTarget, VerifiedSoftwareToken, VerifyStatus,
};
use crate::error::{Error, Operation, ServiceError};
use crate::secret::{
    AccessToken, ClientSecret, IdToken, OneTimeCode, RefreshToken, Session, TotpSecret,
};
use crate::secret_hash::secret_hash;
use crate::totp;
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt as _;
use rand::distr::{Alphanumeric, SampleString as _};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, SystemTime};

/// AuthSessionValidity when the app client does not set one (Cognito's default).
const DEFAULT_SESSION_VALIDITY: Duration = Duration::from_secs(3 * 60);
/// The shortest and longest AuthSessionValidity Cognito accepts.
const MIN_SESSION_VALIDITY: Duration = Duration::from_secs(3 * 60);
const MAX_SESSION_VALIDITY: Duration = Duration::from_secs(15 * 60);
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

// ---------------------------------------------------------------------------
// What Cognito sends back: exception codes and messages.

const NOT_AUTHORIZED: &str = "NotAuthorizedException";
const INVALID_PARAMETER: &str = "InvalidParameterException";
const RESOURCE_NOT_FOUND: &str = "ResourceNotFoundException";

fn not_authorized(message: impl Into<String>) -> ServiceError {
    ServiceError::new(NOT_AUTHORIZED, message)
}

fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new(INVALID_PARAMETER, message)
}

fn missing_parameter(name: &str) -> ServiceError {
    invalid_parameter(format!("Missing required parameter {name}"))
}

fn session_spent() -> ServiceError {
    not_authorized("Invalid session for the user.")
}

fn session_expired() -> ServiceError {
    not_authorized("Invalid session for the user, session is expired.")
}

fn wrong_password() -> ServiceError {
    not_authorized("Incorrect username or password.")
}

fn user_disabled() -> ServiceError {
    not_authorized("User is disabled.")
}

fn user_not_found() -> ServiceError {
    // Cognito sends this only while the pool's PreventUserExistenceErrors is
    // off; with it on (the console's default for new clients) an unknown user
    // looks like a wrong password. The in-memory pool models it off, so tests
    // can tell the two apart.
    ServiceError::new("UserNotFoundException", "User does not exist.")
}

fn invalid_access_token() -> ServiceError {
    not_authorized("Invalid Access Token")
}

fn totp_not_on_pool() -> ServiceError {
    ServiceError::new(
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA has not been enabled by the userPool.",
    )
}

fn totp_not_verified() -> ServiceError {
    invalid_parameter("User has not verified software token mfa")
}

fn pool_not_found(id: &str) -> ServiceError {
    ServiceError::new(
        RESOURCE_NOT_FOUND,
        format!("User pool {id} does not exist."),
    )
}

fn client_not_found(id: &str) -> ServiceError {
    ServiceError::new(
        RESOURCE_NOT_FOUND,
        format!("User pool client {id} does not exist."),
    )
}

// ---------------------------------------------------------------------------
// Locks that shrug off poisoning: a panicking test thread must not take the
// pool down for every other test sharing it. No state here is left half
// written by a panic that matters to a test double.

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------
// Random values, from rand's thread-local CSPRNG.

/// Opaque bearer strings (Sessions, tokens): `bytes` random bytes, base64url.
fn random_opaque(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    URL_SAFE_NO_PAD.encode(buf)
}

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .filter_map(|_| alphabet.get(rng.random_range(0..alphabet.len())))
        .map(|&b| char::from(b))
        .collect()
}

fn random_lower_alnum(len: usize) -> String {
    random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", len)
}

fn random_digits(len: usize) -> String {
    random_from(b"0123456789", len)
}

fn random_uuid() -> String {
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
fn new_totp_key() -> TotpKey {
    let mut bytes = [0u8; 20];
    rand::fill(&mut bytes[..]);
    TotpKey {
        base32: totp_rs::Secret::new_stack(bytes).to_base32(),
        bytes: bytes.to_vec(),
    }
}

// ---------------------------------------------------------------------------
// Formatting of challenge parameters.

/// A list of names as JSON text inside a string, as ChallengeParameters
/// carries lists (`["SOFTWARE_TOKEN_MFA"]`).
fn json_list(names: impl IntoIterator<Item = &'static str>) -> String {
    let items: Vec<String> = names.into_iter().map(|n| format!("\"{n}\"")).collect();
    format!("[{}]", items.join(","))
}

/// `+15555550100` → `+*******0100`.
fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().saturating_sub(4);
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i >= keep || c == '+' { c } else { '*' })
        .collect()
}

/// `alice@example.com` → `a***@e***`.
fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

// ---------------------------------------------------------------------------
// App clients.

/// The settings of an app client made with [`InMemoryPool::create_client`].
///
/// ```
/// use cognito_mfa::backend::AuthFlow;
/// use cognito_mfa::testing::ClientOptions;
/// use std::time::Duration;
///
/// let options = ClientOptions::new()
///     .generate_secret(true)
///     .explicit_auth_flows([AuthFlow::UserPassword, AuthFlow::RefreshToken])
///     .auth_session_validity(Duration::from_secs(5 * 60));
/// ```
#[derive(Debug, Clone)]
pub struct ClientOptions {
    name: String,
    generate_secret: bool,
    flows: Vec<AuthFlow>,
    session_validity: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            name: "test-client".to_owned(),
            generate_secret: false,
            flows: vec![
                AuthFlow::AdminUserPassword,
                AuthFlow::UserPassword,
                AuthFlow::RefreshToken,
                AuthFlow::UserSrp,
            ],
            session_validity: DEFAULT_SESSION_VALIDITY,
        }
    }
}

impl ClientOptions {
    /// A public client (no secret) allowing ADMIN_USER_PASSWORD_AUTH,
    /// USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH and USER_SRP_AUTH, with
    /// 3-minute Sessions.
    pub fn new() -> Self {
        Self::default()
    }

    /// The client's name (`ClientName`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Whether the client gets a secret (`GenerateSecret`); with one, every
    /// sign-in request must carry SECRET_HASH.
    #[must_use]
    pub fn generate_secret(mut self, generate: bool) -> Self {
        self.generate_secret = generate;
        self
    }

    /// The flows the client allows (`ExplicitAuthFlows`), replacing the
    /// defaults.
    #[must_use]
    pub fn explicit_auth_flows(mut self, flows: impl IntoIterator<Item = AuthFlow>) -> Self {
        self.flows = flows.into_iter().collect();
        self
    }

    /// How long a challenge Session lives (`AuthSessionValidity`): whole
    /// minutes, 3 to 15. [`InMemoryPool::create_client`] refuses other values.
    #[must_use]
    pub fn auth_session_validity(mut self, validity: Duration) -> Self {
        self.session_validity = validity;
        self
    }
}

struct ClientRecord {
    id: String,
    name: String,
    secret: Option<ClientSecret>,
    flows: Vec<AuthFlow>,
    session_validity: Duration,
}

impl ClientRecord {
    fn describe(&self) -> AppClient {
        AppClient {
            client_id: self.id.clone(),
            client_name: Some(self.name.clone()),
            client_secret: self.secret.clone(),
            explicit_auth_flows: self
                .flows
                .iter()
                .map(|f| f.explicit_auth_flow().to_owned())
                .collect(),
            auth_session_validity: Some(self.session_validity),
        }
    }

    /// SECRET_HASH, required and checked when the client has a secret.
    /// `names` are the user names the hash may have been computed over.
    fn check_secret_hash(&self, hash: Option<&str>, names: &[&str]) -> Result<(), ServiceError> {
        let Some(secret) = &self.secret else {
            // Cognito ignores SECRET_HASH for a client without a secret.
            return Ok(());
        };
        let Some(hash) = hash else {
            return Err(not_authorized(format!(
                "Client {} is configured for secret but secret was not received",
                self.id
            )));
        };
        if names
            .iter()
            .any(|name| secret_hash(secret, name, &self.id) == hash)
        {
            Ok(())
        } else {
            Err(not_authorized(format!(
                "Unable to verify secret hash for client {}",
                self.id
            )))
        }
    }
}

// ---------------------------------------------------------------------------
// Users.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AccountStatus {
    Confirmed,
    ForceChangePassword,
    ExternalProvider,
}

#[derive(Clone)]
struct TotpKey {
    base32: String,
    bytes: Vec<u8>,
}

struct VerifiedToken {
    key: TotpKey,
    friendly_name: Option<String>,
}

/// Why a TOTP code was refused.
enum CodeFault {
    /// No step in the window matches.
    Mismatch,
    /// It matches only steps at or before the last accepted one.
    Reused,
}

struct UserRecord {
    username: String,
    sub: String,
    /// `None` for a federated user, who has no password in the pool.
    password: Option<String>,
    status: AccountStatus,
    enabled: bool,
    attributes: BTreeMap<String, String>,
    /// Associated, not yet verified; a new association replaces it.
    pending_totp: Option<TotpKey>,
    /// Verified; stays in use until a new one is verified or it is deleted.
    totp: Option<VerifiedToken>,
    /// `SoftwareTokenMfaSettings.Enabled`.
    totp_enabled: bool,
    sms_enabled: bool,
    email_enabled: bool,
    preferred: Option<MfaFactor>,
    /// The last TOTP step accepted for this user, at verify or at sign-in.
    last_totp_step: Option<u64>,
    /// The SMS or email code last "sent".
    last_delivered_code: Option<String>,
}

impl UserRecord {
    fn new(username: String, password: Option<String>, status: AccountStatus) -> Self {
        let sub = random_uuid();
        let mut attributes = BTreeMap::new();
        attributes.insert("sub".to_owned(), sub.clone());
        Self {
            username,
            sub,
            password,
            status,
            enabled: true,
            attributes,
            pending_totp: None,
            totp: None,
            totp_enabled: false,
            sms_enabled: false,
            email_enabled: false,
            preferred: None,
            last_totp_step: None,
            last_delivered_code: None,
        }
    }

    /// The factors a sign-in may challenge. On an ON pool a verified token
    /// counts even if the preference never enabled it: the pool requires a
    /// factor and the user has one.
    fn active_factors(&self, mode: PoolMfaMode) -> Vec<MfaFactor> {
        self.factors(self.totp.is_some() && (self.totp_enabled || mode == PoolMfaMode::On))
    }

    /// `UserMFASettingList`: the factors enabled by preference.
    fn enabled_factors(&self) -> Vec<MfaFactor> {
        self.factors(self.totp.is_some() && self.totp_enabled)
    }

    /// TOTP as the caller judged it, then SMS and email as enabled.
    fn factors(&self, totp: bool) -> Vec<MfaFactor> {
        [
            (totp, MfaFactor::SoftwareToken),
            (self.sms_enabled, MfaFactor::Sms),
            (self.email_enabled, MfaFactor::Email),
        ]
        .into_iter()
        .filter_map(|(on, factor)| on.then_some(factor))
        .collect()
    }

    /// Checks `code` against `key` one step early or late, refusing steps
    /// already accepted (RFC 6238 §5.2). On success records the step.
    fn accept_code(&mut self, key: &[u8], code: &str, now: SystemTime) -> Result<(), CodeFault> {
        let generator = totp::generator(key);
        let mut matched = false;
        for step in totp::matching_steps(&generator, code, now) {
            matched = true;
            if self.last_totp_step.is_none_or(|last| step > last) {
                self.last_totp_step = Some(step);
                return Ok(());
            }
        }
        Err(if matched {
            CodeFault::Reused
        } else {
            CodeFault::Mismatch
        })
    }

    fn account_status(&self) -> UserStatus {
        match self.status {
            AccountStatus::Confirmed => UserStatus::Confirmed,
            AccountStatus::ForceChangePassword => UserStatus::ForceChangePassword,
            AccountStatus::ExternalProvider => UserStatus::ExternalProvider,
        }
    }
}

// ---------------------------------------------------------------------------
// Sessions and tokens.

/// Where a sign-in stands: what the Session it is bound to may be used for.
#[derive(Clone)]
enum SessionStep {
    NewPassword,
    /// MFA_SETUP issued; AssociateSoftwareToken next.
    MfaSetup,
    /// Associated; VerifySoftwareToken next.
    MfaSetupAssociated,
    /// Verified; RespondToAuthChallenge(MFA_SETUP) next.
    MfaSetupVerified,
    SelectMfaType(Vec<MfaFactor>),
    SoftwareToken,
    /// SMS_MFA or EMAIL_OTP, with the code that was "sent".
    Delivered {
        factor: MfaFactor,
        code: String,
    },
}

impl SessionStep {
    fn challenge(&self) -> ChallengeName {
        match self {
            Self::NewPassword => ChallengeName::NewPasswordRequired,
            Self::MfaSetup | Self::MfaSetupAssociated | Self::MfaSetupVerified => {
                ChallengeName::MfaSetup
            }
            Self::SelectMfaType(_) => ChallengeName::SelectMfaType,
            Self::SoftwareToken => ChallengeName::SoftwareTokenMfa,
            Self::Delivered {
                factor: MfaFactor::Email,
                ..
            } => ChallengeName::EmailOtp,
            Self::Delivered { .. } => ChallengeName::SmsMfa,
        }
    }
}

struct SessionRecord {
    username: String,
    client_id: String,
    /// The client's AuthSessionValidity, for the Sessions that follow.
    validity: Duration,
    expires_at: SystemTime,
    step: SessionStep,
    wrong_codes: u8,
}

struct TokenRecord {
    username: String,
    expires_at: SystemTime,
}

struct RefreshRecord {
    username: String,
    client_id: String,
    expires_at: SystemTime,
}

trait Expiring {
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
struct Sharded<V> {
    shards: [Mutex<Shard<V>>; SHARDS],
    hasher: RandomState,
}

impl<V: Expiring> Sharded<V> {
    fn new() -> Self {
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

    fn insert(&self, key: String, value: V, now: SystemTime) {
        let mut shard = lock(self.shard(&key));
        if shard.map.len() >= shard.prune_at {
            // Drop what expired, so long benchmarks don't grow without bound.
            shard.map.retain(|_, v| v.expires_at() > now);
            shard.prune_at = (shard.map.len() * 2).max(PRUNE_MIN);
        }
        shard.map.insert(key, value);
    }

    fn take(&self, key: &str) -> Option<V> {
        lock(self.shard(key)).map.remove(key)
    }

    fn with<R>(&self, key: &str, f: impl FnOnce(&V) -> R) -> Option<R> {
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

struct Fault {
    error: ServiceError,
    keep: Keep,
}

impl Fault {
    fn end(error: ServiceError) -> Self {
        Self {
            error,
            keep: Keep::No,
        }
    }

    fn wrong_code(error: ServiceError) -> Self {
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

/// What follows a successful step.
enum Next {
    Tokens,
    Challenge(SessionStep),
}

// ---------------------------------------------------------------------------
// The pool.

struct Inner {
    pool_id: String,
    clock: Arc<dyn Clock>,
    mfa_config: RwLock<PoolMfaConfig>,
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
/// through [`Error::from_service_at`] with the pool's clock, so code under
/// test sees what it would see from the service. The setup helpers, which
/// stand for admin calls outside [`CognitoBackend`], return the
/// [`ServiceError`] itself.
///
/// ```
/// use cognito_mfa::backend::{
///     AuthFlow, CognitoBackend, InitiateAuthRequest, Parameters, PoolMfaConfig, PoolMfaMode,
/// };
/// use cognito_mfa::testing::{ClientOptions, InMemoryPool};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = InMemoryPool::new();
/// pool.set_mfa_config(PoolMfaConfig {
///     mode: PoolMfaMode::Optional,
///     software_token_enabled: true,
/// });
/// let client = pool.create_client(ClientOptions::new())?;
/// pool.create_user("alice", "correct horse")?;
/// let answer = pool
///     .initiate_auth(InitiateAuthRequest {
///         client_id: client.client_id.clone(),
///         user_pool_id: None,
///         flow: AuthFlow::UserPassword,
///         parameters: Parameters::new()
///             .with("USERNAME", "alice")
///             .with("PASSWORD", "correct horse"),
///     })
///     .await?;
/// assert!(answer.tokens.is_some());
/// # Ok(())
/// # }
/// ```
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
                mfa_config: RwLock::new(PoolMfaConfig {
                    mode: PoolMfaMode::Off,
                    software_token_enabled: false,
                }),
                clients: RwLock::new(HashMap::new()),
                users: RwLock::new(HashMap::new()),
                aliases: RwLock::new(HashMap::new()),
                sessions: Sharded::new(),
                access_tokens: Sharded::new(),
                refresh_tokens: Sharded::new(),
            }),
        }
    }

    /// The pool id, like `us-east-1_AbC123xyZ`.
    pub fn pool_id(&self) -> &str {
        &self.inner.pool_id
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

    /// Creates an app client (CreateUserPoolClient) and describes it: the
    /// client id, and the secret when `generate_secret` was asked for.
    ///
    /// Refuses an AuthSessionValidity that is not whole minutes from 3 to 15
    /// (`InvalidParameterException`).
    pub fn create_client(&self, options: ClientOptions) -> Result<AppClient, ServiceError> {
        let validity = options.session_validity;
        if validity < MIN_SESSION_VALIDITY
            || validity > MAX_SESSION_VALIDITY
            || !validity.as_secs().is_multiple_of(60)
            || validity.subsec_nanos() != 0
        {
            return Err(invalid_parameter(
                "AuthSessionValidity must be a whole number of minutes from 3 to 15",
            ));
        }
        let record = ClientRecord {
            // Cognito's client ids: 26 lower-case letters and digits.
            id: random_lower_alnum(26),
            name: options.name,
            // Cognito's secrets: 51 lower-case letters and digits.
            secret: options
                .generate_secret
                .then(|| ClientSecret::new(random_lower_alnum(51))),
            flows: options.flows,
            session_validity: validity,
        };
        let described = record.describe();
        write(&self.inner.clients).insert(record.id.clone(), Arc::new(record));
        Ok(described)
    }

    /// The secret of an app client, if it has one.
    pub fn client_secret(&self, client_id: &str) -> Option<ClientSecret> {
        read(&self.inner.clients)
            .get(client_id)
            .and_then(|c| c.secret.clone())
    }

    /// Creates a confirmed user with a permanent password.
    ///
    /// Fails with `UsernameExistsException` when the name is taken and
    /// `InvalidParameterException` for a name Cognito would refuse.
    pub fn create_user(
        &self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<(), ServiceError> {
        self.inner.add_user(
            username.into(),
            Some(password.into()),
            AccountStatus::Confirmed,
        )
    }

    /// Creates a user as AdminCreateUser does: status
    /// FORCE_CHANGE_PASSWORD, so the first sign-in answers
    /// NEW_PASSWORD_REQUIRED.
    pub fn admin_create_user(
        &self,
        username: impl Into<String>,
        temporary_password: impl Into<String>,
    ) -> Result<(), ServiceError> {
        self.inner.add_user(
            username.into(),
            Some(temporary_password.into()),
            AccountStatus::ForceChangePassword,
        )
    }

    /// Creates a federated user (status EXTERNAL_PROVIDER), such as
    /// `Google_1234567890`: no password, so InitiateAuth can't sign them in.
    pub fn create_federated_user(&self, username: impl Into<String>) -> Result<(), ServiceError> {
        self.inner
            .add_user(username.into(), None, AccountStatus::ExternalProvider)
    }

    /// Enables or disables a user (AdminEnableUser / AdminDisableUser).
    pub fn set_user_enabled(&self, username: &str, enabled: bool) -> Result<(), ServiceError> {
        let (_, user) = self.inner.resolve(username).ok_or_else(user_not_found)?;
        lock(&user).enabled = enabled;
        Ok(())
    }

    /// Sets a user attribute (AdminUpdateUserAttributes). `email` is also a
    /// sign-in alias: InitiateAuth with the email resolves to the canonical
    /// user name (the email is taken as verified).
    ///
    /// Fails with `AliasExistsException` when another user has the email.
    pub fn set_user_attribute(
        &self,
        username: &str,
        name: &str,
        value: impl Into<String>,
    ) -> Result<(), ServiceError> {
        let value = value.into();
        let (canonical, user) = self.inner.resolve(username).ok_or_else(user_not_found)?;
        if name == "sub" {
            return Err(invalid_parameter(
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        if name == "email" {
            // Aliases before the user, the one order in which both are held.
            let mut aliases = write(&self.inner.aliases);
            let key = value.to_lowercase();
            if aliases.get(&key).is_some_and(|owner| *owner != canonical) {
                return Err(ServiceError::new(
                    "AliasExistsException",
                    "An account with the given email already exists.",
                ));
            }
            let mut user = lock(&user);
            if let Some(old) = user.attributes.get("email") {
                aliases.remove(&old.to_lowercase());
            }
            aliases.insert(key, canonical);
            user.attributes.insert(name.to_owned(), value);
            return Ok(());
        }
        lock(&user).attributes.insert(name.to_owned(), value);
        Ok(())
    }

    /// Marks SMS MFA enabled for the user (giving them the phone number
    /// `+15555550100` when they have none), so SMS_MFA and SELECT_MFA_TYPE
    /// challenges can be exercised. Codes are not sent anywhere: read them
    /// with [`last_delivered_code`](Self::last_delivered_code).
    pub fn enable_sms_mfa(&self, username: &str) -> Result<(), ServiceError> {
        let (canonical, user) = self.inner.resolve(username).ok_or_else(user_not_found)?;
        let has_phone = lock(&user).attributes.contains_key("phone_number");
        if !has_phone {
            self.set_user_attribute(&canonical, "phone_number", "+15555550100")?;
        }
        lock(&user).sms_enabled = true;
        Ok(())
    }

    /// Marks email MFA enabled for the user (giving them the address
    /// `USERNAME@example.com` when they have none), so EMAIL_OTP challenges
    /// can be exercised. Read the codes with
    /// [`last_delivered_code`](Self::last_delivered_code).
    pub fn enable_email_mfa(&self, username: &str) -> Result<(), ServiceError> {
        let (canonical, user) = self.inner.resolve(username).ok_or_else(user_not_found)?;
        let has_email = lock(&user).attributes.contains_key("email");
        if !has_email {
            let email = if canonical.contains('@') {
                canonical.clone()
            } else {
                format!("{canonical}@example.com")
            };
            self.set_user_attribute(&canonical, "email", email)?;
        }
        lock(&user).email_enabled = true;
        Ok(())
    }

    /// The SMS or email code last "sent" to the user.
    pub fn last_delivered_code(&self, username: &str) -> Option<OneTimeCode> {
        let (_, user) = self.inner.resolve(username)?;
        let code = lock(&user).last_delivered_code.clone();
        code.map(OneTimeCode::new)
    }

    /// The user's TOTP secret: the one last associated and not yet verified,
    /// else the verified one.
    pub fn user_secret(&self, username: &str) -> Option<TotpSecret> {
        let (_, user) = self.inner.resolve(username)?;
        let user = lock(&user);
        user.pending_totp
            .as_ref()
            .or(user.totp.as_ref().map(|t| &t.key))
            .map(|k| TotpSecret::new(k.base32.clone()))
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

    fn client(&self, id: &str) -> Result<Arc<ClientRecord>, ServiceError> {
        read(&self.clients)
            .get(id)
            .cloned()
            .ok_or_else(|| client_not_found(id))
    }

    fn add_user(
        &self,
        username: String,
        password: Option<String>,
        status: AccountStatus,
    ) -> Result<(), ServiceError> {
        if crate::validate::username(&username).is_err() {
            return Err(invalid_parameter(
                "1 validation error detected: Value at 'username' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
            ));
        }
        let mut users = write(&self.users);
        if users.contains_key(&username) {
            return Err(ServiceError::new(
                "UsernameExistsException",
                "User account already exists",
            ));
        }
        let record = UserRecord::new(username.clone(), password, status);
        users.insert(username, Arc::new(Mutex::new(record)));
        Ok(())
    }

    /// A user by canonical name or email alias.
    fn resolve(&self, name: &str) -> Option<(String, Arc<Mutex<UserRecord>>)> {
        if let Some(user) = read(&self.users).get(name) {
            return Some((name.to_owned(), Arc::clone(user)));
        }
        let canonical = read(&self.aliases).get(&name.to_lowercase())?.clone();
        let user = Arc::clone(read(&self.users).get(&canonical)?);
        Some((canonical, user))
    }

    fn user_by_token(
        &self,
        token: &AccessToken,
        now: SystemTime,
    ) -> Result<Arc<Mutex<UserRecord>>, ServiceError> {
        let (username, expires_at) = self
            .access_tokens
            .with(token.expose_secret(), |t| {
                (t.username.clone(), t.expires_at)
            })
            .ok_or_else(invalid_access_token)?;
        if expires_at <= now {
            return Err(not_authorized("Access Token has expired"));
        }
        let user = read(&self.users)
            .get(&username)
            .cloned()
            .ok_or_else(invalid_access_token)?;
        if !lock(&user).enabled {
            return Err(user_disabled());
        }
        Ok(user)
    }

    fn admin_user(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<Arc<Mutex<UserRecord>>, ServiceError> {
        self.check_pool(pool_id)?;
        self.resolve(username)
            .map(|(_, user)| user)
            .ok_or_else(user_not_found)
    }

    fn target_user(
        &self,
        target: &UserTarget,
        now: SystemTime,
    ) -> Result<Arc<Mutex<UserRecord>>, ServiceError> {
        match target {
            UserTarget::AccessToken(token) => self.user_by_token(token, now),
            UserTarget::Admin {
                user_pool_id,
                username,
            } => self.admin_user(user_pool_id, username),
        }
    }

    /// Whether users may register a TOTP token now.
    fn check_totp_on_pool(&self) -> Result<(), ServiceError> {
        let config = self.config();
        if config.software_token_enabled && config.mode != PoolMfaMode::Off {
            Ok(())
        } else {
            Err(totp_not_on_pool())
        }
    }

    fn new_session(
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
    fn spend_session<T>(
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

    fn issue_tokens(
        &self,
        username: &str,
        client_id: &str,
        with_refresh: bool,
        now: SystemTime,
    ) -> AuthTokens {
        let access = random_opaque(96);
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
            id_token: Some(IdToken::new(random_opaque(96))),
            refresh_token: refresh,
            expires_in: TOKEN_LIFETIME,
            token_type: "Bearer".to_owned(),
            new_device: None,
        }
    }

    /// The answer for `next`: tokens, or a challenge with its new Session.
    fn answer(
        &self,
        next: Next,
        parameters: BTreeMap<String, String>,
        user: &str,
        client: (&str, Duration),
        now: SystemTime,
    ) -> AuthResponse {
        let (client_id, validity) = client;
        match next {
            Next::Tokens => AuthResponse {
                challenge: None,
                session: None,
                parameters: BTreeMap::new(),
                tokens: Some(self.issue_tokens(user, client_id, true, now)),
            },
            Next::Challenge(step) => {
                let challenge = step.challenge();
                let session = self.new_session(user, client_id, validity, step, now);
                AuthResponse {
                    challenge: Some(challenge),
                    session: Some(session),
                    parameters,
                    tokens: None,
                }
            }
        }
    }

    // -- InitiateAuth -------------------------------------------------------

    fn initiate_auth(
        &self,
        request: &InitiateAuthRequest,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        let admin = request.user_pool_id.is_some();
        if let Some(pool) = &request.user_pool_id {
            self.check_pool(pool)?;
        }
        let client = self.client(&request.client_id)?;
        if request.flow == AuthFlow::AdminUserPassword && !admin {
            // The admin flow exists only on AdminInitiateAuth.
            return Err(invalid_parameter("Initiate Auth method not supported."));
        }
        if !client.flows.contains(&request.flow) {
            return Err(invalid_parameter("Auth flow not enabled for this client"));
        }
        match request.flow {
            AuthFlow::RefreshToken => self.refresh(&client, &request.parameters, now),
            AuthFlow::AdminUserPassword | AuthFlow::UserPassword => {
                self.password_auth(&client, &request.parameters, now)
            }
            AuthFlow::UserSrp => Err(invalid_parameter(
                "USER_SRP_AUTH is not implemented by the in-memory pool; \
                 use USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH",
            )),
        }
    }

    fn password_auth(
        &self,
        client: &ClientRecord,
        parameters: &Parameters,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        let given = parameters
            .get("USERNAME")
            .ok_or_else(|| missing_parameter("USERNAME"))?;
        let password = parameters
            .get("PASSWORD")
            .ok_or_else(|| missing_parameter("PASSWORD"))?;
        let resolved = self.resolve(given);
        // At InitiateAuth the hash may be over the name as typed (an alias)
        // or the canonical one.
        let canonical = resolved.as_ref().map_or(given, |(name, _)| name.as_str());
        client.check_secret_hash(parameters.get("SECRET_HASH"), &[given, canonical])?;
        let (username, user) = resolved.ok_or_else(user_not_found)?;
        let config = self.config();
        let (next, params) = {
            let mut user = lock(&user);
            if user.status == AccountStatus::ExternalProvider {
                // Undocumented. A federated user has no password in the pool
                // and signs in at their IdP; Cognito answers a password
                // attempt as it does any wrong password.
                return Err(wrong_password());
            }
            if !user.enabled {
                return Err(user_disabled());
            }
            if user.password.as_deref() != Some(password) {
                return Err(wrong_password());
            }
            let next = if user.status == AccountStatus::ForceChangePassword {
                Next::Challenge(SessionStep::NewPassword)
            } else {
                mfa_step(&mut user, config)
            };
            let params = challenge_parameters(&user, &next, config);
            (next, params)
        };
        Ok(self.answer(
            next,
            params,
            &username,
            (&client.id, client.session_validity),
            now,
        ))
    }

    fn refresh(
        &self,
        client: &ClientRecord,
        parameters: &Parameters,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        let token = parameters
            .get("REFRESH_TOKEN")
            .ok_or_else(|| missing_parameter("REFRESH_TOKEN"))?;
        let (username, client_id, expires_at) = self
            .refresh_tokens
            .with(token, |r| {
                (r.username.clone(), r.client_id.clone(), r.expires_at)
            })
            .ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
        if client_id != client.id {
            return Err(not_authorized("Invalid Refresh Token"));
        }
        if expires_at <= now {
            return Err(not_authorized("Refresh Token has expired"));
        }
        let user = read(&self.users)
            .get(&username)
            .cloned()
            .ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
        let sub = {
            let user = lock(&user);
            if !user.enabled {
                return Err(user_disabled());
            }
            user.sub.clone()
        };
        // For a refresh the hash may be over USERNAME as sent, the canonical
        // name or the `sub` (what apps that only keep tokens know).
        let given = parameters.get("USERNAME").unwrap_or(&username);
        client.check_secret_hash(parameters.get("SECRET_HASH"), &[given, &username, &sub])?;
        Ok(AuthResponse {
            challenge: None,
            session: None,
            parameters: BTreeMap::new(),
            tokens: Some(self.issue_tokens(&username, &client.id, false, now)),
        })
    }

    // -- RespondToAuthChallenge --------------------------------------------

    fn respond(
        &self,
        request: &RespondToAuthChallengeRequest,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        if let Some(pool) = &request.user_pool_id {
            self.check_pool(pool)?;
        }
        let client = self.client(&request.client_id)?;
        let config = self.config();
        let (next, params, username) = self.spend_session(&request.session, now, |record| {
            self.answer_challenge(&client, record, request, config, now)
        })?;
        Ok(self.answer(
            next,
            params,
            &username,
            (&client.id, client.session_validity),
            now,
        ))
    }

    fn answer_challenge(
        &self,
        client: &ClientRecord,
        record: &SessionRecord,
        request: &RespondToAuthChallengeRequest,
        config: PoolMfaConfig,
        now: SystemTime,
    ) -> Result<(Next, BTreeMap<String, String>, String), Fault> {
        let responses = &request.responses;
        if record.client_id != client.id {
            return Err(session_spent().into());
        }
        let username = responses
            .get("USERNAME")
            .ok_or_else(|| missing_parameter("USERNAME"))?;
        if username != record.username {
            // Undocumented. A Session is bound to its user; an alias or
            // another name in USERNAME is taken as a Session that is not the
            // user's. The Session stays usable with the right name.
            return Err(session_spent().into());
        }
        client.check_secret_hash(responses.get("SECRET_HASH"), &[&record.username])?;
        if request.challenge != record.step.challenge() {
            // Undocumented: answering a challenge other than the one issued.
            return Err(invalid_parameter(format!(
                "Invalid challenge name: expected {}",
                record.step.challenge()
            ))
            .into());
        }
        let user = read(&self.users)
            .get(&record.username)
            .cloned()
            .ok_or_else(|| Fault::end(user_not_found()))?;
        let mut user = lock(&user);
        if !user.enabled {
            return Err(Fault::end(user_disabled()));
        }
        let next = match &record.step {
            SessionStep::NewPassword => {
                let new_password = responses
                    .get("NEW_PASSWORD")
                    .ok_or_else(|| missing_parameter("NEW_PASSWORD"))?;
                check_password_policy(new_password)?;
                user.password = Some(new_password.to_owned());
                user.status = AccountStatus::Confirmed;
                for (name, value) in responses.expose_all() {
                    if let Some(attribute) = name.strip_prefix("userAttributes.")
                        && attribute != "sub"
                        && attribute != "email"
                    {
                        // email changes go through the alias map; not taken here.
                        user.attributes
                            .insert(attribute.to_owned(), value.to_owned());
                    }
                }
                mfa_step(&mut user, config)
            }
            SessionStep::MfaSetup | SessionStep::MfaSetupAssociated => {
                return Err(totp_not_verified().into());
            }
            SessionStep::MfaSetupVerified => {
                if user.totp.is_none() {
                    // Deleted by an administrator between verify and answer.
                    return Err(Fault::end(totp_not_verified()));
                }
                // Setting up the factor during sign-in enables it; the
                // preferred factor is left as it was (Cognito does not say).
                user.totp_enabled = true;
                Next::Tokens
            }
            SessionStep::SelectMfaType(choices) => {
                let answer = responses
                    .get("ANSWER")
                    .ok_or_else(|| missing_parameter("ANSWER"))?;
                let factor = MfaFactor::parse(answer)
                    .filter(|f| choices.contains(f))
                    .ok_or_else(|| invalid_parameter("Invalid ANSWER for SELECT_MFA_TYPE"))?;
                Next::Challenge(factor_step(&mut user, factor))
            }
            SessionStep::SoftwareToken => {
                let code = responses
                    .get("SOFTWARE_TOKEN_MFA_CODE")
                    .ok_or_else(|| missing_parameter("SOFTWARE_TOKEN_MFA_CODE"))?;
                let Some(key) = user.totp.as_ref().map(|t| t.key.bytes.clone()) else {
                    return Err(Fault::end(ServiceError::new(
                        "SoftwareTokenMFANotFoundException",
                        "Software Token MFA has not been enabled by the user.",
                    )));
                };
                match user.accept_code(&key, code, now) {
                    Ok(()) => Next::Tokens,
                    Err(CodeFault::Mismatch) => {
                        return Err(Fault::wrong_code(ServiceError::new(
                            "CodeMismatchException",
                            "Invalid code received for user",
                        )));
                    }
                    Err(CodeFault::Reused) => return Err(code_reused().into()),
                }
            }
            SessionStep::Delivered { factor, code } => {
                let field = if *factor == MfaFactor::Email {
                    "EMAIL_OTP_CODE"
                } else {
                    "SMS_MFA_CODE"
                };
                let given = responses
                    .get(field)
                    .ok_or_else(|| missing_parameter(field))?;
                if given != code {
                    return Err(Fault::wrong_code(ServiceError::new(
                        "CodeMismatchException",
                        "Invalid code or auth state for the user.",
                    )));
                }
                Next::Tokens
            }
        };
        let params = challenge_parameters(&user, &next, config);
        Ok((next, params, record.username.clone()))
    }

    // -- AssociateSoftwareToken / VerifySoftwareToken ------------------------

    fn associate(
        &self,
        auth: &TokenAuth,
        now: SystemTime,
    ) -> Result<AssociatedSoftwareToken, ServiceError> {
        match auth {
            TokenAuth::AccessToken(token) => {
                let user = self.user_by_token(token, now)?;
                self.check_totp_on_pool()?;
                let key = new_totp_key();
                let secret = TotpSecret::new(key.base32.clone());
                lock(&user).pending_totp = Some(key);
                Ok(AssociatedSoftwareToken {
                    secret_code: secret,
                    session: None,
                })
            }
            TokenAuth::Session(session) => {
                let (secret, next) = self.spend_session(session, now, |record| {
                    if !matches!(
                        record.step,
                        SessionStep::MfaSetup | SessionStep::MfaSetupAssociated
                    ) {
                        // A Session of another step is not one for this call.
                        return Err(session_spent().into());
                    }
                    self.check_totp_on_pool()?;
                    let user = read(&self.users)
                        .get(&record.username)
                        .cloned()
                        .ok_or_else(|| Fault::end(user_not_found()))?;
                    let key = new_totp_key();
                    let secret = TotpSecret::new(key.base32.clone());
                    lock(&user).pending_totp = Some(key);
                    Ok((
                        secret,
                        self.follow_up(record, SessionStep::MfaSetupAssociated, now),
                    ))
                })?;
                Ok(AssociatedSoftwareToken {
                    secret_code: secret,
                    session: Some(next),
                })
            }
        }
    }

    /// A new Session for the same sign-in, at `step`, with a fresh lifetime.
    fn follow_up(&self, record: &SessionRecord, step: SessionStep, now: SystemTime) -> Session {
        self.new_session(
            &record.username,
            &record.client_id,
            record.validity,
            step,
            now,
        )
    }

    fn verify(
        &self,
        auth: &TokenAuth,
        code: &OneTimeCode,
        friendly_name: Option<&str>,
        now: SystemTime,
    ) -> Result<VerifiedSoftwareToken, ServiceError> {
        let code = code.expose_secret();
        match auth {
            TokenAuth::AccessToken(token) => {
                let user = self.user_by_token(token, now)?;
                self.check_totp_on_pool()?;
                check_user_code(code)?;
                verify_pending(&mut lock(&user), code, friendly_name, now)
                    .map_err(|fault| fault.error)?;
                Ok(VerifiedSoftwareToken {
                    status: VerifyStatus::Success,
                    session: None,
                })
            }
            TokenAuth::Session(session) => {
                let next = self.spend_session(session, now, |record| {
                    if !matches!(record.step, SessionStep::MfaSetupAssociated) {
                        return Err(session_spent().into());
                    }
                    self.check_totp_on_pool()?;
                    check_user_code(code)?;
                    let user = read(&self.users)
                        .get(&record.username)
                        .cloned()
                        .ok_or_else(|| Fault::end(user_not_found()))?;
                    verify_pending(&mut lock(&user), code, friendly_name, now)?;
                    Ok(self.follow_up(record, SessionStep::MfaSetupVerified, now))
                })?;
                Ok(VerifiedSoftwareToken {
                    status: VerifyStatus::Success,
                    session: Some(next),
                })
            }
        }
    }

    // -- MFA preference and settings ------------------------------------------

    fn set_preference(
        &self,
        target: &UserTarget,
        update: MfaPreferenceUpdate,
        now: SystemTime,
    ) -> Result<(), ServiceError> {
        let user = self.target_user(target, now)?;
        let config = self.config();
        let mut user = lock(&user);
        let preferred_count = [update.software_token, update.sms, update.email]
            .iter()
            .flatten()
            .filter(|p| p.preferred)
            .count();
        if preferred_count > 1 {
            return Err(invalid_parameter("Only one MFA method can be preferred."));
        }
        let before = user.enabled_factors();
        let mut totp_enabled = user.totp_enabled;
        let mut sms_enabled = user.sms_enabled;
        let mut email_enabled = user.email_enabled;
        let mut preferred = user.preferred;
        let mut apply =
            |factor: MfaFactor, setting: Option<FactorPreference>, enabled: &mut bool| {
                if let Some(setting) = setting {
                    // Preferred implies enabled.
                    *enabled = setting.enabled || setting.preferred;
                    if setting.preferred {
                        preferred = Some(factor);
                    } else if preferred == Some(factor) {
                        preferred = None;
                    }
                }
            };
        apply(
            MfaFactor::SoftwareToken,
            update.software_token,
            &mut totp_enabled,
        );
        apply(MfaFactor::Sms, update.sms, &mut sms_enabled);
        apply(MfaFactor::Email, update.email, &mut email_enabled);
        if totp_enabled && !user.totp_enabled && user.totp.is_none() {
            return Err(totp_not_verified());
        }
        if sms_enabled && !user.sms_enabled && !user.attributes.contains_key("phone_number") {
            return Err(invalid_parameter("User does not have a phone number."));
        }
        if email_enabled && !user.email_enabled && !user.attributes.contains_key("email") {
            return Err(invalid_parameter("User does not have an email address."));
        }
        let any_after = (totp_enabled && user.totp.is_some()) || sms_enabled || email_enabled;
        if config.mode == PoolMfaMode::On && !before.is_empty() && !any_after {
            // Documented ("You can't turn off TOTP MFA ... when MFA is
            // required"); the message is ours.
            return Err(invalid_parameter(
                "MFA is required by the user pool: the user's only MFA method can't be turned off.",
            ));
        }
        user.totp_enabled = totp_enabled;
        user.sms_enabled = sms_enabled;
        user.email_enabled = email_enabled;
        user.preferred = preferred;
        Ok(())
    }

    fn get_settings(
        &self,
        target: &UserTarget,
        now: SystemTime,
    ) -> Result<UserMfaSettings, ServiceError> {
        let user = self.target_user(target, now)?;
        let user = lock(&user);
        let admin = matches!(target, UserTarget::Admin { .. });
        Ok(UserMfaSettings {
            username: user.username.clone(),
            enabled: user.enabled_factors(),
            preferred: user.preferred,
            status: admin.then(|| user.account_status()),
            account_enabled: admin.then_some(user.enabled),
        })
    }

    fn delete_software_token(&self, pool_id: &str, username: &str) -> Result<(), ServiceError> {
        let user = self.admin_user(pool_id, username)?;
        let mut user = lock(&user);
        user.totp = None;
        user.pending_totp = None;
        user.totp_enabled = false;
        if user.preferred == Some(MfaFactor::SoftwareToken) {
            user.preferred = None;
        }
        Ok(())
    }
}

/// Cognito's default password policy, checked where the service checks it
/// on the sign-in path (NEW_PASSWORD). The setup helpers don't check it, so
/// tests may use any password for their users.
fn check_password_policy(password: &str) -> Result<(), ServiceError> {
    let rule = if password.chars().count() < 8 {
        Some("Password not long enough")
    } else if !password.chars().any(|c| c.is_uppercase()) {
        Some("Password must have uppercase characters")
    } else if !password.chars().any(|c| c.is_lowercase()) {
        Some("Password must have lowercase characters")
    } else if !password.chars().any(|c| c.is_ascii_digit()) {
        Some("Password must have numeric characters")
    } else if !password
        .chars()
        .any(|c| c.is_ascii_punctuation() || c == ' ')
    {
        Some("Password must have symbol characters")
    } else {
        None
    };
    match rule {
        Some(rule) => Err(ServiceError::new(
            "InvalidPasswordException",
            format!("Password does not conform to policy: {rule}"),
        )),
        None => Ok(()),
    }
}

/// ExpiredCodeException, for a TOTP code already accepted once.
fn code_reused() -> ServiceError {
    ServiceError::new(
        "ExpiredCodeException",
        "Your software token has already been used once.",
    )
}

/// VerifySoftwareToken's `UserCode`: 6 digits (the service's input schema).
fn check_user_code(code: &str) -> Result<(), ServiceError> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid_parameter(
            "1 validation error detected: Value at 'userCode' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [0-9]+ and have length 6",
        ))
    }
}

/// Checks `code` against the user's associated token and, on success, makes
/// it the verified one.
fn verify_pending(
    user: &mut UserRecord,
    code: &str,
    friendly_name: Option<&str>,
    now: SystemTime,
) -> Result<(), Fault> {
    let Some(key) = user.pending_totp.clone() else {
        // Undocumented: verifying with nothing associated. Not the pool's
        // switch (SoftwareTokenMFANotFoundException would say so), so an
        // invalid request.
        return Err(invalid_parameter("User has not associated a software token.").into());
    };
    match user.accept_code(&key.bytes, code, now) {
        Ok(()) => {
            user.pending_totp = None;
            user.totp = Some(VerifiedToken {
                key,
                friendly_name: friendly_name.map(str::to_owned),
            });
            Ok(())
        }
        Err(CodeFault::Mismatch) => Err(Fault::wrong_code(ServiceError::new(
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
        ))),
        Err(CodeFault::Reused) => Err(code_reused().into()),
    }
}

/// The MFA step after the password (or the new password): tokens on an OFF
/// pool or for a user with no factor on an OPTIONAL pool, MFA_SETUP for one
/// with no factor on an ON pool, else the preferred or only factor, or
/// SELECT_MFA_TYPE.
fn mfa_step(user: &mut UserRecord, config: PoolMfaConfig) -> Next {
    if config.mode == PoolMfaMode::Off {
        return Next::Tokens;
    }
    let factors = user.active_factors(config.mode);
    let chosen = match (
        user.preferred.filter(|p| factors.contains(p)),
        factors.as_slice(),
    ) {
        (Some(preferred), _) => preferred,
        (None, []) if config.mode == PoolMfaMode::On => {
            return Next::Challenge(SessionStep::MfaSetup);
        }
        (None, []) => return Next::Tokens,
        (None, [only]) => *only,
        (None, _) => return Next::Challenge(SessionStep::SelectMfaType(factors)),
    };
    Next::Challenge(factor_step(user, chosen))
}

/// The challenge for one factor; SMS and email codes are "sent" here.
fn factor_step(user: &mut UserRecord, factor: MfaFactor) -> SessionStep {
    match factor {
        MfaFactor::SoftwareToken => SessionStep::SoftwareToken,
        MfaFactor::Sms | MfaFactor::Email => {
            let code = random_digits(6);
            user.last_delivered_code = Some(code.clone());
            SessionStep::Delivered { factor, code }
        }
    }
}

/// `ChallengeParameters` for `next`; every challenge names the canonical
/// user in USERNAME and USER_ID_FOR_SRP.
fn challenge_parameters(
    user: &UserRecord,
    next: &Next,
    config: PoolMfaConfig,
) -> BTreeMap<String, String> {
    let Next::Challenge(step) = next else {
        return BTreeMap::new();
    };
    let mut params = BTreeMap::new();
    params.insert("USERNAME".to_owned(), user.username.clone());
    params.insert("USER_ID_FOR_SRP".to_owned(), user.username.clone());
    match step {
        SessionStep::NewPassword => {
            params.insert("requiredAttributes".to_owned(), "[]".to_owned());
            let attributes: serde_json::Map<String, serde_json::Value> = user
                .attributes
                .iter()
                .filter(|(name, _)| name.as_str() != "sub")
                .map(|(name, value)| (name.clone(), serde_json::Value::String(value.clone())))
                .collect();
            params.insert(
                "userAttributes".to_owned(),
                serde_json::Value::Object(attributes).to_string(),
            );
        }
        SessionStep::MfaSetup | SessionStep::MfaSetupAssociated | SessionStep::MfaSetupVerified => {
            // What the pool can set up during sign-in: TOTP when it is on.
            // An ON pool without TOTP would offer SMS, which this pool can't
            // set up in a sign-in.
            let can_setup = if config.software_token_enabled {
                "SOFTWARE_TOKEN_MFA"
            } else {
                "SMS_MFA"
            };
            params.insert("MFAS_CAN_SETUP".to_owned(), json_list([can_setup]));
        }
        SessionStep::SelectMfaType(factors) => {
            params.insert(
                "MFAS_CAN_CHOOSE".to_owned(),
                json_list(factors.iter().map(|f| f.as_str())),
            );
        }
        SessionStep::SoftwareToken => {
            if let Some(name) = user.totp.as_ref().and_then(|t| t.friendly_name.clone()) {
                params.insert("FRIENDLY_DEVICE_NAME".to_owned(), name);
            }
        }
        SessionStep::Delivered { factor, .. } => {
            let (medium, destination) = if *factor == MfaFactor::Email {
                let email = user.attributes.get("email").map_or("", String::as_str);
                ("EMAIL", mask_email(email))
            } else {
                let phone = user
                    .attributes
                    .get("phone_number")
                    .map_or("", String::as_str);
                ("SMS", mask_phone(phone))
            };
            params.insert(
                "CODE_DELIVERY_DELIVERY_MEDIUM".to_owned(),
                medium.to_owned(),
            );
            params.insert("CODE_DELIVERY_DESTINATION".to_owned(), destination);
        }
    }
    params
}

// ---------------------------------------------------------------------------
// The backend.

fn mapped<T>(
    operation: Operation,
    now: SystemTime,
    result: Result<T, ServiceError>,
) -> Result<T, Error> {
    result.map_err(|error| Error::from_service_at(operation, error, now))
}

#[async_trait]
impl CognitoBackend for InMemoryPool {
    async fn associate_software_token(
        &self,
        auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error> {
        let now = self.inner.now();
        mapped(
            Operation::AssociateSoftwareToken,
            now,
            self.inner.associate(&auth, now),
        )
    }

    async fn verify_software_token(
        &self,
        auth: TokenAuth,
        code: OneTimeCode,
        friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error> {
        let now = self.inner.now();
        mapped(
            Operation::VerifySoftwareToken,
            now,
            self.inner
                .verify(&auth, &code, friendly_device_name.as_deref(), now),
        )
    }

    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        let now = self.inner.now();
        mapped(
            Operation::SetMfaPreference,
            now,
            self.inner.set_preference(&user, update, now),
        )
    }

    async fn get_user_mfa_settings(&self, user: UserTarget) -> Result<UserMfaSettings, Error> {
        let now = self.inner.now();
        mapped(Operation::GetUser, now, self.inner.get_settings(&user, now))
    }

    async fn admin_delete_software_token(
        &self,
        user_pool_id: String,
        username: String,
    ) -> Result<(), Error> {
        let now = self.inner.now();
        mapped(
            Operation::DeleteSoftwareToken,
            now,
            self.inner.delete_software_token(&user_pool_id, &username),
        )
    }

    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        let now = self.inner.now();
        mapped(
            Operation::InitiateAuth,
            now,
            self.inner.initiate_auth(&request, now),
        )
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        let now = self.inner.now();
        mapped(
            Operation::RespondToAuthChallenge,
            now,
            self.inner.respond(&request, now),
        )
    }

    async fn get_user_pool_mfa_config(&self, user_pool_id: String) -> Result<PoolMfaConfig, Error> {
        let now = self.inner.now();
        let result = self
            .inner
            .check_pool(&user_pool_id)
            .map(|()| self.inner.config());
        mapped(Operation::GetUserPoolMfaConfig, now, result)
    }

    async fn set_user_pool_mfa_config(
        &self,
        user_pool_id: String,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        let now = self.inner.now();
        let result = self.inner.check_pool(&user_pool_id).map(|()| {
            self.set_mfa_config(config);
            config
        });
        mapped(Operation::SetUserPoolMfaConfig, now, result)
    }

    async fn describe_user_pool_client(
        &self,
        user_pool_id: String,
        client_id: String,
    ) -> Result<AppClient, Error> {
        let now = self.inner.now();
        let result = self
            .inner
            .check_pool(&user_pool_id)
            .and_then(|()| self.inner.client(&client_id))
            .map(|c| c.describe());
        mapped(Operation::DescribeUserPoolClient, now, result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_phone("+15555550100"), "+*******0100");
        assert_eq!(mask_email("alice@example.com"), "a***@e***");
        assert_eq!(
            json_list(["SOFTWARE_TOKEN_MFA"]),
            "[\"SOFTWARE_TOKEN_MFA\"]"
        );
        assert_eq!(
            json_list(["SOFTWARE_TOKEN_MFA", "SMS_MFA"]),
            "[\"SOFTWARE_TOKEN_MFA\",\"SMS_MFA\"]"
        );
    }

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

    #[test]
    fn code_window_and_reuse() {
        let mut user = UserRecord::new("u".into(), None, AccountStatus::Confirmed);
        let key = b"12345678901234567890";
        let generator = totp::generator(key);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(30 * 1000 + 10);
        let code = |step: u64| generator.generate(step * 30).to_string();
        assert!(matches!(
            user.accept_code(key, &code(998), now),
            Err(CodeFault::Mismatch)
        ));
        assert!(matches!(
            user.accept_code(key, &code(1002), now),
            Err(CodeFault::Mismatch)
        ));
        assert!(user.accept_code(key, &code(999), now).is_ok());
        assert!(matches!(
            user.accept_code(key, &code(999), now),
            Err(CodeFault::Reused)
        ));
        assert!(user.accept_code(key, &code(1001), now).is_ok());
        // An older step than the last accepted one is refused as used.
        assert!(matches!(
            user.accept_code(key, &code(1000), now),
            Err(CodeFault::Reused)
        ));
    }

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
