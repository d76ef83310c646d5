//! The backend: [`CognitoBackend`] for [`InMemoryPool`], with Cognito's
//! exceptions mapped into [`Error`]s, over one raw (unmapped) entry point a
//! call that answers with the exception as Cognito sends it: the local HTTP
//! endpoint (feature `local-endpoint`) must put the original code and
//! message on the wire, which the mapped [`Error`] no longer holds.

use super::InMemoryPool;
use crate::backend::{
    AppClient, AssociatedSoftwareToken, AuthResponse, CognitoBackend, ConfirmDeviceRequest, Device,
    DevicePage, DeviceRememberedStatus, InitiateAuthRequest, MfaPreferenceUpdate, PoolMfaConfig,
    RespondToAuthChallengeRequest, TokenAuth, UserMfaSettings, UserPoolDescription, UserTarget,
    VerifiedSoftwareToken,
};
use crate::error::{Error, Operation, ServiceError};
use crate::secret::OneTimeCode;
use async_trait::async_trait;

fn mapped<T>(operation: Operation, result: Result<T, ServiceError>) -> Result<T, Error> {
    result.map_err(|error| Error::from_service(operation, error))
}

/// The calls of [`CognitoBackend`], answering with Cognito's exception
/// (code and message) as it would go on the wire.
impl InMemoryPool {
    /// Whether this pool issued the Session or access token and still
    /// holds it: the local endpoint's way to route a call that names no
    /// pool or client to the pool it belongs to.
    #[cfg_attr(not(feature = "local-endpoint"), allow(dead_code))]
    pub(crate) fn raw_issued(&self, auth: &TokenAuth) -> bool {
        match auth {
            TokenAuth::Session(s) => self
                .inner
                .sessions
                .with(s.expose_secret(), |_| ())
                .is_some(),
            TokenAuth::AccessToken(t) => self
                .inner
                .access_tokens
                .with(t.expose_secret(), |_| ())
                .is_some(),
        }
    }

    pub(crate) fn raw_associate(
        &self,
        auth: &TokenAuth,
    ) -> Result<AssociatedSoftwareToken, ServiceError> {
        self.inner.associate(auth, self.inner.now())
    }

    pub(crate) fn raw_verify(
        &self,
        auth: &TokenAuth,
        code: &OneTimeCode,
        friendly_device_name: Option<&str>,
    ) -> Result<VerifiedSoftwareToken, ServiceError> {
        self.inner
            .verify(auth, code, friendly_device_name, self.inner.now())
    }

    pub(crate) fn raw_set_preference(
        &self,
        user: &UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), ServiceError> {
        self.inner.set_preference(user, update, self.inner.now())
    }

    pub(crate) fn raw_get_settings(
        &self,
        user: &UserTarget,
    ) -> Result<UserMfaSettings, ServiceError> {
        self.inner.get_settings(user, self.inner.now())
    }

    pub(crate) fn raw_delete_software_token(
        &self,
        user_pool_id: &str,
        username: &str,
    ) -> Result<(), ServiceError> {
        self.inner.delete_software_token(user_pool_id, username)
    }

    pub(crate) fn raw_initiate_auth(
        &self,
        request: &InitiateAuthRequest,
    ) -> Result<AuthResponse, ServiceError> {
        self.inner.initiate_auth(request, self.inner.now())
    }

