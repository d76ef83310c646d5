//! Arbitrary bytes as a saved challenge (it may come from a cookie or a
//! session store): deserializing, resuming and answering it never panics.
#![no_main]

use cognito_mfa::backend::{AuthResponse, ChallengeName};
use cognito_mfa::sign_in::{SavedChallenge, SignIn};
use cognito_mfa::testing::ManualClock;
use cognito_mfa_fuzz::{POOL, Stub, round_trip, walk};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, UNIX_EPOCH};

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
    let answer = AuthResponse::challenge(ChallengeName::parse(saved.challenge_name()), Some(saved.session().clone()), saved.parameters().clone());
    // Now (usually expired), and a second before its expiry (never
    // expired, unless it lies past any Session's life).
    let now = ManualClock::starting_now();
    let before_expiry = ManualClock::new(
        back.expires_at()
            .checked_sub(Duration::from_secs(1))
            .unwrap_or(UNIX_EPOCH),
    );
    for clock in [now, before_expiry] {
        let sign_ins = [
            SignIn::admin(Stub::answering(answer.clone()).into_backend(), POOL, saved.client_id())
                .clock(clock.clone())
                .build(),
            SignIn::public(Stub::answering(answer.clone()).into_backend(), saved.client_id())
                .clock(clock)
                .build(),
        ];
        for sign_in in sign_ins.into_iter().flatten() {
            if let Ok(step) = sign_in.resume(back.clone()) {
                walk(&sign_in, step, "123456", 2);
            }
        }
    }
});
