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
//! # Steps the library answers itself
//!
//! Some challenges carry no question for a person: the SRP steps
//! (PASSWORD_VERIFIER after USER_SRP_AUTH, and a remembered device's
//! DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER). The sign-in answers those
//! itself, with secrets it holds for that one sign-in only (the password, the
//! SRP ephemeral, a device password), and keeps going until Cognito asks
//! something a person must answer or hands over the tokens. Those secrets
//! live in memory, in the pending challenge: they are never part of a
//! [`SavedChallenge`], `Debug` output, an error or a log line.
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # async fn demo(pool: cognito_mfa::testing::InMemoryPool, client_id: String,
//! #   code_from_person: impl Fn() -> String) -> Result<(), cognito_mfa::Error> {
//! use cognito_mfa::{Password, sign_in::{SignIn, SignInStep}};
//!
//! let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), client_id)
//!     .clock(pool.clock())
//!     .build()?;
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
mod on_device;
mod saved;
mod user_auth;

pub use challenges::{
    CodeChallenge, CodeDelivery, FirstFactor, FirstFactorKind, MfaSetupChallenge,
    NewPasswordChallenge, PendingMfaSetup, SelectChallenge, SelectMfaTypeChallenge, TotpChallenge,
    UnsupportedChallenge, WebAuthnChallenge,
};
pub use on_device::{DeviceSignIn, OnDevice};
pub use saved::{SAVED_CHALLENGE_VERSION, SavedChallenge};

use crate::backend::{
    Api, AuthFlow, AuthResponse, AuthTokens, ChallengeName, CognitoBackend, InitiateAuthRequest,
    Parameters, RespondToAuthChallengeRequest,
};
use crate::clock::{self, Clock, SharedClock};
use crate::device::RememberedDevice;
use crate::enrollment::{Enrolled, SavedEnrollment};
use crate::error::{Error, Field, Operation, Rejected};
use crate::secret::{ClientSecret, Password, RefreshToken, Session};
use crate::srp::{self, ClientEphemeral, VerifierChallenge};
use crate::{secret_hash, validate};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};
use tracing::Instrument as _;

/// The shortest `AuthSessionValidity` Cognito allows, and its default.
pub const MIN_SESSION_VALIDITY: Duration = Duration::from_secs(3 * 60);
/// The longest `AuthSessionValidity` Cognito allows. A sign-in that was not
/// told its client's validity takes a challenge to live this long at most,
/// so it never refuses locally what Cognito would still accept.
pub const MAX_SESSION_VALIDITY: Duration = Duration::from_secs(15 * 60);

/// How many steps in a row the library answers by itself before it calls
/// the answer hostile: USER_SRP_AUTH → PASSWORD_VERIFIER → DEVICE_SRP_AUTH
/// → DEVICE_PASSWORD_VERIFIER is three.
const MAX_AUTOMATIC_STEPS: usize = 4;

/// An app client's sign-in configuration and the backend it talks to.
///
/// Build it once per app client with [`SignIn::admin`] (server side, the
/// admin API with IAM credentials) or [`SignIn::public`] (the public API, no
/// AWS credentials), and share it: it is cheap to clone.
#[derive(Clone)]
pub struct SignIn {
    backend: Arc<dyn CognitoBackend>,
    api: Api,
    user_pool_id: Option<String>,
    client_id: String,
    client_secret: Option<ClientSecret>,
    session_validity: Option<Duration>,
    clock: SharedClock,
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("api", &self.api)
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("session_validity", &self.session_validity)
            .field("clock", &self.clock)
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
    fn builder(
        backend: Arc<dyn CognitoBackend>,
        api: Api,
        user_pool_id: Option<String>,
        client_id: String,
    ) -> SignInBuilder {
        SignInBuilder {
            inner: SignIn {
                backend,
                api,
                user_pool_id,
                client_id,
                client_secret: None,
                session_validity: None,
                clock: clock::system(),
            },
        }
    }

