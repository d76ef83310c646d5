//! TOTP enrollment against a `MockCognitoBackend`: every call the flow makes
//! (or must not make) is an expectation, so each test shows exactly which
//! Cognito calls happen, with which arguments, and what the caller gets back
//! on every error path of AssociateSoftwareToken, VerifySoftwareToken and the
//! preference calls.
#![cfg(feature = "mock")]

use cognito_mfa::backend::{
    AssociatedSoftwareToken, FactorPreference, MfaPreferenceUpdate, TokenAuth, UserMfaSettings,
    UserStatus, UserTarget, VerifiedSoftwareToken, VerifyStatus,
};
use cognito_mfa::{
    AccessToken, AfterVerify, Enrolled, Error, Field, MfaEnrollment, MockCognitoBackend, Operation,
    PendingEnrollment, Recovery, Rejected, ServiceError, Session, TotpSecret, TransportError,
    TransportKind,
};
use mockall::Sequence;

// ---------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------

const SECRET: &str = "JBSWY3DPEHPK3PXP";
const ACCESS_TOKEN: &str = "eyJraWQiOi.access-token-canary.sig";
const SESSION_1: &str = "AYABe-session-one-canary-0123456789";
const SESSION_2: &str = "AYABe-session-two-canary-0123456789";
const SESSION_3: &str = "AYABe-session-three-canary-01234567";
const POOL: &str = "us-east-1_AbC123";
const ISSUER: &str = "Example Corp";
const DEVICE: &str = "Alice's phone";

/// The otpauth URI of [`SECRET`] for `ISSUER` and `account` (already
/// percent-encoded).
fn golden_uri(encoded_account: &str) -> String {
    format!(
        "otpauth://totp/Example%20Corp:{encoded_account}?secret=JBSWY3DPEHPK3PXP\
         &issuer=Example%20Corp&algorithm=SHA1&digits=6&period=30"
    )
}

fn prefer_totp() -> FactorPreference {
    FactorPreference {
        enabled: true,
        preferred: true,
    }
}

fn totp_update(preference: FactorPreference) -> MfaPreferenceUpdate {
    {
        let mut v = MfaPreferenceUpdate::new();
        v.software_token = Some(preference);
        v.sms = None;
        v.email = None;
        v
    }
}

fn service(operation: Operation, code: &str, message: &str) -> Error {
    Error::from_service(operation, ServiceError::new(code, message))
}

fn associated(session: Option<&str>) -> AssociatedSoftwareToken {
    AssociatedSoftwareToken::new(TotpSecret::new(SECRET), session.map(Session::new))
}

fn verified(status: VerifyStatus, session: Option<&str>) -> VerifiedSoftwareToken {
    VerifiedSoftwareToken::new(status, session.map(Session::new))
}

fn settings(username: &str, status: Option<UserStatus>) -> UserMfaSettings {
    {
        let mut v = UserMfaSettings::new(username.to_owned());
        v.enabled = vec![];
        v.preferred = None;
        v.status = status;
        v.account_enabled = Some(true);
        v
    }
}

fn is_access_token(auth: &TokenAuth) -> bool {
    matches!(auth, TokenAuth::AccessToken(t) if t.expose_secret() == ACCESS_TOKEN)
}

fn is_session(auth: &TokenAuth, expected: &str) -> bool {
    matches!(auth, TokenAuth::Session(s) if s.expose_secret() == expected)
}

fn is_admin_target(user: &UserTarget, pool: &str, name: &str) -> bool {
    matches!(
        user,
        UserTarget::Admin { user_pool_id, username } if user_pool_id == pool && username == name
    )
}

fn is_token_target(user: &UserTarget) -> bool {
    matches!(user, UserTarget::AccessToken(t) if t.expose_secret() == ACCESS_TOKEN)
}

/// A mock that associates by access token once.
fn mock_associating() -> MockCognitoBackend {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .withf(is_access_token)
        .returning(|_auth| Ok(associated(None)));
    mock
}

/// Expects no call at all.
fn mock_without_calls() -> MockCognitoBackend {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token().never();
    mock.expect_verify_software_token().never();
    mock.expect_set_user_mfa_preference().never();
    mock.expect_get_user_mfa_settings().never();
    mock
}

