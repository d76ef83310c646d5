//! USER_AUTH, choice-based sign-in: the pool's tier and allowed first
//! factors, what a user is offered (`AvailableChallenges`), and each first
//! factor: PASSWORD, PASSWORD_SRP (then PASSWORD_VERIFIER), EMAIL_OTP and
//! SMS_OTP (a code "sent" to the outbox). After a password, the MFA steps
//! follow as for any password; a code first factor ends with the tokens.
//!
//! The pool offers no WEB_AUTHN: it keeps no passkeys.

use super::challenges::{Next, SessionStep, challenge_parameters};
use super::clients::ClientRecord;
use super::errors::{invalid_parameter, missing_parameter, user_not_found, wrong_password};
use super::locks::{lock, read, write};
use super::random::random_digits;
use super::srp::password_verifier;
use super::store::Fault;
use super::users::UserRecord;
use super::{InMemoryPool, Inner};
use crate::backend::{
    AuthResponse, MfaFactor, Parameters, PoolMfaMode, UserPoolDescription, UserPoolTier,
};
use crate::error::{Error, Operation, ServiceError};
use std::time::SystemTime;

/// The first factors a pool may allow (`AuthFactorType`).
const FACTORS: [&str; 4] = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"];

/// Cognito's answer on a Lite pool to what needs Essentials.
pub(super) fn not_in_tier(what: &str) -> ServiceError {
    ServiceError::new(
        "FeatureUnavailableInTierException",
        format!("{what} is not available in the LITE feature plan; upgrade to ESSENTIALS."),
    )
}

impl InMemoryPool {
    /// Sets the pool's feature plan (Essentials by default, as for pools
    /// created since November 2024). On Lite, USER_AUTH and email MFA are
    /// refused with `FeatureUnavailableInTierException`.
    pub fn set_tier(&self, tier: UserPoolTier) {
        *write(&self.inner.tier) = tier;
    }

    /// Sets `Policies.SignInPolicy.AllowedFirstAuthFactors` (default
    /// `PASSWORD` alone). Cognito requires `PASSWORD` among them; names
    /// other than PASSWORD, EMAIL_OTP, SMS_OTP and WEB_AUTHN are refused.
    pub fn set_first_auth_factors(&self, factors: &[&str]) -> Result<(), Error> {
        let op = Operation::DescribeUserPool;
        if !factors.contains(&"PASSWORD") {
            return Err(Error::from_service(
                op,
                invalid_parameter("AllowedFirstAuthFactors must include PASSWORD."),
            ));
        }
        if let Some(unknown) = factors.iter().find(|f| !FACTORS.contains(f)) {
            return Err(Error::from_service(
                op,
                invalid_parameter(format!("Unknown first auth factor {unknown}.")),
            ));
        }
        *write(&self.inner.first_factors) = factors.iter().map(|f| (*f).to_owned()).collect();
        Ok(())
    }

    /// What DescribeUserPool says: devices, tier and first factors.
    pub fn description(&self) -> UserPoolDescription {
        UserPoolDescription::new()
            .with_device_configuration(self.device_configuration())
            .with_tier(Some(read(&self.inner.tier).clone()))
            .with_first_auth_factors(read(&self.inner.first_factors).clone())
    }
}

impl Inner {
    fn check_tier(&self, what: &str) -> Result<(), ServiceError> {
        if read(&self.tier).has_choice_based_sign_in() {
            Ok(())
        } else {
            Err(not_in_tier(what))
        }
    }

    /// SetUserPoolMfaConfig with email MFA on needs Essentials.
    pub(super) fn check_email_mfa_tier(&self, email: bool) -> Result<(), ServiceError> {
        if email {
            self.check_tier("Email MFA")
        } else {
            Ok(())
        }
    }

