#![cfg(all(feature = "mock", feature = "serde"))]
//! The sign-in state machine against `MockCognitoBackend`: every challenge
//! kind, every error path of the notes, SECRET_HASH, saved challenges, and
//! what reaches `Debug` and the logs.
//!
//! Each test sets its expectations before the `SignIn` is built (the backend
//! is taken by value) and asserts with `withf` exactly what is sent. A mock
//! verifies its `times`/`never` counts when the `SignIn` holding it drops.

/// The user name Cognito knows the user by (USER_ID_FOR_SRP).
use crate::common::canary::CANONICAL;
use crate::common::canary::{
    CANARY_CODE, CANARY_PASSWORD, CANARY_SESSION, CANARY_WRONG_CODE, CLIENT_SECRET,
    assert_no_canary, canary_mock, canary_tokens, challenge, respond_error, service,
};
use cognito_mfa::backend::{
    Api, AssociatedSoftwareToken, AuthFlow, AuthResponse, AuthTokens, ChallengeName,
    InitiateAuthRequest, MfaFactor, NewDeviceMetadata, Parameters, RespondToAuthChallengeRequest,
    TokenAuth, VerifiedSoftwareToken, VerifyStatus,
};
use cognito_mfa::sign_in::{
    CodeChallenge, MAX_SESSION_VALIDITY, MfaSetupChallenge, NewPasswordChallenge, SavedChallenge,
    SelectMfaTypeChallenge, SignIn, SignInStep, TotpChallenge, UnsupportedChallenge,
};
use cognito_mfa::testing::ManualClock;
use cognito_mfa::{
    AccessToken, ClientSecret, Error, Field, IdToken, MfaEnrollment, MockCognitoBackend, Operation,
    Password, Recovery, RefreshToken, Session, TotpSecret, TransportError, TransportKind,
    secret_hash,
};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const POOL: &str = "us-east-1_Abc123";
const CLIENT: &str = "client1";
/// What the person typed at the password step: an alias.
const ALIAS: &str = "alice@example.com";
const PASSWORD: &str = "correct horse battery staple";
const S1: &str = "session-one-AAAAAAAAAAAAAAAAAAAA";
const S2: &str = "session-two-BBBBBBBBBBBBBBBBBBBB";
const S3: &str = "session-three-CCCCCCCCCCCCCCCCCC";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

// ---------------------------------------------------------------- helpers

fn tokens(tag: &str) -> AuthTokens {
    AuthTokens::new(
        AccessToken::new(format!("access-{tag}")),
        Duration::from_secs(3600),
    )
    .with_id_token(Some(IdToken::new(format!("id-{tag}"))))
    .with_refresh_token(Some(RefreshToken::new(format!("refresh-{tag}"))))
}

fn done(tag: &str) -> AuthResponse {
    AuthResponse::tokens(tokens(tag))
}

fn admin(mock: MockCognitoBackend) -> SignIn {
    SignIn::admin(mock, POOL, CLIENT)
        .build()
        .expect("valid config")
}

fn admin_with_secret(mock: MockCognitoBackend) -> SignIn {
    SignIn::admin(mock, POOL, CLIENT)
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .build()
        .expect("valid config")
}

fn password() -> Password {
    Password::new(PASSWORD)
}

/// A password-step expectation that answers with `response` for `ALIAS`.
fn expect_password_step(mock: &mut MockCognitoBackend, response: AuthResponse) {
    mock.expect_initiate_auth()
        .withf(|r: &InitiateAuthRequest| {
            r.flow == AuthFlow::AdminUserPassword
                && r.parameters.get("USERNAME") == Some(ALIAS)
                && r.parameters.get("PASSWORD") == Some(PASSWORD)
        })
        .times(1)
        .returning(move |_| Ok(response.clone()));
}

/// Exactly these parameter names, no more.
fn names_are(p: &Parameters, expected: &[&str]) -> bool {
    let mut want: Vec<&str> = expected.to_vec();
    want.sort_unstable();
    p.names().collect::<Vec<_>>() == want
}

fn is_respond(
    r: &RespondToAuthChallengeRequest,
    name: ChallengeName,
    session: &str,
    username: &str,
) -> bool {
    r.challenge == name
        && r.session.as_ref().map(|s| s.expose_secret()) == Some(session)
        && r.responses.get("USERNAME") == Some(username)
        && r.client_id == CLIENT
        && r.api == Api::admin(POOL)
}

fn field_of(e: &Error) -> Field {
    match e {
        Error::InvalidInput(i) => i.field(),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn totp(step: SignInStep) -> TotpChallenge {
    match step {
        SignInStep::TotpRequired(c) => c,
        other => panic!("expected SOFTWARE_TOKEN_MFA, got {other:?}"),
    }
}

fn mfa_setup(step: SignInStep) -> MfaSetupChallenge {
    match step {
        SignInStep::MfaSetupRequired(c) => c,
        other => panic!("expected MFA_SETUP, got {other:?}"),
    }
}

fn select(step: SignInStep) -> SelectMfaTypeChallenge {
    match step {
        SignInStep::SelectMfaType(c) => c,
        other => panic!("expected SELECT_MFA_TYPE, got {other:?}"),
    }
}

fn new_password(step: SignInStep) -> NewPasswordChallenge {
    match step {
        SignInStep::NewPasswordRequired(c) => c,
        other => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
    }
}

fn code_challenge(step: SignInStep) -> CodeChallenge {
    match step {
        SignInStep::CodeRequired(c) => c,
        other => panic!("expected SMS_MFA/EMAIL_OTP, got {other:?}"),
    }
}

fn unsupported(step: SignInStep) -> UnsupportedChallenge {
    match step {
        SignInStep::Unsupported(c) => c,
        other => panic!("expected an unsupported challenge, got {other:?}"),
    }
}

fn signed_in(step: SignInStep) -> AuthTokens {
    match step {
        SignInStep::Done(t) => t,
        other => panic!("expected tokens, got {other:?}"),
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

fn assert_about(at: SystemTime, from_now: Duration) {
    let want = SystemTime::now() + from_now;
    let diff = match want.duration_since(at) {
        Ok(d) => d,
        Err(e) => e.duration(),
    };
    assert!(diff < Duration::from_secs(5), "off by {diff:?}");
}

/// A saved SOFTWARE_TOKEN_MFA challenge as JSON, with the given fields.
fn saved_json(version: u32, client_id: &str, session: &str, expires_at: u64) -> String {
    serde_json::json!({
        "v": version,
        "challenge": "SOFTWARE_TOKEN_MFA",
        "session": session,
        "username": CANONICAL,
        "client_id": client_id,
        "user_pool_id": POOL,
        "expires_at": expires_at,
        "parameters": { "FRIENDLY_DEVICE_NAME": "Alice's phone" },
    })
    .to_string()
}

fn parse_saved(json: &str) -> SavedChallenge {
    serde_json::from_str(json).expect("well-formed saved challenge")
}

// ------------------------------------------------------ the password step

#[tokio::test]
async fn admin_password_flow_sends_admin_request_and_passes_tokens_through() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth()
        .withf(|r: &InitiateAuthRequest| {
            r.flow == AuthFlow::AdminUserPassword
                && r.client_id == CLIENT
                && r.api == Api::admin(POOL)
                && r.parameters.get("USERNAME") == Some(ALIAS)
                && r.parameters.get("PASSWORD") == Some(PASSWORD)
                // No client secret: no SECRET_HASH key at all.
                && names_are(&r.parameters, &["USERNAME", "PASSWORD"])
                && !format!("{r:?}").contains(PASSWORD)
        })
        .times(1)
        .returning(|_| {
            let mut t = tokens("admin");
            t.expires_in = Duration::from_secs(900);
            t.token_type = "Bearer".to_owned();
            t.new_device = Some(NewDeviceMetadata::new(
                "us-east-1_0a1b2c3d-4e5f".to_owned(),
                "-group-key".to_owned(),
            ));
            Ok(AuthResponse::tokens(t))
        });
    mock.expect_respond_to_auth_challenge().never();
    let sign_in = admin(mock);
    assert_eq!(sign_in.client_id(), CLIENT);
    assert_eq!(sign_in.user_pool_id(), Some(POOL));

    let step = sign_in.password(ALIAS, &password()).await.expect("tokens");
    assert_eq!(step.challenge_name(), None);
    let t = step.into_tokens().expect("signed in");
    assert_eq!(t.access_token.expose_secret(), "access-admin");
    assert_eq!(
        t.id_token.as_ref().map(IdToken::expose_secret),
        Some("id-admin")
    );
    assert_eq!(
        t.refresh_token.as_ref().map(RefreshToken::expose_secret),
        Some("refresh-admin")
    );
    assert_eq!(t.expires_in, Duration::from_secs(900));
    assert_eq!(t.token_type, "Bearer");
    assert_eq!(
        t.new_device,
        Some(NewDeviceMetadata::new(
            "us-east-1_0a1b2c3d-4e5f".to_owned(),
            "-group-key".to_owned()
        ))
    );
}

#[tokio::test]
async fn public_password_flow_sends_user_password_auth_without_pool() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth()
        .withf(|r: &InitiateAuthRequest| {
            r.flow == AuthFlow::UserPassword
                && r.client_id == CLIENT
                && r.api == Api::Public
                && r.parameters.get("USERNAME") == Some("alice")
                && r.parameters.get("PASSWORD") == Some(PASSWORD)
                && names_are(&r.parameters, &["USERNAME", "PASSWORD"])
        })
        .times(1)
        .returning(|_| {
            Ok(challenge(
                "SOFTWARE_TOKEN_MFA",
                S1,
                &[("USER_ID_FOR_SRP", "alice")],
            ))
        });
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            r.challenge == ChallengeName::SoftwareTokenMfa
                && r.api == Api::Public
                && r.client_id == CLIENT
                && r.session.as_ref().map(|s| s.expose_secret()) == Some(S1)
                && names_are(&r.responses, &["USERNAME", "SOFTWARE_TOKEN_MFA_CODE"])
        })
        .times(1)
        .returning(|_| Ok(done("public")));
    let sign_in = SignIn::public(mock, CLIENT).build().expect("valid config");
    assert_eq!(sign_in.user_pool_id(), None);

    let c = totp(sign_in.password("alice", &password()).await.expect("step"));
    let t = signed_in(c.answer(&sign_in, "123456").await.expect("tokens"));
    assert_eq!(t.access_token.expose_secret(), "access-public");
}