/// A self-service enrollment with a known account name (no GetUser).
fn enrollment() -> MfaEnrollment {
    MfaEnrollment::new(ISSUER)
        .account_name("alice@example.com")
        .device_name(DEVICE)
}

async fn start(mock: &MockCognitoBackend) -> PendingEnrollment {
    enrollment()
        .start_with_access_token(mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect("associated")
}

async fn start_err(mock: &MockCognitoBackend, enrollment: MfaEnrollment) -> Error {
    enrollment
        .start_with_access_token(mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect_err("refused")
}

#[track_caller]
fn assert_invalid(error: &Error, field: Field) {
    match error {
        Error::InvalidInput(input) => assert_eq!(input.field(), field, "{error}"),
        other => panic!("expected InvalidInput({field:?}), got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// happy paths
// ---------------------------------------------------------------------------

#[tokio::test]
async fn access_token_enrollment_associates_verifies_and_prefers_totp() {
    let mut seq = Sequence::new();
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings().never();
    mock.expect_associate_software_token()
        .times(1)
        .in_sequence(&mut seq)
        .withf(is_access_token)
        .returning(|_auth| Ok(associated(None)));
    mock.expect_verify_software_token()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|auth, code, name| {
            is_access_token(auth)
                && code.expose_secret() == "123456"
                && name.as_deref() == Some(DEVICE)
        })
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|user, update| is_token_target(user) && *update == totp_update(prefer_totp()))
        .returning(|_user, _update| Ok(()));

    let pending = start(&mock).await;
    assert_eq!(pending.uri(), golden_uri("alice%40example.com"));
    // People type codes with a space in the middle: it is taken out.
    let enrolled = pending.verify(&mock, "123 456").await.expect("enrolled");
    assert_eq!(enrolled.preference_applied(), Some(prefer_totp()));
    assert!(enrolled.totp_enabled());
    assert!(enrolled.totp_preferred());
    assert_eq!(enrolled.device_name(), Some(DEVICE));
    assert!(enrolled.session().is_none());
    assert!(enrolled.into_session().is_none());
}

#[tokio::test]
async fn enable_only_enables_without_preferring() {
    let mut mock = mock_associating();
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    let enable_only = FactorPreference {
        enabled: true,
        preferred: false,
    };
    mock.expect_set_user_mfa_preference()
        .times(1)
        .withf(move |user, update| is_token_target(user) && *update == totp_update(enable_only))
        .returning(|_user, _update| Ok(()));
    let pending = enrollment()
        .after_verify(AfterVerify::EnableOnly)
        .start_with_access_token(&mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect("associated");
    let enrolled = pending.verify(&mock, "123456").await.expect("enrolled");
    assert_eq!(enrolled.preference_applied(), Some(enable_only));
    assert!(enrolled.totp_enabled());
    assert!(!enrolled.totp_preferred());
}

#[tokio::test]
async fn leave_preference_makes_no_preference_call() {
    let mut mock = mock_associating();
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    mock.expect_set_user_mfa_preference().never();
    let pending = enrollment()
        .after_verify(AfterVerify::LeavePreference)
        .start_with_access_token(&mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect("associated");
    let enrolled = pending.verify(&mock, "123456").await.expect("enrolled");
    assert_eq!(enrolled.preference_applied(), None);
    assert!(!enrolled.totp_enabled());
    assert!(!enrolled.totp_preferred());
}

#[test]
fn after_verify_defaults_to_enable_and_prefer() {
    assert_eq!(AfterVerify::default(), AfterVerify::EnableAndPrefer);
}

#[tokio::test]
async fn admin_preference_looks_the_user_up_first_and_sets_it_as_admin() {
    let mut seq = Sequence::new();
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|user| is_admin_target(user, POOL, "alice@example.com"))
        .returning(|_user| Ok(settings("3f1c9a4e-canonical", Some(UserStatus::Confirmed))));
    mock.expect_associate_software_token()
        .times(1)
        .in_sequence(&mut seq)
        .withf(is_access_token)
        .returning(|_auth| Ok(associated(None)));
    mock.expect_verify_software_token()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|auth, code, _name| is_access_token(auth) && code.expose_secret() == "654321")
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|user, update| {
            is_admin_target(user, POOL, "alice@example.com")
                && *update == totp_update(prefer_totp())
        })
        .returning(|_user, _update| Ok(()));

    let pending = MfaEnrollment::new(ISSUER)
        .admin_preference(POOL, "alice@example.com")
        .start_with_access_token(&mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect("associated");
    // Without an account name, the admin lookup's canonical name labels the entry.
    assert_eq!(pending.account_name(), "3f1c9a4e-canonical");
    assert_eq!(pending.uri(), golden_uri("3f1c9a4e-canonical"));
    let enrolled = pending.verify(&mock, "654321").await.expect("enrolled");
    assert!(enrolled.totp_preferred());
}

#[tokio::test]
async fn admin_preference_refuses_a_federated_user_before_associating() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .withf(|user| is_admin_target(user, POOL, "Google_1234567890"))
        .returning(|_user| {
            Ok(settings(
                "Google_1234567890",
                Some(UserStatus::ExternalProvider),
            ))
        });
    mock.expect_associate_software_token().never();
    mock.expect_verify_software_token().never();
    mock.expect_set_user_mfa_preference().never();
    let err = start_err(
        &mock,
        MfaEnrollment::new(ISSUER).admin_preference(POOL, "Google_1234567890"),
    )
    .await;
    assert!(matches!(err, Error::FederatedUser), "{err:?}");
    assert_eq!(err.recovery(), Recovery::Fix);
}

#[tokio::test]
async fn without_account_name_get_user_names_the_entry() {
    let mut seq = Sequence::new();
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .in_sequence(&mut seq)
        .withf(is_token_target)
        .returning(|_user| Ok(settings("alice", None)));
    mock.expect_associate_software_token()
        .times(1)
        .in_sequence(&mut seq)
        .withf(is_access_token)
        .returning(|_auth| Ok(associated(None)));
    let pending = MfaEnrollment::new(ISSUER)
        .start_with_access_token(&mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect("associated");
    assert_eq!(pending.account_name(), "alice");
    assert_eq!(pending.uri(), golden_uri("alice"));
}

#[tokio::test]
async fn with_account_name_no_get_user_is_made() {
    let mut mock = mock_associating();
    mock.expect_get_user_mfa_settings().never();
    let pending = MfaEnrollment::new(ISSUER)
        .account_name("alice@example.com")
        .start_with_access_token(&mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect("associated");
    assert_eq!(pending.account_name(), "alice@example.com");
}

#[tokio::test]
async fn get_user_name_with_a_colon_is_refused_before_associating() {
    // The default account name comes from the service and is checked too.
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .returning(|_user| Ok(settings("odd:name", None)));
    mock.expect_associate_software_token().never();
    let err = start_err(&mock, MfaEnrollment::new(ISSUER)).await;
    assert_invalid(&err, Field::AccountName);
}

#[tokio::test]
async fn get_user_failure_stops_the_enrollment() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .returning(|_user| {
            Err(service(
                Operation::GetUser,
                "NotAuthorizedException",
                "Access Token has been revoked",
            ))
        });
    mock.expect_associate_software_token().never();
    let err = start_err(&mock, MfaEnrollment::new(ISSUER)).await;
    assert!(matches!(err, Error::AccessTokenRejected), "{err:?}");
}

#[tokio::test]
async fn session_enrollment_chains_the_new_sessions_and_sets_no_preference() {
    let mut seq = Sequence::new();
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings().never();
    mock.expect_set_user_mfa_preference().never();
    mock.expect_associate_software_token()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|auth| is_session(auth, SESSION_1))
        .returning(|_auth| Ok(associated(Some(SESSION_2))));
    mock.expect_verify_software_token()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|auth, code, name| {
            // Associate's NEW Session, not the one the enrollment started with.
            is_session(auth, SESSION_2)
                && code.expose_secret() == "246810"
                && name.as_deref() == Some(DEVICE)
        })
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, Some(SESSION_3))));

    let pending = MfaEnrollment::new(ISSUER)
        .device_name(DEVICE)
        .start_with_session(&mock, Session::new(SESSION_1), "alice")
        .await
        .expect("associated");
    assert_eq!(pending.account_name(), "alice");
    assert_eq!(pending.uri(), golden_uri("alice"));
    let enrolled = pending.verify(&mock, "246810").await.expect("enrolled");
    assert_eq!(
        enrolled.session().map(Session::expose_secret),
        Some(SESSION_3),
        "the Session that answers MFA_SETUP is verify's"
    );
    assert_eq!(enrolled.preference_applied(), None);
    assert!(!enrolled.totp_enabled());
    assert_eq!(
        enrolled
            .into_session()
            .map(|s| s.expose_secret().to_owned()),
        Some(SESSION_3.to_owned())
    );
}

