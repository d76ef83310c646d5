//! The quickstart example tells its story: each Cognito call in order (a password sign-in,
//! enrollment, a password + TOTP sign-in, then an SRP + TOTP sign-in, the device remembered and
//! a sign-in on it without a code), the otpauth URI, the
//! setup key, a QR code and a tokens summary; and with `RUST_LOG=trace` its output shows the
//! library's spans but no token, and the TOTP secret only where it is meant to be shown.

use crate::common::cli::{Run, example_binary, run};
use std::process::Command;

fn quickstart(rust_log: Option<&str>) -> Run {
    let mut command = Command::new(example_binary("quickstart"));
    command.env_remove("RUST_LOG").env("NO_COLOR", "1");
    if let Some(filter) = rust_log {
        command.env("RUST_LOG", filter);
    }
    let run = run(&mut command);
    assert_eq!(run.code(), 0, "the quickstart failed: {run:#?}");
    run
}

/// What the story shows, read from stdout.
struct Story<'a> {
    uri_line: &'a str,
    setup_key_line: &'a str,
    /// The base32 secret, from the URI's `secret=` parameter.
    secret: &'a str,
    /// The setup key as printed, in groups of four.
    setup_key: &'a str,
    pool_id: &'a str,
    client_id: &'a str,
    /// The remembered device's key (not secret: Cognito lists it).
    device_key: &'a str,
}

/// The word after `marker` in the first line that holds it.
fn word_after<'a>(text: &'a str, marker: &str) -> &'a str {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not in:\n{text}"));
    text[at + marker.len()..]
        .split(|c: char| c.is_whitespace() || c == ':')
        .next()
        .unwrap_or_default()
}

fn read_story(stdout: &str) -> Story<'_> {
    let line_with = |needle: &str| {
        let lines: Vec<&str> = stdout.lines().filter(|l| l.contains(needle)).collect();
        assert_eq!(lines.len(), 1, "one line with {needle:?}:\n{stdout}");
        lines[0]
    };
    let uri_line = line_with("otpauth://");
    let secret = word_after(uri_line, "secret=")
        .split('&')
        .next()
        .unwrap_or_default();
    let setup_key_lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("setup key:"))
        .collect();
    assert_eq!(setup_key_lines.len(), 1, "one setup key line:\n{stdout}");
    let setup_key_line = setup_key_lines[0];
    let setup_key = setup_key_line
        .split_once("setup key:")
        .map(|(_, key)| key.trim())
        .unwrap_or_default();
    let pool_id = word_after(stdout, "SetUserPoolMfaConfig  pool ");
    let client_id = word_after(stdout, "CreateUserPoolClient  app client ");
    let device_key = word_after(stdout, "ConfirmDevice  device ");
    for (what, value) in [
        ("secret", secret),
        ("setup key", setup_key),
        ("pool id", pool_id),
    ] {
        assert!(!value.is_empty(), "no {what} in:\n{stdout}");
    }
    assert!(!client_id.is_empty(), "no app client id in:\n{stdout}");
    Story {
        uri_line,
        setup_key_line,
        secret,
        setup_key,
        pool_id,
        client_id,
        device_key,
    }
}

/// Runs of `[A-Za-z0-9_-]` at least `min` long.
fn long_runs(text: &str, min: usize) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|run| run.len() >= min)
        .collect()
}

