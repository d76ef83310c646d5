//! moto's tokens, verified through moto's JWKS endpoint over HTTP, with
//! the issuer Cognito's (moto serves the keys at its own address).
//!
//! moto: one fixed key (`kid` "dummy") for every pool, no `event_id`; its
//! `iss` is the AWS form, as Cognito's. Cognito: a key per pool.

use crate::common::moto::{MotoServer, TestPool};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognito_mfa::verify::{TokenError, TokenUse, TokenVerifier};
use cognito_mfa::{AccessToken, IdToken};

#[tokio::test]
#[ignore = "needs moto: tests/run.sh installs and runs it"]
async fn motos_tokens_verify_through_its_jwks_over_http() {
    let server = MotoServer::shared();
    let pool = TestPool::new(server, "OFF", false).await;
    pool.create_confirmed_user("alice", "Passw0rd-1!").await;
    let out = pool
        .client
        .admin_initiate_auth()
        .user_pool_id(&pool.pool_id)
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", "Passw0rd-1!")
        .send()
        .await
        .unwrap();
    let result = out.authentication_result().unwrap();
    let access = AccessToken::new(result.access_token().unwrap());
    let id = IdToken::new(result.id_token().unwrap());

    let verifier = TokenVerifier::builder(&pool.pool_id, [&pool.client_id])
        .jwks_url(format!(
            "{}/{}/.well-known/jwks.json",
            server.endpoint, pool.pool_id
        ))
        .build()
        .unwrap();
    let claims = verifier.verify_access_token(&access).await.unwrap();
    assert_eq!(claims.username, "alice");
    assert_eq!(claims.client_id, pool.client_id);
    assert!(claims.has_scope("aws.cognito.signin.user.admin"));
    let claims = verifier.verify_id_token(&id).await.unwrap();
    assert_eq!(claims.username, "alice");
    assert_eq!(claims.token_use, TokenUse::Id);
    assert_eq!(claims.issuer, verifier.issuer());
    assert_eq!(verifier.fetch_count(), 1);

    // Misused: each as the other, and for another client.
    let e = verifier
        .verify_str(access.expose_secret(), TokenUse::Id)
        .await
        .unwrap_err();
    assert!(matches!(e, TokenError::WrongUse { .. }), "{e:?}");
    let other = TokenVerifier::builder(&pool.pool_id, ["someotherclient"])
        .jwks_url(format!(
            "{}/{}/.well-known/jwks.json",
            server.endpoint, pool.pool_id
        ))
        .build()
        .unwrap();
    assert_eq!(
        other.verify_id_token(&id).await.unwrap_err(),
        TokenError::WrongClient
    );
    // Another pool's verifier: moto signs every pool with one key, so only
    // the issuer tells them apart (Cognito: an unknown kid as well).
    let elsewhere = TokenVerifier::builder("us-east-1_Elsewhere", [&pool.client_id])
        .jwks_url(format!(
            "{}/{}/.well-known/jwks.json",
            server.endpoint, pool.pool_id
        ))
        .build()
        .unwrap();
    assert!(matches!(
        elsewhere.verify_access_token(&access).await.unwrap_err(),
        TokenError::WrongIssuer { .. }
    ));
}