#[tokio::test]
async fn password_step_errors_are_told_apart() {
    // (code, message, check) for each password-step error of the notes.
    type Check = fn(&Error) -> bool;
    let cases: Vec<(&str, &str, Check)> = vec![
        (
            "NotAuthorizedException",
            "Incorrect username or password.",
            |e| matches!(e, Error::WrongCredentials) && e.must_restart(),
        ),
        (
            "NotAuthorizedException",
            "Unable to verify secret hash for client client1",
            |e| matches!(e, Error::SecretHashMismatch) && e.recovery() == Recovery::Fix,
        ),
        (
            "NotAuthorizedException",
            "Client client1 is configured for secret but secret was not received",
            |e| matches!(e, Error::SecretHashMismatch),
        ),
        ("NotAuthorizedException", "User is disabled.", |e| {
            matches!(e, Error::UserDisabled)
        }),
        (
            "InvalidParameterException",
            "USER_PASSWORD_AUTH flow not enabled for this client",
            |e| matches!(e, Error::AuthFlowNotEnabled),
        ),
        ("UserNotFoundException", "User does not exist.", |e| {
            matches!(e, Error::UserNotFound)
        }),
        ("UserNotConfirmedException", "User is not confirmed.", |e| {
            matches!(e, Error::UserNotConfirmed)
        }),
        (
            "PasswordResetRequiredException",
            "Password reset required for the user",
            |e| matches!(e, Error::PasswordResetRequired),
        ),
        ("TooManyRequestsException", "Too many requests", |e| {
            matches!(e, Error::Throttled(_)) && e.is_retryable()
        }),
        ("LimitExceededException", "Attempt limit exceeded", |e| {
            matches!(e, Error::Throttled(_)) && e.is_retryable()
        }),
    ];
    for (code, message, check) in cases {
        let mut mock = MockCognitoBackend::new();
        let (c, m) = (code.to_owned(), message.to_owned());
        mock.expect_initiate_auth()
            .times(1)
            .returning(move |_| Err(service(Operation::InitiateAuth, &c, &m)));
        mock.expect_respond_to_auth_challenge().never();
        let sign_in = admin(mock);
        let e = sign_in
            .password(ALIAS, &password())
            .await
            .expect_err("an error");
        assert!(check(&e), "{code} / {message} mapped to {e:?}");
        assert!(!e.can_retry_challenge(), "{e:?}");
    }
}

#[tokio::test]
async fn password_step_refuses_bad_input_without_a_call() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth().never();
    let sign_in = admin(mock);
    let e = sign_in.password("", &password()).await.unwrap_err();
    assert_eq!(field_of(&e), Field::Username);
    let e = sign_in.password("al ice", &password()).await.unwrap_err();
    assert_eq!(field_of(&e), Field::Username);
    let e = sign_in
        .password(ALIAS, &Password::new(""))
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), Field::Password);
}

// ------------------------------------------------------ SOFTWARE_TOKEN_MFA

#[tokio::test]
async fn totp_answer_sends_code_same_session_and_canonical_name() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge(
            "SOFTWARE_TOKEN_MFA",
            S1,
            &[
                ("FRIENDLY_DEVICE_NAME", "Alice's phone"),
                ("USER_ID_FOR_SRP", CANONICAL),
            ],
        ),
    );
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S1, CANONICAL)
                && r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some("123456")
                && names_are(&r.responses, &["USERNAME", "SOFTWARE_TOKEN_MFA_CODE"])
        })
        .times(1)
        .returning(|_| Ok(done("totp")));
    let sign_in = admin(mock);

    let step = sign_in.password(ALIAS, &password()).await.expect("step");
    assert_eq!(step.challenge_name(), Some("SOFTWARE_TOKEN_MFA"));
    let c = totp(step);
    assert_eq!(c.friendly_device_name(), Some("Alice's phone"));
    assert_eq!(c.username(), CANONICAL);
    assert_about(c.expires_at(), MAX_SESSION_VALIDITY);

    // People type the code with a space in the middle.
    let t = signed_in(c.answer(&sign_in, "123 456").await.expect("tokens"));
    assert_eq!(t.access_token.expose_secret(), "access-totp");
}

#[tokio::test]
async fn totp_canonical_name_from_username_parameter_and_absent_device_name() {
    let mut mock = MockCognitoBackend::new();
    // No USER_ID_FOR_SRP (an empty one is ignored), USERNAME carries it;
    // FRIENDLY_DEVICE_NAME may be absent.
    expect_password_step(
        &mut mock,
        challenge(
            "SOFTWARE_TOKEN_MFA",
            S1,
            &[("USER_ID_FOR_SRP", ""), ("USERNAME", CANONICAL)],
        ),
    );
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S1, CANONICAL)
        })
        .times(1)
        .returning(|_| Ok(done("x")));
    let sign_in = admin(mock);
    let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    assert_eq!(c.friendly_device_name(), None);
    assert_eq!(c.username(), CANONICAL);
    c.answer(&sign_in, "000000").await.expect("tokens");
}

#[tokio::test]
async fn totp_without_canonical_name_keeps_the_typed_one() {
    // moto sends empty ChallengeParameters: the typed name is all there is.
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, challenge("SOFTWARE_TOKEN_MFA", S1, &[]));
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S1, ALIAS)
        })
        .times(1)
        .returning(|_| Ok(done("x")));
    let sign_in = admin(mock);
    let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    assert_eq!(c.username(), ALIAS);
    c.answer(&sign_in, "000000").await.expect("tokens");
}

#[tokio::test]
async fn totp_wrong_code_hands_back_the_challenge_and_the_retry_works() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge("SOFTWARE_TOKEN_MFA", S1, &[("USER_ID_FOR_SRP", CANONICAL)]),
    );
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S1, CANONICAL)
                && r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some("111111")
        })
        .times(1)
        .returning(|_| {
            Err(respond_error(
                "CodeMismatchException",
                "Invalid code received for user",
            ))
        });
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S1, CANONICAL)
                && r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some("222222")
        })
        .times(1)
        .returning(|_| Ok(done("retry")));
    let sign_in = admin(mock);

    let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = c.answer(&sign_in, "111111").await.expect_err("wrong code");
    assert!(
        matches!(rejected.error(), Error::CodeMismatch),
        "{rejected:?}"
    );
    assert_eq!(rejected.error().recovery(), Recovery::RetrySameStep);
    assert!(rejected.error().can_retry_challenge());
    assert!(!rejected.error().must_restart());
    let again = rejected.retry().expect("the same challenge back");
    assert_eq!(again.username(), CANONICAL);
    let t = signed_in(again.answer(&sign_in, "222222").await.expect("tokens"));
    assert_eq!(t.access_token.expose_secret(), "access-retry");
}

#[tokio::test]
async fn totp_malformed_codes_are_refused_without_a_call() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge("SOFTWARE_TOKEN_MFA", S1, &[("USER_ID_FOR_SRP", CANONICAL)]),
    );
    mock.expect_respond_to_auth_challenge().never();
    let sign_in = admin(mock);

    let mut c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    for code in ["12345", "12a456", "", "1234567", "١٢٣٤٥٦", "      "] {
        let rejected = c.answer(&sign_in, code).await.expect_err("malformed");
        assert_eq!(field_of(rejected.error()), Field::UserCode, "{code:?}");
        assert_eq!(rejected.error().recovery(), Recovery::RetrySameStep);
        let msg = rejected.error().to_string();
        assert!(code.trim().is_empty() || !msg.contains(code), "{msg}");
        c = rejected.retry().expect("the same challenge back");
    }
}

