//! Web security: random ids, CSRF tokens, cookie attributes, the encrypted
//! device cookie, and the headers every response carries.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::{Cookie, Key, SameSite};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq as _;

/// 32 random bytes from the operating system, base64url: session ids and
/// CSRF tokens. `None` only if the OS has no randomness to give.
pub fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

/// A CSRF token is compared in constant time: a timing difference must not
/// tell an attacker how much of a guess was right.
pub fn csrf_matches(expected: &str, sent: &str) -> bool {
    expected.as_bytes().ct_eq(sent.as_bytes()).into()
}

/// The cookie that names the server-side session, and how it is sent.
#[derive(Clone, Copy, Debug)]
pub struct CookiePolicy {
    /// Served over TLS (directly or behind a proxy that terminates it):
    /// cookies get `Secure` and the `__Host-` name prefix.
    pub secure: bool,
}

impl CookiePolicy {
    /// The session cookie's name: with `__Host-` over TLS, which browsers
    /// accept only with `Secure`, `Path=/` and no `Domain` (no subdomain
    /// can plant or read it). A plain-HTTP development server can't use it.
    pub fn session_name(self) -> &'static str {
        if self.secure { "__Host-sid" } else { "sid" }
    }

    /// The remembered device's cookie name, likewise.
    pub fn device_name(self) -> &'static str {
        if self.secure {
            "__Host-device"
        } else {
            "device"
        }
    }

    /// The session cookie: HttpOnly (no script reads it), SameSite=Strict
    /// (no other site's request carries it), Secure over TLS; a browser
    /// session cookie (no Max-Age), the server expires it sooner.
    pub fn session_cookie(self, id: String) -> Cookie<'static> {
        Cookie::build((self.session_name(), id))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .path("/")
            .build()
    }

    /// A cookie that removes the session cookie.
    pub fn session_removal(self) -> Cookie<'static> {
        Cookie::build((self.session_name(), "")).path("/").build()
    }

    /// The remembered-device cookie: encrypted by the jar it goes into,
    /// HttpOnly, SameSite=Strict, Secure over TLS, kept 30 days.
    pub fn device_cookie(self, value: String) -> Cookie<'static> {
        Cookie::build((self.device_name(), value))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .path("/")
            .max_age(cookie::time::Duration::days(30))
            .build()
    }
}

/// The browser-side store of the remembered device: a cookie encrypted and
/// authenticated with the server's key (AES-256-GCM with the cookie's name
/// as associated data, by the `cookie` crate), so the browser holds the
/// device's secret without being able to read it, and a changed or
/// transplanted value is refused.
pub struct DeviceCookie;

impl DeviceCookie {
    /// The device's serialized form, if the browser sent a cookie that
    /// decrypts under this server's key.
    pub fn read(jar: &PrivateCookieJar<Key>, policy: CookiePolicy) -> Option<String> {
        jar.get(policy.device_name())
            .map(|cookie| cookie.value().to_owned())
    }

    /// Stores `serialized` (the device's JSON) in the browser.
    pub fn store(
        jar: PrivateCookieJar<Key>,
        policy: CookiePolicy,
        serialized: String,
    ) -> PrivateCookieJar<Key> {
        jar.add(policy.device_cookie(serialized))
    }

    /// Forgets the device in this browser.
    pub fn remove(jar: PrivateCookieJar<Key>, policy: CookiePolicy) -> PrivateCookieJar<Key> {
        jar.remove(Cookie::build(policy.device_name()).path("/"))
    }
}

/// The key the device cookie is encrypted with: from 64 bytes given as
/// base64 (`--cookie-key`, or `WEB_COOKIE_KEY`), so remembered devices
/// survive a restart, or else fresh random bytes for this run only.
pub fn cookie_key(base64_key: Option<&str>) -> Result<Key, String> {
    match base64_key {
        Some(text) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|_| "the cookie key is not base64".to_owned())?;
            Key::try_from(bytes.as_slice())
                .map_err(|_| "the cookie key must be at least 64 bytes".to_owned())
        }
        None => {
            let mut bytes = [0u8; 64];
            getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
            Ok(Key::from(&bytes))
        }
    }
}

/// Content Security Policy: nothing but this origin's stylesheet and
/// images; no script at all (the pages need none), forms post only here,
/// and no other site may frame a page.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response. Pages hold secrets (a
/// setup key, claims): nothing is cached.
pub async fn headers(State(policy): State<CookiePolicy>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::CACHE_CONTROL, "no-store");
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if policy.secure {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    response
}
