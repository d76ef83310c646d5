//! TOTP enrollment: AssociateSoftwareToken → show the secret →
//! VerifySoftwareToken → set the MFA preference.
//!
//! [`MfaEnrollment`] is a consuming builder of the options; starting it calls
//! AssociateSoftwareToken once and returns a [`PendingEnrollment`], the state
//! the caller holds while the person scans the QR code. Only a pending
//! enrollment can be verified, so the order Cognito needs (associate before
//! verify) is the only one that compiles.
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_mfa::MfaEnrollment;
//! # use cognito_mfa::{Password, sign_in::SignIn, testing::{Authenticator, ClientOptions, InMemoryPool}};
//! # use cognito_mfa::backend::{PoolMfaConfig, PoolMfaMode};
//! # let pool = InMemoryPool::new();
//! # pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
//! # let client = pool.create_client(ClientOptions::new())?;
//! # pool.create_user("alice", "correct horse")?;
//! # let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id).build()?;
//! # let tokens = sign_in.password("alice", &Password::new("correct horse")).await?
//! #     .into_tokens().ok_or("no tokens")?;
//! // `pool` is any CognitoBackend: SdkBackend in production.
//! let pending = MfaEnrollment::new("Example App")
//!     .account_name("alice@example.com")
//!     .device_name("Alice's phone")
//!     .start_with_access_token(&pool, tokens.access_token)
//!     .await?;
//! println!("scan {}", pending.uri());
//! # let code = Authenticator::new(pending.secret())?.current_code();
//! # let code_typed_by_the_person = code.expose_secret();
//! let enrolled = pending.verify(&pool, code_typed_by_the_person).await?;
//! assert!(enrolled.totp_preferred());
//! # Ok(())
//! # }
//! # #[cfg(feature = "test-util")]
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```

mod saved;

pub use saved::SavedEnrollment;

use crate::backend::{
    CognitoBackend, FactorPreference, MfaPreferenceUpdate, TokenAuth, UserStatus, UserTarget,
    VerifyStatus,
};
use crate::error::{Error, Operation, Rejected};
use crate::secret::{AccessToken, OneTimeCode, Session, TotpSecret};
use crate::{otpauth, validate};
use std::fmt;
use tracing::Instrument as _;
use zeroize::Zeroizing;

/// What to do with the user's MFA preference once the code is verified.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum AfterVerify {
    /// Enable TOTP and make it the preferred factor (the default).
    #[default]
    EnableAndPrefer,
    /// Enable TOTP without making it preferred.
    EnableOnly,
    /// Leave the preference as it is.
    LeavePreference,
}

impl AfterVerify {
    fn preference(self) -> Option<FactorPreference> {
        match self {
            Self::EnableAndPrefer => Some(FactorPreference {
                enabled: true,
                preferred: true,
            }),
            Self::EnableOnly => Some(FactorPreference {
                enabled: true,
                preferred: false,
            }),
            Self::LeavePreference => None,
        }
    }
}

/// How the preference is set: by the user's own access token, or by an
/// administrator.
#[derive(Debug, Clone)]
pub(crate) enum PreferenceBy {
    AccessToken(AccessToken),
    Admin {
        user_pool_id: String,
        username: String,
    },
    /// The MFA_SETUP path without an administrator: no call can set it.
    Nobody,
}

/// The options of a TOTP enrollment; see the [module docs](self).
#[derive(Debug, Clone)]
#[must_use = "an enrollment does nothing until started"]
pub struct MfaEnrollment {
    issuer: String,
    account_name: Option<String>,
    device_name: Option<String>,
    after_verify: AfterVerify,
    admin: Option<(String, String)>,
}

impl MfaEnrollment {
    /// An enrollment whose authenticator entry is labelled with `issuer`
    /// (your app's name). It must not contain a colon.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            account_name: None,
            device_name: None,
            after_verify: AfterVerify::default(),
            admin: None,
        }
    }

    /// The account name shown in the authenticator app (the user's email,
    /// say). By default, the user name. It must not contain a colon.
    pub fn account_name(mut self, name: impl Into<String>) -> Self {
        self.account_name = Some(name.into());
        self
    }

    /// The friendly device name sent with VerifySoftwareToken; Cognito shows
    /// it back in the SOFTWARE_TOKEN_MFA challenge.
    pub fn device_name(mut self, name: impl Into<String>) -> Self {
        self.device_name = Some(name.into());
        self
    }

    /// What happens to the MFA preference after verification.
    pub fn after_verify(mut self, after: AfterVerify) -> Self {
        self.after_verify = after;
        self
    }

    /// Set the preference as an administrator (AdminSetUserMFAPreference,
    /// IAM credentials) instead of with the user's access token. The user is
    /// looked up first (AdminGetUser), so a federated user is refused with
    /// [`Error::FederatedUser`] before any secret is made.
    pub fn admin_preference(
        mut self,
        user_pool_id: impl Into<String>,
        username: impl Into<String>,
    ) -> Self {
        self.admin = Some((user_pool_id.into(), username.into()));
        self
    }

    /// Checks every option locally.
    fn check(&self) -> Result<(), Error> {
        otpauth::check_label(&self.issuer, self.account_name.as_deref())?;
        if let Some(name) = &self.device_name {
            validate::device_name(name)?;
        }
        if let Some((pool, user)) = &self.admin {
            validate::user_pool_id(pool)?;
            validate::username(user)?;
        }
        Ok(())
    }

    /// Starts a self-service enrollment for the user the access token
    /// belongs to: AssociateSoftwareToken(AccessToken). Without an
    /// [`account_name`](Self::account_name) or admin target, GetUser is
    /// called first for the user name.
    pub async fn start_with_access_token(
        self,
        backend: &dyn CognitoBackend,
        access_token: AccessToken,
    ) -> Result<PendingEnrollment, Error> {
        self.check()?;
        validate::token(access_token.expose_secret())?;
        let span = tracing::info_span!("cognito_mfa.enroll.start", by = "access_token");
        async move {
            let admin_name = self.admin_user(backend).await?;
            let account = match (self.account_name.clone(), admin_name) {
                (Some(name), _) | (None, Some(name)) => name,
                (None, None) => {
                    backend
                        .get_user_mfa_settings(UserTarget::AccessToken(access_token.clone()))
                        .await?
                        .username
                }
            };
            let preference_by = match self.admin.clone() {
                Some((user_pool_id, username)) => PreferenceBy::Admin {
                    user_pool_id,
                    username,
                },
                None => PreferenceBy::AccessToken(access_token.clone()),
            };
            self.associate(
                backend,
                TokenAuth::AccessToken(access_token),
                account,
                preference_by,
            )
            .await
        }
        .instrument(span)
        .await
    }

    /// Starts an enrollment inside a sign-in, from the Session of an
    /// MFA_SETUP challenge: AssociateSoftwareToken(Session). `username` is
    /// the canonical user name of the sign-in (the default account name).
    ///
    /// [`MfaSetupChallenge::start_totp`](crate::sign_in::MfaSetupChallenge::start_totp)
    /// does this for you and answers the challenge after verification.
    pub async fn start_with_session(
        self,
        backend: &dyn CognitoBackend,
        session: Session,
        username: &str,
    ) -> Result<PendingEnrollment, Error> {
        self.check()?;
        validate::session(session.expose_secret())?;
        validate::username(username)?;
        let span = tracing::info_span!("cognito_mfa.enroll.start", by = "session");
        async move {
            let admin_name = self.admin_user(backend).await?;
            let account = self
                .account_name
                .clone()
                .or(admin_name)
                .unwrap_or_else(|| username.to_owned());
            let preference_by = match self.admin.clone() {
                Some((user_pool_id, username)) => PreferenceBy::Admin {
                    user_pool_id,
                    username,
                },
                None => PreferenceBy::Nobody,
            };
            self.associate(backend, TokenAuth::Session(session), account, preference_by)
                .await
        }
        .instrument(span)
        .await
    }

    /// Verifies a token associated earlier, in another request or process,
    /// when the pending enrollment is no longer at hand (verification needs
    /// no secret): VerifySoftwareToken with the access token, or with the
    /// Session AssociateSoftwareToken returned, then the preference as
    /// configured (with the access token, or the admin target; none on the
    /// Session path without one).
    ///
    /// This is the stateless path a command-line tool takes; a service that
    /// keeps the [`PendingEnrollment`] should use
    /// [`PendingEnrollment::verify`], which hands the state back on a wrong
    /// code.
    pub async fn verify_associated(
        self,
        backend: &dyn CognitoBackend,
        auth: TokenAuth,
        code: &str,
    ) -> Result<Enrolled, Error> {
        let preference_by = checked_target(
            self.device_name.as_deref(),
            self.admin.as_ref().map(|(p, u)| (p.as_str(), u.as_str())),
            &auth,
        )?;
        let code = OneTimeCode::new(validate::user_code(code)?);
        let span = tracing::info_span!("cognito_mfa.enroll.verify_associated");
        verify_and_prefer(
            backend,
            &auth,
            code,
            self.device_name,
            self.after_verify,
            &preference_by,
        )
        .instrument(span)
        .await
        .map_err(|f| match f {
            Failure::Verify(e) | Failure::AfterVerify(e) => e,
        })
    }

    /// For an admin target: AdminGetUser, refusing federated users.
    async fn admin_user(&self, backend: &dyn CognitoBackend) -> Result<Option<String>, Error> {
        let Some((user_pool_id, username)) = &self.admin else {
            return Ok(None);
        };
        let user = backend
            .get_user_mfa_settings(UserTarget::Admin {
                user_pool_id: user_pool_id.clone(),
                username: username.clone(),
            })
            .await?;
        if user.status == Some(UserStatus::ExternalProvider) {
            return Err(Error::FederatedUser);
        }
        Ok(Some(user.username))
    }

    async fn associate(
        self,
        backend: &dyn CognitoBackend,
        auth: TokenAuth,
        account_name: String,
        preference_by: PreferenceBy,
    ) -> Result<PendingEnrollment, Error> {
        // The default account name comes from the service: check it too.
        otpauth::check_label(&self.issuer, Some(&account_name))?;
        let associated = backend.associate_software_token(auth.clone()).await?;
        let auth = match (auth, associated.session) {
            (TokenAuth::Session(_), Some(next)) => TokenAuth::Session(next),
            (TokenAuth::Session(_), None) => {
                return Err(Error::unexpected(
                    Operation::AssociateSoftwareToken,
                    "no Session in the answer to a Session call",
                ));
            }
            (auth @ TokenAuth::AccessToken(_), _) => auth,
        };
        let secret = associated.secret_code;
        let uri = otpauth::key_uri_buf(&secret, &self.issuer, &account_name)?.into_zeroizing();
        let setup_key = otpauth::setup_key_buf(&secret)?.into_zeroizing();
        tracing::info!(outcome = "associated", "software token associated");
        Ok(PendingEnrollment {
            auth,
            secret,
            uri,
            setup_key,
            issuer: self.issuer,
            account_name,
            device_name: self.device_name,
            after_verify: self.after_verify,
            preference_by,
        })
    }
}

/// An associated, not yet verified, software token: the state between
/// showing the secret and checking the person's first code.
///
/// It holds the secret and the credential (access token or Session) that
/// authorises verification. `Debug` shows neither, and every copy of the
/// secret it holds (the URI and setup key too) is zeroized on drop.
#[derive(Clone)]
#[must_use = "a pending enrollment must be verified"]
pub struct PendingEnrollment {
    auth: TokenAuth,
    secret: TotpSecret,
    uri: Zeroizing<String>,
    setup_key: Zeroizing<String>,
    issuer: String,
    account_name: String,
    device_name: Option<String>,
    after_verify: AfterVerify,
    preference_by: PreferenceBy,
}

impl fmt::Debug for PendingEnrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingEnrollment")
            .field("issuer", &self.issuer)
            .field("account_name", &self.account_name)
            .field("device_name", &self.device_name)
            .field("after_verify", &self.after_verify)
            .finish_non_exhaustive()
    }
}

impl PendingEnrollment {
    /// Saves the enrollment to verify in a later request (the person scans
    /// the QR code, then types the code in another request, perhaps on
    /// another instance): everything verification needs, **without the TOTP
    /// secret**, which was shown and is dropped here (zeroized). See
    /// [`SavedEnrollment`].
    pub fn into_saved(self) -> SavedEnrollment {
        SavedEnrollment::new(
            self.auth.clone(),
            self.device_name.clone(),
            self.after_verify,
            &self.preference_by,
            None,
        )
    }

    /// The TOTP secret, for an authenticator app. Treat it like a password.
    pub fn secret(&self) -> &TotpSecret {
        &self.secret
    }

    /// The `otpauth://` Key URI an authenticator app reads from a QR code.
    /// It holds the secret: show it to the person only.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The secret in groups of four, for typing by hand.
    pub fn setup_key(&self) -> &str {
        &self.setup_key
    }

    /// The issuer shown in the authenticator app.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The account name shown in the authenticator app.
    pub fn account_name(&self) -> &str {
        &self.account_name
    }

    /// On the MFA_SETUP path: the Session AssociateSoftwareToken returned,
    /// which verification must carry. `None` for an access-token
    /// enrollment. A bearer credential, for the one place that must print
    /// or send it (a command-line tool's output).
    pub fn session(&self) -> Option<&Session> {
        match &self.auth {
            TokenAuth::Session(session) => Some(session),
            TokenAuth::AccessToken(_) => None,
        }
    }

    /// The QR code of [`uri`](Self::uri) as SVG text.
    #[cfg(feature = "qr")]
    #[cfg_attr(docsrs, doc(cfg(feature = "qr")))]
    pub fn qr_svg(&self) -> Result<String, Error> {
        crate::qr::svg(&self.uri)
    }

    /// The QR code of [`uri`](Self::uri) as PNG bytes.
    #[cfg(feature = "qr")]
    #[cfg_attr(docsrs, doc(cfg(feature = "qr")))]
    pub fn qr_png(&self) -> Result<Vec<u8>, Error> {
        crate::qr::png(&self.uri)
    }

    /// The QR code of [`uri`](Self::uri) as Unicode blocks for a terminal.
    #[cfg(feature = "qr")]
    #[cfg_attr(docsrs, doc(cfg(feature = "qr")))]
    pub fn qr_terminal(&self) -> Result<String, Error> {
        crate::qr::terminal(&self.uri)
    }

    /// Verifies the person's first code: VerifySoftwareToken, then the chosen
    /// MFA preference (SetUserMFAPreference with the access token, or
    /// AdminSetUserMFAPreference for an admin enrollment).
    ///
    /// The code must be six digits (spaces are ignored); anything else is
    /// refused before any call. A wrong or malformed code hands this pending
    /// enrollment back in [`Rejected::retry`], so the person can try again
    /// with the same secret.
    ///
    /// If verification succeeds but setting the preference fails, the token
    /// stays verified; the error is returned without a retry state, and the
    /// preference can be set later with [`crate::admin`] or
    /// SetUserMFAPreference.
    pub async fn verify(
        self,
        backend: &dyn CognitoBackend,
        code: &str,
    ) -> Result<Enrolled, Rejected<PendingEnrollment>> {
        let code = match validate::user_code(code) {
            Ok(code) => OneTimeCode::new(code),
            Err(e) => return Err(Rejected::new(e, self)),
        };
        let span =
            tracing::info_span!("cognito_mfa.enroll.verify", outcome = tracing::field::Empty);
        let result = self
            .verify_inner(backend, code)
            .instrument(span.clone())
            .await;
        span.record(
            "outcome",
            match &result {
                Ok(_) => "verified",
                Err(r) if r.error().can_retry_challenge() => "retry",
                Err(_) => "failed",
            },
        );
        result
    }

    async fn verify_inner(
        self,
        backend: &dyn CognitoBackend,
        code: OneTimeCode,
    ) -> Result<Enrolled, Rejected<PendingEnrollment>> {
        let outcome = verify_and_prefer(
            backend,
            &self.auth,
            code,
            self.device_name.clone(),
            self.after_verify,
            &self.preference_by,
        )
        .await;
        match outcome {
            Ok(enrolled) => Ok(enrolled),
            Err(Failure::Verify(e)) => Err(Rejected::new(e, self)),
            Err(Failure::AfterVerify(e)) => Err(Rejected::fatal(e)),
        }
    }
}

