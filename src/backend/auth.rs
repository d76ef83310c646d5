//! What the sign-in calls (InitiateAuth, RespondToAuthChallenge and their
//! admin twins) send and receive.

use crate::error::Operation;
use crate::secret::{AccessToken, IdToken, RefreshToken, Session};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// An authentication flow (`AuthFlow`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AuthFlow {
    /// `ADMIN_USER_PASSWORD_AUTH`: server side, with IAM credentials.
    AdminUserPassword,
    /// `USER_PASSWORD_AUTH`: a public client sends the password.
    UserPassword,
    /// `REFRESH_TOKEN_AUTH`: new tokens from a refresh token.
    RefreshToken,
    /// `USER_SRP_AUTH`: Secure Remote Password.
    UserSrp,
    /// `USER_AUTH`: choice-based sign-in; the first factor is chosen
    /// (password, password over SRP, an email or SMS code, a passkey).
    UserAuth,
}

impl AuthFlow {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AdminUserPassword => "ADMIN_USER_PASSWORD_AUTH",
            Self::UserPassword => "USER_PASSWORD_AUTH",
            Self::RefreshToken => "REFRESH_TOKEN_AUTH",
            Self::UserSrp => "USER_SRP_AUTH",
            Self::UserAuth => "USER_AUTH",
        }
    }

    /// The app client's `ExplicitAuthFlows` entry that allows this flow.
    pub fn explicit_auth_flow(self) -> &'static str {
        match self {
            Self::AdminUserPassword => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            Self::UserPassword => "ALLOW_USER_PASSWORD_AUTH",
            Self::RefreshToken => "ALLOW_REFRESH_TOKEN_AUTH",
            Self::UserSrp => "ALLOW_USER_SRP_AUTH",
            Self::UserAuth => "ALLOW_USER_AUTH",
        }
    }

    /// Parses the wire name.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::AdminUserPassword,
            Self::UserPassword,
            Self::RefreshToken,
            Self::UserSrp,
            Self::UserAuth,
        ]
        .into_iter()
        .find(|f| f.as_str() == name)
    }
}

