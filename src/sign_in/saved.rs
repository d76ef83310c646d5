//! A pending challenge as a plain value, to resume a sign-in in another
//! request or on another instance.
//!
//! **The value is a bearer credential** for one challenge: whoever holds it
//! can answer it until it expires (3 to 15 minutes). Keep it server side
//! (a session store) or in an encrypted, authenticated cookie; never in a
//! URL, a log, or a cookie readable by the client.

use super::Pending;
use crate::backend::ChallengeName;
use crate::error::{Error, Field};
use crate::secret::Session;
use crate::validate;
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The format version this crate writes and reads.
pub const SAVED_CHALLENGE_VERSION: u32 = 1;

/// A saved pending challenge. With the `serde` feature it serializes to a
/// small map: `v` (format version), `challenge`, `session`, `username`,
/// `client_id`, `user_pool_id`, `expires_at` (Unix seconds) and
/// `parameters`.
///
/// **The value is a bearer credential** for one challenge: whoever holds it
/// can answer it until it expires (3 to 15 minutes). Keep it server side
/// (a session store) or in an encrypted, authenticated cookie; never in a
/// URL, a log, or a cookie readable by the client.
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
    #[cfg_attr(feature = "serde", serde(default))]
    user_pool_id: Option<String>,
    expires_at: u64,
    #[cfg_attr(feature = "serde", serde(default))]
    parameters: BTreeMap<String, String>,
}

impl fmt::Debug for SavedChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SavedChallenge")
            .field("version", &self.version)
            .field("challenge", &self.challenge)
            .field("session", &self.session)
            .field("username", &self.username)
            .field("client_id", &self.client_id)
            .field("user_pool_id", &self.user_pool_id)
            .field("expires_at", &self.expires_at)
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
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
            user_pool_id: p.user_pool_id,
            expires_at: crate::totp::unix_secs(p.expires_at),
            parameters: p.parameters.into_map(),
        }
    }

    /// Checks the value (it may come from outside) and rebuilds the pending
    /// challenge.
    pub(crate) fn into_pending(self) -> Result<Pending, Error> {
        if self.version != SAVED_CHALLENGE_VERSION {
            return Err(Error::invalid(
                Field::PendingChallenge,
                format!(
                    "format version {} is not supported (this build reads {SAVED_CHALLENGE_VERSION})",
                    self.version
                ),
            ));
        }
        validate::challenge_name(&self.challenge)?;
        validate::session(self.session.expose_secret())?;
        validate::username(&self.username)?;
        validate::client_id(&self.client_id)?;
        if let Some(pool) = &self.user_pool_id {
            validate::user_pool_id(pool)?;
        }
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
            user_pool_id: self.user_pool_id,
            expires_at,
            parameters: self.parameters.into(),
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

    /// The user pool id, for a challenge of an admin sign-in.
    pub fn user_pool_id(&self) -> Option<&str> {
        self.user_pool_id.as_deref()
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
