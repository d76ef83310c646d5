//! The JSON shapes of the calls served, with Cognito's field names
//! (PascalCase, as in the service model). Only the fields the pool acts on
//! are read; others a client sends are ignored, as unknown members are by
//! awsJson services.
//!
//! No type here derives `Debug`: requests hold passwords, codes, Sessions
//! and tokens.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `{"Name": ..., "Value": ...}` (`AttributeType`).
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Attribute {
    pub(super) name: String,
    #[serde(default)]
    pub(super) value: String,
}

/// AssociateSoftwareToken and VerifySoftwareToken: an access token or a
/// Session, plus the code for Verify.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TokenRequest {
    pub(super) access_token: Option<String>,
    pub(super) session: Option<String>,
    pub(super) user_code: Option<String>,
    pub(super) friendly_device_name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AssociateResponse {
    pub(super) secret_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) session: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct VerifyResponse {
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) session: Option<String>,
}

/// `SMSMfaSettings`, `SoftwareTokenMfaSettings`, `EmailMfaSettings`.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "PascalCase")]
pub(super) struct FactorSettings {
    #[serde(default)]
    pub(super) enabled: bool,
    #[serde(default)]
    pub(super) preferred_mfa: bool,
}

/// SetUserMFAPreference, and AdminSetUserMFAPreference with the pool and
/// user.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PreferenceRequest {
    pub(super) access_token: Option<String>,
    pub(super) user_pool_id: Option<String>,
    pub(super) username: Option<String>,
    #[serde(rename = "SMSMfaSettings")]
    pub(super) sms_mfa_settings: Option<FactorSettings>,
    pub(super) software_token_mfa_settings: Option<FactorSettings>,
    pub(super) email_mfa_settings: Option<FactorSettings>,
}

/// GetUser (access token), AdminGetUser and AdminDeleteSoftwareToken (pool
/// and user).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserRequest {
    pub(super) access_token: Option<String>,
    pub(super) user_pool_id: Option<String>,
    pub(super) username: Option<String>,
}

/// GetUser's and AdminGetUser's answer (the latter adds status and
/// `Enabled`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserResponse {
    pub(super) username: String,
    pub(super) user_attributes: Vec<Attribute>,
    #[serde(rename = "UserMFASettingList")]
    pub(super) user_mfa_setting_list: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) preferred_mfa_setting: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) user_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) enabled: Option<bool>,
}

/// InitiateAuth, AdminInitiateAuth (with the pool).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct InitiateAuthRequest {
    pub(super) user_pool_id: Option<String>,
    pub(super) client_id: String,
    pub(super) auth_flow: String,
    #[serde(default)]
    pub(super) auth_parameters: BTreeMap<String, String>,
}

/// RespondToAuthChallenge, AdminRespondToAuthChallenge (with the pool).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RespondRequest {
    pub(super) user_pool_id: Option<String>,
    pub(super) client_id: String,
    pub(super) challenge_name: String,
    pub(super) session: Option<String>,
    #[serde(default)]
    pub(super) challenge_responses: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct NewDeviceMetadata {
    pub(super) device_key: String,
    pub(super) device_group_key: String,
}

/// `AuthenticationResult`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AuthenticationResult {
    pub(super) access_token: String,
    pub(super) expires_in: u64,
    pub(super) token_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) new_device_metadata: Option<NewDeviceMetadata>,
}

/// The answer of the four sign-in calls: a challenge or tokens.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AuthResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) challenge_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) session: Option<String>,
    pub(super) challenge_parameters: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) available_challenges: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) authentication_result: Option<AuthenticationResult>,
}

/// Calls that name only the pool: GetUserPoolMfaConfig, DescribeUserPool.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PoolRequest {
    pub(super) user_pool_id: String,
}

/// `SoftwareTokenMfaConfiguration`.
#[derive(Deserialize, Serialize, Clone, Copy)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SoftwareTokenMfaConfiguration {
    #[serde(default)]
    pub(super) enabled: bool,
}

/// SetUserPoolMfaConfig; absent members keep their value.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SetMfaConfigRequest {
    pub(super) user_pool_id: String,
    pub(super) mfa_configuration: Option<String>,
    pub(super) software_token_mfa_configuration: Option<SoftwareTokenMfaConfiguration>,
    /// Present turns email MFA on; its Message and Subject are not modelled.
    pub(super) email_mfa_configuration: Option<serde_json::Value>,
}

/// `EmailMfaConfiguration` in an answer: the pool keeps no template.
#[derive(Serialize)]
pub(super) struct EmailMfaConfiguration {}

/// Get/SetUserPoolMfaConfig's answer.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MfaConfigResponse {
    pub(super) mfa_configuration: &'static str,
    pub(super) software_token_mfa_configuration: SoftwareTokenMfaConfiguration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) email_mfa_configuration: Option<EmailMfaConfiguration>,
}

