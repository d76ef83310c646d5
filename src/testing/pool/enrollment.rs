//! Setting up and managing TOTP: AssociateSoftwareToken,
//! VerifySoftwareToken, the MFA preference and settings, and
//! AdminDeleteSoftwareToken.

use super::Inner;
use super::challenges::SessionStep;
use super::errors::{
    code_reused, invalid_parameter, session_spent, totp_not_on_pool, totp_not_verified,
    user_not_found,
};
use super::locks::{lock, read};
use super::random::new_totp_key;
use super::store::Fault;
use super::users::{CodeFault, UserRecord, VerifiedToken};
use crate::backend::{
    AssociatedSoftwareToken, FactorPreference, MfaFactor, MfaPreferenceUpdate, PoolMfaMode,
    TokenAuth, UserMfaSettings, UserTarget, VerifiedSoftwareToken, VerifyStatus,
};
use crate::error::ServiceError;
use crate::secret::{OneTimeCode, TotpSecret};
use std::time::SystemTime;

impl Inner {
    /// Whether users may register a TOTP token now.
    fn check_totp_on_pool(&self) -> Result<(), ServiceError> {
        let config = self.config();
        if config.software_token_enabled && config.mode != PoolMfaMode::Off {
            Ok(())
        } else {
            Err(totp_not_on_pool())
        }
    }

    // -- AssociateSoftwareToken / VerifySoftwareToken ------------------------

    pub(super) fn associate(
        &self,
        auth: &TokenAuth,
        now: SystemTime,
    ) -> Result<AssociatedSoftwareToken, ServiceError> {
        match auth {
            TokenAuth::AccessToken(token) => {
                let user = self.user_by_token(token, now)?;
                self.check_totp_on_pool()?;
                let key = new_totp_key();
                let secret = TotpSecret::new(key.base32.clone());
                lock(&user).pending_totp = Some(key);
                Ok(AssociatedSoftwareToken {
                    secret_code: secret,
                    session: None,
                })
            }
            TokenAuth::Session(session) => {
                let (secret, next) = self.spend_session(session, now, |record| {
                    if !matches!(
                        record.step,
                        SessionStep::MfaSetup | SessionStep::MfaSetupAssociated
                    ) {
                        // A Session of another step is not one for this call.
                        return Err(session_spent().into());
                    }
                    self.check_totp_on_pool()?;
                    let user = read(&self.users)
                        .get(&record.username)
                        .cloned()
                        .ok_or_else(|| Fault::end(user_not_found()))?;
                    let key = new_totp_key();
                    let secret = TotpSecret::new(key.base32.clone());
                    lock(&user).pending_totp = Some(key);
                    Ok((
                        secret,
                        self.follow_up(record, SessionStep::MfaSetupAssociated, now),
                    ))
                })?;
                Ok(AssociatedSoftwareToken {
                    secret_code: secret,
                    session: Some(next),
                })
            }
        }
    }

    pub(super) fn verify(
        &self,
        auth: &TokenAuth,
        code: &OneTimeCode,
        friendly_name: Option<&str>,
        now: SystemTime,
    ) -> Result<VerifiedSoftwareToken, ServiceError> {
        let code = code.expose_secret();
        match auth {
            TokenAuth::AccessToken(token) => {
                let user = self.user_by_token(token, now)?;
                self.check_totp_on_pool()?;
                check_user_code(code)?;
                verify_pending(&mut lock(&user), code, friendly_name, now)
                    .map_err(|fault| fault.error)?;
                Ok(VerifiedSoftwareToken {
                    status: VerifyStatus::Success,
                    session: None,
                })
            }
            TokenAuth::Session(session) => {
                let next = self.spend_session(session, now, |record| {
                    if !matches!(record.step, SessionStep::MfaSetupAssociated) {
                        return Err(session_spent().into());
                    }
                    self.check_totp_on_pool()?;
                    check_user_code(code)?;
                    let user = read(&self.users)
                        .get(&record.username)
                        .cloned()
                        .ok_or_else(|| Fault::end(user_not_found()))?;
                    verify_pending(&mut lock(&user), code, friendly_name, now)?;
                    Ok(self.follow_up(record, SessionStep::MfaSetupVerified, now))
                })?;
                Ok(VerifiedSoftwareToken {
                    status: VerifyStatus::Success,
                    session: Some(next),
                })
            }
        }
    }

    // -- MFA preference and settings ------------------------------------------

