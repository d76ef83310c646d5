//! The pages, as plain `format!` templates: every value from outside goes
//! through [`escape`]. No script anywhere (the CSP allows none).

use axum::response::Html;
use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The stylesheet, served from this origin (the CSP allows no inline style).
pub const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; }
form { margin: 1rem 0; }
label { display: block; margin: .8rem 0 .3rem; font-weight: 600; }
label.check { font-weight: normal; }
input[type=text], input[type=password] { font-size: 1.1rem; padding: .4rem; width: 100%; box-sizing: border-box; }
input#code { letter-spacing: .3em; width: 9em; }
button { font-size: 1rem; padding: .5rem 1.2rem; margin-top: .8rem; }
.error { color: #a00000; background: #fde8e8; padding: .5rem .8rem; border-left: 4px solid #a00000; }
.notice { background: #e8f0fd; padding: .5rem .8rem; border-left: 4px solid #1f4fa0; }
.key { display: inline-block; font-family: ui-monospace, monospace; font-size: 1.2rem; word-spacing: .4em; background: #f3f3f3; padding: .1rem .5rem; margin: .3rem 0; }
ol li { margin-bottom: .6rem; }
.qr svg { width: 220px; height: 220px; }
dl.claims dt { font-weight: 600; }
dl.claims dd { margin: 0 0 .6rem 0; font-family: ui-monospace, monospace; word-break: break-all; }
nav { margin-top: 2rem; display: flex; gap: 1rem; align-items: baseline; }
nav form { margin: 0; }
.hint { color: #555; font-size: .9rem; }
#devices li { margin-bottom: .6rem; }
#devices form { display: inline; margin-left: .5rem; }
#devices button { margin-top: 0; padding: .2rem .8rem; }
"#;

/// A whole page around `body`.
pub fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · cognito-mfa web example</title>\
         <link rel=\"stylesheet\" href=\"/style.css\"></head>\n<body>\n{body}\n</body></html>\n",
        escape(title)
    ))
}

/// The hidden CSRF field every form carries.
fn csrf_field(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(csrf)
    )
}

/// A notice (after a redirect) and an error (on this form), when any.
fn messages(notice: Option<&str>, error: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(text) = notice {
        let _ = write!(
            out,
            "<p class=\"notice\" id=\"notice\" role=\"status\">{}</p>",
            escape(text)
        );
    }
    if let Some(text) = error {
        let _ = write!(
            out,
            "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
            escape(text)
        );
    }
    out
}

/// The code input: one-time-code autofill, the numeric keypad on phones.
fn code_input() -> &'static str {
    "<label for=\"code\">6-digit code from your authenticator app</label>\
     <input type=\"text\" id=\"code\" name=\"code\" autocomplete=\"one-time-code\" \
     inputmode=\"numeric\" pattern=\"[0-9 ]{6,7}\" maxlength=\"7\" required autofocus>"
}

pub fn sign_in(
    csrf: &str,
    notice: Option<&str>,
    error: Option<&str>,
    username: &str,
) -> Html<String> {
    page(
        "Sign in",
        &format!(
            "<h1>Sign in</h1>{}\
             <form method=\"post\" action=\"/sign-in\">{}\
             <label for=\"username\">User name</label>\
             <input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" \
             value=\"{}\" required autofocus>\
             <label for=\"password\">Password</label>\
             <input type=\"password\" id=\"password\" name=\"password\" \
             autocomplete=\"current-password\" required>\
             <button type=\"submit\" id=\"sign-in\">Sign in</button></form>\
             <p class=\"hint\">The password is checked over SRP: it never leaves this server.</p>",
            messages(notice, error),
            csrf_field(csrf),
            escape(username)
        ),
    )
}

