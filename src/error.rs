//! The crate's one error type, and the mapping from Cognito's exceptions.
//!
//! Every variant is something an application can act on without reading a
//! string. [`Error::recovery`] classifies what to do next; the predicates
//! [`Error::is_retryable`], [`Error::can_retry_challenge`] and
//! [`Error::must_restart`] answer the common questions.
//!
//! No message, `Debug` output or source chain holds a code, password,
//! secret, Session or token: variants carry only names, kinds and the
//! service's own error metadata.

use std::fmt;
use zeroize::Zeroizing;

/// What the caller should do after an [`Error`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// Ask the person again and answer the same challenge or enrollment
    /// (a mistyped code).
    RetrySameStep,
    /// Wait for the next TOTP code, then answer the same step.
    WaitForNextCode,
    /// Start the sign-in (or enrollment) again from the beginning.
    Restart,
    /// A transient condition: the same request may be sent again later.
    RetryLater,
    /// Nothing the end user can do; fix the input or the configuration.
    Fix,
}

/// Which Cognito call an error came from: one variant per call. The same
/// exception means different things on different calls
/// (`SoftwareTokenMFANotFoundException`, say).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// AssociateSoftwareToken.
    AssociateSoftwareToken,
    /// VerifySoftwareToken.
    VerifySoftwareToken,
    /// SetUserMFAPreference.
    SetUserMfaPreference,
    /// AdminSetUserMFAPreference.
    AdminSetUserMfaPreference,
    /// GetUser.
    GetUser,
    /// AdminGetUser.
    AdminGetUser,
    /// AdminDeleteSoftwareToken.
    AdminDeleteSoftwareToken,
    /// InitiateAuth.
    InitiateAuth,
    /// AdminInitiateAuth.
    AdminInitiateAuth,
    /// RespondToAuthChallenge.
    RespondToAuthChallenge,
    /// AdminRespondToAuthChallenge.
    AdminRespondToAuthChallenge,
    /// GetUserPoolMfaConfig.
    GetUserPoolMfaConfig,
    /// SetUserPoolMfaConfig.
    SetUserPoolMfaConfig,
    /// DescribeUserPoolClient.
    DescribeUserPoolClient,
    /// AdminCreateUser (the in-memory pool's user setup stands for it).
    AdminCreateUser,
    /// CreateUserPoolClient.
    CreateUserPoolClient,
    /// AdminUpdateUserAttributes.
    AdminUpdateUserAttributes,
    /// AdminEnableUser or AdminDisableUser.
    AdminEnableDisableUser,
    /// ConfirmDevice.
    ConfirmDevice,
    /// UpdateDeviceStatus.
    UpdateDeviceStatus,
    /// AdminUpdateDeviceStatus.
    AdminUpdateDeviceStatus,
    /// ListDevices.
    ListDevices,
    /// AdminListDevices.
    AdminListDevices,
    /// GetDevice.
    GetDevice,
    /// AdminGetDevice.
    AdminGetDevice,
    /// ForgetDevice.
    ForgetDevice,
    /// AdminForgetDevice.
    AdminForgetDevice,
    /// DescribeUserPool.
    DescribeUserPool,
    /// AdminAddUserToGroup.
    AdminAddUserToGroup,
}

