//! Remembered devices, end to end: confirm a device after a sign-in with a code, then sign in
//! on it. Every scenario runs on the in-memory pool directly and over HTTP through
//! `LocalCognito` and `SdkBackend` (feature `local-endpoint`), so `SdkBackend`'s device calls
//! (ConfirmDevice, UpdateDeviceStatus, ListDevices, GetDevice, ForgetDevice and the admin
//! twins) and NewDeviceMetadata are exercised on the wire. moto answers every device call with
//! HTTP 500 and never sends NewDeviceMetadata: that is shown in `moto_sign_in.rs`.
//!
//! The device proof is checked for real: the pool verifies DEVICE_PASSWORD_VERIFIER's
//! signature against the verifier ConfirmDevice registered.

use super::scenarios::{Backing, Env, PASSWORD, Peer, enroll, tokens_of};
use cognito_mfa::backend::{
    AuthTokens, DeviceConfiguration, DeviceRememberedStatus, PoolMfaMode, UserTarget,
};
use cognito_mfa::device::{self, RememberedDevice};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::testing::{Decision, InMemoryPool, Intercept};
use cognito_mfa::{Error, Password, TotpSecret};
use secrecy::{ExposeSecret as _, SecretString};
use std::sync::{Arc, Mutex};

/// "Always remember, remembered devices skip MFA": the console's "Always" with suppression.
const ALWAYS_SKIP: DeviceConfiguration = DeviceConfiguration::new(true, false);
/// "User opt-in", suppression on.
const OPT_IN_SKIP: DeviceConfiguration = DeviceConfiguration::new(true, true);
/// "Always remember", suppression off: remembered devices still get the code.
const ALWAYS_NO_SKIP: DeviceConfiguration = DeviceConfiguration::new(false, false);

fn pool(env: &Env) -> &InMemoryPool {
    match &env.backing {
        Backing::InMemory { pool, .. } => pool,
        Backing::Moto { .. } => unreachable!("device scenarios run on the in-memory pool"),
    }
}

/// An OPTIONAL pool with TOTP, `devices` as its DeviceConfiguration, and `user` enrolled in
/// TOTP. Returns the environment and the TOTP secret.
async fn setup(peer: Peer, devices: DeviceConfiguration, user: &str) -> (Env, TotpSecret) {
    let env = peer.setup(PoolMfaMode::Optional, false).await;
    pool(&env).set_device_configuration(Some(devices));
    env.create_user(user, PASSWORD).await;
    let secret = enroll(&env, &env.admin_sign_in(), user, &mut Vec::new()).await;
    (env, secret)
}

/// SRP sign-in answered with a TOTP code; the tokens.
async fn sign_in_with_code(
    env: &Env,
    sign_in: &SignIn,
    user: &str,
    secret: &TotpSecret,
) -> AuthTokens {
    let first = sign_in
        .password_srp(user, &Password::new(PASSWORD))
        .await
        .expect("USER_SRP_AUTH");
    let SignInStep::TotpRequired(challenge) = first else {
        panic!("expected the code, got {:?}", first.challenge_name());
    };
    let code = env.next_code(secret).await;
    tokens_of(challenge.answer(sign_in, &code).await.expect("the code"))
}

/// Sign in with a code, then confirm the device with `choice`.
async fn confirm_after_code(
    env: &Env,
    sign_in: &SignIn,
    user: &str,
    secret: &TotpSecret,
    choice: DeviceRememberedStatus,
) -> (RememberedDevice, AuthTokens) {
    let tokens = sign_in_with_code(env, sign_in, user, secret).await;
    assert!(
        tokens.new_device.is_some(),
        "a pool that tracks devices sends NewDeviceMetadata"
    );
    let confirmed = device::confirm(env.backend(), &tokens, Some("Kitchen laptop"), choice)
        .await
        .expect("ConfirmDevice")
        .expect("a device to confirm");
    assert_eq!(confirmed.status, choice);
    (confirmed.device, tokens)
}

/// A sign-in on `device`: the first step and whether the device was forgotten.
async fn on_device(sign_in: &SignIn, device: &RememberedDevice, user: &str) -> (SignInStep, bool) {
    let signed = sign_in
        .on_device(device)
        .password_srp(user, &Password::new(PASSWORD))
        .await
        .expect("a sign-in on the device");
    (signed.step, signed.device_forgotten)
}

