//! Remembered devices: sign in on this browser's device, remember it after
//! a code when the person asks, list and forget devices on the account page.
//!
//! The browser keeps its `RememberedDevice` (serde JSON) in the encrypted
//! device cookie ([`DeviceCookie`]): with the password, it signs in
//! **without the code**, so it is a bearer credential and never leaves
//! that cookie (no log, no page, no server-side store).

use super::pages::{self, DeviceRow};
use super::security::{CookiePolicy, DeviceCookie};
use super::state::AppState;
use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::Key;
use cognito_mfa::backend::{AuthTokens, DeviceRememberedStatus, UserTarget};
use cognito_mfa::device::{self, RememberedDevice};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::{Error, Password};
use std::time::SystemTime;

/// This browser's device, if its cookie decrypts and holds one this build
/// reads. `None` for an unreadable one too: the caller drops it.
fn stored(jar: &PrivateCookieJar<Key>, policy: CookiePolicy) -> Option<RememberedDevice> {
    let json = DeviceCookie::read(jar, policy)?;
    serde_json::from_str(&json).ok()
}

/// The first step of a sign-in: the password over SRP, presenting the
/// device this browser remembers, if any, so that Cognito answers
/// DEVICE_SRP_AUTH (the library answers it) instead of asking for a code.
///
/// The cookie is dropped from the returned jar when Cognito no longer knows
/// the device (forgotten elsewhere: the library already signed in again
/// without it) or when it holds nothing this build can read.
pub async fn sign_in(
    sign_in: &SignIn,
    username: &str,
    password: &Password,
    jar: PrivateCookieJar<Key>,
    policy: CookiePolicy,
) -> (PrivateCookieJar<Key>, Result<SignInStep, Error>) {
    let json = DeviceCookie::read(&jar, policy);
    let device = json
        .as_deref()
        .and_then(|json| serde_json::from_str::<RememberedDevice>(json).ok());
    let Some(device) = device else {
        let jar = if json.is_some() {
            DeviceCookie::remove(jar, policy)
        } else {
            jar
        };
        return (jar, sign_in.password_srp(username, password).await);
    };
    match sign_in
        .on_device(&device)
        .password_srp(username, password)
        .await
    {
        Ok(signed) if signed.device_forgotten => {
            (DeviceCookie::remove(jar, policy), Ok(signed.step))
        }
        Ok(signed) => (jar, Ok(signed.step)),
        Err(e) => (jar, Err(e)),
    }
}

/// The name a device is remembered under: what a person recognises in the
/// list ("Chrome on Linux"), from the User-Agent. Only this module's own
/// words reach Cognito, never the header's text, so the name is bounded
/// and printable whatever the browser sends.
pub fn device_name(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or_default();
    // Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("Web browser on {system}"),
        (None, None) => "Web browser".to_owned(),
    }
}

/// After a sign-in ended with tokens. `remember`: the name to remember this
/// browser under, when the person ticked "remember this device" on the
/// code page. Returns the jar to send (with the device cookie when one was
/// stored) and a notice for the person, if any.
pub async fn after_sign_in(
    state: &AppState,
    tokens: &AuthTokens,
    remember: Option<String>,
    jar: PrivateCookieJar<Key>,
) -> (PrivateCookieJar<Key>, Option<&'static str>) {
    // Unticked: nothing is confirmed and nothing stored. Confirming it as
    // not remembered would put a device credential in a browser whose
    // owner declined (it would still get the code, but it is theirs to
    // decide what this browser keeps), and a later tick on a presented
    // device brings no new device to confirm. The cost: Cognito keeps an
    // unconfirmed record of this sign-in's device, which no list shows.
    let Some(name) = remember else {
        return (jar, None);
    };
    let policy = state.policy();
    let backend = state.sign_in().backend();
    if tokens.new_device.is_none() {
        // The sign-in presented this browser's device (it is known but not
        // remembered, e.g. set so elsewhere), or the pool tracks no devices.
        return match stored(&jar, policy) {
            Some(device) => {
                let target = UserTarget::AccessToken(tokens.access_token.clone());
                match device::set_status(
                    backend,
                    target,
                    device.key(),
                    DeviceRememberedStatus::Remembered,
                )
                .await
                {
                    Ok(()) => (jar, Some("This browser is remembered: no code next time.")),
                    Err(e) => {
                        tracing::warn!(error = %e, "UpdateDeviceStatus failed");
                        (jar, Some("This browser could not be remembered."))
                    }
                }
            }
            None => (
                jar,
                Some("This browser was not remembered: the user pool does not track devices."),
            ),
        };
    }
    match device::confirm(
        backend,
        tokens,
        Some(&name),
        DeviceRememberedStatus::Remembered,
    )
    .await
    {
        Ok(Some(confirmed)) => match serde_json::to_string(&confirmed.device) {
            Ok(json) => (
                DeviceCookie::store(jar, policy, json),
                Some("This browser is remembered: no code next time."),
            ),
            Err(_) => (jar, Some("This browser could not be remembered.")),
        },
        Ok(None) => (jar, None),
        Err(e) => {
            tracing::warn!(error = %e, "ConfirmDevice failed");
            (jar, Some("This browser could not be remembered."))
        }
    }
}

