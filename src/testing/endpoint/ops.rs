//! The calls: a `match` from the operation name to a handler, each turning
//! the JSON request into the crate's request types and calling the pool's
//! raw (unmapped) entry points, so the answer carries Cognito's own
//! exception code and message.

use super::wire;
use crate::backend::{
    Api, AuthFlow, AuthResponse, ChallengeName, ConfirmDeviceRequest, Device, DeviceConfiguration,
    DeviceRememberedStatus, DeviceVerifier, FactorPreference, InitiateAuthRequest, MfaFactor,
    MfaPreferenceUpdate, Parameters, PoolMfaConfig, PoolMfaMode, RespondToAuthChallengeRequest,
    TokenAuth, UserMfaSettings, UserPoolTier, UserTarget, VerifyStatus,
};
use crate::clock::Clock;
use crate::error::ServiceError;
use crate::secret::{AccessToken, OneTimeCode, Session};
use crate::testing::{ClientOptions, InMemoryPool};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// One user pool served: the pool and the name it was created with.
struct Served {
    name: String,
    pool: InMemoryPool,
}

/// The pools a server holds, by pool id, on one clock.
pub(super) struct State {
    clock: Arc<dyn Clock>,
    pools: RwLock<BTreeMap<String, Served>>,
}

impl State {
    pub(super) fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            pools: RwLock::new(BTreeMap::new()),
        }
    }

    /// A new empty pool (CreateUserPool).
    pub(super) fn create_pool(&self, name: &str) -> InMemoryPool {
        let pool = InMemoryPool::with_clock(Arc::clone(&self.clock));
        self.pools
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                pool.pool_id().to_owned(),
                Served {
                    name: name.to_owned(),
                    pool: pool.clone(),
                },
            );
        pool
    }

    /// Removes a pool whose creation was refused half-way.
    fn drop_pool(&self, id: &str) {
        self.pools
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
    }

    pub(super) fn pool(&self, id: &str) -> Option<InMemoryPool> {
        self.read(|pools| pools.get(id).map(|s| s.pool.clone()))
    }

    pub(super) fn pool_ids(&self) -> Vec<String> {
        self.read(|pools| pools.keys().cloned().collect())
    }

    fn read<R>(&self, f: impl FnOnce(&BTreeMap<String, Served>) -> R) -> R {
        f(&self.pools.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn named_pool(&self, id: &str) -> Result<InMemoryPool, ServiceError> {
        self.pool(id).ok_or_else(|| {
            ServiceError::new(
                "ResourceNotFoundException",
                format!("User pool {id} does not exist."),
            )
        })
    }

    /// The pool that has the app client.
    fn client_pool(&self, client_id: &str) -> Result<InMemoryPool, ServiceError> {
        self.read(|pools| {
            pools
                .values()
                .find(|s| {
                    s.pool
                        .raw_describe_client(s.pool.pool_id(), client_id)
                        .is_ok()
                })
                .map(|s| s.pool.clone())
        })
        .ok_or_else(|| {
            ServiceError::new(
                "ResourceNotFoundException",
                format!("User pool client {client_id} does not exist."),
            )
        })
    }

    /// The pool that issued a Session or access token. One nobody holds
    /// (spent, expired and swept, made up) goes to any pool, which answers
    /// as Cognito does for a token it does not know.
    fn token_pool(&self, auth: &TokenAuth) -> Result<InMemoryPool, ServiceError> {
        self.read(|pools| {
            pools
                .values()
                .find(|s| s.pool.raw_issued(auth))
                .or_else(|| pools.values().next())
                .map(|s| s.pool.clone())
        })
        .ok_or_else(|| match auth {
            TokenAuth::Session(_) => {
                ServiceError::new("NotAuthorizedException", "Invalid session for the user.")
            }
            TokenAuth::AccessToken(_) => {
                ServiceError::new("NotAuthorizedException", "Invalid Access Token")
            }
        })
    }
}

/// An answer's body, or the exception to send.
pub(super) type Answer = Result<Vec<u8>, ServiceError>;

/// Runs `operation` on `body`.
pub(super) fn dispatch(state: &State, operation: &str, body: &[u8]) -> Answer {
    match operation {
        "AssociateSoftwareToken" => call(body, |r| associate(state, r)),
        "VerifySoftwareToken" => call(body, |r| verify(state, r)),
        "SetUserMFAPreference" | "AdminSetUserMFAPreference" => {
            call(body, |r| set_preference(state, r))
        }
        "GetUser" | "AdminGetUser" => call(body, |r| get_user(state, r)),
        "AdminDeleteSoftwareToken" => call(body, |r| delete_software_token(state, r)),
        "InitiateAuth" | "AdminInitiateAuth" => call(body, |r| initiate_auth(state, r)),
        "RespondToAuthChallenge" | "AdminRespondToAuthChallenge" => {
            call(body, |r| respond(state, r))
        }
        "GetUserPoolMfaConfig" => call(body, |r| get_mfa_config(state, r)),
        "SetUserPoolMfaConfig" => call(body, |r| set_mfa_config(state, r)),
        "DescribeUserPoolClient" => call(body, |r| describe_client(state, r)),
        "CreateUserPool" => call(body, |r| create_pool(state, r)),
        "DescribeUserPool" => call(body, |r| describe_pool(state, r)),
        "CreateUserPoolClient" => call(body, |r| create_client(state, r)),
        "AdminCreateUser" => call(body, |r| admin_create_user(state, r)),
        "AdminSetUserPassword" => call(body, |r| set_password(state, r)),
        "AdminUpdateUserAttributes" => call(body, |r| update_attributes(state, r)),
        "ConfirmDevice" => call(body, |r| confirm_device(state, r)),
        "UpdateDeviceStatus" | "AdminUpdateDeviceStatus" => {
            call(body, |r| update_device_status(state, r))
        }
        "ListDevices" | "AdminListDevices" => call(body, |r| list_devices(state, r)),
        "GetDevice" | "AdminGetDevice" => call(body, |r| get_device(state, r)),
        "ForgetDevice" | "AdminForgetDevice" => call(body, |r| forget_device(state, r)),
        other => Err(unknown_operation(other)),
    }
}

/// The exception for a call this endpoint does not serve.
pub(super) fn unknown_operation(operation: &str) -> ServiceError {
    // The name comes from the client: cut, so the answer stays small.
    let shown: String = operation.chars().take(128).collect();
    ServiceError::new(
        "UnknownOperationException",
        format!(
            "AWSCognitoIdentityProviderService.{shown} is not implemented by cognito-mfa's \
             local endpoint"
        ),
    )
}

/// Parses the request, runs the handler, serializes the answer.
fn call<Req, Resp>(body: &[u8], handler: impl FnOnce(Req) -> Result<Resp, ServiceError>) -> Answer
where
    Req: DeserializeOwned,
    Resp: Serialize,
{
    // Some clients send no body for a call without members.
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let request = serde_json::from_slice(body).map_err(|e| serialization_error(&e))?;
    let answer = handler(request)?;
    serde_json::to_vec(&answer)
        .map_err(|_| ServiceError::new("InternalErrorException", "Internal server error."))
}

/// A body that is not the call's JSON. serde's message can quote the
/// offending value (a password, say), so only a missing member's name or
/// the position is told.
fn serialization_error(error: &serde_json::Error) -> ServiceError {
    let text = error.to_string();
    let what = match text.find("missing field") {
        Some(at) => text
            .get(at..)
            .and_then(|t| t.split(" at line").next())
            .unwrap_or("missing field")
            .to_owned(),
        None => format!(
            "malformed request at line {} column {}",
            error.line(),
            error.column()
        ),
    };
    ServiceError::new("SerializationException", what)
}

fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidParameterException", message)
}