#[tokio::test]
async fn session_enrollment_with_admin_preference_sets_it_as_admin() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .withf(|user| is_admin_target(user, POOL, "alice"))
        .returning(|_user| Ok(settings("alice", Some(UserStatus::Confirmed))));
    mock.expect_associate_software_token()
        .times(1)
        .withf(|auth| is_session(auth, SESSION_1))
        .returning(|_auth| Ok(associated(Some(SESSION_2))));
    mock.expect_verify_software_token()
        .times(1)
        .withf(|auth, _code, _name| is_session(auth, SESSION_2))
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, Some(SESSION_3))));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .withf(|user, update| {
            is_admin_target(user, POOL, "alice") && *update == totp_update(prefer_totp())
        })
        .returning(|_user, _update| Ok(()));
    let pending = MfaEnrollment::new(ISSUER)
        .admin_preference(POOL, "alice")
        .start_with_session(&mock, Session::new(SESSION_1), "alice")
        .await
        .expect("associated");
    let enrolled = pending.verify(&mock, "246810").await.expect("enrolled");
    assert!(enrolled.totp_preferred());
    assert_eq!(
        enrolled.session().map(Session::expose_secret),
        Some(SESSION_3)
    );
}

#[tokio::test]
async fn pending_enrollment_shows_the_secret_uri_and_setup_key() {
    let mock = mock_associating();
    let pending = start(&mock).await;
    assert_eq!(pending.secret().expose_secret(), SECRET);
    assert_eq!(
        pending.uri(),
        "otpauth://totp/Example%20Corp:alice%40example.com?secret=JBSWY3DPEHPK3PXP\
         &issuer=Example%20Corp&algorithm=SHA1&digits=6&period=30"
    );
    assert_eq!(pending.setup_key(), "JBSW Y3DP EHPK 3PXP");
    assert_eq!(pending.issuer(), ISSUER);
    assert_eq!(pending.account_name(), "alice@example.com");
}

