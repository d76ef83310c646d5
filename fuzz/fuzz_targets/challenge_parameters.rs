//! An arbitrary backend answer (challenge name, Session, ChallengeParameters)
//! at the password step: every accessor of the resulting step, its answers
//! and a save/resume round trip never panic.
#![no_main]

use arbitrary::Arbitrary;
use cognito_mfa::Password;
use cognito_mfa::backend::{AuthResponse, ChallengeName};
use cognito_mfa_fuzz::{Stub, block_on, save_and_resume, sign_in, touch_error, walk};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

const NAMES: &[&str] = &[
    "SOFTWARE_TOKEN_MFA",
    "MFA_SETUP",
    "SELECT_MFA_TYPE",
    "NEW_PASSWORD_REQUIRED",
    "SMS_MFA",
    "EMAIL_OTP",
    "PASSWORD_VERIFIER",
    "WEB_AUTHN",
];

const KEYS: &[&str] = &[
    "MFAS_CAN_SETUP",
    "MFAS_CAN_CHOOSE",
    "requiredAttributes",
    "userAttributes",
    "FRIENDLY_DEVICE_NAME",
    "CODE_DELIVERY_DESTINATION",
    "CODE_DELIVERY_DELIVERY_MEDIUM",
    "USER_ID_FOR_SRP",
    "USERNAME",
];

#[derive(Arbitrary, Debug)]
struct Input {
    /// Index into NAMES, or past it for `other_name`.
    name: u8,
    other_name: String,
    session: Option<String>,
    /// (index into KEYS or past it for the raw key, raw key, value)
    parameters: Vec<(u8, String, String)>,
    associate_secret: String,
    associate_session: Option<String>,
    verified: bool,
    code: String,
    admin: bool,
    with_secret: bool,
    save_first: bool,
}

fuzz_target!(|input: Input| {
    let name = NAMES
        .get(usize::from(input.name))
        .map_or(input.other_name.as_str(), |n| *n);
    let parameters: BTreeMap<String, String> = input
        .parameters
        .into_iter()
        .map(|(k, raw, v)| {
            let key = KEYS.get(usize::from(k)).map_or(raw, |k| (*k).to_owned());
            (key, v)
        })
        .collect();
    let answer = { let mut v = AuthResponse::default(); v.challenge = (input.name != u8::MAX).then(|| ChallengeName::parse(name)); v.session = input.session.map(cognito_mfa::Session::new); v.parameters = parameters; v.tokens = None; v };
    let stub = Stub {
        answer,
        secret: input.associate_secret,
        session: input.associate_session,
        verified: input.verified,
    };
    let sign_in = sign_in(stub, input.admin, input.with_secret);
    match block_on(sign_in.password("alice", &Password::new("pw"))) {
        Ok(step) if input.save_first => {
            if let Some(step) = save_and_resume(&sign_in, step) {
                walk(&sign_in, step, &input.code, 2);
            }
        }
        Ok(step) => walk(&sign_in, step, &input.code, 2),
        Err(e) => touch_error(&e),
    }
});
