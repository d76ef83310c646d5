//! The in-memory pool, driven only through `CognitoBackend` (plus its setup
//! helpers), against the behaviour in the Cognito notes. No sleeping: the
//! pool's `ManualClock` is moved instead.
#![cfg(feature = "test-util")]

use cognito_mfa::backend::Api;
use cognito_mfa::backend::{
    AuthFlow, AuthResponse, ChallengeName, CognitoBackend, FactorPreference, InitiateAuthRequest,
    MfaFactor, MfaPreferenceUpdate, Parameters, PoolMfaConfig, PoolMfaMode,
    RespondToAuthChallengeRequest, TokenAuth, UserStatus, UserTarget, VerifyStatus,
};
use cognito_mfa::clock::Clock;
use cognito_mfa::testing::{Authenticator, ClientOptions, InMemoryPool, ManualClock};
use cognito_mfa::{AccessToken, ClientSecret, Error, OneTimeCode, Session, secret_hash};
use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Ten seconds into a TOTP step, so ±29 s stays in the same step.
const T0: u64 = 1_700_000_020;
const STEP: Duration = Duration::from_secs(30);
const PASSWORD: &str = "Corr3ct-Horse";

struct Fixture {
    pool: InMemoryPool,
    clock: ManualClock,
    client_id: String,
    secret: Option<ClientSecret>,
}

fn fixture_with(mode: PoolMfaMode, totp: bool, options: ClientOptions) -> Fixture {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(T0));
    let pool = InMemoryPool::with_clock(clock.clone());
    pool.set_mfa_config(PoolMfaConfig::new(mode, totp));
    let client = pool.create_client(options).expect("client");
    Fixture {
        pool,
        clock,
        client_id: client.client_id,
        secret: client.client_secret,
    }
}

fn fixture(mode: PoolMfaMode) -> Fixture {
    fixture_with(mode, true, ClientOptions::new())
}

impl Fixture {
    fn hash(&self, username: &str) -> Option<String> {
        self.secret
            .as_ref()
            .map(|s| secret_hash(s, username, &self.client_id))
    }

    fn with_hash(&self, params: Parameters, username: &str) -> Parameters {
        match self.hash(username) {
            Some(hash) => params.with("SECRET_HASH", hash),
            None => params,
        }
    }

    async fn initiate(&self, flow: AuthFlow, params: Parameters) -> Result<AuthResponse, Error> {
        let admin = flow == AuthFlow::AdminUserPassword;
        self.pool
            .initiate_auth(InitiateAuthRequest::new(
                (admin.then(|| self.pool.pool_id().to_owned())).map_or(Api::Public, Api::admin),
                self.client_id.clone(),
                flow,
                params,
            ))
            .await
    }

    /// USER_PASSWORD_AUTH, with SECRET_HASH over the name as typed.
    async fn sign_in(&self, username: &str, password: &str) -> Result<AuthResponse, Error> {
        let params = Parameters::new()
            .with("USERNAME", username)
            .with("PASSWORD", password);
        self.initiate(AuthFlow::UserPassword, self.with_hash(params, username))
            .await
    }

    /// RespondToAuthChallenge with USERNAME (and SECRET_HASH) added.
    async fn respond(
        &self,
        challenge: ChallengeName,
        session: Session,
        username: &str,
        responses: Parameters,
    ) -> Result<AuthResponse, Error> {
        let responses = self.with_hash(responses.with("USERNAME", username), username);
        self.pool
            .respond_to_auth_challenge(RespondToAuthChallengeRequest::new(
                Api::Public,
                self.client_id.clone(),
                challenge,
                Some(session),
                responses,
            ))
            .await
    }

    async fn answer_totp(
        &self,
        session: Session,
        username: &str,
        code: OneTimeCode,
    ) -> Result<AuthResponse, Error> {
        self.respond(
            ChallengeName::SoftwareTokenMfa,
            session,
            username,
            Parameters::new().with("SOFTWARE_TOKEN_MFA_CODE", code.expose_secret()),
        )
        .await
    }

    /// A signed-in user's access token, on a pool where they get no challenge.
    async fn access_token(&self, username: &str) -> AccessToken {
        let answer = self.sign_in(username, PASSWORD).await.expect("sign-in");
        assert_eq!(answer.challenge, None, "expected tokens for {username}");
        answer.tokens.expect("tokens").access_token
    }

    /// Self-service enrollment with the access token: associate, verify,
    /// enable and prefer TOTP. Returns the app and the access token.
    async fn enroll(&self, username: &str) -> (Authenticator, AccessToken) {
        self.pool.create_user(username, PASSWORD).expect("user");
        let token = self.access_token(username).await;
        let associated = self
            .pool
            .associate_software_token(TokenAuth::AccessToken(token.clone()))
            .await
            .expect("associate");
        assert!(associated.session.is_none());
        let app = Authenticator::new(&associated.secret_code).expect("authenticator");
        let verified = self
            .pool
            .verify_software_token(
                TokenAuth::AccessToken(token.clone()),
                app.code_for_clock(&self.clock),
                Some(format!("{username}'s phone")),
            )
            .await
            .expect("verify");
        assert_eq!(verified.status, VerifyStatus::Success);
        assert!(verified.session.is_none());
        self.pool
            .set_user_mfa_preference(UserTarget::AccessToken(token.clone()), {
                let mut v = MfaPreferenceUpdate::new();
                v.software_token = Some(FactorPreference {
                    enabled: true,
                    preferred: true,
                });
                v
            })
            .await
            .expect("preference");
        (app, token)
    }

    fn admin(&self, username: &str) -> UserTarget {
        UserTarget::Admin {
            user_pool_id: self.pool.pool_id().to_owned(),
            username: username.to_owned(),
        }
    }
}

