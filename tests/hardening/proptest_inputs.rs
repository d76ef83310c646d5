#![cfg(feature = "serde")]
//! Property tests of the input edge: the `validate` checks never panic and
//! accept exactly what Cognito's limits (shared/cognito-notes.md) allow,
//! each against an oracle written here independently; `secret_hash`,
//! `otpauth::key_uri`, `Error::from_service` and `SavedChallenge`
//! deserialization never panic on arbitrary input.

use cognito_mfa::otpauth::{key_uri, setup_key};
use cognito_mfa::sign_in::{SavedChallenge, SignIn};
use cognito_mfa::testing::{InMemoryPool, ManualClock};
use cognito_mfa::{ClientSecret, Error, Field, Operation, Recovery, ServiceError, TotpSecret};
use cognito_mfa::{secret_hash, validate};
use proptest::prelude::*;
use std::time::{SystemTime, UNIX_EPOCH};
use unicode_properties::{GeneralCategory as Gc, UnicodeGeneralCategory};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

// -------------------------------------------------------------- oracles
//
// Cognito's patterns are ECMAScript regular expressions (the Smithy
// `pattern` trait), where `\w` is ASCII: [A-Za-z0-9_].

fn ascii_word(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// UserCode: six characters, digits only, once the spaces people type are
/// taken out. Returns the digits sent.
fn user_code_oracle(s: &str) -> Option<String> {
    let mut kept = String::new();
    for c in s.chars() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_ascii_digit() {
            return None;
        }
        kept.push(c);
    }
    (kept.chars().count() == 6).then_some(kept)
}

/// One of the general categories in `[\p{L}\p{M}\p{S}\p{N}\p{P}]`, each
/// named (the crate goes by the category groups).
fn name_category(c: char) -> bool {
    matches!(
        c.general_category(),
        Gc::UppercaseLetter
            | Gc::LowercaseLetter
            | Gc::TitlecaseLetter
            | Gc::ModifierLetter
            | Gc::OtherLetter
            | Gc::NonspacingMark
            | Gc::SpacingMark
            | Gc::EnclosingMark
            | Gc::MathSymbol
            | Gc::CurrencySymbol
            | Gc::ModifierSymbol
            | Gc::OtherSymbol
            | Gc::DecimalNumber
            | Gc::LetterNumber
            | Gc::OtherNumber
            | Gc::ConnectorPunctuation
            | Gc::DashPunctuation
            | Gc::OpenPunctuation
            | Gc::ClosePunctuation
            | Gc::InitialPunctuation
            | Gc::FinalPunctuation
            | Gc::OtherPunctuation
    )
}

/// `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, 1 to 128.
fn username_oracle(s: &str) -> bool {
    (1..=128).contains(&chars(s)) && s.chars().all(name_category)
}

/// `[\w-]+_[0-9a-zA-Z]+`, 1 to 55.
fn user_pool_id_oracle(s: &str) -> bool {
    if !(1..=55).contains(&chars(s)) {
        return false;
    }
    // `\w` includes '_', so the separator is the last '_' that leaves an
    // alphanumeric tail; the tail can't hold '_', so that is the last one.
    let Some(i) = s.rfind('_') else { return false };
    let (head, tail) = (&s[..i], &s[i + 1..]);
    !head.is_empty()
        && head.chars().all(|c| ascii_word(c) || c == '-')
        && !tail.is_empty()
        && tail.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `[\w-]+_[0-9a-f-]+`, 1 to 55.
fn device_key_oracle(s: &str) -> bool {
    if !(1..=55).contains(&chars(s)) {
        return false;
    }
    let Some(i) = s.rfind('_') else { return false };
    let (head, tail) = (&s[..i], &s[i + 1..]);
    !head.is_empty()
        && head.chars().all(|c| ascii_word(c) || c == '-')
        && !tail.is_empty()
        && tail
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-')
}

/// `[\w+]+`, within `min..=max`.
fn word_plus_oracle(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&chars(s)) && s.chars().all(|c| ascii_word(c) || c == '+')
}

