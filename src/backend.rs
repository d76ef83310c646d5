//! [`CognitoBackend`]: the only door to Cognito, and the request and
//! response types it speaks.
//!
//! The trait mirrors the Cognito calls TOTP MFA needs, one method a call
//! (public and admin variants share a method, told apart by the request). Its
//! types are the crate's own, so an implementation need not know the AWS
//! SDK: [`SdkBackend`](crate::SdkBackend) speaks to Cognito (or moto), the
//! `test-util` feature's in-memory pool stands in for it offline, and the
//! `mock` feature gives a mockall `MockCognitoBackend`.
//!
//! Later calls (the remembered-device calls ConfirmDevice,
//! UpdateDeviceStatus, ForgetDevice) arrive as provided methods with a
//! default body, so existing implementations keep compiling.

use crate::error::Error;
use crate::secret::{
    AccessToken, ClientSecret, IdToken, OneTimeCode, RefreshToken, Session, TotpSecret,
};
use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

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

/// AssociateSoftwareToken's answer.
#[derive(Debug, Clone)]
pub struct AssociatedSoftwareToken {
    /// The base32 secret, as the service sent it.
    pub secret_code: TotpSecret,
    /// A new Session, present when the call was made with a Session.
    pub session: Option<Session>,
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
#[derive(Debug, Clone)]
pub struct VerifiedSoftwareToken {
    /// Whether the token was verified.
    pub status: VerifyStatus,
    /// A new Session, present when the call was made with a Session.
    pub session: Option<Session>,
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

/// A change to a user's MFA preference; factors left `None` are untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MfaPreferenceUpdate {
    /// TOTP (`SoftwareTokenMfaSettings`).
    pub software_token: Option<FactorPreference>,
    /// SMS (`SMSMfaSettings`).
    pub sms: Option<FactorPreference>,
    /// Email (`EmailMfaSettings`).
    pub email: Option<FactorPreference>,
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
}

impl AuthFlow {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AdminUserPassword => "ADMIN_USER_PASSWORD_AUTH",
            Self::UserPassword => "USER_PASSWORD_AUTH",
            Self::RefreshToken => "REFRESH_TOKEN_AUTH",
            Self::UserSrp => "USER_SRP_AUTH",
        }
    }

    /// The app client's `ExplicitAuthFlows` entry that allows this flow.
    pub fn explicit_auth_flow(self) -> &'static str {
        match self {
            Self::AdminUserPassword => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            Self::UserPassword => "ALLOW_USER_PASSWORD_AUTH",
            Self::RefreshToken => "ALLOW_REFRESH_TOKEN_AUTH",
            Self::UserSrp => "ALLOW_USER_SRP_AUTH",
        }
    }

    /// Parses the wire name.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::AdminUserPassword,
            Self::UserPassword,
            Self::RefreshToken,
            Self::UserSrp,
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
    /// `EMAIL_OTP`: a code sent by email.
    EmailOtp,
    /// `PASSWORD_VERIFIER`: the SRP password step.
    PasswordVerifier,
    /// `DEVICE_SRP_AUTH`: a remembered device's SRP step.
    DeviceSrpAuth,
    /// `DEVICE_PASSWORD_VERIFIER`: a remembered device's verifier.
    DevicePasswordVerifier,
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
            "PASSWORD_VERIFIER" => Self::PasswordVerifier,
            "DEVICE_SRP_AUTH" => Self::DeviceSrpAuth,
            "DEVICE_PASSWORD_VERIFIER" => Self::DevicePasswordVerifier,
            other => Self::Other(other.to_owned()),
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
            Self::PasswordVerifier => "PASSWORD_VERIFIER",
            Self::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            Self::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
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

    /// Adds or replaces a parameter.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), SecretString::from(value.into()));
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