fn session(answer: &AuthResponse) -> Session {
    answer.session.clone().expect("a session")
}

fn assert_challenge(answer: &AuthResponse, name: ChallengeName, username: &str) {
    assert_eq!(answer.challenge, Some(name));
    assert!(answer.tokens.is_none());
    assert_eq!(
        answer.parameters.get("USERNAME").map(String::as_str),
        Some(username)
    );
    assert_eq!(
        answer.parameters.get("USER_ID_FOR_SRP").map(String::as_str),
        Some(username)
    );
    let s = session(answer);
    assert!(s.expose_secret().len() >= 20, "a realistic Session");
}

fn assert_tokens(answer: &AuthResponse) {
    assert_eq!(answer.challenge, None);
    assert!(answer.session.is_none());
    let tokens = answer.tokens.as_ref().expect("tokens");
    assert_eq!(tokens.expires_in, Duration::from_secs(3600));
    assert_eq!(tokens.token_type, "Bearer");
    assert!(tokens.id_token.is_some());
}

fn service_code(e: &Error) -> Option<&str> {
    e.service_code()
}

fn totp_on() -> MfaPreferenceUpdate {
    {
        let mut v = MfaPreferenceUpdate::new();
        v.software_token = Some(FactorPreference {
            enabled: true,
            preferred: false,
        });
        v
    }
}

// ---------------------------------------------------------------------------

#[tokio::test]
async fn each_association_gets_its_own_random_secret() {
    let f = fixture(PoolMfaMode::Optional);
    let mut secrets = HashSet::new();
    for name in ["alice", "bob", "carol"] {
        f.pool.create_user(name, PASSWORD).unwrap();
        let token = f.access_token(name).await;
        let associated = f
            .pool
            .associate_software_token(TokenAuth::AccessToken(token))
            .await
            .unwrap();
        let secret = associated.secret_code.expose_secret().to_owned();
        // 160 bits of base32: 32 characters of A-Z2-7.
        assert_eq!(secret.len(), 32);
        assert!(
            secret
                .chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
        );
        assert_eq!(
            f.pool.user_secret(name).unwrap().expose_secret(),
            secret,
            "user_secret shows the association"
        );
        assert!(secrets.insert(secret), "secrets differ per user");
    }
}

#[tokio::test]
async fn a_new_association_replaces_an_unverified_one() {
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_user("alice", PASSWORD).unwrap();
    let token = f.access_token("alice").await;
    let first = f
        .pool
        .associate_software_token(TokenAuth::AccessToken(token.clone()))
        .await
        .unwrap();
    let second = f
        .pool
        .associate_software_token(TokenAuth::AccessToken(token.clone()))
        .await
        .unwrap();
    assert_ne!(
        first.secret_code.expose_secret(),
        second.secret_code.expose_secret()
    );
    let old_app = Authenticator::new(&first.secret_code).unwrap();
    let err = f
        .pool
        .verify_software_token(
            TokenAuth::AccessToken(token.clone()),
            old_app.code_for_clock(&f.clock),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::CodeMismatch { can_retry: true }),
        "{err:?}"
    );
    let app = Authenticator::new(&second.secret_code).unwrap();
    let ok = f
        .pool
        .verify_software_token(
            TokenAuth::AccessToken(token),
            app.code_for_clock(&f.clock),
            None,
        )
        .await
        .unwrap();
    assert_eq!(ok.status, VerifyStatus::Success);
}

#[tokio::test]
async fn verify_wrong_code_then_right_code_then_reuse_at_sign_in() {
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_user("alice", PASSWORD).unwrap();
    let token = f.access_token("alice").await;
    let associated = f
        .pool
        .associate_software_token(TokenAuth::AccessToken(token.clone()))
        .await
        .unwrap();
    let app = Authenticator::new(&associated.secret_code).unwrap();
    let code = app.code_for_clock(&f.clock);
    let wrong = if code.expose_secret() == "000000" {
        "111111"
    } else {
        "000000"
    };

    let err = f
        .pool
        .verify_software_token(
            TokenAuth::AccessToken(token.clone()),
            OneTimeCode::new(wrong),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::CodeMismatch { can_retry: true }),
        "{err:?}"
    );
    assert_eq!(service_code(&err), None);

    let verified = f
        .pool
        .verify_software_token(
            TokenAuth::AccessToken(token.clone()),
            code.clone(),
            Some("Pixel".into()),
        )
        .await
        .unwrap();
    assert_eq!(verified.status, VerifyStatus::Success);
    f.pool
        .set_user_mfa_preference(UserTarget::AccessToken(token.clone()), totp_on())
        .await
        .unwrap();

    // The verifying code was accepted once: at sign-in in the same step it
    // is refused as used, and the Session survives for the next code.
    let challenge = f.sign_in("alice", PASSWORD).await.unwrap();
    assert_challenge(&challenge, ChallengeName::SoftwareTokenMfa, "alice");
    assert_eq!(
        challenge
            .parameters
            .get("FRIENDLY_DEVICE_NAME")
            .map(String::as_str),
        Some("Pixel")
    );
    let err = f
        .answer_totp(session(&challenge), "alice", code.clone())
        .await
        .unwrap_err();
    let next_step = UNIX_EPOCH + Duration::from_secs((T0 / 30 + 1) * 30);
    assert!(matches!(err, Error::CodeAlreadyUsed), "{err:?}");
    assert_eq!(cognito_mfa::totp::next_code_at(f.clock.now()), next_step);

    f.clock.advance(STEP);
    let done = f
        .answer_totp(session(&challenge), "alice", app.code_for_clock(&f.clock))
        .await
        .unwrap();
    assert_tokens(&done);

    // And that code, once accepted at sign-in, is refused on the next.
    let again = f.sign_in("alice", PASSWORD).await.unwrap();
    let err = f
        .answer_totp(session(&again), "alice", app.code_for_clock(&f.clock))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeAlreadyUsed), "{err:?}");
}

