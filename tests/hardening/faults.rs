#![cfg(all(feature = "mock", feature = "serde", feature = "test-util"))]
//! Faults between the app and Cognito: throttling, a time-out after a code
//! was sent, a Session that expires between the two requests of a resumed
//! sign-in, and a thousand concurrent flows on one pool.
//!
//! Against `MockCognitoBackend` (what is sent, and how often) and the
//! in-memory pool (what the service then does), the latter behind `Intercept`,
//! a wrapper that throttles a call before it reaches the pool or loses the
//! pool's answer after it acted.

use cognito_mfa::backend::{
    AssociatedSoftwareToken, AuthResponse, AuthTokens, PoolMfaConfig, PoolMfaMode,
    RespondToAuthChallengeRequest, VerifiedSoftwareToken, VerifyStatus,
};
use cognito_mfa::clock::Clock;
use cognito_mfa::sign_in::{SavedChallenge, SignIn, SignInStep, TotpChallenge};
use cognito_mfa::testing::{
    Authenticator, Call, ClientOptions, Decision, InMemoryPool, Intercept, ManualClock,
};
use cognito_mfa::{
    AccessToken, Error, IdToken, MfaEnrollment, MockCognitoBackend, Operation, Password, Recovery,
    RefreshToken, ServiceError, Session, TotpSecret, TransportError, TransportKind, admin,
};
use mockall::Sequence;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

const POOL: &str = "us-east-1_Fault123";
const CLIENT: &str = "faultclient";
const SESSION: &str = "session-fault-AAAAAAAAAAAAAAAAAAAA";
const SECRET: &str = "JBSWY3DPEHPK3PXP";
const PASSWORD: &str = "Corr3ct-Horse";
/// Ten seconds into a TOTP step.
const T0: u64 = 1_700_000_020;
const STEP: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------- helpers

fn throttled(operation: Operation, code: &str) -> Error {
    Error::from_service(operation, ServiceError::new(code, "Rate exceeded"))
}

fn timed_out(operation: Operation) -> Error {
    Error::Transport(TransportError::new(
        TransportKind::TimedOut,
        operation,
        "operation timeout (all attempts including retries) occurred after 3s",
    ))
}

fn tokens(tag: &str) -> AuthResponse {
    AuthResponse::tokens(
        AuthTokens::new(
            AccessToken::new(format!("access-{tag}")),
            Duration::from_secs(3600),
        )
        .with_id_token(Some(IdToken::new(format!("id-{tag}"))))
        .with_refresh_token(Some(RefreshToken::new(format!("refresh-{tag}")))),
    )
}

fn totp(step: SignInStep) -> TotpChallenge {
    match step {
        SignInStep::TotpRequired(c) => c,
        other => panic!("expected SOFTWARE_TOKEN_MFA, got {other:?}"),
    }
}

fn done(step: SignInStep) -> AuthTokens {
    match step {
        SignInStep::Done(t) => t,
        other => panic!("expected tokens, got {other:?}"),
    }
}

fn assert_throttled(error: &Error, code: &str) {
    assert!(matches!(error, Error::Throttled(_)), "{error:?}");
    assert!(error.is_retryable(), "{error:?}");
    assert_eq!(error.recovery(), Recovery::RetryLater);
    assert!(!error.must_restart());
    assert_eq!(error.service_code(), Some(code));
}

fn assert_timed_out(error: &Error) {
    match error {
        Error::Transport(t) => {
            assert_eq!(t.kind(), TransportKind::TimedOut);
            assert!(t.may_have_reached_service());
        }
        other => panic!("expected a transport time-out, got {other:?}"),
    }
    assert!(error.must_restart(), "{error:?}");
    assert!(!error.is_retryable());
    assert!(!error.can_retry_challenge());
}

/// A mock sign-in with a TOTP challenge at hand (no call made for it).
fn mock_totp(mock: MockCognitoBackend) -> (SignIn, TotpChallenge) {
    let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
    let step = sign_in
        .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(SESSION), "alice")
        .unwrap();
    (sign_in, totp(step))
}

fn code_is(r: &RespondToAuthChallengeRequest, code: &str) -> bool {
    r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some(code)
}

// ------------------------------------------------------ throttling (mock)