pub fn code(csrf: &str, error: Option<&str>, username: &str, device: Option<&str>) -> Html<String> {
    let from = device
        .map(|d| format!(" (registered as <em>{}</em>)", escape(d)))
        .unwrap_or_default();
    page(
        "Enter your code",
        &format!(
            "<h1>Two-step verification</h1>\
             <p>Signing in as <strong>{}</strong>. Open your authenticator app{from}.</p>{}\
             <form method=\"post\" action=\"/code\">{}{}\
             <label class=\"check\"><input type=\"checkbox\" id=\"remember\" name=\"remember\" \
             value=\"yes\"> Remember this device (no code next time in this browser)</label>\
             <button type=\"submit\" id=\"verify\">Verify</button></form>\
             <p><a href=\"/\">Cancel and start again</a></p>",
            escape(username),
            messages(None, error),
            csrf_field(csrf),
            code_input(),
        ),
    )
}

/// What an enrollment shows: the QR code, the otpauth link, the setup key.
pub struct EnrollmentView<'a> {
    pub qr_svg: &'a str,
    pub uri: &'a str,
    pub setup_key: &'a str,
}

fn enrollment(view: &EnrollmentView<'_>) -> String {
    // qrcode's SVG starts with an XML declaration, which HTML doesn't want.
    let svg = match view.qr_svg.find("<svg") {
        Some(at) => &view.qr_svg[at..],
        None => view.qr_svg,
    };
    format!(
        "<ol><li>Scan this QR code with your authenticator app \
         (Google Authenticator, Authy, 1Password, ...):\
         <div class=\"qr\" role=\"img\" aria-label=\"QR code for your authenticator app\">{svg}</div></li>\
         <li>On this phone? <a id=\"otpauth\" href=\"{}\">Add it to your authenticator app</a>.</li>\
         <li>Or type this setup key: <code class=\"key\" id=\"setup-key\">{}</code> \
         (time-based, 6 digits)</li></ol>",
        escape(view.uri),
        escape(view.setup_key)
    )
}

pub fn setup(
    csrf: &str,
    error: Option<&str>,
    username: &str,
    view: &EnrollmentView<'_>,
) -> Html<String> {
    page(
        "Set up two-step verification",
        &format!(
            "<h1>Set up two-step verification</h1>\
             <p>This pool requires a second step for <strong>{}</strong>.</p>{}{}\
             <form method=\"post\" action=\"/setup\">{}{}\
             <button type=\"submit\" id=\"verify\">Verify and sign in</button></form>\
             <p><a href=\"/\">Cancel and start again</a></p>",
            escape(username),
            enrollment(view),
            messages(None, error),
            csrf_field(csrf),
            code_input(),
        ),
    )
}

fn nav(csrf: &str) -> String {
    format!(
        "<nav><a href=\"/signed-in\">Home</a> <a href=\"/account\" id=\"account\">Account</a>\
         <form method=\"post\" action=\"/sign-out\">{}\
         <button type=\"submit\" id=\"sign-out\">Sign out</button></form></nav>",
        csrf_field(csrf)
    )
}

pub fn signed_in(
    csrf: &str,
    notice: Option<&str>,
    username: &str,
    mfa: &str,
    claims_section: &str,
) -> Html<String> {
    page(
        "Signed in",
        &format!(
            "<h1>Signed in</h1>{}<p>Welcome, <strong id=\"who\">{}</strong>.</p>\
             <p>Two-step verification: <strong id=\"mfa\">{}</strong></p>{claims_section}{}",
            messages(notice, None),
            escape(username),
            escape(mfa),
            nav(csrf)
        ),
    )
}

/// The claims section: a list of (name, value) pairs.
pub fn claims(heading: &str, note: &str, claims: &[(String, String)]) -> String {
    let mut list = String::new();
    for (name, value) in claims {
        let _ = write!(list, "<dt>{}</dt><dd>{}</dd>", escape(name), escape(value));
    }
    format!(
        "<section id=\"claims\"><h2>{}</h2><p class=\"hint\">{}</p><dl class=\"claims\">{list}</dl></section>",
        escape(heading),
        escape(note)
    )
}

pub struct AccountView<'a> {
    pub csrf: &'a str,
    pub notice: Option<&'a str>,
    pub error: Option<&'a str>,
    pub username: &'a str,
    pub mfa: &'a str,
    pub totp_on: bool,
    pub enrolling: Option<EnrollmentView<'a>>,
    pub devices_section: &'a str,
}

