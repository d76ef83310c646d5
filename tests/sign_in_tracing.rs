#![cfg(all(feature = "mock", feature = "serde"))]
//! What a whole sign-in writes to the logs at TRACE: the steps and their
//! outcomes, never a password, code, Session, token or SECRET_HASH.
//!
//! Alone in its own test binary: tracing caches per-callsite interest
//! process-wide, and tests on other threads running the same spans with no
//! subscriber make a scoped subscriber miss spans now and then.

use cognito_mfa::backend::{
    AuthResponse, AuthTokens, ChallengeName, InitiateAuthRequest, RespondToAuthChallengeRequest,
};
use cognito_mfa::sign_in::{SignIn, SignInStep, TotpChallenge};
use cognito_mfa::{
    AccessToken, ClientSecret, Error, IdToken, MockCognitoBackend, Operation, Password,
    RefreshToken, ServiceError, Session, secret_hash,
};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const POOL: &str = "us-east-1_Abc123";
const CLIENT: &str = "client1";
const ALIAS: &str = "alice@example.com";
const CANONICAL: &str = "7d1e5c3a-0b4f-4c55-9d1e-abcdef012345";
const CLIENT_SECRET: &str = "abcdefghijklmnopqrstuvwxyz012345";
const CANARY_SESSION: &str = "SESSIONCANARY-0123456789abcdef";
const CANARY_PASSWORD: &str = "PASSWORDCANARY-hunter2";
const CANARY_CODE: &str = "918273";
const CANARY_WRONG_CODE: &str = "564738";
const CANARY_ACCESS: &str = "ACCESSCANARY-eyJraWQ";
const CANARY_ID: &str = "IDCANARY-eyJraWQ";
const CANARY_REFRESH: &str = "REFRESHCANARY-eyJjdHk";

fn challenge(name: &str, session: &str, params: &[(&str, &str)]) -> AuthResponse {
    AuthResponse {
        challenge: Some(ChallengeName::parse(name)),
        session: Some(Session::new(session)),
        parameters: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        tokens: None,
    }
}

fn service(operation: Operation, code: &str, message: &str) -> Error {
    Error::from_service(operation, ServiceError::new(code, message))
}

fn respond_error(code: &str, message: &str) -> Error {
    service(Operation::RespondToAuthChallenge, code, message)
}

fn totp(step: SignInStep) -> TotpChallenge {
    match step {
        SignInStep::TotpRequired(c) => c,
        other => panic!("expected SOFTWARE_TOKEN_MFA, got {other:?}"),
    }
}

fn signed_in(step: SignInStep) -> AuthTokens {
    match step {
        SignInStep::Done(t) => t,
        other => panic!("expected tokens, got {other:?}"),
    }
}

fn canary_tokens() -> AuthResponse {
    AuthResponse {
        challenge: None,
        session: None,
        parameters: BTreeMap::new(),
        tokens: Some(AuthTokens {
            access_token: AccessToken::new(CANARY_ACCESS),
            id_token: Some(IdToken::new(CANARY_ID)),
            refresh_token: Some(RefreshToken::new(CANARY_REFRESH)),
            expires_in: Duration::from_secs(3600),
            token_type: "Bearer".to_owned(),
            new_device: None,
        }),
    }
}

fn canary_mock() -> MockCognitoBackend {
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth()
        .withf(|r: &InitiateAuthRequest| r.parameters.get("PASSWORD") == Some(CANARY_PASSWORD))
        .times(1)
        .returning(|_| {
            Ok(challenge(
                "SOFTWARE_TOKEN_MFA",
                CANARY_SESSION,
                &[("USER_ID_FOR_SRP", CANONICAL)],
            ))
        });
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some(CANARY_WRONG_CODE)
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
            r.session.expose_secret() == CANARY_SESSION
                && r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some(CANARY_CODE)
        })
        .times(1)
        .returning(|_| Ok(canary_tokens()));
    mock
}

fn assert_no_canary(text: &str, extra: &[&str]) {
    for canary in [
        CANARY_SESSION,
        CANARY_PASSWORD,
        CANARY_CODE,
        CANARY_WRONG_CODE,
        CANARY_ACCESS,
        CANARY_ID,
        CANARY_REFRESH,
        CLIENT_SECRET,
    ]
    .iter()
    .chain(extra)
    {
        assert!(!text.contains(canary), "{canary} leaked into:\n{text}");
    }
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[test]
fn logs_name_the_steps_and_hold_no_secret() {
    use tracing_subscriber::fmt::format::FmtSpan;

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let sign_in = SignIn::admin(canary_mock(), POOL, CLIENT)
                .client_secret(ClientSecret::new(CLIENT_SECRET))
                .build()
                .unwrap();
            let c = totp(
                sign_in
                    .password(ALIAS, &Password::new(CANARY_PASSWORD))
                    .await
                    .unwrap(),
            );
            let c = c
                .answer(&sign_in, CANARY_WRONG_CODE)
                .await
                .expect_err("wrong")
                .retry()
                .unwrap();
            signed_in(c.answer(&sign_in, CANARY_CODE).await.unwrap());
        });
    });

    let log = captured.text();
    assert!(log.contains("cognito_mfa.sign_in.initiate"), "{log}");
    assert!(log.contains("cognito_mfa.sign_in.respond"), "{log}");
    assert!(log.contains(r#"challenge="SOFTWARE_TOKEN_MFA""#), "{log}");
    assert!(log.contains(r#"outcome="retry""#), "the wrong code: {log}");
    assert!(
        log.contains(r#"outcome="tokens""#),
        "the last answer: {log}"
    );
    let hashes = [
        secret_hash(&ClientSecret::new(CLIENT_SECRET), ALIAS, CLIENT),
        secret_hash(&ClientSecret::new(CLIENT_SECRET), CANONICAL, CLIENT),
    ];
    assert_no_canary(&log, &[hashes[0].as_str(), hashes[1].as_str()]);
}
