//! TOTP as Cognito does it: RFC 6238, HMAC-SHA1, 6 digits, 30-second steps.
//!
//! The arithmetic is totp-rs's; this module only normalises the secret the
//! service sends (any case, padded or not, spaced for reading) into bytes.
//! Every copy of the secret made here (the normalised text, the key bytes,
//! the generator's key) is zeroized when dropped and never reallocated.

use crate::error::{Error, Field};
use crate::secret::{SecretBuf, TotpSecret};
use std::time::{SystemTime, UNIX_EPOCH};
use totp_rs::{Algorithm, Builder, Totp};
use zeroize::Zeroizing;

/// Digits in a Cognito TOTP code.
pub const DIGITS: usize = 6;
/// Seconds in a TOTP step.
pub const STEP_SECS: u64 = 30;

/// The secret upper-cased, without the spaces, padding and dashes people
/// and services add. Never longer than the input, so the buffer sized to it
/// never grows.
fn normalise(secret: &str) -> Zeroizing<String> {
    let mut out = SecretBuf::with_capacity(secret.len());
    for c in secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=' && *c != '-')
    {
        out.push(c.to_ascii_uppercase());
    }
    out.into_zeroizing()
}

/// RFC 4648 base32 (upper case, no padding), by the `base32` crate that
/// totp-rs itself uses. Its decoder sizes its buffer from the input and
/// only truncates, so the bytes never move before `Zeroizing` holds them;
/// for the lengths that can't be base32 (1, 3 or 6 symbols past a whole
/// group) it would grow the buffer, leaving a copy behind, so those are
/// refused first.
fn decode_base32(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    if matches!(text.len() % 8, 1 | 3 | 6) {
        return None;
    }
    base32::decode(base32::Alphabet::Rfc4648 { padding: false }, text).map(Zeroizing::new)
}

/// The secret's bytes. Cognito sends upper-case unpadded base32; moto sends
/// a short lower-case one. Both are taken as they are (case, padding and
/// spaces are normalised); a secret shorter than
/// [`validate::MIN_TOTP_SECRET_BYTES`](crate::validate::MIN_TOTP_SECRET_BYTES)
/// is refused.
#[cfg_attr(not(feature = "test-util"), allow(dead_code))]
pub(crate) fn secret_bytes(secret: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    decode(&normalise(secret))
}

fn decode(normalised: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    crate::validate::totp_secret(normalised)?;
    decode_base32(normalised)
        .ok_or_else(|| Error::invalid(Field::TotpSecret, "must be base32 (A-Z, 2-7)"))
}

/// The canonical base32 form: upper case, no padding.
pub(crate) fn canonical_base32(secret: &TotpSecret) -> Result<Zeroizing<String>, Error> {
    let normalised = normalise(secret.expose_secret());
    // Decode once so an unusable secret is refused here, not in the app.
    decode(&normalised)?;
    Ok(normalised)
}

/// A totp-rs generator for Cognito's parameters. Its own window is the one
/// step asked for (skew 0): [`matching_steps`] walks the three Cognito
/// accepts. `build_noncompliant` because the secret's length is the
/// service's choice (moto's is 7 bytes, under RFC 4226's 16); the fixed
/// digits and step are valid, so nothing here can panic. The generator
/// copies the key into an exact-size box and, with totp-rs's `zeroize`
/// feature, wipes it on drop.
#[cfg_attr(not(feature = "test-util"), allow(dead_code))]
pub(crate) fn generator(secret: &[u8]) -> Totp {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS as u8)
        .with_skew(0)
        .with_step_duration(STEP_SECS)
        .with_secret(secret)
        .build_noncompliant()
}

/// The steps whose code is `code`, among the one `now` falls in and the one
/// before and after (what Cognito accepts), the current step first: a
/// right code typed in time costs one HMAC. Codes are compared in constant
/// time by totp-rs.
#[cfg_attr(not(feature = "test-util"), allow(dead_code))]
pub(crate) fn matching_steps<'a>(
    generator: &'a Totp,
    code: &'a str,
    now: SystemTime,
) -> impl Iterator<Item = u64> + 'a {
    let current = step_of(now);
    [
        Some(current),
        current.checked_sub(1),
        current.checked_add(1),
    ]
    .into_iter()
    .flatten()
    .filter(move |step| generator.check(code, step.saturating_mul(STEP_SECS)) == Some(*step))
}

