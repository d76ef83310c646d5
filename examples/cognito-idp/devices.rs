//! The AWS CLI's device commands (`confirm-device`, `update-device-status`,
//! `get-device`, `list-devices`, `forget-device` and the `admin-*` twins),
//! and `--device-file`: where this tool keeps the remembered device that
//! `confirm-device` makes, and reads it back for a sign-in on the device.

use crate::{InputError, checked};
use clap::Args;
use cognito_mfa::backend::{Device, DeviceRememberedStatus, NewDeviceMetadata, UserTarget};
use cognito_mfa::device::{self, RememberedDevice};
use cognito_mfa::{AccessToken, CognitoBackend as _, Error, SdkBackend, validate};
use serde_json::{Map, Value, json};
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use zeroize::Zeroizing;

/// A device file is a few hundred bytes; anything far larger is not one.
const MAX_DEVICE_FILE_BYTES: u64 = 64 * 1024;

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

#[derive(Args)]
pub struct ConfirmDeviceArgs {
    /// The access token of the sign-in that printed NewDeviceMetadata.
    // Opaque: may start with '-', taken as a value.
    #[arg(long, allow_hyphen_values = true)]
    access_token: String,
    /// NewDeviceMetadata's DeviceKey.
    #[arg(long)]
    device_key: String,
    /// Not in the AWS CLI: NewDeviceMetadata's DeviceGroupKey, from which
    /// the tool computes the device's verifier. Cognito's start with '-',
    /// taken here as a value.
    #[arg(long, allow_hyphen_values = true)]
    device_group_key: String,
    /// A name for the device, shown in device lists.
    #[arg(long)]
    device_name: Option<String>,
    /// Not in the AWS CLI: the file to create (mode 0600; refused if it
    /// exists) for the remembered device, device password included.
    #[arg(long)]
    device_file: PathBuf,
    /// The AWS CLI's verifier: computed by this tool, so refused here.
    #[arg(long, hide = true)]
    device_secret_verifier_config: Option<String>,
}

/// The signed-in user and a device of theirs.
#[derive(Args)]
pub struct OwnDeviceArgs {
    /// The signed-in user's access token.
    // Opaque: may start with '-', taken as a value.
    #[arg(long, allow_hyphen_values = true)]
    access_token: String,
    /// The device's key.
    #[arg(long)]
    device_key: String,
}

/// A user, named by an administrator, and a device of theirs.
#[derive(Args)]
pub struct AdminDeviceArgs {
    /// The user pool id, such as us-east-1_AbC123.
    #[arg(long)]
    user_pool_id: String,
    /// The user name.
    #[arg(long)]
    username: String,
    /// The device's key.
    #[arg(long)]
    device_key: String,
}

#[derive(Args)]
pub struct UpdateStatusArgs {
    #[command(flatten)]
    device: OwnDeviceArgs,
    /// remembered or not_remembered.
    #[arg(long)]
    device_remembered_status: String,
}

#[derive(Args)]
pub struct AdminUpdateStatusArgs {
    #[command(flatten)]
    device: AdminDeviceArgs,
    /// remembered or not_remembered.
    #[arg(long)]
    device_remembered_status: String,
}

/// One page of a device list.
#[derive(Args)]
pub struct PageArgs {
    /// How many devices on the page (at most 60).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=60))]
    limit: Option<u32>,
    /// The PaginationToken of the previous page.
    // An opaque value that may start with '-': taken as a value.
    #[arg(long, allow_hyphen_values = true)]
    pagination_token: Option<String>,
}

#[derive(Args)]
pub struct ListArgs {
    /// The signed-in user's access token.
    // Opaque: may start with '-', taken as a value.
    #[arg(long, allow_hyphen_values = true)]
    access_token: String,
    #[command(flatten)]
    page: PageArgs,
}

#[derive(Args)]
pub struct AdminListArgs {
    /// The user pool id, such as us-east-1_AbC123.
    #[arg(long)]
    user_pool_id: String,
    /// The user name.
    #[arg(long)]
    username: String,
    #[command(flatten)]
    page: PageArgs,
}

// ---------------------------------------------------------------------------
// Checked
// ---------------------------------------------------------------------------

