//! Amazon Cognito's SRP-6a variant: the maths behind `USER_SRP_AUTH` →
//! `PASSWORD_VERIFIER` and remembered-device `DEVICE_SRP_AUTH` →
//! `DEVICE_PASSWORD_VERIFIER`, the device verifier sent with `ConfirmDevice`,
//! the `TIMESTAMP` string, and (with `test-util`) the server side an in-memory
//! pool needs to act as a real SRP server.
//!
//! What Cognito does, as implemented here (N = RFC 5054 3072-bit prime, g = 2,
//! H = SHA-256, `pad` = Java `BigInteger.toByteArray`, i.e. minimal big-endian
//! two's complement):
//!
//! ```text
//! k   = H(pad(N) ‖ pad(g))                       (g NOT padded to |N|: not RFC 5054)
//! A   = g^a mod N                                 SRP_A = lowercase hex, unpadded
//! u   = H(pad(A) ‖ pad(B))                        refuse u = 0, refuse B ≡ 0 (mod N)
//! x   = H(pad(salt) ‖ H(realm ‖ identity ‖ ":" ‖ password))
//! S   = (B − k·g^x)^(a + u·x) mod N
//! key = HKDF-SHA256(salt = pad(u), ikm = pad(S), info = "Caldera Derived Key", L = 16)
//! sig = base64(HMAC-SHA256(key, realm ‖ identity ‖ SECRET_BLOCK bytes ‖ TIMESTAMP))
//! ```
//!
//! realm/identity/password are (pool name, USER_ID_FOR_SRP, password) for a
//! user and (DeviceGroupKey, DeviceKey, device password) for a device.
//!
//! Big numbers: aws-lc's `BN_*` C API through `aws-lc-sys` (already compiled
//! into every build of the AWS SDK's default TLS stack). Secret exponents go
//! through `BN_mod_exp_mont_consttime`. All `unsafe` lives in the private
//! [`bn`] submodule (`src/srp/bn.rs`), the one module the crate lets use it.
//!
//! Crate-private. The server side (for the in-memory pool) is compiled only
//! with `test-util` (and in unit tests). The error type is local
//! ([`SrpError`]); the sign-in turns it into [`crate::Error::Srp`].
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    unsafe_op_in_unsafe_fn
)]

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

/// Size of a freshly drawn client (and test-server) secret exponent: 384 bits.
///
/// An exponent of t bits falls to Pollard's kangaroo in about 2^(t/2) steps,
/// and the 3072-bit group itself offers about 128-bit security, so 256 bits
/// (RFC 5054's minimum, NIST SP 800-56A's 2·s) already matches the group;
/// 384 adds a 128-bit margin for the more conservative short-exponent
/// estimates. The reference clients' 1024 bits buy nothing more (the group
/// caps the strength) and cost ~1.5 ms more per sign-in (see CHOICE.md).
/// S's exponent a + u·x is ~513 bits whatever the size of `a`.
pub(crate) const EPHEMERAL_SECRET_BYTES: usize = 48;

/// RFC 5054 appendix A 3072-bit group prime (= RFC 3526 3072-bit MODP).
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const G: u8 = 2;
const HKDF_INFO: &[u8] = b"Caldera Derived Key";
/// Hex inputs longer than the modulus (after leading zeros) are refused.
const MAX_HEX_DIGITS: usize = 768;

// ============================================================================
// Errors
// ============================================================================

