//! No token, nor any part of one, in an error's `Debug` or `Display`, nor
//! in the verifier's or the claims' `Debug`: canaries planted in every part
//! of refused tokens are looked for in everything printed.

use crate::craft::{self, CLIENT, KID, POOL, access_claims, id_claims, t0};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_mfa::testing::ManualClock;
use cognito_mfa::verify::{TokenError, TokenUse, TokenVerifier};
use cognito_mfa::{AccessToken, IdToken};
use serde_json::json;

const CANARY: &str = "Canary7Tok3nLeak";

fn shown(e: &TokenError) -> String {
    format!("{e} {e:?} {:?}", std::error::Error::source(e))
}

/// `printed` holds no canary and no 12-character run of `token`.
fn assert_clean(printed: &str, token: &str) {
    assert!(!printed.contains(CANARY), "canary in {printed}");
    for window in token.as_bytes().windows(12).step_by(4) {
        let window = std::str::from_utf8(window).unwrap();
        assert!(
            !printed.contains(window),
            "a piece of the token in {printed}"
        );
    }
}

#[tokio::test]
async fn refused_tokens_appear_in_no_error() {
    let verifier = TokenVerifier::builder(POOL, [CLIENT])
        .keys_from_json(craft::jwks(&[craft::key()]))
        .clock(ManualClock::new(t0()))
        .build()
        .unwrap();
    let key = craft::key();
    let mut id = id_claims(t0());
    id["cognito:username"] = json!(CANARY);
    id["email"] = json!(format!("{CANARY}@example.com"));
    let sound = key.token(&id);
    let (message, _) = sound.rsplit_once('.').unwrap();
    let canary_b64 = URL_SAFE_NO_PAD.encode(CANARY.repeat(16));
    let mut tokens = vec![
        // A forged signature carrying the canary.
        format!("{message}.{canary_b64}"),
        // Expired, wrong client, wrong use: sound signatures, canary claims.
        key.token(&{
            let mut c = id.clone();
            c["exp"] = json!(1);
            c
        }),
        key.token(&{
            let mut c = id.clone();
            c["aud"] = json!(CANARY);
            c
        }),
        // Not base64, not JSON, not three parts.
        format!("{CANARY}.{CANARY}.{CANARY}"),
        format!(
            "{}.{}.x",
            URL_SAFE_NO_PAD.encode(CANARY),
            URL_SAFE_NO_PAD.encode(CANARY)
        ),
        CANARY.repeat(3),
        // The canary in an unprintable kid and alg.
        key.sign(
            &json!({"alg": "RS256", "kid": format!("{CANARY}\u{1b}[31m")}),
            &id,
        ),
        key.sign(
            &json!({"alg": format!("\u{202e}{CANARY}"), "kid": KID}),
            &id,
        ),
    ];
    tokens.push(key.token(&access_claims(t0())));
    for token in &tokens {
        let e = verifier
            .verify_id_token(&IdToken::new(token.as_str()))
            .await
            .unwrap_err();
        assert_clean(&shown(&e), token);
    }
    // The access token as an ID token: WrongUse, then as itself: Ok, and its
    // claims hold no piece of the token.
    let access = AccessToken::new(key.token(&access_claims(t0())));
    let claims = verifier.verify_access_token(&access).await.unwrap();
    assert_clean(
        &format!("{claims:?} {verifier:?} {access:?}"),
        access.expose_secret(),
    );
    let e = verifier
        .verify_str(access.expose_secret(), TokenUse::Id)
        .await
        .unwrap_err();
    assert_clean(&shown(&e), access.expose_secret());
}