fn missing(member: &str) -> ServiceError {
    invalid_parameter(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
         Member must not be null"
    ))
}

/// The access token or the Session; Cognito wants exactly one.
fn token_auth(
    access_token: Option<String>,
    session: Option<String>,
) -> Result<TokenAuth, ServiceError> {
    match (access_token, session) {
        (Some(token), None) => Ok(TokenAuth::AccessToken(AccessToken::new(token))),
        (None, Some(session)) => Ok(TokenAuth::Session(Session::new(session))),
        _ => Err(invalid_parameter(
            "Exactly one of AccessToken and Session must be given",
        )),
    }
}

/// The user a settings call names: by access token, or pool and user name
/// (the admin twin).
fn user_target(
    state: &State,
    access_token: Option<String>,
    user_pool_id: Option<String>,
    username: Option<String>,
) -> Result<(InMemoryPool, UserTarget), ServiceError> {
    match (access_token, user_pool_id, username) {
        (Some(token), _, _) => {
            let token = AccessToken::new(token);
            let pool = state.token_pool(&TokenAuth::AccessToken(token.clone()))?;
            Ok((pool, UserTarget::AccessToken(token)))
        }
        (None, Some(user_pool_id), Some(username)) => Ok((
            state.named_pool(&user_pool_id)?,
            UserTarget::Admin {
                user_pool_id,
                username,
            },
        )),
        (None, None, _) => Err(missing("accessToken")),
        (None, Some(_), None) => Err(missing("username")),
    }
}