#[tokio::test]
async fn lowercase_unpadded_secret_as_moto_sends_it_is_accepted() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| {
            Ok(AssociatedSoftwareToken::new(
                TotpSecret::new("asdfasdfasdf"),
                None,
            ))
        });
    let pending = start(&mock).await;
    assert_eq!(pending.secret().expose_secret(), "asdfasdfasdf");
    assert!(
        pending.uri().contains("secret=ASDFASDFASDF&"),
        "{}",
        pending.uri()
    );
}

// ---------------------------------------------------------------------------
// malformed codes: refused locally, no call, the enrollment handed back
// ---------------------------------------------------------------------------

#[tokio::test]
async fn malformed_codes_are_refused_without_a_call() {
    for code in ["12345", "1234567", "12a456", "abcdef", "", "   ", "١٢٣٤٥٦"] {
        let mut mock = mock_associating();
        mock.expect_verify_software_token().never();
        mock.expect_set_user_mfa_preference().never();
        let pending = start(&mock).await;
        let rejected = pending.verify(&mock, code).await.expect_err(code);
        assert_invalid(rejected.error(), Field::UserCode);
        assert!(rejected.error().can_retry_challenge(), "{code:?}");
        assert_eq!(rejected.error().recovery(), Recovery::RetrySameStep);
        if !code.trim().is_empty() {
            assert!(
                !rejected.to_string().contains(code),
                "{code:?} echoed: {rejected}"
            );
        }
        let pending = rejected.retry().expect("the enrollment comes back");
        assert_eq!(pending.secret().expose_secret(), SECRET);
    }
}

