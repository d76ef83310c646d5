//! Users: their records, the factors they have, and the setup helpers that
//! stand for admin calls.

use super::errors::{
    invalid_access_token, invalid_parameter, not_authorized, user_disabled, user_not_found,
};
use super::locks::{lock, read, write};
use super::random::random_uuid;
use super::{InMemoryPool, Inner};
use crate::backend::{MfaFactor, PoolMfaMode, UserStatus, UserTarget};
use crate::error::ServiceError;
use crate::secret::{AccessToken, OneTimeCode, TotpSecret};
use crate::totp;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AccountStatus {
    Confirmed,
    ForceChangePassword,
    ExternalProvider,
}

#[derive(Clone)]
pub(super) struct TotpKey {
    pub(super) base32: String,
    pub(super) bytes: Vec<u8>,
}

pub(super) struct VerifiedToken {
    pub(super) key: TotpKey,
    pub(super) friendly_name: Option<String>,
}

/// Why a TOTP code was refused.
pub(super) enum CodeFault {
    /// No step in the window matches.
    Mismatch,
    /// It matches only steps at or before the last accepted one.
    Reused,
}

pub(super) struct UserRecord {
    pub(super) username: String,
    pub(super) sub: String,
    /// `None` for a federated user, who has no password in the pool.
    pub(super) password: Option<String>,
    pub(super) status: AccountStatus,
    pub(super) enabled: bool,
    pub(super) attributes: BTreeMap<String, String>,
    /// Associated, not yet verified; a new association replaces it.
    pub(super) pending_totp: Option<TotpKey>,
    /// Verified; stays in use until a new one is verified or it is deleted.
    pub(super) totp: Option<VerifiedToken>,
    /// `SoftwareTokenMfaSettings.Enabled`.
    pub(super) totp_enabled: bool,
    pub(super) sms_enabled: bool,
    pub(super) email_enabled: bool,
    pub(super) preferred: Option<MfaFactor>,
    /// The last TOTP step accepted for this user, at verify or at sign-in.
    last_totp_step: Option<u64>,
    /// The SMS or email code last "sent".
    pub(super) last_delivered_code: Option<String>,
}

impl UserRecord {
    pub(super) fn new(username: String, password: Option<String>, status: AccountStatus) -> Self {
        let sub = random_uuid();
        let mut attributes = BTreeMap::new();
        attributes.insert("sub".to_owned(), sub.clone());
        Self {
            username,
            sub,
            password,
            status,
            enabled: true,
            attributes,
            pending_totp: None,
            totp: None,
            totp_enabled: false,
            sms_enabled: false,
            email_enabled: false,
            preferred: None,
            last_totp_step: None,
            last_delivered_code: None,
        }
    }

    /// The factors a sign-in may challenge. On an ON pool a verified token
    /// counts even if the preference never enabled it: the pool requires a
    /// factor and the user has one.
    pub(super) fn active_factors(&self, mode: PoolMfaMode) -> Vec<MfaFactor> {
        self.factors(self.totp.is_some() && (self.totp_enabled || mode == PoolMfaMode::On))
    }

    /// `UserMFASettingList`: the factors enabled by preference.
    pub(super) fn enabled_factors(&self) -> Vec<MfaFactor> {
        self.factors(self.totp.is_some() && self.totp_enabled)
    }

    /// TOTP as the caller judged it, then SMS and email as enabled.
    fn factors(&self, totp: bool) -> Vec<MfaFactor> {
        [
            (totp, MfaFactor::SoftwareToken),
            (self.sms_enabled, MfaFactor::Sms),
            (self.email_enabled, MfaFactor::Email),
        ]
        .into_iter()
        .filter_map(|(on, factor)| on.then_some(factor))
        .collect()
    }

    /// Checks `code` against `key` one step early or late, refusing steps
    /// already accepted (RFC 6238 §5.2). On success records the step.
    pub(super) fn accept_code(
        &mut self,
        key: &[u8],
        code: &str,
        now: SystemTime,
    ) -> Result<(), CodeFault> {
        let generator = totp::generator(key);
        let mut matched = false;
        for step in totp::matching_steps(&generator, code, now) {
            matched = true;
            if self.last_totp_step.is_none_or(|last| step > last) {
                self.last_totp_step = Some(step);
                return Ok(());
            }
        }
        Err(if matched {
            CodeFault::Reused
        } else {
            CodeFault::Mismatch
        })
    }