/// Checks what verification is given when it comes from outside (the
/// caller's parts, or a saved enrollment) before any call, and says who sets
/// the preference: the administrator when named, else the access token;
/// nobody on the Session path.
pub(crate) fn checked_target(
    device_name: Option<&str>,
    admin: Option<(&str, &str)>,
    auth: &TokenAuth,
) -> Result<PreferenceBy, Error> {
    if let Some(name) = device_name {
        validate::device_name(name)?;
    }
    if let Some((pool, user)) = admin {
        validate::user_pool_id(pool)?;
        validate::username(user)?;
    }
    match auth {
        TokenAuth::AccessToken(t) => validate::token(t.expose_secret())?,
        TokenAuth::Session(s) => validate::session(s.expose_secret())?,
    }
    Ok(match (admin, auth) {
        (Some((user_pool_id, username)), _) => PreferenceBy::Admin {
            user_pool_id: user_pool_id.to_owned(),
            username: username.to_owned(),
        },
        (None, TokenAuth::AccessToken(t)) => PreferenceBy::AccessToken(t.clone()),
        (None, TokenAuth::Session(_)) => PreferenceBy::Nobody,
    })
}

/// Where verification failed: before the token was verified (the pending
/// enrollment is still good) or after (only the preference is missing).
pub(crate) enum Failure {
    Verify(Error),
    AfterVerify(Error),
}

