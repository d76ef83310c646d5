//! Shared pieces of the fuzz targets: a backend stub that answers with
//! whatever the fuzzer made, a tiny executor, and a walk over every accessor
//! and answer of a sign-in step.

use async_trait::async_trait;
use cognito_mfa::backend::{
    AppClient, AssociatedSoftwareToken, AuthResponse, CognitoBackend, InitiateAuthRequest,
    MfaFactor, MfaPreferenceUpdate, Parameters, PoolMfaConfig, RespondToAuthChallengeRequest,
    TokenAuth, UserMfaSettings, UserTarget, VerifiedSoftwareToken, VerifyStatus,
};
use cognito_mfa::sign_in::{SavedChallenge, SignIn, SignInStep};
use cognito_mfa::{
    Error, MfaEnrollment, OneTimeCode, Operation, Password, Session, TotpSecret, TransportError,
    TransportKind,
};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, UNIX_EPOCH};

pub const POOL: &str = "us-east-1_Fuzz123";
pub const CLIENT: &str = "fuzzclient";

/// Runs a future that never waits (the stub answers at once).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// A backend that answers InitiateAuth and RespondToAuthChallenge with
/// `answer`, AssociateSoftwareToken with `secret` and `session`, and
/// VerifySoftwareToken with `verified` and `session`.
pub struct Stub {
    pub answer: AuthResponse,
    pub secret: String,
    pub session: Option<String>,
    pub verified: bool,
}

impl Stub {
    pub fn answering(answer: AuthResponse) -> Self {
        Self {
            answer,
            secret: "JBSWY3DPEHPK3PXP".to_owned(),
            session: Some("s".repeat(40)),
            verified: true,
        }
    }
}

fn unavailable(operation: Operation) -> Error {
    Error::Transport(TransportError::new(
        TransportKind::NotSent,
        operation,
        "not stubbed",
    ))
}

