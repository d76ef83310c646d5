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

#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything logged at TRACE (this thread's subscriber: the test's
/// current-thread runtime runs the sign-in, the endpoint, the JWKS fetch
/// and the verifier) holds no piece of the tokens verified or refused.
#[tokio::test]
async fn verifying_and_fetching_log_no_token() {
    use cognito_mfa::sign_in::SignIn;
    use cognito_mfa::testing::{ClientOptions, LocalCognito};

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::info!("capture-check");

    let server = LocalCognito::start().await.unwrap();
    let pool = server.create_pool("leaks");
    let client = pool.create_client(ClientOptions::new()).unwrap();
    pool.create_user("alice", "correct horse").unwrap();
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .build()
        .unwrap();
    let tokens = sign_in
        .password("alice", &cognito_mfa::Password::new("correct horse"))
        .await
        .unwrap()
        .into_tokens()
        .unwrap();
    let verifier = TokenVerifier::builder(pool.pool_id(), [&client.client_id])
        .jwks_url(format!(
            "{}/{}/.well-known/jwks.json",
            server.endpoint(),
            pool.pool_id()
        ))
        .build()
        .unwrap();
    let id = tokens.id_token.unwrap();
    verifier.verify_id_token(&id).await.unwrap();
    verifier
        .verify_access_token(&tokens.access_token)
        .await
        .unwrap();
    let (message, _) = id.expose_secret().rsplit_once('.').unwrap();
    let forged = IdToken::new(format!("{message}.{}", URL_SAFE_NO_PAD.encode([7u8; 256])));
    let e = verifier.verify_id_token(&forged).await.unwrap_err();
    assert_eq!(e, TokenError::BadSignature);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("capture-check"), "the capture works: {log}");
    for token in [
        id.expose_secret(),
        tokens.access_token.expose_secret(),
        forged.expose_secret(),
    ] {
        assert_clean(&log, token);
    }
}
