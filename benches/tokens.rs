//! What verifying a token costs (`verify::TokenVerifier`), beside the floor
//! and beside pycognito, in one run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]
//!
//! `cargo bench --bench tokens` (features `verify` and `test-util`, which
//! the dev-dependencies enable)
//!
//! - `tokens/verify_id` and `tokens/verify_access`: ours, one sign-in's
//!   token from the in-memory pool, keys warm (injected). The verifier
//!   keeps no cache of outcomes: every call does the whole check, so the
//!   same token presented again costs what a fresh one does.
//! - `tokens/floor_rsa_parsed`: the floor, one RSA-2048 PKCS#1 v1.5 SHA-256
//!   verify with aws-lc-rs directly, the key parsed once, over a message
//!   the size of the token's signing input.
//! - `tokens/floor_rsa_components`: the same check as jsonwebtoken makes it
//!   (the key given as n and e, made into an aws-lc key on each call), on
//!   the pool token's own signature.
//! - `tokens/jsonwebtoken_decode`: jsonwebtoken 12's `decode` (aws_lc_rs
//!   backend) with RS256, issuer and audience: the crate measured against,
//!   whose per-call key rebuild and double claims parse the verifier avoids.
//! - `in_memory_pool/...`: what the pool pays to issue JWTs: a sign-in with
//!   signed tokens and with opaque ones, and the RSA-2048 key a pool makes
//!   on first use.
//!
//! Then, side by side in rounds that alternate (so both see the machine's
//! conditions), ours and the floor, and pycognito 2024.5.1's
//! `Cognito.verify_token` on the same tokens, driven through
//! `benches/pycognito_verify.py` by the Python in
//! `COGNITO_MFA_PYCOGNITO_PYTHON` (else `target/moto-venv/bin/python`): the
//! ratios are printed. Targets: ours within 1.5× of the floor, and about 7×
//! faster than pycognito.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
    RsaPublicKeyComponents,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_mfa::backend::AuthTokens;
use cognito_mfa::sign_in::SignIn;
use cognito_mfa::testing::{ClientOptions, InMemoryPool};
use cognito_mfa::verify::TokenVerifier;
use cognito_mfa::{AccessToken, IdToken, Password};
use criterion::Criterion;
use serde_json::{Value, json};
use std::hint::black_box;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";

struct Fixture {
    pool: InMemoryPool,
    client_id: String,
    tokens: AuthTokens,
    verifier: TokenVerifier,
    sign_in: SignIn,
}

fn fixture(rt: &tokio::runtime::Runtime) -> Fixture {
    // The system clock: pycognito checks `exp` against the real time.
    let pool = InMemoryPool::new();
    let client = pool.create_client(ClientOptions::new()).unwrap();
    pool.create_user("alice", PASSWORD).unwrap();
    pool.set_user_attribute("alice", "email", "alice@example.com")
        .unwrap();
    pool.add_user_to_group("alice", "admins").unwrap();
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .build()
        .unwrap();
    let tokens = rt
        .block_on(sign_in.password("alice", &Password::new(PASSWORD)))
        .unwrap()
        .into_tokens()
        .unwrap();
    let verifier = TokenVerifier::builder(pool.pool_id(), [&client.client_id])
        .keys_from_json(pool.jwks_json())
        .build()
        .unwrap();
    Fixture {
        pool,
        client_id: client.client_id,
        tokens,
        verifier,
        sign_in,
    }
}

/// The floor's inputs: the token's signing input and signature, the pool's
/// n and e, and a key of our own (parsed once) with its signature over the
/// same message.
struct Floor {
    jwt_key: jsonwebtoken::DecodingKey,
    jwt_validation: jsonwebtoken::Validation,
    message: Vec<u8>,
    signature: Vec<u8>,
    n: Vec<u8>,
    e: Vec<u8>,
    own_key: ParsedPublicKey,
    own_signature: Vec<u8>,
}