/// What can go wrong in the SRP maths. Messages name the offending field,
/// never a value (salts, B and signatures are not secret, but passwords,
/// exponents and keys never reach an error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[cfg_attr(
    not(any(test, feature = "test-util")),
    allow(dead_code, reason = "four variants are the server side's")
)]
pub(crate) enum SrpError {
    /// A hex field (`SALT`, `SRP_B`, `SRP_A`) is empty or has a non-hex character.
    #[error("{field} is not a hexadecimal integer")]
    InvalidHex {
        /// The challenge parameter's name.
        field: &'static str,
    },
    /// A number is longer than the 3072-bit modulus.
    #[error("{field} is larger than 3072 bits")]
    TooLarge {
        /// The parameter's name.
        field: &'static str,
    },
    /// A base64 field is not valid standard base64.
    #[error("{field} is not valid base64")]
    InvalidBase64 {
        /// The parameter's name.
        field: &'static str,
    },
    /// `SRP_B` ≡ 0 (mod N): the server (or an attacker) sent a degenerate B.
    #[error("SRP_B is zero modulo N")]
    ServerPublicZero,
    /// `SRP_A` ≡ 0 (mod N) (server side).
    #[error("SRP_A is zero modulo N")]
    ClientPublicZero,
    /// u = H(pad(A) ‖ pad(B)) is zero.
    #[error("the scrambling parameter u = H(A, B) is zero")]
    ScramblerZero,
    /// `SECRET_BLOCK` is empty.
    #[error("SECRET_BLOCK is empty")]
    EmptySecretBlock,
    /// The user pool id has no `_` followed by a name.
    #[error("the user pool id is not of the form region_name")]
    InvalidPoolId,
    /// A secret exponent given by the caller is zero, or gave A or B ≡ 0.
    #[error("the secret exponent is zero or degenerate")]
    DegenerateSecret,
    /// A stored password verifier is not in [1, N).
    #[error("the password verifier is not a number in [1, N)")]
    InvalidVerifier,
    /// The client's PASSWORD_CLAIM_SIGNATURE does not match (server side).
    #[error("the password claim signature does not match")]
    SignatureMismatch,
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// aws-lc reported a failure (allocation failure; never expected).
    #[error("big-number arithmetic failed")]
    Arithmetic,
}

impl SrpError {
    /// The crate's error for a failure while answering (or, for a local
    /// failure, about to call) `operation`: [`crate::Error::Srp`], naming
    /// the parameter refused, never its value.
    pub(crate) fn into_error(self, operation: crate::Operation) -> crate::Error {
        let what = match self {
            Self::InvalidHex { field: "SALT" } => "refused SALT: not a hexadecimal integer",
            Self::InvalidHex { field: "SRP_B" } => "refused SRP_B: not a hexadecimal integer",
            Self::InvalidHex { .. } => "refused a value that is not a hexadecimal integer",
            Self::TooLarge { field: "SALT" } => "refused SALT: larger than 3072 bits",
            Self::TooLarge { field: "SRP_B" } => "refused SRP_B: larger than 3072 bits",
            Self::TooLarge { .. } => "refused a value larger than 3072 bits",
            Self::InvalidBase64 { .. } => "refused a value that is not valid base64",
            Self::ServerPublicZero => "refused SRP_B: it is zero modulo N",
            Self::ScramblerZero => "refused SRP_B: u = H(A, B) is zero",
            Self::EmptySecretBlock => "refused SECRET_BLOCK: it is empty",
            Self::InvalidPoolId => "the user pool id has no name after its '_'",
            Self::Random => "the system random number generator failed",
            Self::ClientPublicZero
            | Self::DegenerateSecret
            | Self::InvalidVerifier
            | Self::SignatureMismatch
            | Self::Arithmetic => "the SRP arithmetic failed",
        };
        crate::Error::Srp { operation, what }
    }
}

// ============================================================================
// Public API: helpers
// ============================================================================

/// The pool name used in x and the signature: the part of the user pool id
/// after its `_` (`us-east-1_AbCdEf` → `AbCdEf`).
pub(crate) fn pool_name(user_pool_id: &str) -> Result<&str, SrpError> {
    match user_pool_id.split_once('_') {
        Some((region, name)) if !region.is_empty() && !name.is_empty() => Ok(name),
        _ => Err(SrpError::InvalidPoolId),
    }
}

