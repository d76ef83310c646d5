//! Secret newtypes: every credential the crate touches.
//!
//! Each type wraps a [`secrecy::SecretString`]: its `Debug` prints
//! `** redacted **`, it has no `Display`, and the value is zeroized on drop.
//! Reading it takes an explicit [`expose_secret`](AccessToken::expose_secret)
//! call, so a secret never reaches a log line by accident.
//!
//! Building one leaves no plain copy in freed memory either: the `String`
//! handed in is copied into an exact-size buffer and then zeroized, spare
//! capacity included ([`secret_string`]).

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use zeroize::Zeroizing;

/// A [`SecretString`] from an owned `String`, leaving no plain copy behind.
///
/// `SecretString::from(String)` calls `into_boxed_str`, which shrinks a
/// string with spare capacity by reallocating it, and the old buffer is
/// freed as it is. Copying into an exact-size box and zeroizing the whole
/// original (zeroize's `String` impl clears the spare capacity too) is not.
pub(crate) fn secret_string(value: String) -> SecretString {
    if value.len() == value.capacity() {
        // `into_boxed_str` keeps an exactly sized buffer where it is: no
        // copy is left behind to wipe.
        return SecretString::from(value);
    }
    let value = Zeroizing::new(value);
    SecretString::from(value.as_str())
}

/// A text buffer for building a string that holds a secret (the otpauth
/// URI, the setup key, a normalised secret or code): zeroized on drop, and
/// never grown in place, since a `String` that reallocates frees its old
/// buffer unwiped. When it runs out of room it moves to a larger buffer and
/// zeroizes the old one. Size it right with [`with_capacity`](Self::with_capacity)
/// and it never moves.
pub(crate) struct SecretBuf(Zeroizing<String>);

impl SecretBuf {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self(Zeroizing::new(String::with_capacity(capacity)))
    }

    pub(crate) fn push_str(&mut self, text: &str) {
        let needed = self.0.len().saturating_add(text.len());
        if needed > self.0.capacity() {
            let mut larger = Self::with_capacity(needed.max(self.0.capacity().saturating_mul(2)));
            larger.0.push_str(&self.0);
            // The old buffer is zeroized as it drops here.
            *self = larger;
        }
        self.0.push_str(text);
    }

    pub(crate) fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The text as a plain `String` of exactly its length, for a value the
    /// caller is handed by design; any spare room is wiped here.
    pub(crate) fn into_string(mut self) -> String {
        if self.0.len() == self.0.capacity() {
            std::mem::take(&mut *self.0)
        } else {
            self.0.as_str().to_owned()
        }
    }

    /// The text, still zeroized on drop.
    pub(crate) fn into_zeroizing(self) -> Zeroizing<String> {
        self.0
    }
}

macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a value. No check is made here; the flows check what
            /// they send before any call.
            ///
            /// A `String` handed in is copied and then zeroized, spare
            /// capacity included, so no plain copy is left behind.
            pub fn new(value: impl Into<String>) -> Self {
                Self(secret_string(value.into()))
            }

            /// The secret value. Call this only where the value leaves the
            /// process on purpose (the request to Cognito, a screen).
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(** redacted **)"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                // Straight into an exact-size box: no String in between.
                Self(SecretString::from(value))
            }
        }
    };
}

secret_string!(
    /// An OAuth 2.0 access token issued by the user pool. It authorises the
    /// self-service calls (AssociateSoftwareToken, SetUserMFAPreference, GetUser).
    AccessToken
);
secret_string!(
    /// An OpenID Connect ID token issued by the user pool.
    IdToken
);
secret_string!(
    /// A refresh token, used with `REFRESH_TOKEN_AUTH` for new access and ID tokens.
    RefreshToken
);
secret_string!(
    /// The opaque `Session` of a pending challenge or MFA_SETUP enrollment.
    ///
    /// A Session is a bearer credential for one step: whoever holds it can
    /// answer the challenge. It lives 3 to 15 minutes and is spent by use.
    Session
);
secret_string!(
    /// A user's password.
    Password
);
secret_string!(
    /// An app client's secret, from which `SECRET_HASH` is computed.
    ClientSecret
);
secret_string!(
    /// The base32 TOTP secret (`SecretCode`) returned by AssociateSoftwareToken,
    /// exactly as the service sent it.
    TotpSecret
);
secret_string!(
    /// A one-time code typed by a person (TOTP, SMS or email code).
    ///
    /// The flows check a TOTP code's shape with
    /// [`validate::user_code`](crate::validate::user_code) before sending it.
    OneTimeCode
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let token = AccessToken::new("eyJraWQiOi-canary");
        let shown = format!("{token:?}");
        assert_eq!(shown, "AccessToken(** redacted **)");
        assert_eq!(token.expose_secret(), "eyJraWQiOi-canary");
        assert!(!format!("{:?}", Session::from("s3ss10n-canary")).contains("canary"));
    }

    #[test]
    fn a_roomy_string_is_taken_whole() {
        let mut typed = String::with_capacity(64);
        typed.push_str("hunter2");
        assert_eq!(Password::new(typed).expose_secret(), "hunter2");
        assert_eq!(Password::from("").expose_secret(), "");
    }

    #[test]
    fn secret_buf_moves_when_full_and_hands_out_exact_strings() {
        let mut buf = SecretBuf::with_capacity(2);
        buf.push_str("ab");
        buf.push('\u{e9}');
        buf.push_str("cdefgh");
        assert_eq!(buf.as_str(), "ab\u{e9}cdefgh");
        let out = buf.into_string();
        assert_eq!(out, "ab\u{e9}cdefgh");
        assert_eq!(out.capacity(), out.len());
        let mut exact = SecretBuf::with_capacity(3);
        exact.push_str("xyz");
        assert_eq!(exact.into_string().capacity(), 3);
        assert_eq!(SecretBuf::with_capacity(8).into_zeroizing().as_str(), "");
    }
}
