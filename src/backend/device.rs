//! What the remembered-device calls send and receive: ConfirmDevice,
//! UpdateDeviceStatus, ListDevices, GetDevice, ForgetDevice (and their
//! admin twins), and the pool's DeviceConfiguration.

use super::UserTarget;
use crate::error::Operation;
use crate::secret::AccessToken;
use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

/// How a user pool treats devices (`DeviceConfiguration`).
///
/// Cognito's two switches, with the names it gives them; the methods say
/// what they mean.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeviceConfiguration {
    /// `ChallengeRequiredOnNewDevice`. Despite the name: when true, a
    /// *remembered* device may sign in with device authentication instead of
    /// the second factor (the console's "suppress MFA on remembered
    /// devices"); a new device always gets the second factor either way.
    pub challenge_required_on_new_device: bool,
    /// `DeviceOnlyRememberedOnUserPrompt`: when true, confirming a device
    /// does not remember it; the app asks the person and calls
    /// UpdateDeviceStatus ("opt-in"). When false, every confirmed device is
    /// remembered ("always").
    pub device_only_remembered_on_user_prompt: bool,
}

impl DeviceConfiguration {
    /// A configuration with Cognito's two switches.
    pub const fn new(
        challenge_required_on_new_device: bool,
        device_only_remembered_on_user_prompt: bool,
    ) -> Self {
        Self {
            challenge_required_on_new_device,
            device_only_remembered_on_user_prompt,
        }
    }

    /// Whether a remembered device skips the second factor (when the pool's
    /// MFA is active at all).
    pub const fn remembered_devices_skip_mfa(&self) -> bool {
        self.challenge_required_on_new_device
    }

    /// Whether the person is asked before a device is remembered
    /// (UpdateDeviceStatus after ConfirmDevice).
    pub const fn remembering_is_opt_in(&self) -> bool {
        self.device_only_remembered_on_user_prompt
    }
}

/// ConfirmDevice's `DeviceSecretVerifierConfig`: both standard base64. The
/// verifier is g^x mod N of the device password; not secret in itself, but
/// nothing to show either.
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceVerifier {
    /// `PasswordVerifier`.
    pub password_verifier: String,
    /// `Salt`.
    pub salt: String,
}

impl DeviceVerifier {
    /// A verifier and its salt, as ConfirmDevice sends them.
    pub fn new(password_verifier: impl Into<String>, salt: impl Into<String>) -> Self {
        Self {
            password_verifier: password_verifier.into(),
            salt: salt.into(),
        }
    }
}

impl fmt::Debug for DeviceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceVerifier")
            .field("password_verifier_len", &self.password_verifier.len())
            .field("salt", &self.salt)
            .finish()
    }
}

/// ConfirmDevice: the signed-in user's access token, the device's key, its
/// verifier and a name for it.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct ConfirmDeviceRequest {
    /// The access token of the sign-in that brought the device's keys.
    pub access_token: AccessToken,
    /// `DeviceKey` from `NewDeviceMetadata`.
    pub device_key: String,
    /// `DeviceName`, shown in device lists.
    pub device_name: Option<String>,
    /// `DeviceSecretVerifierConfig`.
    pub verifier: DeviceVerifier,
}

impl ConfirmDeviceRequest {
    /// A request to confirm `device_key` with `verifier`.
    pub fn new(
        access_token: AccessToken,
        device_key: impl Into<String>,
        device_name: Option<String>,
        verifier: DeviceVerifier,
    ) -> Self {
        Self {
            access_token,
            device_key: device_key.into(),
            device_name,
            verifier,
        }
    }
}

/// `DeviceRememberedStatus`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceRememberedStatus {
    /// `remembered`: the device may skip the second factor.
    Remembered,
    /// `not_remembered`: tracked, but asked for the second factor.
    NotRemembered,
}