/// Cognito's `TIMESTAMP`: `EEE MMM d HH:mm:ss 'UTC' yyyy`, English names, UTC,
/// day of month without padding (`Tue Dec 1 01:46:10 UTC 2026`). Computed from
/// Unix seconds (sub-second part dropped), independent of any locale.
pub(crate) fn timestamp(time: SystemTime) -> String {
    let secs: i64 = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            // Before 1970: round towards minus infinity.
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            whole
                .saturating_neg()
                .saturating_sub(i64::from(d.subsec_nanos() > 0))
        }
    };
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday; 0 = Sunday.
    let weekday = match (days.rem_euclid(7) + 4) % 7 {
        0 => "Sun",
        1 => "Mon",
        2 => "Tue",
        3 => "Wed",
        4 => "Thu",
        5 => "Fri",
        _ => "Sat",
    };
    let month_name = match month {
        1 => "Jan",
        2 => "Feb",
        3 => "Mar",
        4 => "Apr",
        5 => "May",
        6 => "Jun",
        7 => "Jul",
        8 => "Aug",
        9 => "Sep",
        10 => "Oct",
        11 => "Nov",
        _ => "Dec",
    };
    format!(
        "{weekday} {month_name} {day} {:02}:{:02}:{:02} UTC {year:04}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Days since 1970-01-01 → (year, month 1..=12, day 1..=31), proleptic
/// Gregorian (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The bytes of `SECRET_BLOCK` that enter the signature.
///
/// Real Cognito sends standard base64 (that is what the signature covers).
/// moto sends a uuid with dashes, which is not base64: rather than fail before
/// anything is sent, such a block enters the signature as its UTF-8 bytes
/// (moto checks only that a signature is present). A valid-base64 block is
/// always decoded, so a real Cognito block can never take the fallback.
/// The block is echoed unchanged as PASSWORD_CLAIM_SECRET_BLOCK by the caller.
fn secret_block_bytes(secret_block: &str) -> Result<Vec<u8>, SrpError> {
    if secret_block.is_empty() {
        return Err(SrpError::EmptySecretBlock);
    }
    Ok(BASE64
        .decode(secret_block)
        .unwrap_or_else(|_| secret_block.as_bytes().to_vec()))
}

fn random_bytes(buf: &mut [u8]) -> Result<(), SrpError> {
    getrandom::fill(buf).map_err(|_| SrpError::Random)
}

// ============================================================================
// Public API: the client
// ============================================================================

/// The parameters of a PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER challenge,
/// as received.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VerifierChallenge<'a> {
    /// `SALT`: hex, possibly negative (`-16e4…`) or of odd length.
    pub(crate) salt_hex: &'a str,
    /// `SRP_B`: hex, the server's public value.
    pub(crate) srp_b_hex: &'a str,
    /// `SECRET_BLOCK` exactly as received.
    pub(crate) secret_block: &'a str,
}

/// The client's one-shot SRP secret `a` and public `A = g^a mod N`.
///
/// Draw one per exchange (USER_SRP_AUTH, and a fresh one for DEVICE_SRP_AUTH);
/// the claim methods consume it. `a` is zeroized on drop and never printed.
pub(crate) struct ClientEphemeral {
    a: Zeroizing<Vec<u8>>,
    /// pad(A)
    big_a: Vec<u8>,
}

impl ClientEphemeral {
    /// Draws `a` ([`EPHEMERAL_SECRET_BYTES`] from the OS CSPRNG) and computes A.
    pub(crate) fn generate() -> Result<Self, SrpError> {
        // A = g^a mod N is never 0 for a prime N; a is re-drawn only if it is 0.
        for _ in 0..4 {
            let mut a = Zeroizing::new(vec![0u8; EPHEMERAL_SECRET_BYTES]);
            random_bytes(&mut a)?;
            match Self::from_secret(a) {
                Err(SrpError::DegenerateSecret) => continue,
                other => return other,
            }
        }
        Err(SrpError::Random)
    }

    /// A fixed `a` (big-endian bytes, any length) for known-answer and
    /// cross-check tests. Never use outside tests.
    #[cfg(any(test, feature = "test-util"))]
    #[cfg_attr(
        not(test),
        allow(
            dead_code,
            reason = "the in-memory pool's SRP server; not wired in yet"
        )
    )]
    pub(crate) fn from_secret_bytes(a: &[u8]) -> Result<Self, SrpError> {
        Self::from_secret(Zeroizing::new(a.to_vec()))
    }

    fn from_secret(a: Zeroizing<Vec<u8>>) -> Result<Self, SrpError> {
        if a.iter().all(|&b| b == 0) {
            return Err(SrpError::DegenerateSecret);
        }
        let group = bn::Group::new()?;
        let big_a = group.pow(group.generator(), &bn::Num::from_be_bytes(&a)?)?;
        if big_a.is_zero() {
            return Err(SrpError::DegenerateSecret);
        }
        let big_a = pad_unsigned(&big_a.to_be_bytes()?).to_vec();
        Ok(Self { a, big_a })
    }

    /// `SRP_A`: lowercase hex of A without padding or leading zeros.
    pub(crate) fn public_hex(&self) -> String {
        hex_minimal(&self.big_a)
    }

    /// PASSWORD_CLAIM_SIGNATURE for PASSWORD_VERIFIER.
    ///
    /// `pool_name` is the pool id's part after `_` (see [`pool_name`]);
    /// `user_id_for_srp` is the challenge's USER_ID_FOR_SRP (not USERNAME);
    /// `timestamp` is the exact TIMESTAMP string that will be sent.
    pub(crate) fn password_claim(
        self,
        pool_name: &str,
        user_id_for_srp: &str,
        password: &SecretString,
        challenge: &VerifierChallenge<'_>,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        self.claim(
            pool_name,
            user_id_for_srp,
            password.expose_secret().as_bytes(),
            challenge,
            timestamp,
        )
    }

    /// PASSWORD_CLAIM_SIGNATURE for DEVICE_PASSWORD_VERIFIER: the same maths
    /// with pool name := DeviceGroupKey, identity := DeviceKey and
    /// password := the device password.
    pub(crate) fn device_claim(
        self,
        device_group_key: &str,
        device_key: &str,
        device_password: &SecretString,
        challenge: &VerifierChallenge<'_>,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        self.claim(
            device_group_key,
            device_key,
            device_password.expose_secret().as_bytes(),
            challenge,
            timestamp,
        )
    }

    fn claim(
        self,
        realm: &str,
        identity: &str,
        password: &[u8],
        challenge: &VerifierChallenge<'_>,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        let salt = SignedInt::parse_hex("SALT", challenge.salt_hex)?;
        let big_b = SignedInt::parse_hex("SRP_B", challenge.srp_b_hex)?;
        let block = secret_block_bytes(challenge.secret_block)?;
        let x = compute_x(&salt.pad(), realm, identity, password);
        let group = bn::Group::new()?;
        let key = client_key(&group, &group.k()?, &self.a, &self.big_a, &big_b, &x)?;
        sign(&key, realm, identity, &block, timestamp)
    }
}

