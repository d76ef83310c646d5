//! `testing::LocalCognito` over real HTTP: the AWS SDK sets a pool up with Cognito's own calls,
//! `SdkBackend` runs the crate's flows against it, and Cognito's exceptions (reuse, a wrong
//! code, an expired Session) come back over the wire mapped as they are from Cognito. Then
//! boto3, a client nobody here wrote (ignored unless Python with boto3 is there: tests/run.sh).
//!
//! The scenario suite runs on this endpoint too (`Peer::Local` in tests/sign_in/scenarios.rs).

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{Credentials, Region};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, ExplicitAuthFlowsType, MessageActionType, SoftwareTokenMfaConfigType,
    UserPoolMfaType, UserStatusType,
};
use cognito_mfa::backend::{CognitoBackend, MfaFactor, TokenAuth, UserTarget};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::testing::{Authenticator, LocalCognito, ManualClock};
use cognito_mfa::{AccessToken, Error, MfaEnrollment, Password, SdkBackend, TotpSecret};

const PASSWORD: &str = "Passw0rd-1!";
const STEP: Duration = Duration::from_secs(30);

/// A local endpoint on a manual clock, and the SDK pointed at it.
struct Local {
    server: LocalCognito,
    clock: ManualClock,
    client: Client,
    backend: Arc<SdkBackend>,
}

async fn local() -> Local {
    let clock = ManualClock::starting_now();
    let server = LocalCognito::builder()
        .clock(clock.clone())
        .start()
        .await
        .expect("a local endpoint");
    assert!(server.endpoint().starts_with("http://127.0.0.1:"));
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(server.endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "test"))
        .load()
        .await;
    Local {
        server,
        clock,
        client: Client::new(&config),
        backend: Arc::new(SdkBackend::from_conf(&config)),
    }
}

/// A pool (OPTIONAL, TOTP on), a public client and a confirmed user, all made over the wire
/// with Cognito's calls. Returns (pool id, client id).
async fn set_up(local: &Local, users: &[&str]) -> (String, String) {
    let c = &local.client;
    let pool = c
        .create_user_pool()
        .pool_name("wire")
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .expect("CreateUserPool");
    let pool_id = pool
        .user_pool()
        .and_then(|p| p.id())
        .expect("an id")
        .to_owned();
    c.set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    let described = c
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .expect("DescribeUserPool");
    assert_eq!(described.user_pool().and_then(|p| p.name()), Some("wire"));
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("wire-client")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .auth_session_validity(3)
        .send()
        .await
        .expect("CreateUserPoolClient");
    let client_id = client
        .user_pool_client()
        .and_then(|c| c.client_id())
        .expect("a client id")
        .to_owned();
    for user in users {
        c.admin_create_user()
            .user_pool_id(&pool_id)
            .username(*user)
            .temporary_password("Temp-Passw0rd-1!")
            .message_action(MessageActionType::Suppress)
            .user_attributes(
                AttributeType::builder()
                    .name("email")
                    .value(format!("{user}@example.com"))
                    .build()
                    .expect("an attribute"),
            )
            .send()
            .await
            .expect("AdminCreateUser");
        c.admin_set_user_password()
            .user_pool_id(&pool_id)
            .username(*user)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .expect("AdminSetUserPassword");
        let got = c
            .admin_get_user()
            .user_pool_id(&pool_id)
            .username(*user)
            .send()
            .await
            .expect("AdminGetUser");
        assert_eq!(got.user_status(), Some(&UserStatusType::Confirmed));
    }
    (pool_id, client_id)
}

/// Signs the user in with the password (no factor yet) and enrolls TOTP by the access token.
async fn enroll(local: &Local, sign_in: &SignIn, user: &str) -> TotpSecret {
    let first = sign_in
        .password(user, &Password::new(PASSWORD))
        .await
        .expect("USER_PASSWORD_AUTH");
    let SignInStep::Done(tokens) = first else {
        panic!(
            "no factor yet: tokens expected, got {:?}",
            first.challenge_name()
        );
    };
    let access_token: AccessToken = tokens.access_token;
    let pending = MfaEnrollment::new("Example")
        .start_with_access_token(&*local.backend, access_token)
        .await
        .expect("AssociateSoftwareToken");
    let secret = pending.secret().clone();
    local.clock.advance(STEP);
    let code = Authenticator::new(&secret)
        .unwrap()
        .code_for_clock(&local.clock);
    let enrolled = pending
        .verify(&*local.backend, code.expose_secret())
        .await
        .expect("VerifySoftwareToken + SetUserMFAPreference");
    assert!(enrolled.totp_enabled() && enrolled.totp_preferred());
    secret
}

