//! Arbitrary text as a TOTP code: `validate::user_code` and
//! `TotpChallenge::answer` never panic, and accept exactly six ASCII digits
//! once white space is taken out.
#![no_main]

use cognito_mfa::backend::AuthResponse;
use cognito_mfa::sign_in::SignInStep;
use cognito_mfa::{Error, Field, Session, validate};
use cognito_mfa_fuzz::{Stub, block_on, sign_in};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fn oracle(code: &str) -> Option<String> {
    let kept: Vec<char> = code.chars().filter(|c| !c.is_whitespace()).collect();
    (kept.len() == 6 && kept.iter().all(char::is_ascii_digit))
        .then(|| kept.into_iter().collect())
}

fuzz_target!(|data: &[u8]| {
    let Ok(code) = std::str::from_utf8(data) else {
        return;
    };
    let expected = oracle(code);
    match validate::user_code(code) {
        Ok(digits) => assert_eq!(Some(digits), expected),
        Err(Error::InvalidInput(i)) => {
            assert_eq!(i.field(), Field::UserCode);
            assert!(expected.is_none());
        }
        Err(other) => panic!("not InvalidInput: {other:?}"),
    }
    // The backend signs in whoever answers.
    let answer = { let mut v = AuthResponse::default(); v.challenge = None; v.session = None; v.parameters = BTreeMap::new(); v.tokens = None; v };
    let sign_in = sign_in(Stub::answering(answer), true, true);
    let step = sign_in
        .resume_parts("SOFTWARE_TOKEN_MFA", Session::new("s".repeat(40)), "alice")
        .expect("valid parts");
    let SignInStep::TotpRequired(challenge) = step else {
        panic!("not a TOTP challenge");
    };
    match block_on(challenge.answer(&sign_in, code)) {
        // No tokens in the answer: the stub's reply is unexpected, but it
        // was sent, so the code was well formed.
        Err(r) if matches!(r.error(), Error::UnexpectedResponse { .. }) => {
            assert!(expected.is_some());
        }
        Err(r) => {
            assert!(expected.is_none(), "{r:?}");
            assert!(r.retry().is_some(), "a malformed code keeps the challenge");
        }
        Ok(step) => panic!("no tokens were given: {step:?}"),
    }
});