#[tokio::test]
async fn wrong_code_at_sign_in_is_code_mismatch_and_three_spend_the_session() {
    let f = fixture(PoolMfaMode::Optional);
    let (app, _) = f.enroll("alice").await;
    f.clock.advance(STEP);
    let challenge = f.sign_in("alice", PASSWORD).await.unwrap();
    let code = app.code_for_clock(&f.clock);
    let wrong = OneTimeCode::new(if code.expose_secret() == "123456" {
        "654321"
    } else {
        "123456"
    });
    for _ in 0..2 {
        let err = f
            .answer_totp(session(&challenge), "alice", wrong.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::CodeMismatch { can_retry: true }),
            "{err:?}"
        );
    }
    // The Session survived two wrong codes; the right one still works.
    assert_tokens(
        &f.answer_totp(session(&challenge), "alice", code)
            .await
            .unwrap(),
    );

    f.clock.advance(STEP);
    let challenge = f.sign_in("alice", PASSWORD).await.unwrap();
    for _ in 0..3 {
        let err = f
            .answer_totp(session(&challenge), "alice", wrong.clone())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::CodeMismatch { .. }), "{err:?}");
    }
    let err = f
        .answer_totp(session(&challenge), "alice", app.code_for_clock(&f.clock))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
}

#[tokio::test]
async fn one_step_early_or_late_is_accepted_two_are_not() {
    let f = fixture(PoolMfaMode::Optional);
    let now = f.clock.now();

    // At verify.
    for (name, offset, accepted) in [
        ("late1", -30i64, true),
        ("early1", 30, true),
        ("late2", -60, false),
        ("early2", 60, false),
    ] {
        f.pool.create_user(name, PASSWORD).unwrap();
        let token = f.access_token(name).await;
        let associated = f
            .pool
            .associate_software_token(TokenAuth::AccessToken(token.clone()))
            .await
            .unwrap();
        let app = Authenticator::new(&associated.secret_code).unwrap();
        let at = if offset < 0 {
            now - Duration::from_secs(offset.unsigned_abs())
        } else {
            now + Duration::from_secs(offset.unsigned_abs())
        };
        let result = f
            .pool
            .verify_software_token(TokenAuth::AccessToken(token), app.code_at(at), None)
            .await;
        if accepted {
            assert!(result.is_ok(), "{name}: {result:?}");
        } else {
            let err = result.unwrap_err();
            assert!(matches!(err, Error::CodeMismatch { .. }), "{name}: {err:?}");
        }
    }

    // At sign-in.
    let (app, _) = f.enroll("alice").await;
    f.clock.advance(STEP * 3);
    let now = f.clock.now();
    let challenge = f.sign_in("alice", PASSWORD).await.unwrap();
    for at in [now - STEP * 2, now + STEP * 2] {
        let err = f
            .answer_totp(session(&challenge), "alice", app.code_at(at))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::CodeMismatch { .. }), "{err:?}");
    }
    // A code one step late (the previous step's) is accepted.
    let fresh = f.sign_in("alice", PASSWORD).await.unwrap();
    assert_tokens(
        &f.answer_totp(session(&fresh), "alice", app.code_at(now - STEP))
            .await
            .unwrap(),
    );
    // And one step early (the next step's).
    let fresh = f.sign_in("alice", PASSWORD).await.unwrap();
    assert_tokens(
        &f.answer_totp(session(&fresh), "alice", app.code_at(now + STEP))
            .await
            .unwrap(),
    );
}

#[tokio::test]
async fn sessions_expire_after_the_clients_validity() {
    let f = fixture(PoolMfaMode::Optional);
    let (app, _) = f.enroll("alice").await;
    f.clock.advance(STEP);

    // Just inside three minutes: still good.
    let challenge = f.sign_in("alice", PASSWORD).await.unwrap();
    f.clock
        .advance(Duration::from_secs(3 * 60) - Duration::from_secs(1));
    assert_tokens(
        &f.answer_totp(session(&challenge), "alice", app.code_for_clock(&f.clock))
            .await
            .unwrap(),
    );

    // At three minutes: expired.
    f.clock.advance(STEP);
    let challenge = f.sign_in("alice", PASSWORD).await.unwrap();
    f.clock.advance(Duration::from_secs(3 * 60));
    let err = f
        .answer_totp(session(&challenge), "alice", app.code_for_clock(&f.clock))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
    assert!(err.must_restart());

    // A client with 5-minute Sessions keeps them for four minutes.
    let five = f
        .pool
        .create_client(ClientOptions::new().auth_session_validity(Duration::from_secs(300)))
        .unwrap();
    assert_eq!(five.auth_session_validity, Some(Duration::from_secs(300)));
    let f5 = Fixture {
        pool: f.pool.clone(),
        clock: f.clock.clone(),
        client_id: five.client_id,
        secret: None,
    };
    f5.clock.advance(STEP);
    let challenge = f5.sign_in("alice", PASSWORD).await.unwrap();
    f5.clock.advance(Duration::from_secs(4 * 60));
    assert_tokens(
        &f5.answer_totp(session(&challenge), "alice", app.code_for_clock(&f5.clock))
            .await
            .unwrap(),
    );

    // Validity outside 3–15 minutes is refused.
    for minutes in [2, 16] {
        let options = ClientOptions::new().auth_session_validity(Duration::from_secs(minutes * 60));
        let err = f.pool.create_client(options).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterException");
    }
}