/// InitiateAuth (public) or AdminInitiateAuth (when `user_pool_id` is set).
#[derive(Debug, Clone)]
pub struct InitiateAuthRequest {
    /// The app client id.
    pub client_id: String,
    /// Set for AdminInitiateAuth (SigV4, IAM credentials); `None` for the
    /// public InitiateAuth.
    pub user_pool_id: Option<String>,
    /// The flow.
    pub flow: AuthFlow,
    /// `AuthParameters` (USERNAME, PASSWORD, SECRET_HASH, REFRESH_TOKEN, ...).
    pub parameters: Parameters,
}

/// RespondToAuthChallenge (public) or AdminRespondToAuthChallenge (when
/// `user_pool_id` is set).
#[derive(Debug, Clone)]
pub struct RespondToAuthChallengeRequest {
    /// The app client id.
    pub client_id: String,
    /// Set for AdminRespondToAuthChallenge; `None` for the public call.
    pub user_pool_id: Option<String>,
    /// The challenge answered.
    pub challenge: ChallengeName,
    /// The challenge's Session.
    pub session: Session,
    /// `ChallengeResponses` (USERNAME, SECRET_HASH, the code, ...).
    pub responses: Parameters,
}

/// A new remembered device's keys (`NewDeviceMetadata`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NewDeviceMetadata {
    /// `DeviceKey`.
    pub device_key: String,
    /// `DeviceGroupKey`.
    pub device_group_key: String,
}

/// The tokens of a finished sign-in (`AuthenticationResult`).
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

/// InitiateAuth's or RespondToAuthChallenge's answer: tokens, or the next
/// challenge.
#[derive(Clone)]
pub struct AuthResponse {
    /// The next challenge, if any.
    pub challenge: Option<ChallengeName>,
    /// The Session for answering it.
    pub session: Option<Session>,
    /// `ChallengeParameters`: strings, with lists as JSON text.
    pub parameters: BTreeMap<String, String>,
    /// The tokens, when sign-in is complete.
    pub tokens: Option<AuthTokens>,
}

impl fmt::Debug for AuthResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Challenge parameters can hold SRP blobs: show their names only.
        f.debug_struct("AuthResponse")
            .field("challenge", &self.challenge)
            .field("session", &self.session)
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .field("tokens", &self.tokens)
            .finish()
    }
}

/// A user pool's MFA mode (`MfaConfiguration`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolMfaMode {
    /// No MFA: users can't register a factor.
    Off,
    /// Every user must have a factor; users without one get MFA_SETUP.
    On,
    /// Users with an enabled factor are challenged.
    Optional,
}

impl PoolMfaMode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "OFF",
            Self::On => "ON",
            Self::Optional => "OPTIONAL",
        }
    }
}

/// A user pool's MFA configuration, as far as TOTP is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolMfaConfig {
    /// OFF, ON or OPTIONAL.
    pub mode: PoolMfaMode,
    /// Whether TOTP (`SoftwareTokenMfaConfiguration.Enabled`) is on.
    pub software_token_enabled: bool,
}

/// What DescribeUserPoolClient says about an app client.
#[derive(Debug, Clone)]
pub struct AppClient {
    /// The client id.
    pub client_id: String,
    /// The client's name.
    pub client_name: Option<String>,
    /// The client secret; present means SECRET_HASH is needed.
    pub client_secret: Option<ClientSecret>,
    /// `ExplicitAuthFlows`, as sent (`ALLOW_USER_PASSWORD_AUTH`, ...).
    pub explicit_auth_flows: Vec<String>,
    /// How long a challenge Session lives (`AuthSessionValidity`, 3–15
    /// minutes); `None` when the service did not say (3 minutes).
    pub auth_session_validity: Option<Duration>,
}

impl AppClient {
    /// Whether the client allows `flow`.
    pub fn allows(&self, flow: AuthFlow) -> bool {
        self.explicit_auth_flows
            .iter()
            .any(|f| f == flow.explicit_auth_flow())
    }
}

