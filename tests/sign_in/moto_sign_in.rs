//! The sign-in state machine (`SignIn`, `SignInStep`, the challenges, `SavedChallenge`) against
//! moto through `SdkBackend`, with real TOTP codes: the admin and public password flows,
//! a wrong code tried again, NEW_PASSWORD_REQUIRED → MFA_SETUP on an ON pool, a refresh, a
//! client with a secret, a saved challenge resumed, and SRP (USER_SRP_AUTH) then TOTP.
//!
//! Where moto differs from Cognito the test asserts what moto does, with a
//! "moto: X; Cognito: Y" comment.

use std::time::Duration;

use crate::common::moto::{self, MOTO_TOTP_SECRET, MotoServer, TestPool};
use cognito_mfa::backend::{AuthTokens, MfaFactor};
use cognito_mfa::sign_in::{SavedChallenge, SignIn, SignInStep, TotpChallenge};
use cognito_mfa::{ClientSecret, Error, MfaEnrollment, Password, SdkBackend, TotpSecret, admin};

const PASSWORD: &str = "Passw0rd-1!";
const TEMP_PASSWORD: &str = "Temp-Passw0rd-1!";
const NEW_PASSWORD: &str = "New-Passw0rd-2!";

use crate::common::moto::{backend, fresh_code, wrong_code};

fn admin_sign_in(backend: &SdkBackend, pool: &TestPool) -> SignIn {
    let builder = SignIn::admin(backend.clone(), &pool.pool_id, &pool.client_id);
    match &pool.client_secret {
        Some(secret) => builder.client_secret(ClientSecret::new(secret.as_str())),
        None => builder,
    }
    .build()
    .expect("SignIn::admin")
}

fn public_sign_in(backend: &SdkBackend, pool: &TestPool) -> SignIn {
    let builder = SignIn::public(backend.clone(), &pool.client_id);
    match &pool.client_secret {
        Some(secret) => builder.client_secret(ClientSecret::new(secret.as_str())),
        None => builder,
    }
    .build()
    .expect("SignIn::public")
}

fn expect_tokens(step: SignInStep) -> AuthTokens {
    match step {
        SignInStep::Done(tokens) => tokens,
        other => panic!("expected tokens, got {:?}", other.challenge_name()),
    }
}

fn expect_totp(step: SignInStep) -> TotpChallenge {
    match step {
        SignInStep::TotpRequired(challenge) => challenge,
        other => panic!(
            "expected SOFTWARE_TOKEN_MFA, got {:?}",
            other.challenge_name()
        ),
    }
}

/// Creates `username` and enrolls TOTP for them (enabled and preferred) with the library's
/// self-service enrollment; returns the secret.
async fn enrolled_user(
    backend: &SdkBackend,
    pool: &TestPool,
    sign_in: &SignIn,
    username: &str,
) -> TotpSecret {
    pool.create_confirmed_user(username, PASSWORD).await;
    let tokens = expect_tokens(
        sign_in
            .password(username, &Password::new(PASSWORD))
            .await
            .expect("password step"),
    );
    let pending = MfaEnrollment::new("Example")
        .start_with_access_token(backend, tokens.access_token)
        .await
        .expect("AssociateSoftwareToken");
    let secret = pending.secret().clone();
    let code = fresh_code(&secret).await;
    let enrolled = pending.verify(backend, &code).await.expect("verified");
    assert!(enrolled.totp_preferred());
    secret
}