#[tokio::test]
async fn mfa_setup_sessions_expire_too() {
    let f = fixture(PoolMfaMode::On);
    f.pool.create_user("alice", PASSWORD).unwrap();
    let setup = f.sign_in("alice", PASSWORD).await.unwrap();
    f.clock.advance(Duration::from_secs(3 * 60));
    let err = f
        .pool
        .associate_software_token(TokenAuth::Session(session(&setup)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
}

#[tokio::test]
async fn a_spent_session_is_refused() {
    let f = fixture(PoolMfaMode::Optional);
    let (app, _) = f.enroll("alice").await;
    f.clock.advance(STEP);
    let challenge = f.sign_in("alice", PASSWORD).await.unwrap();
    assert_tokens(
        &f.answer_totp(session(&challenge), "alice", app.code_for_clock(&f.clock))
            .await
            .unwrap(),
    );
    f.clock.advance(STEP);
    let err = f
        .answer_totp(session(&challenge), "alice", app.code_for_clock(&f.clock))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");

    // A Session nobody issued.
    let err = f
        .answer_totp(
            Session::new("x".repeat(128)),
            "alice",
            app.code_for_clock(&f.clock),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");

    // MFA_SETUP: each call returns a new Session, the old one is spent.
    let on = fixture(PoolMfaMode::On);
    on.pool.create_user("bob", PASSWORD).unwrap();
    let setup = on.sign_in("bob", PASSWORD).await.unwrap();
    let s1 = session(&setup);
    let associated = on
        .pool
        .associate_software_token(TokenAuth::Session(s1.clone()))
        .await
        .unwrap();
    let s2 = associated.session.clone().unwrap();
    assert_ne!(s1.expose_secret(), s2.expose_secret());
    let err = on
        .pool
        .associate_software_token(TokenAuth::Session(s1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
}

#[tokio::test]
async fn password_and_user_errors() {
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_user("alice", PASSWORD).unwrap();

    let err = f.sign_in("alice", "wrong-password").await.unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");

    let err = f.sign_in("nobody", PASSWORD).await.unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");

    f.pool.set_user_enabled("alice", false).unwrap();
    let err = f.sign_in("alice", PASSWORD).await.unwrap_err();
    assert!(matches!(err, Error::UserDisabled), "{err:?}");
    let settings = f
        .pool
        .get_user_mfa_settings(f.admin("alice"))
        .await
        .unwrap();
    assert_eq!(settings.account_enabled, Some(false));
    f.pool.set_user_enabled("alice", true).unwrap();
    assert_tokens(&f.sign_in("alice", PASSWORD).await.unwrap());

    assert_eq!(
        f.pool.create_user("alice", "x").unwrap_err().code(),
        "UsernameExistsException"
    );
}

#[tokio::test]
async fn totp_off_on_the_pool_refuses_association_and_verification() {
    for (mode, totp) in [
        (PoolMfaMode::Optional, false),
        (PoolMfaMode::On, false),
        (PoolMfaMode::Off, true),
    ] {
        let f = fixture_with(PoolMfaMode::Off, false, ClientOptions::new());
        f.pool.create_user("alice", PASSWORD).unwrap();
        let token = f.access_token("alice").await;
        f.pool.set_mfa_config(PoolMfaConfig::new(mode, totp));
        let err = f
            .pool
            .associate_software_token(TokenAuth::AccessToken(token.clone()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::TotpNotEnabledOnPool),
            "{mode:?}: {err:?}"
        );
        let err = f
            .pool
            .verify_software_token(
                TokenAuth::AccessToken(token),
                OneTimeCode::new("123456"),
                None,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::TotpNotEnabledOnPool),
            "{mode:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn enabling_totp_before_verifying_is_refused() {
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_user("alice", PASSWORD).unwrap();
    let token = f.access_token("alice").await;
    let err = f
        .pool
        .set_user_mfa_preference(UserTarget::AccessToken(token.clone()), totp_on())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TotpNotSetUp), "{err:?}");

    // Associated but not verified: still refused, by the admin call too.
    f.pool
        .associate_software_token(TokenAuth::AccessToken(token))
        .await
        .unwrap();
    let err = f
        .pool
        .set_user_mfa_preference(f.admin("alice"), totp_on())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TotpNotSetUp), "{err:?}");
}

#[tokio::test]
async fn flows_the_client_does_not_allow_are_refused() {
    let f = fixture_with(
        PoolMfaMode::Optional,
        true,
        ClientOptions::new().explicit_auth_flows([AuthFlow::AdminUserPassword]),
    );
    f.pool.create_user("alice", PASSWORD).unwrap();
    let err = f.sign_in("alice", PASSWORD).await.unwrap_err();
    assert!(matches!(err, Error::AuthFlowNotEnabled), "{err:?}");
    let err = f
        .initiate(
            AuthFlow::RefreshToken,
            Parameters::new().with("REFRESH_TOKEN", "whatever"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AuthFlowNotEnabled), "{err:?}");

    // The admin flow, through AdminInitiateAuth, is allowed.
    let answer = f
        .initiate(
            AuthFlow::AdminUserPassword,
            Parameters::new()
                .with("USERNAME", "alice")
                .with("PASSWORD", PASSWORD),
        )
        .await
        .unwrap();
    assert_tokens(&answer);

    let described = f
        .pool
        .describe_user_pool_client(f.pool.pool_id().to_owned(), f.client_id.clone())
        .await
        .unwrap();
    assert!(described.allows(AuthFlow::AdminUserPassword));
    assert!(!described.allows(AuthFlow::UserPassword));
    assert!(described.client_secret.is_none());
    assert_eq!(
        described.auth_session_validity,
        Some(Duration::from_secs(180))
    );
}

#[tokio::test]
async fn secret_hash_is_required_and_checked() {
    let f = fixture_with(
        PoolMfaMode::Optional,
        true,
        ClientOptions::new().generate_secret(true),
    );
    let secret = f.pool.client_secret(&f.client_id).expect("a secret");
    let described = f
        .pool
        .describe_user_pool_client(f.pool.pool_id().to_owned(), f.client_id.clone())
        .await
        .unwrap();
    assert_eq!(
        described.client_secret.unwrap().expose_secret(),
        secret.expose_secret()
    );
    let (app, _) = f.enroll("alice").await;
    f.clock.advance(STEP);

    let base = Parameters::new()
        .with("USERNAME", "alice")
        .with("PASSWORD", PASSWORD);
    let err = f
        .initiate(AuthFlow::UserPassword, base.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHashMismatch), "{err:?}");
    let err = f
        .initiate(
            AuthFlow::UserPassword,
            base.clone()
                .with("SECRET_HASH", secret_hash(&secret, "bob", &f.client_id)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHashMismatch), "{err:?}");

    let challenge = f
        .initiate(
            AuthFlow::UserPassword,
            base.with("SECRET_HASH", secret_hash(&secret, "alice", &f.client_id)),
        )
        .await
        .unwrap();
    assert_challenge(&challenge, ChallengeName::SoftwareTokenMfa, "alice");

    // Every ChallengeResponses needs it too.
    let code = app.code_for_clock(&f.clock);
    let bare = |responses: Parameters| {
        RespondToAuthChallengeRequest::new(
            Api::Public,
            f.client_id.clone(),
            ChallengeName::SoftwareTokenMfa,
            Some(session(&challenge)),
            responses,
        )
    };
    let responses = Parameters::new()
        .with("USERNAME", "alice")
        .with("SOFTWARE_TOKEN_MFA_CODE", code.expose_secret());
    let err = f
        .pool
        .respond_to_auth_challenge(bare(responses.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHashMismatch), "{err:?}");
    let err = f
        .pool
        .respond_to_auth_challenge(bare(responses.clone().with("SECRET_HASH", "bm9wZQ==")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHashMismatch), "{err:?}");
    let done = f
        .pool
        .respond_to_auth_challenge(bare(
            responses.with("SECRET_HASH", secret_hash(&secret, "alice", &f.client_id)),
        ))
        .await
        .unwrap();
    assert_tokens(&done);
}

#[tokio::test]
async fn an_email_alias_signs_in_and_challenges_name_the_canonical_user() {
    let f = fixture_with(
        PoolMfaMode::Optional,
        true,
        ClientOptions::new().generate_secret(true),
    );
    let (app, _) = f.enroll("u-7f3a").await;
    f.pool
        .set_user_attribute("u-7f3a", "email", "alice@example.com")
        .unwrap();
    f.clock.advance(STEP);

    // SECRET_HASH over the email as typed.
    let challenge = f.sign_in("alice@example.com", PASSWORD).await.unwrap();
    assert_challenge(&challenge, ChallengeName::SoftwareTokenMfa, "u-7f3a");

    // The alias in USERNAME (hash over it) is refused, the Session kept.
    let err = f
        .answer_totp(
            session(&challenge),
            "alice@example.com",
            app.code_for_clock(&f.clock),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
    let done = f
        .answer_totp(session(&challenge), "u-7f3a", app.code_for_clock(&f.clock))
        .await
        .unwrap();
    assert_tokens(&done);

    f.pool.create_user("other", PASSWORD).unwrap();
    let err = f
        .pool
        .set_user_attribute("other", "email", "Alice@Example.com")
        .unwrap_err();
    assert_eq!(err.code(), "AliasExistsException");
}

#[tokio::test]
async fn new_password_then_mfa_setup_then_tokens_on_an_on_pool() {
    let f = fixture(PoolMfaMode::On);
    f.pool.admin_create_user("alice", "Temp-Pass1").unwrap();
    f.pool
        .set_user_attribute("alice", "email", "alice@example.com")
        .unwrap();
    let status = f
        .pool
        .get_user_mfa_settings(f.admin("alice"))
        .await
        .unwrap()
        .status;
    assert_eq!(status, Some(UserStatus::ForceChangePassword));

    let first = f.sign_in("alice", "Temp-Pass1").await.unwrap();
    assert_challenge(&first, ChallengeName::NewPasswordRequired, "alice");
    assert_eq!(
        first
            .parameters
            .get("requiredAttributes")
            .map(String::as_str),
        Some("[]")
    );
    let attributes: serde_json::Value =
        serde_json::from_str(&first.parameters["userAttributes"]).unwrap();
    assert_eq!(attributes["email"], "alice@example.com");

    // A password the policy refuses leaves the challenge open.
    let err = f
        .respond(
            ChallengeName::NewPasswordRequired,
            session(&first),
            "alice",
            Parameters::new().with("NEW_PASSWORD", "short"),
        )
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), Some("InvalidPasswordException"));

    let setup = f
        .respond(
            ChallengeName::NewPasswordRequired,
            session(&first),
            "alice",
            Parameters::new().with("NEW_PASSWORD", PASSWORD),
        )
        .await
        .unwrap();
    assert_challenge(&setup, ChallengeName::MfaSetup, "alice");
    assert_eq!(
        setup.parameters.get("MFAS_CAN_SETUP").map(String::as_str),
        Some("[\"SOFTWARE_TOKEN_MFA\"]")
    );

    // Answering MFA_SETUP before setting up the token is refused.
    let err = f
        .respond(
            ChallengeName::MfaSetup,
            session(&setup),
            "alice",
            Parameters::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TotpNotSetUp), "{err:?}");

    let associated = f
        .pool
        .associate_software_token(TokenAuth::Session(session(&setup)))
        .await
        .unwrap();
    let app = Authenticator::new(&associated.secret_code).unwrap();
    let s2 = associated.session.unwrap();
    let err = f
        .pool
        .verify_software_token(
            TokenAuth::Session(s2.clone()),
            OneTimeCode::new("12345"),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), Some("InvalidParameterException"));
    let code = app.code_for_clock(&f.clock);
    let verified = f
        .pool
        .verify_software_token(TokenAuth::Session(s2), code.clone(), Some("phone".into()))
        .await
        .unwrap();
    assert_eq!(verified.status, VerifyStatus::Success);
    let done = f
        .respond(
            ChallengeName::MfaSetup,
            verified.session.unwrap(),
            "alice",
            Parameters::new(),
        )
        .await
        .unwrap();
    assert_tokens(&done);
    let tokens = done.tokens.unwrap();
    assert!(tokens.refresh_token.is_some());

    let me = f
        .pool
        .get_user_mfa_settings(UserTarget::AccessToken(tokens.access_token))
        .await
        .unwrap();
    assert_eq!(me.username, "alice");
    assert_eq!(me.enabled, vec![MfaFactor::SoftwareToken]);
    assert_eq!(me.status, None);
    let admin = f
        .pool
        .get_user_mfa_settings(f.admin("alice"))
        .await
        .unwrap();
    assert_eq!(admin.status, Some(UserStatus::Confirmed));
    assert_eq!(admin.account_enabled, Some(true));

    // Next sign-in: the TOTP challenge, and the verifying code is spent.
    let challenge = f.sign_in("alice", PASSWORD).await.unwrap();
    assert_challenge(&challenge, ChallengeName::SoftwareTokenMfa, "alice");
    assert_eq!(
        challenge
            .parameters
            .get("FRIENDLY_DEVICE_NAME")
            .map(String::as_str),
        Some("phone")
    );
    let err = f
        .answer_totp(session(&challenge), "alice", code)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeAlreadyUsed), "{err:?}");
    f.clock.advance(STEP);
    assert_tokens(
        &f.answer_totp(session(&challenge), "alice", app.code_for_clock(&f.clock))
            .await
            .unwrap(),
    );
}

