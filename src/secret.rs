//! Secret newtypes: every credential the crate touches.
//!
//! Each type wraps a [`secrecy::SecretString`]: its `Debug` prints
//! `** redacted **`, it has no `Display`, and the value is zeroized on drop.
//! Reading it takes an explicit [`expose_secret`](AccessToken::expose_secret)
//! call, so a secret never reaches a log line by accident.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a value. No check is made here; the flows check what
            /// they send before any call.
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretString::from(value.into()))
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
                Self::new(value)
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
}