impl fmt::Debug for ClientEphemeral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientEphemeral")
            .field("a", &"<redacted>")
            .field("A_bits", &(self.big_a.len() * 8))
            .finish()
    }
}

/// S and the derived key, as the client computes them.
fn client_key(
    group: &bn::Group,
    k: &bn::Num,
    a: &[u8],
    big_a_pad: &[u8],
    big_b: &SignedInt,
    x: &[u8; 32],
) -> Result<Zeroizing<[u8; 16]>, SrpError> {
    let b_mod_n = group.reduce(&big_b.to_num()?)?;
    if b_mod_n.is_zero() {
        return Err(SrpError::ServerPublicZero);
    }
    let u = scrambler(big_a_pad, &big_b.pad())?;
    let x_num = bn::Num::from_be_bytes(x)?;
    let g_x = group.pow(group.generator(), &x_num)?;
    let base = group.sub(&b_mod_n, &group.mul(k, &g_x)?)?;
    let exponent = bn::mul_add(
        &bn::Num::from_be_bytes(a)?,
        &bn::Num::from_be_bytes(&u)?,
        &x_num,
    )?;
    let s = group.pow(&base, &exponent)?;
    derive_key(&u, &s)
}

// ============================================================================
// Public API: remembered devices
// ============================================================================

/// What ConfirmDevice's DeviceSecretVerifierConfig carries: both standard base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeviceVerifierConfig {
    /// `PasswordVerifier`: base64(pad(g^x mod N)).
    pub(crate) password_verifier: String,
    /// `Salt`: base64(pad(salt)).
    pub(crate) salt: String,
}

/// A fresh device password: standard base64 of 40 random bytes. A long-lived
/// bearer secret that skips MFA: store it like a refresh token.
pub(crate) fn generate_device_password() -> Result<SecretString, SrpError> {
    let mut raw = Zeroizing::new([0u8; 40]);
    random_bytes(raw.as_mut_slice())?;
    Ok(SecretString::from(BASE64.encode(raw.as_slice())))
}

/// A fresh 16-byte device salt.
pub(crate) fn generate_device_salt() -> Result<[u8; 16], SrpError> {
    let mut salt = [0u8; 16];
    random_bytes(&mut salt)?;
    Ok(salt)
}

/// The DeviceSecretVerifierConfig for ConfirmDevice: x from (DeviceGroupKey,
/// DeviceKey, device password, salt as an unsigned big-endian integer),
/// verifier = g^x mod N.
pub(crate) fn device_verifier(
    device_group_key: &str,
    device_key: &str,
    device_password: &SecretString,
    salt: &[u8; 16],
) -> Result<DeviceVerifierConfig, SrpError> {
    let salt_pad = pad_unsigned(salt);
    let v = verifier_pad(
        &salt_pad,
        device_group_key,
        device_key,
        device_password.expose_secret().as_bytes(),
    )?;
    Ok(DeviceVerifierConfig {
        password_verifier: BASE64.encode(v.as_slice()),
        salt: BASE64.encode(salt_pad.as_slice()),
    })
}

