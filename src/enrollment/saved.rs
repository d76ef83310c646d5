//! A pending enrollment as a plain value, without the TOTP secret, to
//! verify the person's first code in a later request.

use super::{AfterVerify, Enrolled, Failure, PreferenceBy, checked_target, verify_and_prefer};
use crate::backend::{CognitoBackend, TokenAuth};
use crate::error::{Error, Field, Rejected};
use crate::secret::{AccessToken, OneTimeCode, Session};
use crate::sign_in::SavedChallenge;
use crate::validate;
use std::fmt;
use tracing::Instrument as _;

/// The format version this crate writes and reads.
const SAVED_ENROLLMENT_VERSION: u32 = 1;

/// What authorises verification, as saved.
#[derive(Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
enum Credential {
    AccessToken(String),
    Session(String),
}

/// The administrator target of the preference, as saved.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Admin {
    user_pool_id: String,
    username: String,
}

/// A pending enrollment saved between requests: the credential that
/// authorises VerifySoftwareToken (the access token, or the Session
/// AssociateSoftwareToken returned), the device name, what to do with the
/// preference, and, for an enrollment inside a sign-in (MFA_SETUP), the
/// challenge it answers. **It never holds the TOTP secret**: verification
/// needs only the code.
///
/// A web service's two requests:
///
/// ```
/// # #[cfg(feature = "test-util")]
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// # use cognito_mfa::backend::{PoolMfaConfig, PoolMfaMode};
/// # use cognito_mfa::testing::{Authenticator, ClientOptions, InMemoryPool, ManualClock};
/// # use cognito_mfa::{MfaEnrollment, Password, sign_in::SignIn};
/// # let clock = ManualClock::starting_now();
/// # let pool = InMemoryPool::with_clock(clock.clone());
/// # pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
/// # let client = pool.create_client(ClientOptions::new())?;
/// # pool.create_user("alice", "correct horse")?;
/// # let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id).build()?;
/// # let tokens = sign_in.password("alice", &Password::new("correct horse")).await?
/// #     .into_tokens().ok_or("no tokens")?;
/// // Request 1: associate, show the QR code, keep the saved form server side.
/// let pending = MfaEnrollment::new("Example App")
///     .start_with_access_token(&pool, tokens.access_token)
///     .await?;
/// # let phone = Authenticator::new(pending.secret())?;
/// let qr = pending.qr_svg()?; // shown to the person
/// let saved = pending.into_saved(); // the secret is gone from here on
/// # let _ = qr;
///
/// // Request 2: the person typed the code from their app.
/// # let code = phone.code_for_clock(&clock);
/// let enrolled = saved.verify(&pool, code.expose_secret()).await?;
/// assert!(enrolled.totp_preferred());
/// # Ok(())
/// # }
/// # #[cfg(feature = "test-util")]
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
///
/// With the `serde` feature it serializes to a small map: `v`,
/// `credential` (`{"access_token": ..}` or `{"session": ..}`),
/// `device_name`, `after_verify`, `admin` and `mfa_setup`.
///
/// **The value is a bearer credential**: it holds an access token or a
/// Session. Keep it server side (a session store) or in an encrypted,
/// authenticated cookie; never in a URL, a log, or a cookie readable by the
/// client.
#[derive(Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SavedEnrollment {
    #[cfg_attr(feature = "serde", serde(rename = "v"))]
    version: u32,
    credential: Credential,
    #[cfg_attr(feature = "serde", serde(default))]
    device_name: Option<String>,
    #[cfg_attr(feature = "serde", serde(default))]
    after_verify: AfterVerify,
    #[cfg_attr(feature = "serde", serde(default))]
    admin: Option<Admin>,
    #[cfg_attr(feature = "serde", serde(default))]
    mfa_setup: Option<SavedChallenge>,
}

impl fmt::Debug for SavedEnrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credential = match self.credential {
            Credential::AccessToken(_) => "AccessToken(** redacted **)",
            Credential::Session(_) => "Session(** redacted **)",
        };
        f.debug_struct("SavedEnrollment")
            .field("version", &self.version)
            .field("credential", &credential)
            .field("device_name", &self.device_name)
            .field("after_verify", &self.after_verify)
            .field("admin", &self.admin)
            .field("mfa_setup", &self.mfa_setup)
            .finish()
    }
}