fn assert_full_tokens(tokens: &AuthTokens) {
    assert!(!tokens.access_token.expose_secret().is_empty());
    assert!(tokens.id_token.is_some());
    assert!(tokens.refresh_token.is_some());
    assert_eq!(tokens.token_type, "Bearer");
    assert!(tokens.expires_in > Duration::ZERO);
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn admin_password_flow_with_totp() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let sign_in = admin_sign_in(&backend, &pool);
    let secret = enrolled_user(&backend, &pool, &sign_in, "alice").await;

    let challenge = expect_totp(
        sign_in
            .password("alice", &Password::new(PASSWORD))
            .await
            .expect("AdminInitiateAuth"),
    );
    assert_eq!(challenge.username(), "alice");
    // moto: empty ChallengeParameters; Cognito: FRIENDLY_DEVICE_NAME when one was given.
    assert_eq!(challenge.friendly_device_name(), None);

    let code = fresh_code(&secret).await;
    let tokens = expect_tokens(challenge.answer(&sign_in, &code).await.expect("the code"));
    assert_full_tokens(&tokens);
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn public_password_flow_with_totp() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let sign_in = public_sign_in(&backend, &pool);
    let secret = enrolled_user(&backend, &pool, &sign_in, "bob").await;

    let challenge = expect_totp(
        sign_in
            .password("bob", &Password::new(PASSWORD))
            .await
            .expect("InitiateAuth"),
    );
    assert_eq!(challenge.username(), "bob");

    let code = fresh_code(&secret).await;
    let tokens = expect_tokens(challenge.answer(&sign_in, &code).await.expect("the code"));
    assert_full_tokens(&tokens);
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn a_wrong_code_is_tried_again_on_the_same_challenge() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let sign_in = admin_sign_in(&backend, &pool);
    let secret = enrolled_user(&backend, &pool, &sign_in, "carol").await;

    let challenge = expect_totp(
        sign_in
            .password("carol", &Password::new(PASSWORD))
            .await
            .expect("AdminInitiateAuth"),
    );
    // moto: CodeMismatchException "MFA Code Mismatch", and the Session survives it (how many
    // wrong codes a Cognito Session takes is not documented).
    let rejected = challenge
        .answer(&sign_in, &wrong_code(&secret))
        .await
        .expect_err("a wrong code");
    assert!(
        matches!(rejected.error(), Error::CodeMismatch),
        "{rejected:?}"
    );
    let challenge = rejected.retry().expect("the same challenge");
    assert_eq!(challenge.username(), "carol");

    let code = fresh_code(&secret).await;
    let tokens = expect_tokens(
        challenge
            .answer(&sign_in, &code)
            .await
            .expect("the right code"),
    );
    assert_full_tokens(&tokens);
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn admin_created_user_sets_a_password_then_sets_up_totp() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "ON", false).await;
    pool.create_user_with_temp_password("dave", TEMP_PASSWORD)
        .await;
    let sign_in = admin_sign_in(&backend, &pool);

    let step = sign_in
        .password("dave", &Password::new(TEMP_PASSWORD))
        .await
        .expect("AdminInitiateAuth");
    let SignInStep::NewPasswordRequired(new_password) = step else {
        panic!(
            "expected NEW_PASSWORD_REQUIRED, got {:?}",
            step.challenge_name()
        );
    };
    // moto: empty ChallengeParameters; Cognito: requiredAttributes and userAttributes.
    assert!(new_password.required_attributes().is_empty());
    assert_eq!(new_password.username(), "dave");

    let step = new_password
        .answer(&sign_in, &Password::new(NEW_PASSWORD), &[])
        .await
        .expect("the new password");
    let SignInStep::MfaSetupRequired(setup) = step else {
        panic!("expected MFA_SETUP, got {:?}", step.challenge_name());
    };
    // The launcher sends MFAS_CAN_SETUP as JSON text in a string, as Cognito does (unpatched
    // moto sends a JSON array, which the SDK refuses).
    assert_eq!(setup.can_set_up(), [MfaFactor::SoftwareToken]);

    let pending = setup
        .start_totp(&sign_in, MfaEnrollment::new("Example"))
        .await
        .expect("AssociateSoftwareToken with the Session");
    assert_eq!(pending.username(), "dave");
    assert_eq!(pending.enrollment().account_name(), "dave");
    assert_eq!(
        pending.enrollment().secret().expose_secret(),
        MOTO_TOTP_SECRET
    );
    assert!(pending.enrollment().uri().contains("secret=ASDFASDFASDF"));

    let code = fresh_code(pending.enrollment().secret()).await;
    let tokens = expect_tokens(pending.verify(&sign_in, &code).await.expect("verified"));
    assert_full_tokens(&tokens);

    // The account is confirmed with the new password. moto: answering MFA_SETUP leaves TOTP
    // verified but not enabled, so the admin flow (which challenges only when TOTP is enabled
    // and preferred) signs straight in; the public flow challenges because the pool is ON and
    // the token verified. Cognito: MFA_SETUP enables TOTP, and both flows ask for a code.
    let status = admin::admin_mfa_status(&backend, &pool.pool_id, "dave")
        .await
        .expect("AdminGetUser");
    assert!(status.enabled.is_empty(), "{status:?}");
    let again = sign_in
        .password("dave", &Password::new(NEW_PASSWORD))
        .await
        .expect("AdminInitiateAuth");
    assert!(matches!(again, SignInStep::Done(_)), "{again:?}");
    let public = public_sign_in(&backend, &pool);
    let challenge = expect_totp(
        public
            .password("dave", &Password::new(NEW_PASSWORD))
            .await
            .expect("InitiateAuth"),
    );
    let code = fresh_code(&TotpSecret::new(MOTO_TOTP_SECRET)).await;
    expect_tokens(challenge.answer(&public, &code).await.expect("the code"));
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn public_mfa_setup_with_a_wrong_code_first() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "ON", false).await;
    pool.create_user_with_temp_password("erin", TEMP_PASSWORD)
        .await;
    let sign_in = public_sign_in(&backend, &pool);

    let step = sign_in
        .password("erin", &Password::new(TEMP_PASSWORD))
        .await
        .expect("InitiateAuth");
    let SignInStep::NewPasswordRequired(new_password) = step else {
        panic!(
            "expected NEW_PASSWORD_REQUIRED, got {:?}",
            step.challenge_name()
        );
    };
    let step = new_password
        .answer(&sign_in, &Password::new(NEW_PASSWORD), &[])
        .await
        .expect("the new password");
    let SignInStep::MfaSetupRequired(setup) = step else {
        panic!("expected MFA_SETUP, got {:?}", step.challenge_name());
    };
    let pending = setup
        .start_totp(&sign_in, MfaEnrollment::new("Example"))
        .await
        .expect("AssociateSoftwareToken with the Session");

    // moto: CodeMismatchException "Code mismatch (None)" (no device name was given);
    // Cognito: EnableSoftwareTokenMFAException.
    let wrong = wrong_code(pending.enrollment().secret());
    let rejected = pending
        .verify(&sign_in, &wrong)
        .await
        .expect_err("a wrong code");
    assert!(
        matches!(rejected.error(), Error::CodeMismatch),
        "{rejected:?}"
    );
    let pending = rejected.retry().expect("the same MFA setup");

    let code = fresh_code(pending.enrollment().secret()).await;
    let tokens = expect_tokens(pending.verify(&sign_in, &code).await.expect("verified"));
    assert_full_tokens(&tokens);
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn refresh_returns_new_tokens() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let admin = admin_sign_in(&backend, &pool);
    let public = public_sign_in(&backend, &pool);
    let secret = enrolled_user(&backend, &pool, &admin, "fay").await;

    let challenge = expect_totp(
        admin
            .password("fay", &Password::new(PASSWORD))
            .await
            .expect("AdminInitiateAuth"),
    );
    let code = fresh_code(&secret).await;
    let tokens = expect_tokens(challenge.answer(&admin, &code).await.expect("the code"));
    let refresh_token = tokens.refresh_token.clone().expect("a refresh token");

    for sign_in in [&admin, &public] {
        let refreshed = sign_in
            .refresh(&refresh_token, None)
            .await
            .unwrap_or_else(|e| panic!("{sign_in:?}: {e:?}"));
        assert_ne!(
            refreshed.access_token.expose_secret(),
            tokens.access_token.expose_secret()
        );
        assert!(refreshed.id_token.is_some());
        // A refresh brings no new refresh token.
        assert!(refreshed.refresh_token.is_none());
        assert_eq!(refreshed.token_type, "Bearer");

        // The new access token works.
        let status = admin::mfa_status(&backend, &refreshed.access_token)
            .await
            .expect("GetUser");
        assert_eq!(status.username, "fay");
    }
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn a_client_with_a_secret_end_to_end() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", true).await;
    let secret = pool.client_secret.clone().expect("a client secret");

    // The public flow: moto checks SECRET_HASH at the SOFTWARE_TOKEN_MFA answer and at
    // REFRESH_TOKEN_AUTH (not at USER_PASSWORD_AUTH's InitiateAuth, where Cognito checks it).
    let sign_in = SignIn::public(backend.clone(), &pool.client_id)
        .client_secret(ClientSecret::new(secret.as_str()))
        .build()
        .expect("SignIn with moto's client secret");
    let totp = enrolled_user(&backend, &pool, &sign_in, "gina").await;

    let challenge = expect_totp(
        sign_in
            .password("gina", &Password::new(PASSWORD))
            .await
            .expect("InitiateAuth"),
    );
    let code = fresh_code(&totp).await;
    let tokens = expect_tokens(
        challenge
            .answer(&sign_in, &code)
            .await
            .expect("the code, with SECRET_HASH"),
    );
    assert_full_tokens(&tokens);

    // A refresh with a secret needs the user name for SECRET_HASH.
    let refresh_token = tokens.refresh_token.expect("a refresh token");
    let missing = sign_in
        .refresh(&refresh_token, None)
        .await
        .expect_err("no user name for SECRET_HASH");
    assert!(matches!(missing, Error::InvalidInput(_)), "{missing:?}");
    let refreshed = sign_in
        .refresh(&refresh_token, Some("gina"))
        .await
        .expect("REFRESH_TOKEN_AUTH with SECRET_HASH");
    assert!(!refreshed.access_token.expose_secret().is_empty());

    // The admin flow with the same client.
    let admin = admin_sign_in(&backend, &pool);
    let challenge = expect_totp(
        admin
            .password("gina", &Password::new(PASSWORD))
            .await
            .expect("AdminInitiateAuth"),
    );
    let code = fresh_code(&totp).await;
    expect_tokens(challenge.answer(&admin, &code).await.expect("the code"));

    // Without the secret. moto: InitiateAuth(USER_PASSWORD_AUTH) does not check SECRET_HASH,
    // so the TOTP challenge comes, and its answer is refused with NotAuthorizedException and an
    // empty message, a plain service error here that ends the sign-in. Cognito refuses the
    // password step: NotAuthorizedException "Unable to verify secret hash for client ..."
    // (Error::SecretHashMismatch).
    let no_secret = SignIn::public(backend.clone(), &pool.client_id)
        .build()
        .expect("SignIn");
    let challenge = expect_totp(
        no_secret
            .password("gina", &Password::new(PASSWORD))
            .await
            .expect("moto: InitiateAuth without SECRET_HASH"),
    );
    let code = fresh_code(&totp).await;
    let rejected = challenge
        .answer(&no_secret, &code)
        .await
        .expect_err("no SECRET_HASH");
    assert_eq!(
        rejected.error().service_code(),
        Some("NotAuthorizedException"),
        "{rejected:?}"
    );
    assert!(rejected.retry().is_none());
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn a_saved_challenge_is_resumed_and_answered() {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let sign_in = admin_sign_in(&backend, &pool);
    let secret = enrolled_user(&backend, &pool, &sign_in, "hank").await;

    let step = sign_in
        .password("hank", &Password::new(PASSWORD))
        .await
        .expect("AdminInitiateAuth");
    assert_eq!(step.challenge_name(), Some("SOFTWARE_TOKEN_MFA"));
    let saved = step.into_saved().expect("a pending challenge");
    assert_eq!(saved.challenge_name(), "SOFTWARE_TOKEN_MFA");
    assert_eq!(saved.username(), "hank");
    let json = serde_json::to_string(&saved).expect("serialize");
    drop(saved);

    // Another request, another instance: a new backend and SignIn for the same client.
    let other_backend = SdkBackend::from_conf(&MotoServer::shared().sdk_config().await);
    let other = admin_sign_in(&other_backend, &pool);
    let saved: SavedChallenge = serde_json::from_str(&json).expect("deserialize");
    let challenge = expect_totp(other.resume(saved).expect("resumed"));
    assert_eq!(challenge.username(), "hank");

    let code = fresh_code(&secret).await;
    let tokens = expect_tokens(challenge.answer(&other, &code).await.expect("the code"));
    assert_full_tokens(&tokens);

    // A saved challenge belongs to its app client: a SignIn for another client refuses it.
    let step = sign_in
        .password("hank", &Password::new(PASSWORD))
        .await
        .expect("AdminInitiateAuth");
    let json = serde_json::to_string(&step.into_saved().expect("pending")).expect("serialize");
    let (client_id, _) = moto::create_app_client_with_flows(
        &pool.client,
        &pool.pool_id,
        &[aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowAdminUserPasswordAuth],
        false,
    )
    .await;
    let foreign = SignIn::admin(backend.clone(), &pool.pool_id, client_id)
        .build()
        .expect("SignIn");
    let refused = foreign
        .resume(serde_json::from_str(&json).expect("deserialize"))
        .expect_err("another client's challenge");
    assert!(matches!(refused, Error::InvalidInput(_)), "{refused:?}");
}

