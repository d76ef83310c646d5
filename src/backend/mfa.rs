//! What enrollment and the MFA settings calls send and receive.

use crate::error::Operation;
use crate::secret::{AccessToken, Session, TotpSecret};
use std::fmt;

/// What authorises AssociateSoftwareToken and VerifySoftwareToken.
#[derive(Debug, Clone)]
pub enum TokenAuth {
    /// A signed-in user's access token (self-service enrollment).
    AccessToken(AccessToken),
    /// The Session of an MFA_SETUP challenge (enrollment during sign-in).
    Session(Session),
}

/// Whose MFA settings a call reads or writes.
#[derive(Debug, Clone)]
pub enum UserTarget {
    /// The user the access token belongs to (GetUser, SetUserMFAPreference).
    AccessToken(AccessToken),
    /// A user named by an administrator (AdminGetUser,
    /// AdminSetUserMFAPreference), with IAM credentials.
    Admin {
        /// The user pool id.
        user_pool_id: String,
        /// The user name (or an alias Cognito resolves).
        username: String,
    },
}

impl UserTarget {
    /// The call that reads this user's settings: GetUser or AdminGetUser.
    pub fn get_operation(&self) -> Operation {
        match self {
            Self::AccessToken(_) => Operation::GetUser,
            Self::Admin { .. } => Operation::AdminGetUser,
        }
    }

    /// The call that sets this user's MFA preference.
    pub fn set_preference_operation(&self) -> Operation {
        match self {
            Self::AccessToken(_) => Operation::SetUserMfaPreference,
            Self::Admin { .. } => Operation::AdminSetUserMfaPreference,
        }
    }
}

/// AssociateSoftwareToken's answer.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct AssociatedSoftwareToken {
    /// The base32 secret, as the service sent it.
    pub secret_code: TotpSecret,
    /// A new Session, present when the call was made with a Session.
    pub session: Option<Session>,
}

impl AssociatedSoftwareToken {
    /// An answer with the secret and, for a Session-authorised call, the new
    /// Session.
    pub fn new(secret_code: TotpSecret, session: Option<Session>) -> Self {
        Self {
            secret_code,
            session,
        }
    }
}

/// VerifySoftwareToken's status.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyStatus {
    /// The code matched; the token is verified.
    Success,
    /// The service did not verify the token.
    Error,
}

/// VerifySoftwareToken's answer.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct VerifiedSoftwareToken {
    /// Whether the token was verified.
    pub status: VerifyStatus,
    /// A new Session, present when the call was made with a Session.
    pub session: Option<Session>,
}

impl VerifiedSoftwareToken {
    /// An answer with the status and, for a Session-authorised call, the new
    /// Session.
    pub fn new(status: VerifyStatus, session: Option<Session>) -> Self {
        Self { status, session }
    }
}

/// An MFA factor Cognito knows.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MfaFactor {
    /// TOTP from an authenticator app (`SOFTWARE_TOKEN_MFA`).
    SoftwareToken,
    /// A code sent by text message (`SMS_MFA`).
    Sms,
    /// A code sent by email (`EMAIL_OTP`).
    Email,
}

impl MfaFactor {
    /// Cognito's name for the factor, as in `UserMFASettingList`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            Self::Sms => "SMS_MFA",
            Self::Email => "EMAIL_OTP",
        }
    }

    /// Parses Cognito's name; `None` for a name this crate does not know.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "SOFTWARE_TOKEN_MFA" => Some(Self::SoftwareToken),
            "SMS_MFA" => Some(Self::Sms),
            "EMAIL_OTP" => Some(Self::Email),
            _ => None,
        }
    }
}

impl fmt::Display for MfaFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One factor's MFA preference: enabled, and preferred among the enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FactorPreference {
    /// Whether the factor is enabled for the user.
    pub enabled: bool,
    /// Whether it is the factor Cognito asks for first.
    pub preferred: bool,
}

