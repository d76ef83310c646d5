//! The SRP sign-in against a real SRP server: the claim the sign-in sends
//! for a scripted PASSWORD_VERIFIER (whose SALT and SRP_B come from this
//! module's server side) is checked by that server. This proves the wiring
//! the integration tests can only see from outside: the pool's name, the
//! USER_ID_FOR_SRP (not USERNAME) in the proof, the TIMESTAMP signed being
//! the one sent, the SECRET_BLOCK echoed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{Salt, ServerEphemeral, SrpError, verifier_for_password};
use crate::backend::{AuthResponse, AuthTokens, ChallengeName};
use crate::error::{Error, Operation};
use crate::secret::{AccessToken, ClientSecret, Password, Session};
use crate::sign_in::{SignIn, SignInStep};
use crate::testing::{Decision, Intercept, ManualClock, ScriptedBackend};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

const POOL: &str = "eu-west-1_AbCdEf123";
const POOL_NAME: &str = "AbCdEf123";
const CLIENT: &str = "client1234567890";
const SECRET: &str = "abcdefghijklmnopqrstuvwxyz012345";
/// What Cognito proves the password for (moto: the sub).
const SRP_ID: &str = "5f0c1d2e-0000-4000-8000-00000000abcd";
/// The canonical user name (USERNAME), the one the answers name.
const CANONICAL: &str = "alice";
const SESSION: &str = "session-one-AAAAAAAAAAAAAAAAAAAA";

type Seen = Arc<Mutex<Vec<(Operation, BTreeMap<String, String>)>>>;

/// A scripted backend behind a spy that keeps every sign-in call's
/// parameters, values included.
fn spied() -> (Arc<ScriptedBackend>, Intercept<Arc<ScriptedBackend>>, Seen) {
    let script = Arc::new(ScriptedBackend::new());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let backend = Intercept::new(script.clone(), move |call| {
        if let Some(p) = call.parameters {
            let values = p
                .expose_all()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            log.lock().unwrap().push((call.operation, values));
        }
        Decision::Forward
    });
    (script, backend, seen)
}

fn password_verifier(server: &ServerEphemeral, block: &str) -> AuthResponse {
    let params = [
        ("SALT", server.salt_hex()),
        ("SRP_B", server.public_hex()),
        ("SECRET_BLOCK", block.to_owned()),
        ("USER_ID_FOR_SRP", SRP_ID.to_owned()),
        ("USERNAME", CANONICAL.to_owned()),
    ];
    AuthResponse::challenge(
        ChallengeName::PasswordVerifier,
        Some(Session::new(SESSION)),
        params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    )
}

fn tokens() -> AuthResponse {
    AuthResponse::tokens(AuthTokens::new(
        AccessToken::new("access"),
        Duration::from_secs(3600),
    ))
}

/// Signs in over SRP against `server` and returns what the server says
/// about the claim that was sent.
async fn sign_in_against(
    server: &ServerEphemeral,
    typed_password: &str,
    admin: bool,
    secret: bool,
) -> Result<(), SrpError> {
    let (script, backend, seen) = spied();
    let block = BASE64.encode([0x5au8; 300]);
    script
        .push_auth(Ok(password_verifier(server, &block)))
        .push_auth(Ok(tokens()));
    let builder = if admin {
        SignIn::admin(backend, POOL, CLIENT)
    } else {
        SignIn::public(backend, CLIENT).user_pool_id(POOL)
    };
    let builder = if secret {
        builder.client_secret(ClientSecret::new(SECRET))
    } else {
        builder
    };
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_796_893_503));
    let sign_in = builder.clock(clock).build().unwrap();
    let step = sign_in
        .password_srp("alice@example.com", &Password::new(typed_password))
        .await
        .unwrap();
    assert!(matches!(step, SignInStep::Done(_)), "{step:?}");

    let seen = seen.lock().unwrap();
    let [(_, initiate), (op, answer)] = seen.as_slice() else {
        panic!("two calls expected, saw {}", seen.len());
    };
    assert!(matches!(
        op,
        Operation::RespondToAuthChallenge | Operation::AdminRespondToAuthChallenge
    ));
    assert_eq!(answer["TIMESTAMP"], "Thu Dec 10 09:05:03 UTC 2026");
    assert_eq!(answer["PASSWORD_CLAIM_SECRET_BLOCK"], block);
    server.verify_claim(
        &initiate["SRP_A"],
        POOL_NAME,
        SRP_ID,
        &answer["PASSWORD_CLAIM_SECRET_BLOCK"],
        &answer["TIMESTAMP"],
        &answer["PASSWORD_CLAIM_SIGNATURE"],
    )
}

fn server_for(password: &str, salt: &Salt) -> ServerEphemeral {
    let verifier = verifier_for_password(
        POOL_NAME,
        SRP_ID,
        &SecretString::from(password.to_owned()),
        salt,
    )
    .unwrap();
    assert_eq!(verifier.salt(), salt);
    ServerEphemeral::generate(&verifier).unwrap()
}

#[tokio::test]
async fn srp_sign_in_proves_the_password_to_a_real_server() {
    for admin in [true, false] {
        for secret in [true, false] {
            let server = server_for("correct horse ünïcode", &Salt::random().unwrap());
            assert_eq!(
                sign_in_against(&server, "correct horse ünïcode", admin, secret).await,
                Ok(()),
                "admin {admin}, secret {secret}"
            );
        }
    }
}

#[tokio::test]
async fn srp_sign_in_with_a_wrong_password_fails_the_servers_check() {
    let server = server_for("right", &Salt::random().unwrap());
    assert_eq!(
        sign_in_against(&server, "wrong", false, false).await,
        Err(SrpError::SignatureMismatch)
    );
}

#[tokio::test]
async fn srp_sign_in_with_a_negative_salt_proves_the_password() {
    let salt = Salt::from_hex("-16e48ee8d8e3e1a04ee2f0d1a2b3c4d5").unwrap();
    let server = server_for("pw", &salt);
    assert!(server.salt_hex().starts_with('-'));
    assert_eq!(sign_in_against(&server, "pw", true, true).await, Ok(()));
}

#[test]
fn srp_errors_become_the_crates_typed_error_without_values() {
    let cases = [
        (SrpError::ServerPublicZero, "SRP_B"),
        (SrpError::ScramblerZero, "SRP_B"),
        (SrpError::InvalidHex { field: "SALT" }, "SALT"),
        (SrpError::TooLarge { field: "SRP_B" }, "SRP_B"),
        (SrpError::EmptySecretBlock, "SECRET_BLOCK"),
    ];
    for (srp, field) in cases {
        let error = srp.into_error(Operation::InitiateAuth);
        assert!(
            matches!(&error, Error::Srp { operation: Operation::InitiateAuth, what } if what.contains(field)),
            "{error:?}"
        );
        assert_eq!(error.kind(), "Srp");
        assert!(error.must_restart());
        assert!(error.to_string().contains(field));
    }
}