fn associate(
    state: &State,
    r: wire::TokenRequest,
) -> Result<wire::AssociateResponse, ServiceError> {
    let auth = token_auth(r.access_token, r.session)?;
    let pool = state.token_pool(&auth)?;
    let answer = pool.raw_associate(&auth)?;
    Ok(wire::AssociateResponse {
        secret_code: answer.secret_code.expose_secret().to_owned(),
        session: answer.session.map(|s| s.expose_secret().to_owned()),
    })
}

fn verify(state: &State, r: wire::TokenRequest) -> Result<wire::VerifyResponse, ServiceError> {
    let auth = token_auth(r.access_token, r.session)?;
    let code = OneTimeCode::new(r.user_code.ok_or_else(|| missing("userCode"))?);
    let pool = state.token_pool(&auth)?;
    let answer = pool.raw_verify(&auth, &code, r.friendly_device_name.as_deref())?;
    Ok(wire::VerifyResponse {
        status: match answer.status {
            VerifyStatus::Success => "SUCCESS",
            _ => "ERROR",
        },
        session: answer.session.map(|s| s.expose_secret().to_owned()),
    })
}

fn set_preference(state: &State, r: wire::PreferenceRequest) -> Result<wire::Empty, ServiceError> {
    let (pool, target) = user_target(state, r.access_token, r.user_pool_id, r.username)?;
    let preference = |s: wire::FactorSettings| FactorPreference::new(s.enabled, s.preferred_mfa);
    let mut update = MfaPreferenceUpdate::new();
    update.software_token = r.software_token_mfa_settings.map(preference);
    update.sms = r.sms_mfa_settings.map(preference);
    update.email = r.email_mfa_settings.map(preference);
    pool.raw_set_preference(&target, update)?;
    Ok(wire::Empty {})
}

fn attributes(list: Vec<(String, String)>) -> Vec<wire::Attribute> {
    list.into_iter()
        .map(|(name, value)| wire::Attribute { name, value })
        .collect()
}

fn get_user(state: &State, r: wire::UserRequest) -> Result<wire::UserResponse, ServiceError> {
    let (pool, target) = user_target(state, r.access_token, r.user_pool_id, r.username)?;
    let settings: UserMfaSettings = pool.raw_get_settings(&target)?;
    let user_attributes = attributes(pool.raw_user_attributes(&target)?);
    Ok(wire::UserResponse {
        username: settings.username,
        user_attributes,
        user_mfa_setting_list: settings.enabled.iter().map(|f| f.as_str()).collect(),
        preferred_mfa_setting: settings.preferred.map(MfaFactor::as_str),
        user_status: settings.status.map(|s| status_name(&s)),
        enabled: settings.account_enabled,
    })
}

fn status_name(status: &crate::backend::UserStatus) -> String {
    use crate::backend::UserStatus as S;
    match status {
        S::Confirmed => "CONFIRMED".to_owned(),
        S::Unconfirmed => "UNCONFIRMED".to_owned(),
        S::ForceChangePassword => "FORCE_CHANGE_PASSWORD".to_owned(),
        S::ResetRequired => "RESET_REQUIRED".to_owned(),
        S::ExternalProvider => "EXTERNAL_PROVIDER".to_owned(),
        S::Other(other) => other.clone(),
    }
}

fn delete_software_token(state: &State, r: wire::UserRequest) -> Result<wire::Empty, ServiceError> {
    let user_pool_id = r.user_pool_id.ok_or_else(|| missing("userPoolId"))?;
    let username = r.username.ok_or_else(|| missing("username"))?;
    state
        .named_pool(&user_pool_id)?
        .raw_delete_software_token(&user_pool_id, &username)?;
    Ok(wire::Empty {})
}

