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
use cognito_mfa::{AccessToken, ClientSecret, Error, OneTimeCode, Operation, Session, secret_hash};
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
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
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
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
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
        assert!(matches!(err, Error::CodeMismatch), "{err:?}");
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
        assert!(matches!(err, Error::CodeMismatch), "{err:?}");
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
            assert!(matches!(err, Error::CodeMismatch), "{name}: {err:?}");
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
        assert!(matches!(err, Error::CodeMismatch), "{err:?}");
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
        assert_eq!(err.service_code(), Some("InvalidParameterException"));
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
        f.pool.create_user("alice", "x").unwrap_err().service_code(),
        Some("UsernameExistsException")
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
    assert_eq!(err.service_code(), Some("AliasExistsException"));
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
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
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
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
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
    // "Invalid Refresh Token": sign in again.
    assert!(matches!(err, Error::RefreshTokenRejected), "{err:?}");
    assert!(err.must_restart());
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

// ------------------------------------------------- user names, lockout, time

#[test]
fn user_names_follow_cognitos_pattern() {
    let pool = InMemoryPool::new();
    // Cognito's [\p{L}\p{M}\p{S}\p{N}\p{P}]+ refuses what hides or reorders
    // text: format characters, private use, unassigned code points.
    for name in [
        "evil\u{202e}gnp.exe",
        "zero\u{200b}width",
        "\u{feff}bom",
        "private\u{e000}",
        "unassigned\u{378}",
        "line\u{2028}sep",
        "has space",
    ] {
        let err = pool.create_user(name, PASSWORD).unwrap_err();
        let Error::Service { operation, error } = &err else {
            panic!("{name:?}: {err:?}");
        };
        // `?` turns a setup helper's refusal into the crate's Error.
        assert_eq!(*operation, Operation::AdminCreateUser);
        assert_eq!(error.code(), "InvalidParameterException", "{name:?}");
        assert!(
            error
                .message()
                .is_some_and(|m| m.contains("regular expression pattern")),
            "{err}"
        );
    }
    for name in [
        "\u{e9}lodie",
        "e\u{301}",
        "\u{65e5}\u{672c}",
        "\u{a9}\u{1f600}",
    ] {
        pool.create_user(name, PASSWORD).unwrap();
    }
}

fn is_wrong_password(result: &Result<AuthResponse, Error>) -> bool {
    matches!(result, Err(Error::WrongCredentials))
}

