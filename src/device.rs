//! Remembered devices: confirm a device once after a sign-in, then sign in
//! on it without the second factor.
//!
//! With device tracking on in the user pool, a sign-in that presented no
//! device ends with `NewDeviceMetadata` beside the tokens
//! ([`AuthTokens::new_device`]). [`confirm`] registers that device with
//! Cognito (ConfirmDevice, with a device password drawn here and never
//! sent: Cognito gets an SRP verifier of it), applies the person's choice to
//! remember it or not (UpdateDeviceStatus), and hands back a
//! [`RememberedDevice`] for the app to store. Later sign-ins present it with
//! [`SignIn::on_device`](crate::sign_in::SignIn::on_device): the library
//! answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER itself, and in a
//! pool whose DeviceConfiguration lets remembered devices skip MFA
//! ([`DeviceConfiguration::remembered_devices_skip_mfa`](crate::backend::DeviceConfiguration::remembered_devices_skip_mfa))
//! no code is asked.
//!
//! # A remembered device is a bearer credential
//!
//! Whoever holds a [`RememberedDevice`] and the user's password signs in
//! **without the second factor**. Store it like a refresh token: encrypted
//! at rest, on the device it names only (a browser's cookie store, the
//! platform's keychain, a file only its owner reads), never in logs, URLs
//! or a shared database. Its `Debug` shows the keys only; its device
//! password is zeroized when dropped; it serializes (feature `serde`) only
//! because storing it is the point.
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # async fn demo(sign_in: cognito_mfa::sign_in::SignIn,
//! #   tokens: cognito_mfa::backend::AuthTokens) -> Result<(), cognito_mfa::Error> {
//! use cognito_mfa::backend::DeviceRememberedStatus;
//! use cognito_mfa::device;
//!
//! // After a sign-in with a code, the person ticked "remember this device".
//! if let Some(confirmed) = device::confirm(
//!     sign_in.backend(),
//!     &tokens,
//!     Some("Alice's laptop"),
//!     DeviceRememberedStatus::Remembered,
//! )
//! .await?
//! {
//!     let stored = confirmed.device; // keep it, encrypted, on that device
//!     # let _ = stored;
//! }
//! # Ok(())
//! # }
//! ```

use crate::backend::{
    AuthTokens, CognitoBackend, ConfirmDeviceRequest, Device, DeviceRememberedStatus,
    DeviceVerifier, NewDeviceMetadata, UserTarget,
};
use crate::error::{Error, Operation};
use crate::secret::AccessToken;
use crate::srp;
use crate::validate;
use secrecy::{ExposeSecret as _, SecretString};
use std::fmt;

/// How many pages [`list_all`] reads before it calls the answer hostile: 60
/// devices a page, so 6,000 devices.
const MAX_PAGES: usize = 100;

/// A device Cognito knows, with the password that proves it: what an app
/// stores after [`confirm`] to sign in on this device again.
///
/// **A bearer credential that skips the second factor** (see the [module
/// docs](self)). `Debug` shows the keys only; the password is zeroized when
/// dropped.
#[derive(Clone)]
pub struct RememberedDevice {
    key: String,
    group_key: String,
    password: SecretString,
}

impl fmt::Debug for RememberedDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RememberedDevice")
            .field("key", &self.key)
            .field("group_key", &self.group_key)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl RememberedDevice {
    /// Rebuilds a device from parts an app stored itself (prefer the serde
    /// form, feature `serde`). Checked as Cognito would: a key like
    /// `us-east-1_0a1b…`, a group key and a device password of printable
    /// characters.
    pub fn from_parts(
        key: impl Into<String>,
        group_key: impl Into<String>,
        password: SecretString,
    ) -> Result<Self, Error> {
        let device = Self {
            key: key.into(),
            group_key: group_key.into(),
            password,
        };
        device.check()?;
        Ok(device)
    }

    fn check(&self) -> Result<(), Error> {
        validate::device_key(&self.key)?;
        validate::device_group_key(&self.group_key)?;
        validate::device_password(self.password.expose_secret())
    }

    /// `DeviceKey`: the device's name at Cognito (not secret; it appears in
    /// device lists).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// `DeviceGroupKey`.
    pub fn group_key(&self) -> &str {
        &self.group_key
    }

    /// The device password, for an app that stores the parts itself.
    pub fn password(&self) -> &SecretString {
        &self.password
    }
}

/// What [`confirm`] did: the device to store and the status it was left in.
#[non_exhaustive]
#[derive(Debug)]
pub struct Confirmed {
    /// The device to store (a bearer credential: see the [module
    /// docs](self)). Store it even when not remembered: presenting it
    /// spares a new device record on every sign-in, though the second
    /// factor is still asked.
    pub device: RememberedDevice,
    /// Whether the device now skips the second factor (where the pool
    /// allows it at all).
    pub status: DeviceRememberedStatus,
}