/// A client secret: Cognito's `[\w+]+`, 24 to 64, plus '-' (moto's secrets
/// are uuids; the crate accepts them).
fn client_secret_oracle(s: &str) -> bool {
    (24..=64).contains(&chars(s)) && s.chars().all(|c| ascii_word(c) || c == '+' || c == '-')
}

fn session_oracle(s: &str) -> bool {
    (20..=2048).contains(&chars(s))
}

fn token_oracle(s: &str) -> bool {
    (1..=16384).contains(&chars(s)) && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// 1 to 128 of what a user name may hold, spaces (Zs), and the zero-width
/// non-joiner and joiner; no other separator or format character.
fn device_name_oracle(s: &str) -> bool {
    (1..=128).contains(&chars(s))
        && s.chars().all(|c| {
            name_category(c)
                || c.general_category() == Gc::SpaceSeparator
                || c == '\u{200c}'
                || c == '\u{200d}'
        })
}

fn password_oracle(s: &str) -> bool {
    (1..=256).contains(&chars(s))
}

/// Checks `result` against `expected`: refused with `field` (and a reason
/// that never holds the value) or accepted.
fn check<T: std::fmt::Debug>(
    value: &str,
    result: Result<T, Error>,
    expected: bool,
    field: Field,
) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => prop_assert!(expected, "{value:?} was accepted"),
        Err(Error::InvalidInput(i)) => {
            prop_assert!(!expected, "{value:?} was refused: {i}");
            prop_assert_eq!(i.field(), field);
            prop_assert!(!i.reason().is_empty());
            if chars(value) >= 6 {
                prop_assert!(
                    !i.to_string().contains(value),
                    "the refusal echoes the value"
                );
            }
        }
        Err(other) => prop_assert!(false, "not InvalidInput: {other:?}"),
    }
    Ok(())
}

// ------------------------------------------------------------ strategies

/// Text near each rule's edges: plain, ASCII word characters, the
/// separators, non-ASCII letters and digits, white space, control
/// characters, and arbitrary Unicode.
fn edgy() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9_+-]{0,70}",
        "[a-z0-9-]{1,20}_[a-zA-Z0-9]{1,40}",
        "[a-z0-9_-]{1,20}_[0-9a-fA-F-]{1,40}",
        "[a-zA-Z0-9_ \t\n\u{0}\u{7f}\u{85}\u{a0}é١ß-]{0,70}",
        "[\u{e9}\u{660}-\u{669}\u{ff10}-\u{ff19}\u{1d7ce}a-z0-9_]{1,60}",
        // Separators, format (bidi, zero-width, BOM, tags), private use,
        // unassigned, marks and symbols.
        "[a-z \u{1b}\u{2028}\u{2029}\u{3000}\u{200b}-\u{200f}\u{202a}-\u{202e}\u{2066}-\u{2069}\u{feff}\u{e0041}\u{e000}\u{f8ff}\u{378}\u{301}\u{a9}\u{1f600}]{1,40}",
    ]
}

fn sized(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        (min.saturating_sub(2)..=max + 2).prop_map(|n| "s".repeat(n)),
        (min.saturating_sub(2)..=max + 2).prop_map(|n| "é".repeat(n)),
        edgy(),
    ]
}

