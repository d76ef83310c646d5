//! What a person does: sign in, set up an authenticator from the page's setup key, sign out,
//! sign in again with a code, mistype one, let a challenge expire, see the account page,
//! remember this browser and forget it.

use crate::app::backend::{SEED_PASSWORD, SEED_SESSION_VALIDITY, SEED_USER};
use crate::driver::Browser;
use crate::server::Server;
use cognito_mfa::TotpSecret;
use cognito_mfa::backend::{Device, DeviceRememberedStatus, UserTarget};
use cognito_mfa::clock::Clock as _;
use cognito_mfa::device;
use cognito_mfa::testing::Authenticator;
use std::time::{Duration, Instant};

/// The next TOTP step: a code is single-use within its step (Cognito's rule, which the pool
/// keeps), so each sign-in after the first moves the shared clock on rather than wait.
const STEP: Duration = Duration::from_secs(30);

async fn sign_in(browser: &Browser) {
    browser.open("/").await;
    browser.fill("#username", SEED_USER).await;
    browser.fill("#password", SEED_PASSWORD).await;
    browser.click("#sign-in").await;
}

async fn type_code(browser: &Browser, code: &str) {
    browser.fill("#code", code).await;
    browser.click("#verify").await;
}

/// A six-digit code that the authenticator would not accept now.
fn wrong_code(phone: &Authenticator, server: &Server) -> String {
    let right = phone.code_for_clock(&server.clock);
    let mut digits: Vec<u8> = right.expose_secret().bytes().collect();
    loop {
        digits[0] = b'0' + (digits[0] - b'0' + 1) % 10;
        let candidate = String::from_utf8(digits.clone()).unwrap();
        if !phone.matches(&candidate, server.clock.now()) {
            return candidate;
        }
    }
}

