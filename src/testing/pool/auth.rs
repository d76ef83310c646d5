//! InitiateAuth (password and refresh; SRP in [`super::srp`]) and
//! RespondToAuthChallenge.

use super::Inner;
use super::challenges::{
    Next, SessionStep, after_password, challenge_parameters, factor_step, mfa_step,
};
use super::clients::ClientRecord;
use super::compare::same_secret;
use super::errors::{
    code_reused, invalid_parameter, missing_parameter, not_authorized, session_spent,
    totp_not_verified, user_disabled, user_not_found,
};
use super::locks::{lock, read};
use super::store::{Fault, SessionRecord};
use super::users::{AccountStatus, CodeFault, Resolved, UserRecord};
use crate::backend::{
    AuthFlow, AuthResponse, ChallengeName, InitiateAuthRequest, MfaFactor, Parameters,
    PoolMfaConfig, RespondToAuthChallengeRequest,
};
use crate::error::ServiceError;
use std::collections::BTreeMap;
use std::time::SystemTime;

impl Inner {
    /// The answer for `next`: tokens, or a challenge with its new Session.
    /// Tokens for a request that presented no device come with a new one
    /// (NewDeviceMetadata) when the pool tracks devices.
    pub(super) fn answer(
        &self,
        next: Next,
        parameters: BTreeMap<String, String>,
        user: &str,
        client: &ClientRecord,
        request: &Parameters,
        now: SystemTime,
    ) -> AuthResponse {
        let (client_id, validity) = (client.id.as_str(), client.session_validity);
        match next {
            Next::Tokens => {
                let tokens = self.issue_tokens(user, client_id, true, now);
                let new_device = if request.contains("DEVICE_KEY") {
                    None
                } else {
                    self.new_device(user, now)
                };
                AuthResponse::tokens(tokens.with_new_device(new_device))
            }
            Next::Challenge(step) => {
                let challenge = step.challenge();
                let available = step.available_challenges();
                self.outbox_send(user, &step, now);
                let block = match &step {
                    SessionStep::PasswordVerifier(exchange) => {
                        Some(exchange.secret_block().to_owned())
                    }
                    _ => None,
                };
                let session = self.new_session(user, client_id, validity, step, now);
                if let Some(block) = block {
                    self.file_secret_block(block, &session, validity, now);
                }
                AuthResponse::challenge(challenge, Some(session), parameters)
                    .with_available_challenges(available)
            }
        }
    }

    // -- InitiateAuth -------------------------------------------------------

    pub(super) fn initiate_auth(
        &self,
        request: &InitiateAuthRequest,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        let admin = request.api.is_admin();
        if let Some(pool) = request.api.admin_user_pool_id() {
            self.check_pool(pool)?;
        }
        let client = self.client(&request.client_id)?;
        if request.flow == AuthFlow::AdminUserPassword && !admin {
            // The admin flow exists only on AdminInitiateAuth.
            return Err(invalid_parameter("Initiate Auth method not supported."));
        }
        if !client.flows.contains(&request.flow) {
            return Err(invalid_parameter("Auth flow not enabled for this client"));
        }
        match request.flow {
            AuthFlow::RefreshToken => self.refresh(&client, &request.parameters, now),
            AuthFlow::AdminUserPassword | AuthFlow::UserPassword => {
                self.password_auth(&client, &request.parameters, now)
            }
            AuthFlow::UserSrp => self.srp_auth(&client, &request.parameters, now),
            AuthFlow::UserAuth => self.user_auth(&client, &request.parameters, now),
        }
    }

    /// What follows a proven password (sent, or proven over SRP): a new
    /// password or the MFA step, or the presented device's proof.
    pub(super) fn after_proven_password(
        &self,
        user: &mut UserRecord,
        parameters: &Parameters,
    ) -> Result<Next, ServiceError> {
        let next = after_password(user, self.config());
        self.with_device(user, parameters, next)
    }