/// When the authenticator shows its next code: the first instant of the
/// 30-second step after `now`. What to tell a person whose code was
/// already used ([`Error::CodeAlreadyUsed`]).
pub fn next_code_at(now: SystemTime) -> SystemTime {
    UNIX_EPOCH + std::time::Duration::from_secs((step_of(now) + 1) * STEP_SECS)
}

pub(crate) fn unix_secs(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The step number a time falls in.
#[cfg_attr(not(feature = "test-util"), allow(dead_code))]
pub(crate) fn step_of(at: SystemTime) -> u64 {
    unix_secs(at) / STEP_SECS
}

#[cfg(test)]
mod tests {
    use super::*;
    use totp_rs::Secret;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B, SHA1, T = 59 -> 94287082 (8 digits); 6 digits -> 287082.
        let totp = generator(b"12345678901234567890");
        assert_eq!(totp.generate(59).to_string(), "287082");
        assert_eq!(totp.generate(1_111_111_109).to_string(), "081804");
    }

    #[test]
    fn one_step_early_or_late_current_first() {
        let totp = generator(b"12345678901234567890");
        let at = UNIX_EPOCH + std::time::Duration::from_secs(1_111_111_109);
        let step = step_of(at);
        let code = |s: u64| totp.generate(s * STEP_SECS).to_string();
        let steps = |c: &str| matching_steps(&totp, c, at).collect::<Vec<_>>();
        assert_eq!(steps(&code(step)), [step]);
        assert_eq!(steps(&code(step - 1)), [step - 1]);
        assert_eq!(steps(&code(step + 1)), [step + 1]);
        assert!(steps(&code(step - 2)).is_empty());
        assert!(steps(&code(step + 2)).is_empty());
        assert!(steps("12345").is_empty());
        assert!(steps("abcdef").is_empty());
    }

    #[test]
    fn secrets_in_any_case_and_length() {
        let upper = secret_bytes("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        assert_eq!(upper.as_slice(), b"12345678901234567890");
        let lower = secret_bytes("gezdgnbvgy3tqojqgezdgnbvgy3tqojq").unwrap();
        assert_eq!(lower, upper);
        let spaced = secret_bytes("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ").unwrap();
        assert_eq!(spaced, upper);
        // moto's secret: 12 characters, 7 bytes.
        assert_eq!(secret_bytes("asdfasdfasdf").unwrap().len(), 7);
        assert!(secret_bytes("").is_err());
        assert!(secret_bytes("not base32!").is_err());
        assert!(secret_bytes("0189").is_err());
    }

    #[test]
    fn decodes_as_totp_rs_does_and_never_moves_the_bytes() {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        for len in 0..=64usize {
            let text: String = (0..len)
                .map(|i| char::from(ALPHABET[(i * 7 + len) % 32]))
                .collect();
            match decode_base32(&text) {
                Some(ours) => {
                    let theirs = Secret::try_from_base32(&text).unwrap();
                    assert_eq!(ours.as_slice(), theirs.as_bytes(), "{text}");
                    // Never grown: the decoder's first buffer holds it.
                    assert!(ours.capacity() - ours.len() < 5, "{text}");
                }
                // The lengths no base32 text has.
                None => assert!(matches!(len % 8, 1 | 3 | 6), "{text}"),
            }
        }
        for bad in ["A1", "a", "AB=", "É", "A B"] {
            assert!(decode_base32(bad).is_none(), "{bad}");
            assert!(Secret::try_from_base32(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn canonical_form_and_its_exact_buffer() {
        let canonical = canonical_base32(&TotpSecret::new("jbsw y3dp-ehpk 3pxp====")).unwrap();
        assert_eq!(canonical.as_str(), "JBSWY3DPEHPK3PXP");
        assert!(canonical_base32(&TotpSecret::new("-- ==")).is_err());
    }
}
