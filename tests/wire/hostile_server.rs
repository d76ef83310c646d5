//! What a hostile or broken server does to `SdkBackend`, on a local HTTP
//! server (tests/common/http.rs) with the configuration the README shows:
//! errors are mapped on the service's own words before anything is
//! withheld; whatever repeats a value the request carried is withheld
//! whole; a code is sent once even after a 5xx; nothing waits forever; an
//! answer too large is refused.

use crate::common::http::{Answer, Server, plain_config};
use cognito_mfa::backend::{
    Api, ChallengeName, CognitoBackend, Parameters, RespondToAuthChallengeRequest, TokenAuth,
};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::{
    Error, OneTimeCode, Password, Recovery, RefreshToken, SdkBackend, ServiceError, Session,
    TransportKind,
};
use std::time::Duration;

const CLIENT: &str = "client1234";
const SESSION: &str = "AYABeHostileSessionValue0123456789abcdef";

async fn sign_in(server: &Server) -> SignIn {
    let backend = SdkBackend::from_conf(&plain_config(&server.endpoint).await);
    SignIn::public(backend, CLIENT).build().unwrap()
}

/// The texts an error shows: Display, Debug and the service error's parts.
fn shown(err: &Error) -> String {
    format!("{err} {err:?}").to_lowercase()
}

#[tokio::test]
async fn a_wrong_password_is_wrong_credentials_whatever_the_person_typed() {
    // Cognito's message holds the words "username" and "password": a typed
    // value equal to one of its words must not change what the error is.
    let server = Server::start(|_| {
        Answer::cognito_error(
            400,
            "NotAuthorizedException",
            "Incorrect username or password.",
            "req-1",
        )
    })
    .await;
    let sign_in = sign_in(&server).await;
    for (user, password) in [
        ("alice", "password"),
        ("user", "Secret-123"),
        ("username", "Secret-123"),
        ("alice", "Incorrect"),
        ("or", "x"),
    ] {
        let err = sign_in
            .password(user, &Password::new(password))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::WrongCredentials),
            "{user}/{password}: {err:?}"
        );
    }
}

#[tokio::test]
async fn echoed_values_are_withheld_whole_wherever_they_sit() {
    let code = "493817";
    // Each answer repeats something the request carried: the Session in
    // part and in upper case, the code in the exception name, the short
    // user name in the request id.
    let server = Server::start(move |_| {
        Answer::cognito_error(
            400,
            &format!("Weird{code}Exception"),
            &format!("no such session {}", &SESSION[4..20].to_uppercase()),
            "req-for-bo-here",
        )
    })
    .await;
    let backend = SdkBackend::from_conf(&plain_config(&server.endpoint).await);
    let err = backend
        .respond_to_auth_challenge(RespondToAuthChallengeRequest::new(
            Api::Public,
            CLIENT,
            ChallengeName::SoftwareTokenMfa,
            Some(Session::new(SESSION)),
            Parameters::new()
                .with("USERNAME", "bo")
                .with("SOFTWARE_TOKEN_MFA_CODE", code),
        ))
        .await
        .unwrap_err();
    let text = shown(&err);
    for secret in [&SESSION[4..20], code, "bo-here"] {
        assert!(!text.contains(&secret.to_lowercase()), "{secret} in {text}");
    }
    let Error::Service { error, .. } = &err else {
        panic!("expected a service error, got {err:?}");
    };
    // Replaced whole: neither where the value sat nor its length shows.
    assert_eq!(error.code(), ServiceError::WITHHELD);
    assert_eq!(error.message(), Some(ServiceError::WITHHELD));
    assert_eq!(error.request_id(), Some(ServiceError::WITHHELD));
}

#[tokio::test]
async fn a_5xx_on_a_call_that_carries_a_code_is_sent_once_and_says_the_code_may_be_spent() {
    for (status, code) in [
        (500, "InternalErrorException"),
        (503, "ServiceUnavailableException"),
    ] {
        let server = Server::start(move |_| {
            Answer::cognito_error(status, code, "Internal server error.", "req-5xx")
        })
        .await;
        let sign_in = sign_in(&server).await;
        let challenge = match sign_in
            .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(SESSION), "alice")
            .unwrap()
        {
            SignInStep::TotpRequired(c) => c,
            other => panic!("{other:?}"),
        };
        let rejected = challenge.answer(&sign_in, "123456").await.unwrap_err();
        assert_eq!(server.requests(), 1, "HTTP {status}: the code went once");
        let err = rejected.error();
        assert_eq!(err.recovery(), Recovery::WaitForNextCode, "{err:?}");
        assert!(!err.is_retryable(), "never resend the same code: {err:?}");

        // VerifySoftwareToken likewise.
        let backend = SdkBackend::from_conf(&plain_config(&server.endpoint).await);
        let err = backend
            .verify_software_token(
                TokenAuth::Session(Session::new(SESSION)),
                OneTimeCode::new("123456"),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(server.requests(), 2, "HTTP {status}: verify went once");
        assert_eq!(err.recovery(), Recovery::WaitForNextCode, "{err:?}");
    }
}