#[tokio::test]
async fn a_throttled_password_step_is_retryable() {
    for code in [
        "TooManyRequestsException",
        "LimitExceededException",
        "ThrottlingException",
    ] {
        let mut mock = MockCognitoBackend::new();
        let mut seq = Sequence::new();
        let owned = code.to_owned();
        mock.expect_initiate_auth()
            .times(1)
            .in_sequence(&mut seq)
            .returning(move |_| Err(throttled(Operation::InitiateAuth, &owned)));
        mock.expect_initiate_auth()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Ok(tokens("after-throttle")));
        let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
        let password = Password::new(PASSWORD);
        let err = sign_in.password("alice", &password).await.unwrap_err();
        assert_throttled(&err, code);
        // The same request, sent again later, goes through.
        let t = done(sign_in.password("alice", &password).await.unwrap());
        assert_eq!(t.access_token.expose_secret(), "access-after-throttle");
    }
}

#[tokio::test]
async fn a_throttled_totp_answer_hands_the_challenge_back_for_the_same_request() {
    let mut mock = MockCognitoBackend::new();
    let mut seq = Sequence::new();
    mock.expect_respond_to_auth_challenge()
        .withf(|r| {
            code_is(r, "123456") && r.session.as_ref().map(|s| s.expose_secret()) == Some(SESSION)
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Err(throttled(
                Operation::RespondToAuthChallenge,
                "TooManyRequestsException",
            ))
        });
    mock.expect_respond_to_auth_challenge()
        .withf(|r| {
            code_is(r, "123456") && r.session.as_ref().map(|s| s.expose_secret()) == Some(SESSION)
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(tokens("retried")));
    let (sign_in, challenge) = mock_totp(mock);
    let rejected = challenge.answer(&sign_in, "123456").await.unwrap_err();
    assert_throttled(rejected.error(), "TooManyRequestsException");
    let again = rejected
        .retry()
        .expect("a throttled answer keeps the challenge");
    let t = done(again.answer(&sign_in, "123456").await.unwrap());
    assert_eq!(t.access_token.expose_secret(), "access-retried");
}

#[tokio::test]
async fn a_throttled_verify_hands_the_pending_enrollment_back() {
    let mut mock = MockCognitoBackend::new();
    let mut seq = Sequence::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_| Ok(AssociatedSoftwareToken::new(TotpSecret::new(SECRET), None)));
    mock.expect_verify_software_token()
        .withf(|_, code, _| code.expose_secret() == "654321")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| {
            Err(throttled(
                Operation::VerifySoftwareToken,
                "LimitExceededException",
            ))
        });
    mock.expect_verify_software_token()
        .withf(|_, code, _| code.expose_secret() == "654321")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(VerifiedSoftwareToken::new(VerifyStatus::Success, None)));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    let pending = MfaEnrollment::new("Faults")
        .account_name("alice")
        .start_with_access_token(&mock, AccessToken::new("access-token"))
        .await
        .unwrap();
    let rejected = pending.verify(&mock, "654321").await.unwrap_err();
    assert_throttled(rejected.error(), "LimitExceededException");
    let again = rejected
        .retry()
        .expect("a throttled verify keeps the enrollment");
    assert_eq!(again.secret().expose_secret(), SECRET, "the same secret");
    let enrolled = again.verify(&mock, "654321").await.unwrap();
    assert!(enrolled.totp_preferred());
}

// ------------------------------------------------ time-outs (mock)

#[tokio::test]
async fn a_timed_out_totp_answer_is_never_sent_again() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_respond_to_auth_challenge()
        .withf(|r| code_is(r, "123456"))
        .times(1)
        .returning(|_| Err(timed_out(Operation::RespondToAuthChallenge)));
    let (sign_in, challenge) = mock_totp(mock);
    let rejected = challenge.answer(&sign_in, "123456").await.unwrap_err();
    assert_timed_out(rejected.error());
    assert!(
        rejected.retry().is_none(),
        "the code may be spent: no challenge to resend it with"
    );
    // `times(1)` is checked when the SignIn (and the mock) drops.
    drop(sign_in);
}

#[tokio::test]
async fn a_timed_out_verify_is_never_sent_again() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_| Ok(AssociatedSoftwareToken::new(TotpSecret::new(SECRET), None)));
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_, _, _| Err(timed_out(Operation::VerifySoftwareToken)));
    let pending = MfaEnrollment::new("Faults")
        .account_name("alice")
        .start_with_access_token(&mock, AccessToken::new("access-token"))
        .await
        .unwrap();
    let rejected = pending.verify(&mock, "654321").await.unwrap_err();
    assert_timed_out(rejected.error());
    assert!(rejected.retry().is_none());
    mock.checkpoint();
}