impl FactorPreference {
    /// Enabled and preferred.
    pub const PREFERRED: Self = Self::new(true, true);
    /// Enabled, not preferred.
    pub const ENABLED: Self = Self::new(true, false);
    /// Disabled.
    pub const DISABLED: Self = Self::new(false, false);

    /// A preference.
    pub const fn new(enabled: bool, preferred: bool) -> Self {
        Self { enabled, preferred }
    }
}

/// A change to a user's MFA preference; factors left `None` are untouched.
///
/// ```
/// use cognito_mfa::backend::{FactorPreference, MfaPreferenceUpdate};
/// let update = MfaPreferenceUpdate::new().software_token(FactorPreference::PREFERRED);
/// assert_eq!(update.sms, None);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MfaPreferenceUpdate {
    /// TOTP (`SoftwareTokenMfaSettings`).
    pub software_token: Option<FactorPreference>,
    /// SMS (`SMSMfaSettings`).
    pub sms: Option<FactorPreference>,
    /// Email (`EmailMfaSettings`).
    pub email: Option<FactorPreference>,
}

impl MfaPreferenceUpdate {
    /// A change that touches nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the TOTP preference.
    #[must_use]
    pub fn software_token(mut self, preference: FactorPreference) -> Self {
        self.software_token = Some(preference);
        self
    }

    /// Sets the SMS preference.
    #[must_use]
    pub fn sms(mut self, preference: FactorPreference) -> Self {
        self.sms = Some(preference);
        self
    }

    /// Sets the email preference.
    #[must_use]
    pub fn email(mut self, preference: FactorPreference) -> Self {
        self.email = Some(preference);
        self
    }
}

/// A user's account status, from AdminGetUser.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserStatus {
    /// Confirmed and able to sign in.
    Confirmed,
    /// Registered, not yet confirmed.
    Unconfirmed,
    /// Created by an administrator; must set a new password.
    ForceChangePassword,
    /// Must reset the password.
    ResetRequired,
    /// Signs in through an external identity provider (federated).
    ExternalProvider,
    /// A status this crate does not know, as sent.
    Other(String),
}

impl UserStatus {
    /// Parses Cognito's `UserStatus`.
    pub fn parse(status: &str) -> Self {
        match status {
            "CONFIRMED" => Self::Confirmed,
            "UNCONFIRMED" => Self::Unconfirmed,
            "FORCE_CHANGE_PASSWORD" => Self::ForceChangePassword,
            "RESET_REQUIRED" => Self::ResetRequired,
            "EXTERNAL_PROVIDER" => Self::ExternalProvider,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// A user's MFA settings (GetUser / AdminGetUser).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMfaSettings {
    /// The canonical user name.
    pub username: String,
    /// The factors enabled for the user (`UserMFASettingList`).
    pub enabled: Vec<MfaFactor>,
    /// The preferred factor (`PreferredMfaSetting`).
    pub preferred: Option<MfaFactor>,
    /// The account status (AdminGetUser only).
    pub status: Option<UserStatus>,
    /// Whether the account is enabled (AdminGetUser only).
    pub account_enabled: Option<bool>,
}

impl UserMfaSettings {
    /// Settings of a user with no factor; add what the service said with
    /// the `with_` methods.
    pub fn new(username: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            enabled: Vec::new(),
            preferred: None,
            status: None,
            account_enabled: None,
        }
    }

    /// The enabled factors.
    #[must_use]
    pub fn with_enabled(mut self, enabled: Vec<MfaFactor>) -> Self {
        self.enabled = enabled;
        self
    }

    /// The preferred factor.
    #[must_use]
    pub fn with_preferred(mut self, preferred: Option<MfaFactor>) -> Self {
        self.preferred = preferred;
        self
    }

    /// The account status and whether the account is enabled (AdminGetUser).
    #[must_use]
    pub fn with_account(mut self, status: UserStatus, enabled: bool) -> Self {
        self.status = Some(status);
        self.account_enabled = Some(enabled);
        self
    }
}