    pub(super) fn account_status(&self) -> UserStatus {
        match self.status {
            AccountStatus::Confirmed => UserStatus::Confirmed,
            AccountStatus::ForceChangePassword => UserStatus::ForceChangePassword,
            AccountStatus::ExternalProvider => UserStatus::ExternalProvider,
        }
    }
}

impl InMemoryPool {
    /// Creates a confirmed user with a permanent password.
    ///
    /// Fails with `UsernameExistsException` when the name is taken and
    /// `InvalidParameterException` for a name Cognito would refuse.
    pub fn create_user(
        &self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<(), ServiceError> {
        self.inner.add_user(
            username.into(),
            Some(password.into()),
            AccountStatus::Confirmed,
        )
    }

    /// Creates a user as AdminCreateUser does: status
    /// FORCE_CHANGE_PASSWORD, so the first sign-in answers
    /// NEW_PASSWORD_REQUIRED.
    pub fn admin_create_user(
        &self,
        username: impl Into<String>,
        temporary_password: impl Into<String>,
    ) -> Result<(), ServiceError> {
        self.inner.add_user(
            username.into(),
            Some(temporary_password.into()),
            AccountStatus::ForceChangePassword,
        )
    }

    /// Creates a federated user (status EXTERNAL_PROVIDER), such as
    /// `Google_1234567890`: no password, so InitiateAuth can't sign them in.
    pub fn create_federated_user(&self, username: impl Into<String>) -> Result<(), ServiceError> {
        self.inner
            .add_user(username.into(), None, AccountStatus::ExternalProvider)
    }

    /// Enables or disables a user (AdminEnableUser / AdminDisableUser).
    pub fn set_user_enabled(&self, username: &str, enabled: bool) -> Result<(), ServiceError> {
        let (_, user) = self.inner.resolve(username).ok_or_else(user_not_found)?;
        lock(&user).enabled = enabled;
        Ok(())
    }

    /// Sets a user attribute (AdminUpdateUserAttributes). `email` is also a
    /// sign-in alias: InitiateAuth with the email resolves to the canonical
    /// user name (the email is taken as verified).
    ///
    /// Fails with `AliasExistsException` when another user has the email.
    pub fn set_user_attribute(
        &self,
        username: &str,
        name: &str,
        value: impl Into<String>,
    ) -> Result<(), ServiceError> {
        let value = value.into();
        let (canonical, user) = self.inner.resolve(username).ok_or_else(user_not_found)?;
        if name == "sub" {
            return Err(invalid_parameter(
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        if name == "email" {
            // Aliases before the user, the one order in which both are held.
            let mut aliases = write(&self.inner.aliases);
            let key = value.to_lowercase();
            if aliases.get(&key).is_some_and(|owner| *owner != canonical) {
                return Err(ServiceError::new(
                    "AliasExistsException",
                    "An account with the given email already exists.",
                ));
            }
            let mut user = lock(&user);
            if let Some(old) = user.attributes.get("email") {
                aliases.remove(&old.to_lowercase());
            }
            aliases.insert(key, canonical);
            user.attributes.insert(name.to_owned(), value);
            return Ok(());
        }
        lock(&user).attributes.insert(name.to_owned(), value);
        Ok(())
    }

    /// Marks SMS MFA enabled for the user (giving them the phone number
    /// `+15555550100` when they have none), so SMS_MFA and SELECT_MFA_TYPE
    /// challenges can be exercised. Codes are not sent anywhere: read them
    /// with [`last_delivered_code`](Self::last_delivered_code).
    pub fn enable_sms_mfa(&self, username: &str) -> Result<(), ServiceError> {
        let (canonical, user) = self.inner.resolve(username).ok_or_else(user_not_found)?;
        let has_phone = lock(&user).attributes.contains_key("phone_number");
        if !has_phone {
            self.set_user_attribute(&canonical, "phone_number", "+15555550100")?;
        }
        lock(&user).sms_enabled = true;
        Ok(())
    }

    /// Marks email MFA enabled for the user (giving them the address
    /// `USERNAME@example.com` when they have none), so EMAIL_OTP challenges
    /// can be exercised. Read the codes with
    /// [`last_delivered_code`](Self::last_delivered_code).
    pub fn enable_email_mfa(&self, username: &str) -> Result<(), ServiceError> {
        let (canonical, user) = self.inner.resolve(username).ok_or_else(user_not_found)?;
        let has_email = lock(&user).attributes.contains_key("email");
        if !has_email {
            let email = if canonical.contains('@') {
                canonical.clone()
            } else {
                format!("{canonical}@example.com")
            };
            self.set_user_attribute(&canonical, "email", email)?;
        }
        lock(&user).email_enabled = true;
        Ok(())
    }

    /// The SMS or email code last "sent" to the user.
    pub fn last_delivered_code(&self, username: &str) -> Option<OneTimeCode> {
        let (_, user) = self.inner.resolve(username)?;
        let code = lock(&user).last_delivered_code.clone();
        code.map(OneTimeCode::new)
    }

    /// The user's TOTP secret: the one last associated and not yet verified,
    /// else the verified one.
    pub fn user_secret(&self, username: &str) -> Option<TotpSecret> {
        let (_, user) = self.inner.resolve(username)?;
        let user = lock(&user);
        user.pending_totp
            .as_ref()
            .or(user.totp.as_ref().map(|t| &t.key))
            .map(|k| TotpSecret::new(k.base32.clone()))
    }
}

impl Inner {
    fn add_user(
        &self,
        username: String,
        password: Option<String>,
        status: AccountStatus,
    ) -> Result<(), ServiceError> {
        if crate::validate::username(&username).is_err() {
            return Err(invalid_parameter(
                "1 validation error detected: Value at 'username' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
            ));
        }
        let mut users = write(&self.users);
        if users.contains_key(&username) {
            return Err(ServiceError::new(
                "UsernameExistsException",
                "User account already exists",
            ));
        }
        let record = UserRecord::new(username.clone(), password, status);
        users.insert(username, Arc::new(Mutex::new(record)));
        Ok(())
    }

    /// A user by canonical name or email alias.
    pub(super) fn resolve(&self, name: &str) -> Option<(String, Arc<Mutex<UserRecord>>)> {
        if let Some(user) = read(&self.users).get(name) {
            return Some((name.to_owned(), Arc::clone(user)));
        }
        let canonical = read(&self.aliases).get(&name.to_lowercase())?.clone();
        let user = Arc::clone(read(&self.users).get(&canonical)?);
        Some((canonical, user))
    }

    pub(super) fn user_by_token(
        &self,
        token: &AccessToken,
        now: SystemTime,
    ) -> Result<Arc<Mutex<UserRecord>>, ServiceError> {
        let (username, expires_at) = self
            .access_tokens
            .with(token.expose_secret(), |t| {
                (t.username.clone(), t.expires_at)
            })
            .ok_or_else(invalid_access_token)?;
        if expires_at <= now {
            return Err(not_authorized("Access Token has expired"));
        }
        let user = read(&self.users)
            .get(&username)
            .cloned()
            .ok_or_else(invalid_access_token)?;
        if !lock(&user).enabled {
            return Err(user_disabled());
        }
        Ok(user)
    }

    pub(super) fn admin_user(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<Arc<Mutex<UserRecord>>, ServiceError> {
        self.check_pool(pool_id)?;
        self.resolve(username)
            .map(|(_, user)| user)
            .ok_or_else(user_not_found)
    }

    pub(super) fn target_user(
        &self,
        target: &UserTarget,
        now: SystemTime,
    ) -> Result<Arc<Mutex<UserRecord>>, ServiceError> {
        match target {
            UserTarget::AccessToken(token) => self.user_by_token(token, now),
            UserTarget::Admin {
                user_pool_id,
                username,
            } => self.admin_user(user_pool_id, username),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn code_window_and_reuse() {
        let mut user = UserRecord::new("u".into(), None, AccountStatus::Confirmed);
        let key = b"12345678901234567890";
        let generator = totp::generator(key);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(30 * 1000 + 10);
        let code = |step: u64| generator.generate(step * 30).to_string();
        assert!(matches!(
            user.accept_code(key, &code(998), now),
            Err(CodeFault::Mismatch)
        ));
        assert!(matches!(
            user.accept_code(key, &code(1002), now),
            Err(CodeFault::Mismatch)
        ));
        assert!(user.accept_code(key, &code(999), now).is_ok());
        assert!(matches!(
            user.accept_code(key, &code(999), now),
            Err(CodeFault::Reused)
        ));
        assert!(user.accept_code(key, &code(1001), now).is_ok());
        // An older step than the last accepted one is refused as used.
        assert!(matches!(
            user.accept_code(key, &code(1000), now),
            Err(CodeFault::Reused)
        ));
    }
}
