//! TOTP enrollment (`MfaEnrollment`, `admin`, `preflight`) against moto through `SdkBackend`,
//! with real codes: self-service and administrator enrollment, a wrong code tried again on the
//! same pending enrollment, the otpauth URI of moto's secret, and the pool preflight.
//!
//! Where moto differs from Cognito the test asserts what moto does, with a
//! "moto: X; Cognito: Y" comment.

use std::time::Duration;

use crate::common::moto::{self, MOTO_TOTP_SECRET, MotoServer, TestPool};
use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
use cognito_mfa::backend::{AuthFlow, MfaFactor, PoolMfaConfig, PoolMfaMode, UserStatus};
use cognito_mfa::preflight::{self, Finding};
use cognito_mfa::sign_in::SignIn;
use cognito_mfa::{
    AccessToken, AfterVerify, Error, Field, MfaEnrollment, Password, PendingEnrollment, SdkBackend,
    TotpSecret, admin,
};

const PASSWORD: &str = "Passw0rd-1!";
const THREE_MINUTES: Duration = Duration::from_secs(3 * 60);

use crate::common::moto::{backend, fresh_code, wrong_code};

/// A new confirmed user on `pool`, signed in with the library's admin password flow (no MFA
/// yet): their access token.
async fn signed_in_user(backend: &SdkBackend, pool: &TestPool, username: &str) -> AccessToken {
    pool.create_confirmed_user(username, PASSWORD).await;
    let sign_in = SignIn::admin(backend.clone(), &pool.pool_id, &pool.client_id)
        .build()
        .expect("SignIn");
    sign_in
        .password(username, &Password::new(PASSWORD))
        .await
        .expect("AdminInitiateAuth")
        .into_tokens()
        .expect("tokens: the user has no factor yet")
        .access_token
}