impl SavedEnrollment {
    pub(crate) fn new(
        auth: TokenAuth,
        device_name: Option<String>,
        after_verify: AfterVerify,
        preference_by: &PreferenceBy,
        mfa_setup: Option<SavedChallenge>,
    ) -> Self {
        let credential = match auth {
            TokenAuth::AccessToken(t) => Credential::AccessToken(t.expose_secret().to_owned()),
            TokenAuth::Session(s) => Credential::Session(s.expose_secret().to_owned()),
        };
        let admin = match preference_by {
            PreferenceBy::Admin {
                user_pool_id,
                username,
            } => Some(Admin {
                user_pool_id: user_pool_id.clone(),
                username: username.clone(),
            }),
            PreferenceBy::AccessToken(_) | PreferenceBy::Nobody => None,
        };
        Self {
            version: SAVED_ENROLLMENT_VERSION,
            credential,
            device_name,
            after_verify,
            admin,
            mfa_setup,
        }
    }

    /// Checks the value (it may come from outside) and rebuilds what
    /// verification needs.
    fn parts(&self) -> Result<(TokenAuth, PreferenceBy), Error> {
        if self.version != SAVED_ENROLLMENT_VERSION {
            return Err(Error::invalid(
                Field::PendingChallenge,
                format!(
                    "saved enrollment format {} is not supported (this build reads {SAVED_ENROLLMENT_VERSION})",
                    self.version
                ),
            ));
        }
        let auth = match &self.credential {
            Credential::AccessToken(t) => TokenAuth::AccessToken(AccessToken::new(t.as_str())),
            Credential::Session(s) => TokenAuth::Session(Session::new(s.as_str())),
        };
        let preference_by = checked_target(
            self.device_name.as_deref(),
            self.admin
                .as_ref()
                .map(|a| (a.user_pool_id.as_str(), a.username.as_str())),
            &auth,
        )?;
        Ok((auth, preference_by))
    }

    /// Whether this enrollment answers an MFA_SETUP challenge: finish it with
    /// [`SignIn::finish_mfa_setup`](crate::sign_in::SignIn::finish_mfa_setup).
    pub fn is_mfa_setup(&self) -> bool {
        self.mfa_setup.is_some()
    }

    pub(crate) fn mfa_setup(&self) -> Option<&SavedChallenge> {
        self.mfa_setup.as_ref()
    }

    pub(crate) fn with_mfa_setup(mut self, challenge: SavedChallenge) -> Self {
        self.mfa_setup = Some(challenge);
        self
    }

    /// The Session verification is authorised by, on the Session path.
    pub(crate) fn credential_session(&self) -> Option<Session> {
        match &self.credential {
            Credential::Session(s) => Some(Session::new(s.as_str())),
            Credential::AccessToken(_) => None,
        }
    }

    /// Verifies the person's first code (VerifySoftwareToken), then sets the
    /// preference as the enrollment said, like
    /// [`PendingEnrollment::verify`](super::PendingEnrollment::verify). A
    /// wrong or malformed code hands the saved enrollment back in
    /// [`Rejected::retry`]. An enrollment inside a sign-in is refused here:
    /// it must answer its challenge too
    /// ([`SignIn::finish_mfa_setup`](crate::sign_in::SignIn::finish_mfa_setup)).
    pub async fn verify(
        self,
        backend: &dyn CognitoBackend,
        code: &str,
    ) -> Result<Enrolled, Rejected<SavedEnrollment>> {
        if self.mfa_setup.is_some() {
            let e = Error::invalid(
                Field::PendingChallenge,
                "belongs to a sign-in's MFA_SETUP: finish it with SignIn::finish_mfa_setup",
            );
            return Err(Rejected::keep(e, self));
        }
        match self.verify_token(backend, code).await {
            Ok(enrolled) => Ok(enrolled),
            Err((e, true)) => Err(Rejected::new(e, self)),
            Err((e, false)) => Err(Rejected::fatal(e)),
        }
    }

    /// VerifySoftwareToken and the preference; the error says whether the
    /// token is still unverified (so another code may be tried).
    pub(crate) async fn verify_token(
        &self,
        backend: &dyn CognitoBackend,
        code: &str,
    ) -> Result<Enrolled, (Error, bool)> {
        let (auth, preference_by) = self.parts().map_err(|e| (e, false))?;
        let code = validate::user_code(code).map_err(|e| (e, true))?;
        verify_and_prefer(
            backend,
            &auth,
            OneTimeCode::new(code),
            self.device_name.clone(),
            self.after_verify,
            &preference_by,
        )
        .instrument(tracing::info_span!("cognito_mfa.enroll.verify_saved"))
        .await
        .map_err(|f| match f {
            Failure::Verify(e) => (e, true),
            Failure::AfterVerify(e) => (e, false),
        })
    }
}