#[tokio::test]
async fn totp_code_already_used_waits_for_the_next_code() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge("SOFTWARE_TOKEN_MFA", S1, &[("USER_ID_FOR_SRP", CANONICAL)]),
    );
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some("333333")
        })
        .times(1)
        .returning(|_| {
            Err(respond_error(
                "ExpiredCodeException",
                "Your software token has already been used once.",
            ))
        });
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S1, CANONICAL)
                && r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some("444444")
        })
        .times(1)
        .returning(|_| Ok(done("next")));
    let sign_in = admin(mock);

    let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = c.answer(&sign_in, "333333").await.expect_err("used");
    assert!(
        matches!(rejected.error(), Error::CodeAlreadyUsed),
        "{rejected:?}"
    );
    assert_eq!(rejected.error().recovery(), Recovery::WaitForNextCode);
    let again = rejected.retry().expect("the same challenge back");
    signed_in(again.answer(&sign_in, "444444").await.expect("tokens"));
}

#[tokio::test]
async fn totp_expired_session_means_restart() {
    for message in [
        "Invalid session for the user, session is expired.",
        "Invalid session for the user.",
    ] {
        let mut mock = MockCognitoBackend::new();
        expect_password_step(
            &mut mock,
            challenge("SOFTWARE_TOKEN_MFA", S1, &[("USER_ID_FOR_SRP", CANONICAL)]),
        );
        let m = message.to_owned();
        mock.expect_respond_to_auth_challenge()
            .times(1)
            .returning(move |_| Err(respond_error("NotAuthorizedException", &m)));
        let sign_in = admin(mock);
        let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
        let rejected = c.answer(&sign_in, "123456").await.expect_err("expired");
        assert!(
            matches!(rejected.error(), Error::SessionExpired),
            "{message}: {rejected:?}"
        );
        assert!(rejected.error().must_restart());
        assert!(rejected.retry().is_none());
    }
}

#[tokio::test]
async fn totp_time_out_is_surfaced_and_the_code_never_resent() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge("SOFTWARE_TOKEN_MFA", S1, &[("USER_ID_FOR_SRP", CANONICAL)]),
    );
    // times(1): the library must not silently send the same code again.
    mock.expect_respond_to_auth_challenge()
        .times(1)
        .returning(|_| {
            Err(Error::Transport(TransportError::new(
                TransportKind::TimedOut,
                Operation::RespondToAuthChallenge,
                "timeout",
            )))
        });
    let sign_in = admin(mock);
    let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = c.answer(&sign_in, "123456").await.expect_err("time-out");
    match rejected.error() {
        Error::Transport(t) => {
            assert_eq!(t.kind(), TransportKind::TimedOut);
            assert!(t.may_have_reached_service());
        }
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(rejected.error().must_restart());
    assert!(!rejected.error().is_retryable());
    assert!(rejected.retry().is_none());
}

#[tokio::test]
async fn totp_not_sent_transport_error_is_retryable_later() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge("SOFTWARE_TOKEN_MFA", S1, &[("USER_ID_FOR_SRP", CANONICAL)]),
    );
    mock.expect_respond_to_auth_challenge()
        .times(1)
        .returning(|_| {
            Err(Error::Transport(TransportError::new(
                TransportKind::NotSent,
                Operation::RespondToAuthChallenge,
                "dns",
            )))
        });
    let sign_in = admin(mock);
    let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = c.answer(&sign_in, "123456").await.expect_err("not sent");
    assert!(rejected.error().is_retryable());
    assert!(!rejected.error().must_restart());
}

#[tokio::test]
async fn totp_user_without_software_token() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge("SOFTWARE_TOKEN_MFA", S1, &[("USER_ID_FOR_SRP", CANONICAL)]),
    );
    mock.expect_respond_to_auth_challenge()
        .times(1)
        .returning(|_| {
            Err(respond_error(
                "SoftwareTokenMFANotFoundException",
                "Software Token MFA has not been set up for the user",
            ))
        });
    let sign_in = admin(mock);
    let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = c.answer(&sign_in, "123456").await.expect_err("no token");
    assert!(
        matches!(rejected.error(), Error::TotpNotSetUp),
        "{rejected:?}"
    );
    assert!(rejected.retry().is_none());
}

#[tokio::test]
async fn session_validity_stamps_the_challenge_expiry() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, challenge("SOFTWARE_TOKEN_MFA", S1, &[]));
    let sign_in = SignIn::admin(mock, POOL, CLIENT)
        .session_validity(Duration::from_secs(10 * 60))
        .build()
        .unwrap();
    assert_eq!(sign_in.session_validity(), Some(Duration::from_secs(600)));
    let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    assert_about(c.expires_at(), Duration::from_secs(600));
}

// -------------------------------------------------------------- SECRET_HASH

#[tokio::test]
async fn secret_hash_uses_typed_name_first_then_canonical_name_in_every_answer() {
    let secret = ClientSecret::new(CLIENT_SECRET);
    let typed_hash = secret_hash(&secret, ALIAS, CLIENT);
    let canonical_hash = secret_hash(&secret, CANONICAL, CLIENT);
    assert_ne!(typed_hash, canonical_hash);

    let mut mock = MockCognitoBackend::new();
    let h = typed_hash.clone();
    mock.expect_initiate_auth()
        .withf(move |r: &InitiateAuthRequest| {
            r.parameters.get("SECRET_HASH") == Some(h.as_str())
                && r.parameters.get("USERNAME") == Some(ALIAS)
                && names_are(&r.parameters, &["USERNAME", "PASSWORD", "SECRET_HASH"])
        })
        .times(1)
        .returning(|_| {
            Ok(challenge(
                "SELECT_MFA_TYPE",
                S1,
                &[
                    ("MFAS_CAN_CHOOSE", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#),
                    ("USER_ID_FOR_SRP", CANONICAL),
                ],
            ))
        });
    let h = canonical_hash.clone();
    mock.expect_respond_to_auth_challenge()
        .withf(move |r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SelectMfaType, S1, CANONICAL)
                && r.responses.get("SECRET_HASH") == Some(h.as_str())
                && names_are(&r.responses, &["USERNAME", "SECRET_HASH", "ANSWER"])
        })
        .times(1)
        // The next challenge's parameters don't repeat the user name.
        .returning(|_| Ok(challenge("SOFTWARE_TOKEN_MFA", S2, &[])));
    let h = canonical_hash.clone();
    mock.expect_respond_to_auth_challenge()
        .withf(move |r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S2, CANONICAL)
                && r.responses.get("SECRET_HASH") == Some(h.as_str())
                && names_are(
                    &r.responses,
                    &["USERNAME", "SECRET_HASH", "SOFTWARE_TOKEN_MFA_CODE"],
                )
        })
        .times(1)
        .returning(|_| Ok(done("hashed")));
    let sign_in = admin_with_secret(mock);
    assert!(!format!("{sign_in:?}").contains(CLIENT_SECRET));

    let s = select(sign_in.password(ALIAS, &password()).await.unwrap());
    let c = totp(s.choose(&sign_in, MfaFactor::SoftwareToken).await.unwrap());
    assert_eq!(c.username(), CANONICAL);
    signed_in(c.answer(&sign_in, "123456").await.unwrap());
}

#[tokio::test]
async fn refresh_with_a_secret_needs_the_user_name() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth().never();
    let sign_in = admin_with_secret(mock);
    let e = sign_in
        .refresh(&RefreshToken::new("refresh-token"), None)
        .await
        .expect_err("no user name");
    assert_eq!(field_of(&e), Field::Username);
    let e = sign_in
        .refresh(&RefreshToken::new(""), Some(CANONICAL))
        .await
        .expect_err("empty token");
    assert_eq!(field_of(&e), Field::Token);
}

#[tokio::test]
async fn refresh_sends_the_refresh_token_and_secret_hash() {
    let hash = secret_hash(&ClientSecret::new(CLIENT_SECRET), CANONICAL, CLIENT);
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth()
        .withf(move |r: &InitiateAuthRequest| {
            r.flow == AuthFlow::RefreshToken
                && r.client_id == CLIENT
                && r.api == Api::admin(POOL)
                && r.parameters.get("REFRESH_TOKEN") == Some("refresh-token-value")
                && r.parameters.get("SECRET_HASH") == Some(hash.as_str())
                && names_are(&r.parameters, &["REFRESH_TOKEN", "SECRET_HASH"])
        })
        .times(1)
        .returning(|_| {
            let mut t = tokens("refreshed");
            t.refresh_token = None;
            Ok(AuthResponse::tokens(t))
        });
    let sign_in = admin_with_secret(mock);
    let t = sign_in
        .refresh(&RefreshToken::new("refresh-token-value"), Some(CANONICAL))
        .await
        .expect("tokens");
    assert_eq!(t.access_token.expose_secret(), "access-refreshed");
    assert!(t.refresh_token.is_none());
}