#[tokio::test]
async fn setup_calls_enrollment_and_totp_sign_in_over_http() {
    let local = local().await;
    let (pool_id, client_id) = set_up(&local, &["alice"]).await;
    assert_eq!(local.server.pool_ids(), vec![pool_id.clone()]);

    let public = SignIn::public(local.backend.clone(), &client_id)
        .clock(local.clock.clone())
        .build()
        .unwrap();
    let secret = enroll(&local, &public, "alice").await;
    let status = cognito_mfa::admin::admin_mfa_status(&*local.backend, &pool_id, "alice")
        .await
        .expect("AdminGetUser");
    assert_eq!(status.enabled, vec![MfaFactor::SoftwareToken]);
    assert_eq!(status.preferred, Some(MfaFactor::SoftwareToken));

    // The admin and the public API, each: password, SOFTWARE_TOKEN_MFA, a fresh code, tokens.
    let admin = SignIn::admin(local.backend.clone(), &pool_id, &client_id)
        .clock(local.clock.clone())
        .build()
        .unwrap();
    for sign_in in [&admin, &public] {
        let step = sign_in
            .password("alice", &Password::new(PASSWORD))
            .await
            .unwrap();
        let SignInStep::TotpRequired(challenge) = step else {
            panic!("TOTP expected, got {:?}", step.challenge_name());
        };
        local.clock.advance(STEP);
        let code = Authenticator::new(&secret)
            .unwrap()
            .code_for_clock(&local.clock);
        let done = challenge
            .answer(sign_in, code.expose_secret())
            .await
            .expect("the code");
        assert!(matches!(done, SignInStep::Done(_)));
    }
}

#[tokio::test]
async fn reused_wrong_and_late_codes_fail_as_on_cognito() {
    let local = local().await;
    let (_, client_id) = set_up(&local, &["bob"]).await;
    let sign_in = SignIn::public(local.backend.clone(), &client_id)
        .clock(local.clock.clone())
        .build()
        .unwrap();
    let secret = enroll(&local, &sign_in, "bob").await;
    let app = Authenticator::new(&secret).unwrap();
    // The verifying code's step is spent: the same code at sign-in is a reuse.
    let used = app.code_for_clock(&local.clock);

    let step = sign_in
        .password("bob", &Password::new(PASSWORD))
        .await
        .unwrap();
    let SignInStep::TotpRequired(challenge) = step else {
        panic!("TOTP expected");
    };
    let (error, retry) = challenge
        .answer(&sign_in, used.expose_secret())
        .await
        .expect_err("a reused code")
        .into_parts();
    assert!(matches!(error, Error::CodeAlreadyUsed), "{error:?}");
    let challenge = retry.expect("the same challenge, to answer again");

    let right: u32 = used.expose_secret().parse().unwrap();
    let wrong = (1..)
        .map(|i| format!("{:06}", (right + i) % 1_000_000))
        .find(|c| {
            [
                local.clock.now_minus(STEP),
                local.clock.now_plus(0),
                local.clock.now_plus(30),
            ]
            .iter()
            .all(|at| app.code_at(*at).expose_secret() != c)
        })
        .unwrap();
    let (error, retry) = challenge
        .answer(&sign_in, &wrong)
        .await
        .expect_err("a wrong code")
        .into_parts();
    assert!(matches!(error, Error::CodeMismatch), "{error:?}");
    let challenge = retry.expect("the same challenge, to answer again");

    // Past the client's AuthSessionValidity (3 minutes): the right code is too late.
    local.clock.advance(Duration::from_secs(4 * 60));
    let code = app.code_for_clock(&local.clock);
    let (error, _) = challenge
        .answer(&sign_in, code.expose_secret())
        .await
        .expect_err("an expired Session")
        .into_parts();
    assert!(matches!(error, Error::SessionExpired), "{error:?}");
}

/// `ManualClock` offsets, for the codes around now.
trait Around {
    fn now_minus(&self, by: Duration) -> std::time::SystemTime;
    fn now_plus(&self, secs: u64) -> std::time::SystemTime;
}

impl Around for ManualClock {
    fn now_minus(&self, by: Duration) -> std::time::SystemTime {
        cognito_mfa::clock::Clock::now(self) - by
    }
    fn now_plus(&self, secs: u64) -> std::time::SystemTime {
        cognito_mfa::clock::Clock::now(self) + Duration::from_secs(secs)
    }
}

#[tokio::test]
async fn every_user_gets_their_own_secret() {
    let local = local().await;
    let (pool_id, client_id) = set_up(&local, &["carol", "dave"]).await;
    let sign_in = SignIn::public(local.backend.clone(), &client_id)
        .clock(local.clock.clone())
        .build()
        .unwrap();
    let mut secrets = Vec::new();
    for user in ["carol", "dave"] {
        let SignInStep::Done(tokens) = sign_in
            .password(user, &Password::new(PASSWORD))
            .await
            .unwrap()
        else {
            panic!("tokens expected");
        };
        let associated = local
            .backend
            .associate_software_token(TokenAuth::AccessToken(tokens.access_token.clone()))
            .await
            .expect("AssociateSoftwareToken");
        let pool = local.server.pool(&pool_id).expect("the pool");
        assert_eq!(
            pool.user_secret(user).map(|s| s.expose_secret().to_owned()),
            Some(associated.secret_code.expose_secret().to_owned())
        );
        let settings = local
            .backend
            .get_user_mfa_settings(UserTarget::AccessToken(tokens.access_token))
            .await
            .expect("GetUser");
        assert_eq!(settings.username, user);
        secrets.push(associated.secret_code.expose_secret().to_owned());
    }
    assert_ne!(secrets[0], secrets[1]);
    assert!(secrets[0].len() >= 32, "160 bits of base32");
}

