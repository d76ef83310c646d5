//! The app's web security, checked over HTTP without a browser: the headers, the cookies'
//! attributes, CSRF refusals, where the pending challenge lives, and the encrypted cookie.

use crate::app::backend::{SEED_PASSWORD, SEED_USER};
use crate::app::security::{CookiePolicy, DeviceCookie};
use crate::server::Server;
use axum::body::Body;
use axum::extract::FromRef as _;
use axum::http::{Method, Request, Response, StatusCode, header};
use axum::response::IntoResponse as _;
use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::Key;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

struct Http {
    client: Client<HttpConnector, Body>,
    base: String,
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn set_cookie(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The session cookie's `name=value`, from Set-Cookie.
    fn session(&self) -> String {
        self.set_cookie()
            .iter()
            .find(|c| c.starts_with("sid="))
            .map(|c| c.split(';').next().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no session cookie: {:?}", self.set_cookie()))
    }

    /// The CSRF token of the page's first form.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a CSRF field")
            + 19;
        self.body[at..].split('"').next().unwrap().to_owned()
    }
}

impl Http {
    fn new(server: &Server) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: server.url.clone(),
        }
    }

    async fn send(&self, method: Method, path: &str, cookie: Option<&str>, form: &str) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if !form.is_empty() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let response: Response<_> = self
            .client
            .request(request.body(Body::from(form.to_owned())).unwrap())
            .await
            .expect("the app answers");
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(Body::new(body), 1 << 20)
            .await
            .unwrap();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        self.send(Method::GET, path, cookie, "").await
    }

    async fn post(&self, path: &str, cookie: Option<&str>, form: &str) -> Answer {
        self.send(Method::POST, path, cookie, form).await
    }
}

fn sign_in_form(csrf: &str) -> String {
    format!("csrf={csrf}&username={SEED_USER}&password={SEED_PASSWORD}")
}

#[tokio::test]
async fn every_page_carries_the_security_headers_and_a_strict_session_cookie() {
    let server = Server::start().await;
    let http = Http::new(&server);
    let page = http.get("/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let h = |name: &str| {
        page.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let csp = h("content-security-policy");
    for part in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(
        !csp.contains("script-src"),
        "no script allowed at all: {csp}"
    );
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("referrer-policy"), "no-referrer");
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("cache-control"), "no-store");
    assert!(
        page.headers.get("strict-transport-security").is_none(),
        "plain HTTP: no HSTS"
    );
    assert!(!page.body.contains("<script"), "no script in the page");

    let cookie = page
        .set_cookie()
        .into_iter()
        .find(|c| c.starts_with("sid="))
        .unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on 127.0.0.1: {cookie}"
    );
    let id = cookie.split(';').next().unwrap().trim_start_matches("sid=");
    assert_eq!(id.len(), 43, "32 random bytes, base64url: {id}");

    // The 404 page too.
    let missing = http.get("/nothing-here", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.headers["x-frame-options"], "DENY");
}

#[tokio::test]
async fn a_form_without_its_sessions_csrf_token_is_refused() {
    let server = Server::start().await;
    let http = Http::new(&server);
    let page = http.get("/", None).await;
    let cookie = page.session();

    // Another token, or none: refused, and nothing was signed in.
    let forged = http
        .post("/sign-in", Some(&cookie), &sign_in_form("not-the-token"))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let missing = http
        .post(
            "/sign-in",
            Some(&cookie),
            &format!("username={SEED_USER}&password=x"),
        )
        .await;
    assert!(missing.status.is_client_error(), "{}", missing.status);
    // A form from a page whose session is gone (or from a browser without one): back to sign in.
    let stale = http
        .post("/sign-in", None, &sign_in_form(&page.csrf()))
        .await;
    assert_eq!(stale.status, StatusCode::SEE_OTHER);
    assert_eq!(stale.headers[header::LOCATION], "/");
    // The person's own token goes through, to the setup page.
    let ok = http
        .post("/sign-in", Some(&cookie), &sign_in_form(&page.csrf()))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.headers[header::LOCATION], "/setup");
}