#[tokio::test]
async fn refresh_without_a_secret_sends_no_hash() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth()
        .withf(|r: &InitiateAuthRequest| {
            r.flow == AuthFlow::RefreshToken
                && r.api == Api::Public
                && names_are(&r.parameters, &["REFRESH_TOKEN"])
        })
        .times(1)
        .returning(|_| Ok(done("public-refresh")));
    let sign_in = SignIn::public(mock, CLIENT).build().unwrap();
    sign_in
        .refresh(&RefreshToken::new("refresh-token-value"), None)
        .await
        .expect("tokens");
}

#[tokio::test]
async fn refresh_answered_with_a_challenge_is_unexpected() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth()
        .times(1)
        .returning(|_| Ok(challenge("SOFTWARE_TOKEN_MFA", S1, &[])));
    let sign_in = admin(mock);
    let e = sign_in
        .refresh(&RefreshToken::new("refresh-token-value"), None)
        .await
        .expect_err("a challenge is not tokens");
    assert!(
        matches!(
            e,
            Error::UnexpectedResponse {
                operation: Operation::AdminInitiateAuth,
                ..
            }
        ),
        "{e:?}"
    );
}

// ---------------------------------------------------------------- MFA_SETUP

fn expect_associate(mock: &mut MockCognitoBackend) {
    mock.expect_associate_software_token()
        .withf(|auth: &TokenAuth| matches!(auth, TokenAuth::Session(s) if s.expose_secret() == S1))
        .times(1)
        .returning(|_| {
            Ok(AssociatedSoftwareToken::new(
                TotpSecret::new(TOTP_SECRET),
                Some(Session::new(S2)),
            ))
        });
}

fn expect_verify(mock: &mut MockCognitoBackend, code: &'static str, result: fn() -> VerifyResult) {
    mock.expect_verify_software_token()
        .withf(move |auth, c, device| {
            matches!(auth, TokenAuth::Session(s) if s.expose_secret() == S2)
                && c.expose_secret() == code
                && device.is_none()
        })
        .times(1)
        .returning(move |_, _, _| result());
}

type VerifyResult = Result<VerifiedSoftwareToken, Error>;

fn verified_s3() -> VerifyResult {
    Ok(VerifiedSoftwareToken::new(
        VerifyStatus::Success,
        Some(Session::new(S3)),
    ))
}

fn expect_mfa_setup_answer(mock: &mut MockCognitoBackend) {
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::MfaSetup, S3, CANONICAL)
                && names_are(&r.responses, &["USERNAME"])
        })
        .times(1)
        .returning(|_| Ok(done("setup")));
}

fn mfa_setup_challenge() -> AuthResponse {
    challenge(
        "MFA_SETUP",
        S1,
        &[
            ("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#),
            ("USER_ID_FOR_SRP", CANONICAL),
        ],
    )
}

#[tokio::test]
async fn mfa_setup_associates_verifies_and_answers_with_each_new_session() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, mfa_setup_challenge());
    expect_associate(&mut mock);
    expect_verify(&mut mock, "654321", verified_s3);
    // The MFA_SETUP path has no access token: the preference is not set.
    mock.expect_set_user_mfa_preference().never();
    expect_mfa_setup_answer(&mut mock);
    let sign_in = admin(mock);

    let c = mfa_setup(sign_in.password(ALIAS, &password()).await.unwrap());
    assert_eq!(c.can_set_up(), [MfaFactor::SoftwareToken]);
    assert_eq!(c.username(), CANONICAL);
    let pending = c
        .start_totp(&sign_in, MfaEnrollment::new("Example"))
        .await
        .expect("associated");
    assert_eq!(pending.username(), CANONICAL);
    let enrollment = pending.enrollment();
    assert_eq!(enrollment.account_name(), CANONICAL);
    assert_eq!(enrollment.issuer(), "Example");
    assert_eq!(enrollment.secret().expose_secret(), TOTP_SECRET);
    assert_eq!(
        enrollment.uri(),
        format!(
            "otpauth://totp/Example:{CANONICAL}?secret={TOTP_SECRET}&issuer=Example\
             &algorithm=SHA1&digits=6&period=30"
        )
    );
    assert!(!format!("{pending:?}").contains(S2));
    assert!(!format!("{pending:?}").contains(TOTP_SECRET));

    let t = signed_in(pending.verify(&sign_in, "654 321").await.expect("tokens"));
    assert_eq!(t.access_token.expose_secret(), "access-setup");
}

#[tokio::test]
async fn mfa_setup_wrong_code_at_verify_hands_back_the_setup() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, mfa_setup_challenge());
    expect_associate(&mut mock);
    expect_verify(&mut mock, "111111", || {
        Err(service(
            Operation::VerifySoftwareToken,
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
        ))
    });
    // Moto's answer, and a Status of ERROR, are wrong codes too.
    expect_verify(&mut mock, "222222", || {
        Err(service(
            Operation::VerifySoftwareToken,
            "CodeMismatchException",
            "Invalid code received for user",
        ))
    });
    expect_verify(&mut mock, "333333", || {
        Ok(VerifiedSoftwareToken::new(VerifyStatus::Error, None))
    });
    expect_verify(&mut mock, "654321", verified_s3);
    mock.expect_associate_software_token().never();
    expect_mfa_setup_answer(&mut mock);
    let sign_in = admin(mock);

    let c = mfa_setup(sign_in.password(ALIAS, &password()).await.unwrap());
    let mut pending = c
        .start_totp(&sign_in, MfaEnrollment::new("Example"))
        .await
        .unwrap();
    for wrong in ["111111", "222222", "333333"] {
        let rejected = pending.verify(&sign_in, wrong).await.expect_err("wrong");
        assert!(
            matches!(rejected.error(), Error::CodeMismatch),
            "{wrong}: {rejected:?}"
        );
        pending = rejected.retry().expect("the pending setup back");
        // The same secret: nothing was associated again.
        assert_eq!(pending.enrollment().secret().expose_secret(), TOTP_SECRET);
    }
    // A malformed code is refused locally.
    let rejected = pending.verify(&sign_in, "12345").await.expect_err("short");
    assert_eq!(field_of(rejected.error()), Field::UserCode);
    pending = rejected.retry().expect("the pending setup back");
    signed_in(pending.verify(&sign_in, "654321").await.expect("tokens"));
}

#[tokio::test]
async fn mfa_setup_on_a_pool_without_totp() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, mfa_setup_challenge());
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_| {
            Err(service(
                Operation::AssociateSoftwareToken,
                "SoftwareTokenMFANotFoundException",
                "Software Token MFA is not enabled for the user pool",
            ))
        });
    let sign_in = admin(mock);
    let c = mfa_setup(sign_in.password(ALIAS, &password()).await.unwrap());
    let e = c
        .start_totp(&sign_in, MfaEnrollment::new("Example"))
        .await
        .expect_err("no TOTP on the pool");
    assert!(matches!(e, Error::TotpNotEnabledOnPool), "{e:?}");
}

#[tokio::test]
async fn mfa_setup_finish_after_verify_from_parts() {
    let mut mock = MockCognitoBackend::new();
    expect_mfa_setup_answer(&mut mock);
    let sign_in = admin(mock);
    let c = mfa_setup(
        sign_in
            .resume_parts("MFA_SETUP", Session::new(S3), CANONICAL)
            .expect("parts"),
    );
    assert!(c.can_set_up().is_empty(), "unknown when rebuilt from parts");
    assert_about(c.expires_at(), MAX_SESSION_VALIDITY);
    let t = signed_in(c.finish_after_verify(&sign_in).await.expect("tokens"));
    assert_eq!(t.access_token.expose_secret(), "access-setup");
}