/// Cognito's "Password attempts exceeded", which the crate maps to
/// `Throttled` (retry later).
fn is_locked_out(result: &Result<AuthResponse, Error>) -> bool {
    match result {
        Err(e @ Error::Throttled(service)) => {
            service.code() == "NotAuthorizedException"
                && service.message() == Some("Password attempts exceeded")
                && !e.must_restart()
        }
        _ => false,
    }
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_user_out() {
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_user("alice", PASSWORD).unwrap();
    f.pool.create_user("bob", PASSWORD).unwrap();
    let second = Duration::from_secs(1);

    // Five wrong passwords are each "incorrect"; then even the right one is
    // refused for a second (2^(5-5) s), and only for alice.
    for _ in 0..5 {
        assert!(is_wrong_password(&f.sign_in("alice", "wrong").await));
    }
    let locked = f.sign_in("alice", PASSWORD).await;
    assert!(is_locked_out(&locked), "{locked:?}");
    assert!(is_locked_out(&f.sign_in("alice", "wrong").await));
    assert_tokens(&f.sign_in("bob", PASSWORD).await.unwrap());
    // Attempts during the lockout don't lengthen it.
    f.clock.advance(second);
    assert_tokens(&f.sign_in("alice", PASSWORD).await.unwrap());

    // The right password cleared the count: four more wrong ones are free.
    for _ in 0..4 {
        assert!(is_wrong_password(&f.sign_in("alice", "wrong").await));
    }
    assert_tokens(&f.sign_in("alice", PASSWORD).await.unwrap());

    // Each wrong password after a lockout doubles the next: 1, 2, 4, ...
    // seconds, up to 15 minutes. Each lockout ends on time: a second
    // before, even the right password is refused (and that attempt keeps
    // the 15 quiet minutes that would clear the count from passing).
    for _ in 0..5 {
        assert!(is_wrong_password(&f.sign_in("alice", "wrong").await));
    }
    for n in 5u32..=16 {
        let lockout = Duration::from_secs(1 << (n - 5)).min(Duration::from_secs(900));
        f.clock.advance(lockout - second);
        assert!(is_locked_out(&f.sign_in("alice", PASSWORD).await), "n={n}");
        f.clock.advance(second);
        if n < 16 {
            assert!(
                is_wrong_password(&f.sign_in("alice", "wrong").await),
                "n={n}"
            );
        }
    }
    // n = 16: 2^11 s would be over half an hour; the lockout was 15 minutes.
    assert_tokens(&f.sign_in("alice", PASSWORD).await.unwrap());

    // Fifteen minutes without an attempt clear the count too.
    for _ in 0..4 {
        assert!(is_wrong_password(&f.sign_in("alice", "wrong").await));
    }
    f.clock.advance(Duration::from_secs(15 * 60));
    assert!(is_wrong_password(&f.sign_in("alice", "wrong").await));
    assert_tokens(&f.sign_in("alice", PASSWORD).await.unwrap());
}

#[tokio::test]
async fn a_locked_out_user_sees_throttled_through_sign_in() {
    use cognito_mfa::sign_in::SignIn;
    use cognito_mfa::{Password, Recovery};
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_user("alice", PASSWORD).unwrap();
    let sign_in = SignIn::admin(f.pool.clone(), f.pool.pool_id(), &f.client_id)
        .clock(f.clock.clone())
        .build()
        .unwrap();
    for _ in 0..5 {
        let err = sign_in
            .password("alice", &Password::new("wrong"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    }
    let err = sign_in
        .password("alice", &Password::new(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Throttled(_)), "{err:?}");
    assert_eq!(err.recovery(), Recovery::RetryLater);
}

#[tokio::test]
async fn sessions_live_at_most_fifteen_minutes() {
    let f = fixture_with(
        PoolMfaMode::On,
        true,
        ClientOptions::new().auth_session_validity(Duration::from_secs(15 * 60)),
    );
    f.pool.create_user("alice", PASSWORD).unwrap();
    let almost = Duration::from_secs(15 * 60 - 1);
    let setup = f.sign_in("alice", PASSWORD).await.unwrap();
    f.clock.advance(almost);
    let associated = f
        .pool
        .associate_software_token(TokenAuth::Session(session(&setup)))
        .await
        .unwrap();
    // The Session Associate returned lives 15 minutes from then, no more.
    f.clock.advance(Duration::from_secs(15 * 60));
    let app = Authenticator::new(&associated.secret_code).unwrap();
    let err = f
        .pool
        .verify_software_token(
            TokenAuth::Session(associated.session.unwrap()),
            app.code_for_clock(&f.clock),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
    // A longer validity is refused when the client is made.
    for validity in [15 * 60 + 60, 15 * 60 + 1, u64::MAX] {
        let options = ClientOptions::new().auth_session_validity(Duration::from_secs(validity));
        let err = f.pool.create_client(options).unwrap_err();
        assert_eq!(err.service_code(), Some("InvalidParameterException"));
    }
}

// ---------------------------------------------------------------------------
// USER_SRP_AUTH: the pool as an SRP server
// ---------------------------------------------------------------------------

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::{Password, Recovery};
use std::sync::{Arc, Mutex};

/// Tue Dec 1 01:46:10 UTC 2026: a one-digit day, so a zero-padded one differs.
const DEC_1: u64 = 1_796_089_570;

/// A change made to the client's PASSWORD_VERIFIER answer on its way to the pool.
type Edit = Box<dyn Fn(&mut Parameters) + Send + Sync>;

/// The pool behind a sign-in whose PASSWORD_VERIFIER answers a test may rewrite (a client
/// whose maths or formatting is wrong), keeping each answer as the client made it.
struct Tampered {
    pool: InMemoryPool,
    edit: Mutex<Option<Edit>>,
    answers: Mutex<Vec<RespondToAuthChallengeRequest>>,
}

impl Tampered {
    fn new(pool: &InMemoryPool) -> Arc<Self> {
        Arc::new(Self {
            pool: pool.clone(),
            edit: Mutex::new(None),
            answers: Mutex::new(Vec::new()),
        })
    }

    fn edit(&self, edit: impl Fn(&mut Parameters) + Send + Sync + 'static) {
        *self.edit.lock().unwrap() = Some(Box::new(edit));
    }

    fn untouched(&self) {
        *self.edit.lock().unwrap() = None;
    }

    /// The last PASSWORD_VERIFIER answer, as the client made it.
    fn last_answer(&self) -> RespondToAuthChallengeRequest {
        self.answers
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("an answer")
    }
}

#[async_trait::async_trait]
impl CognitoBackend for Tampered {
    async fn associate_software_token(
        &self,
        auth: TokenAuth,
    ) -> Result<cognito_mfa::backend::AssociatedSoftwareToken, Error> {
        self.pool.associate_software_token(auth).await
    }

    async fn verify_software_token(
        &self,
        auth: TokenAuth,
        code: OneTimeCode,
        friendly_device_name: Option<String>,
    ) -> Result<cognito_mfa::backend::VerifiedSoftwareToken, Error> {
        self.pool
            .verify_software_token(auth, code, friendly_device_name)
            .await
    }

    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        self.pool.set_user_mfa_preference(user, update).await
    }

    async fn get_user_mfa_settings(
        &self,
        user: UserTarget,
    ) -> Result<cognito_mfa::backend::UserMfaSettings, Error> {
        self.pool.get_user_mfa_settings(user).await
    }

    async fn admin_delete_software_token(
        &self,
        user_pool_id: String,
        username: String,
    ) -> Result<(), Error> {
        self.pool
            .admin_delete_software_token(user_pool_id, username)
            .await
    }

    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        self.pool.initiate_auth(request).await
    }

    async fn respond_to_auth_challenge(
        &self,
        mut request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        if request.challenge == ChallengeName::PasswordVerifier {
            self.answers.lock().unwrap().push(request.clone());
            if let Some(edit) = &*self.edit.lock().unwrap() {
                edit(&mut request.responses);
            }
        }
        self.pool.respond_to_auth_challenge(request).await
    }

    async fn get_user_pool_mfa_config(&self, user_pool_id: String) -> Result<PoolMfaConfig, Error> {
        self.pool.get_user_pool_mfa_config(user_pool_id).await
    }

    async fn set_user_pool_mfa_config(
        &self,
        user_pool_id: String,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        self.pool
            .set_user_pool_mfa_config(user_pool_id, config)
            .await
    }

    async fn describe_user_pool_client(
        &self,
        user_pool_id: String,
        client_id: String,
    ) -> Result<cognito_mfa::backend::AppClient, Error> {
        self.pool
            .describe_user_pool_client(user_pool_id, client_id)
            .await
    }
}

impl Fixture {
    /// `SignIn::password_srp`'s sign-in on `backend`: admin or public (the pool id given), with
    /// the client's secret if it has one, on the pool's clock.
    fn srp_sign_in(&self, backend: impl CognitoBackend + 'static, admin: bool) -> SignIn {
        let builder = if admin {
            SignIn::admin(backend, self.pool.pool_id(), &self.client_id)
        } else {
            SignIn::public(backend, &self.client_id).user_pool_id(self.pool.pool_id())
        };
        match &self.secret {
            Some(secret) => builder.client_secret(secret.clone()),
            None => builder,
        }
        .clock(self.clock.clone())
        .build()
        .unwrap()
    }

    /// InitiateAuth USER_SRP_AUTH with `srp_a` (any value in [1, N) gets a PASSWORD_VERIFIER).
    async fn initiate_srp(&self, username: &str, srp_a: &str) -> Result<AuthResponse, Error> {
        let params = Parameters::new()
            .with("USERNAME", username)
            .with("SRP_A", srp_a);
        self.initiate(AuthFlow::UserSrp, self.with_hash(params, username))
            .await
    }
}

async fn srp_password(
    sign_in: &SignIn,
    username: &str,
    password: &str,
) -> Result<SignInStep, Error> {
    sign_in
        .password_srp(username, &Password::new(password))
        .await
}

fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// PASSWORD_VERIFIER names the canonical user in USERNAME and USER_ID_FOR_SRP (as Cognito does;
/// moto sends the sub), carries a Session, a salt that stays the user's until the password
/// changes, a fresh B and a fresh opaque base64 SECRET_BLOCK each time.
#[tokio::test]
async fn srp_password_verifier_is_cognitos() {
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_user("alice", PASSWORD).unwrap();
    f.pool
        .set_user_attribute("alice", "email", "alice@example.com")
        .unwrap();
    let first = f.initiate_srp("alice@example.com", "2").await.unwrap();
    assert_challenge(&first, ChallengeName::PasswordVerifier, "alice");
    let second = f.initiate_srp("alice", "2").await.unwrap();
    let (p1, p2) = (&first.parameters, &second.parameters);
    assert_eq!(
        p1.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "SALT",
            "SECRET_BLOCK",
            "SRP_B",
            "USERNAME",
            "USER_ID_FOR_SRP"
        ]
    );
    assert!(is_hex(&p1["SALT"]) && is_hex(&p1["SRP_B"]));
    assert_eq!(p1["SALT"], p2["SALT"], "one salt per password");
    assert_ne!(p1["SRP_B"], p2["SRP_B"], "a fresh b each time");
    assert!(p1["SRP_B"].len() > 700, "B is a 3072-bit number");
    assert_ne!(p1["SECRET_BLOCK"], p2["SECRET_BLOCK"]);
    assert_eq!(BASE64.decode(&p1["SECRET_BLOCK"]).unwrap().len(), 1024);
    assert_ne!(
        session(&first).expose_secret(),
        p1["SECRET_BLOCK"],
        "the Session and the block are separate values"
    );

    // Each user has their own salt.
    f.pool.create_user("bob", PASSWORD).unwrap();
    let bob = f.initiate_srp("bob", "2").await.unwrap();
    assert_ne!(bob.parameters["SALT"], p1["SALT"]);
}

/// The library's SRP sign-in proves the password to the pool, on both APIs, with and without
/// a client secret and through an email alias; the pool then goes on as after a password
/// (SOFTWARE_TOKEN_MFA, then tokens).
#[tokio::test]
async fn srp_sign_in_then_totp_on_both_apis() {
    for secret in [false, true] {
        let f = fixture_with(
            PoolMfaMode::Optional,
            true,
            ClientOptions::new().generate_secret(secret),
        );
        let (app, _) = f.enroll("alice").await;
        f.pool
            .set_user_attribute("alice", "email", "alice@example.com")
            .unwrap();
        for admin in [true, false] {
            for typed in ["alice", "alice@example.com"] {
                f.clock.advance(STEP);
                let sign_in = f.srp_sign_in(f.pool.clone(), admin);
                let step = srp_password(&sign_in, typed, PASSWORD).await.unwrap();
                let SignInStep::TotpRequired(challenge) = step else {
                    panic!(
                        "expected SOFTWARE_TOKEN_MFA, got {:?}",
                        step.challenge_name()
                    );
                };
                assert_eq!(challenge.username(), "alice");
                let code = app.code_for_clock(&f.clock);
                let done = challenge
                    .answer(&sign_in, code.expose_secret())
                    .await
                    .unwrap();
                assert!(
                    matches!(done, SignInStep::Done(_)),
                    "secret {secret}, admin {admin}, {typed}"
                );
            }
        }
    }
}

/// A wrong password over SRP is Cognito's "Incorrect username or password." (WrongCredentials)
/// and counts toward the lockout with the password flow's: five wrong in a row lock both out.
#[tokio::test]
async fn srp_wrong_password_is_wrong_credentials_and_counts_for_the_lockout() {
    let f = fixture(PoolMfaMode::Optional);
    f.pool.create_user("alice", PASSWORD).unwrap();
    let sign_in = f.srp_sign_in(f.pool.clone(), true);
    for _ in 0..3 {
        let err = srp_password(&sign_in, "alice", "wrong").await.unwrap_err();
        assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    }
    assert!(is_wrong_password(&f.sign_in("alice", "wrong").await));
    let err = srp_password(&sign_in, "alice", "wrong").await.unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    // Locked out for a second, whichever flow.
    let err = srp_password(&sign_in, "alice", PASSWORD).await.unwrap_err();
    assert!(matches!(err, Error::Throttled(_)), "{err:?}");
    assert_eq!(err.recovery(), Recovery::RetryLater);
    assert!(is_locked_out(&f.sign_in("alice", PASSWORD).await));
    f.clock.advance(Duration::from_secs(1));
    let step = srp_password(&sign_in, "alice", PASSWORD).await.unwrap();
    assert!(matches!(step, SignInStep::Done(_)), "{step:?}");
}

/// A client whose maths or formatting is wrong fails against the pool: a signature changed by
/// one bit or left empty, a TIMESTAMP with a zero-padded day or a wrong weekday, a changed
/// SECRET_BLOCK, and a TIMESTAMP off the pool's clock by more than five minutes. Each is
/// "Incorrect username or password." (WrongCredentials) and ends the sign-in; the untouched
/// client signs in. (A client that signs a zero-padded day is refused too: the pool's unit
/// tests drive the SRP maths directly.)
#[tokio::test]
async fn tampered_srp_proofs_are_refused() {
    let f = fixture(PoolMfaMode::Off);
    f.clock.set(UNIX_EPOCH + Duration::from_secs(DEC_1));
    f.pool.create_user("alice", PASSWORD).unwrap();
    let backend = Tampered::new(&f.pool);
    let sign_in = f.srp_sign_in(backend.clone(), false);

    let edits: [(&str, Edit); 5] = [
        (
            "one bit of the signature",
            Box::new(|p: &mut Parameters| {
                let mut sig = BASE64
                    .decode(p.get("PASSWORD_CLAIM_SIGNATURE").unwrap())
                    .unwrap();
                sig[0] ^= 1;
                p.insert("PASSWORD_CLAIM_SIGNATURE", BASE64.encode(sig));
            }),
        ),
        (
            "a zero-padded day",
            Box::new(|p: &mut Parameters| {
                let ts = p.get("TIMESTAMP").unwrap().replace("Dec 1 ", "Dec 01 ");
                assert!(ts.contains("Dec 01 "), "{ts}");
                p.insert("TIMESTAMP", ts);
            }),
        ),
        (
            "a wrong weekday",
            Box::new(|p: &mut Parameters| {
                let ts = p.get("TIMESTAMP").unwrap().replace("Tue ", "Wed ");
                p.insert("TIMESTAMP", ts);
            }),
        ),
        (
            "a changed SECRET_BLOCK",
            Box::new(|p: &mut Parameters| {
                let mut block = BASE64
                    .decode(p.get("PASSWORD_CLAIM_SECRET_BLOCK").unwrap())
                    .unwrap();
                block[7] ^= 0x80;
                p.insert("PASSWORD_CLAIM_SECRET_BLOCK", BASE64.encode(block));
            }),
        ),
        (
            "an empty signature",
            Box::new(|p: &mut Parameters| p.insert("PASSWORD_CLAIM_SIGNATURE", "")),
        ),
    ];
    for (what, edit) in edits {
        backend.edit(edit);
        let err = srp_password(&sign_in, "alice", PASSWORD).await.unwrap_err();
        assert!(matches!(err, Error::WrongCredentials), "{what}: {err:?}");
        // The sign-in is over: the same answer again finds no Session.
        let sent = backend.last_answer();
        let err = f.pool.respond_to_auth_challenge(sent).await.unwrap_err();
        assert!(matches!(err, Error::SessionExpired), "{what}: {err:?}");
        // Five wrong proofs would lock alice out: a right password clears the count.
        assert_tokens(&f.sign_in("alice", PASSWORD).await.unwrap());
    }

    backend.untouched();
    let step = srp_password(&sign_in, "alice", PASSWORD).await.unwrap();
    assert!(matches!(step, SignInStep::Done(_)), "{step:?}");

    // The sign-in's clock five minutes and a second off the pool's, either way: refused.
    // Within five minutes: accepted.
    for (offset, ahead, accepted) in [
        (301, true, false),
        (301, false, false),
        (299, true, true),
        (299, false, true),
    ] {
        let at = if ahead {
            f.clock.now() + Duration::from_secs(offset)
        } else {
            f.clock.now() - Duration::from_secs(offset)
        };
        let skewed = SignIn::public(f.pool.clone(), &f.client_id)
            .user_pool_id(f.pool.pool_id())
            .clock(ManualClock::new(at))
            .build()
            .unwrap();
        let result = srp_password(&skewed, "alice", PASSWORD).await;
        if accepted {
            assert!(
                matches!(result, Ok(SignInStep::Done(_))),
                "{offset} {ahead}: {result:?}"
            );
        } else {
            assert!(
                matches!(result, Err(Error::WrongCredentials)),
                "{offset} {ahead}: {result:?}"
            );
        }
    }
}

/// A SECRET_BLOCK, signature and TIMESTAMP that signed in once don't sign in again: not with
/// their own Session (spent), nor with a new sign-in's Session (another block).
#[tokio::test]
async fn a_reused_secret_block_is_refused() {
    let f = fixture(PoolMfaMode::Off);
    f.pool.create_user("alice", PASSWORD).unwrap();
    let backend = Tampered::new(&f.pool);
    let sign_in = f.srp_sign_in(backend.clone(), true);
    let step = srp_password(&sign_in, "alice", PASSWORD).await.unwrap();
    assert!(matches!(step, SignInStep::Done(_)), "{step:?}");
    let first = backend.last_answer();

    let err = f
        .pool
        .respond_to_auth_challenge(first.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");

    let replayed = first.responses.clone();
    backend.edit(move |p| {
        for name in [
            "PASSWORD_CLAIM_SECRET_BLOCK",
            "PASSWORD_CLAIM_SIGNATURE",
            "TIMESTAMP",
        ] {
            p.insert(name, replayed.get(name).unwrap());
        }
    });
    let err = srp_password(&sign_in, "alice", PASSWORD).await.unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
}

/// What is wrong with the request rather than the proof is refused with the Session left
/// usable, as for the other challenges: a missing parameter, a TIMESTAMP that does not parse
/// (Cognito's InvalidParameterException), a wrong SECRET_HASH, USERNAME that is not the
/// canonical name. The same Session then takes the right answer.
#[tokio::test]
async fn srp_answers_with_request_errors_keep_the_session() {
    let f = fixture_with(
        PoolMfaMode::Off,
        true,
        ClientOptions::new().generate_secret(true),
    );
    f.pool.create_user("alice", PASSWORD).unwrap();
    let backend = Tampered::new(&f.pool);
    let sign_in = f.srp_sign_in(backend.clone(), false);
    backend.edit(|p| p.insert("TIMESTAMP", "2023-11-14T22:13:40Z"));
    let err = srp_password(&sign_in, "alice", PASSWORD).await.unwrap_err();
    assert_eq!(
        service_code(&err),
        Some("InvalidParameterException"),
        "{err:?}"
    );
    let Error::Service { error, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        error.message(),
        Some("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    );
    let answer = backend.last_answer();
    let with = |name: &str, value: &str| {
        let mut request = answer.clone();
        request.responses.insert(name, value);
        request
    };
    let secret = f.secret.clone().unwrap();
    let cases = [
        (
            with("TIMESTAMP", "Tue Nov 14 22:13:40 UTC"),
            "InvalidParameterException",
        ),
        (
            with("SECRET_HASH", &secret_hash(&secret, "bob", &f.client_id)),
            "SecretHashMismatch",
        ),
        (with("USERNAME", "alice@example.com"), "SessionExpired"),
    ];
    for (request, expected) in cases {
        let err = f.pool.respond_to_auth_challenge(request).await.unwrap_err();
        let kind = service_code(&err).unwrap_or(err.kind());
        assert_eq!(kind, expected, "{err:?}");
    }
    let mut missing = answer.clone();
    missing.responses = Parameters::new();
    for (name, value) in answer.responses.expose_all() {
        if name != "PASSWORD_CLAIM_SIGNATURE" {
            missing.responses.insert(name, value);
        }
    }
    let err = f.pool.respond_to_auth_challenge(missing).await.unwrap_err();
    assert_eq!(service_code(&err), Some("InvalidParameterException"));
    // The Session survived all of those: the client's own answer signs in.
    let done = f.pool.respond_to_auth_challenge(answer).await.unwrap();
    assert_tokens(&done);
}

/// InitiateAuth USER_SRP_AUTH is refused as the password flows are: a client that does not
/// allow the flow, a missing or wrong SECRET_HASH, an unknown, federated or disabled user;
/// and an SRP_A that is no SRP public value (not hex, over 3072 bits, or ≡ 0 mod N).
#[tokio::test]
async fn srp_initiate_auth_refusals() {
    let no_srp = fixture_with(
        PoolMfaMode::Optional,
        true,
        ClientOptions::new()
            .explicit_auth_flows([AuthFlow::AdminUserPassword, AuthFlow::UserPassword]),
    );
    no_srp.pool.create_user("alice", PASSWORD).unwrap();
    for admin in [true, false] {
        let sign_in = no_srp.srp_sign_in(no_srp.pool.clone(), admin);
        let err = srp_password(&sign_in, "alice", PASSWORD).await.unwrap_err();
        assert!(matches!(err, Error::AuthFlowNotEnabled), "{err:?}");
    }
    // The password flows still work there.
    assert_tokens(&no_srp.sign_in("alice", PASSWORD).await.unwrap());

    let f = fixture_with(
        PoolMfaMode::Optional,
        true,
        ClientOptions::new().generate_secret(true),
    );
    f.pool.create_user("alice", PASSWORD).unwrap();
    f.pool.create_federated_user("Google_123456").unwrap();
    f.pool.create_user("dora", PASSWORD).unwrap();
    f.pool.set_user_enabled("dora", false).unwrap();
    let secret = f.secret.clone().unwrap();
    let no_secret = SignIn::public(f.pool.clone(), &f.client_id)
        .user_pool_id(f.pool.pool_id())
        .clock(f.clock.clone())
        .build()
        .unwrap();
    let err = srp_password(&no_secret, "alice", PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHashMismatch), "{err:?}");
    let wrong_secret = SignIn::admin(f.pool.clone(), f.pool.pool_id(), &f.client_id)
        .client_secret(ClientSecret::new("x".repeat(51)))
        .clock(f.clock.clone())
        .build()
        .unwrap();
    let err = srp_password(&wrong_secret, "alice", PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHashMismatch), "{err:?}");
    let err = f
        .initiate(
            AuthFlow::UserSrp,
            Parameters::new()
                .with("USERNAME", "alice")
                .with("SRP_A", "2")
                .with("SECRET_HASH", secret_hash(&secret, "bob", &f.client_id)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHashMismatch), "{err:?}");

    let sign_in = f.srp_sign_in(f.pool.clone(), false);
    let err = srp_password(&sign_in, "nobody", PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
    let err = srp_password(&sign_in, "Google_123456", PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    let err = srp_password(&sign_in, "dora", PASSWORD).await.unwrap_err();
    assert!(matches!(err, Error::UserDisabled), "{err:?}");

    let n = concat!(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
        "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
        "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
        "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
        "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    );
    let too_long = "1".repeat(769);
    for srp_a in ["0", "000", n, "xyz", "", &too_long] {
        let err = f.initiate_srp("alice", srp_a).await.unwrap_err();
        assert_eq!(
            service_code(&err),
            Some("InvalidParameterException"),
            "{srp_a:?}"
        );
    }
    let err = f
        .initiate(
            AuthFlow::UserSrp,
            f.with_hash(Parameters::new().with("USERNAME", "alice"), "alice"),
        )
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), Some("InvalidParameterException"));
}

/// A PASSWORD_VERIFIER Session is good for that challenge only, and a Session of another
/// challenge does not take a proof.
#[tokio::test]
async fn a_password_verifier_session_answers_nothing_else() {
    let f = fixture(PoolMfaMode::On);
    f.pool.create_user("alice", PASSWORD).unwrap();
    let verifier = f.initiate_srp("alice", "2").await.unwrap();
    let err = f
        .pool
        .associate_software_token(TokenAuth::Session(session(&verifier)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
    let verifier = f.initiate_srp("alice", "2").await.unwrap();
    let err = f
        .respond(
            ChallengeName::MfaSetup,
            session(&verifier),
            "alice",
            Parameters::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        service_code(&err),
        Some("InvalidParameterException"),
        "{err:?}"
    );

    let setup = f.sign_in("alice", PASSWORD).await.unwrap();
    assert_challenge(&setup, ChallengeName::MfaSetup, "alice");
    let err = f
        .respond(
            ChallengeName::PasswordVerifier,
            session(&setup),
            "alice",
            Parameters::new()
                .with("PASSWORD_CLAIM_SECRET_BLOCK", "AAAA")
                .with("PASSWORD_CLAIM_SIGNATURE", "AAAA")
                .with("TIMESTAMP", "Tue Nov 14 22:13:40 UTC 2023"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        service_code(&err),
        Some("InvalidParameterException"),
        "{err:?}"
    );
}

/// The temporary password of an administrator-created user signs in over SRP too
/// (NEW_PASSWORD_REQUIRED follows), and the new password replaces the verifier: the old one no
/// longer proves, the new one does.
#[tokio::test]
async fn a_new_password_gets_a_new_verifier() {
    let f = fixture(PoolMfaMode::Off);
    f.pool.admin_create_user("alice", "Temp-Passw0rd!").unwrap();
    let before = f.initiate_srp("alice", "2").await.unwrap().parameters["SALT"].clone();
    let sign_in = f.srp_sign_in(f.pool.clone(), true);
    let step = srp_password(&sign_in, "alice", "Temp-Passw0rd!")
        .await
        .unwrap();
    let SignInStep::NewPasswordRequired(challenge) = step else {
        panic!(
            "expected NEW_PASSWORD_REQUIRED, got {:?}",
            step.challenge_name()
        );
    };
    let done = challenge
        .answer(&sign_in, &Password::new("New-Passw0rd!"), &[])
        .await
        .unwrap();
    assert!(matches!(done, SignInStep::Done(_)));
    let after = f.initiate_srp("alice", "2").await.unwrap().parameters["SALT"].clone();
    assert_ne!(before, after, "a new salt with the new password");
    let err = srp_password(&sign_in, "alice", "Temp-Passw0rd!")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    let step = srp_password(&sign_in, "alice", "New-Passw0rd!")
        .await
        .unwrap();
    assert!(matches!(step, SignInStep::Done(_)));
}

#[tokio::test]
async fn a_password_verifier_answer_without_its_session_is_found_by_its_secret_block() {
    // Cognito finds the exchange by SECRET_BLOCK; pycognito answers without
    // the Session. A request error first (a TIMESTAMP that does not parse)
    // leaves the exchange open; the client's own answer then comes without
    // a Session.
    let f = fixture_with(PoolMfaMode::Off, false, ClientOptions::new());
    f.pool.create_user("alice", PASSWORD).unwrap();
    let backend = Tampered::new(&f.pool);
    let sign_in = f.srp_sign_in(backend.clone(), false);
    backend.edit(|p| p.insert("TIMESTAMP", "not a time"));
    srp_password(&sign_in, "alice", PASSWORD).await.unwrap_err();
    let mut answer = backend.last_answer();
    answer.session = None;
    let done = f
        .pool
        .respond_to_auth_challenge(answer.clone())
        .await
        .expect("found by its secret block");
    assert!(done.tokens.is_some(), "{done:?}");
    // Once: the exchange is spent.
    let err = f
        .pool
        .respond_to_auth_challenge(answer.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
    // A block the pool never sent finds nothing.
    answer
        .responses
        .insert("PASSWORD_CLAIM_SECRET_BLOCK", "bm90LWEtYmxvY2s=");
    let err = f.pool.respond_to_auth_challenge(answer).await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
}