    /// The first factors `user` is offered: PASSWORD and PASSWORD_SRP when
    /// the pool allows passwords and the user has one; EMAIL_OTP and
    /// SMS_OTP only for a user without MFA (Cognito offers a user with MFA
    /// no passwordless choice) who has the address.
    fn available(&self, user: &UserRecord) -> Vec<String> {
        let allowed = read(&self.first_factors).clone();
        let mode = self.config().mode;
        let has_mfa = mode == PoolMfaMode::On || !user.active_factors(mode).is_empty();
        let mut offered = Vec::new();
        if allowed.iter().any(|f| f == "PASSWORD") && user.password.is_some() {
            offered.extend(["PASSWORD".to_owned(), "PASSWORD_SRP".to_owned()]);
        }
        for (factor, attribute) in [("EMAIL_OTP", "email"), ("SMS_OTP", "phone_number")] {
            if !has_mfa
                && allowed.iter().any(|f| f == factor)
                && user.attributes.contains_key(attribute)
            {
                offered.push(factor.to_owned());
            }
        }
        offered
    }

    /// InitiateAuth USER_AUTH: USERNAME, and optionally PREFERRED_CHALLENGE
    /// with its payload (PASSWORD, or SRP_A for PASSWORD_SRP). A preference
    /// on offer is taken at once; otherwise SELECT_CHALLENGE lists the
    /// choices.
    pub(super) fn user_auth(
        &self,
        client: &ClientRecord,
        parameters: &Parameters,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        self.check_tier("Choice-based sign-in (USER_AUTH)")?;
        let (username, user) = self
            .named_user(client, parameters)?
            .ok_or_else(user_not_found)?;
        let config = self.config();
        let (next, params) = {
            let mut user = lock(&user);
            user.may_sign_in(parameters)?;
            let available = self.available(&user);
            let next = match parameters.get("PREFERRED_CHALLENGE") {
                Some(preferred) if available.iter().any(|a| a == preferred) => self
                    .chosen_factor(&mut user, preferred, parameters, now)
                    .map_err(|fault| fault.error)?,
                _ => Next::Challenge(SessionStep::SelectChallenge(available)),
            };
            let params = challenge_parameters(&user, &next, config);
            (next, params)
        };
        Ok(self.answer(next, params, &username, client, parameters, now))
    }

    /// SELECT_CHALLENGE's answer: ANSWER, one of the choices offered, with
    /// its payload.
    pub(super) fn select_challenge(
        &self,
        user: &mut UserRecord,
        offered: &[String],
        responses: &Parameters,
        now: SystemTime,
    ) -> Result<Next, Fault> {
        let answer = responses
            .get("ANSWER")
            .ok_or_else(|| missing_parameter("ANSWER"))?;
        if !offered.iter().any(|o| o == answer) {
            return Err(invalid_parameter("Invalid ANSWER for SELECT_CHALLENGE").into());
        }
        self.chosen_factor(user, answer, responses, now)
    }

    /// One first factor, chosen: the password checked (then the MFA step,
    /// or the device's), PASSWORD_VERIFIER for SRP, or a code sent.
    fn chosen_factor(
        &self,
        user: &mut UserRecord,
        factor: &str,
        parameters: &Parameters,
        now: SystemTime,
    ) -> Result<Next, Fault> {
        match factor {
            "PASSWORD" => {
                let password = parameters
                    .get("PASSWORD")
                    .ok_or_else(|| missing_parameter("PASSWORD"))?;
                user.check_password(password, now).map_err(Fault::end)?;
                self.after_proven_password(user, parameters)
                    .map_err(Fault::end)
            }
            "PASSWORD_SRP" => {
                let srp_a = parameters
                    .get("SRP_A")
                    .ok_or_else(|| missing_parameter("SRP_A"))?;
                let verifier = user
                    .srp
                    .as_ref()
                    .ok_or_else(|| Fault::end(wrong_password()))?;
                Ok(Next::Challenge(
                    password_verifier(verifier, srp_a).map_err(Fault::end)?,
                ))
            }
            "EMAIL_OTP" | "SMS_OTP" => {
                let factor = if factor == "EMAIL_OTP" {
                    MfaFactor::Email
                } else {
                    MfaFactor::Sms
                };
                let code = random_digits(8);
                user.last_delivered_code = Some(code.clone());
                Ok(Next::Challenge(SessionStep::FirstFactorCode {
                    factor,
                    code,
                }))
            }
            _ => Err(Fault::end(invalid_parameter(format!(
                "Unsupported challenge {factor}"
            )))),
        }
    }
}