/// pad(g^x mod N) for x = H(salt_pad ‖ H(realm ‖ identity ‖ ":" ‖ password)).
fn verifier_pad(
    salt_pad: &[u8],
    realm: &str,
    identity: &str,
    password: &[u8],
) -> Result<Zeroizing<Vec<u8>>, SrpError> {
    let x = compute_x(salt_pad, realm, identity, password);
    let group = bn::Group::new()?;
    let v = group.pow(group.generator(), &bn::Num::from_be_bytes(x.as_slice())?)?;
    Ok(pad_unsigned(&v.to_be_bytes()?))
}

#[cfg(any(test, feature = "test-util"))]
mod server;
#[cfg(any(test, feature = "test-util"))]
pub(crate) use server::{
    Salt, ServerEphemeral, Verifier, check_client_public, verifier_for_password,
};

// ============================================================================
// Shared maths
// ============================================================================

/// x = H(pad(salt) ‖ H(realm ‖ identity ‖ ":" ‖ password)); the inner hash is
/// the raw 32 bytes (never padded).
fn compute_x(salt_pad: &[u8], realm: &str, identity: &str, password: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut inner = Sha256::new();
    inner.update(realm.as_bytes());
    inner.update(identity.as_bytes());
    inner.update(b":");
    inner.update(password);
    let inner: Zeroizing<[u8; 32]> = Zeroizing::new(inner.finalize().into());
    let mut outer = Sha256::new();
    outer.update(salt_pad);
    outer.update(inner.as_slice());
    Zeroizing::new(outer.finalize().into())
}

/// u = H(pad(A) ‖ pad(B)), refused when zero.
fn scrambler(big_a_pad: &[u8], big_b_pad: &[u8]) -> Result<[u8; 32], SrpError> {
    let mut h = Sha256::new();
    h.update(big_a_pad);
    h.update(big_b_pad);
    check_scrambler(h.finalize().into())
}

fn check_scrambler(u: [u8; 32]) -> Result<[u8; 32], SrpError> {
    if u.iter().all(|&b| b == 0) {
        Err(SrpError::ScramblerZero)
    } else {
        Ok(u)
    }
}

/// HKDF-SHA256(salt = pad(u), IKM = pad(S), info = "Caldera Derived Key", L = 16).
fn derive_key(u: &[u8; 32], s: &bn::Num) -> Result<Zeroizing<[u8; 16]>, SrpError> {
    let s_pad = pad_unsigned(&s.to_be_bytes()?);
    let mut key = Zeroizing::new([0u8; 16]);
    Hkdf::<Sha256>::new(Some(pad_unsigned(u).as_slice()), s_pad.as_slice())
        .expand(HKDF_INFO, key.as_mut_slice())
        .map_err(|_| SrpError::Arithmetic)?;
    Ok(key)
}

fn mac(
    key: &[u8; 16],
    realm: &str,
    identity: &str,
    block: &[u8],
    timestamp: &str,
) -> Result<HmacSha256, SrpError> {
    // HMAC takes keys of any length; the error cannot happen.
    let mut mac = HmacSha256::new_from_slice(key).map_err(|_| SrpError::Arithmetic)?;
    mac.update(realm.as_bytes());
    mac.update(identity.as_bytes());
    mac.update(block);
    mac.update(timestamp.as_bytes());
    Ok(mac)
}

fn sign(
    key: &[u8; 16],
    realm: &str,
    identity: &str,
    block: &[u8],
    timestamp: &str,
) -> Result<String, SrpError> {
    Ok(BASE64.encode(
        mac(key, realm, identity, block, timestamp)?
            .finalize()
            .into_bytes(),
    ))
}

// ============================================================================
// Encodings: signed hex, Java's toByteArray, minimal hex
// ============================================================================