#[tokio::test]
async fn a_request_that_was_never_sent_keeps_the_challenge() {
    // The contrast: a failure before the request left (no DNS, no
    // credentials) spent nothing, so the challenge comes back.
    let mut mock = MockCognitoBackend::new();
    let mut seq = Sequence::new();
    mock.expect_respond_to_auth_challenge()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Err(Error::Transport(TransportError::new(
                TransportKind::NotSent,
                Operation::RespondToAuthChallenge,
                "dispatch failure: dns error",
            )))
        });
    mock.expect_respond_to_auth_challenge()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(tokens("after-not-sent")));
    let (sign_in, challenge) = mock_totp(mock);
    let rejected = challenge.answer(&sign_in, "123456").await.unwrap_err();
    assert!(rejected.error().is_retryable());
    let again = rejected.retry().expect("nothing was spent");
    done(again.answer(&sign_in, "123456").await.unwrap());
}

// ---------------------------------------- the in-memory pool behind faults

/// What `Faulty` does to one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Refuse with TooManyRequestsException before the call reaches the pool.
    Throttle,
    /// Let the pool act, then lose its answer (a time-out after sending).
    LoseAnswer,
}

/// A switchboard of faults for the in-memory pool behind the crate's
/// `Intercept`: one queue per call, and every code that reached the pool.
#[derive(Default)]
struct Faulty {
    initiate: Mutex<VecDeque<Fault>>,
    respond: Mutex<VecDeque<Fault>>,
    verify: Mutex<VecDeque<Fault>>,
    codes_delivered: Mutex<Vec<String>>,
}

impl Faulty {
    fn next(queue: &Mutex<VecDeque<Fault>>) -> Option<Fault> {
        queue.lock().unwrap().pop_front()
    }

    fn delivered(&self) -> Vec<String> {
        self.codes_delivered.lock().unwrap().clone()
    }

    /// What to do with a call: throttle it before the pool sees it, or let
    /// the pool act and lose the answer. A code that reaches the pool is
    /// recorded.
    fn decide(&self, call: &Call<'_>) -> Decision {
        let op = call.operation;
        let queue = match op {
            Operation::AdminInitiateAuth | Operation::InitiateAuth => &self.initiate,
            Operation::AdminRespondToAuthChallenge | Operation::RespondToAuthChallenge => {
                &self.respond
            }
            Operation::VerifySoftwareToken => &self.verify,
            _ => return Decision::Forward,
        };
        let fault = Self::next(queue);
        if fault == Some(Fault::Throttle) {
            return Decision::Fail(throttled(op, "TooManyRequestsException"));
        }
        if let Some(code) = call.one_time_code() {
            self.codes_delivered.lock().unwrap().push(code.to_owned());
        }
        match fault {
            Some(Fault::LoseAnswer) => Decision::LoseAnswer(timed_out(op)),
            _ => Decision::Forward,
        }
    }
}

struct World {
    pool: InMemoryPool,
    clock: ManualClock,
    faulty: Arc<Faulty>,
    backend: Arc<Intercept<InMemoryPool>>,
    sign_in: SignIn,
}

/// An OPTIONAL pool with TOTP on, a client, and a SignIn over `Faulty`.
fn world() -> World {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(T0));
    let pool = InMemoryPool::with_clock(clock.clone());
    pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
    let client = pool.create_client(ClientOptions::new()).unwrap();
    let faulty = Arc::new(Faulty::default());
    let switchboard = faulty.clone();
    let backend = Arc::new(Intercept::new(pool.clone(), move |call| {
        switchboard.decide(call)
    }));
    let sign_in = SignIn::admin(backend.clone(), pool.pool_id(), &client.client_id)
        .build()
        .unwrap();
    World {
        pool,
        clock,
        faulty,
        backend,
        sign_in,
    }
}