/// `Policies` with its `SignInPolicy`, the part the pool models.
#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Policies {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) sign_in_policy: Option<SignInPolicy>,
}

/// `SignInPolicy`.
#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SignInPolicy {
    #[serde(default)]
    pub(super) allowed_first_auth_factors: Vec<String>,
}

/// CreateUserPool.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreatePoolRequest {
    pub(super) pool_name: String,
    pub(super) mfa_configuration: Option<String>,
    pub(super) device_configuration: Option<DeviceConfiguration>,
    pub(super) user_pool_tier: Option<String>,
    pub(super) policies: Option<Policies>,
}

/// `DeviceConfiguration`.
#[derive(Deserialize, Serialize, Clone, Copy)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeviceConfiguration {
    #[serde(default)]
    pub(super) challenge_required_on_new_device: bool,
    #[serde(default)]
    pub(super) device_only_remembered_on_user_prompt: bool,
}

/// ConfirmDevice.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ConfirmDeviceRequest {
    pub(super) access_token: String,
    pub(super) device_key: String,
    pub(super) device_name: Option<String>,
    pub(super) device_secret_verifier_config: Option<DeviceSecretVerifierConfig>,
}

/// `DeviceSecretVerifierConfig`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeviceSecretVerifierConfig {
    #[serde(default)]
    pub(super) password_verifier: String,
    #[serde(default)]
    pub(super) salt: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ConfirmDeviceResponse {
    pub(super) user_confirmation_necessary: bool,
}

/// The device calls, own (access token) and admin (pool and user name):
/// UpdateDeviceStatus, ListDevices, GetDevice, ForgetDevice and twins.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeviceRequest {
    pub(super) access_token: Option<String>,
    pub(super) user_pool_id: Option<String>,
    pub(super) username: Option<String>,
    pub(super) device_key: Option<String>,
    pub(super) device_remembered_status: Option<String>,
    pub(super) limit: Option<u32>,
    pub(super) pagination_token: Option<String>,
}

/// `DeviceType`; dates in seconds since the epoch, as awsJson sends them.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeviceType {
    pub(super) device_key: String,
    pub(super) device_attributes: Vec<Attribute>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) device_create_date: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) device_last_modified_date: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) device_last_authenticated_date: Option<f64>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetDeviceResponse {
    pub(super) device: DeviceType,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListDevicesResponse {
    pub(super) devices: Vec<DeviceType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) pagination_token: Option<String>,
}

/// `UserPool` in CreateUserPool's and DescribeUserPool's answers: the
/// members the pool models.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserPool {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) mfa_configuration: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) device_configuration: Option<DeviceConfiguration>,
    pub(super) user_pool_tier: String,
    pub(super) policies: Policies,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserPoolResponse {
    pub(super) user_pool: UserPool,
}

/// CreateUserPoolClient.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateClientRequest {
    pub(super) user_pool_id: String,
    pub(super) client_name: String,
    #[serde(default)]
    pub(super) generate_secret: bool,
    pub(super) explicit_auth_flows: Option<Vec<String>>,
    /// Minutes.
    pub(super) auth_session_validity: Option<u64>,
}

/// DescribeUserPoolClient.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ClientRequest {
    pub(super) user_pool_id: String,
    pub(super) client_id: String,
}

/// `UserPoolClient`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserPoolClient {
    pub(super) user_pool_id: String,
    pub(super) client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) client_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) client_secret: Option<String>,
    pub(super) explicit_auth_flows: Vec<String>,
    /// Minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) auth_session_validity: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserPoolClientResponse {
    pub(super) user_pool_client: UserPoolClient,
}

/// AdminCreateUser.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateUserRequest {
    pub(super) user_pool_id: String,
    pub(super) username: String,
    pub(super) temporary_password: Option<String>,
    #[serde(default)]
    pub(super) user_attributes: Vec<Attribute>,
}

/// `UserType` in AdminCreateUser's answer.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserType {
    pub(super) username: String,
    pub(super) attributes: Vec<Attribute>,
    pub(super) enabled: bool,
    pub(super) user_status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateUserResponse {
    pub(super) user: UserType,
}

/// AdminSetUserPassword.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SetPasswordRequest {
    pub(super) user_pool_id: String,
    pub(super) username: String,
    pub(super) password: String,
    #[serde(default)]
    pub(super) permanent: bool,
}

/// AdminUpdateUserAttributes.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateAttributesRequest {
    pub(super) user_pool_id: String,
    pub(super) username: String,
    #[serde(default)]
    pub(super) user_attributes: Vec<Attribute>,
}

/// The calls that answer nothing: `{}`.
#[derive(Serialize)]
pub(super) struct Empty {}
