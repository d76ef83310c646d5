//! Canary secrets for the tests that prove nothing leaks: a sign-in mock
//! that sees them, and a check that a text holds none of them. Shared by
//! `sign_in_mock` (Debug output) and `sign_in_tracing` (the logs), with the
//! small builders of backend answers both use.

use cognito_mfa::backend::{
    AuthResponse, AuthTokens, ChallengeName, InitiateAuthRequest, RespondToAuthChallengeRequest,
};
use cognito_mfa::{
    AccessToken, Error, IdToken, MockCognitoBackend, Operation, RefreshToken, ServiceError, Session,
};
use std::time::Duration;

pub const CANONICAL: &str = "7d1e5c3a-0b4f-4c55-9d1e-abcdef012345";
pub const CLIENT_SECRET: &str = "abcdefghijklmnopqrstuvwxyz012345";
pub const CANARY_SESSION: &str = "SESSIONCANARY-0123456789abcdef";
pub const CANARY_PASSWORD: &str = "PASSWORDCANARY-hunter2";
pub const CANARY_CODE: &str = "918273";
pub const CANARY_WRONG_CODE: &str = "564738";
pub const CANARY_ACCESS: &str = "ACCESSCANARY-eyJraWQ";
pub const CANARY_ID: &str = "IDCANARY-eyJraWQ";
pub const CANARY_REFRESH: &str = "REFRESHCANARY-eyJjdHk";

pub fn challenge(name: &str, session: &str, params: &[(&str, &str)]) -> AuthResponse {
    AuthResponse::challenge(
        ChallengeName::parse(name),
        Some(Session::new(session)),
        params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

pub fn service(operation: Operation, code: &str, message: &str) -> Error {
    Error::from_service(operation, ServiceError::new(code, message))
}

pub fn respond_error(code: &str, message: &str) -> Error {
    service(Operation::RespondToAuthChallenge, code, message)
}

pub fn canary_tokens() -> AuthResponse {
    AuthResponse::tokens(
        AuthTokens::new(AccessToken::new(CANARY_ACCESS), Duration::from_secs(3600))
            .with_id_token(Some(IdToken::new(CANARY_ID)))
            .with_refresh_token(Some(RefreshToken::new(CANARY_REFRESH))),
    )
}

pub fn canary_mock() -> MockCognitoBackend {
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth()
        .withf(|r: &InitiateAuthRequest| r.parameters.get("PASSWORD") == Some(CANARY_PASSWORD))
        .times(1)
        .returning(|_| {
            Ok(challenge(
                "SOFTWARE_TOKEN_MFA",
                CANARY_SESSION,
                &[("USER_ID_FOR_SRP", CANONICAL)],
            ))
        });
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some(CANARY_WRONG_CODE)
        })
        .times(1)
        .returning(|_| {
            Err(respond_error(
                "CodeMismatchException",
                "Invalid code received for user",
            ))
        });
    mock.expect_respond_to_auth_challenge()
        .withf(|r: &RespondToAuthChallengeRequest| {
            r.session.as_ref().map(|s| s.expose_secret()) == Some(CANARY_SESSION)
                && r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some(CANARY_CODE)
        })
        .times(1)
        .returning(|_| Ok(canary_tokens()));
    mock
}

pub fn assert_no_canary(text: &str, extra: &[&str]) {
    for canary in [
        CANARY_SESSION,
        CANARY_PASSWORD,
        CANARY_CODE,
        CANARY_WRONG_CODE,
        CANARY_ACCESS,
        CANARY_ID,
        CANARY_REFRESH,
        CLIENT_SECRET,
    ]
    .iter()
    .chain(extra)
    {
        assert!(!text.contains(canary), "{canary} leaked into:\n{text}");
    }
}
