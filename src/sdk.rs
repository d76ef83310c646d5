//! [`SdkBackend`]: [`CognitoBackend`] over the AWS SDK for Rust.
//!
//! This is the only module that names AWS SDK types. It translates the
//! crate's requests into SDK calls, the SDK's answers into the crate's
//! types, and the SDK's errors into [`Error`] through
//! [`Error::from_service`], keyed on the exception code.

use crate::backend::{
    Api, AppClient, AssociatedSoftwareToken, AuthResponse, AuthTokens, ChallengeName,
    CognitoBackend, ConfirmDeviceRequest, Device, DeviceConfiguration, DevicePage,
    DeviceRememberedStatus, FactorPreference, InitiateAuthRequest, MfaFactor, MfaPreferenceUpdate,
    NewDeviceMetadata, Parameters, PoolMfaConfig, PoolMfaMode, RespondToAuthChallengeRequest,
    TokenAuth, UserMfaSettings, UserPoolDescription, UserPoolTier, UserStatus, UserTarget,
    VerifiedSoftwareToken, VerifyStatus,
};
use crate::error::{Error, Operation, ServiceError, TransportError, TransportKind};
use crate::secret::{
    AccessToken, ClientSecret, IdToken, OneTimeCode, RefreshToken, Session, TotpSecret,
};
use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider as cip;
use cip::config::interceptors::{AfterDeserializationInterceptorContextRef, InterceptorContext};
use cip::config::retry::{ClassifyRetry, RetryAction};
use cip::config::timeout::TimeoutConfig;
use cip::config::{ConfigBag, Intercept, RuntimeComponents};
use cip::error::BoxError;
use cip::error::{ProvideErrorMetadata, SdkError};
use cip::operation::RequestId;
use cip::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType, DeviceRememberedStatusType,
    DeviceSecretVerifierConfigType, DeviceType, EmailMfaConfigType, EmailMfaSettingsType,
    SmsMfaSettingsType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
    VerifySoftwareTokenResponseType,
};
use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, SystemTime};
use tracing::instrument::WithSubscriber as _;

/// [`CognitoBackend`] over [`aws_sdk_cognitoidentityprovider::Client`].
///
/// Build it from your own client or `SdkConfig`: the crate never picks a
/// behavior version, region or credentials for you. The public calls
/// (InitiateAuth, AssociateSoftwareToken, ...) are authorised by the token
/// or Session they carry; the admin calls need IAM credentials in the config.
///
/// # Bounded by default
///
/// A server that never answers, or answers a byte a second, must not hold a
/// sign-in forever. Where the config sets no timeout of its own, the
/// backend applies [`DEFAULT_CONNECT_TIMEOUT`](Self::DEFAULT_CONNECT_TIMEOUT),
/// [`DEFAULT_ATTEMPT_TIMEOUT`](Self::DEFAULT_ATTEMPT_TIMEOUT) (one request,
/// sent to the last byte of its answer) and
/// [`DEFAULT_OPERATION_TIMEOUT`](Self::DEFAULT_OPERATION_TIMEOUT) (all
/// attempts of one call); a timeout the config sets, or disables, is kept.
/// An answer larger than [`MAX_ANSWER_BYTES`](Self::MAX_ANSWER_BYTES) is
/// refused as an unreadable answer before the crate keeps any of it.
///
/// ```no_run
/// # async fn demo() {
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let backend = cognito_mfa::SdkBackend::from_conf(&config);
/// # let _ = backend;
/// # }
/// ```
#[derive(Clone)]
pub struct SdkBackend {
    client: cip::Client,
    sdk_events: bool,
}

impl SdkBackend {
    /// How long connecting may take, unless the config says otherwise.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
    /// How long one request may take, from sending to the last byte of the
    /// answer, unless the config says otherwise.
    pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
    /// How long one call may take with all its retries, unless the config
    /// says otherwise.
    pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(25);
    /// The largest answer read: Cognito's largest (tokens, a WebAuthn
    /// challenge) are a few kilobytes.
    pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

