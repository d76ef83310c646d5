//! Remembered devices, as Cognito tracks them: the pool's
//! DeviceConfiguration, each user's devices, ConfirmDevice and the device
//! calls, and what a presented DEVICE_KEY changes in a sign-in.
//!
//! Where Cognito does not document its behaviour, the pool's choice is
//! marked "Undocumented".

use super::challenges::{Next, SessionStep};
use super::errors::{device_not_found, invalid_parameter};
use super::locks::{lock, read, write};
use super::random::{random_from_alnum, random_uuid};
use super::users::UserRecord;
use super::{InMemoryPool, Inner};
use crate::backend::{
    ConfirmDeviceRequest, Device, DeviceConfiguration, DevicePage, DeviceRememberedStatus,
    NewDeviceMetadata, Parameters, UserTarget,
};
use crate::error::ServiceError;
use crate::srp::Verifier;
use std::collections::BTreeMap;
use std::time::SystemTime;

/// ListDevices' largest page (Cognito's `Limit` maximum), and the page
/// size when no limit is given (undocumented; the pool's choice).
const MAX_PAGE: usize = 60;

/// A device Cognito handed out in NewDeviceMetadata.
pub(super) struct DeviceRecord {
    pub(super) key: String,
    name: Option<String>,
    /// Set by ConfirmDevice: the device password's verifier. An unconfirmed
    /// device has nothing to prove with.
    pub(super) verifier: Option<Verifier>,
    pub(super) remembered: bool,
    created: SystemTime,
    modified: SystemTime,
    pub(super) last_authenticated: Option<SystemTime>,
}

impl DeviceRecord {
    fn describe(&self) -> Device {
        let mut attributes = BTreeMap::new();
        attributes.insert("device_status".to_owned(), "valid".to_owned());
        attributes.insert(
            "dev:device_remembered_status".to_owned(),
            DeviceRememberedStatus::from_bool(self.remembered)
                .as_str()
                .to_owned(),
        );
        if let Some(name) = &self.name {
            attributes.insert("device_name".to_owned(), name.clone());
        }
        Device::new(self.key.clone())
            .with_attributes(attributes)
            .with_dates(
                Some(self.created),
                Some(self.modified),
                self.last_authenticated,
            )
    }
}

impl UserRecord {
    pub(super) fn device(&self, key: &str) -> Option<&DeviceRecord> {
        self.devices.iter().find(|d| d.key == key)
    }

    pub(super) fn device_mut(&mut self, key: &str) -> Option<&mut DeviceRecord> {
        self.devices.iter_mut().find(|d| d.key == key)
    }

    /// The device DEVICE_KEY names, when one was sent: a key the user has
    /// no device for is "Device does not exist.", whatever the call.
    pub(super) fn presented_device(
        &self,
        parameters: &Parameters,
    ) -> Result<Option<&DeviceRecord>, ServiceError> {
        match parameters.get("DEVICE_KEY") {
            None => Ok(None),
            Some(key) => self.device(key).map(Some).ok_or_else(device_not_found),
        }
    }
}

impl InMemoryPool {
    /// Sets the pool's DeviceConfiguration (UpdateUserPool); `None`, a new
    /// pool's default, tracks no devices: sign-ins bring no
    /// NewDeviceMetadata.
    pub fn set_device_configuration(&self, config: Option<DeviceConfiguration>) {
        *write(&self.inner.device_config) = config;
    }

    /// The pool's DeviceConfiguration.
    pub fn device_configuration(&self) -> Option<DeviceConfiguration> {
        *read(&self.inner.device_config)
    }
}

impl Inner {
    pub(super) fn device_config(&self) -> Option<DeviceConfiguration> {
        *read(&self.device_config)
    }

    /// What a presented device changes once the factors are through: a
    /// confirmed device proves itself (DEVICE_SRP_AUTH) before the tokens,
    /// and a remembered one does so instead of the MFA step when the pool
    /// lets remembered devices skip it. New passwords and MFA setup are
    /// never skipped; an unconfirmed device has nothing to prove with
    /// (undocumented: the pool lets it through without a device step).
    pub(super) fn with_device(
        &self,
        user: &UserRecord,
        parameters: &Parameters,
        next: Next,
    ) -> Result<Next, ServiceError> {
        let Some(device) = user.presented_device(parameters)? else {
            return Ok(next);
        };
        if device.verifier.is_none() {
            return Ok(next);
        }
        let skips_mfa = device.remembered
            && self
                .device_config()
                .is_some_and(|c| c.remembered_devices_skip_mfa());
        let prove = || {
            Next::Challenge(SessionStep::DeviceSrpAuth {
                device_key: device.key.clone(),
            })
        };
        Ok(match next {
            Next::Tokens => prove(),
            Next::Challenge(step) if skips_mfa && step.is_mfa() => prove(),
            other => other,
        })
    }