/// Confirms the device a sign-in's tokens brought (ConfirmDevice), then
/// applies `remember`, the person's choice: in a pool that asks first
/// (`UserConfirmationNecessary`), UpdateDeviceStatus sets it; in one that
/// remembers every confirmed device, a `NotRemembered` choice is still
/// honoured with UpdateDeviceStatus, so no device is remembered that the
/// person declined.
///
/// `Ok(None)` when the tokens carry no `NewDeviceMetadata` (the pool tracks
/// no devices, or the sign-in presented one). The device password is drawn
/// here (40 random bytes) and only its verifier is sent. The name, when
/// given, is checked as [`validate::device_name`] does, before any call.
/// ConfirmDevice alone, for a caller that applies the choice itself, is
/// [`register`].
pub async fn confirm(
    backend: &dyn CognitoBackend,
    tokens: &AuthTokens,
    name: Option<&str>,
    remember: DeviceRememberedStatus,
) -> Result<Option<Confirmed>, Error> {
    let Some(metadata) = &tokens.new_device else {
        return Ok(None);
    };
    // The keys came from the service here: outside Cognito's form they are
    // its fault, not the caller's.
    validate::device_key(&metadata.device_key).map_err(|_| {
        Error::unexpected(
            Operation::ConfirmDevice,
            "a DeviceKey outside Cognito's form",
        )
    })?;
    validate::device_group_key(&metadata.device_group_key).map_err(|_| {
        Error::unexpected(
            Operation::ConfirmDevice,
            "a DeviceGroupKey outside Cognito's form",
        )
    })?;
    let registered = register(backend, &tokens.access_token, metadata, name).await?;
    // Always where the pool asks; where it remembered on its own, only to
    // undo what the person declined.
    if registered.user_confirmation_necessary || remember == DeviceRememberedStatus::NotRemembered {
        backend
            .update_device_status(
                UserTarget::AccessToken(tokens.access_token.clone()),
                metadata.device_key.clone(),
                remember,
            )
            .await?;
    }
    Ok(Some(Confirmed {
        device: registered.device,
        status: remember,
    }))
}

/// What [`register`] did: the device to store, and whether the pool waits
/// for the person's choice.
#[non_exhaustive]
#[derive(Debug)]
pub struct Registered {
    /// The device to store (a bearer credential: see the [module
    /// docs](self)).
    pub device: RememberedDevice,
    /// ConfirmDevice's `UserConfirmationNecessary`: the pool remembers
    /// devices only when asked (opt-in), so the device is not remembered
    /// until [`set_status`] says so.
    pub user_confirmation_necessary: bool,
}

/// ConfirmDevice alone, for the keys of a sign-in's `NewDeviceMetadata`
/// (from [`AuthTokens::new_device`], or held apart by a caller such as a
/// command-line tool): draws the device password (40 random bytes), sends
/// only its SRP verifier, and hands back the device to store. No
/// UpdateDeviceStatus is sent: where
/// [`Registered::user_confirmation_necessary`] is true, the person's choice
/// is a [`set_status`] of its own; [`confirm`] does both.
///
/// The access token, the keys and the name (when given) are checked before
/// any call; keys outside Cognito's form are [`Error::InvalidInput`].
pub async fn register(
    backend: &dyn CognitoBackend,
    access_token: &AccessToken,
    new_device: &NewDeviceMetadata,
    name: Option<&str>,
) -> Result<Registered, Error> {
    if let Some(name) = name {
        validate::device_name(name)?;
    }
    validate::token(access_token.expose_secret())?;
    validate::device_key(&new_device.device_key)?;
    validate::device_group_key(&new_device.device_group_key)?;
    let local = |e: srp::SrpError| e.into_error(Operation::ConfirmDevice);
    let password = srp::generate_device_password().map_err(local)?;
    let salt = srp::generate_device_salt().map_err(local)?;
    let config = srp::device_verifier(
        &new_device.device_group_key,
        &new_device.device_key,
        &password,
        &salt,
    )
    .map_err(local)?;
    let user_confirmation_necessary = backend
        .confirm_device(ConfirmDeviceRequest::new(
            access_token.clone(),
            new_device.device_key.clone(),
            name.map(str::to_owned),
            DeviceVerifier::new(config.password_verifier, config.salt),
        ))
        .await?;
    Ok(Registered {
        device: RememberedDevice {
            key: new_device.device_key.clone(),
            group_key: new_device.device_group_key.clone(),
            password,
        },
        user_confirmation_necessary,
    })
}

/// Every device ListDevices (or AdminListDevices) returns for `user`, page
/// after page. A server that keeps handing out pages (over 100, or the
/// same token twice) is refused with [`Error::UnexpectedResponse`].
pub async fn list_all(
    backend: &dyn CognitoBackend,
    user: UserTarget,
) -> Result<Vec<Device>, Error> {
    check_target(&user)?;
    let operation = user.list_devices_operation();
    let mut devices = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = backend
            .list_devices(user.clone(), None, token.clone())
            .await?;
        devices.extend(page.devices);
        match page.pagination_token {
            None => return Ok(devices),
            Some(next) if Some(&next) == token.as_ref() => {
                return Err(Error::unexpected(operation, "the same page token twice"));
            }
            Some(next) => token = Some(next),
        }
    }
    Err(Error::unexpected(
        operation,
        "more than 100 pages of devices",
    ))
}

