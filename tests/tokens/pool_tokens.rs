//! The in-memory pool's tokens are real RS256 JWTs with Cognito's claims:
//! verified by ours (keys injected, and fetched from the local endpoint
//! over HTTP) and by PyJWT, an implementation nobody here wrote.

use cognito_mfa::backend::AuthTokens;
use cognito_mfa::sign_in::SignIn;
use cognito_mfa::testing::{ClientOptions, InMemoryPool, LocalCognito, ManualClock};
use cognito_mfa::verify::{TokenError, TokenUse, TokenVerifier};
use cognito_mfa::{AccessToken, Password};
use serde_json::{Value, json};
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A pool with a user (email, a group) signed in: its tokens and client id.
async fn signed_in(pool: &InMemoryPool) -> (AuthTokens, String) {
    let client = pool.create_client(ClientOptions::new()).unwrap();
    pool.create_user("alice", "correct horse").unwrap();
    pool.set_user_attribute("alice", "email", "alice@example.com")
        .unwrap();
    pool.add_user_to_group("alice", "admins").unwrap();
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .clock(pool.clock())
        .build()
        .unwrap();
    let tokens = sign_in
        .password("alice", &Password::new("correct horse"))
        .await
        .unwrap()
        .into_tokens()
        .unwrap();
    (tokens, client.client_id)
}

#[tokio::test]
async fn pool_tokens_verify_with_cognitos_claims() {
    let clock = ManualClock::starting_now();
    let pool = InMemoryPool::with_clock(clock.clone());
    let (tokens, client_id) = signed_in(&pool).await;
    let verifier = TokenVerifier::builder(pool.pool_id(), [&client_id])
        .keys_from_json(pool.jwks_json())
        .clock(clock.clone())
        .build()
        .unwrap();
    let id = verifier
        .verify_id_token(tokens.id_token.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(id.username, "alice");
    assert_eq!(id.client_id, client_id);
    assert_eq!(id.email.as_deref(), Some("alice@example.com"));
    assert_eq!(id.email_verified, Some(true));
    assert_eq!(id.groups, ["admins"]);
    assert_eq!(id.issuer, verifier.issuer());
    assert_eq!(id.sub.len(), 36);
    assert!(id.auth_time.is_some() && id.jti.is_some() && id.event_id.is_some());
    assert!(id.other.contains_key("origin_jti"));
    let access = verifier
        .verify_access_token(&tokens.access_token)
        .await
        .unwrap();
    assert_eq!(access.sub, id.sub);
    assert_eq!(access.username, "alice");
    assert_eq!(access.client_id, client_id);
    assert_eq!(access.scopes, ["aws.cognito.signin.user.admin"]);
    assert_eq!(access.groups, ["admins"]);
    assert_eq!(access.email, None);
    assert_eq!(access.other["origin_jti"], id.other["origin_jti"]);
    // One hour, as Cognito's default.
    assert_eq!(
        access
            .expires_at
            .duration_since(access.issued_at.unwrap())
            .unwrap(),
        Duration::from_secs(3600)
    );
    // The JWT access token still works with the pool (GetUser).
    let me = cognito_mfa::admin::mfa_status(&pool, &tokens.access_token).await;
    assert!(me.is_ok(), "{me:?}");

    // An hour later (and the leeway) they are refused as expired.
    clock.advance(Duration::from_secs(3600 + 6));
    let e = verifier
        .verify_access_token(&tokens.access_token)
        .await
        .unwrap_err();
    assert!(matches!(e, TokenError::Expired { .. }), "{e:?}");
}

#[tokio::test]
async fn jsonwebtoken_verifies_the_pools_tokens_too() {
    // jsonwebtoken reads the real clock: a pool on the system clock.
    let pool = InMemoryPool::new();
    let (tokens, client_id) = signed_in(&pool).await;
    let jwks: Value = serde_json::from_str(&pool.jwks_json()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwks["keys"][0]["n"].as_str().unwrap(),
        jwks["keys"][0]["e"].as_str().unwrap(),
    )
    .unwrap();
    let issuer = format!(
        "https://cognito-idp.us-east-1.amazonaws.com/{}",
        pool.pool_id()
    );
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[&issuer]);
    validation.set_audience(&[&client_id]);
    let id = jsonwebtoken::decode::<Value>(
        tokens.id_token.as_ref().unwrap().expose_secret(),
        &key,
        &validation,
    )
    .unwrap();
    assert_eq!(id.header.kid.as_deref(), jwks["keys"][0]["kid"].as_str());
    assert_eq!(id.claims["cognito:username"], "alice");
    assert_eq!(id.claims["token_use"], "id");
    validation.validate_aud = false; // an access token has no aud
    let access =
        jsonwebtoken::decode::<Value>(tokens.access_token.expose_secret(), &key, &validation)
            .unwrap();
    assert_eq!(access.claims["client_id"], client_id.as_str());
    assert_eq!(access.claims["sub"], id.claims["sub"]);
    // And refuses one signed by another pool's key under this kid.
    let other = InMemoryPool::new();
    let (forged, _) = signed_in(&other).await;
    assert!(
        jsonwebtoken::decode::<Value>(forged.access_token.expose_secret(), &key, &validation)
            .is_err()
    );
}