#[tokio::test]
async fn the_only_factor_stays_on_when_the_pool_requires_mfa() {
    let f = fixture(PoolMfaMode::Optional);
    let (_, token) = f.enroll("alice").await;
    f.pool
        .set_mfa_config(PoolMfaConfig::new(PoolMfaMode::On, true));
    let off = {
        let mut v = MfaPreferenceUpdate::new();
        v.software_token = Some(FactorPreference::default());
        v
    };
    let err = f
        .pool
        .set_user_mfa_preference(UserTarget::AccessToken(token.clone()), off)
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), Some("InvalidParameterException"));

    // On an OPTIONAL pool it may go off, and sign-in asks for no code.
    f.pool
        .set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
    f.pool
        .set_user_mfa_preference(UserTarget::AccessToken(token.clone()), off)
        .await
        .unwrap();
    let settings = f
        .pool
        .get_user_mfa_settings(UserTarget::AccessToken(token))
        .await
        .unwrap();
    assert!(settings.enabled.is_empty());
    assert_eq!(settings.preferred, None);
    assert_tokens(&f.sign_in("alice", PASSWORD).await.unwrap());
}

#[tokio::test]
async fn select_mfa_type_sms_and_email() {
    let f = fixture(PoolMfaMode::Optional);
    let (app, token) = f.enroll("alice").await;
    // Enabled, not preferred, and SMS too: the user chooses.
    f.pool
        .set_user_mfa_preference(UserTarget::AccessToken(token.clone()), totp_on())
        .await
        .unwrap();
    f.pool.enable_sms_mfa("alice").unwrap();
    let settings = f
        .pool
        .get_user_mfa_settings(UserTarget::AccessToken(token.clone()))
        .await
        .unwrap();
    assert_eq!(settings.preferred, None);
    assert!(settings.enabled.contains(&MfaFactor::Sms));
    assert!(settings.enabled.contains(&MfaFactor::SoftwareToken));

    let select = f.sign_in("alice", PASSWORD).await.unwrap();
    assert_challenge(&select, ChallengeName::SelectMfaType, "alice");
    let choices: Vec<String> = serde_json::from_str(&select.parameters["MFAS_CAN_CHOOSE"]).unwrap();
    assert!(choices.contains(&"SOFTWARE_TOKEN_MFA".to_owned()));
    assert!(choices.contains(&"SMS_MFA".to_owned()));

    // An answer not on offer keeps the challenge open.
    let err = f
        .respond(
            ChallengeName::SelectMfaType,
            session(&select),
            "alice",
            Parameters::new().with("ANSWER", "EMAIL_OTP"),
        )
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), Some("InvalidParameterException"));

    let sms = f
        .respond(
            ChallengeName::SelectMfaType,
            session(&select),
            "alice",
            Parameters::new().with("ANSWER", "SMS_MFA"),
        )
        .await
        .unwrap();
    assert_challenge(&sms, ChallengeName::SmsMfa, "alice");
    assert_eq!(sms.parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    assert_eq!(sms.parameters["CODE_DELIVERY_DESTINATION"], "+*******0100");
    let code = f.pool.last_delivered_code("alice").unwrap();
    let wrong = if code.expose_secret() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let err = f
        .respond(
            ChallengeName::SmsMfa,
            session(&sms),
            "alice",
            Parameters::new().with("SMS_MFA_CODE", wrong),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::CodeMismatch { can_retry: true }),
        "{err:?}"
    );
    let done = f
        .respond(
            ChallengeName::SmsMfa,
            session(&sms),
            "alice",
            Parameters::new().with("SMS_MFA_CODE", code.expose_secret()),
        )
        .await
        .unwrap();
    assert_tokens(&done);

    // Choosing TOTP issues SOFTWARE_TOKEN_MFA.
    f.clock.advance(STEP);
    let select = f.sign_in("alice", PASSWORD).await.unwrap();
    let totp = f
        .respond(
            ChallengeName::SelectMfaType,
            session(&select),
            "alice",
            Parameters::new().with("ANSWER", "SOFTWARE_TOKEN_MFA"),
        )
        .await
        .unwrap();
    assert_challenge(&totp, ChallengeName::SoftwareTokenMfa, "alice");
    assert_tokens(
        &f.answer_totp(session(&totp), "alice", app.code_for_clock(&f.clock))
            .await
            .unwrap(),
    );

    // Email preferred: EMAIL_OTP straight away.
    f.pool.enable_email_mfa("alice").unwrap();
    f.pool
        .set_user_mfa_preference(f.admin("alice"), {
            let mut v = MfaPreferenceUpdate::new();
            v.email = Some(FactorPreference {
                enabled: true,
                preferred: true,
            });
            v
        })
        .await
        .unwrap();
    let email = f.sign_in("alice", PASSWORD).await.unwrap();
    assert_challenge(&email, ChallengeName::EmailOtp, "alice");
    assert_eq!(email.parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(email.parameters["CODE_DELIVERY_DESTINATION"], "a***@e***");
    let code = f.pool.last_delivered_code("alice").unwrap();
    assert_tokens(
        &f.respond(
            ChallengeName::EmailOtp,
            session(&email),
            "alice",
            Parameters::new().with("EMAIL_OTP_CODE", code.expose_secret()),
        )
        .await
        .unwrap(),
    );
    let settings = f
        .pool
        .get_user_mfa_settings(f.admin("alice"))
        .await
        .unwrap();
    assert_eq!(settings.preferred, Some(MfaFactor::Email));

    // Preferring one factor moves the preference; only one at a time.
    let both = {
        let mut v = MfaPreferenceUpdate::new();
        v.software_token = Some(FactorPreference {
            enabled: true,
            preferred: true,
        });
        v.sms = Some(FactorPreference {
            enabled: true,
            preferred: true,
        });
        v.email = None;
        v
    };
    let err = f
        .pool
        .set_user_mfa_preference(f.admin("alice"), both)
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), Some("InvalidParameterException"));
    f.pool
        .set_user_mfa_preference(f.admin("alice"), {
            let mut v = MfaPreferenceUpdate::new();
            v.sms = Some(FactorPreference {
                enabled: false,
                preferred: true,
            });
            v
        })
        .await
        .unwrap();
    let settings = f
        .pool
        .get_user_mfa_settings(f.admin("alice"))
        .await
        .unwrap();
    assert_eq!(settings.preferred, Some(MfaFactor::Sms));
    assert!(
        settings.enabled.contains(&MfaFactor::Sms),
        "preferred implies enabled"
    );
}

