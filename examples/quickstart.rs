//! The whole TOTP story, offline, on the crate's in-memory user pool:
//! enroll an authenticator, then sign in with it: with the password, and
//! over SRP (the password never sent, only a proof of it); remember the
//! device, and sign in on it again without a code.
//!
//! ```text
//! cargo run --example quickstart
//! RUST_LOG=trace cargo run --example quickstart   # the library's spans too (never a secret)
//! ```
//!
//! Each line names the Cognito call behind the step. Swap the in-memory pool
//! for `SdkBackend` and the same code runs against Cognito.

use cognito_mfa::backend::{
    AuthFlow, DeviceConfiguration, DeviceRememberedStatus, PoolMfaConfig, PoolMfaMode,
};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::testing::{Authenticator, ClientOptions, InMemoryPool, ManualClock};
use cognito_mfa::{MfaEnrollment, Password};
use cognito_mfa::{admin, device};
use std::time::Duration;
use tracing_subscriber::EnvFilter;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const PASSWORD: &str = "correct-horse-battery-staple";

/// One line per step: the Cognito call, then what happened.
fn step(call: &str, what: impl std::fmt::Display) {
    println!("{call:>28}  {what}");
}

#[tokio::main]
async fn main() -> Result<()> {
    // Each of the library's spans is printed when it closes, with its
    // outcome: RUST_LOG=trace shows the flow, never a secret.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .init();

    // The pool's clock is ours to move, so the demo can wait for the
    // authenticator's next code without sleeping.
    let clock = ManualClock::starting_now();
    let pool = InMemoryPool::with_clock(clock.clone());

    println!("cognito-mfa quickstart: TOTP MFA on an in-memory Cognito user pool\n");
    pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
    step(
        "SetUserPoolMfaConfig",
        format_args!("pool {}: MFA OPTIONAL, TOTP enabled", pool.pool_id()),
    );
    // Remember devices when the person asks; remembered ones skip the code.
    pool.set_device_configuration(Some(DeviceConfiguration::new(true, true)));
    step(
        "UpdateUserPool",
        "devices remembered on request; remembered devices skip MFA",
    );
    // USER_SRP_AUTH must be allowed on the app client (ALLOW_USER_SRP_AUTH).
    let client = pool.create_client(
        ClientOptions::new()
            .name("quickstart")
            .explicit_auth_flows([AuthFlow::AdminUserPassword, AuthFlow::UserSrp]),
    )?;
    step(
        "CreateUserPoolClient",
        format_args!(
            "app client {} allows ADMIN_USER_PASSWORD_AUTH and USER_SRP_AUTH",
            client.client_id
        ),
    );
    pool.create_user("alice", PASSWORD)?;
    pool.set_user_attribute("alice", "email", "alice@example.com")?;
    step(
        "AdminCreateUser",
        "user alice <alice@example.com>, confirmed",
    );

    // 1. Sign in: no factor yet, so no MFA.
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .clock(pool.clock()) // one time for the pool and the sign-in
        .build()?;
    let SignInStep::Done(tokens) = sign_in.password("alice", &Password::new(PASSWORD)).await?
    else {
        return Err("alice has no factor yet: expected tokens".into());
    };
    step(
        "AdminInitiateAuth",
        "signed in with the password alone (no factor yet)",
    );

    // 2. Enroll: associate, show the secret, verify a code, prefer TOTP.
    let pending = MfaEnrollment::new("Quickstart App")
        .account_name("alice@example.com")
        .device_name("Alice's phone")
        .start_with_access_token(&pool, tokens.access_token.clone())
        .await?;
    step(
        "AssociateSoftwareToken",
        "secret received; alice scans the QR code or types the setup key:",
    );
    println!("\n    otpauth URI: {}", pending.uri());
    println!("    setup key:   {}\n", pending.setup_key());
    println!("{}", pending.qr_terminal()?);

    // The demo plays alice's phone.
    let phone = Authenticator::new(pending.secret())?;
    step(
        "(authenticator app)",
        "shows a 6-digit code for Quickstart App",
    );

    let code = phone.code_for_clock(&clock);
    let mistyped = mistype(code.expose_secret());
    let rejected = match pending.verify(&pool, &mistyped).await {
        Ok(_) => return Err("a mistyped code was accepted".into()),
        Err(rejected) => rejected,
    };
    step(
        "VerifySoftwareToken",
        format_args!("mistyped code refused: {}", rejected.error()),
    );
    let pending = rejected
        .retry()
        .ok_or("a wrong code should hand the enrollment back")?;

    let enrolled = pending.verify(&pool, code.expose_secret()).await?;
    step(
        "VerifySoftwareToken",
        "code accepted: the authenticator is verified",
    );
    step(
        "SetUserMFAPreference",
        format_args!(
            "TOTP enabled: {}, preferred: {}",
            enrolled.totp_enabled(),
            enrolled.totp_preferred()
        ),
    );
    let status = admin::mfa_status(&pool, &tokens.access_token).await?;
    step(
        "GetUser",
        format_args!(
            "MFA enabled: [{}], preferred: {}",
            status
                .enabled
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            status.preferred.map_or("none", |f| f.as_str())
        ),
    );

    // 3. Sign in again: now Cognito asks for a code.
    clock.advance(Duration::from_secs(30));
    step(
        "(30 seconds later)",
        "codes are single-use: the sign-in takes the app's next code",
    );
    let SignInStep::TotpRequired(challenge) =
        sign_in.password("alice", &Password::new(PASSWORD)).await?
    else {
        return Err("expected the SOFTWARE_TOKEN_MFA challenge".into());
    };
    step(
        "AdminInitiateAuth",
        format_args!(
            "password accepted; challenge SOFTWARE_TOKEN_MFA for \"{}\"",
            challenge
                .friendly_device_name()
                .unwrap_or("an authenticator")
        ),
    );
    let code = phone.code_for_clock(&clock);
    let SignInStep::Done(_) = challenge.answer(&sign_in, code.expose_secret()).await? else {
        return Err("expected tokens after the TOTP code".into());
    };
    step(
        "AdminRespondToAuthChallenge",
        "code accepted: signed in with MFA",
    );

    // 4. The same over SRP: the password stays here, Cognito gets a proof.
    clock.advance(Duration::from_secs(30));
    step("(30 seconds later)", "alice signs in again, over SRP");
    let SignInStep::TotpRequired(challenge) = sign_in
        .password_srp("alice", &Password::new(PASSWORD))
        .await?
    else {
        return Err("expected the SOFTWARE_TOKEN_MFA challenge after SRP".into());
    };
    // password_srp made both calls; the library answered PASSWORD_VERIFIER.
    step(
        "AdminInitiateAuth",
        "USER_SRP_AUTH with SRP_A; challenge PASSWORD_VERIFIER (salt, B, secret block)",
    );
    step(
        "AdminRespondToAuthChallenge",
        "PASSWORD_VERIFIER answered with a proof; the password was never sent",
    );
    step(
        "",
        format_args!(
            "proof accepted; challenge SOFTWARE_TOKEN_MFA for \"{}\"",
            challenge
                .friendly_device_name()
                .unwrap_or("an authenticator")
        ),
    );
    let code = phone.code_for_clock(&clock);
    let SignInStep::Done(tokens) = challenge.answer(&sign_in, code.expose_secret()).await? else {
        return Err("expected tokens after the TOTP code".into());
    };
    step(
        "AdminRespondToAuthChallenge",
        "code accepted: signed in with SRP and MFA",
    );

    // 5. "Remember this device": confirm the device the tokens brought.
    let confirmed = device::confirm(
        &pool,
        &tokens,
        Some("Alice's laptop"),
        DeviceRememberedStatus::Remembered,
    )
    .await?
    .ok_or("a pool that tracks devices sends NewDeviceMetadata")?;
    step(
        "ConfirmDevice",
        format_args!(
            "device {} confirmed with a verifier of its password",
            confirmed.device.key()
        ),
    );
    step(
        "UpdateDeviceStatus",
        "remembered, as alice asked; the app stores the device (a bearer credential)",
    );

    // 6. On the remembered device: no code.
    clock.advance(Duration::from_secs(30));
    step("(30 seconds later)", "alice signs in on the same device");
    let signed = sign_in
        .on_device(&confirmed.device)
        .password_srp("alice", &Password::new(PASSWORD))
        .await?;
    let SignInStep::Done(tokens) = signed.step else {
        return Err("a remembered device skips the code".into());
    };
    step(
        "AdminInitiateAuth",
        "USER_SRP_AUTH with SRP_A and DEVICE_KEY; challenge PASSWORD_VERIFIER",
    );
    step(
        "AdminRespondToAuthChallenge",
        "PASSWORD_VERIFIER answered; challenge DEVICE_SRP_AUTH instead of the code",
    );
    step(
        "AdminRespondToAuthChallenge",
        "DEVICE_SRP_AUTH answered; challenge DEVICE_PASSWORD_VERIFIER",
    );
    step(
        "AdminRespondToAuthChallenge",
        "device proof accepted: signed in without a code",
    );

    println!(
        "\nTokens: {} access token, ID token: {}, refresh token: {}, expires in {} s \
         (the tokens themselves are secrets and are not printed)",
        tokens.token_type,
        if tokens.id_token.is_some() {
            "yes"
        } else {
            "no"
        },
        if tokens.refresh_token.is_some() {
            "yes"
        } else {
            "no"
        },
        tokens.expires_in.as_secs(),
    );
    Ok(())
}

/// A plausible typo: the same code with its last digit changed.
fn mistype(code: &str) -> String {
    let mut digits: Vec<char> = code.chars().collect();
    if let Some(last) = digits.last_mut() {
        *last = if *last == '0' { '1' } else { '0' };
    }
    digits.into_iter().collect()
}