    /// Wraps an SDK client, adding the default timeouts where its config has
    /// none and the bound on answers.
    pub fn new(client: cip::Client) -> Self {
        let config = client.config();
        Self::with_defaults(config.to_builder(), config.timeout_config())
    }

    /// Builds an SDK client from a shared config (`aws_config::load_defaults`),
    /// with the default timeouts where the config has none.
    pub fn from_conf(config: &aws_types::SdkConfig) -> Self {
        Self::with_defaults(cip::config::Builder::from(config), config.timeout_config())
    }

    /// Builds the client once, from `builder` with the default timeouts
    /// filled in where `set` (the caller's) has none, and the answer bound.
    fn with_defaults(builder: cip::config::Builder, set: Option<&TimeoutConfig>) -> Self {
        let defaults = TimeoutConfig::builder()
            .connect_timeout(Self::DEFAULT_CONNECT_TIMEOUT)
            .operation_attempt_timeout(Self::DEFAULT_ATTEMPT_TIMEOUT)
            .operation_timeout(Self::DEFAULT_OPERATION_TIMEOUT)
            .build();
        let mut timeouts = set
            .cloned()
            .unwrap_or_else(|| TimeoutConfig::builder().build());
        timeouts.take_defaults_from(&defaults);
        let config = builder
            .timeout_config(timeouts)
            .interceptor(BoundedAnswers)
            .build();
        Self {
            client: cip::Client::from_conf(config),
            sdk_events: false,
        }
    }

    /// Lets the AWS SDK's own tracing events through, inside this backend's
    /// calls. **They can hold secrets**: at DEBUG and TRACE the SDK prints
    /// the service's error messages and the request's fields verbatim, and
    /// a server (moto, or a hostile one) may echo a Session, a code or a
    /// password into them. Off by default; turn it on only to debug the
    /// transport, never where logs are kept.
    #[must_use]
    pub fn dangerous_show_sdk_events(mut self) -> Self {
        self.sdk_events = true;
        self
    }

    /// Where the SDK's own tracing events go during this backend's calls:
    /// nowhere, unless
    /// [`dangerous_show_sdk_events`](Self::dangerous_show_sdk_events) said
    /// otherwise. The crate's own spans and events are untouched.
    fn sdk_dispatch(&self) -> tracing::Dispatch {
        if self.sdk_events {
            tracing::dispatcher::get_default(tracing::Dispatch::clone)
        } else {
            // A constant: nothing is registered, so silencing costs a
            // thread-local swap per poll.
            tracing::Dispatch::none()
        }
    }

    /// The wrapped SDK client.
    pub fn client(&self) -> &cip::Client {
        &self.client
    }
}

impl fmt::Debug for SdkBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkBackend").finish_non_exhaustive()
    }
}

impl From<cip::Client> for SdkBackend {
    fn from(client: cip::Client) -> Self {
        Self::new(client)
    }
}

/// Refuses an answer larger than [`SdkBackend::MAX_ANSWER_BYTES`] before
/// anything of it is kept. (The SDK reads a body whole before an
/// interceptor sees its size; the timeouts bound how much a server can send
/// in that time.)
#[derive(Debug)]
struct BoundedAnswers;

impl Intercept for BoundedAnswers {
    fn name(&self) -> &'static str {
        "cognito-mfa: bounded answers"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let size = context.response().body().bytes().map_or(0, <[u8]>::len);
        let max = SdkBackend::MAX_ANSWER_BYTES;
        if size > max {
            return Err(format!("an answer of {size} bytes, over {max}").into());
        }
        Ok(())
    }
}

/// Forbids the SDK's automatic retry of a request that carries a one-time
/// code once the request may have reached the service (a time-out, a broken
/// connection, an unreadable answer, a 5xx): the service may have accepted
/// the code, and a resend would be refused as a reused code or, worse, hide
/// what happened. Throttling (a 4xx the service answers before it looks at
/// the code) is still retried as the caller's retry config says. The caller
/// sees the error, and its recovery says not to send the code again.
#[derive(Debug)]
struct NoResendOfCodes;