#[tokio::test]
async fn admin_reset_brings_mfa_setup_back_on_an_on_pool() {
    let f = fixture(PoolMfaMode::Optional);
    let (app, _) = f.enroll("alice").await;
    f.pool
        .set_mfa_config(PoolMfaConfig::new(PoolMfaMode::On, true));
    let old_secret = f.pool.user_secret("alice").unwrap();
    f.pool
        .admin_delete_software_token(f.pool.pool_id().to_owned(), "alice".to_owned())
        .await
        .unwrap();
    assert!(f.pool.user_secret("alice").is_none());
    let settings = f
        .pool
        .get_user_mfa_settings(f.admin("alice"))
        .await
        .unwrap();
    assert!(settings.enabled.is_empty());
    assert_eq!(settings.preferred, None);

    let setup = f.sign_in("alice", PASSWORD).await.unwrap();
    assert_challenge(&setup, ChallengeName::MfaSetup, "alice");
    let associated = f
        .pool
        .associate_software_token(TokenAuth::Session(session(&setup)))
        .await
        .unwrap();
    assert_ne!(
        associated.secret_code.expose_secret(),
        old_secret.expose_secret()
    );
    // The old authenticator no longer works.
    f.clock.advance(STEP);
    let err = f
        .pool
        .verify_software_token(
            TokenAuth::Session(associated.session.clone().unwrap()),
            app.code_for_clock(&f.clock),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch { .. }), "{err:?}");
    let new_app = Authenticator::new(&associated.secret_code).unwrap();
    let verified = f
        .pool
        .verify_software_token(
            TokenAuth::Session(associated.session.unwrap()),
            new_app.code_for_clock(&f.clock),
            None,
        )
        .await
        .unwrap();
    assert_tokens(
        &f.respond(
            ChallengeName::MfaSetup,
            verified.session.unwrap(),
            "alice",
            Parameters::new(),
        )
        .await
        .unwrap(),
    );
}