impl fmt::Display for AuthFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A challenge name (`ChallengeName`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChallengeName {
    /// `SOFTWARE_TOKEN_MFA`: a TOTP code.
    SoftwareTokenMfa,
    /// `MFA_SETUP`: the user must set up a factor first.
    MfaSetup,
    /// `SELECT_MFA_TYPE`: the user picks a factor.
    SelectMfaType,
    /// `NEW_PASSWORD_REQUIRED`: the user must choose a password.
    NewPasswordRequired,
    /// `SMS_MFA`: a code sent by text message.
    SmsMfa,
    /// `EMAIL_OTP`: a code sent by email (a second factor, or USER_AUTH's
    /// email first factor).
    EmailOtp,
    /// `SMS_OTP`: USER_AUTH's text-message first factor (not `SMS_MFA`).
    SmsOtp,
    /// `PASSWORD_VERIFIER`: the SRP password step.
    PasswordVerifier,
    /// `DEVICE_SRP_AUTH`: a remembered device's SRP step.
    DeviceSrpAuth,
    /// `DEVICE_PASSWORD_VERIFIER`: a remembered device's verifier.
    DevicePasswordVerifier,
    /// `SELECT_CHALLENGE`: USER_AUTH asks which first factor to use (the
    /// choices are in `AvailableChallenges`).
    SelectChallenge,
    /// `WEB_AUTHN`: a passkey's assertion.
    WebAuthn,
    /// A name this crate does not know, as sent.
    Other(String),
}

impl ChallengeName {
    /// Parses the wire name; unknown names are kept in [`ChallengeName::Other`].
    pub fn parse(name: &str) -> Self {
        match name {
            "SOFTWARE_TOKEN_MFA" => Self::SoftwareTokenMfa,
            "MFA_SETUP" => Self::MfaSetup,
            "SELECT_MFA_TYPE" => Self::SelectMfaType,
            "NEW_PASSWORD_REQUIRED" => Self::NewPasswordRequired,
            "SMS_MFA" => Self::SmsMfa,
            "EMAIL_OTP" => Self::EmailOtp,
            "SMS_OTP" => Self::SmsOtp,
            "PASSWORD_VERIFIER" => Self::PasswordVerifier,
            "DEVICE_SRP_AUTH" => Self::DeviceSrpAuth,
            "DEVICE_PASSWORD_VERIFIER" => Self::DevicePasswordVerifier,
            "SELECT_CHALLENGE" => Self::SelectChallenge,
            "WEB_AUTHN" => Self::WebAuthn,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether the library answers this challenge itself (the SRP steps),
    /// with secrets it holds for the sign-in, rather than a person.
    pub fn is_answered_by_library(&self) -> bool {
        matches!(
            self,
            Self::PasswordVerifier | Self::DeviceSrpAuth | Self::DevicePasswordVerifier
        )
    }

    /// The `ChallengeResponses` key a code challenge's code goes under:
    /// each has its own (`SOFTWARE_TOKEN_MFA_CODE`, `SMS_MFA_CODE`,
    /// `EMAIL_OTP_CODE`, `SMS_OTP_CODE`); `None` for the others.
    pub fn code_parameter(&self) -> Option<&'static str> {
        match self {
            Self::SoftwareTokenMfa => Some("SOFTWARE_TOKEN_MFA_CODE"),
            Self::SmsMfa => Some("SMS_MFA_CODE"),
            Self::EmailOtp => Some("EMAIL_OTP_CODE"),
            Self::SmsOtp => Some("SMS_OTP_CODE"),
            _ => None,
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Self::MfaSetup => "MFA_SETUP",
            Self::SelectMfaType => "SELECT_MFA_TYPE",
            Self::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Self::SmsMfa => "SMS_MFA",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
            Self::PasswordVerifier => "PASSWORD_VERIFIER",
            Self::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            Self::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
            Self::SelectChallenge => "SELECT_CHALLENGE",
            Self::WebAuthn => "WEB_AUTHN",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for ChallengeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `AuthParameters` or `ChallengeResponses`: names to values, where values
/// may be secret (PASSWORD, SECRET_HASH, codes). `Debug` shows the names only.
#[derive(Clone, Default)]
pub struct Parameters(BTreeMap<String, SecretString>);

impl Parameters {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a parameter. A `String` value handed in is copied
    /// and then zeroized, so no plain copy of it is left behind.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0
            .insert(name.into(), crate::secret::secret_string(value.into()));
    }

    /// Adds a parameter, builder style.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(name, value);
        self
    }

    /// A parameter's value, exposed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.expose_secret())
    }

    /// Whether a parameter is present.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The parameter names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Every parameter, exposed, for the one place that sends them.
    pub fn expose_all(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.expose_secret()))
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Parameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// Which of Cognito's two sign-in APIs a call goes to.
///
/// The admin API (AdminInitiateAuth, AdminRespondToAuthChallenge) is signed
/// with IAM credentials and names the user pool; the public API
/// (InitiateAuth, RespondToAuthChallenge) is authorised by the app client
/// and the Session alone. Which one is used is a choice of the caller's,
/// separate from whether the pool id is known: an SRP sign-in needs the
/// pool id on the public API too.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Api {
    /// The admin API, on this user pool.
    Admin {
        /// The user pool id.
        user_pool_id: String,
    },
    /// The public API.
    Public,
}

impl Api {
    /// The admin API on `user_pool_id`.
    pub fn admin(user_pool_id: impl Into<String>) -> Self {
        Self::Admin {
            user_pool_id: user_pool_id.into(),
        }
    }

    /// Whether this is the admin API.
    pub fn is_admin(&self) -> bool {
        matches!(self, Self::Admin { .. })
    }

    /// The user pool id the admin API names; `None` for the public API.
    pub fn admin_user_pool_id(&self) -> Option<&str> {
        match self {
            Self::Admin { user_pool_id } => Some(user_pool_id),
            Self::Public => None,
        }
    }
}

/// InitiateAuth, or AdminInitiateAuth on [`Api::Admin`].
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct InitiateAuthRequest {
    /// Which API: admin (with the pool id) or public.
    pub api: Api,
    /// The app client id.
    pub client_id: String,
    /// The flow.
    pub flow: AuthFlow,
    /// `AuthParameters` (USERNAME, PASSWORD, SECRET_HASH, REFRESH_TOKEN, ...).
    pub parameters: Parameters,
}

impl InitiateAuthRequest {
    /// A request for `flow` on `api`.
    pub fn new(
        api: Api,
        client_id: impl Into<String>,
        flow: AuthFlow,
        parameters: Parameters,
    ) -> Self {
        Self {
            api,
            client_id: client_id.into(),
            flow,
            parameters,
        }
    }

    /// The Cognito call this request is.
    pub fn operation(&self) -> Operation {
        if self.api.is_admin() {
            Operation::AdminInitiateAuth
        } else {
            Operation::InitiateAuth
        }
    }
}

/// RespondToAuthChallenge, or AdminRespondToAuthChallenge on [`Api::Admin`].
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct RespondToAuthChallengeRequest {
    /// Which API: admin (with the pool id) or public.
    pub api: Api,
    /// The app client id.
    pub client_id: String,
    /// The challenge answered.
    pub challenge: ChallengeName,
    /// The challenge's Session. Cognito may issue PASSWORD_VERIFIER without
    /// one; every challenge a person answers has one.
    pub session: Option<Session>,
    /// `ChallengeResponses` (USERNAME, SECRET_HASH, the code, ...).
    pub responses: Parameters,
}

impl RespondToAuthChallengeRequest {
    /// An answer to `challenge` on `api`.
    pub fn new(
        api: Api,
        client_id: impl Into<String>,
        challenge: ChallengeName,
        session: Option<Session>,
        responses: Parameters,
    ) -> Self {
        Self {
            api,
            client_id: client_id.into(),
            challenge,
            session,
            responses,
        }
    }

    /// The Cognito call this request is.
    pub fn operation(&self) -> Operation {
        if self.api.is_admin() {
            Operation::AdminRespondToAuthChallenge
        } else {
            Operation::RespondToAuthChallenge
        }
    }
}

/// A new remembered device's keys (`NewDeviceMetadata`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NewDeviceMetadata {
    /// `DeviceKey`.
    pub device_key: String,
    /// `DeviceGroupKey`.
    pub device_group_key: String,
}

