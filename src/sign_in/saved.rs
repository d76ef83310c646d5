//! A pending challenge as a plain value, to resume a sign-in in another
//! request or on another instance.
//!
//! **The value is a bearer credential** for one challenge: whoever holds it
//! can answer it until it expires (3 to 15 minutes). Keep it server side
//! (a session store) or in an encrypted, authenticated cookie; never in a
//! URL, a log, or a cookie readable by the client.

use super::{Autopilot, ChallengeParameters, Pending};
use crate::backend::{Api, ChallengeName};
use crate::error::{Error, Field};
use crate::secret::Session;
use crate::validate;
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The format version this crate writes. It reads this one and version 1
/// (written by 0.1), so a rolling deploy can resume either.
pub const SAVED_CHALLENGE_VERSION: u32 = 2;

/// The most challenge parameters kept: Cognito sends one to five.
pub(crate) const MAX_PARAMETERS: usize = 64;
/// The most bytes of challenge parameters kept, names and values together:
/// Cognito's largest (a WebAuthn challenge's options) are a few kilobytes.
pub(crate) const MAX_PARAMETER_BYTES: usize = 64 * 1024;

/// Whether challenge parameters (and USER_AUTH's offered challenges) are
/// within [`MAX_PARAMETERS`] entries and [`MAX_PARAMETER_BYTES`] in all.
pub(crate) fn parameters_fit(parameters: &BTreeMap<String, String>, available: &[String]) -> bool {
    let size: usize = parameters
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .chain(available.iter().map(String::len))
        .sum();
    parameters.len() <= MAX_PARAMETERS
        && available.len() <= MAX_PARAMETERS
        && size <= MAX_PARAMETER_BYTES
}

/// The API a saved challenge was issued on, as saved.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
enum SavedApi {
    Admin,
    Public,
}

/// A saved pending challenge. With the `serde` feature it serializes to a
/// small map: `v` (format version), `challenge`, `session`, `username`,
/// `client_id`, `api` (`admin` or `public`), `user_pool_id`, `expires_at`
/// (Unix seconds), `parameters`, `available_challenges` and `device_key`.
/// Version 1 values (no `api`: admin exactly when `user_pool_id` is set)
/// are still read.
///
/// **The value is a bearer credential** for one challenge: whoever holds it
/// can answer it until it expires (3 to 15 minutes). Keep it server side
/// (a session store) or in an encrypted, authenticated cookie; never in a
/// URL, a log, or a cookie readable by the client. It never holds a
/// password, an SRP secret or a device password: a sign-in that needs one
/// after resuming is given it again.
#[derive(Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SavedChallenge {
    #[cfg_attr(feature = "serde", serde(rename = "v"))]
    version: u32,
    challenge: String,
    #[cfg_attr(feature = "serde", serde(with = "session_text"))]
    session: Session,
    username: String,
    client_id: String,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    api: Option<SavedApi>,
    #[cfg_attr(feature = "serde", serde(default))]
    user_pool_id: Option<String>,
    expires_at: u64,
    #[cfg_attr(feature = "serde", serde(default))]
    parameters: BTreeMap<String, String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    available_challenges: Vec<String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    device_key: Option<String>,
}

impl fmt::Debug for SavedChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SavedChallenge")
            .field("version", &self.version)
            .field("challenge", &self.challenge)
            .field("session", &self.session)
            .field("username", &self.username)
            .field("client_id", &self.client_id)
            .field("api", &self.api)
            .field("user_pool_id", &self.user_pool_id)
            .field("expires_at", &self.expires_at)
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .field("available_challenges", &self.available_challenges)
            .field("device_key", &self.device_key)
            .finish()
    }
}

impl SavedChallenge {
    pub(crate) fn from_pending(p: Pending) -> Self {
        Self {
            version: SAVED_CHALLENGE_VERSION,
            challenge: p.name.as_str().to_owned(),
            session: p.session,
            username: p.username,
            client_id: p.client_id,
            api: Some(if p.api.is_admin() {
                SavedApi::Admin
            } else {
                SavedApi::Public
            }),
            user_pool_id: p.user_pool_id,
            expires_at: crate::totp::unix_secs(p.expires_at),
            parameters: p.parameters.into_map(),
            available_challenges: p.available_challenges.into_vec(),
            device_key: p.device_key,
        }
    }