impl World {
    /// Creates and enrolls `name`; returns their authenticator. The clock is
    /// then moved to the next step, so the next code is fresh.
    async fn enrolled(&self, name: &str) -> Authenticator {
        self.pool.create_user(name, PASSWORD).unwrap();
        let t = done(
            self.sign_in
                .password(name, &Password::new(PASSWORD))
                .await
                .unwrap(),
        );
        let pending = MfaEnrollment::new("Faults")
            .account_name(name)
            .start_with_access_token(&*self.backend, t.access_token)
            .await
            .unwrap();
        let app = Authenticator::new(pending.secret()).unwrap();
        pending
            .verify(
                &*self.backend,
                app.code_for_clock(&self.clock).expose_secret(),
            )
            .await
            .unwrap();
        self.clock.advance(STEP);
        app
    }

    async fn challenge(&self, name: &str) -> TotpChallenge {
        totp(
            self.sign_in
                .password(name, &Password::new(PASSWORD))
                .await
                .unwrap(),
        )
    }
}

#[tokio::test]
async fn on_the_pool_a_throttled_password_step_is_retryable() {
    let w = world();
    w.pool.create_user("alice", PASSWORD).unwrap();
    w.faulty.initiate.lock().unwrap().push_back(Fault::Throttle);
    let password = Password::new(PASSWORD);
    let err = w.sign_in.password("alice", &password).await.unwrap_err();
    assert_throttled(&err, "TooManyRequestsException");
    done(w.sign_in.password("alice", &password).await.unwrap());
}

#[tokio::test]
async fn on_the_pool_a_throttled_totp_answer_is_retried_with_the_same_code() {
    let w = world();
    let app = w.enrolled("alice").await;
    let challenge = w.challenge("alice").await;
    let code = app.code_for_clock(&w.clock);
    w.faulty.respond.lock().unwrap().push_back(Fault::Throttle);
    let rejected = challenge
        .answer(&w.sign_in, code.expose_secret())
        .await
        .unwrap_err();
    assert_throttled(rejected.error(), "TooManyRequestsException");
    let again = rejected.retry().expect("the challenge comes back");
    // The throttled request never reached the pool: the code is unspent.
    let t = done(
        again
            .answer(&w.sign_in, code.expose_secret())
            .await
            .unwrap(),
    );
    let who = admin::mfa_status(&w.pool, &t.access_token).await.unwrap();
    assert_eq!(who.username, "alice");
    assert_eq!(
        w.faulty.delivered().last(),
        Some(&code.expose_secret().to_owned())
    );
}

#[tokio::test]
async fn on_the_pool_a_throttled_verify_is_retried_with_the_same_code() {
    let w = world();
    w.pool.create_user("alice", PASSWORD).unwrap();
    let t = done(
        w.sign_in
            .password("alice", &Password::new(PASSWORD))
            .await
            .unwrap(),
    );
    let pending = MfaEnrollment::new("Faults")
        .start_with_access_token(&*w.backend, t.access_token)
        .await
        .unwrap();
    let app = Authenticator::new(pending.secret()).unwrap();
    let code = app.code_for_clock(&w.clock);
    w.faulty.verify.lock().unwrap().push_back(Fault::Throttle);
    let rejected = pending
        .verify(&*w.backend, code.expose_secret())
        .await
        .unwrap_err();
    assert_throttled(rejected.error(), "TooManyRequestsException");
    let again = rejected.retry().expect("the enrollment comes back");
    let enrolled = again
        .verify(&*w.backend, code.expose_secret())
        .await
        .unwrap();
    assert!(enrolled.totp_enabled());
    assert_eq!(w.faulty.delivered(), [code.expose_secret().to_owned()]);
}

#[tokio::test]
async fn on_the_pool_a_lost_answer_spent_the_code_so_it_is_not_resent() {
    let w = world();
    let app = w.enrolled("alice").await;
    let challenge = w.challenge("alice").await;
    let code = app.code_for_clock(&w.clock);
    // The pool accepts the code and issues tokens; the answer is lost.
    w.faulty
        .respond
        .lock()
        .unwrap()
        .push_back(Fault::LoseAnswer);
    let rejected = challenge
        .answer(&w.sign_in, code.expose_secret())
        .await
        .unwrap_err();
    assert_timed_out(rejected.error());
    assert!(
        rejected.retry().is_none(),
        "nothing to resend the code with"
    );
    let sent_at_sign_in: Vec<String> = w
        .faulty
        .delivered()
        .into_iter()
        .skip(1) // the code that verified the enrollment
        .collect();
    assert_eq!(sent_at_sign_in, [code.expose_secret().to_owned()]);
    // What a resend would have met: the code is spent.
    let restarted = w.challenge("alice").await;
    let err = restarted
        .answer(&w.sign_in, code.expose_secret())
        .await
        .unwrap_err();
    assert!(matches!(err.error(), Error::CodeAlreadyUsed), "{err:?}");
    // The restart goes through with the next code.
    w.clock.advance(STEP);
    let next = app.code_for_clock(&w.clock);
    let restarted = err.retry().expect("a reused code keeps the challenge");
    done(
        restarted
            .answer(&w.sign_in, next.expose_secret())
            .await
            .unwrap(),
    );
}

