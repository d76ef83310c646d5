//! Test doubles for code built on [`CognitoBackend`]: a backend that replays
//! a script ([`ScriptedBackend`]) and one that forwards to another while a
//! hook watches, fails or loses calls ([`Intercept`]).
//!
//! They implement every method of the trait once, here, so tests, fuzz
//! targets and benchmarks don't each restate it, and a new Cognito call is
//! added in one place.

use crate::backend::{
    AppClient, AssociatedSoftwareToken, AuthResponse, CognitoBackend, ConfirmDeviceRequest, Device,
    DevicePage, DeviceRememberedStatus, InitiateAuthRequest, MfaPreferenceUpdate, Parameters,
    PoolMfaConfig, RespondToAuthChallengeRequest, TokenAuth, UserMfaSettings, UserPoolDescription,
    UserTarget, VerifiedSoftwareToken,
};
use crate::error::{Error, Operation, TransportError, TransportKind};
use crate::secret::OneTimeCode;
use async_trait::async_trait;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panicked while holding the lock has failed already.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The error a [`ScriptedBackend`] gives for a call it has no answer for:
/// a request that was never sent.
pub fn not_scripted(operation: Operation) -> Error {
    Error::Transport(TransportError::new(
        TransportKind::NotSent,
        operation,
        "not scripted",
    ))
}

/// A backend that replays scripted answers, in order, and records which
/// calls it saw.
///
/// InitiateAuth and RespondToAuthChallenge (admin or public) share one queue
/// ([`push_auth`](Self::push_auth)), since a sign-in is one conversation;
/// the enrollment calls have their own. A call with nothing scripted fails
/// with [`not_scripted`].
///
/// ```
/// # async fn demo() -> Result<(), cognito_mfa::Error> {
/// use cognito_mfa::backend::{AuthResponse, AuthTokens};
/// use cognito_mfa::sign_in::{SignIn, SignInStep};
/// use cognito_mfa::testing::ScriptedBackend;
/// use cognito_mfa::{AccessToken, Password};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let backend = Arc::new(ScriptedBackend::new());
/// backend.push_auth(Ok(AuthResponse::tokens(AuthTokens::new(
///     AccessToken::new("access"),
///     Duration::from_secs(3600),
/// ))));
/// let sign_in = SignIn::public(backend.clone(), "client1234567890").build()?;
/// let step = sign_in.password("alice", &Password::new("pw")).await?;
/// assert!(matches!(step, SignInStep::Done(_)));
/// assert_eq!(backend.calls(), ["InitiateAuth"]);
/// # Ok(())
/// # }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Default)]
pub struct ScriptedBackend {
    auth: Mutex<VecDeque<Result<AuthResponse, Error>>>,
    associate: Mutex<VecDeque<Result<AssociatedSoftwareToken, Error>>>,
    verify: Mutex<VecDeque<Result<VerifiedSoftwareToken, Error>>>,
    calls: Mutex<Vec<Operation>>,
    requests: Mutex<Vec<SeenRequest>>,
}

/// What a [`ScriptedBackend`] saw of an InitiateAuth or
/// RespondToAuthChallenge request: names, never values.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRequest {
    /// The call.
    pub operation: Operation,
    /// The challenge answered (RespondToAuthChallenge only).
    pub challenge: Option<String>,
    /// Whether a Session was sent.
    pub had_session: bool,
    /// The parameter names sent, in order.
    pub parameter_names: Vec<String>,
}

impl fmt::Debug for ScriptedBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptedBackend")
            .field("calls", &*lock(&self.calls))
            .finish_non_exhaustive()
    }
}

impl ScriptedBackend {
    /// A backend with nothing scripted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues the next answer to InitiateAuth or RespondToAuthChallenge.
    pub fn push_auth(&self, answer: Result<AuthResponse, Error>) -> &Self {
        lock(&self.auth).push_back(answer);
        self
    }

    /// Queues the next answer to AssociateSoftwareToken.
    pub fn push_associate(&self, answer: Result<AssociatedSoftwareToken, Error>) -> &Self {
        lock(&self.associate).push_back(answer);
        self
    }

    /// Queues the next answer to VerifySoftwareToken.
    pub fn push_verify(&self, answer: Result<VerifiedSoftwareToken, Error>) -> &Self {
        lock(&self.verify).push_back(answer);
        self
    }

    /// The calls made so far, by Cognito's names.
    pub fn calls(&self) -> Vec<&'static str> {
        lock(&self.calls).iter().map(|op| op.name()).collect()
    }

    /// The sign-in requests made so far.
    pub fn requests(&self) -> Vec<SeenRequest> {
        lock(&self.requests).clone()
    }

    /// How many scripted auth answers are still queued.
    pub fn auth_left(&self) -> usize {
        lock(&self.auth).len()
    }

    fn record(&self, operation: Operation) {
        lock(&self.calls).push(operation);
    }

    fn seen(
        &self,
        operation: Operation,
        challenge: Option<String>,
        had_session: bool,
        p: &Parameters,
    ) {
        self.record(operation);
        lock(&self.requests).push(SeenRequest {
            operation,
            challenge,
            had_session,
            parameter_names: p.names().map(str::to_owned).collect(),
        });
    }

    fn next<T>(
        queue: &Mutex<VecDeque<Result<T, Error>>>,
        operation: Operation,
    ) -> Result<T, Error> {
        lock(queue)
            .pop_front()
            .unwrap_or_else(|| Err(not_scripted(operation)))
    }
}

