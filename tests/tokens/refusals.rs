//! Every refusal, each shown with a crafted token that is sound but for
//! the one thing wrong with it, and each with its typed error.

use crate::craft::{self, CLIENT, KID, Key, POOL, access_claims, id_claims, t0, unix};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_mfa::testing::ManualClock;
use cognito_mfa::verify::{TokenError, TokenUse, TokenVerifier};
use cognito_mfa::{AccessToken, IdToken};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};
use std::time::Duration;

fn verifier() -> TokenVerifier {
    TokenVerifier::builder(POOL, [CLIENT, "otherclientofours"])
        .keys_from_json(craft::jwks(&[craft::key()]))
        .clock(ManualClock::new(t0()))
        .build()
        .unwrap()
}

async fn id(token: &str) -> Result<cognito_mfa::verify::Claims, TokenError> {
    verifier().verify_id_token(&IdToken::new(token)).await
}

async fn access(token: &str) -> Result<cognito_mfa::verify::Claims, TokenError> {
    verifier()
        .verify_access_token(&AccessToken::new(token))
        .await
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

#[tokio::test]
async fn sound_crafted_tokens_pass_with_their_claims() {
    let claims = id(&craft::key().token(&id_claims(t0()))).await.unwrap();
    assert_eq!(claims.username, "alice");
    assert_eq!(claims.token_use, TokenUse::Id);
    assert_eq!(claims.client_id, CLIENT);
    assert_eq!(claims.email.as_deref(), Some("alice@example.com"));
    assert_eq!(claims.email_verified, Some(true));
    assert_eq!(
        claims.other["origin_jti"],
        "0e4f7c8c-0a5d-4a43-9d35-5c2a3b5e8f01"
    );
    let claims = access(&craft::key().token(&access_claims(t0())))
        .await
        .unwrap();
    assert_eq!(claims.groups, ["admins"]);
    assert!(claims.in_group("admins"));
    assert!(claims.has_scope("aws.cognito.signin.user.admin"));
    assert_eq!(claims.expires_at, t0() + Duration::from_secs(3600));
}

#[tokio::test]
async fn alg_none_is_refused_before_any_key() {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "kid": KID}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(id_claims(t0()).to_string());
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        let e = id(&token).await.unwrap_err();
        if token.ends_with('.') {
            assert_eq!(e, TokenError::UnsupportedAlgorithm { alg: "none".into() });
        } else {
            assert!(matches!(e, TokenError::Malformed { .. }), "{e:?}");
        }
    }
}

#[tokio::test]
async fn hs256_keyed_with_the_public_key_is_refused() {
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(KID.to_owned());
    // The classic confusion attack: the RSA public key as the HMAC secret,
    // both as DER and as the JWK's modulus text.
    let jwk = craft::key().jwk();
    for secret in [
        craft::key().public_der(),
        jwk["n"].as_str().unwrap().as_bytes().to_vec(),
    ] {
        let token = jsonwebtoken::encode(
            &header,
            &id_claims(t0()),
            &EncodingKey::from_secret(&secret).unwrap(),
        )
        .unwrap();
        let e = id(&token).await.unwrap_err();
        assert_eq!(
            e,
            TokenError::UnsupportedAlgorithm {
                alg: "HS256".into()
            }
        );
    }
}

#[tokio::test]
async fn other_algorithms_are_refused() {
    for alg in ["RS512", "PS256", "ES256", "EdDSA", "rs256"] {
        let token = craft::key().sign(&json!({"alg": alg, "kid": KID}), &id_claims(t0()));
        let e = id(&token).await.unwrap_err();
        assert_eq!(
            e,
            TokenError::UnsupportedAlgorithm { alg: alg.into() },
            "{alg}"
        );
    }
}

#[tokio::test]
async fn an_unknown_kid_is_refused() {
    let token = craft::key().sign(
        &json!({"alg": "RS256", "kid": "not-ours"}),
        &id_claims(t0()),
    );
    assert_eq!(
        id(&token).await.unwrap_err(),
        TokenError::UnknownKey {
            kid: "not-ours".into()
        }
    );
    let token = craft::key().sign(&json!({"alg": "RS256"}), &id_claims(t0()));
    assert_eq!(
        id(&token).await.unwrap_err(),
        TokenError::UnknownKey { kid: String::new() }
    );
}

#[tokio::test]
async fn another_key_under_our_kid_is_a_bad_signature() {
    let impostor = Key::new(KID);
    let token = impostor.token(&id_claims(t0()));
    assert_eq!(id(&token).await.unwrap_err(), TokenError::BadSignature);
}

#[tokio::test]
async fn a_tampered_payload_is_a_bad_signature() {
    let token = craft::key().token(&id_claims(t0()));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    // Same signature, the payload made an admin's.
    parts[1] = URL_SAFE_NO_PAD
        .encode(with(id_claims(t0()), "cognito:username", json!("admin")).to_string());
    assert_eq!(
        id(&parts.join(".")).await.unwrap_err(),
        TokenError::BadSignature
    );
    // A flipped bit in the signature.
    let mut signature = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(2).unwrap())
        .unwrap();
    signature[10] ^= 1;
    let (message, _) = token.rsplit_once('.').unwrap();
    let flipped = format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature));
    assert_eq!(id(&flipped).await.unwrap_err(), TokenError::BadSignature);
}