fn codes() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{6}",
        "[0-9 ]{4,10}",
        "[0-9\t\u{a0}\u{2003}\u{3000}]{5,10}",
        "[0-9\u{660}-\u{669}\u{ff10}-\u{ff19}a]{5,7}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn user_code_accepts_exactly_six_ascii_digits(code in codes()) {
        let expected = user_code_oracle(&code);
        match validate::user_code(&code) {
            Ok(digits) => prop_assert_eq!(Some(digits), expected),
            Err(Error::InvalidInput(i)) => {
                prop_assert_eq!(i.field(), Field::UserCode);
                prop_assert!(expected.is_none(), "{:?} was refused: {}", code, i);
                let reason = i.reason();
                prop_assert!(reason.contains("digit"), "{}", reason);
            }
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn username_follows_the_rules(s in sized(1, 128)) {
        check(&s, validate::username(&s), username_oracle(&s), Field::Username)?;
    }

    #[test]
    fn password_follows_the_rules(s in sized(1, 256)) {
        check(&s, validate::password(&s), password_oracle(&s), Field::Password)?;
    }

    #[test]
    fn device_name_follows_the_rules(s in sized(1, 128)) {
        check(&s, validate::device_name(&s), device_name_oracle(&s), Field::DeviceName)?;
    }

    #[test]
    fn session_follows_the_rules(s in sized(20, 2048)) {
        check(&s, validate::session(&s), session_oracle(&s), Field::Session)?;
    }

    #[test]
    fn user_pool_id_follows_the_rules(s in prop_oneof![
        edgy(),
        (1usize..=60).prop_map(|n| format!("us-east-1_{}", "a".repeat(n))),
    ]) {
        check(&s, validate::user_pool_id(&s), user_pool_id_oracle(&s), Field::UserPoolId)?;
    }

    #[test]
    fn client_id_follows_the_rules(s in sized(1, 128)) {
        check(&s, validate::client_id(&s), word_plus_oracle(&s, 1, 128), Field::ClientId)?;
    }

    #[test]
    fn client_secret_follows_the_rules(s in sized(24, 64)) {
        check(
            &s,
            validate::client_secret(&s),
            client_secret_oracle(&s),
            Field::ClientSecret,
        )?;
    }

    #[test]
    fn device_key_follows_the_rules(s in edgy()) {
        check(&s, validate::device_key(&s), device_key_oracle(&s), Field::DeviceKey)?;
    }

    #[test]
    fn token_follows_the_rules(s in prop_oneof![
        edgy(),
        (16380usize..=16390).prop_map(|n| "t".repeat(n)),
    ]) {
        check(&s, validate::token(&s), token_oracle(&s), Field::Token)?;
    }

    /// SECRET_HASH: never panics, always 44 characters of base64 (32 bytes),
    /// depends on every input.
    #[test]
    fn secret_hash_never_panics(secret in any::<String>(), user in any::<String>(), client in any::<String>()) {
        let hash = secret_hash(&ClientSecret::new(secret.clone()), &user, &client);
        prop_assert_eq!(hash.len(), 44);
        prop_assert!(hash.ends_with('='));
        prop_assert!(hash[..43].chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'));
        prop_assert_eq!(&hash, &secret_hash(&ClientSecret::new(secret.clone()), &user, &client));
        let other = secret_hash(&ClientSecret::new(format!("{secret}x")), &user, &client);
        prop_assert_ne!(hash, other);
    }

    /// The otpauth URI: refused iff a label part is empty, holds ':' or a
    /// control character; otherwise its label and `issuer` parameter
    /// percent-decode to exactly what was given.
    #[test]
    fn key_uri_refuses_or_round_trips(
        issuer in prop_oneof![any::<String>(), "[a-zA-Z :/?&=#%+@é\u{1f600}\t]{0,20}"],
        account in prop_oneof![any::<String>(), "[a-zA-Z :/?&=#%+@é\u{1f600}\t]{0,20}"],
        secret in prop_oneof![
            Just("JBSWY3DPEHPK3PXP".to_owned()),
            "[a-z2-7]{1,40}",
            any::<String>(),
        ],
    ) {
        let secret = TotpSecret::new(secret);
        let refused = |s: &str| {
            s.chars().all(char::is_whitespace) || s.contains(':') || s.chars().any(char::is_control)
        };
        let _ = setup_key(&secret);
        match key_uri(&secret, &issuer, &account) {
            Err(Error::InvalidInput(i)) => match i.field() {
                Field::Issuer => prop_assert!(refused(&issuer)),
                Field::AccountName => prop_assert!(!refused(&issuer) && refused(&account)),
                Field::TotpSecret => prop_assert!(!refused(&issuer) && !refused(&account)),
                other => prop_assert!(false, "refused {other:?}"),
            },
            Err(other) => prop_assert!(false, "{other:?}"),
            Ok(uri) => {
                prop_assert!(!refused(&issuer) && !refused(&account));
                let rest = uri.strip_prefix("otpauth://totp/").unwrap();
                let (label, query) = rest.split_once('?').unwrap();
                let (label_issuer, label_account) = label.split_once(':').unwrap();
                prop_assert_eq!(percent_decode(label_issuer), issuer.as_bytes());
                prop_assert_eq!(percent_decode(label_account), account.as_bytes());
                let params: Vec<(&str, &str)> =
                    query.split('&').map(|p| p.split_once('=').unwrap()).collect();
                prop_assert_eq!(params.len(), 5);
                prop_assert_eq!(params[0].0, "secret");
                let expected_secret: String = secret
                    .expose_secret()
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '=' && *c != '-')
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                prop_assert_eq!(params[0].1, expected_secret.as_str());
                prop_assert_eq!(params[1].0, "issuer");
                prop_assert_eq!(percent_decode(params[1].1), issuer.as_bytes());
                prop_assert_eq!(
                    &params[2..],
                    &[("algorithm", "SHA1"), ("digits", "6"), ("period", "30")][..]
                );
            }
        }
    }

    /// Any exception code and message maps to some variant without a panic,
    /// and the code alone decides where the notes say it does.
    #[test]
    fn from_service_never_panics(
        code in prop_oneof![
            any::<String>(),
            prop::sample::select(&[
                "CodeMismatchException", "EnableSoftwareTokenMFAException",
                "ExpiredCodeException", "NotAuthorizedException", "UserNotFoundException",
                "InvalidPasswordException", "SoftwareTokenMFANotFoundException",
                "InvalidParameterException", "TooManyRequestsException",
                "LimitExceededException", "ThrottlingException", "InternalErrorException",
            ][..]).prop_map(str::to_owned),
        ],
        message in any::<String>(),
        operation in prop::sample::select(&[
            Operation::AssociateSoftwareToken, Operation::VerifySoftwareToken,
            Operation::SetUserMfaPreference, Operation::GetUser, Operation::AdminDeleteSoftwareToken,
            Operation::InitiateAuth, Operation::RespondToAuthChallenge,
            Operation::GetUserPoolMfaConfig, Operation::SetUserPoolMfaConfig,
            Operation::DescribeUserPoolClient, Operation::AdminInitiateAuth,
            Operation::AdminRespondToAuthChallenge, Operation::AdminGetUser,
            Operation::AdminSetUserMfaPreference,
        ][..]),
    ) {
        let service = ServiceError::new(code.clone(), message.clone()).with_request_id("req-1");
        let _ = format!("{service} {service:?}");
        {
            let error = Error::from_service(operation, service);
            let _ = format!("{error} {error:?}");
            let recovery = error.recovery();
            prop_assert_eq!(error.is_retryable(), recovery == Recovery::RetryLater);
            match code.as_str() {
                "CodeMismatchException" | "EnableSoftwareTokenMFAException" => {
                    prop_assert!(matches!(error, Error::CodeMismatch), "{:?}", error);
                }
                "ExpiredCodeException" => {
                    prop_assert!(matches!(error, Error::CodeAlreadyUsed), "{:?}", error);
                    prop_assert_eq!(recovery, Recovery::WaitForNextCode);
                }
                "TooManyRequestsException" | "LimitExceededException" | "ThrottlingException" => {
                    prop_assert!(matches!(error, Error::Throttled(_)));
                    prop_assert!(error.is_retryable());
                }
                "UserNotFoundException" => prop_assert!(matches!(error, Error::UserNotFound)),
                _ => {}
            }
        }
    }

    /// A saved challenge is read from outside (a session store, a cookie):
    /// no JSON makes deserializing, reading or resuming it panic.
    #[test]
    fn saved_challenge_from_arbitrary_json_never_panics(json in saved_json()) {
        let Ok(saved) = serde_json::from_str::<SavedChallenge>(&json) else {
            return Ok(());
        };
        let _ = (
            format!("{saved:?}"),
            saved.challenge_name(),
            saved.username(),
            saved.client_id(),
            saved.version(),
            saved.parameters().len(),
            saved.session().expose_secret().len(),
            saved.expires_at(),
        );
        let pool = InMemoryPool::new();
        for now in [UNIX_EPOCH, SystemTime::now()] {
            let clock = ManualClock::new(now);
            let sign_ins = [
                SignIn::public(pool.clone(), saved.client_id()).clock(clock.clone()).build(),
                SignIn::admin(pool.clone(), "us-east-1_Prop123", saved.client_id())
                    .clock(clock)
                    .build(),
            ];
            for sign_in in sign_ins.into_iter().flatten() {
                match sign_in.resume(saved.clone()) {
                    Ok(step) => {
                        let _ = (format!("{step:?}"), step.challenge_name());
                    }
                    Err(e) => {
                        let _ = format!("{e} {e:?}");
                    }
                }
            }
        }
    }
}