#[tokio::test]
async fn mfa_setup_lists_in_other_shapes() {
    for (raw, want) in [
        (
            r#"["SOFTWARE_TOKEN_MFA","SMS_MFA"]"#,
            vec![MfaFactor::SoftwareToken, MfaFactor::Sms],
        ),
        ("SOFTWARE_TOKEN_MFA", vec![MfaFactor::SoftwareToken]),
        (r#"["WEB_AUTHN"]"#, vec![]),
        ("[broken", vec![]),
    ] {
        let mut mock = MockCognitoBackend::new();
        expect_password_step(
            &mut mock,
            challenge("MFA_SETUP", S1, &[("MFAS_CAN_SETUP", raw)]),
        );
        let sign_in = admin(mock);
        let c = mfa_setup(sign_in.password(ALIAS, &password()).await.unwrap());
        assert_eq!(c.can_set_up(), want, "{raw}");
    }
}

// ---------------------------------------------------- NEW_PASSWORD_REQUIRED

fn new_password_challenge() -> AuthResponse {
    challenge(
        "NEW_PASSWORD_REQUIRED",
        S1,
        &[
            ("requiredAttributes", r#"["userAttributes.email"]"#),
            (
                "userAttributes",
                r#"{"email_verified":"true","given_name":"Alice","custom:n":5}"#,
            ),
            ("USER_ID_FOR_SRP", CANONICAL),
        ],
    )
}

const NEW_PASSWORD: &str = "a much better passphrase";

#[tokio::test]
async fn new_password_required_then_mfa_setup() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, new_password_challenge());
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::NewPasswordRequired, S1, CANONICAL)
                && r.responses.get("NEW_PASSWORD") == Some(NEW_PASSWORD)
                && r.responses.get("userAttributes.email") == Some(ALIAS)
                && names_are(
                    &r.responses,
                    &["USERNAME", "NEW_PASSWORD", "userAttributes.email"],
                )
                && !format!("{r:?}").contains(NEW_PASSWORD)
        })
        .times(1)
        .returning(|_| {
            Ok(challenge(
                "MFA_SETUP",
                S2,
                &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)],
            ))
        });
    let sign_in = admin(mock);

    let c = new_password(sign_in.password(ALIAS, &password()).await.unwrap());
    assert_eq!(c.required_attributes(), ["email"]);
    let attrs = c.user_attributes();
    assert_eq!(
        attrs.get("email_verified").map(String::as_str),
        Some("true")
    );
    assert_eq!(attrs.get("given_name").map(String::as_str), Some("Alice"));
    assert!(!attrs.contains_key("custom:n"), "non-strings are left out");
    let next = c
        .answer(&sign_in, &Password::new(NEW_PASSWORD), &[("email", ALIAS)])
        .await
        .expect("next step");
    let setup = mfa_setup(next);
    assert_eq!(setup.can_set_up(), [MfaFactor::SoftwareToken]);
    assert_eq!(setup.username(), CANONICAL, "the canonical name carries on");
}

#[tokio::test]
async fn new_password_missing_attribute_is_refused_without_a_call() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, new_password_challenge());
    mock.expect_respond_to_auth_challenge().never();
    let sign_in = admin(mock);

    let c = new_password(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = c
        .answer(&sign_in, &Password::new(NEW_PASSWORD), &[("name", "Alice")])
        .await
        .expect_err("email missing");
    assert_eq!(field_of(rejected.error()), Field::Challenge);
    assert!(rejected.error().to_string().contains("email"));
    let c = rejected.retry().expect("the same challenge back");
    let rejected = c
        .answer(&sign_in, &Password::new(""), &[("email", ALIAS)])
        .await
        .expect_err("empty password");
    assert_eq!(field_of(rejected.error()), Field::Password);
    assert!(rejected.retry().is_some());
}

#[tokio::test]
async fn new_password_policy_rejection_can_be_retried() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, new_password_challenge());
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| r.responses.get("NEW_PASSWORD") == Some("short"))
        .times(1)
        .returning(|_| {
            Err(respond_error(
                "InvalidPasswordException",
                "Password does not conform to policy: Password not long enough",
            ))
        });
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::NewPasswordRequired, S1, CANONICAL)
                && r.responses.get("NEW_PASSWORD") == Some(NEW_PASSWORD)
        })
        .times(1)
        .returning(|_| Ok(done("newpw")));
    let sign_in = admin(mock);

    let c = new_password(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = c
        .answer(&sign_in, &Password::new("short"), &[("email", ALIAS)])
        .await
        .expect_err("policy");
    match rejected.error() {
        Error::PasswordPolicy(e) => {
            assert_eq!(e.code(), "InvalidPasswordException");
            assert!(e.message().unwrap_or_default().contains("not long enough"));
        }
        other => panic!("expected PasswordPolicy, got {other:?}"),
    }
    assert_eq!(rejected.error().recovery(), Recovery::RetrySameStep);
    let c = rejected.retry().expect("the same challenge back");
    signed_in(
        c.answer(&sign_in, &Password::new(NEW_PASSWORD), &[("email", ALIAS)])
            .await
            .expect("tokens"),
    );
}

// ---------------------------------------------------------- SELECT_MFA_TYPE

fn select_challenge() -> AuthResponse {
    challenge(
        "SELECT_MFA_TYPE",
        S1,
        &[
            ("MFAS_CAN_CHOOSE", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#),
            ("USER_ID_FOR_SRP", CANONICAL),
        ],
    )
}

#[tokio::test]
async fn select_mfa_type_answers_the_choice_and_gets_its_challenge() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, select_challenge());
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SelectMfaType, S1, CANONICAL)
                && r.responses.get("ANSWER") == Some("SOFTWARE_TOKEN_MFA")
                && names_are(&r.responses, &["USERNAME", "ANSWER"])
        })
        .times(1)
        .returning(|_| {
            Ok(challenge(
                "SOFTWARE_TOKEN_MFA",
                S2,
                &[("FRIENDLY_DEVICE_NAME", "Work phone")],
            ))
        });
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S2, CANONICAL)
        })
        .times(1)
        .returning(|_| Ok(done("selected")));
    let sign_in = admin(mock);

    let s = select(sign_in.password(ALIAS, &password()).await.unwrap());
    assert_eq!(s.choices(), [MfaFactor::Sms, MfaFactor::SoftwareToken]);
    let c = totp(s.choose(&sign_in, MfaFactor::SoftwareToken).await.unwrap());
    assert_eq!(c.friendly_device_name(), Some("Work phone"));
    signed_in(c.answer(&sign_in, "123456").await.unwrap());
}

#[tokio::test]
async fn select_mfa_type_refuses_a_factor_not_on_offer() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, select_challenge());
    mock.expect_respond_to_auth_challenge().never();
    let sign_in = admin(mock);

    let s = select(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = s
        .choose(&sign_in, MfaFactor::Email)
        .await
        .expect_err("not offered");
    assert!(matches!(rejected.error(), Error::InvalidInput(_)));
    assert_eq!(field_of(rejected.error()), Field::MfaSetting);
    let s = rejected.retry().expect("the same challenge back");
    assert_eq!(s.choices().len(), 2);
}

#[tokio::test]
async fn select_mfa_type_choosing_sms_gets_a_code_challenge() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, select_challenge());
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SelectMfaType, S1, CANONICAL)
                && r.responses.get("ANSWER") == Some("SMS_MFA")
        })
        .times(1)
        .returning(|_| {
            Ok(challenge(
                "SMS_MFA",
                S2,
                &[
                    ("CODE_DELIVERY_DELIVERY_MEDIUM", "SMS"),
                    ("CODE_DELIVERY_DESTINATION", "+*******0100"),
                ],
            ))
        });
    let sign_in = admin(mock);
    let s = select(sign_in.password(ALIAS, &password()).await.unwrap());
    let c = code_challenge(s.choose(&sign_in, MfaFactor::Sms).await.unwrap());
    assert_eq!(c.factor(), Some(MfaFactor::Sms));
}

// ------------------------------------------------------- SMS_MFA, EMAIL_OTP

#[tokio::test]
async fn sms_code_challenge() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge(
            "SMS_MFA",
            S1,
            &[
                ("CODE_DELIVERY_DELIVERY_MEDIUM", "SMS"),
                ("CODE_DELIVERY_DESTINATION", "+*******0100"),
                ("USER_ID_FOR_SRP", CANONICAL),
            ],
        ),
    );
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SmsMfa, S1, CANONICAL)
                && r.responses.get("SMS_MFA_CODE") == Some("12345678")
                && names_are(&r.responses, &["USERNAME", "SMS_MFA_CODE"])
        })
        .times(1)
        .returning(|_| Ok(done("sms")));
    let sign_in = admin(mock);

    let step = sign_in.password(ALIAS, &password()).await.unwrap();
    assert_eq!(step.challenge_name(), Some("SMS_MFA"));
    let c = code_challenge(step);
    assert_eq!(c.factor(), Some(MfaFactor::Sms));
    assert_eq!(c.destination(), Some("+*******0100"));
    assert_eq!(c.medium(), Some("SMS"));
    assert_eq!(c.username(), CANONICAL);
    signed_in(c.answer(&sign_in, "1234 5678").await.expect("tokens"));
}

#[tokio::test]
async fn email_code_challenge() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge(
            "EMAIL_OTP",
            S1,
            &[
                ("CODE_DELIVERY_DELIVERY_MEDIUM", "EMAIL"),
                ("CODE_DELIVERY_DESTINATION", "a***@e***"),
                ("USER_ID_FOR_SRP", CANONICAL),
            ],
        ),
    );
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::EmailOtp, S1, CANONICAL)
                && r.responses.get("EMAIL_OTP_CODE") == Some("123456")
                && names_are(&r.responses, &["USERNAME", "EMAIL_OTP_CODE"])
        })
        .times(1)
        .returning(|_| Ok(done("email")));
    let sign_in = admin(mock);

    let c = code_challenge(sign_in.password(ALIAS, &password()).await.unwrap());
    assert_eq!(c.factor(), Some(MfaFactor::Email));
    assert_eq!(c.destination(), Some("a***@e***"));
    assert_eq!(c.medium(), Some("EMAIL"));
    signed_in(c.answer(&sign_in, "123456").await.expect("tokens"));
}