/// A device command whose input passed every local check.
pub enum DeviceCall {
    Confirm {
        access_token: AccessToken,
        new_device: NewDeviceMetadata,
        name: Option<String>,
        file: NewDeviceFile,
    },
    SetStatus {
        user: UserTarget,
        device_key: String,
        status: DeviceRememberedStatus,
    },
    Get {
        user: UserTarget,
        device_key: String,
    },
    List {
        user: UserTarget,
        limit: Option<u32>,
        pagination_token: Option<String>,
    },
    Forget {
        user: UserTarget,
        device_key: String,
    },
}

fn own(access_token: String) -> Result<UserTarget, InputError> {
    checked("--access-token", validate::token(&access_token))?;
    Ok(UserTarget::AccessToken(AccessToken::new(access_token)))
}

fn admin(user_pool_id: String, username: String) -> Result<UserTarget, InputError> {
    checked("--user-pool-id", validate::user_pool_id(&user_pool_id))?;
    checked("--username", validate::username(&username))?;
    Ok(UserTarget::Admin {
        user_pool_id,
        username,
    })
}

fn device_key(key: String) -> Result<String, InputError> {
    checked("--device-key", validate::device_key(&key))?;
    Ok(key)
}

fn status(word: &str) -> Result<DeviceRememberedStatus, InputError> {
    DeviceRememberedStatus::parse(word).ok_or_else(|| {
        InputError::new(
            "--device-remembered-status",
            "expected remembered or not_remembered",
        )
    })
}

fn page(args: PageArgs) -> Result<(Option<u32>, Option<String>), InputError> {
    if let Some(token) = &args.pagination_token
        && (token.is_empty() || token.len() > 4096 || !token.chars().all(|c| c.is_ascii_graphic()))
    {
        return Err(InputError::new(
            "--pagination-token",
            "must be 1 to 4096 printable ASCII characters, as the previous page printed it",
        ));
    }
    Ok((args.limit, args.pagination_token))
}

pub fn prepare_confirm(args: ConfirmDeviceArgs) -> Result<DeviceCall, InputError> {
    if args.device_secret_verifier_config.is_some() {
        return Err(InputError::new(
            "--device-secret-verifier-config",
            "is computed by this tool from --device-group-key and a device password it draws \
             and writes to --device-file; leave it out",
        ));
    }
    checked("--access-token", validate::token(&args.access_token))?;
    let key = device_key(args.device_key)?;
    checked(
        "--device-group-key",
        validate::device_group_key(&args.device_group_key),
    )?;
    if let Some(name) = &args.device_name {
        checked("--device-name", validate::device_name(name))?;
    }
    // Last, once every value is good: the file is made before ConfirmDevice,
    // so a path that can't be written is refused before the device is.
    let file = NewDeviceFile::create(args.device_file)?;
    Ok(DeviceCall::Confirm {
        access_token: AccessToken::new(args.access_token),
        new_device: NewDeviceMetadata::new(key, args.device_group_key),
        name: args.device_name,
        file,
    })
}

pub fn prepare_update(args: UpdateStatusArgs) -> Result<DeviceCall, InputError> {
    let status = status(&args.device_remembered_status)?;
    Ok(DeviceCall::SetStatus {
        device_key: device_key(args.device.device_key)?,
        user: own(args.device.access_token)?,
        status,
    })
}

pub fn prepare_admin_update(args: AdminUpdateStatusArgs) -> Result<DeviceCall, InputError> {
    let status = status(&args.device_remembered_status)?;
    Ok(DeviceCall::SetStatus {
        device_key: device_key(args.device.device_key)?,
        user: admin(args.device.user_pool_id, args.device.username)?,
        status,
    })
}

pub fn prepare_get(args: OwnDeviceArgs) -> Result<DeviceCall, InputError> {
    Ok(DeviceCall::Get {
        device_key: device_key(args.device_key)?,
        user: own(args.access_token)?,
    })
}

pub fn prepare_admin_get(args: AdminDeviceArgs) -> Result<DeviceCall, InputError> {
    Ok(DeviceCall::Get {
        device_key: device_key(args.device_key)?,
        user: admin(args.user_pool_id, args.username)?,
    })
}

pub fn prepare_forget(args: OwnDeviceArgs) -> Result<DeviceCall, InputError> {
    Ok(DeviceCall::Forget {
        device_key: device_key(args.device_key)?,
        user: own(args.access_token)?,
    })
}