/// The API a sign-in call goes to, and the pool that serves it: the named
/// pool for the admin API (the client must be one of its own), the
/// client's pool for the public one.
fn sign_in_api(
    state: &State,
    user_pool_id: Option<String>,
    client_id: &str,
) -> Result<(InMemoryPool, Api), ServiceError> {
    match user_pool_id {
        Some(id) => Ok((state.named_pool(&id)?, Api::admin(id))),
        None => Ok((state.client_pool(client_id)?, Api::Public)),
    }
}

fn parameters(map: BTreeMap<String, String>) -> Parameters {
    map.into_iter()
        .fold(Parameters::new(), |p, (name, value)| p.with(name, value))
}

fn initiate_auth(
    state: &State,
    r: wire::InitiateAuthRequest,
) -> Result<wire::AuthResponse, ServiceError> {
    let flow = AuthFlow::parse(&r.auth_flow).ok_or_else(|| {
        invalid_parameter(format!(
            "1 validation error detected: Value '{}' at 'authFlow' failed to satisfy constraint: \
             Member must satisfy enum value set (served here: ADMIN_USER_PASSWORD_AUTH, \
             USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, USER_SRP_AUTH, USER_AUTH)",
            r.auth_flow.chars().take(64).collect::<String>()
        ))
    })?;
    let (pool, api) = sign_in_api(state, r.user_pool_id, &r.client_id)?;
    let request = InitiateAuthRequest::new(api, r.client_id, flow, parameters(r.auth_parameters));
    Ok(auth_response(pool.raw_initiate_auth(&request)?))
}

fn respond(state: &State, r: wire::RespondRequest) -> Result<wire::AuthResponse, ServiceError> {
    let (pool, api) = sign_in_api(state, r.user_pool_id, &r.client_id)?;
    let request = RespondToAuthChallengeRequest::new(
        api,
        r.client_id,
        ChallengeName::parse(&r.challenge_name),
        r.session.map(Session::new),
        parameters(r.challenge_responses),
    );
    Ok(auth_response(pool.raw_respond(&request)?))
}

fn auth_response(answer: AuthResponse) -> wire::AuthResponse {
    wire::AuthResponse {
        challenge_name: answer.challenge.map(|c| c.as_str().to_owned()),
        session: answer.session.map(|s| s.expose_secret().to_owned()),
        challenge_parameters: answer.parameters,
        available_challenges: answer.available_challenges,
        authentication_result: answer.tokens.map(|t| wire::AuthenticationResult {
            access_token: t.access_token.expose_secret().to_owned(),
            expires_in: t.expires_in.as_secs(),
            token_type: t.token_type,
            id_token: t.id_token.map(|x| x.expose_secret().to_owned()),
            refresh_token: t.refresh_token.map(|x| x.expose_secret().to_owned()),
            new_device_metadata: t.new_device.map(|d| wire::NewDeviceMetadata {
                device_key: d.device_key,
                device_group_key: d.device_group_key,
            }),
        }),
    }
}

fn mfa_mode(name: &str) -> Result<PoolMfaMode, ServiceError> {
    match name {
        "OFF" => Ok(PoolMfaMode::Off),
        "ON" => Ok(PoolMfaMode::On),
        "OPTIONAL" => Ok(PoolMfaMode::Optional),
        _ => Err(invalid_parameter(
            "1 validation error detected: Value at 'mfaConfiguration' failed to satisfy \
             constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
        )),
    }
}

fn mfa_config_response(config: PoolMfaConfig) -> wire::MfaConfigResponse {
    wire::MfaConfigResponse {
        mfa_configuration: config.mode.as_str(),
        software_token_mfa_configuration: wire::SoftwareTokenMfaConfiguration {
            enabled: config.software_token_enabled,
        },
        email_mfa_configuration: config
            .email_enabled
            .then_some(wire::EmailMfaConfiguration {}),
    }
}

fn get_mfa_config(
    state: &State,
    r: wire::PoolRequest,
) -> Result<wire::MfaConfigResponse, ServiceError> {
    let pool = state.named_pool(&r.user_pool_id)?;
    Ok(mfa_config_response(
        pool.raw_get_mfa_config(&r.user_pool_id)?,
    ))
}

