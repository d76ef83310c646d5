//! The sign-in state machine: InitiateAuth → challenges → tokens.
//!
//! [`SignIn`] holds an app client's configuration and the backend. Each step
//! returns a [`SignInStep`]: the tokens, or the next challenge as its own
//! type with only the methods that make sense for it. Answering consumes the
//! challenge, so a spent Session can't be sent twice; a wrong code hands the
//! same challenge back in [`Rejected::retry`](crate::Rejected::retry).
//!
//! A pending challenge can be saved as a [`SavedChallenge`] and resumed later,
//! on another request or instance ([`SignIn::resume`]).
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # async fn demo(pool: cognito_mfa::testing::InMemoryPool, client_id: String,
//! #   code_from_person: impl Fn() -> String) -> Result<(), cognito_mfa::Error> {
//! use cognito_mfa::{Password, sign_in::{SignIn, SignInStep}};
//!
//! let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), client_id).build()?;
//! let mut step = sign_in.password("alice", &Password::new("correct horse")).await?;
//! loop {
//!     step = match step {
//!         SignInStep::Done(tokens) => {
//!             println!("signed in; token expires in {:?}", tokens.expires_in);
//!             break;
//!         }
//!         SignInStep::TotpRequired(challenge) => {
//!             match challenge.answer(&sign_in, &code_from_person()).await {
//!                 Ok(next) => next,
//!                 // A wrong code: ask again on the same challenge.
//!                 Err(rejected) => match rejected.retry() {
//!                     Some(same) => SignInStep::TotpRequired(same),
//!                     None => return Err(cognito_mfa::Error::SessionExpired),
//!                 },
//!             }
//!         }
//!         other => unimplemented!("{:?}", other.challenge_name()),
//!     };
//! }
//! # Ok(())
//! # }
//! ```

mod challenges;
mod saved;

pub use challenges::{
    CodeChallenge, MfaSetupChallenge, NewPasswordChallenge, PendingMfaSetup,
    SelectMfaTypeChallenge, TotpChallenge, UnsupportedChallenge,
};
pub use saved::SavedChallenge;

use crate::backend::{
    AuthFlow, AuthResponse, AuthTokens, ChallengeName, CognitoBackend, InitiateAuthRequest,
    Parameters, RespondToAuthChallengeRequest,
};
use crate::error::{Error, Field, Operation};
use crate::secret::{ClientSecret, Password, RefreshToken, Session};
use crate::{secret_hash, validate};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tracing::Instrument as _;

/// Cognito's default `AuthSessionValidity`.
pub const DEFAULT_SESSION_VALIDITY: Duration = Duration::from_secs(3 * 60);

/// An app client's sign-in configuration and the backend it talks to.
///
/// Build it once per app client with [`SignIn::admin`] (server side,
/// AdminInitiateAuth with IAM credentials) or [`SignIn::public`]
/// (InitiateAuth, no AWS credentials), and share it: it is cheap to clone.
#[derive(Clone)]
pub struct SignIn {
    backend: Arc<dyn CognitoBackend>,
    client_id: String,
    user_pool_id: Option<String>,
    client_secret: Option<ClientSecret>,
    session_validity: Duration,
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("client_id", &self.client_id)
            .field("user_pool_id", &self.user_pool_id)
            .field("client_secret", &self.client_secret)
            .field("session_validity", &self.session_validity)
            .finish_non_exhaustive()
    }
}

/// A consuming builder for [`SignIn`].
#[must_use = "call build() to get a SignIn"]
pub struct SignInBuilder {
    inner: SignIn,
}

impl fmt::Debug for SignInBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SignInBuilder").field(&self.inner).finish()
    }
}