    /// What every first factor checks first: USERNAME and the factor's own
    /// parameter (PASSWORD, SRP_A) are there, and SECRET_HASH is over the
    /// name as typed (an alias) or the canonical one. Returns the factor's
    /// value and the user the name resolves to, if any.
    pub(super) fn first_factor<'p>(
        &self,
        client: &ClientRecord,
        parameters: &'p Parameters,
        factor: &str,
    ) -> Result<(&'p str, Option<Resolved>), ServiceError> {
        parameters
            .get("USERNAME")
            .ok_or_else(|| missing_parameter("USERNAME"))?;
        let value = parameters
            .get(factor)
            .ok_or_else(|| missing_parameter(factor))?;
        Ok((value, self.named_user(client, parameters)?))
    }

    /// USERNAME is there, and SECRET_HASH is over the name as typed (an
    /// alias) or the canonical one. The user the name resolves to, if any.
    pub(super) fn named_user(
        &self,
        client: &ClientRecord,
        parameters: &Parameters,
    ) -> Result<Option<Resolved>, ServiceError> {
        let given = parameters
            .get("USERNAME")
            .ok_or_else(|| missing_parameter("USERNAME"))?;
        let resolved = self.resolve(given);
        let canonical = resolved.as_ref().map_or(given, |(name, _)| name.as_str());
        client.check_secret_hash(parameters.get("SECRET_HASH"), &[given, canonical])?;
        Ok(resolved)
    }

    fn password_auth(
        &self,
        client: &ClientRecord,
        parameters: &Parameters,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        let (password, resolved) = self.first_factor(client, parameters, "PASSWORD")?;
        let (username, user) = resolved.ok_or_else(user_not_found)?;
        let config = self.config();
        let (next, params) = {
            let mut user = lock(&user);
            user.may_sign_in(parameters)?;
            user.check_password(password, now)?;
            let next = self.after_proven_password(&mut user, parameters)?;
            let params = challenge_parameters(&user, &next, config);
            (next, params)
        };
        Ok(self.answer(next, params, &username, client, parameters, now))
    }

    fn refresh(
        &self,
        client: &ClientRecord,
        parameters: &Parameters,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        let token = parameters
            .get("REFRESH_TOKEN")
            .ok_or_else(|| missing_parameter("REFRESH_TOKEN"))?;
        let (username, client_id, expires_at) = self
            .refresh_tokens
            .with(token, |r| {
                (r.username.clone(), r.client_id.clone(), r.expires_at)
            })
            .ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
        if client_id != client.id {
            return Err(not_authorized("Invalid Refresh Token"));
        }
        if expires_at <= now {
            return Err(not_authorized("Refresh Token has expired"));
        }
        let user = read(&self.users)
            .get(&username)
            .cloned()
            .ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
        let sub = {
            let user = lock(&user);
            if !user.enabled {
                return Err(user_disabled());
            }
            user.presented_device(parameters)?;
            user.sub.clone()
        };
        // For a refresh the hash may be over USERNAME as sent, the canonical
        // name or the `sub` (what apps that only keep tokens know).
        let given = parameters.get("USERNAME").unwrap_or(&username);
        client.check_secret_hash(parameters.get("SECRET_HASH"), &[given, &username, &sub])?;
        Ok(AuthResponse::tokens(
            self.issue_tokens(&username, &client.id, false, now),
        ))
    }

    // -- RespondToAuthChallenge --------------------------------------------

    pub(super) fn respond(
        &self,
        request: &RespondToAuthChallengeRequest,
        now: SystemTime,
    ) -> Result<AuthResponse, ServiceError> {
        if let Some(pool) = request.api.admin_user_pool_id() {
            self.check_pool(pool)?;
        }
        let client = self.client(&request.client_id)?;
        let config = self.config();
        let found;
        let session = match (&request.session, &request.challenge) {
            (Some(session), _) => session,
            (None, ChallengeName::PasswordVerifier) => {
                found = request
                    .responses
                    .get("PASSWORD_CLAIM_SECRET_BLOCK")
                    .and_then(|block| self.session_of_block(block))
                    .ok_or_else(session_spent)?;
                &found
            }
            (None, _) => return Err(missing_parameter("Session")),
        };
        let (next, params, username) = self.spend_session(session, now, |record| {
            self.answer_challenge(&client, record, request, config, now)
        })?;
        Ok(self.answer(next, params, &username, &client, &request.responses, now))
    }

    fn answer_challenge(
        &self,
        client: &ClientRecord,
        record: &SessionRecord,
        request: &RespondToAuthChallengeRequest,
        config: PoolMfaConfig,
        now: SystemTime,
    ) -> Result<(Next, BTreeMap<String, String>, String), Fault> {
        let responses = &request.responses;
        if record.client_id != client.id {
            return Err(session_spent().into());
        }
        let username = responses
            .get("USERNAME")
            .ok_or_else(|| missing_parameter("USERNAME"))?;
        if username != record.username {
            // Undocumented. A Session is bound to its user; an alias or
            // another name in USERNAME is taken as a Session that is not the
            // user's. The Session stays usable with the right name.
            return Err(session_spent().into());
        }
        client.check_secret_hash(responses.get("SECRET_HASH"), &[&record.username])?;
        if request.challenge != record.step.challenge() {
            // Undocumented: answering a challenge other than the one issued.
            return Err(invalid_parameter(format!(
                "Invalid challenge name: expected {}",
                record.step.challenge()
            ))
            .into());
        }
        let user = read(&self.users)
            .get(&record.username)
            .cloned()
            .ok_or_else(|| Fault::end(user_not_found()))?;
        let mut user = lock(&user);
        if !user.enabled {
            return Err(Fault::end(user_disabled()));
        }
        let next = match &record.step {
            SessionStep::PasswordVerifier(exchange) => {
                user.presented_device(responses).map_err(Fault::end)?;
                self.check_password_claim(exchange, &mut user, responses, now)?;
                self.after_proven_password(&mut user, responses)
                    .map_err(Fault::end)?
            }
            SessionStep::SelectChallenge(offered) => {
                self.select_challenge(&mut user, offered, responses, now)?
            }
            SessionStep::DeviceSrpAuth { device_key } => {
                Next::Challenge(self.device_srp(&user, device_key, responses)?)
            }
            SessionStep::DevicePasswordVerifier {
                exchange,
                device_key,
            } => {
                self.check_device_claim(exchange, device_key, &mut user, responses, now)?;
                Next::Tokens
            }
            SessionStep::NewPassword => {
                let new_password = responses
                    .get("NEW_PASSWORD")
                    .ok_or_else(|| missing_parameter("NEW_PASSWORD"))?;
                check_password_policy(new_password)?;
                // A new password, a new verifier (and salt) for SRP.
                user.srp = Some(self.srp_verifier(&record.username, new_password)?);
                user.password = Some(new_password.to_owned());
                user.status = AccountStatus::Confirmed;
                for (name, value) in responses.expose_all() {
                    if let Some(attribute) = name.strip_prefix("userAttributes.")
                        && attribute != "sub"
                        && attribute != "email"
                    {
                        // email changes go through the alias map; not taken here.
                        user.attributes
                            .insert(attribute.to_owned(), value.to_owned());
                    }
                }
                let next = mfa_step(&mut user, config);
                self.with_device(&user, responses, next)
                    .map_err(Fault::end)?
            }
            SessionStep::MfaSetup | SessionStep::MfaSetupAssociated => {
                return Err(totp_not_verified().into());
            }
            SessionStep::MfaSetupVerified => {
                if user.totp.is_none() {
                    // Deleted by an administrator between verify and answer.
                    return Err(Fault::end(totp_not_verified()));
                }
                // Setting up the factor during sign-in enables it; the
                // preferred factor is left as it was (Cognito does not say).
                user.totp_enabled = true;
                self.with_device(&user, responses, Next::Tokens)
                    .map_err(Fault::end)?
            }
            SessionStep::SelectMfaType(choices) => {
                let answer = responses
                    .get("ANSWER")
                    .ok_or_else(|| missing_parameter("ANSWER"))?;
                let factor = MfaFactor::parse(answer)
                    .filter(|f| choices.contains(f))
                    .ok_or_else(|| invalid_parameter("Invalid ANSWER for SELECT_MFA_TYPE"))?;
                Next::Challenge(factor_step(&mut user, factor))
            }
            SessionStep::SoftwareToken => {
                let code = responses
                    .get("SOFTWARE_TOKEN_MFA_CODE")
                    .ok_or_else(|| missing_parameter("SOFTWARE_TOKEN_MFA_CODE"))?;
                let Some(key) = user.totp.as_ref().map(|t| t.key.bytes.clone()) else {
                    return Err(Fault::end(ServiceError::new(
                        "SoftwareTokenMFANotFoundException",
                        "Software Token MFA has not been enabled by the user.",
                    )));
                };
                match user.accept_code(&key, code, now) {
                    Ok(()) => self
                        .with_device(&user, responses, Next::Tokens)
                        .map_err(Fault::end)?,
                    Err(CodeFault::Mismatch) => {
                        return Err(Fault::wrong_code(ServiceError::new(
                            "CodeMismatchException",
                            "Invalid code received for user",
                        )));
                    }
                    Err(CodeFault::Reused) => return Err(code_reused().into()),
                }
            }
            SessionStep::Delivered { code, .. } | SessionStep::FirstFactorCode { code, .. } => {
                // Each code challenge has its own key (SMS_MFA_CODE,
                // EMAIL_OTP_CODE, SMS_OTP_CODE).
                let field = record.step.challenge().code_parameter().unwrap_or("CODE");
                let given = responses
                    .get(field)
                    .ok_or_else(|| missing_parameter(field))?;
                if !same_secret(given, code) {
                    return Err(Fault::wrong_code(ServiceError::new(
                        "CodeMismatchException",
                        "Invalid code or auth state for the user.",
                    )));
                }
                self.with_device(&user, responses, Next::Tokens)
                    .map_err(Fault::end)?
            }
        };
        let params = challenge_parameters(&user, &next, config);
        Ok((next, params, record.username.clone()))
    }
}

/// Cognito's default password policy, checked where the service checks it
/// on the sign-in path (NEW_PASSWORD). The setup helpers don't check it, so
/// tests may use any password for their users.
fn check_password_policy(password: &str) -> Result<(), ServiceError> {
    let rule = if password.chars().count() < 8 {
        Some("Password not long enough")
    } else if !password.chars().any(|c| c.is_uppercase()) {
        Some("Password must have uppercase characters")
    } else if !password.chars().any(|c| c.is_lowercase()) {
        Some("Password must have lowercase characters")
    } else if !password.chars().any(|c| c.is_ascii_digit()) {
        Some("Password must have numeric characters")
    } else if !password
        .chars()
        .any(|c| c.is_ascii_punctuation() || c == ' ')
    {
        Some("Password must have symbol characters")
    } else {
        None
    };
    match rule {
        Some(rule) => Err(ServiceError::new(
            "InvalidPasswordException",
            format!("Password does not conform to policy: {rule}"),
        )),
        None => Ok(()),
    }
}