impl Operation {
    /// Cognito's name for the call (`AdminInitiateAuth`), as in the
    /// `X-Amz-Target` header.
    pub fn name(self) -> &'static str {
        match self {
            Self::AssociateSoftwareToken => "AssociateSoftwareToken",
            Self::VerifySoftwareToken => "VerifySoftwareToken",
            Self::SetUserMfaPreference => "SetUserMFAPreference",
            Self::AdminSetUserMfaPreference => "AdminSetUserMFAPreference",
            Self::GetUser => "GetUser",
            Self::AdminGetUser => "AdminGetUser",
            Self::AdminDeleteSoftwareToken => "AdminDeleteSoftwareToken",
            Self::InitiateAuth => "InitiateAuth",
            Self::AdminInitiateAuth => "AdminInitiateAuth",
            Self::RespondToAuthChallenge => "RespondToAuthChallenge",
            Self::AdminRespondToAuthChallenge => "AdminRespondToAuthChallenge",
            Self::GetUserPoolMfaConfig => "GetUserPoolMfaConfig",
            Self::SetUserPoolMfaConfig => "SetUserPoolMfaConfig",
            Self::DescribeUserPoolClient => "DescribeUserPoolClient",
            Self::AdminCreateUser => "AdminCreateUser",
            Self::CreateUserPoolClient => "CreateUserPoolClient",
            Self::AdminUpdateUserAttributes => "AdminUpdateUserAttributes",
            Self::AdminEnableDisableUser => "AdminEnableUser",
            Self::ConfirmDevice => "ConfirmDevice",
            Self::UpdateDeviceStatus => "UpdateDeviceStatus",
            Self::AdminUpdateDeviceStatus => "AdminUpdateDeviceStatus",
            Self::ListDevices => "ListDevices",
            Self::AdminListDevices => "AdminListDevices",
            Self::GetDevice => "GetDevice",
            Self::AdminGetDevice => "AdminGetDevice",
            Self::ForgetDevice => "ForgetDevice",
            Self::AdminForgetDevice => "AdminForgetDevice",
            Self::DescribeUserPool => "DescribeUserPool",
            Self::AdminAddUserToGroup => "AdminAddUserToGroup",
        }
    }

    /// Whether the call answers a challenge or verifies a code: such a
    /// request is sent once, never again, since the service may have spent
    /// what it carried.
    pub fn carries_one_time_code(self) -> bool {
        matches!(
            self,
            Self::VerifySoftwareToken
                | Self::RespondToAuthChallenge
                | Self::AdminRespondToAuthChallenge
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error the service returned, kept as it came: the exception code, its
/// message and the request id.
///
/// Cognito's messages name users and clients, never codes or tokens; the
/// crate passes no secret into a request field that the service echoes.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceError {
    code: String,
    message: Option<String>,
    request_id: Option<String>,
    http_status: Option<u16>,
}

/// The longest exception code, message or request id kept from an answer:
/// Cognito's are a few dozen characters; a hostile server's need not be.
const MAX_SERVICE_TEXT: usize = 1024;

/// Cuts `text` to [`MAX_SERVICE_TEXT`] characters.
fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_SERVICE_TEXT) {
        Some((cut, _)) => text.get(..cut).unwrap_or_default().to_owned(),
        None => text.to_owned(),
    }
}

/// The shortest run of a secret that counts as repeated: long enough that
/// Cognito's own words never contain it by chance, short enough that a
/// partly echoed Session or token is caught.
const ECHO_WINDOW: usize = 8;

/// `text` in lower case, a char a slot, in a buffer sized up front (a char
/// lowers to at most three) and zeroized: the texts lowered here are the
/// secrets a request carried.
fn lowered(text: &str) -> Zeroizing<Vec<char>> {
    let mut out = Zeroizing::new(Vec::with_capacity(text.len().saturating_mul(3)));
    out.extend(text.chars().flat_map(char::to_lowercase));
    out
}

/// Whether `text` repeats `secret` (both lowered): whole or, for a secret
/// longer than [`ECHO_WINDOW`], any [`ECHO_WINDOW`] characters of it.
fn repeats(text: &[char], secret: &[char]) -> bool {
    if secret.is_empty() {
        return false;
    }
    let window = secret.len().min(ECHO_WINDOW);
    secret
        .windows(window)
        .any(|w| text.windows(window).any(|t| t == w))
}

impl ServiceError {
    /// What replaces an exception code, message or request id that repeated
    /// a value the request carried: it says nothing about where the value
    /// sat or how long it was.
    pub const WITHHELD: &'static str = "(withheld: it repeated a value the request carried)";