pub fn prepare_admin_forget(args: AdminDeviceArgs) -> Result<DeviceCall, InputError> {
    Ok(DeviceCall::Forget {
        device_key: device_key(args.device_key)?,
        user: admin(args.user_pool_id, args.username)?,
    })
}

pub fn prepare_list(args: ListArgs) -> Result<DeviceCall, InputError> {
    let (limit, pagination_token) = page(args.page)?;
    Ok(DeviceCall::List {
        user: own(args.access_token)?,
        limit,
        pagination_token,
    })
}

pub fn prepare_admin_list(args: AdminListArgs) -> Result<DeviceCall, InputError> {
    let (limit, pagination_token) = page(args.page)?;
    Ok(DeviceCall::List {
        user: admin(args.user_pool_id, args.username)?,
        limit,
        pagination_token,
    })
}

// ---------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------

/// Why a device command failed.
pub enum DeviceFailure {
    Cognito(Error),
    /// ConfirmDevice went through but the device file could not be written.
    NotStored(String),
}

impl From<Error> for DeviceFailure {
    fn from(e: Error) -> Self {
        Self::Cognito(e)
    }
}

impl DeviceCall {
    /// Makes the call; returns the JSON to print, if any.
    pub async fn run(self, backend: &SdkBackend) -> Result<Option<Value>, DeviceFailure> {
        match self {
            Self::Confirm {
                access_token,
                new_device,
                name,
                file,
            } => {
                // ConfirmDevice alone, as the AWS CLI's confirm-device: the
                // person's choice is update-device-status.
                let registered =
                    match device::register(backend, &access_token, &new_device, name.as_deref())
                        .await
                    {
                        Ok(registered) => registered,
                        Err(e) => {
                            file.abandon();
                            return Err(e.into());
                        }
                    };
                file.write(&registered.device)?;
                Ok(Some(json!({
                    "UserConfirmationNecessary": registered.user_confirmation_necessary
                })))
            }
            Self::SetStatus {
                user,
                device_key,
                status,
            } => {
                device::set_status(backend, user, &device_key, status).await?;
                Ok(None)
            }
            Self::Get { user, device_key } => {
                let found = device::get(backend, user, &device_key).await?;
                Ok(Some(json!({ "Device": device_json(&found) })))
            }
            Self::List {
                user,
                limit,
                pagination_token,
            } => {
                let page = backend.list_devices(user, limit, pagination_token).await?;
                let mut out = Map::new();
                out.insert(
                    "Devices".into(),
                    page.devices.iter().map(device_json).collect(),
                );
                if let Some(token) = page.pagination_token {
                    out.insert("PaginationToken".into(), token.into());
                }
                Ok(Some(Value::Object(out)))
            }
            Self::Forget { user, device_key } => {
                device::forget(backend, user, &device_key).await?;
                Ok(None)
            }
        }
    }
}

/// `DeviceType` as the AWS CLI prints it.
fn device_json(device: &Device) -> Value {
    let mut out = Map::new();
    out.insert("DeviceKey".into(), device.device_key.clone().into());
    out.insert(
        "DeviceAttributes".into(),
        device
            .attributes
            .iter()
            .map(|(name, value)| json!({ "Name": name, "Value": value }))
            .collect(),
    );
    for (key, date) in [
        ("DeviceCreateDate", device.created),
        ("DeviceLastModifiedDate", device.last_modified),
        ("DeviceLastAuthenticatedDate", device.last_authenticated),
    ] {
        if let Some(text) = date.and_then(iso_8601) {
            out.insert(key.into(), text.into());
        }
    }
    Value::Object(out)
}

/// A date as the AWS CLI prints one (Python's `isoformat()`:
/// `2026-12-01T05:30:26.123000+00:00`, the fraction left out when zero),
/// in UTC where the AWS CLI uses the local zone.
fn iso_8601(at: SystemTime) -> Option<String> {
    use aws_sdk_cognitoidentityprovider::primitives::{DateTime, DateTimeFormat};
    let at = DateTime::from(at);
    let whole = DateTime::from_secs(at.secs())
        .fmt(DateTimeFormat::DateTime)
        .ok()?;
    let base = whole.strip_suffix('Z')?;
    let micros = at.subsec_nanos() / 1_000;
    Some(if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    })
}

// ---------------------------------------------------------------------------
// The device file
// ---------------------------------------------------------------------------

/// The file `confirm-device` made for the device, still empty.
pub struct NewDeviceFile {
    path: PathBuf,
    file: File,
}