/// Takes out ANSI colour sequences (`ESC [ ... m`), should the subscriber colour anyway.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_story_names_each_call_in_order() {
    let run = quickstart(None);
    let lines: Vec<&str> = run.stdout.lines().map(str::trim_start).collect();
    let expected = [
        ("SetUserPoolMfaConfig", ""),
        ("CreateUserPoolClient", "USER_SRP_AUTH"),
        ("AdminCreateUser", ""),
        ("AdminInitiateAuth", ""),
        ("AssociateSoftwareToken", ""),
        ("VerifySoftwareToken", "refused"),
        ("VerifySoftwareToken", "accepted"),
        ("SetUserMFAPreference", ""),
        ("GetUser", ""),
        ("AdminInitiateAuth", "SOFTWARE_TOKEN_MFA"),
        ("AdminRespondToAuthChallenge", "signed in with MFA"),
        ("AdminInitiateAuth", "USER_SRP_AUTH"),
        ("AdminRespondToAuthChallenge", "PASSWORD_VERIFIER"),
        ("proof accepted;", "SOFTWARE_TOKEN_MFA"),
        ("AdminRespondToAuthChallenge", "signed in with SRP and MFA"),
        ("ConfirmDevice", "confirmed"),
        ("UpdateDeviceStatus", "remembered"),
        ("AdminInitiateAuth", "DEVICE_KEY"),
        (
            "AdminRespondToAuthChallenge",
            "DEVICE_SRP_AUTH instead of the code",
        ),
        ("AdminRespondToAuthChallenge", "DEVICE_PASSWORD_VERIFIER"),
        ("AdminRespondToAuthChallenge", "signed in without a code"),
    ];
    let mut from = 0;
    for (call, detail) in expected {
        let found = lines[from..]
            .iter()
            .position(|l| l.starts_with(&format!("{call} ")) && l.contains(detail))
            .unwrap_or_else(|| {
                panic!(
                    "no {call} line with {detail:?} after line {from}:\n{}",
                    run.stdout
                )
            });
        from += found + 1;
    }

    let story = read_story(&run.stdout);
    assert!(
        story.uri_line.contains("otpauth://totp/") && story.uri_line.contains("&issuer="),
        "{}",
        story.uri_line
    );
    assert!(story.secret.len() >= 16, "{}", story.uri_line);
    let groups: Vec<&str> = story.setup_key.split(' ').collect();
    assert!(
        groups.iter().all(|g| (1..=4).contains(&g.len())),
        "{}",
        story.setup_key_line
    );
    assert_eq!(groups.concat(), story.secret, "the setup key is the secret");

    let qr_lines = run
        .stdout
        .lines()
        .filter(|l| l.contains('█') || l.contains('▀') || l.contains('▄'))
        .count();
    assert!(qr_lines >= 20, "no QR code:\n{}", run.stdout);

    let summary = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Tokens: "))
        .unwrap_or_else(|| panic!("no tokens summary:\n{}", run.stdout));
    for part in ["Bearer access token", "refresh token: yes", "expires in"] {
        assert!(summary.contains(part), "{summary}");
    }
}

#[test]
fn trace_output_shows_spans_but_no_token_and_the_secret_only_where_shown() {
    let run = quickstart(Some("trace"));
    let stderr = strip_ansi(&run.stderr);
    let all = format!("{}\n{stderr}", run.stdout);
    assert!(
        stderr.contains("cognito_mfa."),
        "no cognito_mfa span in:\n{stderr}"
    );
    // The SRP sign-in's span names its flow and where it ended, not an SRP value.
    assert!(
        stderr.lines().any(|l| l.contains("flow=\"USER_SRP_AUTH\"")
            && l.contains("outcome=\"SOFTWARE_TOKEN_MFA\"")),
        "no USER_SRP_AUTH span in:\n{stderr}"
    );

    let story = read_story(&run.stdout);
    for line in all.lines() {
        if line == story.uri_line || line == story.setup_key_line {
            continue;
        }
        assert!(
            !line.contains(story.secret) && !line.contains(story.setup_key),
            "the TOTP secret outside the URI and setup-key lines: {line}"
        );
        let line = line
            .replace(story.pool_id, " ")
            .replace(story.client_id, " ")
            .replace(story.device_key, " ");
        let runs = long_runs(&line, 40);
        assert!(
            runs.is_empty(),
            "a token-like value in the output: {runs:?} in {line}"
        );
    }
    assert!(!stderr.contains(story.secret), "the secret in the trace");
}

#[test]
fn the_checks_would_see_a_token() {
    // The scan above is only worth something if it catches what a token looks like here
    // (the in-memory pool's tokens are 128 base64url characters).
    let token =
        "Zm9vYmFyYmF6cXV4LWZvb2Jhci1iYXotcXV4LTEyMzQ1Njc4OTAtX19fX19fX19fX19fX19fX19fX19fX19f";
    assert_eq!(long_runs(&format!("token={token};"), 40), [token]);
    assert!(long_runs("2026-11-29T09:43:55.583036Z us-east-1_hKDFsHfar", 40).is_empty());
    assert_eq!(
        strip_ansi("\u{1b}[2mcognito_mfa\u{1b}[0m x"),
        "cognito_mfa x"
    );
}