    /// An error with the service's exception code (`NotAuthorizedException`)
    /// and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: Some(message.into()),
            request_id: None,
            http_status: None,
        }
    }

    /// Adds the request id the service returned.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Adds the HTTP status the answer came with.
    #[must_use]
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// Builds from optional parts, as the SDK hands them over, each cut to a
    /// bounded length.
    pub(crate) fn from_parts(
        code: Option<&str>,
        message: Option<&str>,
        request_id: Option<&str>,
    ) -> Self {
        Self {
            code: code.map_or_else(|| "Unknown".to_owned(), bounded),
            message: message.map(bounded),
            request_id: request_id.map(bounded),
            http_status: None,
        }
    }

    /// Withholds whatever of the code, message and request id repeats one of
    /// `secrets` (moto puts an unknown Session in its message; a hostile
    /// server may echo anything anywhere): in any letter case, whole or in
    /// part. The text is replaced whole by [`Self::WITHHELD`], so nothing tells
    /// where the value sat or how long it was. A backend passes every value
    /// its request carried, and calls this after mapping the error: the
    /// mapping reads the service's own words.
    #[must_use]
    pub fn redact(mut self, secrets: &[&str]) -> Self {
        let secrets: Vec<Zeroizing<Vec<char>>> = secrets.iter().map(|s| lowered(s)).collect();
        let echoed = |text: &str| {
            let text = lowered(text);
            secrets.iter().any(|s| repeats(&text, s))
        };
        if echoed(&self.code) {
            Self::WITHHELD.clone_into(&mut self.code);
        }
        for text in [&mut self.message, &mut self.request_id] {
            if text.as_deref().is_some_and(echoed) {
                *text = Some(Self::WITHHELD.to_owned());
            }
        }
        self
    }

    /// The HTTP status the answer came with, where the backend knows it.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// Whether the service failed on its side (HTTP 5xx, or Cognito's
    /// `InternalErrorException`): it may or may not have acted on the
    /// request.
    pub fn is_server_error(&self) -> bool {
        self.http_status.is_some_and(|s| s >= 500) || self.code == "InternalErrorException"
    }

    /// The exception code, such as `NotAuthorizedException`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The service's message, if it sent one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id, for AWS support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    fn message_has(&self, needle: &str) -> bool {
        self.message
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains(needle))
    }
}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("http_status", &self.http_status)
            .finish()
    }
}

impl std::error::Error for ServiceError {}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Which input was refused locally.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// A one-time code the person typed.
    UserCode,
    /// A user name.
    Username,
    /// A password.
    Password,
    /// A friendly device name for VerifySoftwareToken.
    DeviceName,
    /// A challenge Session.
    Session,
    /// A user pool id.
    UserPoolId,
    /// An app client id.
    ClientId,
    /// An app client secret.
    ClientSecret,
    /// An access, ID or refresh token.
    Token,
    /// The TOTP secret returned by the service.
    TotpSecret,
    /// The issuer shown in an authenticator app.
    Issuer,
    /// The account name shown in an authenticator app.
    AccountName,
    /// A remembered device's key.
    DeviceKey,
    /// A remembered device's group key.
    DeviceGroupKey,
    /// A remembered device's password.
    DevicePassword,
    /// A serialized pending challenge.
    PendingChallenge,
    /// A challenge name or answer.
    Challenge,
    /// An MFA setting.
    MfaSetting,
    /// A JSON Web Key Set, or the URL it is fetched from.
    Jwks,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::UserCode => "code",
            Self::Username => "user name",
            Self::Password => "password",
            Self::DeviceName => "device name",
            Self::Session => "session",
            Self::UserPoolId => "user pool id",
            Self::ClientId => "client id",
            Self::ClientSecret => "client secret",
            Self::Token => "token",
            Self::TotpSecret => "TOTP secret",
            Self::Issuer => "issuer",
            Self::AccountName => "account name",
            Self::DeviceKey => "device key",
            Self::DeviceGroupKey => "device group key",
            Self::DevicePassword => "device password",
            Self::PendingChallenge => "pending challenge",
            Self::Challenge => "challenge",
            Self::MfaSetting => "MFA setting",
            Self::Jwks => "JSON Web Key Set",
        };
        f.write_str(name)
    }
}

/// Input refused before any call: which field, and what is allowed.
///
/// The refused value itself is never kept: it may be a code or a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    field: Field,
    reason: String,
}

impl InvalidInput {
    /// A refusal of `field`, with a reason that says what is allowed.
    pub fn new(field: Field, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }

    /// The field that was refused.
    pub fn field(&self) -> Field {
        self.field
    }

    /// What is wrong and what is allowed.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl std::error::Error for InvalidInput {}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.reason)
    }
}