#[tokio::test]
async fn a_5xx_without_a_code_is_retried_by_the_sdk_and_then_retryable() {
    let server = Server::start(|_| {
        Answer::cognito_error(500, "InternalErrorException", "Internal error.", "req")
    })
    .await;
    let sign_in = sign_in(&server).await;
    let err = sign_in
        .password("alice", &Password::new("pw"))
        .await
        .unwrap_err();
    assert!(server.requests() > 1, "the SDK's retries");
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn a_rejected_refresh_token_means_sign_in_again() {
    for message in [
        "Refresh Token has expired",
        "Refresh Token has been revoked",
        "Invalid Refresh Token",
    ] {
        let server = Server::start(move |_| {
            Answer::cognito_error(400, "NotAuthorizedException", message, "req")
        })
        .await;
        let sign_in = sign_in(&server).await;
        let err = sign_in
            .refresh(
                &RefreshToken::new("eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.x"),
                None,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::RefreshTokenRejected),
            "{message}: {err:?}"
        );
        assert!(err.must_restart());
    }
}

#[tokio::test]
async fn an_unknown_not_authorized_means_restart() {
    // moto's AdminInitiateAuth says a wrong password with the user name
    // alone; whatever NotAuthorized says, the step can't go on as it is.
    let server = Server::start(|_| {
        Answer::cognito_error(400, "NotAuthorizedException", "something new", "req")
    })
    .await;
    let err = sign_in(&server)
        .await
        .password("alice", &Password::new("pw"))
        .await
        .unwrap_err();
    assert!(err.must_restart(), "{err:?}");
}

/// Asserts a sign-in against `server` ends in a time-out well before a
/// minute, with the default timeouts of a config that sets none.
async fn assert_bounded(server: &Server) {
    let sign_in = sign_in(server).await;
    let result = tokio::time::timeout(
        Duration::from_secs(60),
        sign_in.password("alice", &Password::new("pw")),
    )
    .await
    .expect("bounded by the default timeouts, not pending forever");
    match result {
        Err(Error::Transport(t)) => assert_eq!(t.kind(), TransportKind::TimedOut, "{t}"),
        other => panic!("expected a time-out, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_never_answers_is_given_up_on() {
    let server = Server::start(|_| Answer::Silence).await;
    assert_bounded(&server).await;
}

#[tokio::test]
async fn a_server_that_drips_a_byte_a_second_is_given_up_on() {
    let server = Server::start(|_| Answer::Drip(10_000)).await;
    assert_bounded(&server).await;
}

#[tokio::test]
async fn a_timeout_the_config_sets_is_kept() {
    let server = Server::start(|_| Answer::Silence).await;
    let config = plain_config(&server.endpoint)
        .await
        .into_builder()
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_millis(200))
                .build(),
        )
        .build();
    let sign_in = SignIn::public(SdkBackend::from_conf(&config), CLIENT)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = sign_in
        .password("alice", &Password::new("pw"))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind() == TransportKind::TimedOut));
    // Far below the defaults' 25 s: the caller's 200 ms stood.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_answer_larger_than_any_cognito_sends_is_refused() {
    let huge = "x".repeat(SdkBackend::MAX_ANSWER_BYTES + 1);
    let server = Server::start(move |_| {
        Answer::json(&serde_json::json!({
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": SESSION,
            "ChallengeParameters": { "FRIENDLY_DEVICE_NAME": huge },
        }))
    })
    .await;
    let err = sign_in(&server)
        .await
        .password("alice", &Password::new("pw"))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!(t.kind(), TransportKind::BadResponse, "{t}"),
        other => panic!("expected an unreadable answer, got {other:?}"),
    }
    assert!(err.to_string().len() < 1024, "the body is not in the error");
}
