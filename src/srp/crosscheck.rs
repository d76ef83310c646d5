//! Cross-check against pycognito (an implementation nobody here wrote).
//!
//! Generates a few hundred deterministic cases, runs
//! `tests/srp/pycognito_srp.py` under the interpreter named by
//! `COGNITO_MFA_PYCOGNITO_PYTHON` (a Python with `pycognito==2024.5.1`),
//! and asserts that every A, signature and device verifier is identical.
//!
//! Ignored by a plain `cargo test` (it needs Python); `bash tests/run.sh`
//! installs pycognito beside moto and runs it. Run alone:
//!
//! ```sh
//! COGNITO_MFA_PYCOGNITO_PYTHON=target/moto-venv/bin/python \
//!     cargo test --all-features --lib srp -- --include-ignored
//! ```
//!
//! Once asked for, it never skips: without the variable it fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{self as srp, ClientEphemeral, N_HEX, VerifierChallenge};

/// Names the Python that has pycognito.
const PYTHON_ENV: &str = "COGNITO_MFA_PYCOGNITO_PYTHON";

/// Case counts: pycognito takes about 45 ms a user case, so these keep the
/// run to a few seconds while the coverage check below still holds.
const USER_CASES: usize = 160;
const DEVICE_CASES: usize = 30;
const VERIFIER_CASES: usize = 30;

/// Deterministic byte stream: SHA-256(seed ‖ counter).
struct Stream {
    counter: u64,
    buf: Vec<u8>,
}