/// How a request failed to get an answer from the service.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The request could not be built or sent; the service never saw it.
    NotSent,
    /// No answer came in time. The service may have acted on the request.
    TimedOut,
    /// The connection failed after the request may have been sent.
    Io,
    /// An answer came but could not be read.
    BadResponse,
}

/// A failure to reach the service or to read its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    kind: TransportKind,
    operation: Operation,
    detail: String,
}

impl TransportError {
    /// A transport failure of `kind` during `operation`; `detail` is the
    /// client library's description (no request content).
    pub fn new(kind: TransportKind, operation: Operation, detail: impl Into<String>) -> Self {
        Self {
            kind,
            operation,
            detail: detail.into(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> TransportKind {
        self.kind
    }

    /// The call that failed.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// Whether the service may have received and acted on the request. When
    /// true, a one-time code sent with it may be spent: never resend it
    /// silently.
    pub fn may_have_reached_service(&self) -> bool {
        !matches!(self.kind, TransportKind::NotSent)
    }
}

impl std::error::Error for TransportError {}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportKind::NotSent => "could not be sent",
            TransportKind::TimedOut => "timed out; the service may have acted on it",
            TransportKind::Io => "failed in transit; the service may have acted on it",
            TransportKind::BadResponse => "got an answer that could not be read",
        };
        write!(f, "{} {what}: {}", self.operation, self.detail)
    }
}