impl Floor {
    fn new(token: &str, jwks: &str, issuer: &str, client_id: &str) -> Self {
        let (message, signature) = token.rsplit_once('.').unwrap();
        let jwks: Value = serde_json::from_str(jwks).unwrap();
        let b64 = |name: &str| {
            URL_SAFE_NO_PAD
                .decode(jwks["keys"][0][name].as_str().unwrap())
                .unwrap()
        };
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let mut own_signature = vec![0; pair.public_modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            message.as_bytes(),
            &mut own_signature,
        )
        .unwrap();
        let own_key =
            ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref()).unwrap();
        let jwt_key = jsonwebtoken::DecodingKey::from_rsa_components(
            jwks["keys"][0]["n"].as_str().unwrap(),
            jwks["keys"][0]["e"].as_str().unwrap(),
        )
        .unwrap();
        let mut jwt_validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        jwt_validation.set_issuer(&[issuer]);
        jwt_validation.set_audience(&[client_id]);
        Self {
            jwt_key,
            jwt_validation,
            message: message.as_bytes().to_vec(),
            signature: URL_SAFE_NO_PAD.decode(signature).unwrap(),
            n: b64("n"),
            e: b64("e"),
            own_key,
            own_signature,
        }
    }

    fn parsed(&self) {
        self.own_key
            .verify_sig(black_box(&self.message), black_box(&self.own_signature))
            .unwrap();
    }

    fn jsonwebtoken(&self, token: &str) {
        jsonwebtoken::decode::<serde_json::Map<String, Value>>(
            black_box(token),
            &self.jwt_key,
            &self.jwt_validation,
        )
        .unwrap();
    }

    fn components(&self) {
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            black_box(&self.message),
            black_box(&self.signature),
        )
        .unwrap();
    }
}

fn bench(c: &mut Criterion, rt: &tokio::runtime::Runtime, f: &Fixture, floor: &Floor) {
    let id = f.tokens.id_token.clone().unwrap();
    let access = f.tokens.access_token.clone();
    let mut g = c.benchmark_group("tokens");
    g.bench_function("verify_id", |b| {
        b.iter(|| {
            rt.block_on(f.verifier.verify_id_token(black_box(&id)))
                .unwrap()
        });
    });
    g.bench_function("verify_access", |b| {
        b.iter(|| {
            rt.block_on(f.verifier.verify_access_token(black_box(&access)))
                .unwrap()
        });
    });
    g.bench_function("floor_rsa_parsed", |b| b.iter(|| floor.parsed()));
    g.bench_function("floor_rsa_components", |b| b.iter(|| floor.components()));
    let id_text = id.expose_secret().to_owned();
    g.bench_function("jsonwebtoken_decode", |b| {
        b.iter(|| floor.jsonwebtoken(&id_text));
    });
    g.finish();

    let mut g = c.benchmark_group("in_memory_pool");
    g.sample_size(20);
    let password = Password::new(PASSWORD);
    g.bench_function("sign_in_signed_tokens", |b| {
        b.iter(|| rt.block_on(f.sign_in.password("alice", &password)).unwrap());
    });
    let opaque = f.pool.clone();
    opaque.set_signed_tokens(false);
    g.bench_function("sign_in_opaque_tokens", |b| {
        b.iter(|| rt.block_on(f.sign_in.password("alice", &password)).unwrap());
    });
    opaque.set_signed_tokens(true);
    g.sample_size(10);
    g.bench_function("first_key", |b| {
        b.iter(|| InMemoryPool::new().jwks_json());
    });
    g.finish();
}

/// Per-call time of `f`, the fastest of `rounds` rounds of `per_round`.
fn per_call(rounds: usize, per_round: u32, mut f: impl FnMut()) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..per_round {
            f();
        }
        best = best.min(start.elapsed() / per_round);
    }
    best
}

fn python() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("COGNITO_MFA_PYCOGNITO_PYTHON").filter(|p| !p.is_empty()) {
        return Some(p.into());
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv/bin/python");
    venv.exists().then_some(venv)
}