// ------------------------------------- a Session that expires in between

#[tokio::test]
async fn a_session_that_expires_between_the_requests_of_a_resumed_sign_in_restarts() {
    let w = world();
    let app = w.enrolled("alice").await;
    // Request 1: the password, and the challenge saved to a store.
    let challenge = w.challenge("alice").await;
    let stored = serde_json::to_string(&challenge.into_saved()).unwrap();
    // The person takes longer than the Session lives (3 minutes).
    w.clock.advance(Duration::from_secs(3 * 60 + 1));
    // Request 2: resumed. Locally it still looks valid (the library judges
    // by real time, and the pool's clock ran ahead), so the answer is sent.
    let saved: SavedChallenge = serde_json::from_str(&stored).unwrap();
    let challenge = totp(w.sign_in.resume(saved).unwrap());
    let code = app.code_for_clock(&w.clock);
    let rejected = challenge
        .answer(&w.sign_in, code.expose_secret())
        .await
        .unwrap_err();
    assert!(
        matches!(rejected.error(), Error::SessionExpired),
        "{rejected:?}"
    );
    assert!(rejected.error().must_restart());
    assert!(rejected.retry().is_none());
    // Restarting works, with the same (unspent) code.
    let again = w.challenge("alice").await;
    done(
        again
            .answer(&w.sign_in, code.expose_secret())
            .await
            .unwrap(),
    );
}

#[test]
fn resuming_past_the_expiry_is_refused_without_a_call() {
    // No expectations: any call panics. A whole second: expiry is saved in
    // Unix seconds.
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let sign_in = SignIn::admin(MockCognitoBackend::new(), POOL, CLIENT)
        .clock(clock.clone())
        .session_validity(Duration::from_secs(5 * 60))
        .build()
        .unwrap();
    let saved = sign_in
        .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(SESSION), "alice")
        .unwrap()
        .into_saved()
        .unwrap();
    let expires = saved.expires_at();
    assert_eq!(
        expires.duration_since(clock.now()).unwrap().as_secs(),
        5 * 60,
        "stamped with the client's AuthSessionValidity"
    );
    clock.set(expires - Duration::from_secs(1));
    let before = sign_in.resume(saved.clone());
    assert!(matches!(before, Ok(SignInStep::TotpRequired(_))));
    for late in [
        expires,
        expires + Duration::from_secs(1),
        expires + STEP * 100,
    ] {
        clock.set(late);
        let err = sign_in.resume(saved.clone()).unwrap_err();
        assert!(matches!(err, Error::SessionExpired), "{err:?}");
        assert!(err.must_restart());
    }
}

// ------------------------------------------- a thousand concurrent flows

