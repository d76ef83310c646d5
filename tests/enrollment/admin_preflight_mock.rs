//! `admin` (a user's MFA status and preference, resetting a lost
//! authenticator) and `preflight` (what stands between a pool and working
//! TOTP MFA) against a `MockCognitoBackend`.
#![cfg(feature = "mock")]

use cognito_mfa::backend::{
    AppClient, AuthFlow, FactorPreference, MfaFactor, MfaPreferenceUpdate, PoolMfaConfig,
    PoolMfaMode, UserMfaSettings, UserStatus, UserTarget,
};
use cognito_mfa::preflight::{self, Finding, Severity};
use cognito_mfa::{
    AccessToken, ClientSecret, Error, Field, MockCognitoBackend, Operation, ServiceError, admin,
};
use std::time::Duration;

const ACCESS_TOKEN: &str = "eyJraWQiOi.access-token-canary.sig";
const POOL: &str = "us-east-1_AbC123";
const CLIENT: &str = "4f9a2c1b7e3d";

fn settings(
    enabled: Vec<MfaFactor>,
    preferred: Option<MfaFactor>,
    status: Option<UserStatus>,
) -> UserMfaSettings {
    {
        let mut v = UserMfaSettings::new("alice".to_owned());
        v.enabled = enabled;
        v.preferred = preferred;
        v.status = status;
        v.account_enabled = Some(true);
        v
    }
}

fn is_token_target(user: &UserTarget) -> bool {
    matches!(user, UserTarget::AccessToken(t) if t.expose_secret() == ACCESS_TOKEN)
}

fn is_admin_target(user: &UserTarget) -> bool {
    matches!(
        user,
        UserTarget::Admin { user_pool_id, username } if user_pool_id == POOL && username == "alice"
    )
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

fn prefer() -> FactorPreference {
    FactorPreference {
        enabled: true,
        preferred: true,
    }
}

fn switch_off() -> FactorPreference {
    FactorPreference {
        enabled: false,
        preferred: false,
    }
}

#[track_caller]
fn assert_invalid(error: &Error, field: Field) {
    match error {
        Error::InvalidInput(input) => assert_eq!(input.field(), field, "{error}"),
        other => panic!("expected InvalidInput({field:?}), got {other:?}"),
    }
}

fn mock_without_calls() -> MockCognitoBackend {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings().never();
    mock.expect_set_user_mfa_preference().never();
    mock.expect_admin_delete_software_token().never();
    mock.expect_get_user_pool_mfa_config().never();
    mock.expect_set_user_pool_mfa_config().never();
    mock.expect_describe_user_pool_client().never();
    mock
}

// ---------------------------------------------------------------------------
// UserMfaSettings
// ---------------------------------------------------------------------------

#[test]
fn user_mfa_settings_predicates() {
    let none = settings(vec![], None, None);
    assert!(!none.totp_enabled());
    assert!(!none.totp_preferred());
    assert!(
        !none.is_federated(),
        "unknown status (GetUser) is not federated"
    );

    let sms_preferred = settings(
        vec![MfaFactor::Sms, MfaFactor::SoftwareToken],
        Some(MfaFactor::Sms),
        Some(UserStatus::Confirmed),
    );
    assert!(sms_preferred.totp_enabled());
    assert!(!sms_preferred.totp_preferred());
    assert!(!sms_preferred.is_federated());

    let totp = settings(
        vec![MfaFactor::SoftwareToken],
        Some(MfaFactor::SoftwareToken),
        Some(UserStatus::Confirmed),
    );
    assert!(totp.totp_enabled());
    assert!(totp.totp_preferred());

    let federated = settings(vec![], None, Some(UserStatus::ExternalProvider));
    assert!(federated.is_federated());
    assert!(!federated.totp_enabled());

    assert_eq!(
        UserStatus::parse("EXTERNAL_PROVIDER"),
        UserStatus::ExternalProvider
    );
    assert!(
        !settings(vec![], None, Some(UserStatus::parse("ARCHIVED"))).is_federated(),
        "another status is not federated"
    );
}

// ---------------------------------------------------------------------------
// admin: status
// ---------------------------------------------------------------------------

#[tokio::test]
async fn mfa_status_calls_get_user_with_the_access_token() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .withf(is_token_target)
        .returning(|_user| {
            Ok(settings(
                vec![MfaFactor::SoftwareToken],
                Some(MfaFactor::SoftwareToken),
                None,
            ))
        });
    let status = admin::mfa_status(&mock, &AccessToken::new(ACCESS_TOKEN))
        .await
        .expect("status");
    assert!(status.totp_enabled());
    assert!(status.totp_preferred());
    assert_eq!(status.username, "alice");
}