#[tokio::test]
async fn code_challenges_refuse_bad_codes_without_a_call() {
    for name in ["SMS_MFA", "EMAIL_OTP"] {
        let mut mock = MockCognitoBackend::new();
        expect_password_step(&mut mock, challenge(name, S1, &[]));
        mock.expect_respond_to_auth_challenge().never();
        let sign_in = admin(mock);
        let mut c = code_challenge(sign_in.password(ALIAS, &password()).await.unwrap());
        assert_eq!(c.destination(), None);
        assert_eq!(c.medium(), None);
        for code in ["12345", "123456789", "12a456", ""] {
            let rejected = c.answer(&sign_in, code).await.expect_err("bad code");
            assert_eq!(
                field_of(rejected.error()),
                Field::UserCode,
                "{name} {code:?}"
            );
            c = rejected.retry().expect("the same challenge back");
        }
    }
}

#[tokio::test]
async fn code_challenge_wrong_code_can_be_retried() {
    let mut mock = MockCognitoBackend::new();
    expect_password_step(&mut mock, challenge("SMS_MFA", S1, &[]));
    mock.expect_respond_to_auth_challenge()
        .times(1)
        .returning(|_| {
            Err(respond_error(
                "CodeMismatchException",
                "Invalid code or auth state for the user.",
            ))
        });
    let sign_in = admin(mock);
    let c = code_challenge(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = c.answer(&sign_in, "123456").await.expect_err("wrong");
    assert!(matches!(rejected.error(), Error::CodeMismatch));
    assert!(rejected.retry().is_some());
}

// ------------------------------------------------------ unknown challenges

#[tokio::test]
async fn steps_the_library_answers_never_reach_a_person_without_their_secrets() {
    // PASSWORD_VERIFIER and the device steps carry no question for a person:
    // a password sign-in holds no SRP secret to answer them with, so they
    // are an unexpected answer, not a challenge handed to the caller.
    for name in [
        "PASSWORD_VERIFIER",
        "DEVICE_SRP_AUTH",
        "DEVICE_PASSWORD_VERIFIER",
    ] {
        let mut mock = MockCognitoBackend::new();
        expect_password_step(
            &mut mock,
            challenge(name, S1, &[("USER_ID_FOR_SRP", CANONICAL)]),
        );
        mock.expect_respond_to_auth_challenge().never();
        let sign_in = admin(mock);
        let e = sign_in
            .password(ALIAS, &password())
            .await
            .expect_err("no secret to answer with");
        assert!(
            matches!(
                e,
                Error::UnexpectedResponse {
                    operation: Operation::AdminInitiateAuth,
                    ..
                }
            ),
            "{name}: {e:?}"
        );
    }
}

#[tokio::test]
async fn unknown_challenges_are_typed_never_a_panic() {
    for name in ["CUSTOM_CHALLENGE", "SOME_FUTURE_CHALLENGE"] {
        let mut mock = MockCognitoBackend::new();
        expect_password_step(
            &mut mock,
            challenge(
                name,
                S1,
                &[
                    ("CREDENTIAL_REQUEST_OPTIONS", "{\"challenge\":\"x\"}"),
                    ("USER_ID_FOR_SRP", CANONICAL),
                ],
            ),
        );
        let sign_in = admin(mock);
        let step = sign_in.password(ALIAS, &password()).await.expect("a step");
        assert_eq!(step.challenge_name(), Some(name));
        let c = unsupported(step);
        assert_eq!(c.name(), name);
        assert_eq!(c.username(), CANONICAL);
        assert_eq!(
            c.parameter_names().collect::<Vec<_>>(),
            ["CREDENTIAL_REQUEST_OPTIONS", "USER_ID_FOR_SRP"]
        );
        assert_eq!(
            c.parameter("CREDENTIAL_REQUEST_OPTIONS"),
            Some("{\"challenge\":\"x\"}")
        );
        let e = c.to_error();
        assert!(
            matches!(&e, Error::UnsupportedChallenge { name: n } if n == name),
            "{e:?}"
        );
        assert!(e.must_restart());
        assert!(e.to_string().contains(name));
        // It can be saved like any other.
        let saved = c.into_saved();
        assert_eq!(saved.challenge_name(), name);
    }
}

#[tokio::test]
async fn unsupported_challenge_respond_raw_adds_username_and_secret_hash() {
    let hash = secret_hash(&ClientSecret::new(CLIENT_SECRET), CANONICAL, CLIENT);
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth().times(1).returning(|_| {
        Ok(challenge(
            "CUSTOM_CHALLENGE",
            S1,
            &[("USER_ID_FOR_SRP", CANONICAL)],
        ))
    });
    mock.expect_respond_to_auth_challenge()
        .withf(move |r: &RespondToAuthChallengeRequest| {
            is_respond(
                r,
                ChallengeName::Other("CUSTOM_CHALLENGE".to_owned()),
                S1,
                CANONICAL,
            ) && r.responses.get("CREDENTIAL") == Some("{\"id\":\"abc\"}")
                && r.responses.get("SECRET_HASH") == Some(hash.as_str())
                && names_are(&r.responses, &["USERNAME", "SECRET_HASH", "CREDENTIAL"])
        })
        .times(1)
        .returning(|_| Ok(done("webauthn")));
    let sign_in = admin_with_secret(mock);
    let c = unsupported(sign_in.password(ALIAS, &password()).await.unwrap());
    let step = c
        .respond_raw(
            &sign_in,
            Parameters::new().with("CREDENTIAL", "{\"id\":\"abc\"}"),
        )
        .await
        .expect("tokens");
    signed_in(step);
}

// ------------------------------------------------------ unexpected answers

#[tokio::test]
async fn answers_without_tokens_or_challenge_or_session_are_unexpected() {
    let empty = {
        let mut v = AuthResponse::default();
        v.challenge = None;
        v.session = None;
        v.parameters = BTreeMap::new();
        v.tokens = None;
        v
    };
    let no_session =
        AuthResponse::challenge(ChallengeName::SoftwareTokenMfa, None, BTreeMap::new());
    for response in [empty.clone(), no_session.clone()] {
        let mut mock = MockCognitoBackend::new();
        mock.expect_initiate_auth()
            .times(1)
            .returning(move |_| Ok(response.clone()));
        let sign_in = admin(mock);
        let e = sign_in.password(ALIAS, &password()).await.expect_err("bad");
        assert!(
            matches!(
                e,
                Error::UnexpectedResponse {
                    operation: Operation::AdminInitiateAuth,
                    ..
                }
            ),
            "{e:?}"
        );
    }
    for response in [empty, no_session] {
        let mut mock = MockCognitoBackend::new();
        expect_password_step(&mut mock, challenge("SOFTWARE_TOKEN_MFA", S1, &[]));
        mock.expect_respond_to_auth_challenge()
            .times(1)
            .returning(move |_| Ok(response.clone()));
        let sign_in = admin(mock);
        let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
        let rejected = c.answer(&sign_in, "123456").await.expect_err("bad");
        assert!(
            matches!(
                rejected.error(),
                Error::UnexpectedResponse {
                    operation: Operation::AdminRespondToAuthChallenge,
                    ..
                }
            ),
            "{rejected:?}"
        );
        assert!(rejected.retry().is_none());
    }
}

// ------------------------------------------------------- saved challenges

#[tokio::test]
async fn saved_challenge_round_trips_through_json_and_is_answered_elsewhere() {
    let mut first = MockCognitoBackend::new();
    expect_password_step(
        &mut first,
        challenge(
            "SOFTWARE_TOKEN_MFA",
            S1,
            &[
                ("FRIENDLY_DEVICE_NAME", "Alice's phone"),
                ("USER_ID_FOR_SRP", CANONICAL),
            ],
        ),
    );
    first.expect_respond_to_auth_challenge().never();
    let sign_in = admin(first);
    let step = sign_in.password(ALIAS, &password()).await.unwrap();
    let saved = step.into_saved().expect("a pending challenge");
    assert_eq!(saved.version(), 2);
    assert!(saved.is_admin());
    assert_eq!(saved.challenge_name(), "SOFTWARE_TOKEN_MFA");
    assert_eq!(saved.username(), CANONICAL);
    assert_about(saved.expires_at(), MAX_SESSION_VALIDITY);
    let json = serde_json::to_string(&saved).expect("serializes");

    // The documented shape.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let map = value.as_object().expect("a map");
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "api",
            "challenge",
            "client_id",
            "expires_at",
            "parameters",
            "session",
            "user_pool_id",
            "username",
            "v"
        ]
    );
    assert_eq!(value["v"], 2);
    assert_eq!(value["api"], "admin");
    assert_eq!(value["challenge"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(value["session"], S1);
    assert_eq!(value["username"], CANONICAL);
    assert_eq!(value["client_id"], CLIENT);
    assert_eq!(value["user_pool_id"], POOL);
    let expires_at = value["expires_at"].as_u64().expect("Unix seconds");
    // Not told the client's AuthSessionValidity: the longest Cognito allows.
    assert!(expires_at.abs_diff(unix_now() + 900) < 5, "{expires_at}");
    assert_eq!(value["parameters"]["FRIENDLY_DEVICE_NAME"], "Alice's phone");

    // Another request, another instance: the mock sees the original Session.
    let mut second = MockCognitoBackend::new();
    second.expect_initiate_auth().never();
    second
        .expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S1, CANONICAL)
                && r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some("123456")
        })
        .times(1)
        .returning(|_| Ok(done("resumed")));
    let other = admin(second);
    let restored: SavedChallenge = serde_json::from_str(&json).expect("deserializes");
    let c = totp(other.resume(restored).expect("resumes"));
    assert_eq!(c.friendly_device_name(), Some("Alice's phone"));
    assert_eq!(c.username(), CANONICAL);
    let t = signed_in(c.answer(&other, "123456").await.expect("tokens"));
    assert_eq!(t.access_token.expose_secret(), "access-resumed");
}

