//! Shared pieces of the fuzz targets: a backend stub (the crate's
//! `ScriptedBackend`) that answers with whatever the fuzzer made, a tiny executor, and a walk over every accessor
//! and answer of a sign-in step.

use cognito_mfa::backend::{
    AssociatedSoftwareToken, AuthResponse, MfaFactor, Parameters, VerifiedSoftwareToken,
    VerifyStatus,
};
use cognito_mfa::sign_in::{SavedChallenge, SignIn, SignInStep};
use cognito_mfa::testing::{ManualClock, ScriptedBackend};
use cognito_mfa::{Error, MfaEnrollment, Password, Session, TotpSecret};
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

/// How many times the stub answers each call: more than any walk makes.
const ANSWERS: usize = 16;

impl Stub {
    /// The stub as the crate's scripted backend, answering each call with
    /// the same thing every time.
    pub fn into_backend(self) -> ScriptedBackend {
        let backend = ScriptedBackend::new();
        for _ in 0..ANSWERS {
            backend.push_auth(Ok(self.answer.clone()));
            backend.push_associate(Ok(AssociatedSoftwareToken::new(
                TotpSecret::new(self.secret.clone()),
                self.session.clone().map(Session::new),
            )));
            let status = if self.verified {
                VerifyStatus::Success
            } else {
                VerifyStatus::Error
            };
            backend.push_verify(Ok(VerifiedSoftwareToken::new(
                status,
                self.session.clone().map(Session::new),
            )));
        }
        backend
    }
}

/// The time the fuzzed sign-ins read: fixed, so a run is repeatable and a
/// challenge saved in it is resumed before its expiry.
pub fn clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
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

/// Saves the step, round-trips it through JSON, and resumes it on the same
/// clock (so expiry never stops the walk).
pub fn save_and_resume(sign_in: &SignIn, step: SignInStep) -> Option<SignInStep> {
    let saved = step.into_saved()?;
    let back = round_trip(&saved);
    assert_eq!(back.challenge_name(), saved.challenge_name());
    assert_eq!(
        back.session().expose_secret(),
        saved.session().expose_secret()
    );
    match sign_in.resume(back) {
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
    let backend = stub.into_backend();
    let builder = if admin {
        SignIn::admin(backend, POOL, CLIENT)
    } else {
        SignIn::public(backend, CLIENT)
    };
    let builder = if with_secret {
        builder.client_secret(cognito_mfa::ClientSecret::new("fuzzsecret0123456789abcdef"))
    } else {
        builder
    };
    builder
        .clock(clock())
        .session_validity(Duration::from_secs(300))
        .build()
        .expect("a valid configuration")
}
