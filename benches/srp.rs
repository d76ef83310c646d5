//! The CPU of an SRP sign-in (`SignIn::password_srp`, USER_SRP_AUTH), with
//! no network.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]
//!
//! `cargo bench --bench srp`
//!
//! - `srp/initiate_fails`: InitiateAuth fails at once (nothing is
//!   scripted), so what is measured is drawing `a` and A = g^a, and the
//!   request around it.
//! - `srp/client_scripted`: the whole client side against a
//!   `ScriptedBackend` that answers PASSWORD_VERIFIER (a fixed SALT and a B
//!   in [1, N)) and then tokens: A, then g^x, S, the key and the signature.
//!   The script checks no proof, and the client's maths needs no real B.
//! - `srp/in_memory_pool`: the same against the in-memory pool, which
//!   draws b and B = k·v + g^b and verifies the proof: client and server
//!   maths together, on one core.
//!
//! Each sign-in is one iteration; the timings are per sign-in.

use cognito_mfa::backend::{
    AuthFlow, AuthResponse, AuthTokens, ChallengeName, PoolMfaConfig, PoolMfaMode,
};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::testing::{ClientOptions, InMemoryPool, ManualClock, ScriptedBackend};
use cognito_mfa::{AccessToken, Error, Password, Session};
use criterion::Criterion;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tokio::runtime::{Builder, Runtime};

const POOL: &str = "us-east-1_BenchPool1";
const CLIENT: &str = "client1234567890abcdefghij";
const PASSWORD: &str = "Corr3ct-Horse-Battery";
const SALT: &str = "36ef01c6dde9fe503da333b1acc758ba";

fn runtime() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// PASSWORD_VERIFIER as Cognito sends it, with a full-size B in [1, N) and
/// a block of Cognito's size (about 1.5 KB of base64).
fn password_verifier() -> AuthResponse {
    let params: BTreeMap<String, String> = [
        ("SALT", SALT.to_owned()),
        ("SRP_B", format!("7{}", "ab".repeat(383))),
        ("SECRET_BLOCK", "QUJD".repeat(342)),
        ("USER_ID_FOR_SRP", "alice".to_owned()),
        ("USERNAME", "alice".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    AuthResponse::challenge(
        ChallengeName::PasswordVerifier,
        Some(Session::new("SESSION-0123456789abcdefghijklmnop")),
        params,
    )
}

fn tokens() -> AuthResponse {
    AuthResponse::tokens(AuthTokens::new(
        AccessToken::new("ACCESS-after-srp"),
        Duration::from_secs(3600),
    ))
}

fn scripted_sign_in(script: &Arc<ScriptedBackend>) -> SignIn {
    SignIn::admin(Arc::clone(script), POOL, CLIENT)
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_796_893_503),
        ))
        .build()
        .expect("sign-in")
}

fn bench_srp(c: &mut Criterion) {
    let rt = runtime();
    let password = Password::new(PASSWORD);

    // A sign-in against a script with nothing in it: InitiateAuth fails.
    let empty = Arc::new(ScriptedBackend::new());
    let failing = scripted_sign_in(&empty);
    let failed = rt.block_on(failing.password_srp("alice", &password));
    assert!(matches!(failed, Err(Error::Transport(_))), "{failed:?}");

    // A sign-in against a script that answers PASSWORD_VERIFIER, then tokens.
    let script = Arc::new(ScriptedBackend::new());
    let scripted = scripted_sign_in(&script);
    script
        .push_auth(Ok(password_verifier()))
        .push_auth(Ok(tokens()));
    let done = rt.block_on(scripted.password_srp("alice", &password));
    assert!(matches!(done, Ok(SignInStep::Done(_))), "{done:?}");

    // The in-memory pool: MFA off, so a good proof gets the tokens.
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_796_893_503));
    let pool = InMemoryPool::with_clock(clock.clone());
    // SRP's cost, not the pool's RSA signing of the tokens, as measured
    // before the pool issued JWTs.
    pool.set_signed_tokens(false);
    pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Off, false));
    let client = pool
        .create_client(ClientOptions::new().explicit_auth_flows([AuthFlow::UserSrp]))
        .expect("client");
    pool.create_user("alice", PASSWORD).expect("user");
    let on_pool = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .clock(clock)
        .build()
        .expect("sign-in");
    let done = rt.block_on(on_pool.password_srp("alice", &password));
    assert!(matches!(done, Ok(SignInStep::Done(_))), "{done:?}");

    let mut g = c.benchmark_group("srp");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("initiate_fails", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(failing.password_srp("alice", &password).await) })
    });
    g.bench_function("client_scripted", |b| {
        b.to_async(&rt).iter(|| async {
            // Queuing the two answers is microseconds next to the maths.
            script
                .push_auth(Ok(password_verifier()))
                .push_auth(Ok(tokens()));
            let step = scripted.password_srp("alice", &password).await;
            assert!(matches!(step, Ok(SignInStep::Done(_))));
            black_box(step)
        })
    });
    g.bench_function("in_memory_pool", |b| {
        b.to_async(&rt).iter(|| async {
            let step = on_pool.password_srp("alice", &password).await;
            assert!(matches!(step, Ok(SignInStep::Done(_))));
            black_box(step)
        })
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_srp(&mut c);
    c.final_summary();
}