async fn assert_totp_enabled_and_preferred(backend: &SdkBackend, pool: &TestPool, username: &str) {
    let status = admin::admin_mfa_status(backend, &pool.pool_id, username)
        .await
        .expect("AdminGetUser");
    assert_eq!(status.username, username);
    assert_eq!(status.enabled, [MfaFactor::SoftwareToken], "{status:?}");
    assert_eq!(
        status.preferred,
        Some(MfaFactor::SoftwareToken),
        "{status:?}"
    );
    assert!(status.totp_enabled() && status.totp_preferred());
    assert_eq!(status.status, Some(UserStatus::Confirmed));
    assert!(!status.is_federated());
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn self_service_enrollment_by_access_token() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let token = signed_in_user(&backend, &pool, "alice").await;

    let before = admin::mfa_status(&backend, &token).await.expect("GetUser");
    assert!(before.enabled.is_empty() && before.preferred.is_none());

    let pending = MfaEnrollment::new("Example")
        .device_name("Alice's phone")
        .start_with_access_token(&backend, token.clone())
        .await
        .expect("AssociateSoftwareToken");
    // No account name given: the user name, from GetUser.
    assert_eq!(pending.account_name(), "alice");
    assert_eq!(pending.issuer(), "Example");
    // moto: every user gets "asdfasdfasdf"; Cognito: a fresh secret per association.
    assert_eq!(pending.secret().expose_secret(), MOTO_TOTP_SECRET);

    let code = fresh_code(pending.secret()).await;
    let enrolled = pending.verify(&backend, &code).await.expect("verified");
    assert!(enrolled.totp_enabled() && enrolled.totp_preferred());
    assert_eq!(enrolled.device_name(), Some("Alice's phone"));
    // An access-token enrollment has no Session.
    assert!(enrolled.session().is_none());

    assert_totp_enabled_and_preferred(&backend, &pool, "alice").await;
    let own = admin::mfa_status(&backend, &token).await.expect("GetUser");
    assert_eq!(own.enabled, [MfaFactor::SoftwareToken]);
    assert_eq!(own.preferred, Some(MfaFactor::SoftwareToken));
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn administrator_enrollment() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let token = signed_in_user(&backend, &pool, "bob").await;

    let pending = MfaEnrollment::new("Example")
        .admin_preference(&pool.pool_id, "bob")
        .start_with_access_token(&backend, token)
        .await
        .expect("AdminGetUser, then AssociateSoftwareToken");
    // The account name comes from AdminGetUser.
    assert_eq!(pending.account_name(), "bob");

    let code = fresh_code(pending.secret()).await;
    let enrolled = pending.verify(&backend, &code).await.expect("verified");
    assert!(enrolled.totp_enabled() && enrolled.totp_preferred());

    assert_totp_enabled_and_preferred(&backend, &pool, "bob").await;
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn enable_only_leaves_totp_not_preferred() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let token = signed_in_user(&backend, &pool, "bea").await;

    let pending = MfaEnrollment::new("Example")
        .after_verify(AfterVerify::EnableOnly)
        .admin_preference(&pool.pool_id, "bea")
        .start_with_access_token(&backend, token)
        .await
        .expect("started");
    let code = fresh_code(pending.secret()).await;
    let enrolled = pending.verify(&backend, &code).await.expect("verified");
    assert!(enrolled.totp_enabled() && !enrolled.totp_preferred());

    let status = admin::admin_mfa_status(&backend, &pool.pool_id, "bea")
        .await
        .expect("AdminGetUser");
    assert_eq!(status.enabled, [MfaFactor::SoftwareToken]);
    assert_eq!(status.preferred, None);
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn a_wrong_code_is_tried_again_on_the_same_enrollment() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let token = signed_in_user(&backend, &pool, "carol").await;

    let pending = MfaEnrollment::new("Example")
        .device_name("phone")
        .start_with_access_token(&backend, token)
        .await
        .expect("started");
    let wrong = wrong_code(pending.secret());

    // moto: CodeMismatchException "Code mismatch (phone)"; Cognito:
    // EnableSoftwareTokenMFAException. Both are a retryable CodeMismatch.
    let rejected = pending
        .verify(&backend, &wrong)
        .await
        .expect_err("a wrong code");
    assert!(
        matches!(rejected.error(), Error::CodeMismatch),
        "{rejected:?}"
    );
    let pending: PendingEnrollment = rejected.retry().expect("the same pending enrollment");
    assert_eq!(pending.secret().expose_secret(), MOTO_TOTP_SECRET);

    // A malformed code is refused locally, and the enrollment comes back too.
    let rejected = pending
        .verify(&backend, "12345")
        .await
        .expect_err("five digits");
    match rejected.error() {
        Error::InvalidInput(input) => assert_eq!(input.field(), Field::UserCode),
        other => panic!("expected a refused code, got {other:?}"),
    }
    let pending = rejected.retry().expect("the same pending enrollment");

    // Nothing enabled yet.
    let status = admin::admin_mfa_status(&backend, &pool.pool_id, "carol")
        .await
        .expect("AdminGetUser");
    assert!(status.enabled.is_empty(), "{status:?}");

    let code = fresh_code(pending.secret()).await;
    let enrolled = pending
        .verify(&backend, &code)
        .await
        .expect("the right code");
    assert!(enrolled.totp_preferred());
    assert_totp_enabled_and_preferred(&backend, &pool, "carol").await;
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn otpauth_uri_of_a_moto_enrollment() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let token = signed_in_user(&backend, &pool, "dave").await;

    let pending = MfaEnrollment::new("Example Corp")
        .account_name("dave@example.com")
        .start_with_access_token(&backend, token)
        .await
        .expect("started");
    // moto's lowercase 12-character secret, taken as sent and written in canonical base32.
    assert_eq!(pending.secret().expose_secret(), MOTO_TOTP_SECRET);
    assert_eq!(
        pending.uri(),
        "otpauth://totp/Example%20Corp:dave%40example.com?secret=ASDFASDFASDF\
         &issuer=Example%20Corp&algorithm=SHA1&digits=6&period=30"
    );
    assert_eq!(pending.setup_key(), "ASDF ASDF ASDF");
    let svg = pending.qr_svg().expect("a QR code");
    assert!(svg.contains("<svg"));

    // The code an app computes from the URI's secret is the one moto takes.
    let from_uri = TotpSecret::new("ASDFASDFASDF");
    let code = fresh_code(&from_uri).await;
    pending.verify(&backend, &code).await.expect("verified");
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn enrollment_on_a_pool_with_mfa_off() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OFF", false).await;
    let token = signed_in_user(&backend, &pool, "erin").await;

    // moto does not look at the pool's MFA configuration: association, verification and the
    // preference all succeed on an OFF pool. Cognito: SoftwareTokenMFANotFoundException at
    // AssociateSoftwareToken (Error::TotpNotEnabledOnPool).
    let pending = MfaEnrollment::new("Example")
        .start_with_access_token(&backend, token)
        .await
        .expect("moto associates on an OFF pool");
    let code = fresh_code(pending.secret()).await;
    let enrolled = pending
        .verify(&backend, &code)
        .await
        .expect("moto verifies on an OFF pool");
    assert!(enrolled.totp_preferred());
    assert_totp_enabled_and_preferred(&backend, &pool, "erin").await;
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn preflight_of_a_pool_with_mfa_off_then_on() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OFF", false).await;
    let flows = [
        AuthFlow::AdminUserPassword,
        AuthFlow::UserPassword,
        AuthFlow::RefreshToken,
    ];

    // A fresh moto pool: GetUserPoolMfaConfig says MfaConfiguration "OFF" and sends no
    // SoftwareTokenMfaConfiguration, read as OFF with TOTP disabled.
    let report = preflight::check(&backend, &pool.pool_id, &pool.client_id, &flows)
        .await
        .expect("preflight");
    assert_eq!(report.pool, PoolMfaConfig::new(PoolMfaMode::Off, false));
    assert_eq!(
        report.findings,
        [
            Finding::MfaOff,
            Finding::TotpDisabled,
            Finding::SessionValidity(THREE_MINUTES),
            // moto: no EmailMfaConfiguration and no UserPoolTier in DescribeUserPool; Cognito
            // names the tier (ESSENTIALS for a new pool).
            Finding::EmailMfa {
                enabled: false,
                tier: None
            },
            // moto keeps no DeviceConfiguration for a pool created without one, as Cognito.
            Finding::Devices(None)
        ]
    );
    assert!(!report.is_ready());
    assert!(!report.client_has_secret);
    assert_eq!(report.session_validity, THREE_MINUTES);
    let text = report.to_string();
    assert!(text.contains("NOT ready"), "{text}");

    // OFF is refused locally.
    let off = preflight::enable_totp(&backend, &pool.pool_id, PoolMfaMode::Off)
        .await
        .expect_err("OFF does not enable TOTP");
    assert!(matches!(off, Error::InvalidInput(_)), "{off:?}");

    let enabled = preflight::enable_totp(&backend, &pool.pool_id, PoolMfaMode::On)
        .await
        .expect("SetUserPoolMfaConfig");
    assert_eq!(enabled, PoolMfaConfig::new(PoolMfaMode::On, true));

    let report = preflight::check(&backend, &pool.pool_id, &pool.client_id, &flows)
        .await
        .expect("preflight");
    assert_eq!(report.pool, enabled);
    assert_eq!(
        report.findings,
        [
            Finding::MfaRequired,
            Finding::SessionValidity(THREE_MINUTES),
            // moto: no EmailMfaConfiguration and no UserPoolTier in DescribeUserPool; Cognito
            // names the tier (ESSENTIALS for a new pool).
            Finding::EmailMfa {
                enabled: false,
                tier: None
            },
            // moto keeps no DeviceConfiguration for a pool created without one, as Cognito.
            Finding::Devices(None)
        ]
    );
    assert!(report.is_ready(), "{report}");
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn preflight_of_app_clients() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", true).await;

    let report = preflight::check(
        &backend,
        &pool.pool_id,
        &pool.client_id,
        &[AuthFlow::AdminUserPassword, AuthFlow::UserSrp],
    )
    .await
    .expect("preflight");
    assert_eq!(report.pool, PoolMfaConfig::new(PoolMfaMode::Optional, true));
    assert_eq!(
        report.findings,
        [
            Finding::ClientSecretRequired,
            Finding::SessionValidity(THREE_MINUTES),
            // moto: no EmailMfaConfiguration and no UserPoolTier in DescribeUserPool; Cognito
            // names the tier (ESSENTIALS for a new pool).
            Finding::EmailMfa {
                enabled: false,
                tier: None
            },
            // moto keeps no DeviceConfiguration for a pool created without one, as Cognito.
            Finding::Devices(None)
        ]
    );
    assert!(report.is_ready());
    assert!(report.client_has_secret);

    let (narrow, _) = moto::create_app_client_with_flows(
        &pool.client,
        &pool.pool_id,
        &[ExplicitAuthFlowsType::AllowAdminUserPasswordAuth],
        false,
    )
    .await;
    let report = preflight::check(
        &backend,
        &pool.pool_id,
        &narrow,
        &[
            AuthFlow::AdminUserPassword,
            AuthFlow::UserPassword,
            AuthFlow::RefreshToken,
        ],
    )
    .await
    .expect("preflight");
    assert_eq!(
        report.findings,
        [
            Finding::FlowNotAllowed(AuthFlow::UserPassword),
            Finding::FlowNotAllowed(AuthFlow::RefreshToken),
            Finding::SessionValidity(THREE_MINUTES),
            // moto: no EmailMfaConfiguration and no UserPoolTier in DescribeUserPool; Cognito
            // names the tier (ESSENTIALS for a new pool).
            Finding::EmailMfa {
                enabled: false,
                tier: None
            },
            // moto keeps no DeviceConfiguration for a pool created without one, as Cognito.
            Finding::Devices(None)
        ]
    );
    assert!(!report.is_ready());
    assert!(!report.client_has_secret);
}