/// VerifySoftwareToken, then the preference: what every path shares.
pub(crate) async fn verify_and_prefer(
    backend: &dyn CognitoBackend,
    auth: &TokenAuth,
    code: OneTimeCode,
    device_name: Option<String>,
    after_verify: AfterVerify,
    preference_by: &PreferenceBy,
) -> Result<Enrolled, Failure> {
    let verified = backend
        .verify_software_token(auth.clone(), code, device_name.clone())
        .await
        .map_err(Failure::Verify)?;
    if verified.status != VerifyStatus::Success {
        return Err(Failure::Verify(Error::CodeMismatch));
    }
    let session = match (auth, verified.session) {
        (TokenAuth::Session(_), Some(s)) => Some(s),
        (TokenAuth::Session(_), None) => {
            return Err(Failure::AfterVerify(Error::unexpected(
                Operation::VerifySoftwareToken,
                "no Session in the answer to a Session call",
            )));
        }
        (TokenAuth::AccessToken(_), _) => None,
    };
    let target = match preference_by {
        PreferenceBy::AccessToken(t) => Some(UserTarget::AccessToken(t.clone())),
        PreferenceBy::Admin {
            user_pool_id,
            username,
        } => Some(UserTarget::Admin {
            user_pool_id: user_pool_id.clone(),
            username: username.clone(),
        }),
        PreferenceBy::Nobody => None,
    };
    let applied = match (after_verify.preference(), target) {
        (Some(pref), Some(target)) => {
            let update = MfaPreferenceUpdate {
                software_token: Some(pref),
                ..MfaPreferenceUpdate::default()
            };
            backend
                .set_user_mfa_preference(target, update)
                .await
                .map_err(Failure::AfterVerify)?;
            Some(pref)
        }
        _ => None,
    };
    Ok(Enrolled {
        applied,
        session,
        device_name,
    })
}

