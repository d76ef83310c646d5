//! Property tests: no text makes the verifier panic, and no change to a
//! sound token (one character replaced, cut short, grown) still verifies.

use crate::craft::{self, CLIENT, POOL, id_claims, t0};
use cognito_mfa::IdToken;
use cognito_mfa::testing::ManualClock;
use cognito_mfa::verify::{TokenError, TokenVerifier};
use proptest::prelude::*;
use std::sync::OnceLock;

fn verifier() -> &'static TokenVerifier {
    static VERIFIER: OnceLock<TokenVerifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        TokenVerifier::builder(POOL, [CLIENT])
            .keys_from_json(craft::jwks(&[craft::key()]))
            .clock(ManualClock::new(t0()))
            .build()
            .unwrap()
    })
}

fn sound() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| craft::key().token(&id_claims(t0())))
}

fn verify(token: &str) -> Result<cognito_mfa::verify::Claims, TokenError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(verifier().verify_id_token(&IdToken::new(token)))
}

const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_is_refused_without_panic(text in ".{0,300}") {
        prop_assert!(verify(&text).is_err());
    }

    #[test]
    fn one_character_replaced_is_refused(at in 0usize..10_000, with in 0usize..BASE64URL.len()) {
        let token = sound();
        let at = at % token.len();
        let new = BASE64URL.as_bytes()[with];
        prop_assume!(token.as_bytes()[at] != new);
        let mut bytes = token.as_bytes().to_vec();
        bytes[at] = new;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(verify(&changed).is_err(), "a changed token verified (at {})", at);
    }

    #[test]
    fn cut_or_grown_is_refused(cut in 1usize..2_000, tail in "[A-Za-z0-9_.-]{1,8}") {
        let token = sound();
        let cut = cut.min(token.len());
        prop_assert!(verify(&token[..token.len() - cut]).is_err());
        let grown = format!("{token}{tail}");
        prop_assert!(verify(&grown).is_err());
    }
}

#[test]
fn the_sound_token_verifies() {
    assert_eq!(verify(sound()).unwrap().username, "alice");
}