// ---------------------------------------------------------------------------------------------
// SRP (USER_SRP_AUTH) then TOTP
//
// moto checks no SRP proof: its SRP_B and SALT are random hex, not a real B, and it accepts any
// PASSWORD_CLAIM_SIGNATURE (TIMESTAMP and signature are only checked for presence). So these
// tests prove the wire protocol over HTTP through `SdkBackend` (InitiateAuth with USERNAME and
// SRP_A, moto's PASSWORD_VERIFIER parameters taken as they come, its uuid SECRET_BLOCK echoed,
// the answer under the canonical USERNAME rather than USER_ID_FOR_SRP, SECRET_HASH where moto
// checks it, and the person's step after it), not the maths: that the proof is right is
// cross-checked against pycognito in src/srp, and against the module's own server side.

/// A public-client sign-in over SRP: the pool id given, for the proof.
fn public_srp_sign_in(backend: &SdkBackend, pool: &TestPool) -> SignIn {
    let builder = SignIn::public(backend.clone(), &pool.client_id).user_pool_id(&pool.pool_id);
    match &pool.client_secret {
        Some(secret) => builder.client_secret(ClientSecret::new(secret.as_str())),
        None => builder,
    }
    .build()
    .expect("SignIn::public with the pool id")
}

/// USER_SRP_AUTH → PASSWORD_VERIFIER (answered by the library) → SOFTWARE_TOKEN_MFA, a wrong
/// code tried again on the same challenge, then a real code → tokens.
async fn srp_then_totp(generate_secret: bool, username: &str) {
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", generate_secret).await;
    let secret = pool.create_user_with_totp(username, PASSWORD).await;
    let sign_in = public_srp_sign_in(&backend, &pool);

    // PASSWORD_VERIFIER never reaches the caller: the first step is the person's.
    let challenge = expect_totp(
        sign_in
            .password_srp(username, &Password::new(PASSWORD))
            .await
            .expect("InitiateAuth USER_SRP_AUTH, then PASSWORD_VERIFIER"),
    );
    // moto: USER_ID_FOR_SRP is the user's sub, and only the user name is accepted as USERNAME
    // in the answers; Cognito: the two are the same. The challenge names the user by USERNAME.
    assert_eq!(challenge.username(), username);

    let rejected = challenge
        .answer(&sign_in, &wrong_code(&secret))
        .await
        .expect_err("a wrong code");
    assert!(
        matches!(rejected.error(), Error::CodeMismatch),
        "{rejected:?}"
    );
    let challenge = rejected.retry().expect("the same challenge");

    let code = fresh_code(&secret).await;
    let tokens = expect_tokens(challenge.answer(&sign_in, &code).await.expect("the code"));
    assert_full_tokens(&tokens);

    // The access token is the user's.
    let status = admin::mfa_status(&backend, &tokens.access_token)
        .await
        .expect("GetUser");
    assert_eq!(status.username, username);
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn public_srp_flow_with_totp() {
    srp_then_totp(false, "ivy").await;
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn public_srp_flow_with_a_client_secret_and_totp() {
    // moto checks SECRET_HASH at InitiateAuth USER_SRP_AUTH and at the SOFTWARE_TOKEN_MFA answer
    // (not at PASSWORD_VERIFIER); Cognito checks it at every step.
    srp_then_totp(true, "jack").await;

    // Without the secret, moto refuses the very first call: NotAuthorizedException with no
    // useful message, a plain service error here. Cognito: "Unable to verify secret hash for
    // client ..." (Error::SecretHashMismatch).
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", true).await;
    pool.create_user_with_totp("kim", PASSWORD).await;
    let no_secret = SignIn::public(backend, &pool.client_id)
        .user_pool_id(&pool.pool_id)
        .build()
        .expect("SignIn");
    let refused = no_secret
        .password_srp("kim", &Password::new(PASSWORD))
        .await
        .expect_err("no SECRET_HASH");
    assert_eq!(
        refused.service_code(),
        Some("NotAuthorizedException"),
        "{refused:?}"
    );
}

#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn admin_srp_is_refused_by_moto() {
    // moto: AdminInitiateAuth refuses USER_SRP_AUTH (InvalidParameterException "Initiate Auth
    // method not supported"); Cognito: accepts it and answers PASSWORD_VERIFIER, which the
    // library answers as on the public API (tests/sign_in/srp.rs, against a script).
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    pool.create_confirmed_user("lou", PASSWORD).await;
    let refused = admin_sign_in(&backend, &pool)
        .password_srp("lou", &Password::new(PASSWORD))
        .await
        .expect_err("moto refuses USER_SRP_AUTH on the admin API");
    assert_eq!(
        refused.service_code(),
        Some("InvalidParameterException"),
        "{refused:?}"
    );
    assert!(!format!("{refused:?}").contains(PASSWORD), "{refused:?}");
}

/// moto and remembered devices: a pool given a DeviceConfiguration still signs in without
/// NewDeviceMetadata, and every device call answers HTTP 500 with a body that is not Cognito's,
/// which `SdkBackend` reports as an unreadable answer, never as success. moto: no device tracking;
/// Cognito: NewDeviceMetadata and the device calls (shown on the in-memory pool and the local
/// endpoint in `devices.rs`).
#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn moto_tracks_no_devices() {
    use aws_sdk_cognitoidentityprovider::types::DeviceConfigurationType;
    use cognito_mfa::TransportKind;
    use cognito_mfa::backend::{DeviceRememberedStatus, UserTarget};
    use cognito_mfa::device;

    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    pool.client
        .update_user_pool()
        .user_pool_id(&pool.pool_id)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        )
        .send()
        .await
        .expect("UpdateUserPool");
    pool.create_confirmed_user("dev", PASSWORD).await;
    let tokens = expect_tokens(
        admin_sign_in(&backend, &pool)
            .password("dev", &Password::new(PASSWORD))
            .await
            .expect("password"),
    );
    assert!(
        tokens.new_device.is_none(),
        "moto sends no NewDeviceMetadata"
    );

    let own = UserTarget::AccessToken(tokens.access_token.clone());
    let key = "us-east-1_00000000-1111-2222-3333-444444444444";
    let results = [
        device::list_all(&backend, own.clone()).await.map(|_| ()),
        device::get(&backend, own.clone(), key).await.map(|_| ()),
        device::forget(&backend, own.clone(), key).await,
        device::set_status(&backend, own, key, DeviceRememberedStatus::Remembered).await,
    ];
    for result in results {
        // moto's 500 carries a Python traceback, not Cognito's JSON: an answer that can't be
        // read is reported by its status alone (its body could hold a secret).
        match result {
            Err(Error::Transport(t)) => {
                assert_eq!(t.kind(), TransportKind::BadResponse, "{t}");
                assert!(t.to_string().contains("HTTP status 500"), "{t}");
            }
            other => panic!("moto answers device calls with HTTP 500: {other:?}"),
        }
    }
}

