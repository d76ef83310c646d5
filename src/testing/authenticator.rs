//! What a test or a demo uses in place of a phone's authenticator app.

use crate::clock::Clock;
use crate::error::Error;
use crate::secret::{OneTimeCode, TotpSecret};
use crate::totp;
use std::fmt;
use std::time::SystemTime;
use totp_rs::Totp;

/// An authenticator app: from the secret AssociateSoftwareToken returned, the
/// 6-digit code of any moment (RFC 6238, HMAC-SHA1, 30-second steps).
///
/// ```
/// use cognito_mfa::TotpSecret;
/// use cognito_mfa::testing::Authenticator;
/// use std::time::{Duration, UNIX_EPOCH};
///
/// // RFC 6238's test key, base32.
/// let secret = TotpSecret::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
/// let app = Authenticator::new(&secret)?;
/// let code = app.code_at(UNIX_EPOCH + Duration::from_secs(59));
/// assert_eq!(code.expose_secret(), "287082");
/// # Ok::<(), cognito_mfa::Error>(())
/// ```
#[derive(Clone)]
pub struct Authenticator {
    totp: Totp,
}

impl Authenticator {
    /// An authenticator for `secret`, in whatever case and padding the service
    /// sent it.
    ///
    /// Fails with [`Error::InvalidInput`] when the secret is empty or not
    /// base32.
    pub fn new(secret: &TotpSecret) -> Result<Self, Error> {
        let bytes = totp::secret_bytes(secret.expose_secret())?;
        Ok(Self {
            totp: totp::generator(&bytes),
        })
    }

    /// The code shown at `at`.
    pub fn code_at(&self, at: SystemTime) -> OneTimeCode {
        OneTimeCode::new(self.totp.generate(totp::unix_secs(at)).to_string())
    }

    /// Whether `code` is this authenticator's code at `at`, one step early
    /// or late: the check the in-memory pool makes, without its memory of
    /// codes already used.
    pub fn matches(&self, code: &str, at: SystemTime) -> bool {
        totp::matching_steps(&self.totp, code, at).next().is_some()
    }

    /// The code shown now, by the system clock.
    pub fn current_code(&self) -> OneTimeCode {
        self.code_at(crate::clock::SystemClock.now())
    }

    /// The code shown at `clock`'s current time (pass the pool's
    /// [`ManualClock`](super::ManualClock)).
    pub fn code_for_clock(&self, clock: &dyn Clock) -> OneTimeCode {
        self.code_at(clock.now())
    }
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The generator holds the secret.
        f.write_str("Authenticator(** redacted **)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ManualClock;
    use std::time::{Duration, UNIX_EPOCH};

    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc6238_vectors() {
        let app = Authenticator::new(&TotpSecret::new(RFC_KEY)).unwrap();
        let at = |s| UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(app.code_at(at(59)).expose_secret(), "287082");
        assert_eq!(app.code_at(at(1_111_111_109)).expose_secret(), "081804");
        let clock = ManualClock::new(at(59));
        assert_eq!(app.code_for_clock(&clock).expose_secret(), "287082");
        assert_eq!(app.current_code().expose_secret().len(), 6);
    }

    #[test]
    fn lower_case_secret_and_redacted_debug() {
        let lower = Authenticator::new(&TotpSecret::new(RFC_KEY.to_lowercase())).unwrap();
        let at = UNIX_EPOCH + Duration::from_secs(59);
        assert_eq!(lower.code_at(at).expose_secret(), "287082");
        assert!(!format!("{lower:?}").contains("GEZ"));
        assert!(Authenticator::new(&TotpSecret::new("not base32!")).is_err());
    }
}