#[async_trait]
impl CognitoBackend for ScriptedBackend {
    async fn associate_software_token(
        &self,
        _auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error> {
        self.record(Operation::AssociateSoftwareToken);
        Self::next(&self.associate, Operation::AssociateSoftwareToken)
    }

    async fn verify_software_token(
        &self,
        _auth: TokenAuth,
        _code: OneTimeCode,
        _friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error> {
        self.record(Operation::VerifySoftwareToken);
        Self::next(&self.verify, Operation::VerifySoftwareToken)
    }

    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        _update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        let op = user.set_preference_operation();
        self.record(op);
        Err(not_scripted(op))
    }

    async fn get_user_mfa_settings(&self, user: UserTarget) -> Result<UserMfaSettings, Error> {
        let op = user.get_operation();
        self.record(op);
        Err(not_scripted(op))
    }

    async fn admin_delete_software_token(
        &self,
        _user_pool_id: String,
        _username: String,
    ) -> Result<(), Error> {
        self.record(Operation::AdminDeleteSoftwareToken);
        Err(not_scripted(Operation::AdminDeleteSoftwareToken))
    }

    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        let op = request.operation();
        self.seen(op, None, false, &request.parameters);
        Self::next(&self.auth, op)
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        let op = request.operation();
        self.seen(
            op,
            Some(request.challenge.as_str().to_owned()),
            request.session.is_some(),
            &request.responses,
        );
        Self::next(&self.auth, op)
    }

    async fn get_user_pool_mfa_config(
        &self,
        _user_pool_id: String,
    ) -> Result<PoolMfaConfig, Error> {
        self.record(Operation::GetUserPoolMfaConfig);
        Err(not_scripted(Operation::GetUserPoolMfaConfig))
    }

    async fn set_user_pool_mfa_config(
        &self,
        _user_pool_id: String,
        _config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        self.record(Operation::SetUserPoolMfaConfig);
        Err(not_scripted(Operation::SetUserPoolMfaConfig))
    }

    async fn describe_user_pool_client(
        &self,
        _user_pool_id: String,
        _client_id: String,
    ) -> Result<AppClient, Error> {
        self.record(Operation::DescribeUserPoolClient);
        Err(not_scripted(Operation::DescribeUserPoolClient))
    }
}

/// A call as an [`Intercept`] hook sees it.
#[non_exhaustive]
#[derive(Debug)]
pub struct Call<'a> {
    /// The Cognito call.
    pub operation: Operation,
    /// The request's `AuthParameters` or `ChallengeResponses`, for the
    /// sign-in calls.
    pub parameters: Option<&'a Parameters>,
    /// The code sent, for VerifySoftwareToken.
    pub code: Option<&'a OneTimeCode>,
}

impl Call<'_> {
    /// The one-time code the call carries, wherever it sits
    /// (VerifySoftwareToken's UserCode, or a `*_CODE` challenge response).
    pub fn one_time_code(&self) -> Option<&str> {
        if let Some(code) = self.code {
            return Some(code.expose_secret());
        }
        let params = self.parameters?;
        params
            .names()
            .find(|n| n.ends_with("_CODE"))
            .and_then(|n| params.get(n))
    }
}

/// What an [`Intercept`] does with a call.
#[non_exhaustive]
#[derive(Debug)]
pub enum Decision {
    /// Pass it on and return the answer.
    Forward,
    /// Fail it with this error without passing it on (the request never
    /// reached the service: a throttle, a refused connection).
    Fail(Error),
    /// Pass it on, let the backend act, then lose the answer and fail with
    /// this error (a time-out after sending).
    LoseAnswer(Error),
}

type Hook = dyn Fn(&Call<'_>) -> Decision + Send + Sync;

/// A backend that forwards every call to another while a hook watches each
/// one and may fail it or lose its answer: the shape of a network fault,
/// a throttle, or a spy that records what was sent.
///
/// ```
/// use cognito_mfa::testing::{Decision, InMemoryPool, Intercept};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let calls = Arc::new(AtomicUsize::new(0));
/// let seen = calls.clone();
/// let backend = Intercept::new(InMemoryPool::new(), move |_call| {
///     seen.fetch_add(1, Ordering::SeqCst);
///     Decision::Forward
/// });
/// # let _ = backend;
/// ```
pub struct Intercept<B> {
    inner: B,
    hook: Box<Hook>,
}

impl<B> fmt::Debug for Intercept<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Intercept").finish_non_exhaustive()
    }
}