    pub(crate) fn raw_respond(
        &self,
        request: &RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, ServiceError> {
        self.inner.respond(request, self.inner.now())
    }

    pub(crate) fn raw_get_mfa_config(
        &self,
        user_pool_id: &str,
    ) -> Result<PoolMfaConfig, ServiceError> {
        self.inner
            .check_pool(user_pool_id)
            .map(|()| self.inner.config())
    }

    pub(crate) fn raw_set_mfa_config(
        &self,
        user_pool_id: &str,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, ServiceError> {
        self.inner.check_pool(user_pool_id)?;
        self.inner.check_email_mfa_tier(config.email_enabled)?;
        // No EmailMfaConfiguration sent leaves email MFA as it was.
        let config = config.with_email(config.email_enabled || self.mfa_config().email_enabled);
        self.set_mfa_config(config);
        Ok(config)
    }

    pub(crate) fn raw_describe_client(
        &self,
        user_pool_id: &str,
        client_id: &str,
    ) -> Result<AppClient, ServiceError> {
        self.inner
            .check_pool(user_pool_id)
            .and_then(|()| self.inner.client(client_id))
            .map(|c| c.describe())
    }

    pub(crate) fn raw_confirm_device(
        &self,
        request: &ConfirmDeviceRequest,
    ) -> Result<bool, ServiceError> {
        self.inner.confirm_device(request, self.inner.now())
    }

    pub(crate) fn raw_update_device_status(
        &self,
        user: &UserTarget,
        device_key: &str,
        status: DeviceRememberedStatus,
    ) -> Result<(), ServiceError> {
        self.inner
            .update_device_status(user, device_key, status, self.inner.now())
    }

    pub(crate) fn raw_list_devices(
        &self,
        user: &UserTarget,
        limit: Option<u32>,
        pagination_token: Option<&str>,
    ) -> Result<DevicePage, ServiceError> {
        self.inner
            .list_devices(user, limit, pagination_token, self.inner.now())
    }

    pub(crate) fn raw_get_device(
        &self,
        user: &UserTarget,
        device_key: &str,
    ) -> Result<Device, ServiceError> {
        self.inner.get_device(user, device_key, self.inner.now())
    }

    pub(crate) fn raw_forget_device(
        &self,
        user: &UserTarget,
        device_key: &str,
    ) -> Result<(), ServiceError> {
        self.inner.forget_device(user, device_key, self.inner.now())
    }

    pub(crate) fn raw_describe_pool(
        &self,
        user_pool_id: &str,
    ) -> Result<UserPoolDescription, ServiceError> {
        self.inner
            .check_pool(user_pool_id)
            .map(|()| self.description())
    }
}

#[async_trait]
impl CognitoBackend for InMemoryPool {
    async fn associate_software_token(
        &self,
        auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error> {
        mapped(Operation::AssociateSoftwareToken, self.raw_associate(&auth))
    }

    async fn verify_software_token(
        &self,
        auth: TokenAuth,
        code: OneTimeCode,
        friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error> {
        mapped(
            Operation::VerifySoftwareToken,
            self.raw_verify(&auth, &code, friendly_device_name.as_deref()),
        )
    }

    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        mapped(
            user.set_preference_operation(),
            self.raw_set_preference(&user, update),
        )
    }

    async fn get_user_mfa_settings(&self, user: UserTarget) -> Result<UserMfaSettings, Error> {
        mapped(user.get_operation(), self.raw_get_settings(&user))
    }

    async fn admin_delete_software_token(
        &self,
        user_pool_id: String,
        username: String,
    ) -> Result<(), Error> {
        mapped(
            Operation::AdminDeleteSoftwareToken,
            self.raw_delete_software_token(&user_pool_id, &username),
        )
    }

    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        mapped(request.operation(), self.raw_initiate_auth(&request))
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        mapped(request.operation(), self.raw_respond(&request))
    }

    async fn get_user_pool_mfa_config(&self, user_pool_id: String) -> Result<PoolMfaConfig, Error> {
        mapped(
            Operation::GetUserPoolMfaConfig,
            self.raw_get_mfa_config(&user_pool_id),
        )
    }

    async fn set_user_pool_mfa_config(
        &self,
        user_pool_id: String,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        mapped(
            Operation::SetUserPoolMfaConfig,
            self.raw_set_mfa_config(&user_pool_id, config),
        )
    }

    async fn describe_user_pool_client(
        &self,
        user_pool_id: String,
        client_id: String,
    ) -> Result<AppClient, Error> {
        mapped(
            Operation::DescribeUserPoolClient,
            self.raw_describe_client(&user_pool_id, &client_id),
        )
    }

    async fn confirm_device(&self, request: ConfirmDeviceRequest) -> Result<bool, Error> {
        mapped(Operation::ConfirmDevice, self.raw_confirm_device(&request))
    }

    async fn update_device_status(
        &self,
        user: UserTarget,
        device_key: String,
        status: DeviceRememberedStatus,
    ) -> Result<(), Error> {
        mapped(
            user.update_device_status_operation(),
            self.raw_update_device_status(&user, &device_key, status),
        )
    }

    async fn list_devices(
        &self,
        user: UserTarget,
        limit: Option<u32>,
        pagination_token: Option<String>,
    ) -> Result<DevicePage, Error> {
        mapped(
            user.list_devices_operation(),
            self.raw_list_devices(&user, limit, pagination_token.as_deref()),
        )
    }

    async fn get_device(&self, user: UserTarget, device_key: String) -> Result<Device, Error> {
        mapped(
            user.get_device_operation(),
            self.raw_get_device(&user, &device_key),
        )
    }

    async fn forget_device(&self, user: UserTarget, device_key: String) -> Result<(), Error> {
        mapped(
            user.forget_device_operation(),
            self.raw_forget_device(&user, &device_key),
        )
    }

    async fn describe_user_pool(&self, user_pool_id: String) -> Result<UserPoolDescription, Error> {
        mapped(
            Operation::DescribeUserPool,
            self.raw_describe_pool(&user_pool_id),
        )
    }
}