fn set_mfa_config(
    state: &State,
    r: wire::SetMfaConfigRequest,
) -> Result<wire::MfaConfigResponse, ServiceError> {
    let pool = state.named_pool(&r.user_pool_id)?;
    let current = pool.raw_get_mfa_config(&r.user_pool_id)?;
    let mode = match r.mfa_configuration.as_deref() {
        Some(name) => mfa_mode(name)?,
        None => current.mode,
    };
    let totp = r
        .software_token_mfa_configuration
        .map_or(current.software_token_enabled, |c| c.enabled);
    let config = pool.raw_set_mfa_config(
        &r.user_pool_id,
        PoolMfaConfig::new(mode, totp).with_email(r.email_mfa_configuration.is_some()),
    )?;
    Ok(mfa_config_response(config))
}

fn client_response(
    user_pool_id: String,
    client: crate::backend::AppClient,
) -> wire::UserPoolClientResponse {
    wire::UserPoolClientResponse {
        user_pool_client: wire::UserPoolClient {
            user_pool_id,
            client_id: client.client_id,
            client_name: client.client_name,
            client_secret: client.client_secret.map(|s| s.expose_secret().to_owned()),
            explicit_auth_flows: client.explicit_auth_flows,
            auth_session_validity: client.auth_session_validity.map(|v| v.as_secs() / 60),
        },
    }
}

fn describe_client(
    state: &State,
    r: wire::ClientRequest,
) -> Result<wire::UserPoolClientResponse, ServiceError> {
    let pool = state.named_pool(&r.user_pool_id)?;
    let client = pool.raw_describe_client(&r.user_pool_id, &r.client_id)?;
    Ok(client_response(r.user_pool_id, client))
}

fn create_pool(
    state: &State,
    r: wire::CreatePoolRequest,
) -> Result<wire::UserPoolResponse, ServiceError> {
    // Checked before the pool exists, so a refused call leaves nothing.
    let mode = r.mfa_configuration.as_deref().map(mfa_mode).transpose()?;
    let tier = match r.user_pool_tier.as_deref() {
        None => None,
        Some(name) => match UserPoolTier::parse(name) {
            UserPoolTier::Other(_) => {
                return Err(invalid_parameter(
                    "1 validation error detected: Value at 'userPoolTier' failed to satisfy \
                     constraint: Member must satisfy enum value set: [LITE, ESSENTIALS, PLUS]",
                ));
            }
            known => Some(known),
        },
    };
    let factors = r
        .policies
        .and_then(|p| p.sign_in_policy)
        .map(|s| s.allowed_first_auth_factors);
    let pool = state.create_pool(&r.pool_name);
    if let Some(tier) = tier {
        pool.set_tier(tier);
    }
    if let Some(factors) = factors {
        let names: Vec<&str> = factors.iter().map(String::as_str).collect();
        if let Err(e) = pool.set_first_auth_factors(&names) {
            state.drop_pool(pool.pool_id());
            return Err(match e {
                crate::Error::Service { error, .. } => error,
                _ => invalid_parameter("Invalid AllowedFirstAuthFactors."),
            });
        }
    }
    if let Some(mode) = mode {
        // A new pool has TOTP off; an ON or OPTIONAL pool made here would
        // otherwise have no factor a test can use.
        pool.set_mfa_config(PoolMfaConfig::new(mode, mode != PoolMfaMode::Off));
    }
    pool.set_device_configuration(r.device_configuration.map(|c| {
        DeviceConfiguration::new(
            c.challenge_required_on_new_device,
            c.device_only_remembered_on_user_prompt,
        )
    }));
    Ok(wire::UserPoolResponse {
        user_pool: wire::UserPool {
            id: pool.pool_id().to_owned(),
            name: r.pool_name,
            mfa_configuration: pool.mfa_config().mode.as_str(),
            device_configuration: r.device_configuration,
            user_pool_tier: tier_name(&pool),
            policies: policies(&pool),
        },
    })
}

fn tier_name(pool: &InMemoryPool) -> String {
    pool.description()
        .tier
        .map_or_else(String::new, |t| t.as_str().to_owned())
}

