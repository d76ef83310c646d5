//! Signing in on a remembered device: [`SignIn::on_device`].

use super::{SavedChallenge, SignIn, SignInStep};
use crate::backend::AuthTokens;
use crate::device::RememberedDevice;
use crate::error::{Error, Field};
use crate::secret::{Password, RefreshToken, Session};

/// A sign-in that presents a remembered device; from [`SignIn::on_device`].
///
/// DEVICE_KEY goes into every request (InitiateAuth, PASSWORD_VERIFIER, the
/// MFA answers, REFRESH_TOKEN_AUTH), and the library answers DEVICE_SRP_AUTH
/// and DEVICE_PASSWORD_VERIFIER itself, whether Cognito asks for them
/// instead of the MFA step (a remembered device in a pool that lets it skip
/// MFA) or after it. With the device's proof accepted the step is
/// [`SignInStep::Done`], without a code.
#[derive(Debug, Clone, Copy)]
#[must_use = "call password, password_srp, refresh or resume"]
pub struct OnDevice<'a> {
    sign_in: &'a SignIn,
    device: &'a RememberedDevice,
}

/// The first step of a sign-in on a device, and whether the device is gone.
#[non_exhaustive]
#[derive(Debug)]
pub struct DeviceSignIn {
    /// What comes next, as from [`SignIn::password`].
    pub step: SignInStep,
    /// Cognito no longer knows the device ("Device does not exist.": it
    /// was forgotten elsewhere), so the sign-in was made again without it.
    /// **Delete the stored device.** Its tokens bring `NewDeviceMetadata`
    /// when the pool tracks devices: confirm that one instead.
    pub device_forgotten: bool,
}

impl SignIn {
    /// Signs in presenting `device` (see [`OnDevice`]).
    pub fn on_device<'a>(&'a self, device: &'a RememberedDevice) -> OnDevice<'a> {
        OnDevice {
            sign_in: self,
            device,
        }
    }
}

impl OnDevice<'_> {
    /// [`SignIn::password`] on the device. When Cognito says the device does
    /// not exist, the sign-in is made once more without it and
    /// [`DeviceSignIn::device_forgotten`] says so.
    pub async fn password(
        self,
        username: &str,
        password: &Password,
    ) -> Result<DeviceSignIn, Error> {
        let on_device = self
            .sign_in
            .password_on(username, password, Some(self.device))
            .await;
        self.or_without_device(on_device, || {
            self.sign_in.password_on(username, password, None)
        })
        .await
    }

    /// [`SignIn::password_srp`] on the device, with the same retry as
    /// [`OnDevice::password`].
    pub async fn password_srp(
        self,
        username: &str,
        password: &Password,
    ) -> Result<DeviceSignIn, Error> {
        let on_device = self
            .sign_in
            .password_srp_on(username, password, Some(self.device))
            .await;
        self.or_without_device(on_device, || {
            self.sign_in.password_srp_on(username, password, None)
        })
        .await
    }

    /// [`SignIn::refresh`] for tokens issued to this device (Cognito wants
    /// its DEVICE_KEY with them). No retry: a refresh token of a forgotten
    /// device is [`Error::DeviceNotFound`]; sign in again.
    pub async fn refresh(
        self,
        refresh_token: &RefreshToken,
        username: Option<&str>,
    ) -> Result<AuthTokens, Error> {
        self.sign_in
            .refresh_on(refresh_token, username, Some(self.device))
            .await
    }

    /// [`SignIn::resume`] of a challenge saved during a sign-in on this
    /// device: a saved challenge keeps the device's key, never its
    /// password, so the device steps that may follow the person's answer
    /// need it handed back. Refused locally when the challenge was saved
    /// for another device, or for none.
    pub fn resume(self, saved: SavedChallenge) -> Result<SignInStep, Error> {
        let mut pending = saved.into_pending()?;
        self.sign_in.check_owner(&pending)?;
        self.sign_in.check_expiry(&pending)?;
        if pending.device_key.as_deref() != Some(self.device.key()) {
            return Err(Error::invalid(
                Field::PendingChallenge,
                "was not saved during a sign-in on this device",
            ));
        }
        pending.autopilot = pending.autopilot.with_device(Some(self.device));
        Ok(SignInStep::from_pending(pending))
    }

    /// [`SignIn::resume_parts`] on this device: rebuilds a challenge of a
    /// sign-in on the device from its name, Session and user name (what a
    /// command-line tool holds). DEVICE_KEY goes with the answer, and the
    /// device steps that may follow it (DEVICE_SRP_AUTH,
    /// DEVICE_PASSWORD_VERIFIER) are answered by the library. Nothing ties
    /// the Session to this device: presenting another device than the
    /// sign-in did is for Cognito to refuse.
    pub fn resume_parts(
        self,
        challenge_name: &str,
        session: Session,
        username: &str,
    ) -> Result<SignInStep, Error> {
        let mut pending = self
            .sign_in
            .pending_from_parts(challenge_name, session, username)?;
        pending.device_key = Some(self.device.key().to_owned());
        pending.autopilot = pending.autopilot.with_device(Some(self.device));
        Ok(SignInStep::from_pending(pending))
    }

    async fn or_without_device<F>(
        self,
        on_device: Result<SignInStep, Error>,
        without: impl FnOnce() -> F,
    ) -> Result<DeviceSignIn, Error>
    where
        F: Future<Output = Result<SignInStep, Error>>,
    {
        match on_device {
            Err(Error::DeviceNotFound) => {
                tracing::info!(
                    target: "cognito_mfa::sign_in",
                    "the remembered device no longer exists; signing in without it"
                );
                Ok(DeviceSignIn {
                    step: without().await?,
                    device_forgotten: true,
                })
            }
            other => other.map(|step| DeviceSignIn {
                step,
                device_forgotten: false,
            }),
        }
    }
}