#[tokio::test]
async fn after_malformed_codes_the_same_enrollment_verifies_with_one_call() {
    let mut mock = mock_associating();
    // Exactly one VerifySoftwareToken, with the good code: the bad ones never
    // reached the backend.
    mock.expect_verify_software_token()
        .times(1)
        .withf(|auth, code, _name| is_access_token(auth) && code.expose_secret() == "123456")
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .returning(|_user, _update| Ok(()));
    let mut pending = start(&mock).await;
    for code in ["12345", "1234567", "12a456", ""] {
        let rejected = pending.verify(&mock, code).await.expect_err(code);
        assert_invalid(rejected.error(), Field::UserCode);
        pending = rejected.retry().expect("the enrollment comes back");
    }
    let enrolled = pending.verify(&mock, "123456").await.expect("enrolled");
    assert!(enrolled.totp_preferred());
}

// ---------------------------------------------------------------------------
// VerifySoftwareToken error paths
// ---------------------------------------------------------------------------

#[tokio::test]
async fn wrong_code_hands_the_enrollment_back_and_a_second_try_succeeds() {
    let mut mock = mock_associating(); // associate exactly once
    mock.expect_verify_software_token()
        .times(1)
        .withf(|_auth, code, _name| code.expose_secret() == "111111")
        .returning(|_auth, _code, _name| {
            Err(service(
                Operation::VerifySoftwareToken,
                "EnableSoftwareTokenMFAException",
                "Code mismatch and fail enable Software Token MFA",
            ))
        });
    mock.expect_verify_software_token()
        .times(1)
        .withf(|auth, code, name| {
            is_access_token(auth)
                && code.expose_secret() == "222222"
                && name.as_deref() == Some(DEVICE)
        })
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .withf(|user, update| is_token_target(user) && *update == totp_update(prefer_totp()))
        .returning(|_user, _update| Ok(()));

    let pending = start(&mock).await;
    let rejected = pending.verify(&mock, "111111").await.expect_err("wrong");
    assert!(
        matches!(rejected.error(), Error::CodeMismatch),
        "{rejected:?}"
    );
    assert_eq!(rejected.error().recovery(), Recovery::RetrySameStep);
    let pending = rejected.retry().expect("the enrollment comes back");
    let enrolled = pending.verify(&mock, "222222").await.expect("enrolled");
    assert!(enrolled.totp_preferred());
}

#[tokio::test]
async fn verify_status_error_is_code_mismatch_with_retry() {
    let mut mock = mock_associating();
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Error, None)));
    mock.expect_set_user_mfa_preference().never();
    let pending = start(&mock).await;
    let (error, retry) = pending
        .verify(&mock, "123456")
        .await
        .expect_err("status ERROR")
        .into_parts();
    assert!(matches!(error, Error::CodeMismatch), "{error:?}");
    assert!(retry.is_some());
}

#[tokio::test]
async fn expired_code_is_code_already_used_with_retry() {
    let mut mock = mock_associating();
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| {
            Err(service(
                Operation::VerifySoftwareToken,
                "ExpiredCodeException",
                "Your software token has already been used once.",
            ))
        });
    mock.expect_set_user_mfa_preference().never();
    let pending = start(&mock).await;
    let (error, retry) = pending
        .verify(&mock, "123456")
        .await
        .expect_err("used")
        .into_parts();
    assert!(matches!(error, Error::CodeAlreadyUsed), "{error:?}");
    assert_eq!(error.recovery(), Recovery::WaitForNextCode);
    assert!(retry.is_some());
}

#[tokio::test]
async fn software_token_not_found_at_associate_is_totp_not_enabled_on_pool() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| {
            Err(service(
                Operation::AssociateSoftwareToken,
                "SoftwareTokenMFANotFoundException",
                "Software Token MFA is not enabled for the user pool.",
            ))
        });
    mock.expect_verify_software_token().never();
    mock.expect_set_user_mfa_preference().never();
    let err = start_err(&mock, enrollment()).await;
    assert!(matches!(err, Error::TotpNotEnabledOnPool), "{err:?}");
}

