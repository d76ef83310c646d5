//! How every Cognito exception listed in the notes (docs: "Sessions, codes,
//! errors") maps to an [`Error`] variant, and what the variant tells the
//! caller to do next.
//!
//! Each exception is shown through [`Error::from_service`] (the mapping every
//! backend uses), and a few are shown end to end: a `MockCognitoBackend`
//! returns the mapped error from a call and the public flow (enrollment,
//! admin, preflight, sign-in) hands it to the caller unchanged.
#![cfg(feature = "mock")]

use cognito_mfa::backend::{
    AssociatedSoftwareToken, AuthFlow, AuthResponse, ChallengeName, FactorPreference,
    MfaPreferenceUpdate, TokenAuth, UserMfaSettings, UserStatus, UserTarget,
};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::{
    AccessToken, Error, Field, MfaEnrollment, MockCognitoBackend, Operation, Password, Recovery,
    ServiceError, Session, TotpSecret, TransportError, TransportKind, admin, preflight, validate,
};
use std::time::{Duration, UNIX_EPOCH};

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

/// Maps `code`/`message` as if `operation` had returned it.
fn map(operation: Operation, code: &str, message: &str) -> Error {
    Error::from_service(operation, ServiceError::new(code, message))
}

/// Asserts the recovery and that the three predicates agree with it, so each
/// test below shows all four answers for its variant.
#[track_caller]
fn assert_recovery(error: &Error, expected: Recovery) {
    assert_eq!(error.recovery(), expected, "recovery of {error:?}");
    assert_eq!(
        error.is_retryable(),
        expected == Recovery::RetryLater,
        "is_retryable of {error:?}"
    );
    assert_eq!(
        error.can_retry_challenge(),
        matches!(
            expected,
            Recovery::RetrySameStep | Recovery::WaitForNextCode
        ),
        "can_retry_challenge of {error:?}"
    );
    assert_eq!(
        error.must_restart(),
        expected == Recovery::Restart,
        "must_restart of {error:?}"
    );
}

/// The fallback variant, with the service error kept whole.
#[track_caller]
fn assert_service(error: &Error, operation: Operation, code: &str, message: &str) {
    match error {
        Error::Service {
            operation: op,
            error: service,
        } => {
            assert_eq!(*op, operation);
            assert_eq!(service.code(), code);
            assert_eq!(service.message(), Some(message));
        }
        other => panic!("expected Error::Service, got {other:?}"),
    }
    assert_eq!(error.service_code(), Some(code));
}

const ALL_OPERATIONS: [Operation; 14] = [
    Operation::AssociateSoftwareToken,
    Operation::VerifySoftwareToken,
    Operation::SetUserMfaPreference,
    Operation::AdminSetUserMfaPreference,
    Operation::GetUser,
    Operation::AdminGetUser,
    Operation::AdminDeleteSoftwareToken,
    Operation::InitiateAuth,
    Operation::AdminInitiateAuth,
    Operation::RespondToAuthChallenge,
    Operation::AdminRespondToAuthChallenge,
    Operation::GetUserPoolMfaConfig,
    Operation::SetUserPoolMfaConfig,
    Operation::DescribeUserPoolClient,
];

const ACCESS_TOKEN: &str = "eyJraWQiOi.access-token-canary.sig";
const SESSION: &str = "AYABeSession-canary-0123456789abcdef";
const POOL: &str = "us-east-1_AbC123";
const CLIENT: &str = "4f9a2c1b7e3d";

// ---------------------------------------------------------------------------
// codes
// ---------------------------------------------------------------------------

#[test]
fn code_mismatch_exception_is_code_mismatch_retryable_on_the_same_step() {
    for op in [
        Operation::RespondToAuthChallenge,
        Operation::VerifySoftwareToken,
    ] {
        let e = map(
            op,
            "CodeMismatchException",
            "Invalid code received for user",
        );
        assert!(matches!(e, Error::CodeMismatch), "{e:?}");
        assert_recovery(&e, Recovery::RetrySameStep);
        assert_eq!(e.service_code(), None);
    }
}