/// moto refuses USER_AUTH: a typed error, never a silent success. moto: InvalidParameterException,
/// USER_AUTH not in its AuthFlow enum (it knows no choice-based sign-in); Cognito: SELECT_CHALLENGE (shown on the in-memory
/// pool and the local endpoint in `user_auth.rs`).
#[ignore = "needs moto: tests/run.sh installs and runs it"]
#[tokio::test]
async fn moto_refuses_user_auth() {
    use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
    let backend = backend().await;
    let pool = TestPool::new(MotoServer::shared(), "OPTIONAL", false).await;
    let (client_id, _) = moto::create_app_client_with_flows(
        &pool.client,
        &pool.pool_id,
        &[ExplicitAuthFlowsType::AllowUserAuth],
        false,
    )
    .await;
    pool.create_confirmed_user("uma", PASSWORD).await;
    let sign_in = SignIn::public(backend, client_id).build().unwrap();
    let refused = sign_in.user_auth("uma", None).await;
    match refused {
        Err(Error::Service { operation, error }) => {
            assert_eq!(operation, cognito_mfa::Operation::InitiateAuth);
            assert_eq!(error.code(), "InvalidParameterException");
            assert!(
                error.to_string().contains("'USER_AUTH' at 'authFlow'"),
                "{error}"
            );
        }
        Err(other) => panic!("moto's refusal, typed otherwise: {other:?}"),
        Ok(step) => panic!("moto accepted USER_AUTH: {:?}", step.challenge_name()),
    }
}