#[tokio::test]
async fn the_pending_challenge_stays_on_the_server() {
    let server = Server::start().await;
    let http = Http::new(&server);
    let page = http.get("/", None).await;
    let cookie = page.session();
    let answer = http
        .post("/sign-in", Some(&cookie), &sign_in_form(&page.csrf()))
        .await;
    // Nothing but a redirect to a fixed path; no new cookie: the challenge is in the store,
    // under the random id the browser already had.
    assert_eq!(answer.headers[header::LOCATION], "/setup");
    assert!(answer.set_cookie().is_empty(), "{:?}", answer.set_cookie());
    assert!(answer.body.is_empty());
    assert_eq!(server.state.session_count(), 1);

    // The setup page shows the secret to its session only; another browser gets sign-in.
    let setup = http.get("/setup", Some(&cookie)).await;
    assert!(setup.body.contains("id=\"setup-key\""));
    let other = http.get("/setup", None).await;
    assert_eq!(other.headers[header::LOCATION], "/");

    // A wrong password: the form again, with the message and without the password.
    let page = http.get("/", None).await;
    let wrong = http
        .post(
            "/sign-in",
            Some(&page.session()),
            &format!(
                "csrf={}&username={SEED_USER}&password=Not-{SEED_PASSWORD}",
                page.csrf()
            ),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains("Incorrect user name or password."));
    assert!(!wrong.body.contains(SEED_PASSWORD));
}

#[tokio::test]
async fn the_device_cookie_is_encrypted_and_bound_to_the_key() {
    let policy = CookiePolicy { secure: false };
    let key = Key::generate();
    let json = r#"{"device_key":"us-east-1_0000","device_password":"secret-device-password"}"#;
    let jar = DeviceCookie::store(PrivateCookieJar::new(key.clone()), policy, json.to_owned());
    let response = (jar, ()).into_response();
    let set_cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.starts_with("device="), "{set_cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Max-Age=2592000", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
    assert!(
        !set_cookie.contains("secret-device-password"),
        "encrypted: {set_cookie}"
    );
    let pair = set_cookie.split(';').next().unwrap().to_owned();

    let read_with = |key: &Key, pair: &str| {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(header::COOKIE, pair.parse().unwrap());
        DeviceCookie::read(
            &PrivateCookieJar::from_headers(&headers, key.clone()),
            policy,
        )
    };
    assert_eq!(read_with(&key, &pair).as_deref(), Some(json));
    assert_eq!(
        read_with(&Key::generate(), &pair),
        None,
        "another server's key"
    );
    // One character changed: the authentication tag refuses it.
    let mut tampered = pair.clone().into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    assert_eq!(read_with(&key, &String::from_utf8(tampered).unwrap()), None);
    // Under another cookie's name (the name is the associated data): refused.
    let renamed = pair.replacen("device=", "sid=", 1);
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(header::COOKIE, renamed.parse().unwrap());
    let jar = PrivateCookieJar::from_headers(&headers, key.clone());
    assert!(jar.get("sid").is_none());
}

/// A device cookie this build can't read (an older format, under the right key) is dropped at
/// the next sign-in, which goes on without a device.
#[tokio::test]
async fn an_unreadable_device_cookie_is_dropped_at_sign_in() {
    let server = Server::start().await;
    let http = Http::new(&server);
    let policy = server.state.policy();
    let key = Key::from_ref(&server.state);
    let old = r#"{"v":0,"device_key":"us-east-1_0000"}"#;
    let jar = DeviceCookie::store(PrivateCookieJar::new(key), policy, old.to_owned());
    let stored = (jar, ()).into_response().headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    let page = http.get("/", None).await;
    let cookies = format!("{}; {stored}", page.session());
    let answer = http
        .post("/sign-in", Some(&cookies), &sign_in_form(&page.csrf()))
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let removal = answer
        .set_cookie()
        .into_iter()
        .find(|c| c.starts_with("device="))
        .expect("the device cookie is removed");
    assert!(
        removal.starts_with("device=;") && removal.contains("Max-Age=0"),
        "{removal}"
    );
}

#[test]
fn devices_are_named_in_our_words_only() {
    use crate::app::devices::device_name;
    let firefox =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    assert_eq!(device_name(Some(firefox)), "Firefox on Windows");
    let edge = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like \
                Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
    assert_eq!(device_name(Some(edge)), "Edge on macOS");
    assert_eq!(device_name(None), "Web browser");
    // Whatever the header holds, none of it reaches Cognito.
    let hostile = format!("Evil\u{202e}\n{}", "x".repeat(10_000));
    assert_eq!(device_name(Some(&hostile)), "Web browser");
}

