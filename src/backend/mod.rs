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
//! # How the trait grows
//!
//! Cognito keeps adding calls (the remembered-device calls came this way,
//! USER_AUTH's extras will). A new call arrives as a **provided method** whose default body
//! returns [`Error::NotSupported`] naming its [`Operation`], so every
//! existing implementation keeps compiling and says plainly what it lacks.
//! Request and answer types are `#[non_exhaustive]` with constructors, so a
//! field Cognito adds (like `AvailableChallenges`) is an addition too. The
//! forwarding impls for `Arc`, `Box` and `&` and the test doubles in
//! [`testing`](crate::testing) (feature `test-util`) are written once, here
//! and there, for every method.

mod auth;
mod device;
mod mfa;
mod pool;

pub use auth::{
    Api, AuthFlow, AuthResponse, AuthTokens, ChallengeName, InitiateAuthRequest, NewDeviceMetadata,
    Parameters, RespondToAuthChallengeRequest,
};
pub use device::{
    ConfirmDeviceRequest, Device, DeviceConfiguration, DevicePage, DeviceRememberedStatus,
    DeviceVerifier,
};
pub use mfa::{
    AssociatedSoftwareToken, FactorPreference, MfaFactor, MfaPreferenceUpdate, TokenAuth,
    UserMfaSettings, UserStatus, UserTarget, VerifiedSoftwareToken, VerifyStatus,
};
#[cfg(any(feature = "verify", feature = "test-util"))]
pub(crate) use pool::token_issuer;
pub use pool::{AppClient, PoolMfaConfig, PoolMfaMode, UserPoolDescription, UserPoolTier};

use crate::error::{Error, Operation};
use crate::secret::OneTimeCode;
use async_trait::async_trait;
use std::sync::Arc;

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

    /// ConfirmDevice: registers a new device's verifier. Answers
    /// `UserConfirmationNecessary`: true when the pool remembers devices
    /// only on the person's say-so (then UpdateDeviceStatus).
    async fn confirm_device(&self, request: ConfirmDeviceRequest) -> Result<bool, Error> {
        let _ = request;
        Err(Error::NotSupported {
            operation: Operation::ConfirmDevice,
        })
    }

    /// UpdateDeviceStatus (access token) or AdminUpdateDeviceStatus.
    async fn update_device_status(
        &self,
        user: UserTarget,
        device_key: String,
        status: DeviceRememberedStatus,
    ) -> Result<(), Error> {
        let _ = (device_key, status);
        Err(Error::NotSupported {
            operation: user.update_device_status_operation(),
        })
    }

    /// ListDevices (access token) or AdminListDevices: one page.
    async fn list_devices(
        &self,
        user: UserTarget,
        limit: Option<u32>,
        pagination_token: Option<String>,
    ) -> Result<DevicePage, Error> {
        let _ = (limit, pagination_token);
        Err(Error::NotSupported {
            operation: user.list_devices_operation(),
        })
    }

    /// GetDevice (access token) or AdminGetDevice.
    async fn get_device(&self, user: UserTarget, device_key: String) -> Result<Device, Error> {
        let _ = device_key;
        Err(Error::NotSupported {
            operation: user.get_device_operation(),
        })
    }

    /// ForgetDevice (access token) or AdminForgetDevice.
    async fn forget_device(&self, user: UserTarget, device_key: String) -> Result<(), Error> {
        let _ = device_key;
        Err(Error::NotSupported {
            operation: user.forget_device_operation(),
        })
    }

    /// DescribeUserPool: what sign-in depends on (devices, tier, first
    /// factors).
    async fn describe_user_pool(&self, user_pool_id: String) -> Result<UserPoolDescription, Error> {
        let _ = user_pool_id;
        Err(Error::NotSupported {
            operation: Operation::DescribeUserPool,
        })
    }
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
            async fn confirm_device(&self, request: ConfirmDeviceRequest) -> Result<bool, Error> {
                (**self).confirm_device(request).await
            }
            async fn update_device_status(
                &self,
                user: UserTarget,
                device_key: String,
                status: DeviceRememberedStatus,
            ) -> Result<(), Error> {
                (**self)
                    .update_device_status(user, device_key, status)
                    .await
            }
            async fn list_devices(
                &self,
                user: UserTarget,
                limit: Option<u32>,
                pagination_token: Option<String>,
            ) -> Result<DevicePage, Error> {
                (**self).list_devices(user, limit, pagination_token).await
            }
            async fn get_device(
                &self,
                user: UserTarget,
                device_key: String,
            ) -> Result<Device, Error> {
                (**self).get_device(user, device_key).await
            }
            async fn forget_device(
                &self,
                user: UserTarget,
                device_key: String,
            ) -> Result<(), Error> {
                (**self).forget_device(user, device_key).await
            }
            async fn describe_user_pool(
                &self,
                user_pool_id: String,
            ) -> Result<UserPoolDescription, Error> {
                (**self).describe_user_pool(user_pool_id).await
            }
        }
    };
}

// Shared and boxed backends are backends too, so callers can hold
// `Arc<dyn CognitoBackend>`.
forward_backend!(Arc<T>);
forward_backend!(Box<T>);
forward_backend!(&T);