/// JSON near a SavedChallenge: the right keys with values of any type
/// (numbers at the extremes of u64, negative, floats), missing keys, extra
/// keys, and arbitrary JSON.
fn saved_json() -> impl Strategy<Value = String> {
    let value = || {
        prop_oneof![
            Just(serde_json::json!(1)),
            Just(serde_json::json!(u64::MAX)),
            Just(serde_json::json!(i64::MAX)),
            Just(serde_json::json!(i64::MAX as u64 + 1)),
            Just(serde_json::json!(u64::MAX / 1_000_000_000)),
            Just(serde_json::json!(-1)),
            Just(serde_json::json!(1.5)),
            Just(serde_json::json!(null)),
            Just(serde_json::json!("SOFTWARE_TOKEN_MFA")),
            Just(serde_json::json!("s".repeat(40))),
            Just(serde_json::json!("alice")),
            Just(serde_json::json!("propclient")),
            Just(serde_json::json!("us-east-1_Prop123")),
            Just(serde_json::json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"})),
            Just(serde_json::json!([])),
            any::<u64>().prop_map(|n| serde_json::json!(n)),
            any::<String>().prop_map(|s| serde_json::json!(s)),
        ]
    };
    const KEYS: &[&str] = &[
        "v",
        "challenge",
        "session",
        "username",
        "client_id",
        "user_pool_id",
        "expires_at",
        "parameters",
    ];
    let keys = KEYS;
    let good = || {
        serde_json::json!({
            "v": 1, "challenge": "SOFTWARE_TOKEN_MFA", "session": "s".repeat(40),
            "username": "alice", "client_id": "propclient", "expires_at": 1_700_000_000u64,
            "parameters": {},
        })
    };
    prop_oneof![
        // A good value with one field replaced by anything.
        (prop::sample::select(KEYS), value()).prop_map(move |(k, v)| {
            let mut j = good();
            j[k] = v;
            j.to_string()
        }),
        // A good value with a field removed.
        prop::sample::select(KEYS).prop_map(move |k| {
            let mut j = good();
            j.as_object_mut().unwrap().remove(k);
            j.to_string()
        }),
        // Every field drawn at random.
        prop::collection::vec(value(), keys.len()).prop_map(move |vs| {
            let map: serde_json::Map<String, serde_json::Value> =
                keys.iter().map(|k| (*k).to_owned()).zip(vs).collect();
            serde_json::Value::Object(map).to_string()
        }),
        any::<String>(),
    ]
}

/// Percent-decoding, written here: every byte outside RFC 3986's
/// unreserved set must arrive as %XX.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            assert!(
                bytes[i].is_ascii_alphanumeric() || b"-._~".contains(&bytes[i]),
                "{:?} left unencoded in {text}",
                bytes[i] as char
            );
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