impl NewDeviceFile {
    /// Creates `path`, mode 0600 on unix. An existing file (a symlink
    /// included: `create_new` follows none) is refused: it may hold a
    /// device still in use.
    fn create(path: PathBuf) -> Result<Self, InputError> {
        let mut options = File::options();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(file) => Ok(Self { path, file }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(InputError::new(
                "--device-file",
                format!(
                    "{} exists; this tool does not overwrite a device file (delete it first if \
                     its device is forgotten, or choose another path)",
                    path.display()
                ),
            )),
            Err(e) => Err(InputError::new(
                "--device-file",
                format!("cannot create {}: {e}", path.display()),
            )),
        }
    }

    /// Writes the device (the library's serde form) and syncs it. Streamed
    /// to the file: no copy of the device password is left in a buffer.
    fn write(mut self, device: &RememberedDevice) -> Result<(), DeviceFailure> {
        let written = serde_json::to_writer(&mut self.file, device)
            .map_err(std::io::Error::from)
            .and_then(|()| self.file.write_all(b"\n"))
            .and_then(|()| self.file.sync_all());
        written.map_err(|e| {
            DeviceFailure::NotStored(format!(
                "ConfirmDevice confirmed {} but {} could not be written ({e}): its device \
                 password is lost. Run forget-device --device-key {} and sign in again for a \
                 new device",
                device.key(),
                self.path.display(),
                device.key()
            ))
        })
    }

    /// Removes the file made for a device that was not confirmed.
    fn abandon(self) {
        drop(self.file);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A device read from `--device-file`, for a sign-in on it.
pub struct DeviceFile {
    pub path: PathBuf,
    pub device: RememberedDevice,
}

impl DeviceFile {
    /// Reads and checks `path`: the library's serde form of a
    /// [`RememberedDevice`]. Messages name the file and the problem, never
    /// its content.
    pub fn read(path: PathBuf) -> Result<Self, InputError> {
        const FLAG: &str = "--device-file";
        let shown = path.display().to_string();
        let cannot = |e: std::io::Error| InputError::new(FLAG, format!("cannot read {shown}: {e}"));
        let file = File::open(&path).map_err(cannot)?;
        let metadata = file.metadata().map_err(cannot)?;
        if !metadata.is_file() || metadata.len() > MAX_DEVICE_FILE_BYTES {
            return Err(InputError::new(
                FLAG,
                format!("{shown} is not a device file (not a regular file of at most 64 KiB)"),
            ));
        }
        warn_if_shared(&path, &metadata);
        let mut text = Zeroizing::new(String::new());
        file.take(MAX_DEVICE_FILE_BYTES)
            .read_to_string(&mut text)
            .map_err(cannot)?;
        let device = serde_json::from_str::<RememberedDevice>(&text).map_err(|e| {
            InputError::new(
                FLAG,
                format!(
                    "{shown} is not a device file made by confirm-device: {}",
                    json_problem(&e)
                ),
            )
        })?;
        Ok(Self { path, device })
    }

    /// The stderr line when Cognito no longer knows the device: the sign-in
    /// `went_on` without it, or was refused (a refresh, an answer).
    pub fn stale_warning(&self, went_on: bool) -> String {
        let path = self.path.display();
        let then = if went_on {
            "this sign-in went on without it"
        } else {
            "sign in again without --device-file"
        };
        format!(
            "warning: the device in {path} ({key}) no longer exists at Cognito (forgotten); \
             {then}. {path} is stale: delete it, then confirm the new device \
             (NewDeviceMetadata, when printed) with confirm-device --device-file {path}",
            key = self.device.key(),
        )
    }
}

/// serde_json's message, unless it could quote the file (a string value
/// may be the device password): then only where it is.
fn json_problem(e: &serde_json::Error) -> String {
    let message = e.to_string();
    if message.contains('"') {
        format!(
            "unexpected content at line {} column {}",
            e.line(),
            e.column()
        )
    } else {
        message
    }
}

/// A device file others can read is a credential others can use: say so
/// (as ssh does of a key), but go on.
#[cfg(unix)]
fn warn_if_shared(path: &Path, metadata: &std::fs::Metadata) {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        eprintln!(
            "warning: {} is open to other users (mode {mode:o}); it holds a device password: \
             chmod 600 it",
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path, _metadata: &std::fs::Metadata) {}