impl ClassifyRetry for NoResendOfCodes {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let server_error = ctx.response().is_some_and(|r| r.status().as_u16() >= 500);
        match ctx.output_or_error() {
            Some(Err(e)) if !e.is_operation_error() => RetryAction::RetryForbidden,
            Some(Err(_)) if server_error => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "cognito-mfa: never resend a one-time code"
    }
}

/// The per-call config override for calls that carry a code.
fn no_resend() -> cip::config::Builder {
    cip::Config::builder().retry_classifier(NoResendOfCodes)
}

/// Maps an SDK error: service errors by exception code, the rest by how far
/// the request got.
///
/// `sent` are the values the request carried: the error is mapped on the
/// service's own words first, then whatever repeats one of them is withheld.
fn map_err<E>(operation: Operation, err: SdkError<E>, sent: &[&str]) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let kind = match &err {
        SdkError::ServiceError(ctx) => {
            let e = ctx.err();
            let mut service = ServiceError::from_parts(e.code(), e.message(), err.request_id());
            if let Some(response) = err.raw_response() {
                service = service.with_http_status(response.status().as_u16());
            }
            return Error::from_service(operation, service).redact(sent);
        }
        SdkError::ConstructionFailure(_) => TransportKind::NotSent,
        SdkError::TimeoutError(_) => TransportKind::TimedOut,
        SdkError::DispatchFailure(d) if d.is_timeout() => TransportKind::TimedOut,
        // A refused connection carried nothing: safe to send again.
        SdkError::DispatchFailure(_) if connection_refused(&err) => TransportKind::NotSent,
        SdkError::DispatchFailure(_) => TransportKind::Io,
        _ => TransportKind::BadResponse,
    };
    let detail = match kind {
        // An unreadable answer's context holds the raw response, body
        // included, and a body may hold a secret (a SecretCode, tokens):
        // keep only the HTTP status.
        TransportKind::BadResponse => match err.raw_response() {
            Some(response) => format!(
                "unreadable answer with HTTP status {}",
                response.status().as_u16()
            ),
            None => "unreadable answer".to_owned(),
        },
        // The other failures happen before an answer exists: their causes
        // name the connection or the timer, never request content.
        _ => causes(&err),
    };
    Error::Transport(TransportError::new(kind, operation, detail))
}