fn policies(pool: &InMemoryPool) -> wire::Policies {
    wire::Policies {
        sign_in_policy: Some(wire::SignInPolicy {
            allowed_first_auth_factors: pool.description().first_auth_factors,
        }),
    }
}

fn describe_pool(
    state: &State,
    r: wire::PoolRequest,
) -> Result<wire::UserPoolResponse, ServiceError> {
    let found = state.read(|pools| {
        pools
            .get(&r.user_pool_id)
            .map(|s| (s.name.clone(), s.pool.clone()))
    });
    let (name, pool) = found.ok_or_else(|| {
        ServiceError::new(
            "ResourceNotFoundException",
            format!("User pool {} does not exist.", r.user_pool_id),
        )
    })?;
    Ok(wire::UserPoolResponse {
        user_pool: wire::UserPool {
            id: r.user_pool_id,
            name,
            mfa_configuration: pool.mfa_config().mode.as_str(),
            device_configuration: pool
                .device_configuration()
                .map(|c| wire::DeviceConfiguration {
                    challenge_required_on_new_device: c.challenge_required_on_new_device,
                    device_only_remembered_on_user_prompt: c.device_only_remembered_on_user_prompt,
                }),
            user_pool_tier: tier_name(&pool),
            policies: policies(&pool),
        },
    })
}

/// `ExplicitAuthFlows` names Cognito accepts that the in-memory pool has no
/// flow for: taken, as Cognito takes them, and allow nothing here.
const FLOWS_NOT_SERVED: [&str; 4] = [
    "ALLOW_CUSTOM_AUTH",
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
];

/// The auth flows an `ExplicitAuthFlows` list allows. Cognito's names the
/// pool has no flow for ([`FLOWS_NOT_SERVED`]) are accepted and allow
/// nothing, as a client set up for them is still a client; a name Cognito
/// doesn't know is refused, as Cognito refuses it.
fn auth_flows(names: &[String]) -> Result<Vec<AuthFlow>, ServiceError> {
    const FLOWS: [AuthFlow; 5] = [
        AuthFlow::AdminUserPassword,
        AuthFlow::UserPassword,
        AuthFlow::RefreshToken,
        AuthFlow::UserSrp,
        AuthFlow::UserAuth,
    ];
    let mut flows = Vec::new();
    for name in names {
        if let Some(flow) = FLOWS.into_iter().find(|f| f.explicit_auth_flow() == name) {
            flows.push(flow);
        } else if !FLOWS_NOT_SERVED.contains(&name.as_str()) {
            return Err(invalid_parameter(format!(
                "1 validation error detected: Value '{}' at 'explicitAuthFlows' failed to \
                 satisfy constraint: Member must satisfy enum value set",
                name.chars().take(64).collect::<String>()
            )));
        }
    }
    Ok(flows)
}

fn create_client(
    state: &State,
    r: wire::CreateClientRequest,
) -> Result<wire::UserPoolClientResponse, ServiceError> {
    let pool = state.named_pool(&r.user_pool_id)?;
    let mut options = ClientOptions::new()
        .name(r.client_name)
        .generate_secret(r.generate_secret);
    if let Some(names) = &r.explicit_auth_flows {
        options = options.explicit_auth_flows(auth_flows(names)?);
    }
    if let Some(minutes) = r.auth_session_validity {
        options = options.auth_session_validity(Duration::from_secs(minutes.saturating_mul(60)));
    }
    let client = pool.add_client(options)?;
    Ok(client_response(r.user_pool_id, client))
}

fn pairs(list: Vec<wire::Attribute>) -> Vec<(String, String)> {
    list.into_iter().map(|a| (a.name, a.value)).collect()
}

fn admin_create_user(
    state: &State,
    r: wire::CreateUserRequest,
) -> Result<wire::CreateUserResponse, ServiceError> {
    let pool = state.named_pool(&r.user_pool_id)?;
    let requested = pairs(r.user_attributes);
    pool.raw_admin_create_user(&r.username, r.temporary_password.as_deref(), &requested)?;
    let target = UserTarget::Admin {
        user_pool_id: r.user_pool_id,
        username: r.username.clone(),
    };
    Ok(wire::CreateUserResponse {
        user: wire::UserType {
            username: r.username,
            attributes: attributes(pool.raw_user_attributes(&target)?),
            enabled: true,
            user_status: "FORCE_CHANGE_PASSWORD",
        },
    })
}