#[tokio::test]
async fn srp_sign_in_with_totp_over_http() {
    let local = local().await;
    let (pool_id, client_id) = set_up(&local, &["erin"]).await;
    let public = SignIn::public(local.backend.clone(), &client_id)
        .user_pool_id(&pool_id)
        .clock(local.clock.clone())
        .build()
        .unwrap();
    let secret = enroll(&local, &public, "erin").await;
    let step = public
        .password_srp("erin", &Password::new(PASSWORD))
        .await
        .expect("USER_SRP_AUTH, PASSWORD_VERIFIER");
    let SignInStep::TotpRequired(challenge) = step else {
        panic!("TOTP expected, got {:?}", step.challenge_name());
    };
    local.clock.advance(STEP);
    let code = Authenticator::new(&secret)
        .unwrap()
        .code_for_clock(&local.clock);
    let done = challenge
        .answer(&public, code.expose_secret())
        .await
        .unwrap();
    assert!(matches!(done, SignInStep::Done(_)));
    // A wrong password's proof is refused as Cognito refuses a wrong password.
    let error = public
        .password_srp("erin", &Password::new("Wr0ng-Passw0rd!"))
        .await
        .expect_err("a wrong password");
    assert!(matches!(error, Error::WrongCredentials), "{error:?}");
}

#[tokio::test]
async fn an_unknown_operation_is_named_in_cognitos_error_shape() {
    let local = local().await;
    let error = local
        .client
        .list_users()
        .user_pool_id("us-east-1_nothing")
        .send()
        .await
        .expect_err("not served");
    assert_eq!(error.code(), Some("UnknownOperationException"));
    let message = error.message().unwrap_or_default();
    assert!(
        message.contains("ListUsers") && message.contains("not implemented"),
        "{message}"
    );
    // An unknown pool: Cognito's ResourceNotFoundException, through the crate's mapping.
    let error = local
        .backend
        .get_user_pool_mfa_config("us-east-1_nothing".to_owned())
        .await
        .expect_err("no such pool");
    assert_eq!(error.service_code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn the_endpoint_stops_when_dropped() {
    let local = local().await;
    let addr = local.server.addr();
    drop(local);
    // The abort lands at the serving task's next await; give it a moment.
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{addr} still accepts connections");
}

#[ignore = "needs boto3: tests/run.sh installs and runs it"]
#[tokio::test(flavor = "multi_thread")]
async fn boto3_walkthrough() {
    let server = LocalCognito::start().await.expect("a local endpoint");
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = crate::common::moto::python_path(manifest_dir);
    let script = manifest_dir.join("tests/local/boto3_walkthrough.py");
    let endpoint = server.endpoint();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("LOCAL_COGNITO_ENDPOINT", endpoint)
            .env("PYTHONUNBUFFERED", "1")
            .output()
            .expect("python runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "boto3 walkthrough failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for line in [
        "pycognito SRP sign-in with TOTP: tokens",
        "pycognito device confirmed",
        "pycognito device sign-in without a code: tokens",
        "wrong device password refused: NotAuthorizedException",
        "USER_AUTH: SELECT_CHALLENGE with AvailableChallenges, then tokens",
        "USER_AUTH on LITE refused: FeatureUnavailableInTierException",
        "boto3 walkthrough: ok",
    ] {
        assert!(stdout.contains(line), "{line:?} not in:\n{stdout}");
    }
}

#[tokio::test]
async fn a_client_may_allow_flows_the_pool_does_not_serve_but_not_unknown_ones() {
    // Cognito takes ALLOW_CUSTOM_AUTH and ALLOW_USER_AUTH; the pool serves
    // neither, takes them too, and keeps the flows it serves (SRP here).
    let local = local().await;
    let pool_id = local
        .client
        .create_user_pool()
        .pool_name("flows")
        .send()
        .await
        .unwrap()
        .user_pool()
        .and_then(|p| p.id())
        .unwrap()
        .to_owned();
    let created = local
        .client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("console-default")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowCustomAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("Cognito's flow names are taken");
    let flows: Vec<&str> = created
        .user_pool_client()
        .unwrap()
        .explicit_auth_flows()
        .iter()
        .map(|f| f.as_str())
        .collect();
    assert!(flows.contains(&"ALLOW_USER_SRP_AUTH"), "{flows:?}");
    let error = local
        .client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("bogus")
        .explicit_auth_flows(ExplicitAuthFlowsType::from("ALLOW_BOGUS_AUTH"))
        .send()
        .await
        .expect_err("not a Cognito flow");
    assert_eq!(error.code(), Some("InvalidParameterException"));
}