/// Sets up the seeded user's authenticator through the MFA_SETUP page and returns it.
async fn first_sign_in_sets_up(browser: &Browser, server: &Server) -> Authenticator {
    sign_in(browser).await;
    browser.wait_for_path("/setup").await;

    // What a person needs to set up a phone: a QR code, an otpauth link, the key in fours.
    assert!(browser.has(".qr svg").await, "a QR code");
    let link = browser.attr("#otpauth", "href").await.unwrap();
    assert!(link.starts_with("otpauth://totp/"), "{link}");
    let key = browser.text("#setup-key").await;
    let groups: Vec<&str> = key.split(' ').collect();
    assert!(
        groups.len() >= 4 && groups.iter().all(|g| (1..=4).contains(&g.len())),
        "the setup key in groups of four: {key:?}"
    );
    assert!(
        link.contains(&format!("secret={}", groups.concat())),
        "the link and the key are one secret"
    );
    assert_eq!(
        browser.attr("#code", "autocomplete").await.as_deref(),
        Some("one-time-code")
    );
    assert_eq!(
        browser.attr("#code", "inputmode").await.as_deref(),
        Some("numeric")
    );
    assert!(
        browser.has("label[for=code]").await,
        "the code field has a label"
    );
    browser.screenshot("02-setup").await;

    // The person types the code their app shows for the key they read off the page.
    let phone = Authenticator::new(&TotpSecret::new(groups.concat())).unwrap();
    type_code(browser, phone.code_for_clock(&server.clock).expose_secret()).await;
    browser.wait_for_path("/signed-in").await;
    phone
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: Debian's chromium and chromium-driver (bash tests/run.sh installs them)"]
async fn a_person_signs_in_sets_up_totp_and_signs_in_again() {
    let started = Instant::now();
    let server = Server::start().await;
    let browser = Browser::start(&server.url).await;

    // The sign-in page: labelled fields.
    browser.open("/").await;
    assert!(browser.has("label[for=username]").await);
    assert!(browser.has("label[for=password]").await);
    browser.screenshot("01-sign-in").await;

    // 1. First sign-in: the pool demands MFA, so the setup page; then signed in.
    let phone = first_sign_in_sets_up(&browser, &server).await;
    assert_eq!(browser.text("#who").await, SEED_USER);
    assert!(
        browser.text("#mfa").await.starts_with("on"),
        "MFA shown as on: {}",
        browser.text("#mfa").await
    );
    // The ID token's claims, verified against the pool's keys at sign-in.
    let claims = browser.text("#claims").await;
    for shown in [
        "cognito:username",
        SEED_USER,
        "alice@example.com",
        &format!(
            "https://cognito-idp.us-east-1.amazonaws.com/{}",
            server.pool.pool_id()
        ),
        "verified at sign-in",
    ] {
        assert!(
            claims.contains(shown),
            "{shown:?} not in the claims:\n{claims}"
        );
    }
    browser.screenshot("03-signed-in").await;

    // 2. Sign out.
    browser.click("#sign-out").await;
    browser.wait_for_path("/").await;
    assert_eq!(browser.text("#notice").await, "You are signed out.");
    browser.open("/signed-in").await;
    browser.wait_for_path("/").await;

    // 3. Sign in again: now a code. A wrong one keeps the form, with a clear message.
    server.clock.advance(STEP);
    sign_in(&browser).await;
    browser.wait_for_path("/code").await;
    assert!(browser.has("#remember").await, "a remember-this-device box");
    browser.screenshot("04-code").await;
    type_code(&browser, &wrong_code(&phone, &server)).await;
    // The answer comes back on the same path: wait for the message itself.
    browser.wait_for("#error").await;
    assert_eq!(browser.path().await, "/code");
    let error = browser.text("#error").await;
    assert!(error.contains("not right"), "{error}");
    assert!(browser.has("#code").await, "the form is still there");
    browser.screenshot("05-wrong-code").await;
    type_code(
        &browser,
        phone.code_for_clock(&server.clock).expose_secret(),
    )
    .await;
    browser.wait_for_path("/signed-in").await;

    // 4. The account page: the authenticator and the remembered-devices section.
    browser.click("#account").await;
    browser.wait_for_path("/account").await;
    assert!(browser.text("#mfa").await.starts_with("on"));
    assert!(browser.has("#remembered-devices").await);
    browser.screenshot("06-account").await;

    // 5. A challenge left past its validity: back to sign in, with a message.
    browser.click("#sign-out").await;
    browser.wait_for_path("/").await;
    server.clock.advance(STEP);
    sign_in(&browser).await;
    browser.wait_for_path("/code").await;
    server.clock.advance(SEED_SESSION_VALIDITY + STEP);
    type_code(
        &browser,
        phone.code_for_clock(&server.clock).expose_secret(),
    )
    .await;
    browser.wait_for_path("/").await;
    let notice = browser.text("#notice").await;
    assert!(notice.contains("expired"), "{notice}");
    browser.screenshot("07-expired").await;

    browser.close().await;
    eprintln!("browser flow took {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: Debian's chromium and chromium-driver (bash tests/run.sh installs them)"]
async fn the_account_page_sets_up_a_new_authenticator() {
    let server = Server::start().await;
    let browser = Browser::start(&server.url).await;
    let old_phone = first_sign_in_sets_up(&browser, &server).await;

    browser.open("/account").await;
    browser.click("#totp-start").await;
    browser.wait_for("#setup-key").await;
    browser.wait_for_path("/account").await;
    let key = browser.text("#setup-key").await;
    assert!(browser.has(".qr svg").await, "a QR code");
    let new_phone = Authenticator::new(&TotpSecret::new(key.replace(' ', ""))).unwrap();
    browser.screenshot("08-account-new-authenticator").await;

    // A wrong code keeps the setup; the right one turns it on.
    server.clock.advance(STEP);
    type_code(&browser, &wrong_code(&new_phone, &server)).await;
    browser.wait_for("#error").await;
    assert!(browser.text("#error").await.contains("not right"));
    assert!(browser.has("#setup-key").await, "the setup is still shown");
    type_code(
        &browser,
        new_phone.code_for_clock(&server.clock).expose_secret(),
    )
    .await;
    browser.wait_for_path("/account").await;
    assert!(browser.text("#notice").await.contains("is on"));

    // The next sign-in takes the new authenticator's code, not the old one's.
    browser.click("#sign-out").await;
    browser.wait_for_path("/").await;
    server.clock.advance(STEP);
    sign_in(&browser).await;
    browser.wait_for_path("/code").await;
    let old = old_phone.code_for_clock(&server.clock);
    if !new_phone.matches(old.expose_secret(), server.clock.now()) {
        type_code(&browser, old.expose_secret()).await;
        browser.wait_for("#error").await;
        assert!(browser.text("#error").await.contains("not right"));
    }
    type_code(
        &browser,
        new_phone.code_for_clock(&server.clock).expose_secret(),
    )
    .await;
    browser.wait_for_path("/signed-in").await;
    browser.close().await;
}

/// The seeded user's devices as Cognito holds them (AdminListDevices: remembered ones).
async fn devices_at_cognito(server: &Server) -> Vec<Device> {
    device::list_all(
        &server.pool,
        UserTarget::Admin {
            user_pool_id: server.pool.pool_id().to_owned(),
            username: SEED_USER.to_owned(),
        },
    )
    .await
    .expect("AdminListDevices")
}

/// Signs in with a code, ticking "remember this device" when `remember`.
async fn sign_in_with_code(
    browser: &Browser,
    server: &Server,
    phone: &Authenticator,
    remember: bool,
) {
    server.clock.advance(STEP);
    sign_in(browser).await;
    browser.wait_for_path("/code").await;
    if remember {
        browser.click("#remember").await;
    }
    type_code(browser, phone.code_for_clock(&server.clock).expose_secret()).await;
    browser.wait_for_path("/signed-in").await;
}

async fn sign_out(browser: &Browser) {
    browser.click("#sign-out").await;
    browser.wait_for_path("/").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: Debian's chromium and chromium-driver (bash tests/run.sh installs them)"]
async fn remember_this_device_skips_the_code_next_time() {
    let server = Server::start().await;
    let browser = Browser::start(&server.url).await;
    let phone = first_sign_in_sets_up(&browser, &server).await;
    sign_out(&browser).await;
    assert!(
        browser.cookie("device").await.is_none(),
        "no device without the tick"
    );

    // 1. Tick "remember this device" with the code: the device is confirmed and remembered at
    //    Cognito, and the browser holds it in an encrypted, HttpOnly, SameSite=Strict cookie
    //    that lasts 30 days.
    sign_in_with_code(&browser, &server, &phone, true).await;
    assert!(
        browser.text("#notice").await.contains("remembered"),
        "{}",
        browser.text("#notice").await
    );
    let at_cognito = devices_at_cognito(&server).await;
    assert_eq!(at_cognito.len(), 1, "one remembered device: {at_cognito:?}");
    assert_eq!(
        at_cognito[0].remembered_status(),
        Some(DeviceRememberedStatus::Remembered)
    );
    let key = at_cognito[0].device_key.clone();
    let cookie = browser.cookie("device").await.expect("the device cookie");
    assert_eq!(cookie.http_only(), Some(true));
    // fantoccini's cookie type is another `cookie` version's: compare by name.
    assert_eq!(
        cookie.same_site().map(|s| s.to_string()).as_deref(),
        Some("Strict")
    );
    assert!(
        !cookie.value().contains(&key) && !cookie.value().contains("device_password"),
        "the cookie is encrypted"
    );
    let expires = cookie
        .expires_datetime()
        .expect("a lifetime")
        .unix_timestamp();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let days = (expires - now) / 86_400;
    assert!((29..=30).contains(&days), "kept 30 days, not {days}");
    sign_out(&browser).await;

    // 2. The next sign-in in this browser asks for no code: DEVICE_SRP_AUTH instead.
    server.clock.advance(STEP);
    sign_in(&browser).await;
    browser.wait_for_path("/signed-in").await;

    // 3. The account page lists it by a name a person recognises, marked as this browser,
    //    with its last sign-in.
    browser.click("#account").await;
    browser.wait_for_path("/account").await;
    let row = browser.text("#devices li").await;
    assert!(row.contains("Chrome on Linux"), "{row}");
    assert!(row.contains("(this browser)"), "{row}");
    assert!(row.contains("last sign-in 20"), "{row}");
    assert!(
        browser.has("#devices li #forget-this").await,
        "this browser's row has its Forget button"
    );
    browser.screenshot("09-remembered-device").await;

    // 4. Forget it: gone at Cognito and from the browser; the next sign-in asks the code.
    browser.click("#forget-this").await;
    browser.wait_for("#notice").await;
    assert!(
        browser
            .text("#notice")
            .await
            .contains("no longer remembered"),
        "{}",
        browser.text("#notice").await
    );
    assert!(browser.has("#no-devices").await);
    assert!(devices_at_cognito(&server).await.is_empty());
    assert!(
        browser.cookie("device").await.is_none(),
        "the cookie is dropped"
    );
    sign_out(&browser).await;
    sign_in_with_code(&browser, &server, &phone, true).await;

    // 5. Forgotten elsewhere (an administrator, another browser): this browser's next sign-in
    //    presents a device Cognito no longer knows, so the library signs in again without it,
    //    the code is asked, and the stale cookie is dropped.
    let again = devices_at_cognito(&server).await;
    assert_eq!(again.len(), 1, "remembered again: {again:?}");
    device::forget(
        &server.pool,
        UserTarget::Admin {
            user_pool_id: server.pool.pool_id().to_owned(),
            username: SEED_USER.to_owned(),
        },
        &again[0].device_key,
    )
    .await
    .expect("AdminForgetDevice");
    sign_out(&browser).await;
    server.clock.advance(STEP);
    sign_in(&browser).await;
    browser.wait_for_path("/code").await;
    assert!(
        browser.cookie("device").await.is_none(),
        "a device Cognito doesn't know is dropped"
    );
    type_code(
        &browser,
        phone.code_for_clock(&server.clock).expose_secret(),
    )
    .await;
    browser.wait_for_path("/signed-in").await;
    browser.click("#account").await;
    browser.wait_for_path("/account").await;
    assert!(browser.has("#no-devices").await);
    assert!(!browser.has("#forget-this").await);
    browser.close().await;
}