#[tokio::test]
async fn software_token_not_found_at_verify_is_totp_not_enabled_on_pool() {
    let mut mock = mock_associating();
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| {
            Err(service(
                Operation::VerifySoftwareToken,
                "SoftwareTokenMFANotFoundException",
                "Software Token MFA is not enabled for the user pool.",
            ))
        });
    mock.expect_set_user_mfa_preference().never();
    let pending = start(&mock).await;
    let (error, retry) = pending
        .verify(&mock, "123456")
        .await
        .expect_err("not enabled")
        .into_parts();
    assert!(matches!(error, Error::TotpNotEnabledOnPool), "{error:?}");
    assert!(retry.is_none(), "a pool setting can't be fixed by retyping");
}

#[tokio::test]
async fn invalid_session_at_verify_is_session_expired_without_retry() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .withf(|auth| is_session(auth, SESSION_1))
        .returning(|_auth| Ok(associated(Some(SESSION_2))));
    mock.expect_verify_software_token()
        .times(1)
        .withf(|auth, _code, _name| is_session(auth, SESSION_2))
        .returning(|_auth, _code, _name| {
            Err(service(
                Operation::VerifySoftwareToken,
                "NotAuthorizedException",
                "Invalid session for the user, session is expired.",
            ))
        });
    mock.expect_set_user_mfa_preference().never();
    let pending = MfaEnrollment::new(ISSUER)
        .start_with_session(&mock, Session::new(SESSION_1), "alice")
        .await
        .expect("associated");
    let (error, retry) = pending
        .verify(&mock, "123456")
        .await
        .expect_err("expired")
        .into_parts();
    assert!(matches!(error, Error::SessionExpired), "{error:?}");
    assert!(error.must_restart());
    assert!(retry.is_none());
}

#[tokio::test]
async fn session_associate_without_a_new_session_is_an_unexpected_response() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| Ok(associated(None)));
    mock.expect_verify_software_token().never();
    let err = MfaEnrollment::new(ISSUER)
        .start_with_session(&mock, Session::new(SESSION_1), "alice")
        .await
        .expect_err("no Session");
    assert!(
        matches!(
            err,
            Error::UnexpectedResponse {
                operation: Operation::AssociateSoftwareToken,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn session_verify_without_a_new_session_is_an_unexpected_response() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| Ok(associated(Some(SESSION_2))));
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    let pending = MfaEnrollment::new(ISSUER)
        .start_with_session(&mock, Session::new(SESSION_1), "alice")
        .await
        .expect("associated");
    let (error, retry) = pending
        .verify(&mock, "123456")
        .await
        .expect_err("no Session")
        .into_parts();
    assert!(
        matches!(
            error,
            Error::UnexpectedResponse {
                operation: Operation::VerifySoftwareToken,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(retry.is_none());
}

#[tokio::test]
async fn short_session_is_refused_before_associating() {
    let mock = mock_without_calls();
    let err = MfaEnrollment::new(ISSUER)
        .start_with_session(&mock, Session::new("too-short"), "alice")
        .await
        .expect_err("short Session");
    assert_invalid(&err, Field::Session);
}

#[tokio::test]
async fn access_token_rejected_at_associate() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| {
            Err(service(
                Operation::AssociateSoftwareToken,
                "NotAuthorizedException",
                "Invalid Access Token",
            ))
        });
    mock.expect_verify_software_token().never();
    let err = start_err(&mock, enrollment()).await;
    assert!(matches!(err, Error::AccessTokenRejected), "{err:?}");
    assert!(err.must_restart());
}

#[tokio::test]
async fn throttled_associate_is_retryable() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| {
            Err(service(
                Operation::AssociateSoftwareToken,
                "TooManyRequestsException",
                "Rate exceeded",
            ))
        });
    let err = start_err(&mock, enrollment()).await;
    assert!(matches!(err, Error::Throttled(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn timed_out_verify_is_not_handed_back() {
    // The code may have been spent: the caller must start over, never resend.
    let mut mock = mock_associating();
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| {
            Err(Error::Transport(TransportError::new(
                TransportKind::TimedOut,
                Operation::VerifySoftwareToken,
                "operation timed out",
            )))
        });
    mock.expect_set_user_mfa_preference().never();
    let pending = start(&mock).await;
    let (error, retry) = pending
        .verify(&mock, "123456")
        .await
        .expect_err("timed out")
        .into_parts();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.must_restart());
    assert!(retry.is_none());
}

// ---------------------------------------------------------------------------
// preference call error paths
// ---------------------------------------------------------------------------

#[tokio::test]
async fn preference_before_verification_is_totp_not_set_up_without_retry() {
    let mut mock = mock_associating();
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .returning(|_user, _update| {
            Err(service(
                Operation::SetUserMfaPreference,
                "InvalidParameterException",
                "User has not verified software token mfa",
            ))
        });
    let pending = start(&mock).await;
    let (error, retry) = pending
        .verify(&mock, "123456")
        .await
        .expect_err("preference failed")
        .into_parts();
    assert!(matches!(error, Error::TotpNotSetUp), "{error:?}");
    assert!(retry.is_none(), "the token is verified: no second verify");
}

#[tokio::test]
async fn throttled_preference_is_throttled() {
    let mut mock = mock_associating();
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .returning(|_user, _update| {
            Err(service(
                Operation::SetUserMfaPreference,
                "TooManyRequestsException",
                "Rate exceeded",
            ))
        });
    let pending = start(&mock).await;
    let (error, retry) = pending
        .verify(&mock, "123456")
        .await
        .expect_err("throttled")
        .into_parts();
    assert!(
        matches!(&error, Error::Throttled(s) if s.code() == "TooManyRequestsException"),
        "{error:?}"
    );
    assert!(error.is_retryable());
    // The token is verified; the preference is set later through `admin`.
    assert!(retry.is_none());
}

#[tokio::test]
async fn admin_preference_access_denied_is_a_service_error() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .returning(|_user| Ok(settings("alice", Some(UserStatus::Confirmed))));
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| Ok(associated(None)));
    mock.expect_verify_software_token()
        .times(1)
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, None)));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .returning(|_user, _update| {
            Err(service(
                Operation::SetUserMfaPreference,
                "AccessDeniedException",
                "User is not authorized to perform: cognito-idp:AdminSetUserMFAPreference",
            ))
        });
    let pending = MfaEnrollment::new(ISSUER)
        .admin_preference(POOL, "alice")
        .start_with_access_token(&mock, AccessToken::new(ACCESS_TOKEN))
        .await
        .expect("associated");
    let err = pending
        .verify(&mock, "123456")
        .await
        .expect_err("denied")
        .into_error();
    assert_eq!(err.service_code(), Some("AccessDeniedException"));
    assert_eq!(err.recovery(), Recovery::Fix);
}