    pub(super) fn set_preference(
        &self,
        target: &UserTarget,
        update: MfaPreferenceUpdate,
        now: SystemTime,
    ) -> Result<(), ServiceError> {
        let user = self.target_user(target, now)?;
        let config = self.config();
        let mut user = lock(&user);
        let preferred_count = [update.software_token, update.sms, update.email]
            .iter()
            .flatten()
            .filter(|p| p.preferred)
            .count();
        if preferred_count > 1 {
            return Err(invalid_parameter("Only one MFA method can be preferred."));
        }
        let before = user.enabled_factors();
        let mut totp_enabled = user.totp_enabled;
        let mut sms_enabled = user.sms_enabled;
        let mut email_enabled = user.email_enabled;
        let mut preferred = user.preferred;
        let mut apply =
            |factor: MfaFactor, setting: Option<FactorPreference>, enabled: &mut bool| {
                if let Some(setting) = setting {
                    // Preferred implies enabled.
                    *enabled = setting.enabled || setting.preferred;
                    if setting.preferred {
                        preferred = Some(factor);
                    } else if preferred == Some(factor) {
                        preferred = None;
                    }
                }
            };
        apply(
            MfaFactor::SoftwareToken,
            update.software_token,
            &mut totp_enabled,
        );
        apply(MfaFactor::Sms, update.sms, &mut sms_enabled);
        apply(MfaFactor::Email, update.email, &mut email_enabled);
        if totp_enabled && !user.totp_enabled && user.totp.is_none() {
            return Err(totp_not_verified());
        }
        if sms_enabled && !user.sms_enabled && !user.attributes.contains_key("phone_number") {
            return Err(invalid_parameter("User does not have a phone number."));
        }
        if email_enabled && !user.email_enabled && !user.attributes.contains_key("email") {
            return Err(invalid_parameter("User does not have an email address."));
        }
        if email_enabled && !user.email_enabled {
            self.check_email_mfa_tier(true)?;
        }
        let any_after = (totp_enabled && user.totp.is_some()) || sms_enabled || email_enabled;
        if config.mode == PoolMfaMode::On && !before.is_empty() && !any_after {
            // Documented ("You can't turn off TOTP MFA ... when MFA is
            // required"); the message is ours.
            return Err(invalid_parameter(
                "MFA is required by the user pool: the user's only MFA method can't be turned off.",
            ));
        }
        user.totp_enabled = totp_enabled;
        user.sms_enabled = sms_enabled;
        user.email_enabled = email_enabled;
        user.preferred = preferred;
        Ok(())
    }

    pub(super) fn get_settings(
        &self,
        target: &UserTarget,
        now: SystemTime,
    ) -> Result<UserMfaSettings, ServiceError> {
        let user = self.target_user(target, now)?;
        let user = lock(&user);
        let admin = matches!(target, UserTarget::Admin { .. });
        Ok(UserMfaSettings {
            username: user.username.clone(),
            enabled: user.enabled_factors(),
            preferred: user.preferred,
            status: admin.then(|| user.account_status()),
            account_enabled: admin.then_some(user.enabled),
        })
    }

    pub(super) fn delete_software_token(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<(), ServiceError> {
        let user = self.admin_user(pool_id, username)?;
        let mut user = lock(&user);
        user.totp = None;
        user.pending_totp = None;
        user.totp_enabled = false;
        if user.preferred == Some(MfaFactor::SoftwareToken) {
            user.preferred = None;
        }
        Ok(())
    }
}

/// VerifySoftwareToken's `UserCode`: 6 digits (the service's input schema).
fn check_user_code(code: &str) -> Result<(), ServiceError> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid_parameter(
            "1 validation error detected: Value at 'userCode' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [0-9]+ and have length 6",
        ))
    }
}

/// Checks `code` against the user's associated token and, on success, makes
/// it the verified one.
fn verify_pending(
    user: &mut UserRecord,
    code: &str,
    friendly_name: Option<&str>,
    now: SystemTime,
) -> Result<(), Fault> {
    let Some(key) = user.pending_totp.clone() else {
        // Undocumented: verifying with nothing associated. Not the pool's
        // switch (SoftwareTokenMFANotFoundException would say so), so an
        // invalid request.
        return Err(invalid_parameter("User has not associated a software token.").into());
    };
    match user.accept_code(&key.bytes, code, now) {
        Ok(()) => {
            user.pending_totp = None;
            user.totp = Some(VerifiedToken {
                key,
                friendly_name: friendly_name.map(str::to_owned),
            });
            Ok(())
        }
        Err(CodeFault::Mismatch) => Err(Fault::wrong_code(ServiceError::new(
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
        ))),
        Err(CodeFault::Reused) => Err(code_reused().into()),
    }
}
