//! A request that carries a one-time code is never resent by the SDK once
//! it may have reached the service, while other calls keep the caller's
//! retry policy. The peer is a local TCP server that accepts and never
//! answers, so every attempt times out after it was sent.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::config::Credentials;
use cognito_mfa::backend::Api;
use cognito_mfa::backend::{
    AuthFlow, ChallengeName, CognitoBackend, InitiateAuthRequest, Parameters,
    RespondToAuthChallengeRequest, TokenAuth,
};
use cognito_mfa::{Error, OneTimeCode, SdkBackend, Session, TransportKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;

/// A server that accepts connections, reads, and never answers.
async fn black_hole() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(socket); // keep it open, say nothing
        }
    });
    (endpoint, accepted)
}

async fn backend(endpoint: &str) -> SdkBackend {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_millis(300))
                .build(),
        )
        .load()
        .await;
    SdkBackend::from_conf(&config)
}

fn session() -> Session {
    Session::new("s".repeat(40))
}

fn assert_timed_out(err: &Error) {
    match err {
        Error::Transport(t) => {
            assert_eq!(t.kind(), TransportKind::TimedOut, "{err}");
            assert!(t.may_have_reached_service());
        }
        other => panic!("expected a transport time-out, got {other:?}"),
    }
    assert!(err.must_restart());
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_challenge_answer_that_timed_out_is_sent_once() {
    let (endpoint, accepted) = black_hole().await;
    let backend = backend(&endpoint).await;
    let err = backend
        .respond_to_auth_challenge(RespondToAuthChallengeRequest::new(
            Api::admin("us-east-1_Abc123"),
            "client",
            ChallengeName::SoftwareTokenMfa,
            Some(session()),
            Parameters::new()
                .with("USERNAME", "alice")
                .with("SOFTWARE_TOKEN_MFA_CODE", "123456"),
        ))
        .await
        .unwrap_err();
    assert_timed_out(&err);
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "the code was resent");
}

#[tokio::test]
async fn a_verify_that_timed_out_is_sent_once() {
    let (endpoint, accepted) = black_hole().await;
    let backend = backend(&endpoint).await;
    let err = backend
        .verify_software_token(
            TokenAuth::Session(session()),
            OneTimeCode::new("123456"),
            None,
        )
        .await
        .unwrap_err();
    assert_timed_out(&err);
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "the code was resent");
}

#[tokio::test]
async fn calls_without_a_code_keep_the_callers_retry_policy() {
    // The contrast that shows the classifier, not the harness, stops the
    // resend above: the same time-out on InitiateAuth is retried 3 times.
    let (endpoint, accepted) = black_hole().await;
    let backend = backend(&endpoint).await;
    let err = backend
        .initiate_auth(InitiateAuthRequest::new(
            Api::Public,
            "client",
            AuthFlow::UserPassword,
            Parameters::new()
                .with("USERNAME", "alice")
                .with("PASSWORD", "pw"),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_refused_connection_is_not_sent_and_may_be_retried() {
    // Bind and drop a listener: the port is free and nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let backend = backend(&format!("http://127.0.0.1:{port}")).await;
    let err = backend
        .verify_software_token(
            TokenAuth::Session(session()),
            OneTimeCode::new("123456"),
            None,
        )
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.kind(), TransportKind::NotSent, "{err}");
            assert!(!t.may_have_reached_service());
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(err.is_retryable(), "{err}");
    assert!(
        !err.to_string().contains("DispatchFailure("),
        "no Debug dump: {err}"
    );
}

/// A server that answers every request with Cognito's throttling error.
async fn throttling_server() -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let count = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                count.fetch_add(1, Ordering::SeqCst);
                let body = r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#;
                let head = format!(
                    "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n\
                     x-amzn-ErrorType: TooManyRequestsException\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (endpoint, requests)
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_then_surfaces_as_retryable() {
    // The answer was refused, not acted on: the SDK's retry config resends
    // even a request that carries a code (3 attempts here), and when it
    // gives up the error says to retry later.
    let (endpoint, requests) = throttling_server().await;
    let backend = backend(&endpoint).await;
    let err = backend
        .respond_to_auth_challenge(RespondToAuthChallengeRequest::new(
            Api::Public,
            "client",
            ChallengeName::SoftwareTokenMfa,
            Some(session()),
            Parameters::new()
                .with("USERNAME", "alice")
                .with("SOFTWARE_TOKEN_MFA_CODE", "123456"),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Throttled(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(err.service_code(), Some("TooManyRequestsException"));
    assert_eq!(requests.load(Ordering::SeqCst), 3, "the SDK's 3 attempts");
}