// ---------------------------------------------------------------------------
// options refused before any call
// ---------------------------------------------------------------------------

#[tokio::test]
async fn issuer_with_a_colon_or_empty_is_refused_before_any_call() {
    for issuer in ["Example:Corp", "", "   "] {
        let mock = mock_without_calls();
        let err = start_err(&mock, MfaEnrollment::new(issuer).account_name("alice")).await;
        assert_invalid(&err, Field::Issuer);
        // Also on the Session path.
        let err = MfaEnrollment::new(issuer)
            .start_with_session(&mock, Session::new(SESSION_1), "alice")
            .await
            .expect_err("bad issuer");
        assert_invalid(&err, Field::Issuer);
    }
}

#[tokio::test]
async fn account_name_with_a_colon_is_refused_before_any_call() {
    let mock = mock_without_calls();
    let err = start_err(&mock, MfaEnrollment::new(ISSUER).account_name("alice:work")).await;
    assert_invalid(&err, Field::AccountName);
    // Even with an admin target, no AdminGetUser is made first.
    let err = start_err(
        &mock,
        MfaEnrollment::new(ISSUER)
            .account_name("alice:work")
            .admin_preference(POOL, "alice"),
    )
    .await;
    assert_invalid(&err, Field::AccountName);
}

#[tokio::test]
async fn bad_device_name_is_refused_before_any_call() {
    for name in ["Alice's\u{7}phone", "line\nbreak", ""] {
        let mock = mock_without_calls();
        let err = start_err(&mock, enrollment().device_name(name)).await;
        assert_invalid(&err, Field::DeviceName);
    }
}

#[tokio::test]
async fn bad_pool_id_in_admin_preference_is_refused_before_any_call() {
    let mock = mock_without_calls();
    for pool in ["not a pool", "us-east-1", "us-east-1_"] {
        let err = start_err(
            &mock,
            MfaEnrollment::new(ISSUER).admin_preference(pool, "alice"),
        )
        .await;
        assert_invalid(&err, Field::UserPoolId);
    }
}

