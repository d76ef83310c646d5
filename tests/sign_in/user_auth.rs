//! USER_AUTH, choice-based sign-in, and email as a second factor. Each scenario runs on the
//! in-memory pool directly and over HTTP through `LocalCognito` and `SdkBackend` (moto refuses
//! USER_AUTH). The codes the pool "sends" are read from its outbox. WEB_AUTHN, which the pool
//! does not model (it keeps no passkeys), is shown against a script.

use super::scenarios::{Backing, Env, PASSWORD, Peer, enroll, tokens_of};
use cognito_mfa::backend::{
    AuthFlow, AuthResponse, AuthTokens, ChallengeName, FactorPreference, MfaFactor, PoolMfaConfig,
    PoolMfaMode, UserPoolTier,
};
use cognito_mfa::sign_in::{FirstFactor, FirstFactorKind, SignIn, SignInStep};
use cognito_mfa::testing::{
    ClientOptions, Decision, InMemoryPool, Intercept, ManualClock, ScriptedBackend,
};
use cognito_mfa::{Error, Field, Password, Session, TotpSecret, admin, preflight};
use std::collections::BTreeMap;
use std::sync::Arc;

fn pool(env: &Env) -> &InMemoryPool {
    match &env.backing {
        Backing::InMemory { pool, .. } => pool,
        Backing::Moto { .. } => unreachable!("USER_AUTH scenarios run on the in-memory pool"),
    }
}

fn clock(env: &Env) -> ManualClock {
    match &env.backing {
        Backing::InMemory { clock, .. } => clock.clone(),
        Backing::Moto { .. } => unreachable!(),
    }
}

/// An OPTIONAL pool with TOTP and email MFA, allowing `factors` first; a client allowing
/// USER_AUTH; a public sign-in on it (with the pool id, for PASSWORD_SRP).
async fn setup(peer: Peer, factors: &[&str]) -> (Env, SignIn) {
    let env = peer.setup(PoolMfaMode::Optional, false).await;
    let p = pool(&env);
    p.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true).with_email(true));
    p.set_first_auth_factors(factors).unwrap();
    let client = p
        .create_client(ClientOptions::new().explicit_auth_flows([
            AuthFlow::UserAuth,
            AuthFlow::AdminUserPassword,
            AuthFlow::RefreshToken,
        ]))
        .unwrap();
    let sign_in = SignIn::public(Arc::clone(&env.backend), client.client_id)
        .user_pool_id(&env.pool_id)
        .clock(clock(&env))
        .build()
        .unwrap();
    (env, sign_in)
}

/// `user` with an email address and TOTP enrolled (enabled, preferred).
async fn user_with_totp(env: &Env, user: &str) -> TotpSecret {
    env.create_user(user, PASSWORD).await;
    pool(env)
        .set_user_attribute(user, "email", format!("{user}@example.com"))
        .unwrap();
    enroll(env, &env.admin_sign_in(), user, &mut Vec::new()).await
}

async fn answer_totp(
    env: &Env,
    sign_in: &SignIn,
    step: SignInStep,
    secret: &TotpSecret,
) -> AuthTokens {
    let SignInStep::TotpRequired(challenge) = step else {
        panic!(
            "expected SOFTWARE_TOKEN_MFA, got {:?}",
            step.challenge_name()
        );
    };
    let code = env.next_code(secret).await;
    tokens_of(challenge.answer(sign_in, &code).await.expect("the code"))
}

fn select(step: SignInStep) -> cognito_mfa::sign_in::SelectChallenge {
    match step {
        SignInStep::SelectChallenge(select) => select,
        other => panic!(
            "expected SELECT_CHALLENGE, got {:?}",
            other.challenge_name()
        ),
    }
}

// ----------------------------------------------------------------------------------------------

/// USER_AUTH → SELECT_CHALLENGE (a user with MFA is offered the password factors only) →
/// PASSWORD → SOFTWARE_TOKEN_MFA → tokens.
async fn password_then_totp(peer: Peer) {
    let (env, sign_in) = setup(peer, &["PASSWORD", "EMAIL_OTP"]).await;
    let secret = user_with_totp(&env, "ana").await;
    let choice = select(sign_in.user_auth("ana", None).await.expect("USER_AUTH"));
    assert_eq!(
        choice.choices(),
        [FirstFactorKind::Password, FirstFactorKind::PasswordSrp],
        "no passwordless choice for a user with MFA"
    );
    let password = Password::new(PASSWORD);
    let step = choice
        .choose(&sign_in, FirstFactor::Password(&password))
        .await
        .expect("PASSWORD");
    answer_totp(&env, &sign_in, step, &secret).await;
}