/// The only door to Cognito. See the [module docs](self).
///
/// Every method maps the service's errors through
/// [`Error::from_service`](crate::Error::from_service), so all backends
/// report the same exception the same way.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait CognitoBackend: Send + Sync {
    /// AssociateSoftwareToken: a new TOTP secret for the user.
    async fn associate_software_token(
        &self,
        auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error>;

    /// VerifySoftwareToken: checks a code against the associated secret.
    async fn verify_software_token(
        &self,
        auth: TokenAuth,
        code: OneTimeCode,
        friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error>;

    /// SetUserMFAPreference (access token) or AdminSetUserMFAPreference.
    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), Error>;

    /// GetUser (access token) or AdminGetUser: the user's MFA settings.
    async fn get_user_mfa_settings(&self, user: UserTarget) -> Result<UserMfaSettings, Error>;

    /// AdminDeleteSoftwareToken: removes the user's TOTP authenticator.
    async fn admin_delete_software_token(
        &self,
        user_pool_id: String,
        username: String,
    ) -> Result<(), Error>;

    /// InitiateAuth or AdminInitiateAuth.
    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error>;

    /// RespondToAuthChallenge or AdminRespondToAuthChallenge.
    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error>;

    /// GetUserPoolMfaConfig.
    async fn get_user_pool_mfa_config(&self, user_pool_id: String) -> Result<PoolMfaConfig, Error>;

    /// SetUserPoolMfaConfig: sets the mode and the TOTP switch.
    async fn set_user_pool_mfa_config(
        &self,
        user_pool_id: String,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error>;

    /// DescribeUserPoolClient.
    async fn describe_user_pool_client(
        &self,
        user_pool_id: String,
        client_id: String,
    ) -> Result<AppClient, Error>;
}

macro_rules! forward_backend {
    ($ty:ty) => {
        #[async_trait]
        impl<T: CognitoBackend + ?Sized> CognitoBackend for $ty {
            async fn associate_software_token(
                &self,
                auth: TokenAuth,
            ) -> Result<AssociatedSoftwareToken, Error> {
                (**self).associate_software_token(auth).await
            }
            async fn verify_software_token(
                &self,
                auth: TokenAuth,
                code: OneTimeCode,
                friendly_device_name: Option<String>,
            ) -> Result<VerifiedSoftwareToken, Error> {
                (**self)
                    .verify_software_token(auth, code, friendly_device_name)
                    .await
            }
            async fn set_user_mfa_preference(
                &self,
                user: UserTarget,
                update: MfaPreferenceUpdate,
            ) -> Result<(), Error> {
                (**self).set_user_mfa_preference(user, update).await
            }
            async fn get_user_mfa_settings(
                &self,
                user: UserTarget,
            ) -> Result<UserMfaSettings, Error> {
                (**self).get_user_mfa_settings(user).await
            }
            async fn admin_delete_software_token(
                &self,
                user_pool_id: String,
                username: String,
            ) -> Result<(), Error> {
                (**self)
                    .admin_delete_software_token(user_pool_id, username)
                    .await
            }
            async fn initiate_auth(
                &self,
                request: InitiateAuthRequest,
            ) -> Result<AuthResponse, Error> {
                (**self).initiate_auth(request).await
            }
            async fn respond_to_auth_challenge(
                &self,
                request: RespondToAuthChallengeRequest,
            ) -> Result<AuthResponse, Error> {
                (**self).respond_to_auth_challenge(request).await
            }
            async fn get_user_pool_mfa_config(
                &self,
                user_pool_id: String,
            ) -> Result<PoolMfaConfig, Error> {
                (**self).get_user_pool_mfa_config(user_pool_id).await
            }
            async fn set_user_pool_mfa_config(
                &self,
                user_pool_id: String,
                config: PoolMfaConfig,
            ) -> Result<PoolMfaConfig, Error> {
                (**self)
                    .set_user_pool_mfa_config(user_pool_id, config)
                    .await
            }
            async fn describe_user_pool_client(
                &self,
                user_pool_id: String,
                client_id: String,
            ) -> Result<AppClient, Error> {
                (**self)
                    .describe_user_pool_client(user_pool_id, client_id)
                    .await
            }
        }
    };
}

// Shared and boxed backends are backends too, so callers can hold
// `Arc<dyn CognitoBackend>`.
forward_backend!(Arc<T>);
forward_backend!(Box<T>);
forward_backend!(&T);