impl<B: CognitoBackend> Intercept<B> {
    /// Wraps `inner`; `hook` decides the fate of each call.
    pub fn new(inner: B, hook: impl Fn(&Call<'_>) -> Decision + Send + Sync + 'static) -> Self {
        Self {
            inner,
            hook: Box::new(hook),
        }
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &B {
        &self.inner
    }

    async fn run<T, F>(&self, call: Call<'_>, forward: F) -> Result<T, Error>
    where
        F: Future<Output = Result<T, Error>>,
    {
        match (self.hook)(&call) {
            Decision::Forward => forward.await,
            Decision::Fail(error) => Err(error),
            Decision::LoseAnswer(error) => {
                let _answer = forward.await;
                Err(error)
            }
        }
    }
}

fn call(operation: Operation) -> Call<'static> {
    Call {
        operation,
        parameters: None,
        code: None,
    }
}

#[async_trait]
impl<B: CognitoBackend> CognitoBackend for Intercept<B> {
    async fn associate_software_token(
        &self,
        auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error> {
        self.run(
            call(Operation::AssociateSoftwareToken),
            self.inner.associate_software_token(auth),
        )
        .await
    }

    async fn verify_software_token(
        &self,
        auth: TokenAuth,
        code: OneTimeCode,
        friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error> {
        let seen = Call {
            code: Some(&code),
            ..call(Operation::VerifySoftwareToken)
        };
        let forward = self
            .inner
            .verify_software_token(auth, code.clone(), friendly_device_name);
        self.run(seen, forward).await
    }

    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        self.run(
            call(user.set_preference_operation()),
            self.inner.set_user_mfa_preference(user, update),
        )
        .await
    }

    async fn get_user_mfa_settings(&self, user: UserTarget) -> Result<UserMfaSettings, Error> {
        self.run(
            call(user.get_operation()),
            self.inner.get_user_mfa_settings(user),
        )
        .await
    }

    async fn admin_delete_software_token(
        &self,
        user_pool_id: String,
        username: String,
    ) -> Result<(), Error> {
        self.run(
            call(Operation::AdminDeleteSoftwareToken),
            self.inner
                .admin_delete_software_token(user_pool_id, username),
        )
        .await
    }

    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        let parameters = request.parameters.clone();
        let seen = Call {
            parameters: Some(&parameters),
            ..call(request.operation())
        };
        self.run(seen, self.inner.initiate_auth(request)).await
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        let responses = request.responses.clone();
        let seen = Call {
            parameters: Some(&responses),
            ..call(request.operation())
        };
        self.run(seen, self.inner.respond_to_auth_challenge(request))
            .await
    }

    async fn get_user_pool_mfa_config(&self, user_pool_id: String) -> Result<PoolMfaConfig, Error> {
        self.run(
            call(Operation::GetUserPoolMfaConfig),
            self.inner.get_user_pool_mfa_config(user_pool_id),
        )
        .await
    }

    async fn set_user_pool_mfa_config(
        &self,
        user_pool_id: String,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        self.run(
            call(Operation::SetUserPoolMfaConfig),
            self.inner.set_user_pool_mfa_config(user_pool_id, config),
        )
        .await
    }

    async fn describe_user_pool_client(
        &self,
        user_pool_id: String,
        client_id: String,
    ) -> Result<AppClient, Error> {
        self.run(
            call(Operation::DescribeUserPoolClient),
            self.inner
                .describe_user_pool_client(user_pool_id, client_id),
        )
        .await
    }

    async fn confirm_device(&self, request: ConfirmDeviceRequest) -> Result<bool, Error> {
        self.run(
            call(Operation::ConfirmDevice),
            self.inner.confirm_device(request),
        )
        .await
    }

    async fn update_device_status(
        &self,
        user: UserTarget,
        device_key: String,
        status: DeviceRememberedStatus,
    ) -> Result<(), Error> {
        self.run(
            call(user.update_device_status_operation()),
            self.inner.update_device_status(user, device_key, status),
        )
        .await
    }

    async fn list_devices(
        &self,
        user: UserTarget,
        limit: Option<u32>,
        pagination_token: Option<String>,
    ) -> Result<DevicePage, Error> {
        self.run(
            call(user.list_devices_operation()),
            self.inner.list_devices(user, limit, pagination_token),
        )
        .await
    }

    async fn get_device(&self, user: UserTarget, device_key: String) -> Result<Device, Error> {
        self.run(
            call(user.get_device_operation()),
            self.inner.get_device(user, device_key),
        )
        .await
    }

    async fn forget_device(&self, user: UserTarget, device_key: String) -> Result<(), Error> {
        self.run(
            call(user.forget_device_operation()),
            self.inner.forget_device(user, device_key),
        )
        .await
    }

    async fn describe_user_pool(&self, user_pool_id: String) -> Result<UserPoolDescription, Error> {
        self.run(
            call(Operation::DescribeUserPool),
            self.inner.describe_user_pool(user_pool_id),
        )
        .await
    }
}