#[tokio::test]
async fn mfa_status_refuses_a_bad_token_before_any_call() {
    let mock = mock_without_calls();
    let err = admin::mfa_status(&mock, &AccessToken::new(""))
        .await
        .expect_err("empty token");
    assert_invalid(&err, Field::Token);
}

#[tokio::test]
async fn admin_mfa_status_calls_admin_get_user() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .withf(is_admin_target)
        .returning(|_user| Ok(settings(vec![], None, Some(UserStatus::ExternalProvider))));
    let status = admin::admin_mfa_status(&mock, POOL, "alice")
        .await
        .expect("status");
    assert!(status.is_federated());
    assert_eq!(status.account_enabled, Some(true));
}

#[tokio::test]
async fn admin_mfa_status_refuses_bad_ids_before_any_call() {
    let mock = mock_without_calls();
    let err = admin::admin_mfa_status(&mock, "not-a-pool", "alice")
        .await
        .expect_err("bad pool");
    assert_invalid(&err, Field::UserPoolId);
    let err = admin::admin_mfa_status(&mock, POOL, "")
        .await
        .expect_err("bad user");
    assert_invalid(&err, Field::Username);
}

#[tokio::test]
async fn admin_mfa_status_passes_user_not_found_through() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .returning(|_user| {
            Err(Error::from_service(
                Operation::GetUser,
                ServiceError::new("UserNotFoundException", "User does not exist."),
            ))
        });
    let err = admin::admin_mfa_status(&mock, POOL, "alice")
        .await
        .expect_err("no user");
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
}

// ---------------------------------------------------------------------------
// admin: preference
// ---------------------------------------------------------------------------

#[tokio::test]
async fn set_totp_preference_sends_only_the_totp_setting() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings().never();
    mock.expect_set_user_mfa_preference()
        .times(1)
        .withf(|user, update| is_token_target(user) && *update == totp_update(prefer()))
        .returning(|_user, _update| Ok(()));
    admin::set_totp_preference(&mock, &AccessToken::new(ACCESS_TOKEN), prefer())
        .await
        .expect("set");
}

#[tokio::test]
async fn set_totp_preference_before_verification_is_totp_not_set_up() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_set_user_mfa_preference()
        .times(1)
        .returning(|_user, _update| {
            Err(Error::from_service(
                Operation::SetUserMfaPreference,
                ServiceError::new(
                    "InvalidParameterException",
                    "User has not verified software token mfa",
                ),
            ))
        });
    let err = admin::set_totp_preference(&mock, &AccessToken::new(ACCESS_TOKEN), prefer())
        .await
        .expect_err("not verified");
    assert!(matches!(err, Error::TotpNotSetUp), "{err:?}");
}

#[tokio::test]
async fn set_totp_preference_refuses_a_bad_token_before_any_call() {
    let mock = mock_without_calls();
    let err = admin::set_totp_preference(&mock, &AccessToken::new("a b"), prefer())
        .await
        .expect_err("bad token");
    assert_invalid(&err, Field::Token);
}

#[tokio::test]
async fn admin_set_totp_preference_looks_up_then_sets() {
    let mut seq = mockall::Sequence::new();
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .in_sequence(&mut seq)
        .withf(is_admin_target)
        .returning(|_user| {
            Ok(settings(
                vec![MfaFactor::SoftwareToken],
                Some(MfaFactor::SoftwareToken),
                Some(UserStatus::Confirmed),
            ))
        });
    mock.expect_set_user_mfa_preference()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|user, update| is_admin_target(user) && *update == totp_update(switch_off()))
        .returning(|_user, _update| Ok(()));
    admin::admin_set_totp_preference(&mock, POOL, "alice", switch_off())
        .await
        .expect("set");
}

#[tokio::test]
async fn admin_set_totp_preference_refuses_a_federated_user_before_setting() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .withf(is_admin_target)
        .returning(|_user| Ok(settings(vec![], None, Some(UserStatus::ExternalProvider))));
    mock.expect_set_user_mfa_preference().never();
    let err = admin::admin_set_totp_preference(&mock, POOL, "alice", prefer())
        .await
        .expect_err("federated");
    assert!(matches!(err, Error::FederatedUser), "{err:?}");
    assert!(err.to_string().contains("EXTERNAL_PROVIDER"), "{err}");
}

