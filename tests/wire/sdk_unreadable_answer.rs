//! An answer the SDK cannot read is reported by its HTTP status alone: its
//! body may hold a secret (here a SecretCode) and must not reach an error.

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::config::Credentials;
use cognito_mfa::backend::{CognitoBackend, TokenAuth};
use cognito_mfa::{AccessToken, Error, SdkBackend, TransportKind};
use std::error::Error as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CANARY: &str = "CANARYSECRETCODEAAAAAAAA";

/// Answers every request with 200 and a truncated JSON body holding the canary.
async fn garbling_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                let body = format!(r#"{{"SecretCode":"{CANARY}","Session":"#);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    endpoint
}

#[tokio::test]
async fn a_garbled_answer_does_not_put_its_body_in_the_error() {
    let endpoint = garbling_server().await;
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .load()
        .await;
    let backend = SdkBackend::from_conf(&config);
    let err = backend
        .associate_software_token(TokenAuth::AccessToken(AccessToken::new("token")))
        .await
        .expect_err("a truncated body can't be read");
    match &err {
        Error::Transport(t) => assert_eq!(t.kind(), TransportKind::BadResponse, "{err}"),
        other => panic!("expected an unreadable answer, got {other:?}"),
    }
    let mut shown = format!("{err} {err:?}");
    let mut source = err.source();
    while let Some(s) = source {
        shown.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(shown.contains("200"), "the status is kept: {shown}");
    assert!(!shown.contains(CANARY), "the body leaked: {shown}");
}