/// The error's Display and its causes', joined: the SDK's own context
/// printer appends a Debug dump that is long and says nothing more.
fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.ends_with(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// Whether an I/O error in the chain is a refused connection.
fn connection_refused(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(cause) = source {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        source = cause.source();
    }
    false
}

fn auth_secret(auth: &TokenAuth) -> &str {
    match auth {
        TokenAuth::AccessToken(t) => t.expose_secret(),
        TokenAuth::Session(s) => s.expose_secret(),
    }
}

fn target_secret(user: &UserTarget) -> &str {
    match user {
        UserTarget::AccessToken(t) => t.expose_secret(),
        UserTarget::Admin { .. } => "",
    }
}

fn factor_list(names: &[String]) -> Vec<MfaFactor> {
    names.iter().filter_map(|n| MfaFactor::parse(n)).collect()
}

fn software_token_settings(p: FactorPreference) -> SoftwareTokenMfaSettingsType {
    SoftwareTokenMfaSettingsType::builder()
        .enabled(p.enabled)
        .preferred_mfa(p.preferred)
        .build()
}

fn sms_settings(p: FactorPreference) -> SmsMfaSettingsType {
    SmsMfaSettingsType::builder()
        .enabled(p.enabled)
        .preferred_mfa(p.preferred)
        .build()
}

fn email_settings(p: FactorPreference) -> EmailMfaSettingsType {
    EmailMfaSettingsType::builder()
        .enabled(p.enabled)
        .preferred_mfa(p.preferred)
        .build()
}

fn to_sdk_params(params: &Parameters) -> HashMap<String, String> {
    params
        .expose_all()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn tokens(operation: Operation, r: &AuthenticationResultType) -> Result<AuthTokens, Error> {
    let access = r.access_token().ok_or(Error::unexpected(
        operation,
        "AuthenticationResult without AccessToken",
    ))?;
    Ok(AuthTokens::new(
        AccessToken::new(access),
        Duration::from_secs(u64::try_from(r.expires_in()).unwrap_or(0)),
    )
    .with_id_token(r.id_token().map(IdToken::new))
    .with_refresh_token(r.refresh_token().map(RefreshToken::new))
    .with_token_type(r.token_type().unwrap_or("Bearer"))
    .with_new_device(r.new_device_metadata().and_then(|m| {
        Some(NewDeviceMetadata::new(
            m.device_key()?,
            m.device_group_key()?,
        ))
    })))
}

fn device(d: &DeviceType) -> Device {
    let date =
        |d: Option<&cip::primitives::DateTime>| d.and_then(|d| SystemTime::try_from(*d).ok());
    Device::new(d.device_key().unwrap_or_default())
        .with_attributes(
            d.device_attributes()
                .iter()
                .map(|a| {
                    (
                        a.name().to_owned(),
                        a.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
        )
        .with_dates(
            date(d.device_create_date()),
            date(d.device_last_modified_date()),
            date(d.device_last_authenticated_date()),
        )
}

fn remembered_status(status: DeviceRememberedStatus) -> DeviceRememberedStatusType {
    match status {
        DeviceRememberedStatus::Remembered => DeviceRememberedStatusType::Remembered,
        DeviceRememberedStatus::NotRemembered => DeviceRememberedStatusType::NotRemembered,
    }
}

/// InitiateAuth, RespondToAuthChallenge and their admin twins answer with
/// the same fields under four types.
trait AuthAnswer {
    fn challenge_name(&self) -> Option<&ChallengeNameType>;
    fn session(&self) -> Option<&str>;
    fn challenge_parameters(&self) -> Option<&HashMap<String, String>>;
    fn authentication_result(&self) -> Option<&AuthenticationResultType>;
    fn available_challenges(&self) -> &[ChallengeNameType];
}

macro_rules! auth_answer {
    ($($output:ty),*) => {$(
        impl AuthAnswer for $output {
            fn challenge_name(&self) -> Option<&ChallengeNameType> {
                self.challenge_name()
            }
            fn session(&self) -> Option<&str> {
                self.session()
            }
            fn challenge_parameters(&self) -> Option<&HashMap<String, String>> {
                self.challenge_parameters()
            }
            fn authentication_result(&self) -> Option<&AuthenticationResultType> {
                self.authentication_result()
            }
            fn available_challenges(&self) -> &[ChallengeNameType] {
                self.available_challenges()
            }
        }
    )*};
}

auth_answer!(
    cip::operation::initiate_auth::InitiateAuthOutput,
    cip::operation::admin_initiate_auth::AdminInitiateAuthOutput,
    cip::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    cip::operation::admin_respond_to_auth_challenge::AdminRespondToAuthChallengeOutput
);

fn auth_response(operation: Operation, out: &impl AuthAnswer) -> Result<AuthResponse, Error> {
    Ok(AuthResponse {
        challenge: out
            .challenge_name()
            .map(|c| ChallengeName::parse(c.as_str())),
        session: out.session().map(Session::new),
        parameters: out
            .challenge_parameters()
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        available_challenges: out
            .available_challenges()
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        tokens: out
            .authentication_result()
            .map(|r| tokens(operation, r))
            .transpose()?,
    })
}

fn pool_mfa_config(
    operation: Operation,
    mode: Option<&UserPoolMfaType>,
    software_token: Option<&SoftwareTokenMfaConfigType>,
) -> Result<PoolMfaConfig, Error> {
    let mode = match mode.map(UserPoolMfaType::as_str) {
        Some("ON") => PoolMfaMode::On,
        Some("OPTIONAL") => PoolMfaMode::Optional,
        // Cognito leaves MfaConfiguration out for a pool that never set it.
        Some("OFF") | None => PoolMfaMode::Off,
        Some(_) => return Err(Error::unexpected(operation, "unknown MfaConfiguration")),
    };
    Ok(PoolMfaConfig::new(
        mode,
        software_token.is_some_and(SoftwareTokenMfaConfigType::enabled),
    ))
}

#[async_trait]
impl CognitoBackend for SdkBackend {
    async fn associate_software_token(
        &self,
        auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error> {
        const OP: Operation = Operation::AssociateSoftwareToken;
        let call = self.client.associate_software_token();
        let call = match &auth {
            TokenAuth::AccessToken(t) => call.access_token(t.expose_secret()),
            TokenAuth::Session(s) => call.session(s.expose_secret()),
        };
        let sent = [auth_secret(&auth)];
        let out = call
            .send()
            .with_subscriber(self.sdk_dispatch())
            .await
            .map_err(|e| map_err(OP, e, &sent))?;
        let secret = out
            .secret_code()
            .ok_or(Error::unexpected(OP, "no SecretCode"))?;
        Ok(AssociatedSoftwareToken::new(
            TotpSecret::new(secret),
            out.session().map(Session::new),
        ))
    }

    async fn verify_software_token(
        &self,
        auth: TokenAuth,
        code: OneTimeCode,
        friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error> {
        const OP: Operation = Operation::VerifySoftwareToken;
        let call = self
            .client
            .verify_software_token()
            .user_code(code.expose_secret())
            .set_friendly_device_name(friendly_device_name);
        let call = match &auth {
            TokenAuth::AccessToken(t) => call.access_token(t.expose_secret()),
            TokenAuth::Session(s) => call.session(s.expose_secret()),
        };
        let sent = [auth_secret(&auth), code.expose_secret()];
        let out = call
            .customize()
            .config_override(no_resend())
            .send()
            .with_subscriber(self.sdk_dispatch())
            .await
            .map_err(|e| map_err(OP, e, &sent))?;
        let status = match out.status() {
            Some(VerifySoftwareTokenResponseType::Success) => VerifyStatus::Success,
            Some(_) => VerifyStatus::Error,
            None => return Err(Error::unexpected(OP, "no Status")),
        };
        Ok(VerifiedSoftwareToken::new(
            status,
            out.session().map(Session::new),
        ))
    }

    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        let op = user.set_preference_operation();
        let secret = target_secret(&user).to_owned();
        let sent = [secret.as_str()];
        match user {
            UserTarget::AccessToken(token) => {
                self.client
                    .set_user_mfa_preference()
                    .access_token(token.expose_secret())
                    .set_software_token_mfa_settings(
                        update.software_token.map(software_token_settings),
                    )
                    .set_sms_mfa_settings(update.sms.map(sms_settings))
                    .set_email_mfa_settings(update.email.map(email_settings))
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
            }
            UserTarget::Admin {
                user_pool_id,
                username,
            } => {
                self.client
                    .admin_set_user_mfa_preference()
                    .user_pool_id(user_pool_id)
                    .username(username)
                    .set_software_token_mfa_settings(
                        update.software_token.map(software_token_settings),
                    )
                    .set_sms_mfa_settings(update.sms.map(sms_settings))
                    .set_email_mfa_settings(update.email.map(email_settings))
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
            }
        }
        Ok(())
    }

    async fn get_user_mfa_settings(&self, user: UserTarget) -> Result<UserMfaSettings, Error> {
        let op = user.get_operation();
        let secret = target_secret(&user).to_owned();
        let sent = [secret.as_str()];
        match user {
            UserTarget::AccessToken(token) => {
                let out = self
                    .client
                    .get_user()
                    .access_token(token.expose_secret())
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
                Ok(UserMfaSettings::new(out.username())
                    .with_enabled(factor_list(out.user_mfa_setting_list()))
                    .with_preferred(out.preferred_mfa_setting().and_then(MfaFactor::parse)))
            }
            UserTarget::Admin {
                user_pool_id,
                username,
            } => {
                let out = self
                    .client
                    .admin_get_user()
                    .user_pool_id(user_pool_id)
                    .username(username)
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
                let settings = UserMfaSettings::new(out.username())
                    .with_enabled(factor_list(out.user_mfa_setting_list()))
                    .with_preferred(out.preferred_mfa_setting().and_then(MfaFactor::parse));
                Ok(match out.user_status() {
                    Some(status) => {
                        settings.with_account(UserStatus::parse(status.as_str()), out.enabled())
                    }
                    None => settings,
                })
            }
        }
    }

    async fn admin_delete_software_token(
        &self,
        user_pool_id: String,
        username: String,
    ) -> Result<(), Error> {
        self.client
            .admin_delete_software_token()
            .user_pool_id(user_pool_id)
            .username(username)
            .send()
            .with_subscriber(self.sdk_dispatch())
            .await
            .map_err(|e| map_err(Operation::AdminDeleteSoftwareToken, e, &[]))?;
        Ok(())
    }

    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        let op = request.operation();
        let flow = AuthFlowType::from(request.flow.as_str());
        let params = Some(to_sdk_params(&request.parameters));
        let sent: Vec<&str> = request.parameters.expose_all().map(|(_, v)| v).collect();
        match request.api {
            Api::Admin { user_pool_id } => {
                let out = self
                    .client
                    .admin_initiate_auth()
                    .user_pool_id(user_pool_id)
                    .client_id(request.client_id)
                    .auth_flow(flow)
                    .set_auth_parameters(params)
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
                auth_response(op, &out)
            }
            Api::Public => {
                let out = self
                    .client
                    .initiate_auth()
                    .client_id(request.client_id)
                    .auth_flow(flow)
                    .set_auth_parameters(params)
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
                auth_response(op, &out)
            }
        }
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        let op = request.operation();
        let challenge = ChallengeNameType::from(request.challenge.as_str());
        let responses = Some(to_sdk_params(&request.responses));
        let session = request
            .session
            .as_ref()
            .map(|s| s.expose_secret().to_owned());
        let sent: Vec<&str> = request
            .responses
            .expose_all()
            .map(|(_, v)| v)
            .chain(session.as_deref())
            .collect();
        match request.api {
            Api::Admin { user_pool_id } => {
                let out = self
                    .client
                    .admin_respond_to_auth_challenge()
                    .user_pool_id(user_pool_id)
                    .client_id(request.client_id)
                    .challenge_name(challenge)
                    .set_session(session.clone())
                    .set_challenge_responses(responses)
                    .customize()
                    .config_override(no_resend())
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
                auth_response(op, &out)
            }
            Api::Public => {
                let out = self
                    .client
                    .respond_to_auth_challenge()
                    .client_id(request.client_id)
                    .challenge_name(challenge)
                    .set_session(session.clone())
                    .set_challenge_responses(responses)
                    .customize()
                    .config_override(no_resend())
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
                auth_response(op, &out)
            }
        }
    }

    async fn get_user_pool_mfa_config(&self, user_pool_id: String) -> Result<PoolMfaConfig, Error> {
        const OP: Operation = Operation::GetUserPoolMfaConfig;
        let out = self
            .client
            .get_user_pool_mfa_config()
            .user_pool_id(user_pool_id)
            .send()
            .with_subscriber(self.sdk_dispatch())
            .await
            .map_err(|e| map_err(OP, e, &[]))?;
        Ok(pool_mfa_config(
            OP,
            out.mfa_configuration(),
            out.software_token_mfa_configuration(),
        )?
        .with_email(out.email_mfa_configuration().is_some()))
    }

    async fn set_user_pool_mfa_config(
        &self,
        user_pool_id: String,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        const OP: Operation = Operation::SetUserPoolMfaConfig;
        let out = self
            .client
            .set_user_pool_mfa_config()
            .user_pool_id(user_pool_id)
            .mfa_configuration(UserPoolMfaType::from(config.mode.as_str()))
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder()
                    .enabled(config.software_token_enabled)
                    .build(),
            )
            // Present turns email MFA on, with Cognito's default message;
            // absent leaves it as it is.
            .set_email_mfa_configuration(
                config
                    .email_enabled
                    .then(|| EmailMfaConfigType::builder().build()),
            )
            .send()
            .with_subscriber(self.sdk_dispatch())
            .await
            .map_err(|e| map_err(OP, e, &[]))?;
        Ok(pool_mfa_config(
            OP,
            out.mfa_configuration(),
            out.software_token_mfa_configuration(),
        )?
        .with_email(out.email_mfa_configuration().is_some()))
    }

    async fn describe_user_pool_client(
        &self,
        user_pool_id: String,
        client_id: String,
    ) -> Result<AppClient, Error> {
        const OP: Operation = Operation::DescribeUserPoolClient;
        let out = self
            .client
            .describe_user_pool_client()
            .user_pool_id(user_pool_id)
            .client_id(client_id)
            .send()
            .with_subscriber(self.sdk_dispatch())
            .await
            .map_err(|e| map_err(OP, e, &[]))?;
        let client = out
            .user_pool_client()
            .ok_or(Error::unexpected(OP, "no UserPoolClient"))?;
        Ok(AppClient::new(client.client_id().unwrap_or_default())
            .with_name(client.client_name().map(str::to_owned))
            .with_secret(client.client_secret().map(ClientSecret::new))
            .with_auth_flows(
                client
                    .explicit_auth_flows()
                    .iter()
                    .map(|f| f.as_str().to_owned())
                    .collect(),
            )
            .with_session_validity(
                client
                    .auth_session_validity()
                    .and_then(|m| u64::try_from(m).ok())
                    .map(|m| Duration::from_secs(m * 60)),
            ))
    }

    async fn confirm_device(&self, request: ConfirmDeviceRequest) -> Result<bool, Error> {
        const OP: Operation = Operation::ConfirmDevice;
        let secret = request.access_token.expose_secret().to_owned();
        let sent = [secret.as_str()];
        let verifier = DeviceSecretVerifierConfigType::builder()
            .password_verifier(request.verifier.password_verifier)
            .salt(request.verifier.salt)
            .build();
        let out = self
            .client
            .confirm_device()
            .access_token(request.access_token.expose_secret())
            .device_key(request.device_key)
            .set_device_name(request.device_name)
            .device_secret_verifier_config(verifier)
            .send()
            .with_subscriber(self.sdk_dispatch())
            .await
            .map_err(|e| map_err(OP, e, &sent))?;
        Ok(out.user_confirmation_necessary())
    }

    async fn update_device_status(
        &self,
        user: UserTarget,
        device_key: String,
        status: DeviceRememberedStatus,
    ) -> Result<(), Error> {
        let op = user.update_device_status_operation();
        let secret = target_secret(&user).to_owned();
        let sent = [secret.as_str()];
        match user {
            UserTarget::AccessToken(token) => {
                self.client
                    .update_device_status()
                    .access_token(token.expose_secret())
                    .device_key(device_key)
                    .device_remembered_status(remembered_status(status))
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
            }
            UserTarget::Admin {
                user_pool_id,
                username,
            } => {
                self.client
                    .admin_update_device_status()
                    .user_pool_id(user_pool_id)
                    .username(username)
                    .device_key(device_key)
                    .device_remembered_status(remembered_status(status))
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
            }
        }
        Ok(())
    }

    async fn list_devices(
        &self,
        user: UserTarget,
        limit: Option<u32>,
        pagination_token: Option<String>,
    ) -> Result<DevicePage, Error> {
        let op = user.list_devices_operation();
        let secret = target_secret(&user).to_owned();
        let sent = [secret.as_str()];
        let limit = limit.and_then(|l| i32::try_from(l).ok());
        let (devices, next) = match user {
            UserTarget::AccessToken(token) => {
                let out = self
                    .client
                    .list_devices()
                    .access_token(token.expose_secret())
                    .set_limit(limit)
                    .set_pagination_token(pagination_token)
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
                (
                    out.devices().iter().map(device).collect(),
                    out.pagination_token().map(str::to_owned),
                )
            }
            UserTarget::Admin {
                user_pool_id,
                username,
            } => {
                let out = self
                    .client
                    .admin_list_devices()
                    .user_pool_id(user_pool_id)
                    .username(username)
                    .set_limit(limit)
                    .set_pagination_token(pagination_token)
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
                (
                    out.devices().iter().map(device).collect(),
                    out.pagination_token().map(str::to_owned),
                )
            }
        };
        Ok(DevicePage::new(devices, next))
    }

    async fn get_device(&self, user: UserTarget, device_key: String) -> Result<Device, Error> {
        let op = user.get_device_operation();
        let secret = target_secret(&user).to_owned();
        let sent = [secret.as_str()];
        let found = match user {
            UserTarget::AccessToken(token) => self
                .client
                .get_device()
                .access_token(token.expose_secret())
                .device_key(device_key)
                .send()
                .with_subscriber(self.sdk_dispatch())
                .await
                .map_err(|e| map_err(op, e, &sent))?
                .device()
                .map(device),
            UserTarget::Admin {
                user_pool_id,
                username,
            } => self
                .client
                .admin_get_device()
                .user_pool_id(user_pool_id)
                .username(username)
                .device_key(device_key)
                .send()
                .with_subscriber(self.sdk_dispatch())
                .await
                .map_err(|e| map_err(op, e, &sent))?
                .device()
                .map(device),
        };
        found.ok_or(Error::unexpected(op, "no Device"))
    }

    async fn forget_device(&self, user: UserTarget, device_key: String) -> Result<(), Error> {
        let op = user.forget_device_operation();
        let secret = target_secret(&user).to_owned();
        let sent = [secret.as_str()];
        match user {
            UserTarget::AccessToken(token) => {
                self.client
                    .forget_device()
                    .access_token(token.expose_secret())
                    .device_key(device_key)
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
            }
            UserTarget::Admin {
                user_pool_id,
                username,
            } => {
                self.client
                    .admin_forget_device()
                    .user_pool_id(user_pool_id)
                    .username(username)
                    .device_key(device_key)
                    .send()
                    .with_subscriber(self.sdk_dispatch())
                    .await
                    .map_err(|e| map_err(op, e, &sent))?;
            }
        }
        Ok(())
    }

    async fn describe_user_pool(&self, user_pool_id: String) -> Result<UserPoolDescription, Error> {
        const OP: Operation = Operation::DescribeUserPool;
        let out = self
            .client
            .describe_user_pool()
            .user_pool_id(user_pool_id)
            .send()
            .with_subscriber(self.sdk_dispatch())
            .await
            .map_err(|e| map_err(OP, e, &[]))?;
        let pool = out
            .user_pool()
            .ok_or(Error::unexpected(OP, "no UserPool"))?;
        Ok(UserPoolDescription::new()
            .with_device_configuration(pool.device_configuration().map(|c| {
                DeviceConfiguration::new(
                    c.challenge_required_on_new_device(),
                    c.device_only_remembered_on_user_prompt(),
                )
            }))
            .with_tier(
                pool.user_pool_tier()
                    .map(|t| UserPoolTier::parse(t.as_str())),
            )
            .with_first_auth_factors(
                pool.policies()
                    .and_then(|p| p.sign_in_policy())
                    .map(|s| {
                        s.allowed_first_auth_factors()
                            .iter()
                            .map(|f| f.as_str().to_owned())
                            .collect()
                    })
                    .unwrap_or_default(),
            ))
    }
}