impl DeviceRememberedStatus {
    /// Cognito's word: `remembered` or `not_remembered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Remembered => "remembered",
            Self::NotRemembered => "not_remembered",
        }
    }

    /// Reads Cognito's word.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "remembered" => Some(Self::Remembered),
            "not_remembered" => Some(Self::NotRemembered),
            _ => None,
        }
    }

    /// `remembered` for true.
    pub fn from_bool(remembered: bool) -> Self {
        if remembered {
            Self::Remembered
        } else {
            Self::NotRemembered
        }
    }
}

impl fmt::Display for DeviceRememberedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A device as Cognito lists it (`DeviceType`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// `DeviceKey`.
    pub device_key: String,
    /// `DeviceAttributes`: `device_name`, `dev:device_remembered_status`,
    /// `last_ip_used`, ...
    pub attributes: BTreeMap<String, String>,
    /// `DeviceCreateDate`.
    pub created: Option<SystemTime>,
    /// `DeviceLastModifiedDate`.
    pub last_modified: Option<SystemTime>,
    /// `DeviceLastAuthenticatedDate`.
    pub last_authenticated: Option<SystemTime>,
}

impl Device {
    /// A device with its key and nothing else known.
    pub fn new(device_key: impl Into<String>) -> Self {
        Self {
            device_key: device_key.into(),
            attributes: BTreeMap::new(),
            created: None,
            last_modified: None,
            last_authenticated: None,
        }
    }

    /// Its attributes.
    #[must_use]
    pub fn with_attributes(mut self, attributes: BTreeMap<String, String>) -> Self {
        self.attributes = attributes;
        self
    }

    /// Its dates: created, last modified, last authenticated.
    #[must_use]
    pub fn with_dates(
        mut self,
        created: Option<SystemTime>,
        last_modified: Option<SystemTime>,
        last_authenticated: Option<SystemTime>,
    ) -> Self {
        self.created = created;
        self.last_modified = last_modified;
        self.last_authenticated = last_authenticated;
        self
    }

    /// The `device_name` attribute (ConfirmDevice's DeviceName).
    pub fn name(&self) -> Option<&str> {
        self.attributes.get("device_name").map(String::as_str)
    }

    /// The `dev:device_remembered_status` attribute.
    pub fn remembered_status(&self) -> Option<DeviceRememberedStatus> {
        self.attributes
            .get("dev:device_remembered_status")
            .and_then(|s| DeviceRememberedStatus::parse(s))
    }
}

/// One page of ListDevices / AdminListDevices.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevicePage {
    /// The devices on this page.
    pub devices: Vec<Device>,
    /// `PaginationToken` for the next page, if any.
    pub pagination_token: Option<String>,
}

impl DevicePage {
    /// A page of devices and the token of the next, if any.
    pub fn new(devices: Vec<Device>, pagination_token: Option<String>) -> Self {
        Self {
            devices,
            pagination_token,
        }
    }
}

impl UserTarget {
    /// The call for this user: `own` with an access token, `admin` for an
    /// administrator's.
    pub(crate) fn operation(&self, own: Operation, admin: Operation) -> Operation {
        match self {
            Self::AccessToken(_) => own,
            Self::Admin { .. } => admin,
        }
    }

    /// UpdateDeviceStatus or AdminUpdateDeviceStatus.
    pub fn update_device_status_operation(&self) -> Operation {
        self.operation(
            Operation::UpdateDeviceStatus,
            Operation::AdminUpdateDeviceStatus,
        )
    }

    /// ListDevices or AdminListDevices.
    pub fn list_devices_operation(&self) -> Operation {
        self.operation(Operation::ListDevices, Operation::AdminListDevices)
    }

    /// GetDevice or AdminGetDevice.
    pub fn get_device_operation(&self) -> Operation {
        self.operation(Operation::GetDevice, Operation::AdminGetDevice)
    }

    /// ForgetDevice or AdminForgetDevice.
    pub fn forget_device_operation(&self) -> Operation {
        self.operation(Operation::ForgetDevice, Operation::AdminForgetDevice)
    }
}