/// A signed integer as sign + minimal big-endian magnitude (empty for zero).
#[derive(Clone, PartialEq, Eq)]
struct SignedInt {
    negative: bool,
    magnitude: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for SignedInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl SignedInt {
    #[cfg(any(test, feature = "test-util"))]
    fn from_unsigned(bytes: &[u8]) -> Self {
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        Self {
            negative: false,
            magnitude: Zeroizing::new(bytes.get(start..).unwrap_or_default().to_vec()),
        }
    }

    /// Java `new BigInteger(byte[])`: big-endian two's complement.
    #[cfg(any(test, feature = "test-util"))]
    fn from_twos_complement(bytes: &[u8]) -> Self {
        match bytes.first() {
            Some(&top) if top & 0x80 != 0 => {
                let mut magnitude = Zeroizing::new(bytes.to_vec());
                negate_in_place(&mut magnitude);
                let mut value = Self::from_unsigned(&magnitude);
                value.negative = !value.magnitude.is_empty();
                value
            }
            _ => Self::from_unsigned(bytes),
        }
    }

    /// Cognito's hex: optional `-`, then hex digits (either case, any length,
    /// leading zeros ignored).
    fn parse_hex(field: &'static str, text: &str) -> Result<Self, SrpError> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if digits.is_empty() {
            return Err(SrpError::InvalidHex { field });
        }
        let digits = digits.trim_start_matches('0').as_bytes();
        if digits.len() > MAX_HEX_DIGITS {
            // Still report bad characters as such.
            return Err(if digits.iter().all(u8::is_ascii_hexdigit) {
                SrpError::TooLarge { field }
            } else {
                SrpError::InvalidHex { field }
            });
        }
        let nibble = |c: u8| -> Result<u8, SrpError> {
            match c {
                b'0'..=b'9' => Ok(c - b'0'),
                b'a'..=b'f' => Ok(c - b'a' + 10),
                b'A'..=b'F' => Ok(c - b'A' + 10),
                _ => Err(SrpError::InvalidHex { field }),
            }
        };
        let (head, pairs) = digits.split_at(digits.len() % 2);
        let mut magnitude = Zeroizing::new(Vec::with_capacity(digits.len() / 2 + 1));
        for &c in head {
            magnitude.push(nibble(c)?);
        }
        for pair in pairs.chunks_exact(2) {
            if let [hi, lo] = pair {
                magnitude.push(nibble(*hi)? << 4 | nibble(*lo)?);
            }
        }
        let negative = negative && !magnitude.is_empty();
        Ok(Self {
            negative,
            magnitude,
        })
    }

    /// Java `BigInteger.toByteArray`: minimal two's complement, at least one byte.
    fn pad(&self) -> Zeroizing<Vec<u8>> {
        if !self.negative {
            return pad_unsigned(&self.magnitude);
        }
        // Minimal length L with magnitude ≤ 2^(8L−1); then 2^(8L) − magnitude.
        let fits = match self.magnitude.split_first() {
            Some((&top, rest)) => top < 0x80 || (top == 0x80 && rest.iter().all(|&b| b == 0)),
            None => true,
        };
        let mut out = Zeroizing::new(Vec::with_capacity(self.magnitude.len() + 1));
        if !fits {
            out.push(0);
        }
        out.extend_from_slice(&self.magnitude);
        negate_in_place(&mut out);
        out
    }

    /// Java `BigInteger.toString(16)`.
    fn to_hex(&self) -> String {
        let digits = hex_minimal(&self.magnitude);
        if self.negative {
            format!("-{digits}")
        } else {
            digits
        }
    }

    fn to_num(&self) -> Result<bn::Num, SrpError> {
        let mut n = bn::Num::from_be_bytes(&self.magnitude)?;
        n.set_negative(self.negative);
        Ok(n)
    }
}

/// Two's complement negation of a big-endian byte string (invert, add one):
/// an encoding step, not modular arithmetic.
fn negate_in_place(bytes: &mut [u8]) {
    for b in bytes.iter_mut() {
        *b = !*b;
    }
    for b in bytes.iter_mut().rev() {
        let (sum, carry) = b.overflowing_add(1);
        *b = sum;
        if !carry {
            break;
        }
    }
}

/// pad() of a non-negative big-endian integer: drop leading zeros, then
/// prepend 0x00 when the top bit is set (or the value is zero).
fn pad_unsigned(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let trimmed = bytes.get(start..).unwrap_or_default();
    let mut out = Zeroizing::new(Vec::with_capacity(trimmed.len() + 1));
    if trimmed.first().is_none_or(|&top| top & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(trimmed);
    out
}

/// Lowercase hex without leading zeros ("0" for zero): Java's `toString(16)`
/// of a non-negative value, and what SRP_A / SRP_B look like on the wire.
fn hex_minimal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    let trimmed = out.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

// ============================================================================
// Big numbers: aws-lc's BN API (the crate's only unsafe code)
// ============================================================================

mod bn;

// The pycognito cross-check (ignored unless asked for: it needs Python).
#[cfg(test)]
mod crosscheck;
#[cfg(all(test, feature = "test-util"))]
mod sign_in_tests;

// ============================================================================
// Tests
// ============================================================================

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