#[tokio::test]
async fn every_challenge_kind_saves_and_resumes_as_itself() {
    for (name, params) in [
        (
            "MFA_SETUP",
            vec![("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)],
        ),
        (
            "SELECT_MFA_TYPE",
            vec![("MFAS_CAN_CHOOSE", r#"["SMS_MFA"]"#)],
        ),
        (
            "NEW_PASSWORD_REQUIRED",
            vec![("requiredAttributes", r#"["userAttributes.email"]"#)],
        ),
        (
            "SMS_MFA",
            vec![("CODE_DELIVERY_DESTINATION", "+*******0100")],
        ),
        (
            "EMAIL_OTP",
            vec![("CODE_DELIVERY_DESTINATION", "a***@e***")],
        ),
        (
            "WEB_AUTHN",
            vec![("CREDENTIAL_REQUEST_OPTIONS", r#"{"challenge":"x"}"#)],
        ),
        ("SELECT_CHALLENGE", vec![]),
        ("CUSTOM_CHALLENGE", vec![]),
    ] {
        let mut mock = MockCognitoBackend::new();
        expect_password_step(&mut mock, challenge(name, S1, &params));
        let sign_in = admin(mock);
        let saved = sign_in
            .password(ALIAS, &password())
            .await
            .unwrap()
            .into_saved()
            .expect("pending");
        let json = serde_json::to_string(&saved).unwrap();
        let step = sign_in.resume(parse_saved(&json)).expect("resumes");
        assert_eq!(step.challenge_name(), Some(name));
        match (name, step) {
            ("MFA_SETUP", SignInStep::MfaSetupRequired(c)) => {
                assert_eq!(c.can_set_up(), [MfaFactor::SoftwareToken]);
            }
            ("SELECT_MFA_TYPE", SignInStep::SelectMfaType(c)) => {
                assert_eq!(c.choices(), [MfaFactor::Sms]);
            }
            ("NEW_PASSWORD_REQUIRED", SignInStep::NewPasswordRequired(c)) => {
                assert_eq!(c.required_attributes(), ["email"]);
            }
            ("SMS_MFA", SignInStep::CodeRequired(c)) => {
                assert_eq!(c.factor(), Some(MfaFactor::Sms));
                assert_eq!(c.destination(), Some("+*******0100"));
            }
            ("EMAIL_OTP", SignInStep::CodeRequired(c)) => {
                assert_eq!(c.factor(), Some(MfaFactor::Email));
            }
            ("WEB_AUTHN", SignInStep::WebAuthnRequired(c)) => {
                assert_eq!(c.credential_request_options(), Some(r#"{"challenge":"x"}"#));
            }
            ("SELECT_CHALLENGE", SignInStep::SelectChallenge(c)) => assert!(c.choices().is_empty()),
            ("CUSTOM_CHALLENGE", SignInStep::Unsupported(c)) => {
                assert_eq!(c.name(), "CUSTOM_CHALLENGE");
            }
            (name, other) => panic!("{name} resumed as {other:?}"),
        }
    }
    // Tokens are not a pending challenge.
    assert!(SignInStep::Done(tokens("x")).into_saved().is_none());
}

/// An admin sign-in over `mock` on a clock of the test's.
fn admin_on(mock: MockCognitoBackend, clock: &ManualClock) -> SignIn {
    SignIn::admin(mock, POOL, CLIENT)
        .clock(clock.clone())
        .build()
        .expect("valid config")
}

#[tokio::test]
async fn expired_saved_challenge_is_refused_locally() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_respond_to_auth_challenge().never();
    mock.expect_initiate_auth().never();
    let clock = ManualClock::starting_now();
    let sign_in = admin_on(mock, &clock);

    let expires_at = unix_now() + 120;
    let json = saved_json(1, CLIENT, S1, expires_at);
    // Judged at a later time: expired.
    clock.set(UNIX_EPOCH + Duration::from_secs(expires_at + 1));
    let e = sign_in.resume(parse_saved(&json)).expect_err("expired");
    assert!(matches!(e, Error::SessionExpired), "{e:?}");
    assert!(e.must_restart());
    // Exactly at expiry: expired too.
    clock.set(UNIX_EPOCH + Duration::from_secs(expires_at));
    let e = sign_in.resume(parse_saved(&json)).expect_err("expired");
    assert!(matches!(e, Error::SessionExpired), "{e:?}");
    // A second before: still good.
    clock.set(UNIX_EPOCH + Duration::from_secs(expires_at - 1));
    totp(sign_in.resume(parse_saved(&json)).expect("still valid"));

    // Already in the past by the clock.
    let stale = saved_json(1, CLIENT, S1, expires_at - 2);
    let e = sign_in.resume(parse_saved(&stale)).expect_err("expired");
    assert!(matches!(e, Error::SessionExpired), "{e:?}");
}

#[tokio::test]
async fn saved_challenge_expiring_beyond_any_session_validity_is_refused() {
    // No Session lives past 15 minutes: an expiry later than that was not
    // written by this crate (tampered, or a clock far off).
    let mut mock = MockCognitoBackend::new();
    mock.expect_respond_to_auth_challenge().never();
    let clock = ManualClock::starting_now();
    let sign_in = admin_on(mock, &clock);
    let now = unix_now();
    clock.set(UNIX_EPOCH + Duration::from_secs(now));
    totp(
        sign_in
            .resume(parse_saved(&saved_json(1, CLIENT, S1, now + 15 * 60)))
            .expect("15 minutes is Cognito's longest"),
    );
    let e = sign_in
        .resume(parse_saved(&saved_json(1, CLIENT, S1, now + 15 * 60 + 1)))
        .expect_err("longer than any Session");
    assert!(
        matches!(&e, Error::InvalidInput(i) if i.field() == Field::PendingChallenge),
        "{e:?}"
    );
}

#[tokio::test]
async fn challenge_expired_by_answer_time_is_refused_without_a_call() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_respond_to_auth_challenge().never();
    let clock = ManualClock::starting_now();
    let sign_in = admin_on(mock, &clock);

    // Resumed a minute before its expiry, answered a minute after: the
    // answer must still check the clock before calling.
    let expires_at = unix_now() + 60;
    let json = saved_json(1, CLIENT, S1, expires_at);
    let c = totp(sign_in.resume(parse_saved(&json)).expect("resumes"));
    clock.set(UNIX_EPOCH + Duration::from_secs(expires_at + 60));
    let rejected = c.answer(&sign_in, "123456").await.expect_err("expired");
    assert!(
        matches!(rejected.error(), Error::SessionExpired),
        "{rejected:?}"
    );
    assert!(rejected.retry().is_none());
}

#[tokio::test]
async fn saved_challenge_of_another_version_or_client_is_refused() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_respond_to_auth_challenge().never();
    let sign_in = admin(mock);
    let later = unix_now() + 120;

    let e = sign_in
        .resume(parse_saved(&saved_json(2, CLIENT, S1, later)))
        .expect_err("version 2");
    assert_eq!(field_of(&e), Field::PendingChallenge);

    let e = sign_in
        .resume(parse_saved(&saved_json(1, "otherclient", S1, later)))
        .expect_err("another client");
    assert_eq!(field_of(&e), Field::PendingChallenge);

    // Another pool, and a public challenge on an admin SignIn.
    let mut value: serde_json::Value =
        serde_json::from_str(&saved_json(1, CLIENT, S1, later)).unwrap();
    value["user_pool_id"] = "us-east-1_Other9".into();
    let e = sign_in
        .resume(parse_saved(&value.to_string()))
        .expect_err("another pool");
    assert_eq!(field_of(&e), Field::PendingChallenge);
    value.as_object_mut().unwrap().remove("user_pool_id");
    let e = sign_in
        .resume(parse_saved(&value.to_string()))
        .expect_err("a public client's challenge");
    assert_eq!(field_of(&e), Field::PendingChallenge);

    // A value from outside is checked: a short Session, an empty name.
    let e = sign_in
        .resume(parse_saved(&saved_json(1, CLIENT, "short", later)))
        .expect_err("short session");
    assert_eq!(field_of(&e), Field::Session);
    let mut value: serde_json::Value =
        serde_json::from_str(&saved_json(1, CLIENT, S1, later)).unwrap();
    value["challenge"] = "".into();
    let e = sign_in
        .resume(parse_saved(&value.to_string()))
        .expect_err("empty name");
    assert_eq!(field_of(&e), Field::Challenge);

    // Not a saved challenge at all: serde refuses it.
    assert!(serde_json::from_str::<SavedChallenge>(r#"{"v":1}"#).is_err());
}

#[tokio::test]
async fn a_challenge_answered_through_another_client_is_refused_locally() {
    let mut first = MockCognitoBackend::new();
    expect_password_step(&mut first, mfa_setup_challenge());
    expect_password_step(
        &mut first,
        challenge("SOFTWARE_TOKEN_MFA", S1, &[("USER_ID_FOR_SRP", CANONICAL)]),
    );
    let sign_in = admin(first);
    let mut other_mock = MockCognitoBackend::new();
    other_mock.expect_respond_to_auth_challenge().never();
    other_mock.expect_associate_software_token().never();
    let other = SignIn::admin(other_mock, POOL, "client2").build().unwrap();

    let setup = mfa_setup(sign_in.password(ALIAS, &password()).await.unwrap());
    let e = setup
        .start_totp(&other, MfaEnrollment::new("Example"))
        .await
        .expect_err("another client");
    assert_eq!(field_of(&e), Field::PendingChallenge);

    let c = totp(sign_in.password(ALIAS, &password()).await.unwrap());
    let rejected = c
        .answer(&other, "123456")
        .await
        .expect_err("another client");
    assert_eq!(field_of(rejected.error()), Field::PendingChallenge);
}

#[tokio::test]
async fn resume_parts_rebuilds_a_totp_challenge() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            is_respond(r, ChallengeName::SoftwareTokenMfa, S1, CANONICAL)
                && r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some("123456")
        })
        .times(1)
        .returning(|_| Ok(done("parts")));
    let sign_in = admin(mock);
    let c = totp(
        sign_in
            .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(S1), CANONICAL)
            .expect("parts"),
    );
    assert_eq!(c.friendly_device_name(), None);
    assert_eq!(c.username(), CANONICAL);
    signed_in(c.answer(&sign_in, "123456").await.expect("tokens"));
}

#[tokio::test]
async fn resume_parts_checks_its_input() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_respond_to_auth_challenge().never();
    let sign_in = admin(mock);
    let e = sign_in
        .resume_parts("SOFTWARE_TOKEN_MFA", Session::new("abcde"), CANONICAL)
        .expect_err("short session");
    assert_eq!(field_of(&e), Field::Session);
    let e = sign_in
        .resume_parts("", Session::new(S1), CANONICAL)
        .expect_err("no name");
    assert_eq!(field_of(&e), Field::Challenge);
    let e = sign_in
        .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(S1), "")
        .expect_err("no user");
    assert_eq!(field_of(&e), Field::Username);
    // An unknown name is typed, not refused.
    unsupported(
        sign_in
            .resume_parts("SOME_FUTURE_CHALLENGE", Session::new(S1), CANONICAL)
            .expect("parts"),
    );
}

// ------------------------------------------------------ nothing leaks

#[tokio::test]
async fn debug_output_holds_no_session_password_code_or_token() {
    let hashes = [
        secret_hash(&ClientSecret::new(CLIENT_SECRET), ALIAS, CLIENT),
        secret_hash(&ClientSecret::new(CLIENT_SECRET), CANONICAL, CLIENT),
    ];
    let extra = [hashes[0].as_str(), hashes[1].as_str()];
    let sign_in = SignIn::admin(canary_mock(), POOL, CLIENT)
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .build()
        .unwrap();
    assert_no_canary(&format!("{sign_in:?}"), &extra);

    let step = sign_in
        .password(ALIAS, &Password::new(CANARY_PASSWORD))
        .await
        .unwrap();
    assert_no_canary(&format!("{step:?}"), &extra);
    let c = totp(step);
    assert_no_canary(&format!("{c:?}"), &extra);

    let rejected = c
        .answer(&sign_in, CANARY_WRONG_CODE)
        .await
        .expect_err("wrong");
    assert_no_canary(&format!("{rejected:?}"), &extra);
    assert_no_canary(&rejected.to_string(), &extra);
    let c = rejected.retry().unwrap();

    // A malformed code is not echoed either.
    let rejected = c.answer(&sign_in, "98765").await.expect_err("malformed");
    assert_no_canary(&format!("{rejected:?}"), &["98765"]);
    assert_no_canary(&rejected.to_string(), &["98765"]);
    let c = rejected.retry().unwrap();

    let saved = c.into_saved();
    assert_no_canary(&format!("{saved:?}"), &extra);
    let c = totp(sign_in.resume(saved).unwrap());

    let step = c.answer(&sign_in, CANARY_CODE).await.unwrap();
    assert_no_canary(&format!("{step:?}"), &extra);

    // Every other challenge kind, too.
    for name in [
        "MFA_SETUP",
        "SELECT_MFA_TYPE",
        "NEW_PASSWORD_REQUIRED",
        "SMS_MFA",
        "WEB_AUTHN",
    ] {
        let step = sign_in
            .resume_parts(name, Session::new(CANARY_SESSION), CANONICAL)
            .unwrap();
        assert_no_canary(&format!("{step:?}"), &[]);
    }
    let response = challenge("SOFTWARE_TOKEN_MFA", CANARY_SESSION, &[]);
    assert_no_canary(&format!("{response:?}"), &[]);
    assert_no_canary(&format!("{:?}", canary_tokens()), &[]);
}

// ------------------------------------------------------ configuration

#[test]
fn build_refuses_bad_configuration() {
    let field = |r: Result<SignIn, Error>| field_of(&r.expect_err("refused"));
    assert_eq!(
        field(SignIn::admin(MockCognitoBackend::new(), POOL, "bad id").build()),
        Field::ClientId
    );
    assert_eq!(
        field(SignIn::public(MockCognitoBackend::new(), "").build()),
        Field::ClientId
    );
    assert_eq!(
        field(SignIn::admin(MockCognitoBackend::new(), "us-east-1", CLIENT).build()),
        Field::UserPoolId
    );
    assert_eq!(
        field(
            SignIn::admin(MockCognitoBackend::new(), POOL, CLIENT)
                .client_secret(ClientSecret::new("s".repeat(23)))
                .build()
        ),
        Field::ClientSecret
    );
    for minutes in [2, 16] {
        assert_eq!(
            field(
                SignIn::admin(MockCognitoBackend::new(), POOL, CLIENT)
                    .session_validity(Duration::from_secs(minutes * 60))
                    .build()
            ),
            Field::Session,
            "{minutes} minutes"
        );
    }
    for minutes in [3, 15] {
        SignIn::admin(MockCognitoBackend::new(), POOL, CLIENT)
            .session_validity(Duration::from_secs(minutes * 60))
            .build()
            .expect("3 to 15 minutes is fine");
    }
    SignIn::public(MockCognitoBackend::new(), CLIENT)
        .client_secret(ClientSecret::new("s".repeat(24)))
        .build()
        .expect("24 characters is fine");
}

#[tokio::test]
async fn a_saved_challenge_with_oversized_parameters_is_refused() {
    // It may come from a cookie: bounded like an answer from the service
    // (a 64 MiB parameter was once kept and saved whole).
    let mut mock = MockCognitoBackend::new();
    mock.expect_respond_to_auth_challenge().never();
    let clock = ManualClock::starting_now();
    let sign_in = admin_on(mock, &clock);
    let now = unix_now();
    clock.set(UNIX_EPOCH + Duration::from_secs(now));
    let mut value: serde_json::Value =
        serde_json::from_str(&saved_json(1, CLIENT, S1, now + 60)).unwrap();
    value["parameters"]["FRIENDLY_DEVICE_NAME"] = "x".repeat(64 * 1024 + 1).into();
    let e = sign_in
        .resume(parse_saved(&value.to_string()))
        .expect_err("too large");
    assert!(
        matches!(&e, Error::InvalidInput(i) if i.field() == Field::PendingChallenge),
        "{e:?}"
    );
    let mut many: serde_json::Value =
        serde_json::from_str(&saved_json(1, CLIENT, S1, now + 60)).unwrap();
    for i in 0..65 {
        many["parameters"][format!("P{i}")] = "v".into();
    }
    assert!(sign_in.resume(parse_saved(&many.to_string())).is_err());
}

#[tokio::test]
async fn an_answer_with_oversized_challenge_parameters_is_unexpected() {
    let big = "x".repeat(64 * 1024 + 1);
    let mut mock = MockCognitoBackend::new();
    expect_password_step(
        &mut mock,
        challenge(
            "SOFTWARE_TOKEN_MFA",
            S1,
            &[("FRIENDLY_DEVICE_NAME", big.as_str())],
        ),
    );
    let e = admin(mock)
        .password(ALIAS, &password())
        .await
        .expect_err("too large to keep");
    assert!(matches!(e, Error::UnexpectedResponse { .. }), "{e:?}");
}