#[tokio::test]
async fn admin_set_totp_preference_stops_when_the_lookup_fails() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .times(1)
        .returning(|_user| {
            Err(Error::from_service(
                Operation::GetUser,
                ServiceError::new("UserNotFoundException", "User does not exist."),
            ))
        });
    mock.expect_set_user_mfa_preference().never();
    let err = admin::admin_set_totp_preference(&mock, POOL, "alice", prefer())
        .await
        .expect_err("no user");
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
}

#[tokio::test]
async fn admin_set_totp_preference_refuses_bad_ids_before_any_call() {
    let mock = mock_without_calls();
    let err = admin::admin_set_totp_preference(&mock, "us-east-1", "alice", prefer())
        .await
        .expect_err("bad pool");
    assert_invalid(&err, Field::UserPoolId);
    let err = admin::admin_set_totp_preference(&mock, POOL, "bad\tname", prefer())
        .await
        .expect_err("bad user");
    assert_invalid(&err, Field::Username);
}

// ---------------------------------------------------------------------------
// admin: reset
// ---------------------------------------------------------------------------

#[tokio::test]
async fn admin_reset_totp_deletes_the_software_token_of_that_user() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_admin_delete_software_token()
        .times(1)
        .withf(|pool, user| pool == POOL && user == "alice")
        .returning(|_pool, _user| Ok(()));
    mock.expect_get_user_mfa_settings().never();
    mock.expect_set_user_mfa_preference().never();
    admin::admin_reset_totp(&mock, POOL, "alice")
        .await
        .expect("reset");
}

#[tokio::test]
async fn admin_reset_totp_passes_errors_through() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_admin_delete_software_token()
        .times(1)
        .returning(|_pool, _user| {
            Err(Error::from_service(
                Operation::AdminDeleteSoftwareToken,
                ServiceError::new("UserNotFoundException", "User does not exist."),
            ))
        });
    let err = admin::admin_reset_totp(&mock, POOL, "alice")
        .await
        .expect_err("no user");
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
}

#[tokio::test]
async fn admin_reset_totp_refuses_bad_ids_before_any_call() {
    let mock = mock_without_calls();
    let err = admin::admin_reset_totp(&mock, "_", "alice")
        .await
        .expect_err("bad pool");
    assert_invalid(&err, Field::UserPoolId);
    let err = admin::admin_reset_totp(&mock, POOL, "has space")
        .await
        .expect_err("bad user");
    assert_invalid(&err, Field::Username);
}

// ---------------------------------------------------------------------------
// preflight::check
// ---------------------------------------------------------------------------

fn mock_pool(config: PoolMfaConfig, app: AppClient) -> MockCognitoBackend {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_pool_mfa_config()
        .times(1)
        .withf(|pool| pool == POOL)
        .returning(move |_pool| Ok(config));
    mock.expect_describe_user_pool_client()
        .times(1)
        .withf(|pool, client_id| pool == POOL && client_id == CLIENT)
        .returning(move |_pool, _client_id| Ok(app.clone()));
    mock.expect_describe_user_pool()
        .times(1)
        .withf(|pool| pool == POOL)
        .returning(|_pool| Ok(cognito_mfa::backend::UserPoolDescription::new()));
    mock.expect_set_user_pool_mfa_config().never();
    mock
}

fn client(flows: &[&str], secret: Option<&str>, validity: Option<Duration>) -> AppClient {
    {
        let mut v = AppClient::new(CLIENT.to_owned());
        v.client_name = Some("web".to_owned());
        v.client_secret = secret.map(ClientSecret::new);
        v.explicit_auth_flows = flows.iter().map(|f| (*f).to_owned()).collect();
        v.auth_session_validity = validity;
        v
    }
}

const CLIENT_SECRET: &str = "client-secret-canary-0123456789abcdef";