#[async_trait]
impl CognitoBackend for Stub {
    async fn associate_software_token(
        &self,
        _auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error> {
        Ok(AssociatedSoftwareToken {
            secret_code: TotpSecret::new(self.secret.clone()),
            session: self.session.clone().map(Session::new),
        })
    }

    async fn verify_software_token(
        &self,
        _auth: TokenAuth,
        _code: OneTimeCode,
        _friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error> {
        Ok(VerifiedSoftwareToken {
            status: if self.verified {
                VerifyStatus::Success
            } else {
                VerifyStatus::Error
            },
            session: self.session.clone().map(Session::new),
        })
    }

    async fn set_user_mfa_preference(
        &self,
        _user: UserTarget,
        _update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        Err(unavailable(Operation::SetMfaPreference))
    }

    async fn get_user_mfa_settings(&self, _user: UserTarget) -> Result<UserMfaSettings, Error> {
        Err(unavailable(Operation::GetUser))
    }

    async fn admin_delete_software_token(
        &self,
        _user_pool_id: String,
        _username: String,
    ) -> Result<(), Error> {
        Err(unavailable(Operation::DeleteSoftwareToken))
    }

    async fn initiate_auth(&self, _request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        Ok(self.answer.clone())
    }

    async fn respond_to_auth_challenge(
        &self,
        _request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        Ok(self.answer.clone())
    }

    async fn get_user_pool_mfa_config(
        &self,
        _user_pool_id: String,
    ) -> Result<PoolMfaConfig, Error> {
        Err(unavailable(Operation::GetUserPoolMfaConfig))
    }

    async fn set_user_pool_mfa_config(
        &self,
        _user_pool_id: String,
        _config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        Err(unavailable(Operation::SetUserPoolMfaConfig))
    }

    async fn describe_user_pool_client(
        &self,
        _user_pool_id: String,
        _client_id: String,
    ) -> Result<AppClient, Error> {
        Err(unavailable(Operation::DescribeUserPoolClient))
    }
}

/// Formats an error and its whole source chain, and asks every predicate.
pub fn touch_error(error: &(dyn std::error::Error + 'static)) {
    let mut next = Some(error);
    while let Some(e) = next {
        let _ = format!("{e} {e:?}");
        next = e.source();
    }
}

fn touch_cognito_error(error: &Error) {
    let _ = (
        error.recovery(),
        error.is_retryable(),
        error.can_retry_challenge(),
        error.must_restart(),
        error.service_code(),
    );
    touch_error(error);
}

/// A saved challenge survives its own JSON: what the crate writes, it reads.
pub fn round_trip(saved: &SavedChallenge) -> SavedChallenge {
    let _ = format!("{saved:?}");
    let json = serde_json::to_vec(saved).expect("a SavedChallenge always serializes");
    serde_json::from_slice(&json).expect("a serialized SavedChallenge always deserializes")
}

/// Saves the step, round-trips it through JSON, and resumes it at the
/// epoch (so expiry never stops the walk).
pub fn save_and_resume(sign_in: &SignIn, step: SignInStep) -> Option<SignInStep> {
    let saved = step.into_saved()?;
    let back = round_trip(&saved);
    assert_eq!(back.challenge_name(), saved.challenge_name());
    assert_eq!(
        back.session().expose_secret(),
        saved.session().expose_secret()
    );
    match sign_in.resume_at(back, UNIX_EPOCH) {
        Ok(step) => Some(step),
        Err(e) => {
            touch_cognito_error(&e);
            None
        }
    }
}

/// Calls every accessor of `step`, then answers it with `code` (and
/// `depth` more times with whatever comes next).
pub fn walk(sign_in: &SignIn, step: SignInStep, code: &str, depth: u8) {
    let _ = format!("{step:?}");
    let _ = step.challenge_name();
    let next = match step {
        SignInStep::Done(tokens) => {
            let _ = format!("{tokens:?}");
            return;
        }
        SignInStep::TotpRequired(c) => {
            let _ = (c.friendly_device_name(), c.username(), c.expires_at());
            block_on(c.answer(sign_in, code)).map_err(|r| {
                touch_error(&r);
                r.into_error()
            })
        }
        SignInStep::MfaSetupRequired(c) => {
            let _ = (c.can_set_up(), c.username(), c.expires_at());
            let enrollment = MfaEnrollment::new("Fuzz Inc").device_name("fuzz phone");
            match block_on(c.start_totp(sign_in, enrollment)) {
                Ok(setup) => {
                    let e = setup.enrollment();
                    let _ = (e.uri(), e.setup_key(), e.issuer(), e.account_name());
                    let _ = format!("{setup:?}");
                    block_on(setup.verify(sign_in, code)).map_err(|r| {
                        touch_error(&r);
                        r.into_error()
                    })
                }
                Err(e) => Err(e),
            }
        }
        SignInStep::SelectMfaType(c) => {
            let choices = c.choices();
            let factor = choices.first().copied().unwrap_or(MfaFactor::SoftwareToken);
            block_on(c.choose(sign_in, factor)).map_err(|r| {
                touch_error(&r);
                r.into_error()
            })
        }
        SignInStep::NewPasswordRequired(c) => {
            let required = c.required_attributes();
            let _ = c.user_attributes();
            let attributes: Vec<(&str, &str)> =
                required.iter().map(|name| (name.as_str(), code)).collect();
            block_on(c.answer(sign_in, &Password::new(code), &attributes)).map_err(|r| {
                touch_error(&r);
                r.into_error()
            })
        }
        SignInStep::CodeRequired(c) => {
            let _ = (c.factor(), c.destination(), c.medium());
            block_on(c.answer(sign_in, code)).map_err(|r| {
                touch_error(&r);
                r.into_error()
            })
        }
        SignInStep::Unsupported(c) => {
            let names: Vec<String> = c.parameter_names().map(str::to_owned).collect();
            for name in &names {
                let _ = c.parameter(name);
            }
            let _ = c.name();
            touch_cognito_error(&c.to_error());
            block_on(c.respond_raw(sign_in, Parameters::new().with("ANSWER", code)))
        }
        _ => return,
    };
    match next {
        Ok(step) if depth > 0 => walk(sign_in, step, code, depth - 1),
        Ok(_) => {}
        Err(e) => touch_cognito_error(&e),
    }
}

/// A sign-in over `stub`, admin or public, with or without a client secret.
pub fn sign_in(stub: Stub, admin: bool, with_secret: bool) -> SignIn {
    let builder = if admin {
        SignIn::admin(stub, POOL, CLIENT)
    } else {
        SignIn::public(stub, CLIENT)
    };
    let builder = if with_secret {
        builder.client_secret(cognito_mfa::ClientSecret::new("fuzzsecret0123456789abcdef"))
    } else {
        builder
    };
    builder
        .session_validity(Duration::from_secs(300))
        .build()
        .expect("a valid configuration")
}