/// Everything that can go wrong in cognito-mfa.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The one-time code is wrong (`CodeMismatchException`, or
    /// `EnableSoftwareTokenMFAException` while enrolling). Its recovery is to
    /// ask again on the same challenge; whether the Session takes another
    /// code is not something Cognito says (it is spent after a few): if it
    /// was spent, the next answer is [`Error::SessionExpired`].
    #[error("the code is wrong; ask for it again")]
    CodeMismatch,
    /// The code was already accepted once (`ExpiredCodeException`). Codes
    /// are single-use: wait for the authenticator's next code, which comes
    /// at [`totp::next_code_at`](crate::totp::next_code_at).
    #[error("this code was already used; wait for the authenticator's next code")]
    CodeAlreadyUsed,
    /// The Session expired or was already used: restart the sign-in.
    #[error("the session has expired or was already used; restart the sign-in")]
    SessionExpired,
    /// The refresh token is expired, revoked or unknown
    /// (`NotAuthorizedException` "Refresh Token has expired", "... has been
    /// revoked", "Invalid Refresh Token"): the person signs in again.
    #[error("the refresh token is expired, revoked or not valid; sign in again")]
    RefreshTokenRejected,
    /// The access token is expired, revoked or not valid for this pool.
    #[error("the access token is expired or not valid; sign in again")]
    AccessTokenRejected,
    /// Incorrect user name or password.
    #[error("incorrect user name or password")]
    WrongCredentials,
    /// The user does not exist.
    #[error("the user does not exist")]
    UserNotFound,
    /// Cognito no longer knows the remembered device presented
    /// (`ResourceNotFoundException` "Device does not exist."): it was
    /// forgotten elsewhere. Delete the stored
    /// [`RememberedDevice`](crate::device::RememberedDevice) and sign in
    /// without it.
    #[error("the remembered device no longer exists; forget it and sign in without it")]
    DeviceNotFound,
    /// The user has not confirmed their account.
    #[error("the user is not confirmed")]
    UserNotConfirmed,
    /// The user must reset their password before signing in.
    #[error("the user must reset their password")]
    PasswordResetRequired,
    /// The user is disabled.
    #[error("the user is disabled")]
    UserDisabled,
    /// The new password does not meet the pool's password policy
    /// (`InvalidPasswordException`); the service's message says which rule.
    #[error("the new password does not meet the pool's policy")]
    PasswordPolicy(#[source] ServiceError),
    /// TOTP MFA is not enabled on the user pool (or the pool's MFA is OFF).
    #[error("TOTP MFA is not enabled on this user pool; see the pool preflight")]
    TotpNotEnabledOnPool,
    /// The user has no verified software token.
    #[error("the user has no verified TOTP authenticator")]
    TotpNotSetUp,
    /// The user pool's feature plan lacks what was asked
    /// (`FeatureUnavailableInTierException`): USER_AUTH and email MFA need
    /// the Essentials tier or above. A configuration to fix, not a retry.
    #[error(
        "the user pool's feature plan (tier) does not include this; it needs Essentials or above"
    )]
    FeatureNotInTier(#[source] ServiceError),
    /// The app client does not allow the auth flow used.
    #[error("the app client does not allow this auth flow")]
    AuthFlowNotEnabled,
    /// The app client has a secret and `SECRET_HASH` was missing or wrong.
    #[error("the app client needs a correct SECRET_HASH: configure its client secret")]
    SecretHashMismatch,
    /// The user signs in through an external identity provider; Cognito
    /// offers federated users no MFA.
    #[error("the user is federated (EXTERNAL_PROVIDER); MFA belongs to their identity provider")]
    FederatedUser,
    /// The service throttled the request (`TooManyRequestsException`,
    /// `LimitExceededException`) after the SDK's own retries.
    #[error("throttled by the service; retry later")]
    Throttled(#[source] ServiceError),
    /// Input refused locally, before any call.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// Cognito issued a challenge this crate does not handle.
    #[error("unsupported challenge {name}")]
    UnsupportedChallenge {
        /// The challenge name as Cognito sent it.
        name: String,
    },
    /// The service's answer lacks something it must hold.
    #[error("unexpected answer from {operation}: {what}")]
    UnexpectedResponse {
        /// The call.
        operation: Operation,
        /// What was missing or malformed.
        what: &'static str,
    },
    /// An SRP sign-in (USER_SRP_AUTH) stopped before the password claim was
    /// sent, almost always because the service's PASSWORD_VERIFIER values
    /// were refused: `SALT` or `SRP_B` not hex or over 3072 bits, an empty
    /// `SECRET_BLOCK`, or a degenerate `SRP_B` (≡ 0 mod N, or u = H(A, B)
    /// = 0) that would let its sender check a claim without knowing the
    /// password. Rarely, the system's random number generator failed. Says
    /// which parameter, never a value. Start the sign-in again.
    #[error("SRP sign-in stopped at {operation}: {what}")]
    Srp {
        /// The call whose answer was refused (or, for a local failure, the
        /// call about to be made).
        operation: Operation,
        /// What was refused, by parameter name.
        what: &'static str,
    },
    /// The request did not get an answer.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The backend does not implement this call (a provided method of
    /// [`CognitoBackend`](crate::CognitoBackend) that it does not override).
    #[error("{operation} is not supported by this backend")]
    NotSupported {
        /// The call.
        operation: Operation,
    },
    /// Any other service error, kept whole.
    #[error("{operation} failed: {error}")]
    Service {
        /// The call.
        operation: Operation,
        /// The service's error.
        #[source]
        error: ServiceError,
    },
}

impl Error {
    /// Maps a service error from `operation`.
    ///
    /// Backends call this so that every backend (the SDK, the in-memory
    /// pool, a test double) reports the same exception the same way. Maps
    /// on the exception code, and on the message only where the code alone
    /// can't tell (the `NotAuthorizedException` and
    /// `InvalidParameterException` cases).
    pub fn from_service(operation: Operation, error: ServiceError) -> Self {
        use Operation as Op;
        match error.code() {
            "CodeMismatchException" | "EnableSoftwareTokenMFAException" => Self::CodeMismatch,
            "ExpiredCodeException" => Self::CodeAlreadyUsed,
            "NotAuthorizedException" => {
                if error.message_has("refresh token") {
                    Self::RefreshTokenRejected
                } else if error.message_has("session") {
                    Self::SessionExpired
                } else if error.message_has("incorrect username or password") {
                    Self::WrongCredentials
                } else if error.message_has("secret hash") || error.message_has("for secret") {
                    Self::SecretHashMismatch
                } else if error.message_has("access token") {
                    Self::AccessTokenRejected
                } else if error.message_has("attempts exceeded") {
                    // Cognito's lockout after repeated wrong passwords: it
                    // lifts by itself, so it is a throttle, not a fix.
                    Self::Throttled(error)
                } else if error.message_has("disabled") {
                    Self::UserDisabled
                } else if error.message_has("auth flow not enabled")
                    || error.message_has("flow not enabled")
                {
                    Self::AuthFlowNotEnabled
                } else {
                    Self::Service { operation, error }
                }
            }
            "UserNotFoundException" => Self::UserNotFound,
            "ResourceNotFoundException" if error.message_has("device does not exist") => {
                Self::DeviceNotFound
            }
            "InvalidPasswordException" => Self::PasswordPolicy(error),
            "UserNotConfirmedException" => Self::UserNotConfirmed,
            "PasswordResetRequiredException" => Self::PasswordResetRequired,
            "SoftwareTokenMFANotFoundException" => match operation {
                Op::AssociateSoftwareToken | Op::VerifySoftwareToken => Self::TotpNotEnabledOnPool,
                _ => Self::TotpNotSetUp,
            },
            "InvalidParameterException" => {
                if error.message_has("flow not enabled")
                    || error.message_has("flow is not enabled")
                    || error.message_has("not enabled for this client")
                {
                    Self::AuthFlowNotEnabled
                } else if error.message_has("not verified software token") {
                    Self::TotpNotSetUp
                } else if error.message_has("software token mfa")
                    && error.message_has("not enabled")
                {
                    Self::TotpNotEnabledOnPool
                } else {
                    Self::Service { operation, error }
                }
            }
            "FeatureUnavailableInTierException" => Self::FeatureNotInTier(error),
            "TooManyRequestsException" | "LimitExceededException" | "ThrottlingException" => {
                Self::Throttled(error)
            }
            _ => Self::Service { operation, error },
        }
    }

    /// The variant's name (`"CodeMismatch"`, `"SessionExpired"`, ...): a
    /// stable word for logs, metrics and command-line output.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CodeMismatch => "CodeMismatch",
            Self::CodeAlreadyUsed => "CodeAlreadyUsed",
            Self::SessionExpired => "SessionExpired",
            Self::AccessTokenRejected => "AccessTokenRejected",
            Self::RefreshTokenRejected => "RefreshTokenRejected",
            Self::WrongCredentials => "WrongCredentials",
            Self::UserNotFound => "UserNotFound",
            Self::DeviceNotFound => "DeviceNotFound",
            Self::UserNotConfirmed => "UserNotConfirmed",
            Self::PasswordResetRequired => "PasswordResetRequired",
            Self::UserDisabled => "UserDisabled",
            Self::PasswordPolicy(_) => "PasswordPolicy",
            Self::TotpNotEnabledOnPool => "TotpNotEnabledOnPool",
            Self::TotpNotSetUp => "TotpNotSetUp",
            Self::AuthFlowNotEnabled => "AuthFlowNotEnabled",
            Self::FeatureNotInTier(_) => "FeatureNotInTier",
            Self::SecretHashMismatch => "SecretHashMismatch",
            Self::FederatedUser => "FederatedUser",
            Self::Throttled(_) => "Throttled",
            Self::InvalidInput(_) => "InvalidInput",
            Self::UnsupportedChallenge { .. } => "UnsupportedChallenge",
            Self::UnexpectedResponse { .. } => "UnexpectedResponse",
            Self::Srp { .. } => "Srp",
            Self::Transport(_) => "Transport",
            Self::NotSupported { .. } => "NotSupported",
            Self::Service { .. } => "Service",
        }
    }

    /// What to do next.
    pub fn recovery(&self) -> Recovery {
        match self {
            Self::CodeMismatch => Recovery::RetrySameStep,
            Self::CodeAlreadyUsed => Recovery::WaitForNextCode,
            Self::SessionExpired
            | Self::AccessTokenRejected
            | Self::RefreshTokenRejected
            | Self::WrongCredentials
            | Self::DeviceNotFound
            | Self::UnsupportedChallenge { .. }
            | Self::Srp { .. } => Recovery::Restart,
            // A mistyped code (five digits, a letter) is the person's to fix.
            Self::InvalidInput(i) if i.field() == Field::UserCode => Recovery::RetrySameStep,
            Self::PasswordPolicy(_) => Recovery::RetrySameStep,
            Self::Throttled(_) => Recovery::RetryLater,
            Self::Transport(t) if !t.may_have_reached_service() => Recovery::RetryLater,
            // An answer that may have arrived may have spent the code and the
            // Session: starting over is the only safe move.
            Self::Transport(_) => Recovery::Restart,
            // A call that carried a one-time code and failed on the
            // service's side may have spent the code: never send it again.
            Self::Service { operation, error }
                if error.is_server_error() && operation.carries_one_time_code() =>
            {
                Recovery::WaitForNextCode
            }
            Self::Service { error, .. } if error.is_server_error() => Recovery::RetryLater,
            // NotAuthorized that says nothing more (moto's admin wrong
            // password is the user name alone): the step can't go on.
            Self::Service { error, .. } if error.code() == "NotAuthorizedException" => {
                Recovery::Restart
            }
            _ => Recovery::Fix,
        }
    }

    /// Whether the same request may be sent again later unchanged.
    pub fn is_retryable(&self) -> bool {
        self.recovery() == Recovery::RetryLater
    }

    /// Whether the same challenge or pending enrollment may be answered again
    /// (with a new code).
    pub fn can_retry_challenge(&self) -> bool {
        matches!(
            self.recovery(),
            Recovery::RetrySameStep | Recovery::WaitForNextCode
        )
    }

    /// Whether the sign-in must start over from the password step.
    pub fn must_restart(&self) -> bool {
        self.recovery() == Recovery::Restart
    }

    /// The service's error code, where the error came from the service.
    pub fn service_code(&self) -> Option<&str> {
        match self {
            Self::Throttled(e) | Self::PasswordPolicy(e) | Self::Service { error: e, .. } => {
                Some(e.code())
            }
            _ => None,
        }
    }

    /// The same error with [`ServiceError::redact`] applied to the service
    /// error it keeps, if any: what a backend does after mapping.
    #[must_use]
    pub fn redact(self, secrets: &[&str]) -> Self {
        match self {
            Self::Throttled(e) => Self::Throttled(e.redact(secrets)),
            Self::PasswordPolicy(e) => Self::PasswordPolicy(e.redact(secrets)),
            Self::Service { operation, error } => Self::Service {
                operation,
                error: error.redact(secrets),
            },
            other => other,
        }
    }

    pub(crate) fn invalid(field: Field, reason: impl Into<String>) -> Self {
        Self::InvalidInput(InvalidInput::new(field, reason))
    }

    pub(crate) fn unexpected(operation: Operation, what: &'static str) -> Self {
        Self::UnexpectedResponse { operation, what }
    }
}