#[tokio::test]
async fn preflight_of_a_pool_not_set_up_lists_every_blocker() {
    let mock = mock_pool(
        PoolMfaConfig::new(PoolMfaMode::Off, false),
        client(
            &["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            Some(CLIENT_SECRET),
            None,
        ),
    );
    let report = preflight::check(&mock, POOL, CLIENT, &[AuthFlow::UserPassword])
        .await
        .expect("report");
    let f = &report.findings;
    assert!(f.contains(&Finding::MfaOff), "{f:?}");
    assert!(f.contains(&Finding::TotpDisabled), "{f:?}");
    assert!(
        f.contains(&Finding::FlowNotAllowed(AuthFlow::UserPassword)),
        "{f:?}"
    );
    assert!(f.contains(&Finding::ClientSecretRequired), "{f:?}");
    assert!(!f.contains(&Finding::MfaRequired), "{f:?}");
    assert!(!report.is_ready());
    assert!(report.client_has_secret);
    assert_eq!(report.session_validity, Duration::from_secs(180));
    assert_eq!(Finding::MfaOff.severity(), Severity::Blocking);
    assert_eq!(Finding::TotpDisabled.severity(), Severity::Blocking);
    assert_eq!(
        Finding::FlowNotAllowed(AuthFlow::UserPassword).severity(),
        Severity::Blocking
    );

    let text = report.to_string();
    assert!(text.contains("NOT ready"), "{text}");
    assert!(text.contains("MFA is OFF"), "{text}");
    assert!(
        text.contains("TOTP (software token MFA) is not enabled"),
        "{text}"
    );
    assert!(text.contains("ALLOW_USER_PASSWORD_AUTH"), "{text}");
    assert!(text.contains("USER_PASSWORD_AUTH"), "{text}");
    assert!(text.contains("SECRET_HASH"), "{text}");
    assert!(text.contains("3 minutes"), "{text}");
    // Blocking findings come first, as documented.
    let first_info = f.iter().position(|x| x.severity() == Severity::Info);
    let last_blocking = f.iter().rposition(|x| x.severity() == Severity::Blocking);
    if let (Some(info), Some(blocking)) = (first_info, last_blocking) {
        assert!(blocking < info, "blocking first: {f:?}");
    }
    // The report never shows the client secret.
    assert!(!text.contains(CLIENT_SECRET), "{text}");
    assert!(!format!("{report:?}").contains(CLIENT_SECRET));
}

#[tokio::test]
async fn preflight_of_a_ready_pool_and_client() {
    let mock = mock_pool(
        PoolMfaConfig::new(PoolMfaMode::Optional, true),
        client(
            &["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            None,
            None,
        ),
    );
    let report = preflight::check(
        &mock,
        POOL,
        CLIENT,
        &[AuthFlow::UserPassword, AuthFlow::RefreshToken],
    )
    .await
    .expect("report");
    assert!(report.is_ready(), "{report}");
    assert!(!report.client_has_secret);
    assert_eq!(
        report.findings,
        vec![
            Finding::SessionValidity(Duration::from_secs(3 * 60)),
            Finding::EmailMfa {
                enabled: false,
                tier: None
            },
            Finding::Devices(None)
        ]
    );
    assert_eq!(report.devices, Some(None));
    assert_eq!(report.session_validity, Duration::from_secs(3 * 60));
    assert_eq!(report.pool, PoolMfaConfig::new(PoolMfaMode::Optional, true));
    let text = report.to_string();
    assert!(text.contains("ready for TOTP MFA"), "{text}");
    assert!(!text.contains("NOT ready"), "{text}");
}

#[tokio::test]
async fn preflight_uses_the_clients_session_validity_and_notes_mfa_on() {
    let mock = mock_pool(
        PoolMfaConfig::new(PoolMfaMode::On, true),
        client(
            &["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
            None,
            Some(Duration::from_secs(10 * 60)),
        ),
    );
    let report = preflight::check(&mock, POOL, CLIENT, &[AuthFlow::AdminUserPassword])
        .await
        .expect("report");
    assert!(report.is_ready(), "{report}");
    assert_eq!(report.session_validity, Duration::from_secs(600));
    assert!(
        report
            .findings
            .contains(&Finding::SessionValidity(Duration::from_secs(600)))
    );
    assert!(report.findings.contains(&Finding::MfaRequired));
    assert_eq!(Finding::MfaRequired.severity(), Severity::Info);
    let text = report.to_string();
    assert!(text.contains("10 minutes"), "{text}");
    assert!(text.contains("MFA_SETUP"), "{text}");
}

#[tokio::test]
async fn preflight_stops_when_the_pool_call_fails() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_pool_mfa_config()
        .times(1)
        .returning(|_pool| {
            Err(Error::from_service(
                Operation::GetUserPoolMfaConfig,
                ServiceError::new(
                    "ResourceNotFoundException",
                    "User pool us-east-1_AbC123 does not exist.",
                ),
            ))
        });
    mock.expect_describe_user_pool_client().never();
    let err = preflight::check(&mock, POOL, CLIENT, &[AuthFlow::UserSrp])
        .await
        .expect_err("no pool");
    assert_eq!(err.service_code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn preflight_refuses_bad_ids_before_any_call() {
    let mock = mock_without_calls();
    let err = preflight::check(&mock, "nope", CLIENT, &[])
        .await
        .expect_err("bad pool");
    assert_invalid(&err, Field::UserPoolId);
    let err = preflight::check(&mock, POOL, "bad client", &[])
        .await
        .expect_err("bad client");
    assert_invalid(&err, Field::ClientId);
}

// ---------------------------------------------------------------------------
// preflight::enable_totp
// ---------------------------------------------------------------------------

#[tokio::test]
async fn enable_totp_on_sends_on_with_totp_enabled() {
    let wanted = PoolMfaConfig::new(PoolMfaMode::On, true);
    let mut mock = MockCognitoBackend::new();
    mock.expect_set_user_pool_mfa_config()
        .times(1)
        .withf(move |pool, config| pool == POOL && *config == wanted)
        .returning(|_pool, config| Ok(config));
    let config = preflight::enable_totp(&mock, POOL, PoolMfaMode::On)
        .await
        .expect("enabled");
    assert_eq!(config, wanted);
}

#[tokio::test]
async fn enable_totp_optional_sends_optional_with_totp_enabled() {
    let wanted = PoolMfaConfig::new(PoolMfaMode::Optional, true);
    let mut mock = MockCognitoBackend::new();
    mock.expect_set_user_pool_mfa_config()
        .times(1)
        .withf(move |pool, config| pool == POOL && *config == wanted)
        .returning(|_pool, config| Ok(config));
    let config = preflight::enable_totp(&mock, POOL, PoolMfaMode::Optional)
        .await
        .expect("enabled");
    assert_eq!(config, wanted);
}

#[tokio::test]
async fn enable_totp_off_is_refused_without_a_call() {
    let mock = mock_without_calls();
    let err = preflight::enable_totp(&mock, POOL, PoolMfaMode::Off)
        .await
        .expect_err("OFF");
    assert_invalid(&err, Field::MfaSetting);
}

#[tokio::test]
async fn enable_totp_refuses_a_bad_pool_id_without_a_call() {
    let mock = mock_without_calls();
    let err = preflight::enable_totp(&mock, "us-east-1_", PoolMfaMode::On)
        .await
        .expect_err("bad pool");
    assert_invalid(&err, Field::UserPoolId);
}

#[tokio::test]
async fn enable_totp_passes_service_errors_through() {
    let mut mock = MockCognitoBackend::new();
    mock.expect_set_user_pool_mfa_config()
        .times(1)
        .returning(|_pool, _config| {
            Err(Error::from_service(
                Operation::SetUserPoolMfaConfig,
                ServiceError::new("TooManyRequestsException", "Rate exceeded"),
            ))
        });
    let err = preflight::enable_totp(&mock, POOL, PoolMfaMode::On)
        .await
        .expect_err("throttled");
    assert!(matches!(err, Error::Throttled(_)), "{err:?}");
    assert!(err.is_retryable());
}

/// The pool's DeviceConfiguration in plain words: what `ChallengeRequiredOnNewDevice` really
/// means, and whether remembered devices skip MFA; the in-memory pool reports its own.
#[tokio::test]
async fn preflight_reports_the_device_configuration_in_plain_words() {
    use cognito_mfa::backend::DeviceConfiguration;
    use cognito_mfa::testing::{ClientOptions, InMemoryPool};
    let cases = [
        (
            DeviceConfiguration::new(true, false),
            [
                "every confirmed device is remembered",
                "remembered devices skip the second factor",
                "despite its name",
            ],
        ),
        (
            DeviceConfiguration::new(false, true),
            [
                "only when the person says so",
                "still asked for the second factor",
                "turn it on",
            ],
        ),
    ];
    for (config, words) in cases {
        let pool = InMemoryPool::new();
        pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
        pool.set_device_configuration(Some(config));
        let client = pool.create_client(ClientOptions::new()).unwrap();
        let report = preflight::check(&pool, pool.pool_id(), &client.client_id, &[])
            .await
            .unwrap();
        assert_eq!(report.devices, Some(Some(config)));
        assert!(report.findings.contains(&Finding::Devices(Some(config))));
        let text = report.to_string();
        for w in words {
            assert!(text.contains(w), "{w:?} in {text}");
        }
    }
    let untracked = InMemoryPool::new();
    let client = untracked.create_client(ClientOptions::new()).unwrap();
    let text = preflight::check(&untracked, untracked.pool_id(), &client.client_id, &[])
        .await
        .unwrap()
        .to_string();
    assert!(text.contains("devices are not remembered"), "{text}");
}
