//! A user's MFA status, and the operations an administrator runs on it.
//!
//! The `admin_*` functions call the Admin APIs, which need IAM credentials
//! in the backend; the others use the user's own access token.

use crate::backend::{
    CognitoBackend, FactorPreference, MfaFactor, MfaPreferenceUpdate, UserMfaSettings, UserStatus,
    UserTarget,
};
use crate::error::Error;
use crate::secret::AccessToken;
use crate::validate;

impl UserMfaSettings {
    /// Whether TOTP is enabled for the user.
    pub fn totp_enabled(&self) -> bool {
        self.enabled.contains(&MfaFactor::SoftwareToken)
    }

    /// Whether TOTP is the user's preferred factor.
    pub fn totp_preferred(&self) -> bool {
        self.preferred == Some(MfaFactor::SoftwareToken)
    }

    /// Whether email MFA (`EMAIL_OTP`) is enabled for the user.
    pub fn email_enabled(&self) -> bool {
        self.enabled.contains(&MfaFactor::Email)
    }

    /// Whether email is the user's preferred factor.
    pub fn email_preferred(&self) -> bool {
        self.preferred == Some(MfaFactor::Email)
    }

    /// Whether the user is federated (known from AdminGetUser only).
    pub fn is_federated(&self) -> bool {
        self.status == Some(UserStatus::ExternalProvider)
    }
}

fn admin_target(user_pool_id: &str, username: &str) -> Result<UserTarget, Error> {
    validate::user_pool_id(user_pool_id)?;
    validate::username(username)?;
    Ok(UserTarget::Admin {
        user_pool_id: user_pool_id.to_owned(),
        username: username.to_owned(),
    })
}

fn update(factor: MfaFactor, preference: FactorPreference) -> MfaPreferenceUpdate {
    let update = MfaPreferenceUpdate::new();
    match factor {
        MfaFactor::SoftwareToken => update.software_token(preference),
        MfaFactor::Sms => update.sms(preference),
        MfaFactor::Email => update.email(preference),
    }
}

/// The signed-in user's MFA status (GetUser).
pub async fn mfa_status(
    backend: &dyn CognitoBackend,
    access_token: &AccessToken,
) -> Result<UserMfaSettings, Error> {
    validate::token(access_token.expose_secret())?;
    backend
        .get_user_mfa_settings(UserTarget::AccessToken(access_token.clone()))
        .await
}

/// A user's MFA status, account status included (AdminGetUser).
pub async fn admin_mfa_status(
    backend: &dyn CognitoBackend,
    user_pool_id: &str,
    username: &str,
) -> Result<UserMfaSettings, Error> {
    backend
        .get_user_mfa_settings(admin_target(user_pool_id, username)?)
        .await
}

/// Sets the signed-in user's TOTP preference (SetUserMFAPreference).
///
/// Enabling TOTP before a token is verified fails with
/// [`Error::TotpNotSetUp`]; on a pool whose MFA is ON, a user can't switch
/// off their only factor.
pub async fn set_totp_preference(
    backend: &dyn CognitoBackend,
    access_token: &AccessToken,
    preference: FactorPreference,
) -> Result<(), Error> {
    set_preference(backend, access_token, MfaFactor::SoftwareToken, preference).await
}

/// Sets the signed-in user's preference for one factor
/// (SetUserMFAPreference): TOTP, SMS or email. Email MFA (`EMAIL_OTP`)
/// needs the user's email address and a pool on the Essentials tier or
/// above with email MFA configured (the preflight says whether it is).
pub async fn set_preference(
    backend: &dyn CognitoBackend,
    access_token: &AccessToken,
    factor: MfaFactor,
    preference: FactorPreference,
) -> Result<(), Error> {
    validate::token(access_token.expose_secret())?;
    backend
        .set_user_mfa_preference(
            UserTarget::AccessToken(access_token.clone()),
            update(factor, preference),
        )
        .await
}

/// Sets a user's TOTP preference as an administrator
/// (AdminSetUserMFAPreference). The user is looked up first (AdminGetUser)
/// so that a federated user gets [`Error::FederatedUser`], not Cognito's
/// less helpful answer.
pub async fn admin_set_totp_preference(
    backend: &dyn CognitoBackend,
    user_pool_id: &str,
    username: &str,
    preference: FactorPreference,
) -> Result<(), Error> {
    admin_set_preference(
        backend,
        user_pool_id,
        username,
        MfaFactor::SoftwareToken,
        preference,
    )
    .await
}

/// Sets a user's preference for one factor as an administrator
/// (AdminSetUserMFAPreference), looking the user up first as
/// [`admin_set_totp_preference`] does.
pub async fn admin_set_preference(
    backend: &dyn CognitoBackend,
    user_pool_id: &str,
    username: &str,
    factor: MfaFactor,
    preference: FactorPreference,
) -> Result<(), Error> {
    let target = admin_target(user_pool_id, username)?;
    let user = backend.get_user_mfa_settings(target.clone()).await?;
    if user.is_federated() {
        return Err(Error::FederatedUser);
    }
    backend
        .set_user_mfa_preference(target, update(factor, preference))
        .await
}

/// Resets a lost authenticator (AdminDeleteSoftwareToken).
///
/// What the user meets at the next sign-in: on a pool whose MFA is ON, an
/// `MFA_SETUP` challenge to enroll a new authenticator; on an OPTIONAL pool,
/// their other enabled factor (SMS or email) if they have one, or no MFA at
/// all. Their old authenticator's codes stop working at once.
pub async fn admin_reset_totp(
    backend: &dyn CognitoBackend,
    user_pool_id: &str,
    username: &str,
) -> Result<(), Error> {
    validate::user_pool_id(user_pool_id)?;
    validate::username(username)?;
    backend
        .admin_delete_software_token(user_pool_id.to_owned(), username.to_owned())
        .await
}
