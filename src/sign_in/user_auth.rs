//! USER_AUTH, choice-based sign-in: [`SignIn::user_auth`].

use super::{Autopilot, FirstFactor, SignIn, SignInStep};
use crate::backend::{AuthFlow, Parameters};
use crate::error::{Error, Operation};
use crate::validate;

impl SignIn {
    /// Signs in with USER_AUTH (InitiateAuth, or AdminInitiateAuth on the
    /// admin API): the user name first, then a first factor.
    ///
    /// With `preferred`, Cognito takes that factor at once when the user
    /// may use it (`PREFERRED_CHALLENGE`, with the password or SRP_A it
    /// needs); otherwise, and without a preference, the step is
    /// [`SignInStep::SelectChallenge`] listing what is offered. After a
    /// password factor the MFA steps follow exactly as after
    /// [`SignIn::password`]; after an email or SMS code, the tokens (Cognito
    /// offers codes only to users without MFA). The app client must allow
    /// `ALLOW_USER_AUTH`, and the pool must be on the Essentials tier or
    /// above ([`Error::FeatureNotInTier`] otherwise).
    ///
    /// `PASSWORD_SRP` needs the pool id, as [`SignIn::password_srp`] does.
    pub async fn user_auth(
        &self,
        username: &str,
        preferred: Option<FirstFactor<'_>>,
    ) -> Result<SignInStep, Error> {
        validate::username(username)?;
        let mut parameters = Parameters::new().with("USERNAME", username);
        let mut autopilot = Autopilot::default();
        if let Some(factor) = preferred {
            let (payload, pilot) = self.first_factor(factor, false)?;
            for (name, value) in payload.expose_all() {
                parameters.insert(name, value);
            }
            parameters.insert("PREFERRED_CHALLENGE", factor.kind().as_str());
            autopilot = pilot;
        }
        self.add_secret_hash(&mut parameters, username);
        self.start(AuthFlow::UserAuth, parameters, username, autopilot)
            .await
    }

    /// What a first factor sends with its choice (the password, or SRP_A),
    /// and the autopilot that answers what follows (PASSWORD_VERIFIER).
    /// `answering` says whether it goes with a challenge's answer rather
    /// than InitiateAuth, for the operation an error names.
    pub(crate) fn first_factor(
        &self,
        factor: FirstFactor<'_>,
        answering: bool,
    ) -> Result<(Parameters, Autopilot), Error> {
        let operation = match (self.api.is_admin(), answering) {
            (true, false) => Operation::AdminInitiateAuth,
            (false, false) => Operation::InitiateAuth,
            (true, true) => Operation::AdminRespondToAuthChallenge,
            (false, true) => Operation::RespondToAuthChallenge,
        };
        Ok(match factor {
            FirstFactor::Password(password) => {
                validate::password(password.expose_secret())?;
                (
                    Parameters::new().with("PASSWORD", password.expose_secret()),
                    Autopilot::default(),
                )
            }
            FirstFactor::PasswordSrp(password) => {
                let (srp_a, autopilot) = self.srp_start(password, operation)?;
                (Parameters::new().with("SRP_A", srp_a), autopilot)
            }
            FirstFactor::EmailOtp | FirstFactor::SmsOtp | FirstFactor::WebAuthn => {
                (Parameters::new(), Autopilot::default())
            }
        })
    }
}