fn pycognito(f: &Fixture) -> Result<Value, String> {
    let python = python().ok_or(
        "no Python with pycognito: set COGNITO_MFA_PYCOGNITO_PYTHON, or run `bash tests/run.sh` \
         once to make target/moto-venv",
    )?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pycognito_verify.py");
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    let request = json!({
        "pool_id": f.pool.pool_id(),
        "client_id": f.client_id,
        "region": "us-east-1",
        "jwks": serde_json::from_str::<Value>(&f.pool.jwks_json()).unwrap(),
        "id_token": f.tokens.id_token.as_ref().unwrap().expose_secret(),
        "access_token": f.tokens.access_token.expose_secret(),
        "rounds": 7,
        "per_round": 300,
    });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// Ours, the floor and pycognito in one run, and the ratios.
fn side_by_side(rt: &tokio::runtime::Runtime, f: &Fixture, floor: &Floor) {
    let id: &IdToken = f.tokens.id_token.as_ref().unwrap();
    let access: &AccessToken = &f.tokens.access_token;
    let (mut ours_id, mut ours_access, mut floor_parsed, mut floor_components, mut jwt) = (
        Duration::MAX,
        Duration::MAX,
        Duration::MAX,
        Duration::MAX,
        Duration::MAX,
    );
    // Alternating rounds: each figure is its fastest round.
    for _ in 0..9 {
        ours_id = ours_id.min(per_call(1, 2000, || {
            rt.block_on(f.verifier.verify_id_token(black_box(id)))
                .unwrap();
        }));
        floor_parsed = floor_parsed.min(per_call(1, 2000, || floor.parsed()));
        ours_access = ours_access.min(per_call(1, 2000, || {
            rt.block_on(f.verifier.verify_access_token(black_box(access)))
                .unwrap();
        }));
        floor_components = floor_components.min(per_call(1, 2000, || floor.components()));
        jwt = jwt.min(per_call(1, 2000, || floor.jsonwebtoken(id.expose_secret())));
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("\ntokens, side by side (fastest of 9 alternating rounds of 2000):");
    println!("  ours, ID token:      {:7.2} µs", us(ours_id));
    println!("  ours, access token:  {:7.2} µs", us(ours_access));
    println!(
        "  floor, one RSA-2048 verify, key parsed once (aws-lc-rs): {:7.2} µs",
        us(floor_parsed)
    );
    println!(
        "  the same from n and e on each call (as jsonwebtoken):   {:7.2} µs",
        us(floor_components)
    );
    println!(
        "  jsonwebtoken 12 decode (aws_lc_rs), ID token:           {:7.2} µs ({:.2}× the floor)",
        us(jwt),
        us(jwt) / us(floor_parsed)
    );
    println!(
        "  ours / floor: ID {:.2}×, access {:.2}× (target ≤ 1.5×)",
        us(ours_id) / us(floor_parsed),
        us(ours_access) / us(floor_parsed)
    );
    match pycognito(f) {
        Ok(py) => {
            let (py_id, py_access) = (
                py["id_us"].as_f64().unwrap(),
                py["access_us"].as_f64().unwrap(),
            );
            println!(
                "  pycognito {} (Python {}) verify_token: ID {py_id:.1} µs, access {py_access:.1} µs",
                py["pycognito"].as_str().unwrap_or("?"),
                py["python"].as_str().unwrap_or("?")
            );
            println!(
                "  pycognito / ours: ID {:.1}×, access {:.1}× (target ≈ 7×)",
                py_id / us(ours_id),
                py_access / us(ours_access)
            );
        }
        Err(e) => println!("  pycognito NOT MEASURED: {e}"),
    }
    println!();
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let f = fixture(&rt);
    let floor = Floor::new(
        f.tokens.id_token.as_ref().unwrap().expose_secret(),
        &f.pool.jwks_json(),
        f.verifier.issuer(),
        &f.client_id,
    );
    side_by_side(&rt, &f, &floor);
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &rt, &f, &floor);
    c.final_summary();
}