#[test]
fn enable_software_token_mfa_exception_is_code_mismatch() {
    let e = map(
        Operation::VerifySoftwareToken,
        "EnableSoftwareTokenMFAException",
        "Code mismatch and fail enable Software Token MFA",
    );
    assert!(matches!(e, Error::CodeMismatch), "{e:?}");
    assert_recovery(&e, Recovery::RetrySameStep);
}

#[test]
fn expired_code_exception_is_code_already_used_and_the_next_code_is_at_the_next_30s_step() {
    let message = "Your software token has already been used once.";
    let e = Error::from_service(
        Operation::RespondToAuthChallenge,
        ServiceError::new("ExpiredCodeException", message),
    );
    assert!(matches!(e, Error::CodeAlreadyUsed), "{e:?}");
    assert_recovery(&e, Recovery::WaitForNextCode);
    // The message reads no clock: the same on every machine and in every test.
    assert_eq!(
        e.to_string(),
        "this code was already used; wait for the authenticator's next code"
    );
    let at = |secs: u64, millis: u64| UNIX_EPOCH + Duration::from_millis(secs * 1000 + millis);
    // 1_700_000_010 is a step boundary (divisible by 30).
    let cases = [
        (at(1_700_000_015, 0), at(1_700_000_040, 0)),
        (at(1_700_000_010, 0), at(1_700_000_040, 0)), // on a boundary: the *next* one
        (at(1_700_000_039, 999), at(1_700_000_040, 0)),
        (at(1_700_000_040, 1), at(1_700_000_070, 0)),
    ];
    for (now, expected) in cases {
        assert_eq!(cognito_mfa::totp::next_code_at(now), expected);
    }
}

#[test]
fn not_authorized_session_expired_is_session_expired() {
    for op in [
        Operation::RespondToAuthChallenge,
        Operation::AssociateSoftwareToken,
        Operation::VerifySoftwareToken,
    ] {
        let e = map(
            op,
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
        );
        assert!(matches!(e, Error::SessionExpired), "{e:?}");
        assert_recovery(&e, Recovery::Restart);
        assert!(e.must_restart());
    }
}

#[test]
fn not_authorized_invalid_session_is_session_expired() {
    let e = map(
        Operation::RespondToAuthChallenge,
        "NotAuthorizedException",
        "Invalid session for the user.",
    );
    assert!(matches!(e, Error::SessionExpired), "{e:?}");
    assert_recovery(&e, Recovery::Restart);
    assert!(e.must_restart());
}