// ----------------------------------------------------------------------------------------------

/// Confirm → remembered → the next SRP sign-in on the device needs no code, and brings no new
/// device; so does a password sign-in on the admin API, and a refresh with the device's key.
/// The device is listed (own and admin), named, remembered and just authenticated.
async fn remembered_device_skips_the_code(peer: Peer) {
    let (env, secret) = setup(peer, ALWAYS_SKIP, "dana").await;
    let sign_in = env.srp_sign_in(false);
    let (device, _) = confirm_after_code(
        &env,
        &sign_in,
        "dana",
        &secret,
        DeviceRememberedStatus::Remembered,
    )
    .await;

    let (step, forgotten) = on_device(&sign_in, &device, "dana").await;
    assert!(!forgotten);
    let tokens = tokens_of(step);
    assert!(tokens.new_device.is_none(), "a presented device is not new");

    let admin = env.admin_sign_in();
    let on_admin = admin
        .on_device(&device)
        .password("dana", &Password::new(PASSWORD))
        .await
        .expect("ADMIN_USER_PASSWORD_AUTH on the device");
    assert!(matches!(on_admin.step, SignInStep::Done(_)));

    let refreshed = sign_in
        .on_device(&device)
        .refresh(tokens.refresh_token.as_ref().unwrap(), Some("dana"))
        .await
        .expect("REFRESH_TOKEN_AUTH with DEVICE_KEY");
    assert!(refreshed.refresh_token.is_none());

    let own = device::list_all(
        env.backend(),
        UserTarget::AccessToken(tokens.access_token.clone()),
    )
    .await
    .expect("ListDevices");
    let listed: Vec<_> = own.iter().map(|d| d.device_key.as_str()).collect();
    assert_eq!(
        listed,
        [device.key()],
        "only the remembered device is listed"
    );
    assert_eq!(own[0].name(), Some("Kitchen laptop"));
    assert_eq!(
        own[0].remembered_status(),
        Some(DeviceRememberedStatus::Remembered)
    );
    assert!(own[0].last_authenticated.is_some());
    let admin_target = UserTarget::Admin {
        user_pool_id: env.pool_id.clone(),
        username: "dana".into(),
    };
    let by_admin = device::list_all(env.backend(), admin_target.clone())
        .await
        .expect("AdminListDevices");
    assert_eq!(by_admin, own);
    let got = device::get(env.backend(), admin_target, device.key())
        .await
        .expect("AdminGetDevice");
    assert_eq!(got, own[0]);
}