/// An error that hands back the state it happened in, where that state is
/// still good for another try.
///
/// A wrong code returns the same pending enrollment or challenge in
/// [`Rejected::retry`], so the person can type the code again without a new
/// secret or a new password step.
pub struct Rejected<T> {
    error: Error,
    retry: Option<T>,
}

impl<T> Rejected<T> {
    pub(crate) fn new(error: Error, state: T) -> Self {
        // A mistyped code, a reused one, or a request that never counted
        // (throttled, not sent) leaves the state good for another try.
        let retry = (error.can_retry_challenge() || error.is_retryable()).then_some(state);
        Self { error, retry }
    }

    /// Hands the state back whatever the error: for input the caller can
    /// correct on the same step (a factor not on offer, a missing attribute).
    pub(crate) fn keep(error: Error, state: T) -> Self {
        Self {
            error,
            retry: Some(state),
        }
    }

    pub(crate) fn fatal(error: Error) -> Self {
        Self { error, retry: None }
    }

    /// The error.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The state to try again with, if the error allows another try.
    pub fn retry(self) -> Option<T> {
        self.retry
    }

    /// Both halves.
    pub fn into_parts(self) -> (Error, Option<T>) {
        (self.error, self.retry)
    }

    /// The error alone, dropping the state.
    pub fn into_error(self) -> Error {
        self.error
    }
}

impl<T> fmt::Debug for Rejected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The state holds Sessions and secrets: show only whether it is there.
        f.debug_struct("Rejected")
            .field("error", &self.error)
            .field("can_retry", &self.retry.is_some())
            .finish()
    }
}

impl<T> fmt::Display for Rejected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<T> std::error::Error for Rejected<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<T> From<Rejected<T>> for Error {
    fn from(rejected: Rejected<T>) -> Self {
        rejected.error
    }
}