const USERS: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_flows_keep_their_states_apart() {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(T0));
    let pool = InMemoryPool::with_clock(clock.clone());
    pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
    let client = pool.create_client(ClientOptions::new()).unwrap();
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .build()
        .unwrap();
    for i in 0..USERS {
        pool.create_user(format!("user{i:04}"), format!("{PASSWORD}-{i}"))
            .unwrap();
    }

    let mut tasks = Vec::with_capacity(USERS);
    for i in 0..USERS {
        let (pool, clock, sign_in) = (pool.clone(), clock.clone(), sign_in.clone());
        tasks.push(tokio::spawn(async move {
            let name = format!("user{i:04}");
            let password = Password::new(format!("{PASSWORD}-{i}"));
            let first = done(sign_in.password(&name, &password).await.unwrap());
            let pending = MfaEnrollment::new("Faults")
                .account_name(&name)
                .start_with_access_token(&pool, first.access_token)
                .await
                .unwrap();
            let app = Authenticator::new(pending.secret()).unwrap();
            // Verify with the previous step's code (inside the pool's ±1
            // window) so the current one is still fresh for the sign-in.
            let earlier = app.code_at(clock.now() - STEP);
            pending
                .verify(&pool, earlier.expose_secret())
                .await
                .unwrap();
            tokio::task::yield_now().await;
            let challenge = totp(sign_in.password(&name, &password).await.unwrap());
            assert_eq!(challenge.username(), name);
            let code = app.code_for_clock(&clock);
            let t = done(
                challenge
                    .answer(&sign_in, code.expose_secret())
                    .await
                    .unwrap(),
            );
            let who = admin::mfa_status(&pool, &t.access_token).await.unwrap();
            assert_eq!(who.username, name, "tokens of another user");
            assert!(who.totp_enabled());
            (
                name,
                pending_secret(&pool, &who.username),
                t.access_token.expose_secret().to_owned(),
                t.refresh_token.unwrap().expose_secret().to_owned(),
            )
        }));
    }
    let mut names = HashSet::new();
    let mut secrets = HashSet::new();
    let mut access = HashSet::new();
    let mut refresh = HashSet::new();
    for task in tasks {
        let (name, secret, a, r) = task.await.unwrap();
        names.insert(name);
        secrets.insert(secret);
        access.insert(a);
        refresh.insert(r);
    }
    assert_eq!(names.len(), USERS);
    assert_eq!(secrets.len(), USERS, "two users share a TOTP secret");
    assert_eq!(access.len(), USERS, "two flows got the same access token");
    assert_eq!(refresh.len(), USERS, "two flows got the same refresh token");

    // Swapped saved challenges: each user's Session is bound to them.
    clock.advance(STEP);
    let apps: Vec<Authenticator> = ["user0001", "user0002"]
        .iter()
        .map(|n| Authenticator::new(&pool.user_secret(n).unwrap()).unwrap())
        .collect();
    let (code_a, code_b) = (
        apps[0].code_for_clock(&clock),
        apps[1].code_for_clock(&clock),
    );
    assert_ne!(code_a.expose_secret(), code_b.expose_secret());
    let pw = |i: usize| Password::new(format!("{PASSWORD}-{i}"));
    let saved_a = serde_json::to_string(
        &totp(sign_in.password("user0001", &pw(1)).await.unwrap()).into_saved(),
    )
    .unwrap();
    let saved_b = serde_json::to_string(
        &totp(sign_in.password("user0002", &pw(2)).await.unwrap()).into_saved(),
    )
    .unwrap();
    // The stores got mixed up: A's challenge is answered with B's code.
    let a = totp(
        sign_in
            .resume(serde_json::from_str(&saved_a).unwrap())
            .unwrap(),
    );
    let rejected = a
        .answer(&sign_in, code_b.expose_secret())
        .await
        .unwrap_err();
    assert!(
        matches!(rejected.error(), Error::CodeMismatch),
        "{rejected:?}"
    );
    // A forged one: A's Session under B's name, with B's code.
    let mut forged: serde_json::Value = serde_json::from_str(&saved_a).unwrap();
    forged["username"] = "user0002".into();
    let forged = totp(
        sign_in
            .resume(serde_json::from_value(forged).unwrap())
            .unwrap(),
    );
    let err = forged
        .answer(&sign_in, code_b.expose_secret())
        .await
        .unwrap_err();
    assert!(matches!(err.error(), Error::SessionExpired), "{err:?}");
    // Each challenge still signs in its own user, and only that user.
    let a = rejected.retry().expect("a wrong code keeps the challenge");
    let ta = done(a.answer(&sign_in, code_a.expose_secret()).await.unwrap());
    let b = totp(
        sign_in
            .resume(serde_json::from_str(&saved_b).unwrap())
            .unwrap(),
    );
    let tb = done(b.answer(&sign_in, code_b.expose_secret()).await.unwrap());
    let who_a = admin::mfa_status(&pool, &ta.access_token).await.unwrap();
    let who_b = admin::mfa_status(&pool, &tb.access_token).await.unwrap();
    assert_eq!(
        (who_a.username.as_str(), who_b.username.as_str()),
        ("user0001", "user0002")
    );
}

fn pending_secret(pool: &InMemoryPool, name: &str) -> String {
    pool.user_secret(name).unwrap().expose_secret().to_owned()
}
