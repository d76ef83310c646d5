//! Remembered devices: the three places they slot in. Each is one function
//! and says what it does today and what it does once the crate's devices
//! (ConfirmDevice, `RememberedDevice`, device sign-in, list and forget;
//! issue #15) are merged.

use super::pages;
use super::security::{CookiePolicy, DeviceCookie};
use super::state::AppState;
use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::Key;
use cognito_mfa::backend::AuthTokens;
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::{Error, Password};

/// The first step of a sign-in: the password over SRP, presenting the
/// device this browser remembers (`device_json`, from the encrypted
/// cookie), if any.
///
/// Hook (#15): the device is not presented yet. Once merged, deserialize
/// the `RememberedDevice` from `device_json` and sign in with it, so
/// Cognito answers DEVICE_SRP_AUTH (the library answers it) instead of
/// asking for a code; a device Cognito no longer knows ("Device does not
/// exist.") means: sign in again without it and drop the cookie.
pub async fn sign_in(
    sign_in: &SignIn,
    username: &str,
    password: &Password,
    device_json: Option<&str>,
) -> Result<SignInStep, Error> {
    let _not_yet_presented = device_json;
    sign_in.password_srp(username, password).await
}

/// After a sign-in ended with tokens. `remember` is the "remember this
/// device" box of the code page. Returns the jar to send (with the device
/// cookie when one was stored) and a notice for the person, if any.
///
/// Hook (#15): when `remember` is ticked and `tokens.new_device` holds the
/// keys Cognito issued, confirm the device (ConfirmDevice with the access
/// token) and store the `RememberedDevice`'s JSON with
/// [`DeviceCookie::store`]. Today the crate can't confirm a device, so
/// nothing is stored and the person is told.
pub async fn after_sign_in(
    _state: &AppState,
    tokens: &AuthTokens,
    remember: bool,
    jar: PrivateCookieJar<Key>,
) -> (PrivateCookieJar<Key>, Option<&'static str>) {
    if !remember {
        return (jar, None);
    }
    let _keys_to_confirm = tokens.new_device.as_ref();
    (
        jar,
        Some("This browser was not remembered: this build can't remember devices yet."),
    )
}

/// The account page's "Remembered devices" section.
///
/// Hook (#15): list the user's remembered devices (ListDevices with the
/// access token) and mark the one this browser holds. Today it lists none,
/// and offers to forget this browser's cookie if there is one.
pub async fn section(
    _state: &AppState,
    _tokens: &AuthTokens,
    csrf: &str,
    jar: &PrivateCookieJar<Key>,
    policy: CookiePolicy,
) -> String {
    let this_browser = DeviceCookie::read(jar, policy).is_some();
    pages::devices(csrf, this_browser, &[])
}

/// Forgets a device: `device_key` from the list, or empty for this
/// browser's own.
///
/// Hook (#15): call ForgetDevice with the access token for `device_key`
/// (for this browser's, the key in its `RememberedDevice`). Today it drops
/// this browser's cookie, which is all there is.
pub async fn forget(
    _state: &AppState,
    _tokens: &AuthTokens,
    device_key: &str,
    jar: PrivateCookieJar<Key>,
    policy: CookiePolicy,
) -> (PrivateCookieJar<Key>, &'static str) {
    if device_key.is_empty() {
        (
            DeviceCookie::remove(jar, policy),
            "This browser is no longer remembered.",
        )
    } else {
        (jar, "No such remembered device.")
    }
}