#[tokio::test]
async fn password_then_totp_in_memory() {
    password_then_totp(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn password_then_totp_local() {
    password_then_totp(Peer::Local).await;
}

/// PASSWORD_SRP, chosen at SELECT_CHALLENGE and as the preferred factor: the library answers
/// PASSWORD_VERIFIER, then SOFTWARE_TOKEN_MFA → tokens. A wrong password over SRP is refused.
async fn password_srp_then_totp(peer: Peer) {
    let (env, sign_in) = setup(peer, &["PASSWORD"]).await;
    let secret = user_with_totp(&env, "ben").await;
    let password = Password::new(PASSWORD);

    let choice = select(sign_in.user_auth("ben", None).await.unwrap());
    let step = choice
        .choose(&sign_in, FirstFactor::PasswordSrp(&password))
        .await
        .expect("PASSWORD_SRP then PASSWORD_VERIFIER");
    answer_totp(&env, &sign_in, step, &secret).await;

    let step = sign_in
        .user_auth("ben", Some(FirstFactor::PasswordSrp(&password)))
        .await
        .expect("PREFERRED_CHALLENGE=PASSWORD_SRP");
    answer_totp(&env, &sign_in, step, &secret).await;

    let wrong = sign_in
        .user_auth(
            "ben",
            Some(FirstFactor::PasswordSrp(&Password::new("Wr0ng-pass!"))),
        )
        .await;
    assert!(matches!(wrong, Err(Error::WrongCredentials)), "{wrong:?}");
}

#[tokio::test]
async fn password_srp_then_totp_in_memory() {
    password_srp_then_totp(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn password_srp_then_totp_local() {
    password_srp_then_totp(Peer::Local).await;
}

/// A user without MFA signs in with an email code alone: EMAIL_OTP offered, chosen, the code
/// read from the outbox; a wrong code hands the challenge back. Preferring EMAIL_OTP goes
/// straight to the code.
async fn email_code_first_factor(peer: Peer) {
    let (env, sign_in) = setup(peer, &["PASSWORD", "EMAIL_OTP"]).await;
    env.create_user("cy", PASSWORD).await;
    pool(&env)
        .set_user_attribute("cy", "email", "cy@example.com")
        .unwrap();
    let choice = select(sign_in.user_auth("cy", None).await.unwrap());
    assert!(choice.choices().contains(&FirstFactorKind::EmailOtp));
    let step = choice
        .choose(&sign_in, FirstFactor::EmailOtp)
        .await
        .expect("EMAIL_OTP chosen");
    let SignInStep::CodeRequired(code_step) = step else {
        panic!("expected EMAIL_OTP, got {:?}", step.challenge_name());
    };
    assert_eq!(code_step.destination(), Some("c***@e***"));
    let sent = pool(&env).last_message_to("cy").expect("a code was sent");
    assert!(sent.first_factor);
    assert_eq!(sent.medium, MfaFactor::Email);
    assert_eq!(sent.destination, "cy@example.com");
    let wrong = code_step.answer(&sign_in, "00000000").await.unwrap_err();
    assert!(matches!(wrong.error(), Error::CodeMismatch));
    let code_step = wrong.retry().expect("the same step back");
    let tokens = tokens_of(
        code_step
            .answer(&sign_in, sent.code.expose_secret())
            .await
            .expect("the emailed code"),
    );
    assert!(tokens.refresh_token.is_some());

    let step = sign_in
        .user_auth("cy", Some(FirstFactor::EmailOtp))
        .await
        .unwrap();
    assert_eq!(step.challenge_name(), Some("EMAIL_OTP"));
}

#[tokio::test]
async fn email_code_first_factor_in_memory() {
    email_code_first_factor(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn email_code_first_factor_local() {
    email_code_first_factor(Peer::Local).await;
}

/// A SELECT_CHALLENGE rebuilt from its parts (what a command-line tool holds) knows no
/// AvailableChallenges: `choices()` is empty and `choose` sends any factor for Cognito to judge.
/// EMAIL_OTP goes on to the code for a user it is offered to; for a user with MFA the pool
/// refuses it (a service error, not the library's local refusal).
async fn select_challenge_resumed_from_parts(peer: Peer) {
    let (env, sign_in) = setup(peer, &["PASSWORD", "EMAIL_OTP"]).await;
    env.create_user("gil", PASSWORD).await;
    pool(&env)
        .set_user_attribute("gil", "email", "gil@example.com")
        .unwrap();
    let _secret = user_with_totp(&env, "hal").await;
    let resumed = |saved: cognito_mfa::sign_in::SavedChallenge| {
        select(
            sign_in
                .resume_parts(
                    "SELECT_CHALLENGE",
                    saved.session().clone(),
                    saved.username(),
                )
                .expect("rebuilt from its parts"),
        )
    };

    let saved = sign_in
        .user_auth("gil", None)
        .await
        .unwrap()
        .into_saved()
        .unwrap();
    assert!(
        saved
            .available_challenges()
            .contains(&"EMAIL_OTP".to_owned())
    );
    let choice = resumed(saved);
    assert!(choice.choices().is_empty(), "{:?}", choice.choices());
    let step = choice
        .choose(&sign_in, FirstFactor::EmailOtp)
        .await
        .expect("sent, not refused locally");
    assert_eq!(step.challenge_name(), Some("EMAIL_OTP"));
    assert!(pool(&env).last_message_to("gil").is_some());

    let saved = sign_in
        .user_auth("hal", None)
        .await
        .unwrap()
        .into_saved()
        .unwrap();
    assert!(
        !saved
            .available_challenges()
            .contains(&"EMAIL_OTP".to_owned())
    );
    let refused = resumed(saved)
        .choose(&sign_in, FirstFactor::EmailOtp)
        .await
        .unwrap_err();
    assert!(
        matches!(refused.error(), Error::Service { .. }),
        "the pool's refusal: {:?}",
        refused.error()
    );
    assert!(pool(&env).last_message_to("hal").is_none(), "no code sent");
}

#[tokio::test]
async fn select_challenge_resumed_from_parts_in_memory() {
    select_challenge_resumed_from_parts(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn select_challenge_resumed_from_parts_local() {
    select_challenge_resumed_from_parts(Peer::Local).await;
}

/// Email as a second factor: turned on by the user (not preferred), it sits beside TOTP, so a
/// password sign-in meets SELECT_MFA_TYPE; EMAIL_OTP chosen, the code from the outbox → tokens.
/// Then preferred by an administrator: EMAIL_OTP comes at once. MFA status shows it.
async fn email_mfa_at_select_mfa_type(peer: Peer) {
    let (env, sign_in) = setup(peer, &["PASSWORD"]).await;
    let secret = user_with_totp(&env, "dot").await;
    let password = Password::new(PASSWORD);
    let tokens = answer_totp(
        &env,
        &sign_in,
        sign_in
            .user_auth("dot", Some(FirstFactor::Password(&password)))
            .await
            .unwrap(),
        &secret,
    )
    .await;
    // Both enabled, neither preferred: Cognito asks which.
    admin::set_preference(
        env.backend(),
        &tokens.access_token,
        MfaFactor::Email,
        FactorPreference::new(true, false),
    )
    .await
    .expect("email MFA on");
    admin::set_totp_preference(
        env.backend(),
        &tokens.access_token,
        FactorPreference::new(true, false),
    )
    .await
    .unwrap();
    let status = admin::mfa_status(env.backend(), &tokens.access_token)
        .await
        .unwrap();
    assert!(status.email_enabled() && status.totp_enabled() && status.preferred.is_none());

    let step = sign_in
        .user_auth("dot", Some(FirstFactor::Password(&password)))
        .await
        .unwrap();
    let SignInStep::SelectMfaType(mfa) = step else {
        panic!("expected SELECT_MFA_TYPE, got {:?}", step.challenge_name());
    };
    assert!(
        mfa.choices().contains(&MfaFactor::Email),
        "{:?}",
        mfa.choices()
    );
    let SignInStep::CodeRequired(code) = mfa.choose(&sign_in, MfaFactor::Email).await.unwrap()
    else {
        panic!("expected EMAIL_OTP");
    };
    assert_eq!(code.factor(), Some(MfaFactor::Email));
    let sent = pool(&env).last_message_to("dot").unwrap();
    assert!(!sent.first_factor, "a second factor's code");
    tokens_of(
        code.answer(&sign_in, sent.code.expose_secret())
            .await
            .unwrap(),
    );

    admin::admin_set_preference(
        env.backend(),
        &env.pool_id,
        "dot",
        MfaFactor::Email,
        FactorPreference::new(true, true),
    )
    .await
    .expect("AdminSetUserMFAPreference email");
    let status = admin::admin_mfa_status(env.backend(), &env.pool_id, "dot")
        .await
        .unwrap();
    assert!(status.email_preferred());
    let step = sign_in
        .user_auth("dot", Some(FirstFactor::Password(&password)))
        .await
        .unwrap();
    assert_eq!(step.challenge_name(), Some("EMAIL_OTP"));
}

#[tokio::test]
async fn email_mfa_at_select_mfa_type_in_memory() {
    email_mfa_at_select_mfa_type(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn email_mfa_at_select_mfa_type_local() {
    email_mfa_at_select_mfa_type(Peer::Local).await;
}

/// Each refusal, typed: a Lite pool (USER_AUTH, and email MFA), a client without
/// ALLOW_USER_AUTH, a factor not offered (refused locally, the challenge handed back), a
/// preferred factor not offered (SELECT_CHALLENGE instead), a wrong password, an unknown user.
async fn refusals(peer: Peer) {
    let (env, sign_in) = setup(peer, &["PASSWORD", "EMAIL_OTP"]).await;
    let _secret = user_with_totp(&env, "eve").await;
    let password = Password::new(PASSWORD);

    let choice = select(sign_in.user_auth("eve", None).await.unwrap());
    let refused = choice
        .choose(&sign_in, FirstFactor::EmailOtp)
        .await
        .unwrap_err();
    assert!(
        matches!(refused.error(), Error::InvalidInput(i) if i.field() == Field::Challenge),
        "{:?}",
        refused.error()
    );
    assert!(refused.retry().is_some(), "the same choice handed back");

    let step = sign_in
        .user_auth("eve", Some(FirstFactor::EmailOtp))
        .await
        .unwrap();
    assert_eq!(
        step.challenge_name(),
        Some("SELECT_CHALLENGE"),
        "not offered to a user with MFA"
    );

    let wrong = sign_in
        .user_auth(
            "eve",
            Some(FirstFactor::Password(&Password::new("Wr0ng-pass!"))),
        )
        .await;
    assert!(matches!(wrong, Err(Error::WrongCredentials)), "{wrong:?}");
    let nobody = sign_in.user_auth("nobody", None).await;
    assert!(matches!(nobody, Err(Error::UserNotFound)), "{nobody:?}");

    let no_flow = SignIn::public(Arc::clone(&env.backend), &env.client_id)
        .build()
        .unwrap()
        .user_auth("eve", Some(FirstFactor::Password(&password)))
        .await;
    assert!(
        matches!(no_flow, Err(Error::AuthFlowNotEnabled)),
        "{no_flow:?}"
    );

    pool(&env).set_tier(UserPoolTier::Lite);
    let lite = sign_in.user_auth("eve", None).await;
    assert!(matches!(lite, Err(Error::FeatureNotInTier(_))), "{lite:?}");
    let email_on_lite = env
        .backend()
        .set_user_pool_mfa_config(
            env.pool_id.clone(),
            PoolMfaConfig::new(PoolMfaMode::Optional, true).with_email(true),
        )
        .await;
    assert!(
        matches!(email_on_lite, Err(Error::FeatureNotInTier(_))),
        "{email_on_lite:?}"
    );
}

#[tokio::test]
async fn refusals_in_memory() {
    refusals(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn refusals_local() {
    refusals(Peer::Local).await;
}

/// The preflight reports email MFA and the tier: on, Essentials; then a Lite pool's note.
#[tokio::test]
async fn preflight_reports_email_mfa_and_the_tier() {
    let (env, _) = setup(Peer::InMemory, &["PASSWORD"]).await;
    let report = preflight::check(env.backend(), &env.pool_id, &env.client_id, &[])
        .await
        .unwrap();
    assert_eq!(report.tier, Some(UserPoolTier::Essentials));
    let text = report.to_string();
    assert!(text.contains("email MFA is on"), "{text}");
    pool(&env).set_tier(UserPoolTier::Lite);
    let text = preflight::check(env.backend(), &env.pool_id, &env.client_id, &[])
        .await
        .unwrap()
        .to_string();
    assert!(
        text.contains("LITE tier: email MFA and USER_AUTH need ESSENTIALS"),
        "{text}"
    );
}

/// WEB_AUTHN against a script: chosen at SELECT_CHALLENGE, the step hands over
/// CREDENTIAL_REQUEST_OPTIONS and takes the browser's credential as CREDENTIAL; what is not a
/// JSON object is refused before any call.
#[tokio::test]
async fn web_authn_is_a_typed_step() {
    let script = Arc::new(ScriptedBackend::new());
    let challenge = |name: ChallengeName, params: &[(&str, &str)]| {
        AuthResponse::challenge(
            name,
            Some(Session::new("SESSION-0123456789abcdefghijkl")),
            params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
        )
    };
    script
        .push_auth(Ok(challenge(
            ChallengeName::SelectChallenge,
            &[("USERNAME", "fin")],
        )
        .with_available_challenges(vec![
            "WEB_AUTHN".into(),
            "PASSWORD".into(),
        ])))
        .push_auth(Ok(challenge(
            ChallengeName::WebAuthn,
            &[
                ("USERNAME", "fin"),
                (
                    "CREDENTIAL_REQUEST_OPTIONS",
                    r#"{"challenge":"abc","rpId":"example.com"}"#,
                ),
            ],
        )))
        .push_auth(Ok(AuthResponse::tokens(AuthTokens::new(
            cognito_mfa::AccessToken::new("ACCESS"),
            std::time::Duration::from_secs(3600),
        ))));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let spy = Intercept::new(Arc::clone(&script), move |call| {
        let p = call.parameters.unwrap();
        let get = |n: &str| p.get(n).map(str::to_owned);
        log.lock()
            .unwrap()
            .push([get("USERNAME"), get("ANSWER"), get("CREDENTIAL")]);
        Decision::Forward
    });
    let sign_in = SignIn::public(spy, "client1234567890abc").build().unwrap();
    let choice = select(sign_in.user_auth("fin", None).await.unwrap());
    assert_eq!(
        choice.choices(),
        [FirstFactorKind::WebAuthn, FirstFactorKind::Password]
    );
    let SignInStep::WebAuthnRequired(passkey) = choice
        .choose(&sign_in, FirstFactor::WebAuthn)
        .await
        .unwrap()
    else {
        panic!("expected WEB_AUTHN");
    };
    assert_eq!(
        passkey.credential_request_options(),
        Some(r#"{"challenge":"abc","rpId":"example.com"}"#)
    );
    let refused = passkey.answer(&sign_in, "not json").await.unwrap_err();
    assert!(matches!(refused.error(), Error::InvalidInput(_)));
    let passkey = refused.retry().unwrap();
    let credential = r#"{"id":"cred","response":{"signature":"sig"},"type":"public-key"}"#;
    let done = passkey.answer(&sign_in, credential).await.unwrap();
    assert!(matches!(done, SignInStep::Done(_)));
    let sent = seen.lock().unwrap().clone();
    let fin = Some("fin".to_owned());
    assert_eq!(
        sent,
        [
            [fin.clone(), None, None],
            [fin.clone(), Some("WEB_AUTHN".to_owned()), None],
            [fin, None, Some(credential.to_owned())],
        ]
    );
}

/// SMS_OTP as the first factor: a user without MFA, with a phone number, preferring it; the
/// text message's code (SMS_OTP_CODE) signs in. Not SMS_MFA: the code stands for the password.
#[tokio::test]
async fn sms_code_first_factor() {
    let (env, sign_in) = setup(Peer::InMemory, &["PASSWORD", "SMS_OTP"]).await;
    env.create_user("gus", PASSWORD).await;
    pool(&env)
        .set_user_attribute("gus", "phone_number", "+15555550123")
        .unwrap();
    let step = sign_in
        .user_auth("gus", Some(FirstFactor::SmsOtp))
        .await
        .unwrap();
    let SignInStep::CodeRequired(code) = step else {
        panic!("expected SMS_OTP, got {:?}", step.challenge_name());
    };
    assert_eq!(code.factor(), None, "a first factor, not SMS_MFA");
    assert_eq!(code.destination(), Some("+*******0123"));
    let sent = pool(&env).last_message_to("gus").unwrap();
    assert_eq!((sent.medium, sent.first_factor), (MfaFactor::Sms, true));
    assert_eq!(sent.destination, "+15555550123");
    tokens_of(
        code.answer(&sign_in, sent.code.expose_secret())
            .await
            .unwrap(),
    );
}