#[tokio::test]
async fn bad_admin_username_is_refused_before_any_call() {
    let mock = mock_without_calls();
    let err = start_err(
        &mock,
        MfaEnrollment::new(ISSUER).admin_preference(POOL, "has space"),
    )
    .await;
    assert_invalid(&err, Field::Username);
}

#[tokio::test]
async fn bad_access_token_is_refused_before_any_call() {
    let mock = mock_without_calls();
    for token in ["", "two words"] {
        let err = enrollment()
            .start_with_access_token(&mock, AccessToken::new(token))
            .await
            .expect_err("bad token");
        assert_invalid(&err, Field::Token);
    }
}

// ---------------------------------------------------------------------------
// Debug output holds no secret
// ---------------------------------------------------------------------------

#[track_caller]
fn assert_no_canary(shown: &str) {
    for canary in [
        SECRET,
        "JBSW Y3DP",
        "access-token-canary",
        "session-one-canary",
        "session-two-canary",
        "session-three-canary",
        "135791",
    ] {
        assert!(!shown.contains(canary), "{canary:?} shown in {shown}");
    }
}

#[tokio::test]
async fn debug_of_pending_rejected_and_enrolled_shows_no_secret() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_auth| Ok(associated(Some(SESSION_2))));
    mock.expect_verify_software_token()
        .times(1)
        .withf(|_auth, code, _name| code.expose_secret() == "135791")
        .returning(|_auth, _code, _name| {
            Err(service(
                Operation::VerifySoftwareToken,
                "EnableSoftwareTokenMFAException",
                "Code mismatch and fail enable Software Token MFA",
            ))
        });
    mock.expect_verify_software_token()
        .times(1)
        .withf(|_auth, code, _name| code.expose_secret() == "246802")
        .returning(|_auth, _code, _name| Ok(verified(VerifyStatus::Success, Some(SESSION_3))));

    let pending = MfaEnrollment::new(ISSUER)
        .device_name(DEVICE)
        .start_with_session(&mock, Session::new(SESSION_1), "alice")
        .await
        .expect("associated");
    let shown = format!("{pending:?} {pending:#?}");
    assert_no_canary(&shown);
    assert!(shown.contains("alice"), "{shown}");

    let rejected: Rejected<PendingEnrollment> =
        pending.verify(&mock, "135791").await.expect_err("wrong");
    assert_no_canary(&format!("{rejected:?} {rejected:#?} {rejected}"));
    let pending = rejected.retry().expect("handed back");

    // A malformed code is not echoed either.
    let rejected = pending.verify(&mock, "13579").await.expect_err("short");
    let shown = format!("{rejected:?} {rejected}");
    assert_no_canary(&shown);
    assert!(!shown.contains("13579"), "{shown}");
    let pending = rejected.retry().expect("handed back");

    let enrolled: Enrolled = pending.verify(&mock, "246802").await.expect("enrolled");
    let shown = format!("{enrolled:?} {enrolled:#?}");
    assert_no_canary(&shown);
    assert!(shown.contains("redacted"), "{shown}");
}

#[tokio::test]
async fn a_degenerate_totp_secret_from_the_service_is_refused() {
    // "A" decodes to no bytes: an empty HMAC key, every code predictable.
    // moto's 7-byte `asdfasdfasdf` clears the floor; shorter does not.
    for (secret, ok) in [
        ("A", false),
        ("AAAAAAA", false),
        ("asdfasdfasdf", true),
        ("JBSWY3DPEHPK3PXP", true),
    ] {
        let backend = cognito_mfa::testing::ScriptedBackend::new();
        backend.push_associate(Ok(cognito_mfa::backend::AssociatedSoftwareToken::new(
            TotpSecret::new(secret),
            None,
        )));
        let result = MfaEnrollment::new("Example")
            .account_name("alice")
            .start_with_access_token(&backend, AccessToken::new("access-token-0123456789"))
            .await;
        match (result, ok) {
            (Ok(_), true) => {}
            (Err(Error::InvalidInput(i)), false) => assert_eq!(i.field(), Field::TotpSecret),
            (other, _) => panic!("{secret}: {other:?}"),
        }
    }
}