impl NewDeviceMetadata {
    /// The keys Cognito sent.
    pub fn new(device_key: impl Into<String>, device_group_key: impl Into<String>) -> Self {
        Self {
            device_key: device_key.into(),
            device_group_key: device_group_key.into(),
        }
    }
}

/// The tokens of a finished sign-in (`AuthenticationResult`).
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct AuthTokens {
    /// The access token.
    pub access_token: AccessToken,
    /// The ID token (absent on some refresh answers).
    pub id_token: Option<IdToken>,
    /// The refresh token (absent on a refresh).
    pub refresh_token: Option<RefreshToken>,
    /// How long the access and ID tokens live.
    pub expires_in: Duration,
    /// The token type, `Bearer`.
    pub token_type: String,
    /// Keys of a new remembered device, when the pool tracks devices.
    pub new_device: Option<NewDeviceMetadata>,
}

impl AuthTokens {
    /// Tokens with an access token living `expires_in`, type `Bearer`; add
    /// the others with the `with_` methods.
    pub fn new(access_token: AccessToken, expires_in: Duration) -> Self {
        Self {
            access_token,
            id_token: None,
            refresh_token: None,
            expires_in,
            token_type: "Bearer".to_owned(),
            new_device: None,
        }
    }

    /// The ID token.
    #[must_use]
    pub fn with_id_token(mut self, id_token: Option<IdToken>) -> Self {
        self.id_token = id_token;
        self
    }

    /// The refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: Option<RefreshToken>) -> Self {
        self.refresh_token = refresh_token;
        self
    }

    /// The token type, when the service sent another than `Bearer`.
    #[must_use]
    pub fn with_token_type(mut self, token_type: impl Into<String>) -> Self {
        self.token_type = token_type.into();
        self
    }

    /// A new device's keys.
    #[must_use]
    pub fn with_new_device(mut self, new_device: Option<NewDeviceMetadata>) -> Self {
        self.new_device = new_device;
        self
    }
}

/// InitiateAuth's or RespondToAuthChallenge's answer: tokens, or the next
/// challenge.
#[non_exhaustive]
#[derive(Clone, Default)]
pub struct AuthResponse {
    /// The next challenge, if any.
    pub challenge: Option<ChallengeName>,
    /// The Session for answering it.
    pub session: Option<Session>,
    /// `ChallengeParameters`: strings, with lists as JSON text.
    pub parameters: BTreeMap<String, String>,
    /// `AvailableChallenges`: the first factors USER_AUTH offers at
    /// SELECT_CHALLENGE (a top-level field, not a challenge parameter).
    pub available_challenges: Vec<String>,
    /// The tokens, when sign-in is complete.
    pub tokens: Option<AuthTokens>,
}

impl AuthResponse {
    /// A finished sign-in.
    pub fn tokens(tokens: AuthTokens) -> Self {
        Self {
            tokens: Some(tokens),
            ..Self::default()
        }
    }

    /// A challenge with its Session and parameters.
    pub fn challenge(
        name: ChallengeName,
        session: Option<Session>,
        parameters: BTreeMap<String, String>,
    ) -> Self {
        Self {
            challenge: Some(name),
            session,
            parameters,
            ..Self::default()
        }
    }

    /// The first factors on offer (`AvailableChallenges`).
    #[must_use]
    pub fn with_available_challenges(mut self, available: Vec<String>) -> Self {
        self.available_challenges = available;
        self
    }
}

impl fmt::Debug for AuthResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Challenge parameters can hold SRP blobs: show their names only.
        f.debug_struct("AuthResponse")
            .field("challenge", &self.challenge)
            .field("session", &self.session)
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .field("available_challenges", &self.available_challenges)
            .field("tokens", &self.tokens)
            .finish()
    }
}
