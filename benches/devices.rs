//! The client CPU of remembered devices, with no network, beside pycognito's in the same run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]
//!
//! `cargo bench --bench devices` (pycognito from `COGNITO_MFA_PYCOGNITO_PYTHON`, else
//! `target/moto-venv/bin/python`, which `bash tests/run.sh` installs)
//!
//! - `devices/confirm`: `device::confirm` against a mock whose ConfirmDevice answers at once:
//!   a device password and salt drawn, x, and the verifier g^x mod N.
//! - `devices/sign_in_on_device`: `SignIn::on_device(..).password(..)` against a script that
//!   answers DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER (a fixed SALT, a full-size B in
//!   [1, N)), then tokens: A = g^a, then S, the key and the signature, and the requests.
//!
//! pycognito 2024.5.1 does the same work in `benches/pycognito_devices.py`
//! (`generate_hash_device`; `AWSSRP(...)` with the device and `process_device_challenge`). After
//! criterion's report the bench times both sides again, one after the other, and prints the
//! ratios.

use cognito_mfa::backend::{
    AuthResponse, AuthTokens, ChallengeName, DeviceRememberedStatus, NewDeviceMetadata,
};
use cognito_mfa::device::{self, RememberedDevice};
use cognito_mfa::mockall::predicate::always;
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::testing::{ManualClock, ScriptedBackend};
use cognito_mfa::{AccessToken, MockCognitoBackend, Password, Session};
use criterion::Criterion;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};
use tokio::runtime::{Builder, Runtime};

const POOL: &str = "us-east-1_BenchPool1";
const CLIENT: &str = "client1234567890abcdefghij";
const GROUP: &str = "-Abc123XYZ";
const KEY: &str = "us-east-1_00000000-1111-2222-3333-444444444444";
const DEVICE_PASSWORD: &str = "V6qE3mJ8yX0Wc1o0d9l2r7a4TnFhZkQpYbGsUuIiOoPpLlKkJjHh==";
const SALT: &str = "36ef01c6dde9fe503da333b1acc758ba";
/// How many operations each side runs for the printed ratio.
const RATIO_ITERATIONS: usize = 100;

fn runtime() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn srp_b() -> String {
    format!("7{}", "ab".repeat(383))
}

fn secret_block() -> String {
    "QUJD".repeat(342)
}

fn challenge(name: ChallengeName, params: &[(&str, String)]) -> AuthResponse {
    let params: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    AuthResponse::challenge(
        name,
        Some(Session::new("SESSION-0123456789abcdefghijklmnop")),
        params,
    )
}

fn push_device_script(script: &ScriptedBackend) {
    script
        .push_auth(Ok(challenge(
            ChallengeName::DeviceSrpAuth,
            &[("USERNAME", "alice".to_owned())],
        )))
        .push_auth(Ok(challenge(
            ChallengeName::DevicePasswordVerifier,
            &[
                ("USERNAME", "alice".to_owned()),
                ("SALT", SALT.to_owned()),
                ("SRP_B", srp_b()),
                ("SECRET_BLOCK", secret_block()),
            ],
        )))
        .push_auth(Ok(AuthResponse::tokens(AuthTokens::new(
            AccessToken::new("ACCESS-after-device"),
            Duration::from_secs(3600),
        ))));
}

fn new_device_tokens() -> AuthTokens {
    AuthTokens::new(
        AccessToken::new("ACCESS-with-new-device"),
        Duration::from_secs(3600),
    )
    .with_new_device(Some(NewDeviceMetadata::new(KEY, GROUP)))
}

/// pycognito's microseconds per confirmation and per device sign-in, or why not.
fn pycognito() -> Result<(String, f64, f64), String> {
    let python = std::env::var_os("COGNITO_MFA_PYCOGNITO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/moto-venv/bin/python"));
    let mut child = Command::new(&python)
        .arg("benches/pycognito_devices.py")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    let input = serde_json::json!({
        "iterations": RATIO_ITERATIONS,
        "device_group_key": GROUP,
        "device_key": KEY,
        "device_password": DEVICE_PASSWORD,
        "salt_hex": SALT,
        "b_hex": srp_b(),
        "secret_block": secret_block(),
    });
    serde_json::to_writer(child.stdin.take().expect("stdin"), &input).expect("write");
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("pycognito_devices.py failed: {}", out.status));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    Ok((
        v["pycognito"].as_str().unwrap_or("?").to_owned(),
        v["confirm_us"].as_f64().ok_or("no confirm_us")?,
        v["sign_in_us"].as_f64().ok_or("no sign_in_us")?,
    ))
}

fn per_op_us(rt: &Runtime, f: impl AsyncFn()) -> f64 {
    rt.block_on(f());
    let start = Instant::now();
    for _ in 0..RATIO_ITERATIONS {
        rt.block_on(f());
    }
    start.elapsed().as_secs_f64() * 1e6 / RATIO_ITERATIONS as f64
}

fn main() {
    let rt = runtime();
    let mut mock = MockCognitoBackend::new();
    mock.expect_confirm_device()
        .with(always())
        .returning(|_| Ok(false));
    let tokens = new_device_tokens();
    let confirm = async || {
        let confirmed = device::confirm(&mock, &tokens, None, DeviceRememberedStatus::Remembered)
            .await
            .unwrap()
            .unwrap();
        black_box(confirmed);
    };

    let script = Arc::new(ScriptedBackend::new());
    let sign_in = SignIn::public(Arc::clone(&script), CLIENT)
        .user_pool_id(POOL)
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_796_893_503),
        ))
        .build()
        .expect("sign-in");
    let device =
        RememberedDevice::from_parts(KEY, GROUP, SecretString::from(DEVICE_PASSWORD)).unwrap();
    let password = Password::new("Corr3ct-Horse-Battery");
    let on_device = async || {
        push_device_script(&script);
        let signed = sign_in
            .on_device(&device)
            .password("alice", &password)
            .await
            .unwrap();
        assert!(matches!(signed.step, SignInStep::Done(_)));
        black_box(signed);
    };

    let mut c = Criterion::default().configure_from_args();
    {
        let mut g = c.benchmark_group("devices");
        g.sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        g.bench_function("confirm", |b| b.to_async(&rt).iter(confirm));
        g.bench_function("sign_in_on_device", |b| b.to_async(&rt).iter(on_device));
        g.finish();
    }
    c.final_summary();

    let ours = (per_op_us(&rt, confirm), per_op_us(&rt, on_device));
    match pycognito() {
        Ok((version, py_confirm, py_sign_in)) => {
            println!("\nclient CPU, same run, {RATIO_ITERATIONS} operations each:");
            for (what, lib, py) in [
                ("device confirmation", ours.0, py_confirm),
                ("device sign-in", ours.1, py_sign_in),
            ] {
                println!(
                    "  {what:<20} library {lib:>9.0} µs   pycognito {version} {py:>9.0} µs   \
                     pycognito / library {:.1}×",
                    py / lib
                );
            }
        }
        Err(why) => println!("\npycognito not measured ({why}); library: {ours:?} µs"),
    }
}