#[tokio::test]
async fn remembered_device_skips_the_code_in_memory() {
    remembered_device_skips_the_code(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn remembered_device_skips_the_code_local() {
    remembered_device_skips_the_code(Peer::Local).await;
}

/// Opt-in pool: a device the person declined is confirmed but not remembered, so the code is
/// still asked (and the device proves itself after it, with no new device); once remembered
/// (AdminUpdateDeviceStatus), the code is skipped.
async fn opt_in_pool_remembers_on_request(peer: Peer) {
    let (env, secret) = setup(peer, OPT_IN_SKIP, "eli").await;
    let sign_in = env.srp_sign_in(false);
    let (device, _) = confirm_after_code(
        &env,
        &sign_in,
        "eli",
        &secret,
        DeviceRememberedStatus::NotRemembered,
    )
    .await;

    let (step, _) = on_device(&sign_in, &device, "eli").await;
    let SignInStep::TotpRequired(challenge) = step else {
        panic!("a device not remembered gets the code");
    };
    let code = env.next_code(&secret).await;
    let after = tokens_of(challenge.answer(&sign_in, &code).await.expect("code"));
    assert!(
        after.new_device.is_none(),
        "the device proved itself after the code"
    );

    device::set_status(
        env.backend(),
        UserTarget::Admin {
            user_pool_id: env.pool_id.clone(),
            username: "eli".into(),
        },
        device.key(),
        DeviceRememberedStatus::Remembered,
    )
    .await
    .expect("AdminUpdateDeviceStatus");
    let (step, _) = on_device(&sign_in, &device, "eli").await;
    assert!(matches!(step, SignInStep::Done(_)), "remembered now");
}

#[tokio::test]
async fn opt_in_pool_remembers_on_request_in_memory() {
    opt_in_pool_remembers_on_request(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn opt_in_pool_remembers_on_request_local() {
    opt_in_pool_remembers_on_request(Peer::Local).await;
}

/// In an opt-in pool, the person's "remember" is sent with UpdateDeviceStatus after
/// ConfirmDevice; in an "always" pool, ConfirmDevice alone remembers and no second call goes.
async fn confirm_calls_update_only_where_needed(config: DeviceConfiguration, expected: &[&str]) {
    let (env, secret) = setup(Peer::InMemory, config, "fay").await;
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    let spy = Intercept::new(pool(&env).clone(), move |call| {
        seen.lock().unwrap().push(call.operation.name());
        Decision::Forward
    });
    let tokens = sign_in_with_code(&env, &env.srp_sign_in(false), "fay", &secret).await;
    let confirmed = device::confirm(&spy, &tokens, None, DeviceRememberedStatus::Remembered)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(confirmed.status, DeviceRememberedStatus::Remembered);
    assert_eq!(*calls.lock().unwrap(), expected);
}

#[tokio::test]
async fn confirm_asks_update_device_status_in_an_opt_in_pool() {
    confirm_calls_update_only_where_needed(OPT_IN_SKIP, &["ConfirmDevice", "UpdateDeviceStatus"])
        .await;
}

#[tokio::test]
async fn confirm_alone_remembers_in_an_always_pool() {
    confirm_calls_update_only_where_needed(ALWAYS_SKIP, &["ConfirmDevice"]).await;
}

/// With suppression off, a remembered device is still asked for the code; it proves itself
/// after the code.
async fn suppression_off_still_asks_the_code(peer: Peer) {
    let (env, secret) = setup(peer, ALWAYS_NO_SKIP, "gus").await;
    let sign_in = env.srp_sign_in(false);
    let (device, _) = confirm_after_code(
        &env,
        &sign_in,
        "gus",
        &secret,
        DeviceRememberedStatus::Remembered,
    )
    .await;
    let (step, _) = on_device(&sign_in, &device, "gus").await;
    let SignInStep::TotpRequired(challenge) = step else {
        panic!("suppression off: the code is asked");
    };
    let code = env.next_code(&secret).await;
    let tokens = tokens_of(challenge.answer(&sign_in, &code).await.expect("code"));
    assert!(tokens.new_device.is_none());
}

#[tokio::test]
async fn suppression_off_still_asks_the_code_in_memory() {
    suppression_off_still_asks_the_code(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn suppression_off_still_asks_the_code_local() {
    suppression_off_still_asks_the_code(Peer::Local).await;
}

/// A device forgotten elsewhere: the sign-in on it meets "Device does not exist.", retries once
/// without the device, says so, and goes to the code again; the tokens bring a new device.
async fn forgotten_device_signs_in_without_it(peer: Peer) {
    let (env, secret) = setup(peer, ALWAYS_SKIP, "hal").await;
    let sign_in = env.srp_sign_in(false);
    let (device, tokens) = confirm_after_code(
        &env,
        &sign_in,
        "hal",
        &secret,
        DeviceRememberedStatus::Remembered,
    )
    .await;
    device::forget(
        env.backend(),
        UserTarget::AccessToken(tokens.access_token.clone()),
        device.key(),
    )
    .await
    .expect("ForgetDevice");

    let (step, forgotten) = on_device(&sign_in, &device, "hal").await;
    assert!(forgotten, "the caller is told to drop the device");
    let SignInStep::TotpRequired(challenge) = step else {
        panic!("without a device, the code again");
    };
    let code = env.next_code(&secret).await;
    let tokens = tokens_of(challenge.answer(&sign_in, &code).await.expect("code"));
    assert!(tokens.new_device.is_some(), "a new device to confirm");

    // A refresh on the forgotten device is refused, typed.
    let refused = sign_in
        .on_device(&device)
        .refresh(tokens.refresh_token.as_ref().unwrap(), Some("hal"))
        .await;
    assert!(matches!(refused, Err(Error::DeviceNotFound)), "{refused:?}");
}

#[tokio::test]
async fn forgotten_device_signs_in_without_it_in_memory() {
    forgotten_device_signs_in_without_it(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn forgotten_device_signs_in_without_it_local() {
    forgotten_device_signs_in_without_it(Peer::Local).await;
}

/// The right keys with a wrong device password: the device's proof fails, the sign-in ends
/// with a typed error, and no tokens come.
async fn wrong_device_password_fails(peer: Peer) {
    let (env, secret) = setup(peer, ALWAYS_SKIP, "ida").await;
    let sign_in = env.srp_sign_in(false);
    let (device, _) = confirm_after_code(
        &env,
        &sign_in,
        "ida",
        &secret,
        DeviceRememberedStatus::Remembered,
    )
    .await;
    let stolen_keys = RememberedDevice::from_parts(
        device.key(),
        device.group_key(),
        SecretString::from("d3JvbmcgZGV2aWNlIHBhc3N3b3JkIG9mIDQwIGJ5dGVzIGxvbmcgLi4u"),
    )
    .unwrap();
    let refused = sign_in
        .on_device(&stolen_keys)
        .password_srp("ida", &Password::new(PASSWORD))
        .await;
    assert!(
        matches!(refused, Err(Error::WrongCredentials)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn wrong_device_password_fails_in_memory() {
    wrong_device_password_fails(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn wrong_device_password_fails_local() {
    wrong_device_password_fails(Peer::Local).await;
}

/// A pool without device tracking sends no NewDeviceMetadata, and `confirm` has nothing to do.
#[tokio::test]
async fn no_tracking_no_device() {
    let env = Peer::InMemory.setup(PoolMfaMode::Optional, false).await;
    env.create_user("jo", PASSWORD).await;
    let tokens = tokens_of(
        env.srp_sign_in(false)
            .password_srp("jo", &Password::new(PASSWORD))
            .await
            .unwrap(),
    );
    assert!(tokens.new_device.is_none());
    let none = device::confirm(
        env.backend(),
        &tokens,
        None,
        DeviceRememberedStatus::Remembered,
    )
    .await
    .unwrap();
    assert!(none.is_none());
}

/// A challenge saved during a sign-in on a device keeps the device's key, never its password;
/// `OnDevice::resume` hands the device back so its proof after the code can be answered. Plain
/// `resume` can't answer it, and a challenge saved for another device is refused locally.
#[tokio::test]
async fn a_saved_challenge_resumes_on_its_device() {
    let (env, secret) = setup(Peer::InMemory, OPT_IN_SKIP, "kai").await;
    let sign_in = env.srp_sign_in(false);
    let (device, _) = confirm_after_code(
        &env,
        &sign_in,
        "kai",
        &secret,
        DeviceRememberedStatus::NotRemembered,
    )
    .await;
    let password = device.password().expose_secret().to_owned();
    let save = || async {
        let (step, _) = on_device(&sign_in, &device, "kai").await;
        let saved = step.into_saved().expect("a pending code step");
        let json = serde_json::to_string(&saved).unwrap();
        assert!(json.contains(device.key()), "the key is kept");
        assert!(!json.contains(&password), "the device password is not");
        serde_json::from_str::<cognito_mfa::sign_in::SavedChallenge>(&json).unwrap()
    };

    let SignInStep::TotpRequired(challenge) =
        sign_in.on_device(&device).resume(save().await).unwrap()
    else {
        panic!("the code step");
    };
    let code = env.next_code(&secret).await;
    let tokens = tokens_of(challenge.answer(&sign_in, &code).await.unwrap());
    assert!(tokens.new_device.is_none(), "the device proved itself");

    let SignInStep::TotpRequired(plain) = sign_in.resume(save().await).unwrap() else {
        panic!("the code step");
    };
    let code = env.next_code(&secret).await;
    let refused = plain.answer(&sign_in, &code).await.unwrap_err();
    assert!(
        matches!(refused.error(), Error::UnexpectedResponse { .. }),
        "{:?}",
        refused.error()
    );

    let other = RememberedDevice::from_parts(
        "us-east-1_00000000-1111-2222-3333-444444444444",
        device.group_key(),
        SecretString::from(password.clone()),
    )
    .unwrap();
    let wrong = sign_in.on_device(&other).resume(save().await);
    assert!(
        matches!(wrong, Err(Error::InvalidInput(ref i)) if i.field() == cognito_mfa::Field::PendingChallenge),
        "{wrong:?}"
    );
}

/// The device password shows up in no `Debug` of what a device sign-in hands around: the
/// device, the confirmation, the step, the pending challenge, the error of a wrong proof.
#[tokio::test]
async fn the_device_password_is_never_shown() {
    let (env, secret) = setup(Peer::InMemory, ALWAYS_NO_SKIP, "lee").await;
    let sign_in = env.srp_sign_in(false);
    let tokens = sign_in_with_code(&env, &sign_in, "lee", &secret).await;
    let confirmed = device::confirm(
        env.backend(),
        &tokens,
        Some("Desk"),
        DeviceRememberedStatus::Remembered,
    )
    .await
    .unwrap()
    .unwrap();
    let password = confirmed.device.password().expose_secret().to_owned();
    let mut shown = vec![format!("{confirmed:?}"), format!("{:?}", confirmed.device)];
    let signed = sign_in
        .on_device(&confirmed.device)
        .password_srp("lee", &Password::new(PASSWORD))
        .await
        .unwrap();
    shown.push(format!("{signed:?}"));
    shown.push(format!("{sign_in:?}"));
    let wrong = RememberedDevice::from_parts(
        confirmed.device.key(),
        confirmed.device.group_key(),
        SecretString::from(format!("{password}x")),
    )
    .unwrap();
    shown.push(format!("{wrong:?}"));
    let SignInStep::TotpRequired(challenge) = sign_in
        .on_device(&wrong)
        .password_srp("lee", &Password::new(PASSWORD))
        .await
        .unwrap()
        .step
    else {
        panic!("suppression off: the code first");
    };
    shown.push(format!("{challenge:?}"));
    let code = env.next_code(&secret).await;
    let refused = challenge.answer(&sign_in, &code).await.unwrap_err();
    shown.push(format!("{refused:?} {}", refused.error()));
    for text in shown {
        assert!(!text.contains(&password), "{text}");
        assert!(!text.contains(&password[..20]), "{text}");
    }
}

/// ListDevices pages: three remembered devices, one a page through the backend (over the wire
/// for `Local`), each page's token leading to the next; `list_all` reads them all, own and
/// admin. A Limit over Cognito's 60 is refused by the service, typed.
async fn devices_are_listed_page_by_page(peer: Peer) {
    let (env, secret) = setup(peer, ALWAYS_NO_SKIP, "max").await;
    let sign_in = env.srp_sign_in(false);
    let mut keys = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let (device, tokens) = confirm_after_code(
            &env,
            &sign_in,
            "max",
            &secret,
            DeviceRememberedStatus::Remembered,
        )
        .await;
        keys.push(device.key().to_owned());
        last = Some(tokens);
    }
    let own = UserTarget::AccessToken(last.unwrap().access_token);
    let mut paged = Vec::new();
    let mut token = None;
    loop {
        let page = env
            .backend()
            .list_devices(own.clone(), Some(1), token.clone())
            .await
            .expect("ListDevices");
        assert_eq!(page.devices.len(), 1);
        paged.extend(page.devices.into_iter().map(|d| d.device_key));
        match page.pagination_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, keys);
    let all: Vec<String> = device::list_all(env.backend(), own.clone())
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.device_key)
        .collect();
    assert_eq!(all, keys);
    let admin: Vec<String> = device::list_all(
        env.backend(),
        UserTarget::Admin {
            user_pool_id: env.pool_id.clone(),
            username: "max".into(),
        },
    )
    .await
    .unwrap()
    .into_iter()
    .map(|d| d.device_key)
    .collect();
    assert_eq!(admin, keys);
    let too_many = env.backend().list_devices(own, Some(61), None).await;
    assert!(
        matches!(&too_many, Err(Error::Service { error, .. }) if error.code() == "InvalidParameterException"),
        "{too_many:?}"
    );
}

#[tokio::test]
async fn devices_are_listed_page_by_page_in_memory() {
    devices_are_listed_page_by_page(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn devices_are_listed_page_by_page_local() {
    devices_are_listed_page_by_page(Peer::Local).await;
}

/// `device::register` is ConfirmDevice alone: in an opt-in pool it says the person must choose
/// (UserConfirmationNecessary) and sends no UpdateDeviceStatus, so the device stays unremembered
/// and the code is still asked; in an "always" pool the device is remembered by ConfirmDevice.
/// Keys outside Cognito's form are the caller's input here, refused before any call.
#[tokio::test]
async fn register_is_confirm_device_alone() {
    for (config, necessary, user) in [(OPT_IN_SKIP, true, "kim"), (ALWAYS_SKIP, false, "lee")] {
        let (env, secret) = setup(Peer::InMemory, config, user).await;
        let calls = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&calls);
        let spy = Intercept::new(pool(&env).clone(), move |call| {
            seen.lock().unwrap().push(call.operation.name());
            Decision::Forward
        });
        let sign_in = env.srp_sign_in(false);
        let tokens = sign_in_with_code(&env, &sign_in, user, &secret).await;
        let metadata = tokens.new_device.clone().expect("NewDeviceMetadata");

        let bad =
            cognito_mfa::backend::NewDeviceMetadata::new("no-key", &metadata.device_group_key);
        let refused = device::register(&spy, &tokens.access_token, &bad, None).await;
        assert!(
            matches!(refused, Err(Error::InvalidInput(_))),
            "{refused:?}"
        );
        assert!(calls.lock().unwrap().is_empty(), "refused before any call");

        let registered = device::register(&spy, &tokens.access_token, &metadata, Some("CLI"))
            .await
            .expect("ConfirmDevice");
        assert_eq!(registered.user_confirmation_necessary, necessary, "{user}");
        assert_eq!(registered.device.key(), metadata.device_key);
        assert_eq!(*calls.lock().unwrap(), ["ConfirmDevice"], "{user}");

        let (step, _) = on_device(&sign_in, &registered.device, user).await;
        assert_eq!(
            matches!(step, SignInStep::Done(_)),
            !necessary,
            "{user}: remembered only where the pool remembers on its own"
        );
    }
}

/// `OnDevice::resume_parts`: a challenge rebuilt from its name, Session and user name (what the
/// cognito-idp example holds) answers with DEVICE_KEY, and the device proves itself after the
/// code: tokens without a new device. The plain `SignIn::resume_parts` of the same kind of
/// challenge sends no DEVICE_KEY, and its tokens bring a new device.
async fn resume_parts_on_device_proves_the_device(peer: Peer) {
    let (env, secret) = setup(peer, OPT_IN_SKIP, "max").await;
    let sign_in = env.srp_sign_in(false);
    let (device, _) = confirm_after_code(
        &env,
        &sign_in,
        "max",
        &secret,
        DeviceRememberedStatus::NotRemembered,
    )
    .await;

    let (step, _) = on_device(&sign_in, &device, "max").await;
    let saved = step.into_saved().expect("the code is asked");
    let rebuilt = sign_in
        .on_device(&device)
        .resume_parts(saved.challenge_name(), saved.session().clone(), "max")
        .expect("rebuilt");
    let SignInStep::TotpRequired(challenge) = rebuilt else {
        panic!("rebuilt as the code challenge");
    };
    let code = env.next_code(&secret).await;
    let tokens = tokens_of(challenge.answer(&sign_in, &code).await.expect("code"));
    assert!(
        tokens.new_device.is_none(),
        "the device answered DEVICE_SRP_AUTH after the code"
    );

    let first = sign_in
        .password_srp("max", &Password::new(PASSWORD))
        .await
        .expect("USER_SRP_AUTH");
    let saved = first.into_saved().expect("the code is asked");
    let SignInStep::TotpRequired(challenge) = sign_in
        .resume_parts(saved.challenge_name(), saved.session().clone(), "max")
        .unwrap()
    else {
        panic!("rebuilt as the code challenge");
    };
    let code = env.next_code(&secret).await;
    let tokens = tokens_of(challenge.answer(&sign_in, &code).await.expect("code"));
    assert!(
        tokens.new_device.is_some(),
        "no device presented: a new one"
    );
}

#[tokio::test]
async fn resume_parts_on_device_proves_the_device_in_memory() {
    resume_parts_on_device_proves_the_device(Peer::InMemory).await;
}

#[cfg(feature = "local-endpoint")]
#[tokio::test]
async fn resume_parts_on_device_proves_the_device_local() {
    resume_parts_on_device_proves_the_device(Peer::Local).await;
}