#[tokio::test]
async fn admin_reset_on_an_optional_pool_falls_back() {
    let f = fixture(PoolMfaMode::Optional);
    f.enroll("alice").await;
    f.enroll("bob").await;
    f.pool.enable_sms_mfa("bob").unwrap();
    for name in ["alice", "bob"] {
        f.pool
            .admin_delete_software_token(f.pool.pool_id().to_owned(), name.to_owned())
            .await
            .unwrap();
    }
    // No other factor: no MFA at all.
    assert_tokens(&f.sign_in("alice", PASSWORD).await.unwrap());
    // SMS left: SMS_MFA.
    let sms = f.sign_in("bob", PASSWORD).await.unwrap();
    assert_challenge(&sms, ChallengeName::SmsMfa, "bob");
}

#[tokio::test]
async fn refresh_returns_new_access_and_id_tokens_without_mfa() {
    let f = fixture_with(
        PoolMfaMode::Optional,
        true,
        ClientOptions::new().generate_secret(true),
    );
    let (app, _) = f.enroll("alice").await;
    f.clock.advance(STEP);
    let challenge = f.sign_in("alice", PASSWORD).await.unwrap();
    let done = f
        .answer_totp(session(&challenge), "alice", app.code_for_clock(&f.clock))
        .await
        .unwrap();
    let tokens = done.tokens.unwrap();
    let refresh = tokens.refresh_token.unwrap();

    let refreshed = f
        .initiate(
            AuthFlow::RefreshToken,
            f.with_hash(
                Parameters::new().with("REFRESH_TOKEN", refresh.expose_secret()),
                "alice",
            ),
        )
        .await
        .unwrap();
    assert_tokens(&refreshed);
    let new = refreshed.tokens.unwrap();
    assert!(new.refresh_token.is_none());
    assert_ne!(
        new.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    let me = f
        .pool
        .get_user_mfa_settings(UserTarget::AccessToken(new.access_token))
        .await
        .unwrap();
    assert_eq!(me.username, "alice");

    let err = f
        .initiate(
            AuthFlow::RefreshToken,
            f.with_hash(Parameters::new().with("REFRESH_TOKEN", "bogus"), "alice"),
        )
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), Some("NotAuthorizedException"));
    let err = f
        .initiate(
            AuthFlow::RefreshToken,
            Parameters::new().with("REFRESH_TOKEN", refresh.expose_secret()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHashMismatch), "{err:?}");
}