    /// NewDeviceMetadata for a sign-in that ends without having presented a
    /// device, in a pool that tracks devices: a new, unconfirmed device.
    pub(super) fn new_device(&self, username: &str, now: SystemTime) -> Option<NewDeviceMetadata> {
        self.device_config()?;
        let user = read(&self.users).get(username).cloned()?;
        let mut user = lock(&user);
        let region = self.pool_id.split('_').next().unwrap_or("us-east-1");
        let key = format!("{region}_{}", random_uuid());
        // One group key per user (Cognito's looks like `-abCD12efG`).
        let group = user
            .device_group_key
            .get_or_insert_with(|| format!("-{}", random_from_alnum(9)))
            .clone();
        user.devices.push(DeviceRecord {
            key: key.clone(),
            name: None,
            verifier: None,
            remembered: false,
            created: now,
            modified: now,
            last_authenticated: None,
        });
        Some(NewDeviceMetadata::new(key, group))
    }

    /// ConfirmDevice: keeps the verifier and the name; remembers the device
    /// unless the pool asks the person first. Answers
    /// UserConfirmationNecessary. Undocumented: confirming again replaces
    /// the verifier.
    pub(super) fn confirm_device(
        &self,
        request: &ConfirmDeviceRequest,
        now: SystemTime,
    ) -> Result<bool, ServiceError> {
        let user = self.user_by_token(&request.access_token, now)?;
        let verifier = Verifier::from_device_config(
            &request.verifier.password_verifier,
            &request.verifier.salt,
        )
        .map_err(|_| invalid_parameter("Invalid DeviceSecretVerifierConfig."))?;
        if let Some(name) = &request.device_name
            && !(1..=1024).contains(&name.chars().count())
        {
            return Err(invalid_parameter(
                "DeviceName must be 1 to 1024 characters long.",
            ));
        }
        let opt_in = self
            .device_config()
            .is_some_and(|c| c.remembering_is_opt_in());
        let mut user = lock(&user);
        let device = user
            .device_mut(&request.device_key)
            .ok_or_else(device_not_found)?;
        device.verifier = Some(verifier);
        device.name.clone_from(&request.device_name);
        device.remembered = !opt_in;
        device.modified = now;
        Ok(opt_in)
    }

    pub(super) fn update_device_status(
        &self,
        target: &UserTarget,
        key: &str,
        status: DeviceRememberedStatus,
        now: SystemTime,
    ) -> Result<(), ServiceError> {
        let user = self.target_user(target, now)?;
        let mut user = lock(&user);
        let device = user.device_mut(key).ok_or_else(device_not_found)?;
        device.remembered = status == DeviceRememberedStatus::Remembered;
        device.modified = now;
        Ok(())
    }

    /// One page of the user's remembered devices, oldest first; the
    /// pagination token is the key of the next page's first device.
    pub(super) fn list_devices(
        &self,
        target: &UserTarget,
        limit: Option<u32>,
        pagination_token: Option<&str>,
        now: SystemTime,
    ) -> Result<DevicePage, ServiceError> {
        let limit = match limit.map(usize::try_from) {
            None => MAX_PAGE,
            Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
            Some(_) => {
                return Err(invalid_parameter("Limit must be between 1 and 60."));
            }
        };
        let user = self.target_user(target, now)?;
        let user = lock(&user);
        let listed: Vec<&DeviceRecord> = user.devices.iter().filter(|d| d.remembered).collect();
        let start = match pagination_token {
            None => 0,
            Some(token) => listed
                .iter()
                .position(|d| d.key == token)
                .ok_or_else(|| invalid_parameter("Invalid pagination token."))?,
        };
        let page: Vec<Device> = listed
            .iter()
            .skip(start)
            .take(limit)
            .map(|d| d.describe())
            .collect();
        let next = listed.get(start + limit).map(|d| d.key.clone());
        Ok(DevicePage::new(page, next))
    }

    pub(super) fn get_device(
        &self,
        target: &UserTarget,
        key: &str,
        now: SystemTime,
    ) -> Result<Device, ServiceError> {
        let user = self.target_user(target, now)?;
        let user = lock(&user);
        user.device(key)
            .map(DeviceRecord::describe)
            .ok_or_else(device_not_found)
    }

    /// ForgetDevice: the key is gone; presenting it is "Device does not
    /// exist." from now on.
    pub(super) fn forget_device(
        &self,
        target: &UserTarget,
        key: &str,
        now: SystemTime,
    ) -> Result<(), ServiceError> {
        let user = self.target_user(target, now)?;
        let mut user = lock(&user);
        let before = user.devices.len();
        user.devices.retain(|d| d.key != key);
        if user.devices.len() == before {
            return Err(device_not_found());
        }
        Ok(())
    }
}
