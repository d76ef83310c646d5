//! The JWKS fetch: bounded (time, size, status, shape) with a retryable
//! typed error, fetched once and cached, refetched on an unknown `kid`
//! (key rotation) at most once per interval, by an injected clock.

use crate::common::http::{Answer, Server};
use crate::craft::{self, CLIENT, Key, POOL, access_claims, t0};
use cognito_mfa::AccessToken;
use cognito_mfa::testing::ManualClock;
use cognito_mfa::verify::{KeysUnavailableKind, TokenError, TokenVerifier};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn verifier(endpoint: &str, clock: &ManualClock) -> TokenVerifier {
    TokenVerifier::builder(POOL, [CLIENT])
        .jwks_url(format!("{endpoint}/{POOL}/.well-known/jwks.json"))
        .clock(clock.clone())
        .fetch_timeout(Duration::from_millis(500))
        .max_jwks_bytes(4096)
        .refetch_interval(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn check(verifier: &TokenVerifier, token: &str) -> Result<(), TokenError> {
    verifier
        .verify_access_token(&AccessToken::new(token))
        .await
        .map(|_| ())
}

async fn unavailable(answer: Answer) -> KeysUnavailableKind {
    let server = Server::start(move |_| answer.clone()).await;
    let clock = ManualClock::new(t0());
    let verifier = verifier(&server.endpoint, &clock);
    let token = craft::key().token(&access_claims(t0()));
    match check(&verifier, &token).await.unwrap_err() {
        e @ TokenError::KeysUnavailable { kind } => {
            assert!(e.is_retryable());
            kind
        }
        other => panic!("expected KeysUnavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unavailable_jwks_is_a_retryable_typed_error() {
    assert_eq!(
        unavailable(Answer::Silence).await,
        KeysUnavailableKind::Timeout
    );
    assert_eq!(
        unavailable(Answer::Drip(100)).await,
        KeysUnavailableKind::Timeout
    );
    assert_eq!(
        unavailable(Answer::Http(500, vec![], b"oops".to_vec())).await,
        KeysUnavailableKind::Status(500)
    );
    assert_eq!(
        unavailable(Answer::Http(200, vec![], vec![b' '; 100_000])).await,
        KeysUnavailableKind::TooLarge
    );
    assert_eq!(
        unavailable(Answer::Http(200, vec![], b"{\"keys\": 5}".to_vec())).await,
        KeysUnavailableKind::Malformed
    );
    // Nothing listening.
    let port = crate::common::moto::free_port();
    let clock = ManualClock::new(t0());
    let verifier = verifier(&format!("http://127.0.0.1:{port}"), &clock);
    let e = check(&verifier, &craft::key().token(&access_claims(t0()))).await;
    assert_eq!(
        e.unwrap_err(),
        TokenError::KeysUnavailable {
            kind: KeysUnavailableKind::Connect
        }
    );
}

#[tokio::test]
async fn a_failed_fetch_is_not_retried_until_the_interval_passes() {
    let server = Server::start(|_| Answer::Http(503, vec![], vec![])).await;
    let clock = ManualClock::new(t0());
    let verifier = verifier(&server.endpoint, &clock);
    let token = craft::key().token(&access_claims(t0()));
    for _ in 0..20 {
        assert!(check(&verifier, &token).await.unwrap_err().is_retryable());
    }
    assert_eq!(server.requests(), 1, "one request, then backoff");
    assert_eq!(
        check(&verifier, &token).await.unwrap_err(),
        TokenError::KeysUnavailable {
            kind: KeysUnavailableKind::Backoff
        }
    );
    clock.advance(Duration::from_secs(10));
    check(&verifier, &token).await.unwrap_err();
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn keys_are_fetched_once_and_shared_by_concurrent_requests() {
    let jwks = craft::jwks(&[craft::key()]);
    let server = Server::start(move |_| Answer::Http(200, vec![], jwks.clone().into_bytes())).await;
    let clock = ManualClock::new(t0());
    let verifier = verifier(&server.endpoint, &clock);
    let token = craft::key().token(&access_claims(t0()));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { check(&verifier, &token).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.requests(), 1);
    assert_eq!(verifier.fetch_count(), 1);
}

#[tokio::test]
async fn a_rotated_key_is_found_by_one_refetch_and_forged_kids_are_rate_bounded() {
    let old = craft::key();
    let new = Key::new("rotated-kid-2");
    let served = Arc::new(Mutex::new(craft::jwks(&[old])));
    let serving = Arc::clone(&served);
    let server = Server::start(move |_| {
        Answer::Http(200, vec![], serving.lock().unwrap().clone().into_bytes())
    })
    .await;
    let clock = ManualClock::new(t0());
    let verifier = verifier(&server.endpoint, &clock);
    check(&verifier, &old.token(&access_claims(t0())))
        .await
        .unwrap();
    assert_eq!(server.requests(), 1);

    // The pool rotates: the new key is served beside the old one. The
    // refetch interval has passed since the first fetch.
    *served.lock().unwrap() = craft::jwks(&[old, &new]);
    clock.advance(Duration::from_secs(11));
    check(&verifier, &new.token(&access_claims(t0())))
        .await
        .unwrap();
    assert_eq!(server.requests(), 2, "one refetch found the new kid");
    check(&verifier, &old.token(&access_claims(t0())))
        .await
        .unwrap();

    // A stream of forged kids within the interval: refused, no request.
    for i in 0..50 {
        let forged = Key::sign(
            old,
            &serde_json::json!({ "alg": "RS256", "kid": format!("forged-{i}") }),
            &access_claims(t0()),
        );
        assert!(matches!(
            check(&verifier, &forged).await.unwrap_err(),
            TokenError::UnknownKey { .. }
        ));
    }
    assert_eq!(server.requests(), 2, "no refetch within the interval");
    // Past the interval, one more fetch for the next unknown kid.
    clock.advance(Duration::from_secs(10));
    let forged = old.sign(
        &serde_json::json!({ "alg": "RS256", "kid": "forged-again" }),
        &access_claims(t0()),
    );
    assert!(check(&verifier, &forged).await.is_err());
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn warm_up_fetches_before_the_first_request() {
    let jwks = craft::jwks(&[craft::key()]);
    let server = Server::start(move |_| Answer::Http(200, vec![], jwks.clone().into_bytes())).await;
    let clock = ManualClock::new(t0());
    let verifier = verifier(&server.endpoint, &clock);
    verifier.warm_up().await.unwrap();
    assert_eq!(server.requests(), 1);
    check(&verifier, &craft::key().token(&access_claims(t0())))
        .await
        .unwrap();
    verifier.warm_up().await.unwrap();
    assert_eq!(server.requests(), 1);
}
