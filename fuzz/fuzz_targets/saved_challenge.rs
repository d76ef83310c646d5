//! Arbitrary bytes as a saved challenge (it may come from a cookie or a
//! session store): deserializing, resuming and answering it never panics.
#![no_main]

use cognito_mfa::backend::{AuthResponse, ChallengeName};
use cognito_mfa::sign_in::{SavedChallenge, SignIn};
use cognito_mfa_fuzz::{POOL, Stub, round_trip, walk};
use libfuzzer_sys::fuzz_target;
use std::time::UNIX_EPOCH;

fuzz_target!(|data: &[u8]| {
    let Ok(saved) = serde_json::from_slice::<SavedChallenge>(data) else {
        return;
    };
    let _ = (
        saved.challenge_name(),
        saved.username(),
        saved.session().expose_secret().len(),
        saved.parameters().len(),
        saved.client_id(),
        saved.version(),
        saved.expires_at(),
    );
    let back = round_trip(&saved);
    // The backend answers every step with the same challenge again.
    let answer = AuthResponse {
        challenge: Some(ChallengeName::parse(saved.challenge_name())),
        session: Some(saved.session().clone()),
        parameters: saved.parameters().clone(),
        tokens: None,
    };
    let sign_ins = [
        SignIn::admin(Stub::answering(answer.clone()), POOL, saved.client_id()).build(),
        SignIn::public(Stub::answering(answer), saved.client_id()).build(),
    ];
    for sign_in in sign_ins.into_iter().flatten() {
        // Now (usually expired) and at the epoch (never expired).
        let _ = sign_in.resume(back.clone());
        if let Ok(step) = sign_in.resume_at(back.clone(), UNIX_EPOCH) {
            walk(&sign_in, step, "123456", 2);
        }
    }
});
