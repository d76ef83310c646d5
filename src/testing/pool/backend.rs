//! The backend: [`CognitoBackend`] for [`InMemoryPool`], with Cognito's
//! exceptions mapped into [`Error`]s.

use super::InMemoryPool;
use crate::backend::{
    AppClient, AssociatedSoftwareToken, AuthResponse, CognitoBackend, InitiateAuthRequest,
    MfaPreferenceUpdate, PoolMfaConfig, RespondToAuthChallengeRequest, TokenAuth, UserMfaSettings,
    UserTarget, VerifiedSoftwareToken,
};
use crate::error::{Error, Operation, ServiceError};
use crate::secret::OneTimeCode;
use async_trait::async_trait;

fn mapped<T>(operation: Operation, result: Result<T, ServiceError>) -> Result<T, Error> {
    result.map_err(|error| Error::from_service(operation, error))
}

#[async_trait]
impl CognitoBackend for InMemoryPool {
    async fn associate_software_token(
        &self,
        auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error> {
        let now = self.inner.now();
        mapped(
            Operation::AssociateSoftwareToken,
            self.inner.associate(&auth, now),
        )
    }

    async fn verify_software_token(
        &self,
        auth: TokenAuth,
        code: OneTimeCode,
        friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error> {
        let now = self.inner.now();
        mapped(
            Operation::VerifySoftwareToken,
            self.inner
                .verify(&auth, &code, friendly_device_name.as_deref(), now),
        )
    }

    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        let now = self.inner.now();
        mapped(
            user.set_preference_operation(),
            self.inner.set_preference(&user, update, now),
        )
    }

    async fn get_user_mfa_settings(&self, user: UserTarget) -> Result<UserMfaSettings, Error> {
        let now = self.inner.now();
        mapped(user.get_operation(), self.inner.get_settings(&user, now))
    }

    async fn admin_delete_software_token(
        &self,
        user_pool_id: String,
        username: String,
    ) -> Result<(), Error> {
        mapped(
            Operation::AdminDeleteSoftwareToken,
            self.inner.delete_software_token(&user_pool_id, &username),
        )
    }

    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        let now = self.inner.now();
        mapped(request.operation(), self.inner.initiate_auth(&request, now))
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        let now = self.inner.now();
        mapped(request.operation(), self.inner.respond(&request, now))
    }

    async fn get_user_pool_mfa_config(&self, user_pool_id: String) -> Result<PoolMfaConfig, Error> {
        let result = self
            .inner
            .check_pool(&user_pool_id)
            .map(|()| self.inner.config());
        mapped(Operation::GetUserPoolMfaConfig, result)
    }

    async fn set_user_pool_mfa_config(
        &self,
        user_pool_id: String,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        let result = self.inner.check_pool(&user_pool_id).map(|()| {
            self.set_mfa_config(config);
            config
        });
        mapped(Operation::SetUserPoolMfaConfig, result)
    }

    async fn describe_user_pool_client(
        &self,
        user_pool_id: String,
        client_id: String,
    ) -> Result<AppClient, Error> {
        let result = self
            .inner
            .check_pool(&user_pool_id)
            .and_then(|()| self.inner.client(&client_id))
            .map(|c| c.describe());
        mapped(Operation::DescribeUserPoolClient, result)
    }
}
