#![cfg(all(feature = "mock", feature = "serde"))]
//! What a whole sign-in writes to the logs at TRACE: the steps and their
//! outcomes, never a password, code, Session, token or SECRET_HASH.
//!
//! Alone in its own test binary: tracing caches per-callsite interest
//! process-wide, and tests on other threads running the same spans with no
//! subscriber make a scoped subscriber miss spans now and then.

use crate::common::canary::{
    CANARY_CODE, CANARY_PASSWORD, CANARY_WRONG_CODE, CANONICAL, CLIENT_SECRET, assert_no_canary,
    canary_mock,
};
use cognito_mfa::backend::AuthTokens;
use cognito_mfa::sign_in::{SignIn, SignInStep, TotpChallenge};
use cognito_mfa::{ClientSecret, Password, secret_hash};
use std::io::Write;
use std::sync::{Arc, Mutex};

const POOL: &str = "us-east-1_Abc123";
const CLIENT: &str = "client1";
const ALIAS: &str = "alice@example.com";

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