impl SignIn {
    /// Server-side sign-in: ADMIN_USER_PASSWORD_AUTH through
    /// AdminInitiateAuth and AdminRespondToAuthChallenge, with the IAM
    /// credentials the backend was built with.
    pub fn admin(
        backend: impl CognitoBackend + 'static,
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> SignInBuilder {
        SignInBuilder {
            inner: SignIn {
                backend: Arc::new(backend),
                client_id: client_id.into(),
                user_pool_id: Some(user_pool_id.into()),
                client_secret: None,
                session_validity: DEFAULT_SESSION_VALIDITY,
            },
        }
    }

    /// Public-client sign-in: USER_PASSWORD_AUTH through InitiateAuth and
    /// RespondToAuthChallenge, authorised by the Session alone.
    pub fn public(
        backend: impl CognitoBackend + 'static,
        client_id: impl Into<String>,
    ) -> SignInBuilder {
        SignInBuilder {
            inner: SignIn {
                backend: Arc::new(backend),
                client_id: client_id.into(),
                user_pool_id: None,
                client_secret: None,
                session_validity: DEFAULT_SESSION_VALIDITY,
            },
        }
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The user pool id, for admin sign-in.
    pub fn user_pool_id(&self) -> Option<&str> {
        self.user_pool_id.as_deref()
    }

    /// How long a challenge Session is taken to live.
    pub fn session_validity(&self) -> Duration {
        self.session_validity
    }

    /// The backend itself: calling through the `Arc` would go through its
    /// forwarding impl and box every future twice.
    pub(crate) fn backend(&self) -> &dyn CognitoBackend {
        &*self.backend
    }

    /// Signs in with a user name (or alias) and password: AdminInitiateAuth
    /// with ADMIN_USER_PASSWORD_AUTH, or InitiateAuth with
    /// USER_PASSWORD_AUTH for a public client.
    pub async fn password(&self, username: &str, password: &Password) -> Result<SignInStep, Error> {
        validate::username(username)?;
        validate::password(password.expose_secret())?;
        let flow = if self.user_pool_id.is_some() {
            AuthFlow::AdminUserPassword
        } else {
            AuthFlow::UserPassword
        };
        let mut parameters = Parameters::new()
            .with("USERNAME", username)
            .with("PASSWORD", password.expose_secret());
        self.add_secret_hash(&mut parameters, username);
        let span = tracing::info_span!(
            "cognito_mfa.sign_in.initiate",
            flow = flow.as_str(),
            outcome = tracing::field::Empty
        );
        let result = async {
            let response = self.initiate(flow, parameters).await?;
            self.step(Operation::InitiateAuth, response, username)
        }
        .instrument(span.clone())
        .await;
        record_outcome(&span, &result);
        result
    }

    /// New access and ID tokens from a refresh token (REFRESH_TOKEN_AUTH).
    ///
    /// A client with a secret needs the user name for SECRET_HASH: pass the
    /// canonical user name (the token's `cognito:username`, or the `sub` for
    /// some pools).
    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
        username: Option<&str>,
    ) -> Result<AuthTokens, Error> {
        validate::token(refresh_token.expose_secret())?;
        let mut parameters = Parameters::new().with("REFRESH_TOKEN", refresh_token.expose_secret());
        match (username, &self.client_secret) {
            (Some(name), _) => {
                validate::username(name)?;
                self.add_secret_hash(&mut parameters, name);
            }
            (None, Some(_)) => {
                return Err(Error::invalid(
                    Field::Username,
                    "is needed for SECRET_HASH: this app client has a secret",
                ));
            }
            (None, None) => {}
        }
        let span = tracing::info_span!(
            "cognito_mfa.sign_in.refresh",
            outcome = tracing::field::Empty
        );
        let result = async {
            let response = self.initiate(AuthFlow::RefreshToken, parameters).await?;
            match response.tokens {
                Some(tokens) => Ok(tokens),
                None => Err(Error::unexpected(
                    Operation::InitiateAuth,
                    "a refresh answered without tokens",
                )),
            }
        }
        .instrument(span.clone())
        .await;
        span.record("outcome", if result.is_ok() { "tokens" } else { "error" });
        result
    }

    /// Resumes a saved challenge, on this or another instance.
    ///
    /// Refused locally, without a call: an unknown format version, a
    /// challenge of another app client, and an expired one
    /// ([`Error::SessionExpired`]).
    pub fn resume(&self, saved: SavedChallenge) -> Result<SignInStep, Error> {
        self.resume_at(saved, SystemTime::now())
    }

    /// As [`resume`](Self::resume), judging expiry at `now`.
    pub fn resume_at(&self, saved: SavedChallenge, now: SystemTime) -> Result<SignInStep, Error> {
        let pending = saved.into_pending()?;
        self.check_owner(&pending)?;
        if now >= pending.expires_at {
            return Err(Error::SessionExpired);
        }
        Ok(SignInStep::from_pending(pending))
    }

    /// Rebuilds a challenge from the pieces a caller already holds: the
    /// challenge name, its Session and the canonical user name. This is
    /// what a command-line tool has; the challenge parameters are unknown
    /// (a TOTP challenge's device name, an MFA_SETUP's factor list) and the
    /// expiry is counted from now.
    pub fn resume_parts(
        &self,
        challenge_name: &str,
        session: Session,
        username: &str,
    ) -> Result<SignInStep, Error> {
        validate::challenge_name(challenge_name)?;
        validate::session(session.expose_secret())?;
        validate::username(username)?;
        Ok(SignInStep::from_pending(Pending {
            name: ChallengeName::parse(challenge_name),
            session,
            username: username.to_owned(),
            client_id: self.client_id.clone(),
            user_pool_id: self.user_pool_id.clone(),
            expires_at: SystemTime::now() + self.session_validity,
            parameters: ChallengeParameters::default(),
        }))
    }

    /// InitiateAuth, or AdminInitiateAuth for an admin client.
    async fn initiate(
        &self,
        flow: AuthFlow,
        parameters: Parameters,
    ) -> Result<AuthResponse, Error> {
        self.backend()
            .initiate_auth(InitiateAuthRequest {
                client_id: self.client_id.clone(),
                user_pool_id: self.user_pool_id.clone(),
                flow,
                parameters,
            })
            .await
    }

    fn add_secret_hash(&self, parameters: &mut Parameters, username: &str) {
        if let Some(secret) = &self.client_secret {
            parameters.insert(
                "SECRET_HASH",
                secret_hash(secret, username, &self.client_id),
            );
        }
    }

    fn check_owner(&self, pending: &Pending) -> Result<(), Error> {
        if pending.client_id != self.client_id || pending.user_pool_id != self.user_pool_id {
            return Err(Error::invalid(
                Field::PendingChallenge,
                "belongs to another app client or user pool",
            ));
        }
        Ok(())
    }

    /// Answers a pending challenge: adds USERNAME (the canonical name) and
    /// SECRET_HASH, checks expiry locally, and returns the next step.
    pub(crate) async fn respond(
        &self,
        pending: &Pending,
        mut responses: Parameters,
    ) -> Result<SignInStep, Error> {
        self.check_owner(pending)?;
        if SystemTime::now() >= pending.expires_at {
            return Err(Error::SessionExpired);
        }
        responses.insert("USERNAME", pending.username.as_str());
        self.add_secret_hash(&mut responses, &pending.username);
        let span = tracing::info_span!(
            "cognito_mfa.sign_in.respond",
            challenge = pending.name.as_str(),
            outcome = tracing::field::Empty
        );
        let result = async {
            let response = self
                .backend()
                .respond_to_auth_challenge(RespondToAuthChallengeRequest {
                    client_id: self.client_id.clone(),
                    user_pool_id: self.user_pool_id.clone(),
                    challenge: pending.name.clone(),
                    session: pending.session.clone(),
                    responses,
                })
                .await?;
            self.step(
                Operation::RespondToAuthChallenge,
                response,
                &pending.username,
            )
        }
        .instrument(span.clone())
        .await;
        record_outcome(&span, &result);
        result
    }

    /// Turns an answer into the next step.
    fn step(
        &self,
        operation: Operation,
        response: AuthResponse,
        username: &str,
    ) -> Result<SignInStep, Error> {
        if let Some(tokens) = response.tokens {
            return Ok(SignInStep::Done(tokens));
        }
        let name = response.challenge.ok_or(Error::unexpected(
            operation,
            "neither tokens nor a challenge",
        ))?;
        let session = response.session.ok_or(Error::unexpected(
            operation,
            "a challenge without a Session",
        ))?;
        // What the service hands over must be good enough to save and
        // resume: the same limits as input from outside.
        if validate::session(session.expose_secret()).is_err() {
            return Err(Error::unexpected(
                operation,
                "a Session outside Cognito's limits (20 to 2048 characters)",
            ));
        }
        if validate::challenge_name(name.as_str()).is_err() {
            return Err(Error::unexpected(
                operation,
                "a challenge name outside 1 to 64 characters",
            ));
        }
        // Later steps must name the user as Cognito knows them, not by the
        // alias typed at the password step: SECRET_HASH depends on it.
        let canonical = ["USER_ID_FOR_SRP", "USERNAME"]
            .iter()
            .filter_map(|k| response.parameters.get(*k))
            .find(|v| !v.is_empty())
            .map_or(username, String::as_str)
            .to_owned();
        Ok(SignInStep::from_pending(Pending {
            name,
            session,
            username: canonical,
            client_id: self.client_id.clone(),
            user_pool_id: self.user_pool_id.clone(),
            expires_at: SystemTime::now() + self.session_validity,
            parameters: response.parameters.into(),
        }))
    }
}

fn record_outcome(span: &tracing::Span, result: &Result<SignInStep, Error>) {
    match result {
        Ok(step) => span.record("outcome", step.outcome()),
        Err(e) if e.can_retry_challenge() => span.record("outcome", "retry"),
        Err(_) => span.record("outcome", "error"),
    };
}

impl SignInBuilder {
    /// The app client's secret: SECRET_HASH goes into every request.
    pub fn client_secret(mut self, secret: ClientSecret) -> Self {
        self.inner.client_secret = Some(secret);
        self
    }

