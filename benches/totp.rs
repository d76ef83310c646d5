//! The crate's local arithmetic: TOTP codes, the otpauth URI and setup key,
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]
//! QR codes of that URI, and SECRET_HASH.
//!
//! `cargo bench --bench totp`
//!
//! `totp/check_*` run `Authenticator::matches`, the check the in-memory
//! pool makes (one step early or late, the current step first):
//! `check_current` is a right code typed in time (one HMAC),
//! `check_late` the next step's code (the whole window), `check_wrong` a
//! wrong code (the whole window); `check_from_secret` also decodes the
//! secret, as a server holding the stored secret would.

use cognito_mfa::testing::Authenticator;
use cognito_mfa::{ClientSecret, TotpSecret, otpauth, qr, secret_hash};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A secret as Cognito hands it out: 160 bits, upper-case unpadded base32.
const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const ISSUER: &str = "Example Corp";
const ACCOUNT: &str = "alice@example.com";

fn at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_015)
}

fn bench_totp(c: &mut Criterion) {
    let secret = TotpSecret::new(SECRET);
    let app = Authenticator::new(&secret).expect("valid secret");
    let now = at();
    // The code of the step after: the check walks the whole window.
    let late = app.code_at(now + Duration::from_secs(30));
    let late = late.expose_secret().to_owned();
    let current = app.code_at(now).expose_secret().to_owned();
    let wrong = if current == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert!(app.matches(&current, now) && app.matches(&late, now));
    assert!(!app.matches(wrong, now));

    let mut g = c.benchmark_group("totp");
    g.bench_function("authenticator_new", |b| {
        b.iter(|| Authenticator::new(black_box(&secret)))
    });
    g.bench_function("code_at", |b| b.iter(|| app.code_at(black_box(now))));
    g.bench_function("check_current", |b| {
        b.iter(|| app.matches(black_box(&current), black_box(now)))
    });
    g.bench_function("check_late", |b| {
        b.iter(|| app.matches(black_box(&late), black_box(now)))
    });
    g.bench_function("check_wrong", |b| {
        b.iter(|| app.matches(black_box(wrong), black_box(now)))
    });
    g.bench_function("check_from_secret", |b| {
        b.iter(|| {
            let app = Authenticator::new(black_box(&secret)).expect("valid secret");
            app.matches(black_box(&current), black_box(now))
        })
    });
    g.finish();
}

fn bench_otpauth(c: &mut Criterion) {
    let secret = TotpSecret::new(SECRET);
    let mut g = c.benchmark_group("otpauth");
    g.bench_function("key_uri", |b| {
        b.iter(|| otpauth::key_uri(black_box(&secret), black_box(ISSUER), black_box(ACCOUNT)))
    });
    g.bench_function("setup_key", |b| {
        b.iter(|| otpauth::setup_key(black_box(&secret)))
    });
    g.finish();
}

fn bench_qr(c: &mut Criterion) {
    let uri = otpauth::key_uri(&TotpSecret::new(SECRET), ISSUER, ACCOUNT).expect("valid uri");
    let mut g = c.benchmark_group("qr");
    g.bench_function("svg", |b| b.iter(|| qr::svg(black_box(&uri))));
    g.bench_function("png", |b| b.iter(|| qr::png(black_box(&uri))));
    g.bench_function("terminal", |b| b.iter(|| qr::terminal(black_box(&uri))));
    g.finish();
}

fn bench_secret_hash(c: &mut Criterion) {
    // Cognito's shapes: a 51-character client secret, a 26-character client id.
    let client_secret = ClientSecret::new("1example23456789abcdefghijklmnopqrstuvwxyz012345678");
    let client_id = "1example23456789abcdefghij";
    c.bench_function("secret_hash", |b| {
        b.iter(|| {
            secret_hash(
                black_box(&client_secret),
                black_box("alice"),
                black_box(client_id),
            )
        })
    });
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .nresamples(10_000)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_totp, bench_otpauth, bench_qr, bench_secret_hash
}
criterion_main!(benches);