#[tokio::test]
async fn each_pool_signs_with_its_own_key() {
    let (a, b) = (InMemoryPool::new(), InMemoryPool::new());
    let (tokens, client_id) = signed_in(&a).await;
    let jwks: Value = serde_json::from_str(&a.jwks_json()).unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str()),
        (Some("RSA"), Some("RS256"))
    );
    assert_eq!(key["n"].as_str().unwrap().len(), 342, "RSA-2048");
    assert_ne!(a.jwks_json(), b.jwks_json());
    // Pool b's keys, a's issuer: a's token names a kid b doesn't have.
    let verifier = TokenVerifier::builder(a.pool_id(), [&client_id])
        .keys_from_json(b.jwks_json())
        .build()
        .unwrap();
    let e = verifier
        .verify_access_token(&tokens.access_token)
        .await
        .unwrap_err();
    assert!(matches!(e, TokenError::UnknownKey { .. }), "{e:?}");
}

#[tokio::test]
async fn the_local_endpoint_serves_the_jwks_and_the_verifier_fetches_it_once() {
    let server = LocalCognito::start().await.unwrap();
    let pool = server.create_pool("tokens");
    let (tokens, client_id) = signed_in(&pool).await;
    let url = format!(
        "{}/{}/.well-known/jwks.json",
        server.endpoint(),
        pool.pool_id()
    );
    let verifier = TokenVerifier::builder(pool.pool_id(), [&client_id])
        .jwks_url(&url)
        .build()
        .unwrap();
    assert_eq!(verifier.fetch_count(), 0);
    let claims = verifier
        .verify_access_token(&tokens.access_token)
        .await
        .unwrap();
    assert_eq!(claims.username, "alice");
    verifier
        .verify_id_token(tokens.id_token.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(verifier.fetch_count(), 1, "fetched once, then cached");
    // An unknown pool's JWKS is a 404, a retryable refusal.
    let missing = TokenVerifier::builder("us-east-1_Missing1", [&client_id])
        .jwks_url(format!(
            "{}/us-east-1_Missing1/.well-known/jwks.json",
            server.endpoint()
        ))
        .build()
        .unwrap();
    let e = missing
        .verify_access_token(&tokens.access_token)
        .await
        .unwrap_err();
    assert!(e.is_retryable(), "{e:?}");
}

/// Runs tests/tokens/pyjwt_verify.py: PyJWT decodes each token with the
/// pool's JWKS, checking RS256, issuer, audience and expiry itself.
fn pyjwt(input: &Value) -> Value {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // PyJWT comes with pycognito (it verifies tokens with it).
    let python = std::env::var_os("COGNITO_MFA_PYCOGNITO_PYTHON")
        .filter(|p| !p.is_empty())
        .map_or_else(|| manifest.join("target/moto-venv/bin/python"), Into::into);
    let mut child = Command::new(&python)
        .arg(manifest.join("tests/tokens/pyjwt_verify.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: run `bash tests/run.sh` once, or set COGNITO_MFA_PYCOGNITO_PYTHON",
                python.display()
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
#[ignore = "needs pycognito: PyJWT comes with it; tests/run.sh installs and runs it"]
async fn pyjwt_verifies_the_pools_tokens_and_agrees_with_ours() {
    // PyJWT reads the real clock: a pool on the system clock.
    let pool = InMemoryPool::new();
    let (tokens, client_id) = signed_in(&pool).await;
    let verifier = TokenVerifier::builder(pool.pool_id(), [&client_id])
        .keys_from_json(pool.jwks_json())
        .build()
        .unwrap();
    let id_token = tokens.id_token.as_ref().unwrap();
    let theirs = pyjwt(&json!({
        "jwks": serde_json::from_str::<Value>(&pool.jwks_json()).unwrap(),
        "issuer": verifier.issuer(),
        "client_id": client_id,
        "id_token": id_token.expose_secret(),
        "access_token": tokens.access_token.expose_secret(),
    }));
    let id = verifier.verify_id_token(id_token).await.unwrap();
    let access = verifier
        .verify_access_token(&tokens.access_token)
        .await
        .unwrap();
    for (ours, theirs, user_claim) in [
        (&id, &theirs["id"], "cognito:username"),
        (&access, &theirs["access"], "username"),
    ] {
        assert_eq!(theirs["sub"], ours.sub.as_str());
        assert_eq!(theirs[user_claim], ours.username.as_str());
        assert_eq!(theirs["token_use"], ours.token_use.as_str());
        assert_eq!(theirs["cognito:groups"], json!(ours.groups));
        assert_eq!(theirs["exp"], json!(craft_unix(ours.expires_at)));
        assert_eq!(theirs["jti"], ours.jti.as_deref().unwrap());
    }
    assert_eq!(theirs["id"]["email"], "alice@example.com");
    assert_eq!(theirs["access"]["client_id"], client_id.as_str());
    assert_eq!(theirs["header"]["alg"], "RS256");
    // PyJWT refuses a flipped signature too: the check can fail.
    let (message, signature) = tokens
        .access_token
        .expose_secret()
        .rsplit_once('.')
        .unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{message}.{flipped}{}", &signature[1..]);
    let theirs = pyjwt(&json!({
        "jwks": serde_json::from_str::<Value>(&pool.jwks_json()).unwrap(),
        "issuer": verifier.issuer(),
        "client_id": client_id,
        "id_token": id_token.expose_secret(),
        "access_token": forged,
    }));
    assert_eq!(theirs["access_error"], "InvalidSignatureError");
    let e = verifier
        .verify_access_token(&AccessToken::new(forged))
        .await
        .unwrap_err();
    assert_eq!(e, TokenError::BadSignature);
    assert_eq!(TokenUse::Access.as_str(), "access");
}

fn craft_unix(t: std::time::SystemTime) -> u64 {
    crate::craft::unix(t)
}
