//! `cognito-idp verify-token`: the in-memory pool's tokens, served with
//! their JWKS by the local endpoint, verified by the example binary; each
//! refusal is a typed error and exit status 1, bad input exit 2, and the
//! token is never printed.

use crate::common::cli::{CognitoIdp, Run, closed_port_endpoint};
use cognito_mfa::Password;
use cognito_mfa::sign_in::SignIn;
use cognito_mfa::testing::{ClientOptions, LocalCognito};

/// Runs the example off the test's runtime, which serves the endpoint.
async fn run(args: Vec<String>) -> Run {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        CognitoIdp::new(closed_port_endpoint()).run(&args)
    })
    .await
    .unwrap()
}

fn args(pool: &str, client: &str, token: &str, jwks_url: &str) -> Vec<String> {
    [
        "verify-token",
        "--user-pool-id",
        pool,
        "--client-id",
        client,
        "--token",
        token,
        "--jwks-url",
        jwks_url,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[track_caller]
fn assert_refused(run: &Run, kind: &str, token: &str) {
    assert_eq!(run.code(), 1, "{run:#?}");
    assert_eq!(run.stdout, "");
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{run:#?}");
    assert!(
        lines[0].starts_with(&format!("error: TokenError: {kind}: ")),
        "{}",
        lines[0]
    );
    let signature = token.rsplit('.').next().unwrap();
    assert!(
        !run.stderr.contains(&signature[..16]),
        "the token was printed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_token_prints_the_claims_or_the_typed_error() {
    let server = LocalCognito::start().await.unwrap();
    let pool = server.create_pool("cli-tokens");
    let client = pool.create_client(ClientOptions::new()).unwrap();
    pool.create_user("alice", "correct horse").unwrap();
    pool.set_user_attribute("alice", "email", "alice@example.com")
        .unwrap();
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .build()
        .unwrap();
    let tokens = sign_in
        .password("alice", &Password::new("correct horse"))
        .await
        .unwrap()
        .into_tokens()
        .unwrap();
    let jwks = format!(
        "{}/{}/.well-known/jwks.json",
        server.endpoint(),
        pool.pool_id()
    );
    let (id, access) = (
        tokens.id_token.unwrap().expose_secret().to_owned(),
        tokens.access_token.expose_secret().to_owned(),
    );

    // Both kinds pass, each with its own claims.
    let out = run(args(pool.pool_id(), &client.client_id, &access, &jwks))
        .await
        .json();
    assert_eq!(out["username"], "alice");
    assert_eq!(out["token_use"], "access");
    assert_eq!(out["client_id"], client.client_id.as_str());
    assert_eq!(out["scope"], "aws.cognito.signin.user.admin");
    let out = run(args(pool.pool_id(), &client.client_id, &id, &jwks))
        .await
        .json();
    assert_eq!(out["token_use"], "id");
    assert_eq!(out["email"], "alice@example.com");
    assert!(out["exp"].as_u64().unwrap() > out["iat"].as_u64().unwrap());

    // Refusals: typed, exit 1.
    let (message, signature) = access.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    let forged = format!("{message}.{flipped}{}", &signature[1..]);
    let r = run(args(pool.pool_id(), &client.client_id, &forged, &jwks)).await;
    assert_refused(&r, "BadSignature", &forged);
    let r = run(args(pool.pool_id(), "someoneelsesclient", &id, &jwks)).await;
    assert_refused(&r, "WrongClient", &id);
    let mut only_id = args(pool.pool_id(), &client.client_id, &access, &jwks);
    only_id.extend(["--token-use".to_owned(), "id".to_owned()]);
    assert_refused(&run(only_id).await, "WrongUse", &access);
    let unreachable = format!(
        "{}/{}/.well-known/jwks.json",
        closed_port_endpoint(),
        pool.pool_id()
    );
    let r = run(args(
        pool.pool_id(),
        &client.client_id,
        &access,
        &unreachable,
    ))
    .await;
    assert_refused(&r, "KeysUnavailable", &access);
    assert!(r.stderr.contains("(retryable)"), "{}", r.stderr);

    // Bad input: exit 2, before any fetch.
    let r = run(args("not-a-pool", &client.client_id, &access, &jwks)).await;
    assert_eq!(r.code(), 2, "{r:#?}");
    assert!(r.stderr.contains("user pool id"), "{}", r.stderr);
}