    /// Server-side sign-in on the admin API (AdminInitiateAuth with
    /// ADMIN_USER_PASSWORD_AUTH, or USER_SRP_AUTH through
    /// [`SignIn::password_srp`]; AdminRespondToAuthChallenge), with the IAM
    /// credentials the backend was built with.
    pub fn admin(
        backend: impl CognitoBackend + 'static,
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> SignInBuilder {
        let pool = user_pool_id.into();
        Self::builder(
            Arc::new(backend),
            Api::admin(pool.clone()),
            Some(pool),
            client_id.into(),
        )
    }

    /// Public-client sign-in on the public API (InitiateAuth with
    /// USER_PASSWORD_AUTH or USER_SRP_AUTH, RespondToAuthChallenge),
    /// authorised by the Session alone. Flows that need the pool's id (SRP)
    /// take it from [`SignInBuilder::user_pool_id`].
    pub fn public(
        backend: impl CognitoBackend + 'static,
        client_id: impl Into<String>,
    ) -> SignInBuilder {
        Self::builder(Arc::new(backend), Api::Public, None, client_id.into())
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Which API the sign-in calls.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The user pool id, when known (always, on the admin API).
    pub fn user_pool_id(&self) -> Option<&str> {
        self.user_pool_id.as_deref()
    }

    /// The client's `AuthSessionValidity`, when the builder was told it.
    pub fn session_validity(&self) -> Option<Duration> {
        self.session_validity
    }

    /// The backend, for the calls around a sign-in (enrollment, MFA
    /// settings) without keeping a second handle.
    pub fn backend(&self) -> &dyn CognitoBackend {
        // Not through the Arc: its forwarding impl would box every future twice.
        &*self.backend
    }

    /// The clock the sign-in reads.
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// When a challenge issued now expires at the latest.
    pub(crate) fn expiry_from_now(&self) -> SystemTime {
        self.now() + self.session_validity.unwrap_or(MAX_SESSION_VALIDITY)
    }

    /// Signs in with a user name (or alias) and password: ADMIN_USER_PASSWORD_AUTH
    /// on the admin API, USER_PASSWORD_AUTH on the public one.
    pub async fn password(&self, username: &str, password: &Password) -> Result<SignInStep, Error> {
        self.password_on(username, password, None).await
    }

    async fn password_on(
        &self,
        username: &str,
        password: &Password,
        device: Option<&RememberedDevice>,
    ) -> Result<SignInStep, Error> {
        validate::username(username)?;
        validate::password(password.expose_secret())?;
        let flow = if self.api.is_admin() {
            AuthFlow::AdminUserPassword
        } else {
            AuthFlow::UserPassword
        };
        let mut parameters = Parameters::new()
            .with("USERNAME", username)
            .with("PASSWORD", password.expose_secret());
        self.add_secret_hash(&mut parameters, username);
        let autopilot = Autopilot::default().with_device(device);
        self.start(flow, parameters, username, autopilot).await
    }

    /// Signs in with a user name (or alias) and password over SRP
    /// (USER_SRP_AUTH, on the admin API as AdminInitiateAuth): the password
    /// never leaves the process, Cognito gets a proof of it.
    ///
    /// Cognito's PASSWORD_VERIFIER challenge is answered here, with the
    /// password held for this sign-in only (in memory, zeroized, never in a
    /// [`SavedChallenge`]); the step returned is whatever comes after it,
    /// exactly as from [`SignIn::password`]: the tokens, SOFTWARE_TOKEN_MFA,
    /// MFA_SETUP, a new password, ... The app client must allow
    /// `ALLOW_USER_SRP_AUTH`.
    ///
    /// Needs the user pool id, since the pool's name enters the proof: the
    /// admin API has it; a public client sets it with
    /// [`SignInBuilder::user_pool_id`]. Without it this is
    /// [`Error::InvalidInput`] ([`Field::UserPoolId`]) before any call.
    /// SRP values from the service that can't be used (malformed, or
    /// degenerate such as `SRP_B` ≡ 0 mod N) end the sign-in with
    /// [`Error::Srp`] before anything is sent back.
    pub async fn password_srp(
        &self,
        username: &str,
        password: &Password,
    ) -> Result<SignInStep, Error> {
        self.password_srp_on(username, password, None).await
    }

    async fn password_srp_on(
        &self,
        username: &str,
        password: &Password,
        device: Option<&RememberedDevice>,
    ) -> Result<SignInStep, Error> {
        validate::username(username)?;
        let operation = if self.api.is_admin() {
            Operation::AdminInitiateAuth
        } else {
            Operation::InitiateAuth
        };
        let (srp_a, autopilot) = self.srp_start(password, operation)?;
        let mut parameters = Parameters::new()
            .with("USERNAME", username)
            .with("SRP_A", srp_a);
        self.add_secret_hash(&mut parameters, username);
        let autopilot = autopilot.with_device(device);
        self.start(AuthFlow::UserSrp, parameters, username, autopilot)
            .await
    }

    /// What an SRP proof of `password` starts with, before any call: the
    /// pool's name (the pool id is needed), a fresh ephemeral and its
    /// SRP_A, and the autopilot that answers PASSWORD_VERIFIER with them.
    fn srp_start(
        &self,
        password: &Password,
        operation: Operation,
    ) -> Result<(String, Autopilot), Error> {
        validate::password(password.expose_secret())?;
        let pool_id = self.user_pool_id.as_deref().ok_or_else(|| {
            Error::invalid(
                Field::UserPoolId,
                "is needed for an SRP sign-in (the pool's name enters the proof): \
                 set it with SignInBuilder::user_pool_id",
            )
        })?;
        let pool_name = srp::pool_name(pool_id).map_err(|_| {
            Error::invalid(
                Field::UserPoolId,
                "must look like REGION_ID, e.g. us-east-1_AbC123",
            )
        })?;
        // A = g^a needs nothing from the service: drawn before the call.
        let ephemeral = ClientEphemeral::generate().map_err(|e| e.into_error(operation))?;
        let srp_a = ephemeral.public_hex();
        let autopilot = Autopilot::srp(SrpClient {
            pool_name: pool_name.to_owned(),
            password: SecretString::from(password.expose_secret().to_owned()),
            ephemeral,
        });
        Ok((srp_a, autopilot))
    }

    /// InitiateAuth with `parameters`, then the steps the library answers,
    /// in one span.
    async fn start(
        &self,
        flow: AuthFlow,
        parameters: Parameters,
        username: &str,
        autopilot: Autopilot,
    ) -> Result<SignInStep, Error> {
        let span = tracing::info_span!(
            "cognito_mfa.sign_in.initiate",
            flow = flow.as_str(),
            outcome = tracing::field::Empty
        );
        let result = async {
            let mut parameters = parameters;
            if let Some(key) = autopilot.device_key() {
                parameters.insert("DEVICE_KEY", key);
            }
            let request = self.initiate_request(flow, parameters);
            let operation = request.operation();
            let response = self.backend().initiate_auth(request).await?;
            self.drive(operation, response, username, autopilot).await
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
        self.refresh_on(refresh_token, username, None).await
    }

    async fn refresh_on(
        &self,
        refresh_token: &RefreshToken,
        username: Option<&str>,
        device: Option<&RememberedDevice>,
    ) -> Result<AuthTokens, Error> {
        validate::token(refresh_token.expose_secret())?;
        let mut parameters = Parameters::new().with("REFRESH_TOKEN", refresh_token.expose_secret());
        if let Some(device) = device {
            parameters.insert("DEVICE_KEY", device.key());
        }
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
            let request = self.initiate_request(AuthFlow::RefreshToken, parameters);
            let operation = request.operation();
            let response = self.backend().initiate_auth(request).await?;
            match response.tokens {
                Some(tokens) => Ok(tokens),
                None => Err(Error::unexpected(
                    operation,
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
    /// challenge of another app client or API, and one past its expiry by
    /// this sign-in's clock ([`Error::SessionExpired`]).
    pub fn resume(&self, saved: SavedChallenge) -> Result<SignInStep, Error> {
        let pending = saved.into_pending()?;
        self.check_owner(&pending)?;
        self.check_expiry(&pending)?;
        Ok(SignInStep::from_pending(pending))
    }

    /// Finishes an MFA_SETUP saved with [`PendingMfaSetup::into_saved`], in a
    /// later request: VerifySoftwareToken with the person's code, then
    /// MFA_SETUP answered with the Session that returned; the next step as
    /// ever. Refused locally, without a call: a saved enrollment that is not
    /// a sign-in's, one of another app client or API, and an expired one. A
    /// wrong or malformed code hands the saved enrollment back in
    /// [`Rejected::retry`](crate::Rejected::retry).
    pub async fn finish_mfa_setup(
        &self,
        saved: SavedEnrollment,
        code: &str,
    ) -> Result<SignInStep, Rejected<SavedEnrollment>> {
        let Some(challenge) = saved.mfa_setup().cloned() else {
            let e = Error::invalid(
                Field::PendingChallenge,
                "is not an MFA_SETUP enrollment: verify it with SavedEnrollment::verify",
            );
            return Err(Rejected::keep(e, saved));
        };
        let pending = match challenge
            .into_pending()
            .and_then(|p| self.check_owner(&p).map(|()| p))
            .and_then(|p| self.check_expiry(&p).map(|()| p))
        {
            Ok(p) if p.name == ChallengeName::MfaSetup => p,
            Ok(_) => {
                return Err(Rejected::fatal(Error::invalid(
                    Field::PendingChallenge,
                    "does not answer MFA_SETUP",
                )));
            }
            Err(e) => return Err(Rejected::fatal(e)),
        };
        let enrolled = match saved.verify_token(self.backend(), code).await {
            Ok(enrolled) => enrolled,
            Err((e, true)) => return Err(Rejected::new(e, saved)),
            Err((e, false)) => return Err(Rejected::fatal(e)),
        };
        self.answer_mfa_setup(pending, enrolled)
            .await
            .map_err(Rejected::fatal)
    }

    /// Answers MFA_SETUP once its token is verified, with the Session
    /// VerifySoftwareToken returned (a new validity window).
    pub(crate) async fn answer_mfa_setup(
        &self,
        pending: Pending,
        enrolled: Enrolled,
    ) -> Result<SignInStep, Error> {
        let Some(session) = enrolled.into_session() else {
            return Err(Error::unexpected(
                Operation::VerifySoftwareToken,
                "no Session to answer MFA_SETUP with",
            ));
        };
        let next = Pending {
            session,
            expires_at: self.expiry_from_now(),
            ..pending
        };
        self.respond(&next, Parameters::new()).await
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
        self.pending_from_parts(challenge_name, session, username)
            .map(SignInStep::from_pending)
    }

    /// The pending challenge [`SignIn::resume_parts`] rebuilds, checked.
    fn pending_from_parts(
        &self,
        challenge_name: &str,
        session: Session,
        username: &str,
    ) -> Result<Pending, Error> {
        validate::challenge_name(challenge_name)?;
        validate::session(session.expose_secret())?;
        validate::username(username)?;
        Ok(self.pending(
            ChallengeName::parse(challenge_name),
            session,
            username.to_owned(),
            ChallengeParameters::default(),
            Autopilot::default(),
        ))
    }

    fn initiate_request(&self, flow: AuthFlow, parameters: Parameters) -> InitiateAuthRequest {
        InitiateAuthRequest::new(self.api.clone(), self.client_id.clone(), flow, parameters)
    }

    fn pending(
        &self,
        name: ChallengeName,
        session: Session,
        username: String,
        parameters: ChallengeParameters,
        autopilot: Autopilot,
    ) -> Pending {
        Pending {
            name,
            session,
            username,
            client_id: self.client_id.clone(),
            api: self.api.clone(),
            user_pool_id: self.user_pool_id.clone(),
            expires_at: self.expiry_from_now(),
            parameters,
            available_challenges: Box::default(),
            device_key: None,
            autopilot,
        }
    }

    fn add_secret_hash(&self, parameters: &mut Parameters, username: &str) {
        if let Some(secret) = &self.client_secret {
            parameters.insert(
                "SECRET_HASH",
                secret_hash(secret, username, &self.client_id),
            );
        }
    }

    pub(crate) fn check_owner(&self, pending: &Pending) -> Result<(), Error> {
        if pending.client_id != self.client_id || pending.api != self.api {
            return Err(Error::invalid(
                Field::PendingChallenge,
                "belongs to another app client or user pool, or was issued on the other API",
            ));
        }
        Ok(())
    }

    pub(crate) fn check_expiry(&self, pending: &Pending) -> Result<(), Error> {
        let now = self.now();
        if now >= pending.expires_at {
            return Err(Error::SessionExpired);
        }
        // No Session lives longer than the longest validity Cognito allows:
        // a later expiry was not written by this crate.
        if pending.expires_at > now + MAX_SESSION_VALIDITY {
            return Err(Error::invalid(
                Field::PendingChallenge,
                "expires more than 15 minutes from now, longer than any Session lives",
            ));
        }
        Ok(())
    }

    /// Answers a pending challenge: adds USERNAME (the canonical name) and
    /// SECRET_HASH, checks expiry locally, and returns the next step.
    pub(crate) async fn respond(
        &self,
        pending: &Pending,
        responses: Parameters,
    ) -> Result<SignInStep, Error> {
        self.check_owner(pending)?;
        self.check_expiry(pending)?;
        let span = tracing::info_span!(
            "cognito_mfa.sign_in.respond",
            challenge = pending.name.as_str(),
            outcome = tracing::field::Empty
        );
        let result = async {
            let mut responses = responses;
            if let Some(key) = &pending.device_key {
                responses.insert("DEVICE_KEY", key.as_str());
            }
            let request = self.respond_request(
                pending.name.clone(),
                Some(pending.session.clone()),
                &pending.username,
                responses,
            );
            let operation = request.operation();
            let response = self.backend().respond_to_auth_challenge(request).await?;
            self.drive(
                operation,
                response,
                &pending.username,
                pending.autopilot.clone(),
            )
            .await
        }
        .instrument(span.clone())
        .await;
        record_outcome(&span, &result);
        result
    }

    fn respond_request(
        &self,
        challenge: ChallengeName,
        session: Option<Session>,
        username: &str,
        mut responses: Parameters,
    ) -> RespondToAuthChallengeRequest {
        responses.insert("USERNAME", username);
        self.add_secret_hash(&mut responses, username);
        RespondToAuthChallengeRequest::new(
            self.api.clone(),
            self.client_id.clone(),
            challenge,
            session,
            responses,
        )
    }

    /// Turns an answer into the next step a person sees: the steps the
    /// library answers itself are answered here, in a bounded loop.
    async fn drive(
        &self,
        mut operation: Operation,
        mut response: AuthResponse,
        username: &str,
        mut autopilot: Autopilot,
    ) -> Result<SignInStep, Error> {
        let mut username = username.to_owned();
        for _ in 0..=MAX_AUTOMATIC_STEPS {
            if let Some(tokens) = response.tokens {
                return Ok(SignInStep::Done(tokens));
            }
            let name = response.challenge.take().ok_or(Error::unexpected(
                operation,
                "neither tokens nor a challenge",
            ))?;
            if validate::challenge_name(name.as_str()).is_err() {
                return Err(Error::unexpected(
                    operation,
                    "a challenge name outside 1 to 64 characters",
                ));
            }
            // Kept, saved and shown: bounded as a saved challenge is.
            if !saved::parameters_fit(&response.parameters, &response.available_challenges) {
                return Err(Error::unexpected(
                    operation,
                    "challenge parameters over 64 entries or 64 KiB in all",
                ));
            }
            // Later steps must name the user as Cognito knows them, not by
            // the alias typed at the first step: SECRET_HASH depends on it.
            if let Some(canonical) = canonical_username(&response.parameters) {
                if validate::username(canonical).is_err() {
                    return Err(Error::unexpected(
                        operation,
                        "a user name outside Cognito's limits",
                    ));
                }
                canonical.clone_into(&mut username);
            }
            if !name.is_answered_by_library() {
                // What a person answers next never needs the SRP secrets:
                // they go now rather than wait in the pending challenge.
                let autopilot = autopilot.without_srp();
                return self.person_step(operation, name, response, username, autopilot);
            }
            let mut answer = autopilot.answer(operation, &name, &response, self)?;
            if let Some(key) = autopilot.device_key() {
                answer.insert("DEVICE_KEY", key);
            }
            let request = self.respond_request(name, response.session, &username, answer);
            operation = request.operation();
            response = self.backend().respond_to_auth_challenge(request).await?;
        }
        Err(Error::unexpected(
            operation,
            "too many steps in a row that the library answers itself",
        ))
    }

    /// A challenge a person answers, as its step.
    fn person_step(
        &self,
        operation: Operation,
        name: ChallengeName,
        response: AuthResponse,
        username: String,
        autopilot: Autopilot,
    ) -> Result<SignInStep, Error> {
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
        let mut pending = self.pending(
            name,
            session,
            username,
            response.parameters.into(),
            autopilot,
        );
        pending.available_challenges = response.available_challenges.into_boxed_slice();
        pending.device_key = pending.autopilot.device_key().map(str::to_owned);
        Ok(SignInStep::from_pending(pending))
    }
}

/// The canonical user name in a challenge's parameters, where Cognito sends
/// one (`USERNAME`; the SRP steps' `USER_ID_FOR_SRP` is the identity the
/// proof is over, which moto sets to the `sub`).
fn canonical_username(parameters: &BTreeMap<String, String>) -> Option<&String> {
    ["USERNAME", "USER_ID_FOR_SRP"]
        .iter()
        .filter_map(|k| parameters.get(*k))
        .find(|v| !v.is_empty())
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

    /// The user pool id, for a public client: the SRP flows need it.
    pub fn user_pool_id(mut self, user_pool_id: impl Into<String>) -> Self {
        let pool = user_pool_id.into();
        if let Api::Admin { user_pool_id } = &mut self.inner.api {
            pool.clone_into(user_pool_id);
        }
        self.inner.user_pool_id = Some(pool);
        self
    }

    /// The app client's `AuthSessionValidity` (3 to 15 minutes; the
    /// preflight reports it), used to stamp pending challenges with their
    /// expiry. Unset, a challenge is taken to live the longest Cognito
    /// allows (15 minutes), so none is refused locally that Cognito would
    /// still accept.
    pub fn session_validity(mut self, validity: Duration) -> Self {
        self.inner.session_validity = Some(validity);
        self
    }

    /// The clock to read (the system clock by default). Tests hand in the
    /// in-memory pool's clock, so both sides of a flow see one time.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.inner.clock = Arc::new(clock);
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
        if let Some(validity) = s.session_validity
            && !(MIN_SESSION_VALIDITY..=MAX_SESSION_VALIDITY).contains(&validity)
        {
            return Err(Error::invalid(
                Field::Session,
                "validity must be 3 to 15 minutes (the app client's AuthSessionValidity)",
            ));
        }
        Ok(s)
    }
}

/// What the library answers by itself during one sign-in, and the secrets
/// it answers with. In memory only: a [`SavedChallenge`] never holds it,
/// and its `Debug` shows nothing.
#[derive(Clone, Default)]
pub(crate) struct Autopilot {
    /// USER_SRP_AUTH's secrets, for the one PASSWORD_VERIFIER.
    srp: Option<Arc<SrpOnce>>,
    /// The remembered device presented, for DEVICE_SRP_AUTH and
    /// DEVICE_PASSWORD_VERIFIER, whenever they come (before or after the
    /// person's MFA step).
    device: Option<Arc<DeviceProof>>,
}

/// A remembered device and the ephemeral of its SRP exchange in flight:
/// drawn at DEVICE_SRP_AUTH, taken whole by DEVICE_PASSWORD_VERIFIER.
struct DeviceProof {
    device: RememberedDevice,
    ephemeral: Mutex<Option<ClientEphemeral>>,
}

/// An SRP sign-in's secrets, taken whole by its one PASSWORD_VERIFIER
/// claim. Shared, not copied, by every clone of the autopilot: no copy can
/// claim a second time with the same ephemeral.
struct SrpOnce(Mutex<Option<SrpClient>>);

/// What a PASSWORD_VERIFIER claim is made with. Both secrets are zeroized
/// when dropped, which is right after the claim.
struct SrpClient {
    /// The pool id's part after `_`; not secret.
    pool_name: String,
    password: SecretString,
    ephemeral: ClientEphemeral,
}

impl fmt::Debug for Autopilot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Autopilot(** redacted **)")
    }
}

impl Autopilot {
    /// An autopilot that answers USER_SRP_AUTH's PASSWORD_VERIFIER once.
    fn srp(client: SrpClient) -> Self {
        Self {
            srp: Some(Arc::new(SrpOnce(Mutex::new(Some(client))))),
            device: None,
        }
    }

    /// The same without the SRP secrets, for a step a person answers (the
    /// device stays: its steps may follow the person's).
    fn without_srp(mut self) -> Self {
        self.srp = None;
        self
    }

    /// The same, presenting `device`.
    fn with_device(mut self, device: Option<&RememberedDevice>) -> Self {
        self.device = device.map(|device| {
            Arc::new(DeviceProof {
                device: device.clone(),
                ephemeral: Mutex::new(None),
            })
        });
        self
    }

    /// The same, presenting the device `other` presents, if any.
    fn with_device_of(mut self, other: &Autopilot) -> Self {
        self.device.clone_from(&other.device);
        self
    }

    /// DEVICE_KEY, sent with every request of a sign-in on a device.
    fn device_key(&self) -> Option<&str> {
        self.device.as_deref().map(|d| d.device.key())
    }

    /// The answer to a step the library answers itself.
    fn answer(
        &mut self,
        operation: Operation,
        name: &ChallengeName,
        response: &AuthResponse,
        sign_in: &SignIn,
    ) -> Result<Parameters, Error> {
        match name {
            ChallengeName::PasswordVerifier => {
                self.password_verifier(operation, response, sign_in.now())
            }
            ChallengeName::DeviceSrpAuth => self.device_srp(operation),
            ChallengeName::DevicePasswordVerifier => {
                self.device_password_verifier(operation, response, sign_in.now())
            }
            _ => Err(Error::unexpected(
                operation,
                "a step the library answers, unknown to it",
            )),
        }
    }

    fn device_proof(&self, operation: Operation) -> Result<&DeviceProof, Error> {
        self.device.as_deref().ok_or(Error::unexpected(
            operation,
            "a remembered-device step in a sign-in that presented no device",
        ))
    }

    /// DEVICE_SRP_AUTH: a fresh A for the device's exchange (SRP_A; the
    /// driver adds DEVICE_KEY, USERNAME and SECRET_HASH).
    fn device_srp(&self, operation: Operation) -> Result<Parameters, Error> {
        let proof = self.device_proof(operation)?;
        let ephemeral = ClientEphemeral::generate().map_err(|e| e.into_error(operation))?;
        let srp_a = ephemeral.public_hex();
        *proof
            .ephemeral
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(ephemeral);
        Ok(Parameters::new().with("SRP_A", srp_a))
    }

    /// DEVICE_PASSWORD_VERIFIER: the device's proof, the same maths as the
    /// password's over (DeviceGroupKey, DeviceKey, device password).
    fn device_password_verifier(
        &self,
        operation: Operation,
        response: &AuthResponse,
        now: SystemTime,
    ) -> Result<Parameters, Error> {
        let proof = self.device_proof(operation)?;
        let ephemeral = proof
            .ephemeral
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or(Error::unexpected(
                operation,
                "DEVICE_PASSWORD_VERIFIER without DEVICE_SRP_AUTH before it",
            ))?;
        let challenge = verifier_challenge(
            operation,
            response,
            "DEVICE_PASSWORD_VERIFIER without SALT, SRP_B or SECRET_BLOCK",
        )?;
        let timestamp = srp::timestamp(now);
        let device = &proof.device;
        let signature = ephemeral
            .device_claim(
                device.group_key(),
                device.key(),
                device.password(),
                &challenge,
                &timestamp,
            )
            .map_err(|e| e.into_error(operation))?;
        Ok(Parameters::new()
            .with("PASSWORD_CLAIM_SECRET_BLOCK", challenge.secret_block)
            .with("PASSWORD_CLAIM_SIGNATURE", signature)
            .with("TIMESTAMP", timestamp))
    }

    /// PASSWORD_CLAIM_SECRET_BLOCK (as received), PASSWORD_CLAIM_SIGNATURE
    /// and TIMESTAMP; the driver adds USERNAME and SECRET_HASH.
    fn password_verifier(
        &mut self,
        operation: Operation,
        response: &AuthResponse,
        now: SystemTime,
    ) -> Result<Parameters, Error> {
        // Taken before anything is checked: whatever happens next, this
        // sign-in makes no second claim.
        let client = self
            .srp
            .take()
            .and_then(|once| once.0.lock().unwrap_or_else(PoisonError::into_inner).take())
            .ok_or(Error::unexpected(
                operation,
                "PASSWORD_VERIFIER in a sign-in that did not start with SRP or answered it already",
            ))?;
        let challenge = verifier_challenge(
            operation,
            response,
            "PASSWORD_VERIFIER without SALT, SRP_B or SECRET_BLOCK",
        )?;
        let user_id = response
            .parameters
            .get("USER_ID_FOR_SRP")
            .map(String::as_str)
            .filter(|value| !value.is_empty())
            .ok_or(Error::unexpected(
                operation,
                "PASSWORD_VERIFIER without USER_ID_FOR_SRP",
            ))?;
        // The exact string signed is the one sent; the sign-in's clock, so
        // tests can pin it.
        let timestamp = srp::timestamp(now);
        let signature = client
            .ephemeral
            .password_claim(
                &client.pool_name,
                user_id,
                &client.password,
                &challenge,
                &timestamp,
            )
            .map_err(|e| e.into_error(operation))?;
        Ok(Parameters::new()
            .with("PASSWORD_CLAIM_SECRET_BLOCK", challenge.secret_block)
            .with("PASSWORD_CLAIM_SIGNATURE", signature)
            .with("TIMESTAMP", timestamp))
    }
}

/// SALT, SRP_B and SECRET_BLOCK of a PASSWORD_VERIFIER or
/// DEVICE_PASSWORD_VERIFIER, each there and not empty; else `missing`.
fn verifier_challenge<'a>(
    operation: Operation,
    response: &'a AuthResponse,
    missing: &'static str,
) -> Result<VerifierChallenge<'a>, Error> {
    let parameter = |name: &str| {
        response
            .parameters
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    };
    let (Some(salt_hex), Some(srp_b_hex), Some(secret_block)) = (
        parameter("SALT"),
        parameter("SRP_B"),
        parameter("SECRET_BLOCK"),
    ) else {
        return Err(Error::unexpected(operation, missing));
    };
    Ok(VerifierChallenge {
        salt_hex,
        srp_b_hex,
        secret_block,
    })
}

/// What a pending challenge holds, whatever its kind.
#[derive(Clone)]
pub(crate) struct Pending {
    pub(crate) name: ChallengeName,
    pub(crate) session: Session,
    pub(crate) username: String,
    pub(crate) client_id: String,
    pub(crate) api: Api,
    pub(crate) user_pool_id: Option<String>,
    pub(crate) expires_at: SystemTime,
    pub(crate) parameters: ChallengeParameters,
    pub(crate) available_challenges: Box<[String]>,
    pub(crate) device_key: Option<String>,
    pub(crate) autopilot: Autopilot,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("name", &self.name)
            .field("session", &self.session)
            .field("username", &self.username)
            .field("client_id", &self.client_id)
            .field("api", &self.api)
            .field("user_pool_id", &self.user_pool_id)
            .field("expires_at", &self.expires_at)
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .field("available_challenges", &self.available_challenges)
            .field("device_key", &self.device_key)
            .field("autopilot", &self.autopilot)
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
    /// `SMS_MFA`, `EMAIL_OTP` or `SMS_OTP`: a code sent to the person.
    CodeRequired(CodeChallenge),
    /// `SELECT_CHALLENGE`: USER_AUTH offers first factors to choose from.
    SelectChallenge(SelectChallenge),
    /// `WEB_AUTHN`: a passkey's assertion.
    WebAuthnRequired(WebAuthnChallenge),
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
            ChallengeName::SmsMfa | ChallengeName::EmailOtp | ChallengeName::SmsOtp => {
                Self::CodeRequired(CodeChallenge::new(pending))
            }
            ChallengeName::SelectChallenge => Self::SelectChallenge(SelectChallenge::new(pending)),
            ChallengeName::WebAuthn => Self::WebAuthnRequired(WebAuthnChallenge::new(pending)),
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
            Self::SelectChallenge(c) => Some(c.into_saved()),
            Self::WebAuthnRequired(c) => Some(c.into_saved()),
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
            Self::SelectChallenge(c) => Some(c.pending()),
            Self::WebAuthnRequired(c) => Some(c.pending()),
            Self::Unsupported(c) => Some(c.pending()),
        }
    }

    fn outcome(&self) -> &str {
        self.challenge_name().unwrap_or("tokens")
    }
}
