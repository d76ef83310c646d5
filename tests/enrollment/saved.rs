//! Enrollment across requests: a pending enrollment (self-service, or the
//! MFA_SETUP of a sign-in) saved as a value that never holds the TOTP
//! secret, restored in another request, and verified there.

use cognito_mfa::backend::{PoolMfaConfig, PoolMfaMode};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::testing::{Authenticator, ClientOptions, InMemoryPool, ManualClock};
use cognito_mfa::{Error, Field, MfaEnrollment, Password, SavedEnrollment};
use std::time::Duration;

const PASSWORD: &str = "Correct-horse-1";

fn world(mode: PoolMfaMode) -> (InMemoryPool, ManualClock, SignIn) {
    let clock = ManualClock::starting_now();
    let pool = InMemoryPool::with_clock(clock.clone());
    pool.set_mfa_config(PoolMfaConfig::new(mode, true));
    let client = pool.create_client(ClientOptions::new()).unwrap();
    pool.create_user("alice", PASSWORD).unwrap();
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .clock(pool.clock())
        .build()
        .unwrap();
    (pool, clock, sign_in)
}

/// Through JSON, as a session store keeps it; the secret is nowhere in it.
fn stored(saved: SavedEnrollment, secret: &str, setup_key: &str) -> SavedEnrollment {
    let json = serde_json::to_string(&saved).unwrap();
    for text in [json.as_str(), &format!("{saved:?}")] {
        assert!(!text.contains(secret), "the secret in {text}");
        assert!(!text.contains(&setup_key.replace(' ', "")), "{text}");
    }
    serde_json::from_str(&json).unwrap()
}

#[tokio::test]
async fn a_self_service_enrollment_is_verified_in_a_second_request() {
    let (pool, clock, sign_in) = world(PoolMfaMode::Optional);
    let tokens = sign_in
        .password("alice", &Password::new(PASSWORD))
        .await
        .unwrap()
        .into_tokens()
        .unwrap();
    // Request 1: associate and show; keep the saved form.
    let pending = MfaEnrollment::new("Example")
        .device_name("Alice's phone")
        .start_with_access_token(&pool, tokens.access_token)
        .await
        .unwrap();
    let phone = Authenticator::new(pending.secret()).unwrap();
    let secret = pending.secret().expose_secret().to_owned();
    let setup_key = pending.setup_key().to_owned();
    let saved = stored(pending.into_saved(), &secret, &setup_key);
    assert!(!saved.is_mfa_setup());

    // Request 2: a wrong code hands the saved enrollment back.
    let rejected = saved.verify(&pool, "000000").await.unwrap_err();
    assert!(
        matches!(rejected.error(), Error::CodeMismatch),
        "{rejected:?}"
    );
    let again = rejected.retry().expect("the same enrollment back");
    let code = phone.code_for_clock(&clock);
    let enrolled = again.verify(&pool, code.expose_secret()).await.unwrap();
    assert!(enrolled.totp_preferred());
    assert_eq!(enrolled.device_name(), Some("Alice's phone"));

    // The next sign-in asks for the code.
    clock.advance(Duration::from_secs(30));
    let step = sign_in
        .password("alice", &Password::new(PASSWORD))
        .await
        .unwrap();
    assert!(matches!(step, SignInStep::TotpRequired(_)), "{step:?}");
}

#[tokio::test]
async fn an_mfa_setup_is_finished_in_a_second_request() {
    let (_pool, clock, sign_in) = world(PoolMfaMode::On);
    let SignInStep::MfaSetupRequired(setup) = sign_in
        .password("alice", &Password::new(PASSWORD))
        .await
        .unwrap()
    else {
        panic!("an ON pool asks for MFA_SETUP");
    };
    let pending = setup
        .start_totp(&sign_in, MfaEnrollment::new("Example"))
        .await
        .unwrap();
    let phone = Authenticator::new(pending.enrollment().secret()).unwrap();
    let secret = pending.enrollment().secret().expose_secret().to_owned();
    let setup_key = pending.enrollment().setup_key().to_owned();
    let saved = stored(pending.into_saved(), &secret, &setup_key);
    assert!(saved.is_mfa_setup());

    // A plain verify would leave the challenge unanswered: refused, kept.
    let kept = saved.verify(sign_in.backend(), "123456").await.unwrap_err();
    assert!(matches!(kept.error(), Error::InvalidInput(_)), "{kept:?}");
    let saved = kept.retry().unwrap();

    // Request 2: a wrong code hands it back; the right one signs in.
    let rejected = sign_in.finish_mfa_setup(saved, "000000").await.unwrap_err();
    let again = rejected.retry().expect("the same setup back");
    let code = phone.code_for_clock(&clock);
    let step = sign_in
        .finish_mfa_setup(again, code.expose_secret())
        .await
        .unwrap();
    assert!(matches!(step, SignInStep::Done(_)), "{step:?}");
}

#[tokio::test]
async fn a_saved_mfa_setup_is_refused_by_another_client_and_after_expiry() {
    let (pool, clock, sign_in) = world(PoolMfaMode::On);
    let SignInStep::MfaSetupRequired(setup) = sign_in
        .password("alice", &Password::new(PASSWORD))
        .await
        .unwrap()
    else {
        panic!("MFA_SETUP");
    };
    let saved = setup
        .start_totp(&sign_in, MfaEnrollment::new("Example"))
        .await
        .unwrap()
        .into_saved();
    let other_client = pool.create_client(ClientOptions::new()).unwrap();
    let other = SignIn::admin(pool.clone(), pool.pool_id(), &other_client.client_id)
        .clock(pool.clock())
        .build()
        .unwrap();
    let e = other
        .finish_mfa_setup(saved.clone(), "123456")
        .await
        .unwrap_err();
    assert!(
        matches!(e.error(), Error::InvalidInput(i) if i.field() == Field::PendingChallenge),
        "{e:?}"
    );
    clock.advance(Duration::from_secs(16 * 60));
    let e = sign_in.finish_mfa_setup(saved, "123456").await.unwrap_err();
    assert!(matches!(e.error(), Error::SessionExpired), "{e:?}");
    assert!(e.retry().is_none());
}

#[tokio::test]
async fn a_tampered_saved_enrollment_is_refused_before_any_call() {
    let backend = cognito_mfa::testing::ScriptedBackend::new();
    for json in [
        r#"{"v":2,"credential":{"access_token":"eyJraWQiOiJhYmMifQ.x.y"}}"#,
        r#"{"v":1,"credential":{"session":"short"}}"#,
        r#"{"v":1,"credential":{"access_token":"eyJ.x.y"},"device_name":"a\u202eb"}"#,
    ] {
        let saved: SavedEnrollment = serde_json::from_str(json).unwrap();
        let rejected = saved.verify(&backend, "123456").await.unwrap_err();
        assert!(
            matches!(rejected.error(), Error::InvalidInput(_)),
            "{json}: {rejected:?}"
        );
    }
    assert!(backend.calls().is_empty(), "{:?}", backend.calls());
}