/// A verified software token, and what was done with the preference.
#[derive(Clone)]
pub struct Enrolled {
    applied: Option<FactorPreference>,
    session: Option<Session>,
    device_name: Option<String>,
}

impl fmt::Debug for Enrolled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enrolled")
            .field("applied", &self.applied)
            .field("session", &self.session)
            .field("device_name", &self.device_name)
            .finish()
    }
}

impl Enrolled {
    /// The preference that was set, or `None` if it was left alone (by
    /// choice, or on the MFA_SETUP path without an administrator, where
    /// Cognito enables the new token when the challenge is answered).
    pub fn preference_applied(&self) -> Option<FactorPreference> {
        self.applied
    }

    /// Whether TOTP was enabled by this enrollment's preference call.
    pub fn totp_enabled(&self) -> bool {
        self.applied.is_some_and(|p| p.enabled)
    }

    /// Whether TOTP was made the preferred factor.
    pub fn totp_preferred(&self) -> bool {
        self.applied.is_some_and(|p| p.preferred)
    }

    /// The device name sent with VerifySoftwareToken.
    pub fn device_name(&self) -> Option<&str> {
        self.device_name.as_deref()
    }

    /// On the MFA_SETUP path: the Session that answers the challenge.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Takes the Session out (MFA_SETUP path).
    pub fn into_session(self) -> Option<Session> {
        self.session
    }
}