#[tokio::test]
async fn access_tokens_expire_and_unknown_ones_are_rejected() {
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_user("alice", PASSWORD).unwrap();
    let token = f.access_token("alice").await;
    let err = f
        .pool
        .get_user_mfa_settings(UserTarget::AccessToken(AccessToken::new("not-a-token")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessTokenRejected), "{err:?}");
    f.clock.advance(Duration::from_secs(3600));
    let err = f
        .pool
        .associate_software_token(TokenAuth::AccessToken(token))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessTokenRejected), "{err:?}");
}

#[tokio::test]
async fn federated_users_cannot_sign_in_with_a_password() {
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_federated_user("Google_1234567890").unwrap();
    let err = f.sign_in("Google_1234567890", PASSWORD).await.unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    let settings = f
        .pool
        .get_user_mfa_settings(f.admin("Google_1234567890"))
        .await
        .unwrap();
    assert_eq!(settings.status, Some(UserStatus::ExternalProvider));
    assert!(settings.enabled.is_empty());
}

#[tokio::test]
async fn pool_config_and_unknown_ids() {
    let f = fixture_with(PoolMfaMode::Off, false, ClientOptions::new());
    let pool_id = f.pool.pool_id().to_owned();
    assert!(cognito_mfa::validate::user_pool_id(&pool_id).is_ok());
    let config = PoolMfaConfig::new(PoolMfaMode::Optional, true);
    assert_eq!(
        f.pool
            .set_user_pool_mfa_config(pool_id.clone(), config)
            .await
            .unwrap(),
        config
    );
    assert_eq!(
        f.pool
            .get_user_pool_mfa_config(pool_id.clone())
            .await
            .unwrap(),
        config
    );
    let err = f
        .pool
        .get_user_pool_mfa_config("us-east-1_nope".into())
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), Some("ResourceNotFoundException"));
    let err = f
        .pool
        .describe_user_pool_client(pool_id.clone(), "nope".into())
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), Some("ResourceNotFoundException"));
    let err = f
        .pool
        .get_user_mfa_settings(f.admin("nobody"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
}

/// 1000 sign-ins with MFA_SETUP at once on one pool: each ends with its own
/// tokens and its own secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_flows_do_not_cross_talk() {
    let f = std::sync::Arc::new(fixture(PoolMfaMode::On));
    let mut tasks = Vec::new();
    for i in 0..1000 {
        let f = std::sync::Arc::clone(&f);
        tasks.push(tokio::spawn(async move {
            let name = format!("user-{i}");
            f.pool.create_user(name.as_str(), PASSWORD).unwrap();
            let setup = f.sign_in(&name, PASSWORD).await.unwrap();
            assert_challenge(&setup, ChallengeName::MfaSetup, &name);
            let associated = f
                .pool
                .associate_software_token(TokenAuth::Session(session(&setup)))
                .await
                .unwrap();
            tokio::task::yield_now().await;
            let app = Authenticator::new(&associated.secret_code).unwrap();
            let verified = f
                .pool
                .verify_software_token(
                    TokenAuth::Session(associated.session.unwrap()),
                    app.code_for_clock(&f.clock),
                    Some(name.clone()),
                )
                .await
                .unwrap();
            let done = f
                .respond(
                    ChallengeName::MfaSetup,
                    verified.session.unwrap(),
                    &name,
                    Parameters::new(),
                )
                .await
                .unwrap();
            let tokens = done.tokens.unwrap();
            let me = f
                .pool
                .get_user_mfa_settings(UserTarget::AccessToken(tokens.access_token.clone()))
                .await
                .unwrap();
            assert_eq!(me.username, name);
            assert_eq!(me.enabled, vec![MfaFactor::SoftwareToken]);
            assert_eq!(
                f.pool.user_secret(&name).unwrap().expose_secret(),
                associated.secret_code.expose_secret()
            );
            (
                tokens.access_token.expose_secret().to_owned(),
                associated.secret_code.expose_secret().to_owned(),
            )
        }));
    }
    let mut tokens = HashSet::new();
    let mut secrets = HashSet::new();
    for task in tasks {
        let (token, secret) = task.await.unwrap();
        assert!(tokens.insert(token));
        assert!(secrets.insert(secret));
    }
    assert_eq!(tokens.len(), 1000);
    assert_eq!(secrets.len(), 1000);
}

#[test]
fn manual_clock_handles_share_time() {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
    let pool = InMemoryPool::with_clock(clock.clone());
    clock.advance(Duration::from_secs(90));
    assert_eq!(pool.now(), UNIX_EPOCH + Duration::from_secs(90));
}