pub fn account(view: &AccountView<'_>) -> Html<String> {
    let totp = match &view.enrolling {
        Some(enrolling) => format!(
            "{}<form method=\"post\" action=\"/account/totp/verify\">{}{}\
             <button type=\"submit\" id=\"verify\">Turn on</button></form>\
             <form method=\"post\" action=\"/account/totp/cancel\">{}\
             <button type=\"submit\">Cancel</button></form>",
            enrollment(enrolling),
            csrf_field(view.csrf),
            code_input(),
            csrf_field(view.csrf)
        ),
        None => format!(
            "<form method=\"post\" action=\"/account/totp/start\">{}\
             <button type=\"submit\" id=\"totp-start\">{}</button></form>",
            csrf_field(view.csrf),
            if view.totp_on {
                "Set up a new authenticator app"
            } else {
                "Turn on two-step verification"
            }
        ),
    };
    page(
        "Account",
        &format!(
            "<h1>Account</h1>{}<p>Signed in as <strong>{}</strong>.</p>\
             <section id=\"totp\"><h2>Authenticator app</h2>\
             <p>Two-step verification: <strong id=\"mfa\">{}</strong></p>{totp}</section>\
             {}{}",
            messages(view.notice, view.error),
            escape(view.username),
            escape(view.mfa),
            view.devices_section,
            nav(view.csrf)
        ),
    )
}

/// One remembered device, as the account page lists it.
pub struct DeviceRow {
    pub key: String,
    pub name: String,
    pub last_sign_in: Option<String>,
    /// The device this browser's cookie holds.
    pub this_browser: bool,
}

/// The remembered-devices section of the account page: one row per device
/// with a "Forget" form; `stray`: this browser holds a device the list
/// doesn't show, which it can still drop.
pub fn devices(csrf: &str, listed: &[DeviceRow], stray: bool, error: Option<&str>) -> String {
    let mut rows = String::new();
    for row in listed {
        let (marker, button_id) = if row.this_browser {
            (
                " <strong class=\"this-browser\">(this browser)</strong>",
                " id=\"forget-this\"",
            )
        } else {
            ("", "")
        };
        let last = row
            .last_sign_in
            .as_deref()
            .map(|at| format!("last sign-in {}", escape(at)))
            .unwrap_or_else(|| "no sign-in on it yet".to_owned());
        let _ = write!(
            rows,
            "<li><span class=\"device-name\">{}</span>{marker} \
             <span class=\"hint\">{last}</span>\
             <form method=\"post\" action=\"/account/devices/forget\">{}\
             <input type=\"hidden\" name=\"device_key\" value=\"{}\">\
             <button type=\"submit\"{button_id}>Forget</button></form></li>",
            escape(&row.name),
            csrf_field(csrf),
            escape(&row.key)
        );
    }
    let list = if rows.is_empty() {
        "<p id=\"no-devices\">No remembered devices.</p>".to_owned()
    } else {
        format!("<ul id=\"devices\">{rows}</ul>")
    };
    let this = if stray {
        format!(
            "<p>This browser holds a device that is not remembered any more.</p>\
             <form method=\"post\" action=\"/account/devices/forget\">{}\
             <input type=\"hidden\" name=\"device_key\" value=\"\">\
             <button type=\"submit\" id=\"forget-this\">Forget this browser</button></form>",
            csrf_field(csrf)
        )
    } else {
        String::new()
    };
    format!(
        "<section id=\"remembered-devices\"><h2>Remembered devices</h2>{}{list}{this}\
         <p class=\"hint\">A remembered browser signs in with the password alone. \
         Forget any you don't recognise.</p></section>",
        error
            .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
            .unwrap_or_default()
    )
}

pub fn not_found() -> Html<String> {
    page(
        "Not found",
        "<h1>Not found</h1><p><a href=\"/\">Sign in</a></p>",
    )
}

pub fn failure(message: &str) -> Html<String> {
    page(
        "Something went wrong",
        &format!(
            "<h1>Something went wrong</h1><p class=\"error\" role=\"alert\">{}</p>\
             <p><a href=\"/\">Start again</a></p>",
            escape(message)
        ),
    )
}