impl Stream {
    fn new() -> Self {
        Self {
            counter: 0,
            buf: Vec::new(),
        }
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        while self.buf.len() < n {
            let mut h = Sha256::new();
            h.update(b"cognito-mfa srp crosscheck v1");
            h.update(self.counter.to_be_bytes());
            self.counter += 1;
            self.buf.extend_from_slice(&h.finalize());
        }
        self.buf.drain(..n).collect()
    }
    fn below(&mut self, n: u64) -> u64 {
        let b = self.bytes(8);
        u64::from_be_bytes(b.try_into().unwrap()) % n
    }
    fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + self.below((hi_inclusive - lo + 1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn alnum(&mut self, n: usize) -> String {
        const CS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| CS[self.below(CS.len() as u64) as usize] as char)
            .collect()
    }
    fn uuid(&mut self) -> String {
        let h = hex(&self.bytes(16));
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Minimal lowercase hex ("0" for zero), like Java's toString(16).
fn hex_minimal(b: &[u8]) -> String {
    let h = hex(b);
    let t = h.trim_start_matches('0');
    if t.is_empty() { "0".into() } else { t.into() }
}

const PASSWORDS: &[&str] = &[
    "password",
    "Tr0ub4dor&3",
    "correct horse battery staple",
    "pässwörd",
    "пароль-Секрет",
    "密码🔑🔒",
    "\"quotes\" and \\backslashes\\",
    " leading and trailing ",
    "a",
    "",
    "ünïcödé€™",
];
const USER_IDS: &[&str] = &["user_id", "josé", "用户", "o'brien+tag@example.com", "😀"];

struct Case {
    input: Value,
    /// Rust's answer, same shape as the Python result.
    rust: Value,
}

fn signed_hex(s: &mut Stream, max_bytes: usize, negative: bool) -> String {
    let n = s.range(1, max_bytes);
    let mut b = s.bytes(n);
    if s.below(3) == 0 {
        // odd number of hex digits
        b[0] = (b[0] & 0x0f).max(1);
    }
    let mut h = hex_minimal(&b);
    if s.below(6) == 0 {
        h = h.to_uppercase();
    }
    if negative { format!("-{h}") } else { h }
}

fn b_hex(s: &mut Stream, negative: bool) -> String {
    let h = match s.below(8) {
        // full size, top bit set (< N since N starts 0xFFFF…)
        0..=2 => {
            let mut b = s.bytes(384);
            b[0] = 0x80 | (b[0] & 0x7e);
            hex_minimal(&b)
        }
        // full size, top bit clear
        3 | 4 => {
            let mut b = s.bytes(384);
            b[0] &= 0x7f;
            hex_minimal(&b)
        }
        // N ≤ B < 2^3072: pycognito and we both reduce it, and hash it unreduced
        5 => {
            let mut b = s.bytes(8);
            b[0] |= 0x01;
            format!("{}{}", "f".repeat(768 - 16), hex(&b).to_uppercase())
        }
        // shorter, odd or even length, sometimes with leading zeros
        _ => {
            let n = s.range(1, 200);
            let h = hex_minimal(&s.bytes(n));
            if s.below(3) == 0 { format!("00{h}") } else { h }
        }
    };
    if negative { format!("-{h}") } else { h }
}

fn user_case(s: &mut Stream, id: usize, negative_salt: bool, negative_b: bool) -> Case {
    let a = {
        let n = *[1usize, 16, 32, 48, 48, 64, 127, 128]
            .get(s.below(8) as usize)
            .unwrap();
        let mut a = s.bytes(n);
        if a.iter().all(|&x| x == 0) {
            a[0] = 1;
        }
        a
    };
    let pool_id = format!(
        "{}_{}",
        s.pick(&["us-east-1", "eu-west-2", "ap-southeast-2"]),
        s.alnum(9)
    );
    let user_id = if s.below(2) == 0 {
        s.uuid()
    } else {
        s.pick(USER_IDS).to_owned()
    };
    let password = if s.below(4) == 0 {
        {
            let n = s.range(1, 64);
            s.alnum(n)
        }
    } else {
        s.pick(PASSWORDS).to_owned()
    };
    let salt_hex = if id % 37 == 5 {
        "0".to_owned()
    } else {
        signed_hex(s, 32, negative_salt)
    };
    let b_hex = b_hex(s, negative_b);
    let block_len = s.range(1, 1200);
    let secret_block = BASE64.encode(s.bytes(block_len));
    let ts = srp::timestamp(UNIX_EPOCH + Duration::from_secs(s.below(4_102_444_800)));

    let client = ClientEphemeral::from_secret_bytes(&a).unwrap();
    let srp_a = client.public_hex();
    let signature = client
        .password_claim(
            srp::pool_name(&pool_id).unwrap(),
            &user_id,
            &SecretString::from(password.clone()),
            &VerifierChallenge {
                salt_hex: &salt_hex,
                srp_b_hex: &b_hex,
                secret_block: &secret_block,
            },
            &ts,
        )
        .unwrap();
    Case {
        input: json!({
            "kind": "user", "id": id, "a_hex": hex(&a), "pool_id": pool_id, "user_id": user_id,
            "password": password, "salt_hex": salt_hex, "b_hex": b_hex,
            "secret_block": secret_block, "timestamp": ts,
            "negative": negative_salt || negative_b,
        }),
        rust: json!({ "srp_a": srp_a, "signature": signature }),
    }
}

fn device_case(s: &mut Stream, id: usize) -> Case {
    let a = s.bytes(48);
    let group_key = format!("-{}", s.alnum(9));
    let device_key = format!("us-east-1_{}", s.uuid());
    let device_password = BASE64.encode(s.bytes(40));
    let salt_hex = signed_hex(s, 17, false);
    let b_hex = b_hex(s, false);
    let block_len = s.range(16, 600);
    let secret_block = BASE64.encode(s.bytes(block_len));
    let ts = srp::timestamp(UNIX_EPOCH + Duration::from_secs(s.below(4_102_444_800)));
    let client = ClientEphemeral::from_secret_bytes(&a).unwrap();
    let srp_a = client.public_hex();
    let signature = client
        .device_claim(
            &group_key,
            &device_key,
            &SecretString::from(device_password.clone()),
            &VerifierChallenge {
                salt_hex: &salt_hex,
                srp_b_hex: &b_hex,
                secret_block: &secret_block,
            },
            &ts,
        )
        .unwrap();
    Case {
        input: json!({
            "kind": "device", "id": id, "a_hex": hex(&a), "device_group_key": group_key,
            "device_key": device_key, "device_password": device_password, "salt_hex": salt_hex,
            "b_hex": b_hex, "secret_block": secret_block, "timestamp": ts,
        }),
        rust: json!({ "srp_a": srp_a, "signature": signature }),
    }
}

fn device_verifier_case(s: &mut Stream, id: usize) -> Case {
    let group_key = format!("-{}", s.alnum(9));
    let device_key = format!("eu-west-1_{}", s.uuid());
    let raw = s.bytes(40);
    let mut salt: [u8; 16] = s.bytes(16).try_into().unwrap();
    match id % 4 {
        0 => salt[0] |= 0x80, // padded with 0x00
        1 => salt[0] &= 0x7f,
        2 => salt[0] = 0, // leading zero byte dropped
        _ => {}
    }
    let password = BASE64.encode(&raw);
    let config = srp::device_verifier(
        &group_key,
        &device_key,
        &SecretString::from(password.clone()),
        &salt,
    )
    .unwrap();
    Case {
        input: json!({
            "kind": "device_verifier", "id": id, "device_group_key": group_key,
            "device_key": device_key, "password_raw_hex": hex(&raw), "salt_hex": hex(&salt),
        }),
        rust: json!({
            "device_password": password,
            "password_verifier": config.password_verifier,
            "salt": config.salt,
        }),
    }
}

fn cases() -> Vec<Case> {
    let mut s = Stream::new();
    let mut cases = Vec::new();
    // The notes' first known answer, as an anchor for the harness itself.
    let mut ka = user_case(&mut s, 0, false, false);
    let v = "36ef01c6dde9fe503da333b1acc758ba";
    ka.input["a_hex"] = json!("01".repeat(128));
    ka.input["pool_id"] = json!("us-west-2_abc");
    ka.input["user_id"] = json!("user_id");
    ka.input["password"] = json!("password");
    ka.input["salt_hex"] = json!(v);
    ka.input["b_hex"] = json!(v);
    ka.input["secret_block"] = json!(
        "9ae77ec7154c14dcc487b47707fee4b4920cb96d8a8c045e4c8df879a7b375524aa736acdec6c9ad4ea606774d00621b"
    );
    ka.input["timestamp"] = json!("Mon Feb 10 18:30:12 UTC 2025");
    ka.rust = json!({
        "srp_a": ClientEphemeral::from_secret_bytes(&[1; 128]).unwrap().public_hex(),
        "signature": "apNSb5GZpJciVc6cVNkDf4elCMoWUZcH4aukLlMPiFA=",
    });
    cases.push(ka);
    for id in 1..=USER_CASES {
        let negative_salt = id % 23 == 0;
        let negative_b = id % 71 == 0;
        cases.push(user_case(&mut s, id, negative_salt, negative_b));
    }
    for id in USER_CASES + 1..=USER_CASES + DEVICE_CASES {
        cases.push(device_case(&mut s, id));
    }
    for id in USER_CASES + DEVICE_CASES + 1..=USER_CASES + DEVICE_CASES + VERIFIER_CASES {
        cases.push(device_verifier_case(&mut s, id));
    }
    // Fixed edge cases: B = N + 1 (≡ 1), salt with every byte 0xff.
    let mut extra = user_case(
        &mut s,
        USER_CASES + DEVICE_CASES + VERIFIER_CASES + 1,
        false,
        false,
    );
    let n_plus_1 = format!("{}0", &N_HEX[..N_HEX.len() - 1]);
    extra.input["b_hex"] = json!(n_plus_1);
    extra.input["salt_hex"] = json!("ff".repeat(16));
    let a = hex_to_bytes(extra.input["a_hex"].as_str().unwrap());
    let client = ClientEphemeral::from_secret_bytes(&a).unwrap();
    let sig = client
        .password_claim(
            srp::pool_name(extra.input["pool_id"].as_str().unwrap()).unwrap(),
            extra.input["user_id"].as_str().unwrap(),
            &SecretString::from(extra.input["password"].as_str().unwrap().to_owned()),
            &VerifierChallenge {
                salt_hex: &"ff".repeat(16),
                srp_b_hex: &n_plus_1,
                secret_block: extra.input["secret_block"].as_str().unwrap(),
            },
            extra.input["timestamp"].as_str().unwrap(),
        )
        .unwrap();
    extra.rust["signature"] = json!(sig);
    cases.push(extra);
    cases
}

fn hex_to_bytes(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
#[ignore = "needs pycognito: tests/run.sh installs and runs it"]
fn agrees_with_pycognito() {
    let python = std::env::var(PYTHON_ENV).unwrap_or_else(|_| {
        panic!(
            "{PYTHON_ENV} must name a Python with pycognito==2024.5.1 installed; \
             `bash tests/run.sh` installs it in target/moto-venv. This test does not skip."
        )
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/srp/pycognito_srp.py");
    let cases = cases();
    let input: Vec<&Value> = cases.iter().map(|c| &c.input).collect();

    // pycognito is the slow side: one process per core, each on a slice.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    let mut children = Vec::new();
    for chunk in input.chunks(input.len().div_ceil(workers)) {
        let mut child = Command::new(&python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
        // The script reads all of stdin before it writes: no deadlock.
        child
            .stdin
            .take()
            .unwrap()
            .write_all(serde_json::to_string(chunk).unwrap().as_bytes())
            .unwrap();
        children.push(child);
    }
    let mut results = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "pycognito script failed: {}",
            out.status
        );
        let out: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out["pycognito"], "2024.5.1", "unexpected pycognito version");
        results.extend(out["results"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(results.len(), cases.len());

    let mut mismatches = Vec::new();
    let (mut negatives, mut odd, mut top_bit_b, mut non_ascii) = (0, 0, 0, 0);
    for (case, py) in cases.iter().zip(&results) {
        if case.rust != *py {
            mismatches.push(format!(
                "case {}: rust {} != pycognito {}",
                case.input["id"], case.rust, py
            ));
        }
        let i = &case.input;
        negatives += usize::from(i["negative"].as_bool().unwrap_or(false));
        odd += usize::from(
            i["salt_hex"]
                .as_str()
                .is_some_and(|h| h.trim_start_matches('-').len() % 2 == 1),
        );
        top_bit_b += usize::from(
            i["b_hex"]
                .as_str()
                .is_some_and(|h| h.len() == 768 && h.as_bytes()[0] >= b'8'),
        );
        non_ascii += usize::from(i["password"].as_str().is_some_and(|p| !p.is_ascii()));
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // the generator really covered what it claims to
    assert!(
        negatives >= 8 && odd >= 20 && top_bit_b >= 20 && non_ascii >= 20,
        "{negatives} {odd} {top_bit_b} {non_ascii}"
    );
    eprintln!(
        "{} cases agree with pycognito 2024.5.1 ({negatives} negative, {odd} odd-length salts, \
         {top_bit_b} full-size top-bit B, {non_ascii} non-ASCII passwords)",
        cases.len()
    );
}