/// The setup key shown on a page, without its spaces.
fn setup_key(page: &str) -> String {
    let at = page.find("id=\"setup-key\">").expect("a setup key") + 15;
    page[at..].split('<').next().unwrap().replace(' ', "")
}

/// The `sid=...` a response sets, or the one already held.
fn session_after(answer: &Answer, held: &str) -> String {
    answer
        .set_cookie()
        .iter()
        .find(|c| c.starts_with("sid="))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .unwrap_or_else(|| held.to_owned())
}

#[tokio::test]
async fn codes_per_pending_enrollment_are_bounded_at_five() {
    use cognito_mfa::TotpSecret;
    use cognito_mfa::clock::Clock as _;
    use cognito_mfa::testing::Authenticator;

    let server = Server::start().await;
    let http = Http::new(&server);
    // Sign in and set up the authenticator through the MFA_SETUP page.
    let page = http.get("/", None).await;
    let cookie = page.session();
    http.post("/sign-in", Some(&cookie), &sign_in_form(&page.csrf()))
        .await;
    let setup = http.get("/setup", Some(&cookie)).await;
    let phone = Authenticator::new(&TotpSecret::new(setup_key(&setup.body))).unwrap();
    let code = phone.code_for_clock(&server.clock);
    let form = format!("csrf={}&code={}", setup.csrf(), code.expose_secret());
    let done = http.post("/setup", Some(&cookie), &form).await;
    assert_eq!(done.headers[header::LOCATION], "/signed-in");
    let cookie = session_after(&done, &cookie);

    // A new authenticator from the account page: no Session to spend, so only the app's bound
    // stops a guesser.
    let account = http.get("/account", Some(&cookie)).await;
    let csrf = account.csrf();
    http.post(
        "/account/totp/start",
        Some(&cookie),
        &format!("csrf={csrf}"),
    )
    .await;
    let account = http.get("/account", Some(&cookie)).await;
    let new_phone = Authenticator::new(&TotpSecret::new(setup_key(&account.body))).unwrap();
    let mut wrong = 0u32;
    let mut tries = Vec::new();
    while tries.len() < 5 {
        let guess = format!("{wrong:06}");
        wrong += 1;
        if new_phone.matches(&guess, server.clock.now()) {
            continue;
        }
        let answer = http
            .post(
                "/account/totp/verify",
                Some(&cookie),
                &format!("csrf={csrf}&code={guess}"),
            )
            .await;
        tries.push(answer.body);
    }
    for (i, body) in tries[..4].iter().enumerate() {
        assert!(
            body.contains("That code is not right."),
            "try {}: {body}",
            i + 1
        );
        assert!(
            body.contains("id=\"setup-key\""),
            "try {}: still set up",
            i + 1
        );
    }
    assert!(
        tries[4].contains("Too many wrong codes."),
        "the fifth: {}",
        tries[4]
    );
    assert!(!tries[4].contains("id=\"setup-key\""), "the setup is gone");
}

/// A sign-in whose ID token does not verify against the keys the app trusts (another pool's, as a
/// misconfigured app or a forged answer would have it) is no sign-in: back to the sign-in page
/// with the reason, and no signed-in page.
#[tokio::test]
async fn a_sign_in_whose_id_token_does_not_verify_is_refused() {
    use cognito_mfa::TotpSecret;
    use cognito_mfa::testing::{Authenticator, InMemoryPool};

    let stranger = InMemoryPool::new();
    let server = Server::start_trusting(Some(stranger.jwks_json())).await;
    let http = Http::new(&server);
    let page = http.get("/", None).await;
    let cookie = page.session();
    http.post("/sign-in", Some(&cookie), &sign_in_form(&page.csrf()))
        .await;
    let setup = http.get("/setup", Some(&cookie)).await;
    let phone = Authenticator::new(&TotpSecret::new(setup_key(&setup.body))).unwrap();
    let code = phone.code_for_clock(&server.clock);
    let form = format!("csrf={}&code={}", setup.csrf(), code.expose_secret());
    let done = http.post("/setup", Some(&cookie), &form).await;
    assert_eq!(done.headers[header::LOCATION], "/", "back to sign-in");
    let cookie = session_after(&done, &cookie);
    let home = http.get("/", Some(&cookie)).await;
    assert!(
        home.body.contains("did not verify (UnknownKey)"),
        "{}",
        home.body
    );
    let signed_in = http.get("/signed-in", Some(&cookie)).await;
    assert_ne!(signed_in.status, StatusCode::OK, "not signed in");
}