#[test]
fn not_authorized_incorrect_password_is_wrong_credentials() {
    let e = map(
        Operation::InitiateAuth,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    assert!(matches!(e, Error::WrongCredentials), "{e:?}");
    assert_recovery(&e, Recovery::Restart);
}

#[test]
fn not_authorized_unable_to_verify_secret_hash_is_secret_hash_mismatch() {
    let e = map(
        Operation::InitiateAuth,
        "NotAuthorizedException",
        "Unable to verify secret hash for client abc",
    );
    assert!(matches!(e, Error::SecretHashMismatch), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn not_authorized_secret_not_received_is_secret_hash_mismatch() {
    let e = map(
        Operation::RespondToAuthChallenge,
        "NotAuthorizedException",
        "Client abc is configured for secret but secret was not received",
    );
    assert!(matches!(e, Error::SecretHashMismatch), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn not_authorized_invalid_access_token_is_access_token_rejected() {
    let e = map(
        Operation::AssociateSoftwareToken,
        "NotAuthorizedException",
        "Invalid Access Token",
    );
    assert!(matches!(e, Error::AccessTokenRejected), "{e:?}");
    assert_recovery(&e, Recovery::Restart);
}

#[test]
fn not_authorized_access_token_expired_is_access_token_rejected() {
    let e = map(
        Operation::SetUserMfaPreference,
        "NotAuthorizedException",
        "Access Token has expired",
    );
    assert!(matches!(e, Error::AccessTokenRejected), "{e:?}");
    assert_recovery(&e, Recovery::Restart);
}

#[test]
fn not_authorized_user_disabled_is_user_disabled() {
    let e = map(
        Operation::InitiateAuth,
        "NotAuthorizedException",
        "User is disabled.",
    );
    assert!(matches!(e, Error::UserDisabled), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn not_authorized_unknown_message_falls_back_to_service_kept_whole() {
    let e = Error::from_service(
        Operation::InitiateAuth,
        ServiceError::new(
            "NotAuthorizedException",
            "A client attempted to write unauthorized attribute",
        )
        .with_request_id("9f1c7d2e-0000-4a5b-8c6d-123456789abc"),
    );
    match &e {
        Error::Service { operation, error } => {
            assert_eq!(*operation, Operation::InitiateAuth);
            assert_eq!(error.code(), "NotAuthorizedException");
            assert_eq!(
                error.message(),
                Some("A client attempted to write unauthorized attribute")
            );
            assert_eq!(
                error.request_id(),
                Some("9f1c7d2e-0000-4a5b-8c6d-123456789abc")
            );
        }
        other => panic!("expected Service, got {other:?}"),
    }
    assert_eq!(e.service_code(), Some("NotAuthorizedException"));
    // NotAuthorized always ends the step: restart, whatever it says.
    assert_recovery(&e, Recovery::Restart);
    // The request id reaches the text an operator sees, for AWS support.
    let text = e.to_string();
    assert!(text.contains("InitiateAuth"), "{text}");
    assert!(text.contains("NotAuthorizedException"), "{text}");
    assert!(
        text.contains("9f1c7d2e-0000-4a5b-8c6d-123456789abc"),
        "{text}"
    );
    // The source chain keeps the service error.
    let source = std::error::Error::source(&e).expect("a source");
    assert!(
        source
            .to_string()
            .contains("A client attempted to write unauthorized attribute")
    );
}

// ---------------------------------------------------------------------------
// user state
// ---------------------------------------------------------------------------

#[test]
fn user_not_found_exception_is_user_not_found() {
    let e = map(
        Operation::InitiateAuth,
        "UserNotFoundException",
        "User does not exist.",
    );
    assert!(matches!(e, Error::UserNotFound), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn user_not_confirmed_exception_is_user_not_confirmed() {
    let e = map(
        Operation::InitiateAuth,
        "UserNotConfirmedException",
        "User is not confirmed.",
    );
    assert!(matches!(e, Error::UserNotConfirmed), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn password_reset_required_exception_is_password_reset_required() {
    let e = map(
        Operation::InitiateAuth,
        "PasswordResetRequiredException",
        "Password reset required for the user",
    );
    assert!(matches!(e, Error::PasswordResetRequired), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn invalid_password_exception_is_password_policy_with_the_rule() {
    let message = "Password does not conform to policy: Password must have symbol characters";
    let e = map(
        Operation::RespondToAuthChallenge,
        "InvalidPasswordException",
        message,
    );
    match &e {
        Error::PasswordPolicy(service) => {
            assert_eq!(service.code(), "InvalidPasswordException");
            assert_eq!(service.message(), Some(message));
        }
        other => panic!("expected PasswordPolicy, got {other:?}"),
    }
    assert_eq!(e.service_code(), Some("InvalidPasswordException"));
    // The person picks another password and answers the same challenge.
    assert_recovery(&e, Recovery::RetrySameStep);
}

// ---------------------------------------------------------------------------
// TOTP configuration
// ---------------------------------------------------------------------------

#[test]
fn software_token_not_found_at_associate_is_totp_not_enabled_on_pool() {
    let e = map(
        Operation::AssociateSoftwareToken,
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA is not enabled for the user pool.",
    );
    assert!(matches!(e, Error::TotpNotEnabledOnPool), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn software_token_not_found_at_verify_is_totp_not_enabled_on_pool() {
    let e = map(
        Operation::VerifySoftwareToken,
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA is not enabled for the user pool.",
    );
    assert!(matches!(e, Error::TotpNotEnabledOnPool), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn software_token_not_found_at_challenge_is_totp_not_set_up() {
    let e = map(
        Operation::RespondToAuthChallenge,
        "SoftwareTokenMFANotFoundException",
        "Software token MFA not found for the user.",
    );
    assert!(matches!(e, Error::TotpNotSetUp), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn invalid_parameter_token_not_verified_is_totp_not_set_up() {
    let e = map(
        Operation::SetUserMfaPreference,
        "InvalidParameterException",
        "User has not verified software token mfa",
    );
    assert!(matches!(e, Error::TotpNotSetUp), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn invalid_parameter_auth_flow_not_enabled_is_auth_flow_not_enabled() {
    let e = map(
        Operation::InitiateAuth,
        "InvalidParameterException",
        "Auth flow not enabled for this client",
    );
    assert!(matches!(e, Error::AuthFlowNotEnabled), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn invalid_parameter_user_password_flow_not_enabled_is_auth_flow_not_enabled() {
    let e = map(
        Operation::InitiateAuth,
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    );
    assert!(matches!(e, Error::AuthFlowNotEnabled), "{e:?}");
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn other_invalid_parameter_is_service() {
    let message = "1 validation error detected: Value at 'userCode' failed to satisfy \
                   constraint: Member must have length greater than or equal to 6";
    let e = map(
        Operation::VerifySoftwareToken,
        "InvalidParameterException",
        message,
    );
    assert_service(
        &e,
        Operation::VerifySoftwareToken,
        "InvalidParameterException",
        message,
    );
    assert_recovery(&e, Recovery::Fix);
}

// ---------------------------------------------------------------------------
// throttling and service faults
// ---------------------------------------------------------------------------

#[test]
fn too_many_requests_exception_is_throttled_and_retryable() {
    let e = map(
        Operation::InitiateAuth,
        "TooManyRequestsException",
        "Too many requests",
    );
    match &e {
        Error::Throttled(service) => assert_eq!(service.code(), "TooManyRequestsException"),
        other => panic!("expected Throttled, got {other:?}"),
    }
    assert_recovery(&e, Recovery::RetryLater);
    assert!(e.is_retryable());
    assert_eq!(e.service_code(), Some("TooManyRequestsException"));
}

#[test]
fn limit_exceeded_exception_is_throttled_and_retryable() {
    let e = map(
        Operation::SetUserMfaPreference,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
    match &e {
        Error::Throttled(service) => assert_eq!(service.code(), "LimitExceededException"),
        other => panic!("expected Throttled, got {other:?}"),
    }
    assert_recovery(&e, Recovery::RetryLater);
    assert!(e.is_retryable());
}

#[test]
fn resource_not_found_is_service() {
    // moto answers an unknown (or spent) Session with ResourceNotFoundException;
    // real Cognito sends NotAuthorizedException "Invalid session for the user."
    // (mapped to SessionExpired above). The moto answer stays a plain Service
    // error.
    let e = map(
        Operation::RespondToAuthChallenge,
        "ResourceNotFoundException",
        "3b1c1a5e-1f6f-4a47-9c3e-2d0a0f7e9b11",
    );
    assert_service(
        &e,
        Operation::RespondToAuthChallenge,
        "ResourceNotFoundException",
        "3b1c1a5e-1f6f-4a47-9c3e-2d0a0f7e9b11",
    );
    assert_recovery(&e, Recovery::Fix);
}

#[test]
fn internal_error_exception_is_service_and_retryable() {
    let e = map(
        Operation::GetUser,
        "InternalErrorException",
        "Internal server error",
    );
    assert_service(
        &e,
        Operation::GetUser,
        "InternalErrorException",
        "Internal server error",
    );
    assert_recovery(&e, Recovery::RetryLater);
    assert!(e.is_retryable());
}

#[test]
fn unknown_exception_code_is_service() {
    let e = map(
        Operation::DescribeUserPoolClient,
        "SomeBrandNewException",
        "something new happened",
    );
    assert_service(
        &e,
        Operation::DescribeUserPoolClient,
        "SomeBrandNewException",
        "something new happened",
    );
    assert_recovery(&e, Recovery::Fix);
}

/// Mapping on the exception code alone does not depend on the call, except
/// where the notes say it does (SoftwareTokenMFANotFoundException).
#[test]
fn code_only_mappings_are_the_same_on_every_operation() {
    for op in ALL_OPERATIONS {
        assert!(matches!(
            map(op, "CodeMismatchException", "x"),
            Error::CodeMismatch
        ));
        assert!(matches!(
            map(op, "UserNotFoundException", "x"),
            Error::UserNotFound
        ));
        assert!(matches!(
            map(op, "TooManyRequestsException", "x"),
            Error::Throttled(_)
        ));
        let not_found = map(op, "SoftwareTokenMFANotFoundException", "x");
        match op {
            Operation::AssociateSoftwareToken | Operation::VerifySoftwareToken => {
                assert!(matches!(not_found, Error::TotpNotEnabledOnPool), "{op}")
            }
            _ => assert!(matches!(not_found, Error::TotpNotSetUp), "{op}"),
        }
    }
}

// ---------------------------------------------------------------------------
// transport
// ---------------------------------------------------------------------------

#[test]
fn transport_not_sent_is_retryable() {
    let t = TransportError::new(
        TransportKind::NotSent,
        Operation::InitiateAuth,
        "dispatch failure: could not resolve host",
    );
    assert!(!t.may_have_reached_service());
    assert_eq!(t.kind(), TransportKind::NotSent);
    assert_eq!(t.operation(), Operation::InitiateAuth);
    let e = Error::from(t);
    assert!(matches!(e, Error::Transport(_)));
    assert_recovery(&e, Recovery::RetryLater);
    assert!(e.is_retryable());
    assert!(!e.must_restart());
}

#[test]
fn transport_timed_out_must_restart_and_may_have_reached_the_service() {
    let t = TransportError::new(
        TransportKind::TimedOut,
        Operation::RespondToAuthChallenge,
        "operation timed out",
    );
    assert!(t.may_have_reached_service());
    let e = Error::Transport(t);
    // The code may have been spent: never resend it silently.
    assert_recovery(&e, Recovery::Restart);
    assert!(e.must_restart());
    assert!(!e.is_retryable());
    assert!(e.to_string().contains("may have acted on it"), "{e}");
}

#[test]
fn transport_io_and_bad_response_may_have_reached_the_service() {
    for kind in [TransportKind::Io, TransportKind::BadResponse] {
        let t = TransportError::new(kind, Operation::VerifySoftwareToken, "connection reset");
        assert!(t.may_have_reached_service(), "{kind:?}");
        let e = Error::from(t);
        assert_recovery(&e, Recovery::Restart);
    }
}

// ---------------------------------------------------------------------------
// texts hold no secrets
// ---------------------------------------------------------------------------

#[test]
fn display_of_a_refused_user_code_never_contains_the_code() {
    for typed in ["98765", "9876543", "98a765", "987 65", "１２３４５６"] {
        let e = validate::user_code(typed).expect_err(typed);
        let Error::InvalidInput(ref input) = e else {
            panic!("expected InvalidInput, got {e:?}");
        };
        assert_eq!(input.field(), Field::UserCode);
        let display = e.to_string();
        let debug = format!("{e:?}");
        let squeezed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        for shown in [&display, &debug] {
            assert!(!shown.contains(typed), "{typed:?} echoed in {shown:?}");
            assert!(!shown.contains(&squeezed), "{typed:?} echoed in {shown:?}");
        }
        assert!(display.contains("code"), "{display}");
        // A mistyped code is the person's to fix, on the same step.
        assert_recovery(&e, Recovery::RetrySameStep);
    }
}

#[test]
fn invalid_input_other_than_a_code_is_fix() {
    let e = validate::user_pool_id("not a pool").expect_err("bad pool id");
    assert!(matches!(&e, Error::InvalidInput(i) if i.field() == Field::UserPoolId));
    assert_recovery(&e, Recovery::Fix);
    assert!(!e.to_string().contains("not a pool"));
}

#[test]
fn display_texts_hold_only_names_and_the_services_harmless_message() {
    // Every variant's text: non-empty, and none of the secrets a flow holds
    // (the caller's access token, Session, code, TOTP secret) can appear since
    // no variant carries them.
    const CANARIES: [&str; 4] = [ACCESS_TOKEN, SESSION, "493817", "JBSWY3DPEHPK3PXP"];
    let service = |code: &str, message: &str| ServiceError::new(code, message);
    let errors = vec![
        map(
            Operation::InitiateAuth,
            "CodeMismatchException",
            "Invalid code received for user",
        ),
        Error::from_service(
            Operation::VerifySoftwareToken,
            service(
                "ExpiredCodeException",
                "Your software token has already been used once.",
            ),
        ),
        map(
            Operation::RespondToAuthChallenge,
            "NotAuthorizedException",
            "Invalid session for the user.",
        ),
        map(
            Operation::InitiateAuth,
            "NotAuthorizedException",
            "Incorrect username or password.",
        ),
        map(
            Operation::InitiateAuth,
            "NotAuthorizedException",
            "Unable to verify secret hash for client abc",
        ),
        map(
            Operation::GetUser,
            "NotAuthorizedException",
            "Access Token has expired",
        ),
        map(
            Operation::InitiateAuth,
            "NotAuthorizedException",
            "User is disabled.",
        ),
        map(
            Operation::InitiateAuth,
            "UserNotFoundException",
            "User does not exist.",
        ),
        map(
            Operation::InitiateAuth,
            "UserNotConfirmedException",
            "User is not confirmed.",
        ),
        map(
            Operation::InitiateAuth,
            "PasswordResetRequiredException",
            "Password reset required for the user",
        ),
        map(
            Operation::RespondToAuthChallenge,
            "InvalidPasswordException",
            "Password not long enough",
        ),
        map(
            Operation::AssociateSoftwareToken,
            "SoftwareTokenMFANotFoundException",
            "not enabled",
        ),
        map(
            Operation::RespondToAuthChallenge,
            "SoftwareTokenMFANotFoundException",
            "not found",
        ),
        map(
            Operation::InitiateAuth,
            "InvalidParameterException",
            "Auth flow not enabled for this client",
        ),
        map(
            Operation::InitiateAuth,
            "TooManyRequestsException",
            "Too many requests",
        ),
        map(
            Operation::GetUser,
            "InternalErrorException",
            "Internal server error",
        ),
        Error::FederatedUser,
        Error::Transport(TransportError::new(
            TransportKind::TimedOut,
            Operation::RespondToAuthChallenge,
            "operation timed out",
        )),
    ];
    for e in &errors {
        let display = e.to_string();
        let debug = format!("{e:?}");
        assert!(!display.is_empty(), "{debug}");
        for canary in CANARIES {
            assert!(!display.contains(canary), "{canary} in {display:?}");
            assert!(!debug.contains(canary), "{canary} in {debug:?}");
        }
    }
    // Plain words an app can show.
    assert_eq!(
        errors[2].to_string(),
        "the session has expired or was already used; restart the sign-in"
    );
    assert_eq!(errors[3].to_string(), "incorrect user name or password");
    assert!(errors[0].to_string().contains("ask for it again"));
    assert!(errors[1].to_string().contains("already used"));
}

// ---------------------------------------------------------------------------
// end to end: a mocked backend returns the error, the flow hands it over
// ---------------------------------------------------------------------------

#[tokio::test]
async fn end_to_end_associate_software_token_not_found_is_totp_not_enabled_on_pool() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| {
            Err(Error::from_service(
                Operation::AssociateSoftwareToken,
                ServiceError::new(
                    "SoftwareTokenMFANotFoundException",
                    "Software Token MFA is not enabled for the user pool.",
                ),
            ))
        });
    mock.expect_verify_software_token().never();
    mock.expect_set_user_mfa_preference().never();
    let err = MfaEnrollment::new("Example")
        .account_name("alice")
        .start_with_access_token(&mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect_err("TOTP off on the pool");
    assert!(matches!(err, Error::TotpNotEnabledOnPool), "{err:?}");
    assert_recovery(&err, Recovery::Fix);
}

#[tokio::test]
async fn end_to_end_verify_expired_code_is_code_already_used_with_the_enrollment_back() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| {
            Ok(AssociatedSoftwareToken::new(
                TotpSecret::new("JBSWY3DPEHPK3PXP"),
                None,
            ))
        });
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| {
            Err(Error::from_service(
                Operation::VerifySoftwareToken,
                ServiceError::new(
                    "ExpiredCodeException",
                    "Your software token has already been used once.",
                ),
            ))
        });
    mock.expect_set_user_mfa_preference().never();
    let pending = MfaEnrollment::new("Example")
        .account_name("alice")
        .start_with_access_token(&mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect("associated");
    let rejected = pending
        .verify(&mock, "493817")
        .await
        .expect_err("code already used");
    assert!(
        matches!(rejected.error(), Error::CodeAlreadyUsed),
        "{rejected:?}"
    );
    assert_recovery(rejected.error(), Recovery::WaitForNextCode);
    assert!(!rejected.to_string().contains("493817"));
    assert!(!format!("{rejected:?}").contains("493817"));
    assert!(rejected.retry().is_some(), "the enrollment comes back");
}

#[tokio::test]
async fn end_to_end_get_user_access_token_expired_is_access_token_rejected() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .returning(|_user| {
            Err(Error::from_service(
                Operation::GetUser,
                ServiceError::new("NotAuthorizedException", "Access Token has expired"),
            ))
        });
    let err = admin::mfa_status(&mock, &AccessToken::new(ACCESS_TOKEN))
        .await
        .expect_err("token expired");
    assert!(matches!(err, Error::AccessTokenRejected), "{err:?}");
    assert!(err.must_restart());
}

#[tokio::test]
async fn end_to_end_preference_before_verification_is_totp_not_set_up() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .returning(|_user| {
            Ok({
                let mut v = UserMfaSettings::new("alice");
                v.enabled = vec![];
                v.preferred = None;
                v.status = Some(UserStatus::Confirmed);
                v.account_enabled = Some(true);
                v
            })
        });
    mock.expect_set_user_mfa_preference()
        .times(1)
        .withf(|user, update| {
            matches!(user, UserTarget::Admin { username, .. } if username == "alice")
                && *update == {
                    let mut v = MfaPreferenceUpdate::new();
                    v.software_token = Some(FactorPreference {
                        enabled: true,
                        preferred: true,
                    });
                    v
                }
        })
        .returning(|_user, _update| {
            Err(Error::from_service(
                Operation::SetUserMfaPreference,
                ServiceError::new(
                    "InvalidParameterException",
                    "User has not verified software token mfa",
                ),
            ))
        });
    let err = admin::admin_set_totp_preference(
        &mock,
        POOL,
        "alice",
        FactorPreference {
            enabled: true,
            preferred: true,
        },
    )
    .await
    .expect_err("not verified");
    assert!(matches!(err, Error::TotpNotSetUp), "{err:?}");
}

#[tokio::test]
async fn end_to_end_throttled_preflight_is_retryable() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_pool_mfa_config()
        .times(1)
        .returning(|_pool| {
            Err(Error::from_service(
                Operation::GetUserPoolMfaConfig,
                ServiceError::new("TooManyRequestsException", "Rate exceeded")
                    .with_request_id("req-1"),
            ))
        });
    mock.expect_describe_user_pool_client().never();
    let err = preflight::check(&mock, POOL, CLIENT, &[AuthFlow::UserPassword])
        .await
        .expect_err("throttled");
    assert!(matches!(&err, Error::Throttled(s) if s.request_id() == Some("req-1")));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn end_to_end_sign_in_wrong_password_is_wrong_credentials() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth().times(1).returning(|_request| {
        Err(Error::from_service(
            Operation::InitiateAuth,
            ServiceError::new("NotAuthorizedException", "Incorrect username or password."),
        ))
    });
    let sign_in = SignIn::public(mock, CLIENT).build().expect("valid config");
    let err = sign_in
        .password("alice", &Password::new("hunter2-canary"))
        .await
        .expect_err("wrong password");
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    assert!(!err.to_string().contains("hunter2-canary"));
}

/// A TOTP challenge resumed from its parts, answered against a mock whose
/// RespondToAuthChallenge fails with `error`.
async fn answer_totp_challenge_failing_with(code: &str, message: &str) -> (Error, bool) {
    let (code, message) = (code.to_owned(), message.to_owned());
    let mut mock = MockCognitoBackend::new();
    mock.expect_respond_to_auth_challenge()
        .times(1)
        .withf(|request| {
            request.challenge == ChallengeName::SoftwareTokenMfa
                && request.session.as_ref().map(|s| s.expose_secret()) == Some(SESSION)
                && request.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some("493817")
        })
        .returning(move |_request| -> Result<AuthResponse, Error> {
            Err(Error::from_service(
                Operation::RespondToAuthChallenge,
                ServiceError::new(code.clone(), message.clone()),
            ))
        });
    let sign_in = SignIn::public(mock, CLIENT).build().expect("valid config");
    let step = sign_in
        .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(SESSION), "alice")
        .expect("valid parts");
    let SignInStep::TotpRequired(challenge) = step else {
        panic!("expected a TOTP challenge, got {step:?}");
    };
    let rejected = challenge
        .answer(&sign_in, "493 817")
        .await
        .expect_err("service error");
    let (error, retry) = rejected.into_parts();
    (error, retry.is_some())
}

#[tokio::test]
async fn end_to_end_sign_in_code_mismatch_hands_the_challenge_back() {
    let (err, retry) = answer_totp_challenge_failing_with(
        "CodeMismatchException",
        "Invalid code received for user",
    )
    .await;
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
    assert!(retry);
}

#[tokio::test]
async fn end_to_end_sign_in_software_token_not_found_is_totp_not_set_up() {
    let (err, retry) = answer_totp_challenge_failing_with(
        "SoftwareTokenMFANotFoundException",
        "Software token MFA not found for the user.",
    )
    .await;
    assert!(matches!(err, Error::TotpNotSetUp), "{err:?}");
    assert!(!retry);
}

#[tokio::test]
async fn end_to_end_sign_in_invalid_session_must_restart() {
    let (err, retry) = answer_totp_challenge_failing_with(
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )
    .await;
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
    assert!(err.must_restart());
    assert!(!retry);
}

#[tokio::test]
async fn end_to_end_verify_with_session_token_auth_is_passed_through() {
    // The Session path: a spent Session at VerifySoftwareToken.
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| {
            Ok(AssociatedSoftwareToken::new(
                TotpSecret::new("JBSWY3DPEHPK3PXP"),
                Some(Session::new("AYABeSession-two-0123456789abcdef")),
            ))
        });
    mock.expect_verify_software_token()
        .times(1)
        .withf(|auth, _code, _name| matches!(auth, TokenAuth::Session(_)))
        .returning(|_auth, _code, _name| {
            Err(Error::from_service(
                Operation::VerifySoftwareToken,
                ServiceError::new("NotAuthorizedException", "Invalid session for the user."),
            ))
        });
    let pending = MfaEnrollment::new("Example")
        .start_with_session(&mock, Session::new(SESSION), "alice")
        .await
        .expect("associated");
    let rejected = pending.verify(&mock, "493817").await.expect_err("spent");
    assert!(matches!(rejected.error(), Error::SessionExpired));
    assert!(
        rejected.retry().is_none(),
        "a spent Session can't be retried"
    );
}

#[test]
fn not_authorized_password_attempts_exceeded_is_a_throttle() {
    // Cognito's lockout after repeated wrong passwords lifts by itself.
    let e = Error::from_service(
        Operation::InitiateAuth,
        ServiceError::new("NotAuthorizedException", "Password attempts exceeded"),
    );
    assert!(matches!(e, Error::Throttled(_)), "{e:?}");
    assert_recovery(&e, Recovery::RetryLater);
    assert!(e.is_retryable());
}