/// GetDevice or AdminGetDevice, with the key checked first.
pub async fn get(
    backend: &dyn CognitoBackend,
    user: UserTarget,
    device_key: &str,
) -> Result<Device, Error> {
    check_target(&user)?;
    validate::device_key(device_key)?;
    backend.get_device(user, device_key.to_owned()).await
}

/// ForgetDevice or AdminForgetDevice, with the key checked first. The
/// device's holder then signs in with the second factor again; its next
/// sign-in on the device sees [`Error::DeviceNotFound`] (which
/// [`SignIn::on_device`](crate::sign_in::SignIn::on_device) handles).
pub async fn forget(
    backend: &dyn CognitoBackend,
    user: UserTarget,
    device_key: &str,
) -> Result<(), Error> {
    check_target(&user)?;
    validate::device_key(device_key)?;
    backend.forget_device(user, device_key.to_owned()).await
}

/// UpdateDeviceStatus or AdminUpdateDeviceStatus: remembered or not, with
/// the key checked first.
pub async fn set_status(
    backend: &dyn CognitoBackend,
    user: UserTarget,
    device_key: &str,
    status: DeviceRememberedStatus,
) -> Result<(), Error> {
    check_target(&user)?;
    validate::device_key(device_key)?;
    backend
        .update_device_status(user, device_key.to_owned(), status)
        .await
}

fn check_target(user: &UserTarget) -> Result<(), Error> {
    match user {
        UserTarget::AccessToken(token) => validate::token(token.expose_secret()),
        UserTarget::Admin {
            user_pool_id,
            username,
        } => {
            validate::user_pool_id(user_pool_id)?;
            validate::username(username)
        }
    }
}

#[cfg(feature = "serde")]
mod stored {
    //! The stored form: `{"v":1,"device_key":…,"device_group_key":…,
    //! "device_password":…}`. The device password leaves the process here
    //! on purpose: storing it is the point.
    use super::RememberedDevice;
    use secrecy::{ExposeSecret as _, SecretString};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

    const VERSION: u32 = 1;

    #[derive(Serialize)]
    struct Out<'a> {
        v: u32,
        device_key: &'a str,
        device_group_key: &'a str,
        device_password: &'a str,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct In {
        v: u32,
        device_key: String,
        device_group_key: String,
        device_password: String,
    }

    impl Serialize for RememberedDevice {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            Out {
                v: VERSION,
                device_key: &self.key,
                device_group_key: &self.group_key,
                device_password: self.password.expose_secret(),
            }
            .serialize(s)
        }
    }

    impl<'de> Deserialize<'de> for RememberedDevice {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let stored = In::deserialize(d)?;
            if stored.v != VERSION {
                return Err(de::Error::custom(format_args!(
                    "remembered device format {} (this version reads {VERSION})",
                    stored.v
                )));
            }
            RememberedDevice::from_parts(
                stored.device_key,
                stored.device_group_key,
                SecretString::from(stored.device_password),
            )
            .map_err(de::Error::custom)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::error::Field;

    fn device() -> RememberedDevice {
        RememberedDevice::from_parts(
            "us-east-1_00000000-1111-2222-3333-444444444444",
            "-Abc123",
            SecretString::from("c2VjcmV0IGRldmljZSBwYXNzd29yZA=="),
        )
        .unwrap()
    }

    #[test]
    fn debug_shows_keys_not_the_password() {
        let shown = format!("{:?}", device());
        assert!(shown.contains("us-east-1_00000000"));
        assert!(!shown.contains("c2VjcmV0"));
    }

    #[test]
    fn parts_are_checked() {
        let bad_key = RememberedDevice::from_parts("nokey", "-Abc", SecretString::from("pw"));
        assert!(matches!(bad_key, Err(Error::InvalidInput(i)) if i.field() == Field::DeviceKey));
        let bad_password = RememberedDevice::from_parts(
            "us-east-1_00000000-1111",
            "-Abc",
            SecretString::from("has space"),
        );
        assert!(
            matches!(bad_password, Err(Error::InvalidInput(i)) if i.field() == Field::DevicePassword)
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn stored_form_round_trips_and_is_checked() {
        let json = serde_json::to_string(&device()).unwrap();
        assert!(
            json.starts_with(r#"{"v":1,"device_key":"us-east-1_"#),
            "{json}"
        );
        let back: RememberedDevice = serde_json::from_str(&json).unwrap();
        assert_eq!(back.key(), device().key());
        assert_eq!(
            back.password().expose_secret(),
            device().password().expose_secret()
        );
        let future = json.replace(r#""v":1"#, r#""v":2"#);
        assert!(serde_json::from_str::<RememberedDevice>(&future).is_err());
        let tampered = json.replace("us-east-1_", "us east 1_");
        assert!(serde_json::from_str::<RememberedDevice>(&tampered).is_err());
    }
}