#[tokio::test]
async fn expired_beyond_the_leeway_is_refused() {
    // exp one second inside the 5 s leeway passes, six seconds past fails.
    let at = |offset: i64| {
        let exp = unix(t0()) as i64 + offset;
        craft::key().token(&with(
            id_claims(t0() - Duration::from_secs(3600)),
            "exp",
            json!(exp),
        ))
    };
    assert!(id(&at(-4)).await.is_ok());
    let e = id(&at(-6)).await.unwrap_err();
    assert_eq!(
        e,
        TokenError::Expired {
            expired_at: t0() - Duration::from_secs(6)
        }
    );
    assert!(e.is_expired() && !e.is_retryable());
    let e = access(&craft::key().token(&with(access_claims(t0()), "exp", json!(unix(t0()) - 60))))
        .await
        .unwrap_err();
    assert!(e.is_expired());
}

#[tokio::test]
async fn not_yet_valid_is_refused() {
    let later = unix(t0()) + 60;
    for claim in ["nbf", "iat"] {
        let token = craft::key().token(&with(id_claims(t0()), claim, json!(later)));
        assert_eq!(
            id(&token).await.unwrap_err(),
            TokenError::NotYetValid {
                valid_from: t0() + Duration::from_secs(60)
            },
            "{claim}"
        );
    }
}

#[tokio::test]
async fn another_pools_issuer_is_refused() {
    let other = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other";
    let token = craft::key().token(&with(id_claims(t0()), "iss", json!(other)));
    assert_eq!(
        id(&token).await.unwrap_err(),
        TokenError::WrongIssuer {
            found: other.into()
        }
    );
}

#[tokio::test]
async fn another_client_is_refused() {
    let token = craft::key().token(&with(id_claims(t0()), "aud", json!("someoneelsesclient")));
    assert_eq!(id(&token).await.unwrap_err(), TokenError::WrongClient);
    let token = craft::key().token(&with(
        access_claims(t0()),
        "client_id",
        json!("someoneelse"),
    ));
    assert_eq!(access(&token).await.unwrap_err(), TokenError::WrongClient);
    // An access token has no aud: an `aud` naming our client doesn't stand for client_id.
    let mut claims = access_claims(t0());
    claims.as_object_mut().unwrap().remove("client_id");
    claims["aud"] = json!(CLIENT);
    assert_eq!(
        access(&craft::key().token(&claims)).await.unwrap_err(),
        TokenError::MissingClaim { claim: "client_id" }
    );
    // The verifier's second client is accepted.
    let token = craft::key().token(&with(id_claims(t0()), "aud", json!("otherclientofours")));
    assert_eq!(id(&token).await.unwrap().client_id, "otherclientofours");
}

#[tokio::test]
async fn the_wrong_use_is_refused() {
    let id_token = craft::key().token(&id_claims(t0()));
    let access_token = craft::key().token(&access_claims(t0()));
    assert_eq!(
        access(&id_token).await.unwrap_err(),
        TokenError::WrongUse {
            expected: TokenUse::Access,
            found: "id".into()
        }
    );
    assert_eq!(
        id(&access_token).await.unwrap_err(),
        TokenError::WrongUse {
            expected: TokenUse::Id,
            found: "access".into()
        }
    );
    assert_eq!(
        verifier()
            .verify_str(&access_token, TokenUse::Access)
            .await
            .unwrap()
            .username,
        "alice"
    );
}

#[tokio::test]
async fn malformed_tokens_are_refused() {
    for token in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.e30.sig",
        "e30.e30.",
        &"x".repeat(20_000),
    ] {
        let e = id(token).await.unwrap_err();
        assert!(
            matches!(
                e,
                TokenError::Malformed { .. } | TokenError::UnsupportedAlgorithm { .. }
            ),
            "{e:?}"
        );
    }
    // A critical header extension nobody here understands (RFC 7515).
    let token = craft::key().sign(
        &json!({"alg": "RS256", "kid": KID, "crit": ["exp"], "exp": 1}),
        &id_claims(t0()),
    );
    assert!(matches!(
        id(&token).await.unwrap_err(),
        TokenError::Malformed { .. }
    ));
    // A sound signature over a payload with a wrong-typed claim.
    let token = craft::key().token(&with(id_claims(t0()), "exp", json!("tomorrow")));
    assert!(matches!(
        id(&token).await.unwrap_err(),
        TokenError::Malformed { .. }
    ));
}

#[test]
fn injected_keys_without_an_rs256_key_are_refused_at_build() {
    for jwks in [
        "not json",
        r#"{"keys":[]}"#,
        r#"{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]}"#,
        // A 512-bit modulus.
        &json!({"keys": [{"kty": "RSA", "kid": "k", "alg": "RS256",
            "n": URL_SAFE_NO_PAD.encode([0xC1u8; 64]), "e": "AQAB"}]})
        .to_string(),
    ] {
        let e = TokenVerifier::builder(POOL, [CLIENT])
            .keys_from_json(jwks.as_bytes())
            .build();
        assert!(e.is_err(), "{jwks}");
    }
}

/// The verifier's futures are `Send` and it is `Send + Sync + Clone`, so a
/// multi-threaded server's handlers can await it.
#[test]
fn the_verifier_works_in_multithreaded_handlers() {
    fn send<T: Send>(_: &T) {}
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<TokenVerifier>();
    let v = verifier();
    let (id_token, access_token) = (IdToken::new("x"), AccessToken::new("x"));
    send(&v.verify_id_token(&id_token));
    send(&v.verify_access_token(&access_token));
    send(&v.verify_str("x", TokenUse::Access));
    send(&v.warm_up());
}