    /// The app client's `AuthSessionValidity` (3 to 15 minutes; 3 by
    /// default), used to stamp pending challenges with their expiry.
    pub fn session_validity(mut self, validity: Duration) -> Self {
        self.inner.session_validity = validity;
        self
    }

    /// Checks the configuration and builds the [`SignIn`].
    pub fn build(self) -> Result<SignIn, Error> {
        let s = self.inner;
        validate::client_id(&s.client_id)?;
        if let Some(pool) = &s.user_pool_id {
            validate::user_pool_id(pool)?;
        }
        if let Some(secret) = &s.client_secret {
            validate::client_secret(secret.expose_secret())?;
        }
        if !(Duration::from_secs(3 * 60)..=Duration::from_secs(15 * 60))
            .contains(&s.session_validity)
        {
            return Err(Error::invalid(
                Field::Session,
                "validity must be 3 to 15 minutes (the app client's AuthSessionValidity)",
            ));
        }
        Ok(s)
    }
}

/// What a pending challenge holds, whatever its kind.
#[derive(Clone)]
pub(crate) struct Pending {
    pub(crate) name: ChallengeName,
    pub(crate) session: Session,
    pub(crate) username: String,
    pub(crate) client_id: String,
    pub(crate) user_pool_id: Option<String>,
    pub(crate) expires_at: SystemTime,
    pub(crate) parameters: ChallengeParameters,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("name", &self.name)
            .field("session", &self.session)
            .field("username", &self.username)
            .field("client_id", &self.client_id)
            .field("user_pool_id", &self.user_pool_id)
            .field("expires_at", &self.expires_at)
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `ChallengeParameters` as a pending challenge keeps them: a sorted boxed
/// slice. A challenge has one to three parameters, and a map's node would
/// take about 540 bytes of the few hundred a pending challenge needs.
#[derive(Clone, Default)]
pub(crate) struct ChallengeParameters(Box<[(String, String)]>);

impl ChallengeParameters {
    pub(crate) fn get(&self, name: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(key, _)| key.as_str().cmp(name))
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, value)| value)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(key, _)| key)
    }

    pub(crate) fn into_map(self) -> BTreeMap<String, String> {
        self.0.into_vec().into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for ChallengeParameters {
    fn from(map: BTreeMap<String, String>) -> Self {
        // A BTreeMap iterates in key order: the slice is sorted.
        Self(map.into_iter().collect())
    }
}

/// What comes next in a sign-in.
#[non_exhaustive]
#[derive(Debug)]
pub enum SignInStep {
    /// Signed in.
    Done(AuthTokens),
    /// `SOFTWARE_TOKEN_MFA`: a code from the authenticator app.
    TotpRequired(TotpChallenge),
    /// `MFA_SETUP`: the user must set up a factor; TOTP is enrolled through
    /// the challenge's Session.
    MfaSetupRequired(MfaSetupChallenge),
    /// `SELECT_MFA_TYPE`: the person picks a factor.
    SelectMfaType(SelectMfaTypeChallenge),
    /// `NEW_PASSWORD_REQUIRED`: the person must choose a new password.
    NewPasswordRequired(NewPasswordChallenge),
    /// `SMS_MFA` or `EMAIL_OTP`: a code sent to the person.
    CodeRequired(CodeChallenge),
    /// A challenge this crate does not handle.
    Unsupported(UnsupportedChallenge),
}

impl SignInStep {
    pub(crate) fn from_pending(pending: Pending) -> Self {
        match pending.name {
            ChallengeName::SoftwareTokenMfa => Self::TotpRequired(TotpChallenge::new(pending)),
            ChallengeName::MfaSetup => Self::MfaSetupRequired(MfaSetupChallenge::new(pending)),
            ChallengeName::SelectMfaType => {
                Self::SelectMfaType(SelectMfaTypeChallenge::new(pending))
            }
            ChallengeName::NewPasswordRequired => {
                Self::NewPasswordRequired(NewPasswordChallenge::new(pending))
            }
            ChallengeName::SmsMfa | ChallengeName::EmailOtp => {
                Self::CodeRequired(CodeChallenge::new(pending))
            }
            _ => Self::Unsupported(UnsupportedChallenge::new(pending)),
        }
    }

    /// The pending challenge's name, or `None` when signed in.
    pub fn challenge_name(&self) -> Option<&str> {
        self.pending().map(|p| p.name.as_str())
    }

    /// Saves the pending challenge to resume later; `None` when signed in.
    pub fn into_saved(self) -> Option<SavedChallenge> {
        match self {
            Self::Done(_) => None,
            Self::TotpRequired(c) => Some(c.into_saved()),
            Self::MfaSetupRequired(c) => Some(c.into_saved()),
            Self::SelectMfaType(c) => Some(c.into_saved()),
            Self::NewPasswordRequired(c) => Some(c.into_saved()),
            Self::CodeRequired(c) => Some(c.into_saved()),
            Self::Unsupported(c) => Some(c.into_saved()),
        }
    }

    /// The tokens, when signed in.
    pub fn into_tokens(self) -> Option<AuthTokens> {
        match self {
            Self::Done(tokens) => Some(tokens),
            _ => None,
        }
    }

    fn pending(&self) -> Option<&Pending> {
        match self {
            Self::Done(_) => None,
            Self::TotpRequired(c) => Some(c.pending()),
            Self::MfaSetupRequired(c) => Some(c.pending()),
            Self::SelectMfaType(c) => Some(c.pending()),
            Self::NewPasswordRequired(c) => Some(c.pending()),
            Self::CodeRequired(c) => Some(c.pending()),
            Self::Unsupported(c) => Some(c.pending()),
        }
    }

    fn outcome(&self) -> &str {
        self.challenge_name().unwrap_or("tokens")
    }
}