fn set_password(state: &State, r: wire::SetPasswordRequest) -> Result<wire::Empty, ServiceError> {
    state
        .named_pool(&r.user_pool_id)?
        .raw_set_password(&r.username, &r.password, r.permanent)?;
    Ok(wire::Empty {})
}

fn update_attributes(
    state: &State,
    r: wire::UpdateAttributesRequest,
) -> Result<wire::Empty, ServiceError> {
    state
        .named_pool(&r.user_pool_id)?
        .raw_update_attributes(&r.username, &pairs(r.user_attributes))?;
    Ok(wire::Empty {})
}

// -- Remembered devices ----------------------------------------------------

fn confirm_device(
    state: &State,
    r: wire::ConfirmDeviceRequest,
) -> Result<wire::ConfirmDeviceResponse, ServiceError> {
    let config = r
        .device_secret_verifier_config
        .ok_or_else(|| missing("deviceSecretVerifierConfig"))?;
    let token = AccessToken::new(r.access_token);
    let pool = state.token_pool(&TokenAuth::AccessToken(token.clone()))?;
    let necessary = pool.raw_confirm_device(&ConfirmDeviceRequest::new(
        token,
        r.device_key,
        r.device_name,
        DeviceVerifier::new(config.password_verifier, config.salt),
    ))?;
    Ok(wire::ConfirmDeviceResponse {
        user_confirmation_necessary: necessary,
    })
}

/// The user and device key a device call names.
fn device_target(
    state: &State,
    r: &mut wire::DeviceRequest,
) -> Result<(InMemoryPool, UserTarget), ServiceError> {
    user_target(
        state,
        r.access_token.take(),
        r.user_pool_id.take(),
        r.username.take(),
    )
}

fn device_key(r: &mut wire::DeviceRequest) -> Result<String, ServiceError> {
    r.device_key.take().ok_or_else(|| missing("deviceKey"))
}

fn update_device_status(
    state: &State,
    mut r: wire::DeviceRequest,
) -> Result<wire::Empty, ServiceError> {
    let (pool, target) = device_target(state, &mut r)?;
    let key = device_key(&mut r)?;
    let status = r
        .device_remembered_status
        .as_deref()
        .and_then(DeviceRememberedStatus::parse)
        .ok_or_else(|| {
            invalid_parameter(
                "1 validation error detected: Value at 'deviceRememberedStatus' failed to \
                 satisfy constraint: Member must satisfy enum value set: [remembered, \
                 not_remembered]",
            )
        })?;
    pool.raw_update_device_status(&target, &key, status)?;
    Ok(wire::Empty {})
}

fn list_devices(
    state: &State,
    mut r: wire::DeviceRequest,
) -> Result<wire::ListDevicesResponse, ServiceError> {
    let (pool, target) = device_target(state, &mut r)?;
    let page = pool.raw_list_devices(&target, r.limit, r.pagination_token.as_deref())?;
    Ok(wire::ListDevicesResponse {
        devices: page.devices.into_iter().map(device_type).collect(),
        pagination_token: page.pagination_token,
    })
}

fn get_device(
    state: &State,
    mut r: wire::DeviceRequest,
) -> Result<wire::GetDeviceResponse, ServiceError> {
    let (pool, target) = device_target(state, &mut r)?;
    let key = device_key(&mut r)?;
    Ok(wire::GetDeviceResponse {
        device: device_type(pool.raw_get_device(&target, &key)?),
    })
}

fn forget_device(state: &State, mut r: wire::DeviceRequest) -> Result<wire::Empty, ServiceError> {
    let (pool, target) = device_target(state, &mut r)?;
    let key = device_key(&mut r)?;
    pool.raw_forget_device(&target, &key)?;
    Ok(wire::Empty {})
}

fn device_type(device: Device) -> wire::DeviceType {
    let seconds = |t: Option<std::time::SystemTime>| {
        t.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs_f64())
    };
    wire::DeviceType {
        device_key: device.device_key,
        device_attributes: attributes(device.attributes.into_iter().collect()),
        device_create_date: seconds(device.created),
        device_last_modified_date: seconds(device.last_modified),
        device_last_authenticated_date: seconds(device.last_authenticated),
    }
}