/// "2026-12-01 06:30 UTC".
pub(super) fn date(at: SystemTime) -> String {
    let at = cookie::time::OffsetDateTime::from(at);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// The account page's "Remembered devices" section: the user's remembered
/// devices (ListDevices with the access token), this browser's marked.
pub async fn section(
    state: &AppState,
    tokens: &AuthTokens,
    csrf: &str,
    jar: &PrivateCookieJar<Key>,
    policy: CookiePolicy,
) -> String {
    let this_key = stored(jar, policy).map(|device| device.key().to_owned());
    let listed = device::list_all(
        state.sign_in().backend(),
        UserTarget::AccessToken(tokens.access_token.clone()),
    )
    .await;
    match listed {
        Ok(devices) => {
            let rows: Vec<DeviceRow> = devices
                .iter()
                .map(|d| DeviceRow {
                    key: d.device_key.clone(),
                    name: d.name().unwrap_or("Unnamed device").to_owned(),
                    last_sign_in: d.last_authenticated.map(date),
                    this_browser: this_key.as_deref() == Some(d.device_key.as_str()),
                })
                .collect();
            // A cookie whose device is not listed (forgotten or no longer
            // remembered elsewhere) can still be dropped.
            let stray = this_key.is_some() && !rows.iter().any(|r| r.this_browser);
            pages::devices(csrf, &rows, stray, None)
        }
        Err(e) => {
            tracing::warn!(error = %e, "ListDevices failed");
            pages::devices(
                csrf,
                &[],
                this_key.is_some(),
                Some("The remembered devices could not be listed."),
            )
        }
    }
}

/// Forgets a device (ForgetDevice with the access token): `device_key`
/// from the list, or empty for this browser's own. This browser's cookie is
/// dropped when it is that device.
pub async fn forget(
    state: &AppState,
    tokens: &AuthTokens,
    device_key: &str,
    jar: PrivateCookieJar<Key>,
    policy: CookiePolicy,
) -> (PrivateCookieJar<Key>, &'static str) {
    let this_key = stored(&jar, policy).map(|device| device.key().to_owned());
    let key = match (device_key, &this_key) {
        ("", Some(own)) => own.clone(),
        ("", None) => {
            return (
                DeviceCookie::remove(jar, policy),
                "No such remembered device.",
            );
        }
        (key, _) => key.to_owned(),
    };
    let is_this_browser = this_key.as_deref() == Some(key.as_str());
    let forgotten = device::forget(
        state.sign_in().backend(),
        UserTarget::AccessToken(tokens.access_token.clone()),
        &key,
    )
    .await;
    match forgotten {
        // Already gone at Cognito: this browser's copy is worth nothing.
        Ok(()) | Err(Error::DeviceNotFound) if is_this_browser => (
            DeviceCookie::remove(jar, policy),
            "This browser is no longer remembered.",
        ),
        Ok(()) => (jar, "The device is forgotten: it will be asked for a code."),
        Err(Error::DeviceNotFound | Error::InvalidInput(_)) => (jar, "No such remembered device."),
        Err(e) => {
            tracing::warn!(error = %e, "ForgetDevice failed");
            (jar, "The device could not be forgotten. Please try again.")
        }
    }
}