    /// Checks the value (it may come from outside) and rebuilds the pending
    /// challenge.
    pub(crate) fn into_pending(self) -> Result<Pending, Error> {
        let api = match (self.version, self.api) {
            // Version 1 told the APIs apart by the pool id alone.
            (1, None) => match &self.user_pool_id {
                Some(_) => SavedApi::Admin,
                None => SavedApi::Public,
            },
            (SAVED_CHALLENGE_VERSION, Some(api)) => api,
            (SAVED_CHALLENGE_VERSION, None) => {
                return Err(Error::invalid(Field::PendingChallenge, "api is missing"));
            }
            (version, _) => {
                return Err(Error::invalid(
                    Field::PendingChallenge,
                    format!(
                        "format version {version} is not supported (this build reads 1 and {SAVED_CHALLENGE_VERSION})"
                    ),
                ));
            }
        };
        validate::challenge_name(&self.challenge)?;
        validate::session(self.session.expose_secret())?;
        validate::username(&self.username)?;
        validate::client_id(&self.client_id)?;
        if let Some(pool) = &self.user_pool_id {
            validate::user_pool_id(pool)?;
        }
        if let Some(key) = &self.device_key {
            validate::device_key(key)?;
        }
        // A value from outside is bounded like an answer from the service.
        if !parameters_fit(&self.parameters, &self.available_challenges) {
            return Err(Error::invalid(
                Field::PendingChallenge,
                format!(
                    "parameters over {MAX_PARAMETERS} entries or {MAX_PARAMETER_BYTES} bytes in all"
                ),
            ));
        }
        let api = match (api, &self.user_pool_id) {
            (SavedApi::Admin, Some(pool)) => Api::admin(pool.clone()),
            (SavedApi::Admin, None) => {
                return Err(Error::invalid(
                    Field::PendingChallenge,
                    "an admin challenge needs its user_pool_id",
                ));
            }
            (SavedApi::Public, _) => Api::Public,
        };
        let expires_at = self.expiry().ok_or_else(|| {
            Error::invalid(
                Field::PendingChallenge,
                "expires_at is out of range (Unix seconds)",
            )
        })?;
        Ok(Pending {
            name: ChallengeName::parse(&self.challenge),
            session: self.session,
            username: self.username,
            client_id: self.client_id,
            api,
            user_pool_id: self.user_pool_id,
            expires_at,
            parameters: ChallengeParameters::from(self.parameters),
            available_challenges: self.available_challenges.into_boxed_slice(),
            device_key: self.device_key,
            autopilot: Autopilot::default(),
        })
    }
    /// `expires_at` as a time; `None` when a value from outside is too far
    /// in the future for `SystemTime` (adding it would panic).
    fn expiry(&self) -> Option<SystemTime> {
        UNIX_EPOCH.checked_add(Duration::from_secs(self.expires_at))
    }

    /// The challenge name.
    pub fn challenge_name(&self) -> &str {
        &self.challenge
    }

    /// The canonical user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// When the challenge expires. A value too far in the future to
    /// represent (it can only come from outside) reads as the epoch:
    /// expired.
    pub fn expires_at(&self) -> SystemTime {
        self.expiry().unwrap_or(UNIX_EPOCH)
    }

    /// The challenge's Session: a bearer credential, for the one place that
    /// must print or send it (a command-line tool's output).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The challenge parameters as Cognito sent them.
    pub fn parameters(&self) -> &BTreeMap<String, String> {
        &self.parameters
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The user pool id, where the sign-in knew it (always on the admin
    /// API).
    pub fn user_pool_id(&self) -> Option<&str> {
        self.user_pool_id.as_deref()
    }

    /// Whether the challenge was issued on the admin API.
    pub fn is_admin(&self) -> bool {
        match self.api {
            Some(api) => api == SavedApi::Admin,
            None => self.user_pool_id.is_some(),
        }
    }

    /// The first factors USER_AUTH offered (`AvailableChallenges`).
    pub fn available_challenges(&self) -> &[String] {
        &self.available_challenges
    }

    /// The remembered device the sign-in presented, if any.
    pub fn device_key(&self) -> Option<&str> {
        self.device_key.as_deref()
    }

    /// The format version.
    pub fn version(&self) -> u32 {
        self.version
    }
}

#[cfg(feature = "serde")]
mod session_text {
    //! The Session leaves the process here on purpose: saving it is the
    //! point of a saved challenge.
    use crate::secret::Session;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(session: &Session, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(session.expose_secret())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Session, D::Error> {
        String::deserialize(d).map(Session::new)
    }
}
