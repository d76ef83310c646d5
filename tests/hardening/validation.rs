#![cfg(all(feature = "mock", feature = "serde"))]
//! Input validation at the edge, field by field, through the public flows:
//! each value outside Cognito's limits (shared/cognito-notes.md) is refused
//! locally — the backend is a `MockCognitoBackend` with no expectations, so
//! any call would panic — with a message that names the field, says what is
//! wrong and what is allowed, and never repeats a secret; the boundary
//! values inside the limits are accepted (and sent as given).

use cognito_mfa::backend::{
    AssociatedSoftwareToken, AuthResponse, AuthTokens, ChallengeName, FactorPreference, MfaFactor,
    PoolMfaMode, TokenAuth, UserMfaSettings, VerifiedSoftwareToken, VerifyStatus,
};
use cognito_mfa::sign_in::{SavedChallenge, SignIn, SignInStep};
use cognito_mfa::{
    AccessToken, ClientSecret, Error, Field, IdToken, MfaEnrollment, MockCognitoBackend, Password,
    Recovery, RefreshToken, Session, TotpSecret, admin, preflight, secret_hash, validate,
};
use std::time::Duration;

const POOL: &str = "us-east-1_Valid123";
const CLIENT: &str = "validclient";
const SESSION: &str = "session-valid-AAAAAAAAAAAAAAAAAAAAA";
const TOKEN: &str = "access-token-valid";

// ---------------------------------------------------------------- helpers

/// A backend that must not be called.
fn no_calls() -> MockCognitoBackend {
    MockCognitoBackend::new()
}

fn sign_in_without_calls() -> SignIn {
    SignIn::admin(no_calls(), POOL, CLIENT).build().unwrap()
}

/// Asserts a local refusal of `field` whose reason holds every one of
/// `words` (what is wrong, what is allowed), and whose message names the
/// field. With `secret`, the message must not hold the refused value.
fn refused(err: &Error, field: Field, words: &[&str], value: Option<&str>) {
    let Error::InvalidInput(i) = err else {
        panic!("expected InvalidInput for {field:?}, got {err:?}");
    };
    assert_eq!(i.field(), field, "{err}");
    let reason = i.reason().to_lowercase();
    for word in words {
        assert!(
            reason.contains(&word.to_lowercase()),
            "the reason for {field:?} lacks {word:?}: {reason}"
        );
    }
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("invalid {field}: ")),
        "the message names the field: {shown}"
    );
    if let Some(value) = value.filter(|v| v.chars().count() >= 4) {
        assert!(
            !shown.contains(value) && !format!("{err:?}").contains(value),
            "the refusal repeats the value: {shown}"
        );
    }
}

fn tokens() -> AuthResponse {
    AuthResponse::tokens(
        AuthTokens::new(AccessToken::new("access"), Duration::from_secs(3600))
            .with_id_token(Some(IdToken::new("id")))
            .with_refresh_token(Some(RefreshToken::new("refresh"))),
    )
}

fn challenge_response(name: &str, params: &[(&str, &str)]) -> AuthResponse {
    AuthResponse::challenge(
        ChallengeName::parse(name),
        Some(Session::new(SESSION)),
        params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

fn step(sign_in: &SignIn, name: &str) -> SignInStep {
    sign_in
        .resume_parts(name, Session::new(SESSION), "alice")
        .unwrap()
}

fn verified() -> VerifiedSoftwareToken {
    VerifiedSoftwareToken::new(VerifyStatus::Success, None)
}

fn settings(name: &str) -> UserMfaSettings {
    {
        let mut v = UserMfaSettings::new(name.to_owned());
        v.enabled = vec![];
        v.preferred = None;
        v.status = None;
        v.account_enabled = None;
        v
    }
}

// -------------------------------------------------------------- user codes

#[tokio::test]
async fn totp_codes_are_six_ascii_digits() {
    let sign_in = sign_in_without_calls();
    let SignInStep::TotpRequired(mut challenge) = step(&sign_in, "SOFTWARE_TOKEN_MFA") else {
        panic!()
    };
    let cases: &[(&str, &[&str])] = &[
        ("", &["exactly 6 digits", "got 0"]),
        ("12345", &["exactly 6 digits", "got 5"]),
        ("1234567", &["exactly 6 digits", "got 7"]),
        ("123 45", &["exactly 6 digits", "got 5"]),
        ("12a456", &["digits only"]),
        ("123-456", &["digits only"]),
        (
            "\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}",
            &["digits only"],
        ),
        ("12345\u{ff16}", &["digits only"]),
    ];
    for (code, words) in cases {
        let rejected = challenge.answer(&sign_in, code).await.unwrap_err();
        refused(rejected.error(), Field::UserCode, words, Some(code));
        assert_eq!(rejected.error().recovery(), Recovery::RetrySameStep);
        challenge = rejected
            .retry()
            .expect("a mistyped code keeps the challenge");
    }

    // Accepted: six digits, with the spaces people type taken out.
    for code in ["000000", "123456", " 123 456 ", "\t98\u{a0}76\u{2003}54\n"] {
        let digits: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
        let mut mock = MockCognitoBackend::new();
        let sent = digits.clone();
        mock.expect_respond_to_auth_challenge()
            .withf(move |r| {
                r.responses.get("SOFTWARE_TOKEN_MFA_CODE") == Some(sent.as_str())
                    && r.session.as_ref().map(|s| s.expose_secret()) == Some(SESSION)
            })
            .times(1)
            .returning(|_| Ok(tokens()));
        let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
        let SignInStep::TotpRequired(c) = step(&sign_in, "SOFTWARE_TOKEN_MFA") else {
            panic!()
        };
        assert!(matches!(
            c.answer(&sign_in, code).await,
            Ok(SignInStep::Done(_))
        ));
    }
}

#[tokio::test]
async fn enrollment_codes_are_checked_before_verifying() {
    for (code, words) in [
        ("12345", &["exactly 6 digits"][..]),
        ("abcdef", &["digits only"][..]),
    ] {
        let err = MfaEnrollment::new("Example")
            .verify_associated(
                &no_calls(),
                TokenAuth::AccessToken(AccessToken::new(TOKEN)),
                code,
            )
            .await
            .unwrap_err();
        refused(&err, Field::UserCode, words, Some(code));
    }

    // A pending enrollment: only AssociateSoftwareToken may be called.
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .times(1)
        .returning(|_| {
            Ok(AssociatedSoftwareToken::new(
                TotpSecret::new("JBSWY3DPEHPK3PXP"),
                None,
            ))
        });
    let pending = MfaEnrollment::new("Example")
        .account_name("alice")
        .start_with_access_token(&mock, AccessToken::new(TOKEN))
        .await
        .unwrap();
    let rejected = pending.verify(&mock, "1234567").await.unwrap_err();
    refused(
        rejected.error(),
        Field::UserCode,
        &["exactly 6 digits", "got 7"],
        Some("1234567"),
    );
    let pending = rejected
        .retry()
        .expect("a mistyped code keeps the enrollment");
    mock.checkpoint();

    // Accepted, spaces taken out.
    mock.expect_verify_software_token()
        .withf(|_, code, _| code.expose_secret() == "123456")
        .times(1)
        .returning(|_, _, _| Ok(verified()));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .returning(|_, _| Ok(()));
    pending.verify(&mock, "123 456").await.unwrap();
}

#[tokio::test]
async fn sms_and_email_codes_are_six_to_eight_digits() {
    for name in ["SMS_MFA", "EMAIL_OTP"] {
        let sign_in = sign_in_without_calls();
        let SignInStep::CodeRequired(mut challenge) = step(&sign_in, name) else {
            panic!()
        };
        for code in ["12345", "123456789", "12345a", ""] {
            let rejected = challenge.answer(&sign_in, code).await.unwrap_err();
            refused(
                rejected.error(),
                Field::UserCode,
                &["6 to 8 digits"],
                Some(code),
            );
            challenge = rejected.retry().unwrap();
        }
        for code in ["123456", "12345678", "1234 5678"] {
            let digits: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
            let key = if name == "SMS_MFA" {
                "SMS_MFA_CODE"
            } else {
                "EMAIL_OTP_CODE"
            };
            let mut mock = MockCognitoBackend::new();
            mock.expect_respond_to_auth_challenge()
                .withf(move |r| r.responses.get(key) == Some(digits.as_str()))
                .times(1)
                .returning(|_| Ok(tokens()));
            let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
            let SignInStep::CodeRequired(c) = step(&sign_in, name) else {
                panic!()
            };
            c.answer(&sign_in, code).await.unwrap();
        }
    }
}

// ------------------------------------------------- user names and passwords

#[tokio::test]
async fn user_names_follow_cognitos_pattern() {
    let sign_in = sign_in_without_calls();
    let password = Password::new("pw");
    let long = "u".repeat(129);
    // Cognito's pattern is [\p{L}\p{M}\p{S}\p{N}\p{P}]+: every other
    // general category is refused, the invisible and the reordering ones
    // included.
    const PATTERN: &[&str] = &[
        "letters, marks, symbols, numbers or punctuation",
        "no spaces",
    ];
    let cases: &[(&str, &[&str])] = &[
        ("", &["1 to 128", "got 0"]),
        (&long, &["1 to 128", "got 129"]),
        ("has space", PATTERN),
        ("tab\tname", PATTERN),
        ("nbsp\u{a0}name", PATTERN),
        ("nul\u{0}name", PATTERN),
        ("line\nbreak", PATTERN),
        ("line\u{2028}sep", PATTERN),     // Zl
        ("evil\u{202e}gnp.exe", PATTERN), // Cf: right-to-left override
        ("zero\u{200b}width", PATTERN),   // Cf: zero-width space
        ("\u{feff}bom", PATTERN),         // Cf: byte order mark
        ("joined\u{200d}name", PATTERN),  // Cf: zero-width joiner
        ("private\u{e000}use", PATTERN),  // Co
        ("unassigned\u{378}", PATTERN),   // Cn
        ("esc\u{1b}[2J", PATTERN),        // Cc
    ];
    for (name, words) in cases {
        let err = sign_in.password(name, &password).await.unwrap_err();
        refused(&err, Field::Username, words, None);
        let err = sign_in
            .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(SESSION), name)
            .unwrap_err();
        refused(&err, Field::Username, words, None);
        let err = admin::admin_mfa_status(&no_calls(), POOL, name)
            .await
            .unwrap_err();
        refused(&err, Field::Username, words, None);
        let err = admin::admin_reset_totp(&no_calls(), POOL, name)
            .await
            .unwrap_err();
        refused(&err, Field::Username, words, None);
        let err = MfaEnrollment::new("Example")
            .start_with_session(&no_calls(), Session::new(SESSION), name)
            .await
            .unwrap_err();
        refused(&err, Field::Username, words, None);
    }

    let max = "u".repeat(128);
    let accepted = [
        "a",
        max.as_str(),
        "alice@example.com",
        "\u{e9}lodie",
        "e\u{301}lodie",            // M: a combining accent
        "\u{65e5}\u{672c}\u{8a9e}", // L: ideographs
        "\u{a9}\u{2122}\u{1f600}",  // S
        "\u{661}\u{662}\u{2163}",   // N
        "+15555550100",
        "7d1e5c3a-0b4f-4c55-9d1e-abcdef012345",
    ];
    let mut mock = MockCognitoBackend::new();
    for name in accepted {
        let owned = name.to_owned();
        mock.expect_initiate_auth()
            .withf(move |r| r.parameters.get("USERNAME") == Some(owned.as_str()))
            .times(1)
            .returning(|_| Ok(tokens()));
    }
    let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
    for name in accepted {
        sign_in.password(name, &password).await.unwrap();
    }
}

#[tokio::test]
async fn passwords_are_one_to_256_characters() {
    let sign_in = sign_in_without_calls();
    let err = sign_in
        .password("alice", &Password::new(""))
        .await
        .unwrap_err();
    refused(&err, Field::Password, &["1 to 256", "got 0"], None);
    let long = "p".repeat(257);
    let err = sign_in
        .password("alice", &Password::new(long.clone()))
        .await
        .unwrap_err();
    refused(&err, Field::Password, &["1 to 256", "got 257"], Some(&long));

    let mut mock = MockCognitoBackend::new();
    mock.expect_initiate_auth()
        .withf(|r| r.parameters.get("PASSWORD").map(str::len) == Some(256))
        .times(1)
        .returning(|_| Ok(tokens()));
    let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
    sign_in
        .password("alice", &Password::new("p".repeat(256)))
        .await
        .unwrap();
}

// ------------------------------------------------------------ device names

#[tokio::test]
async fn device_names_are_one_to_128_printable_characters() {
    let long = "d".repeat(129);
    let cases: &[(&str, &[&str])] = &[
        ("", &["1 to 128", "got 0"]),
        (&long, &["1 to 128", "got 129"]),
        ("bad\nname", &["control characters"]),
        ("bell\u{7}", &["control characters"]),
        ("\u{1b}[2J\u{1b}[31mphone", &["control characters"]),
        ("\u{9b}31mphone", &["control characters"]),
        ("line\u{2028}separator", &["line or paragraph separators"]),
        ("para\u{2029}separator", &["line or paragraph separators"]),
        ("\u{202e}enohp s'ecilA", &["bidi"]),
        ("isolate\u{2066}d", &["bidi"]),
        ("zero\u{200b}width", &["format characters"]),
        ("\u{feff}phone", &["format characters"]),
        ("private\u{f8ff}", &["private-use"]),
        ("unassigned\u{378}", &["unassigned"]),
    ];
    for (name, words) in cases {
        let err = MfaEnrollment::new("Example")
            .account_name("alice")
            .device_name(*name)
            .start_with_access_token(&no_calls(), AccessToken::new(TOKEN))
            .await
            .unwrap_err();
        refused(&err, Field::DeviceName, words, None);
        let err = MfaEnrollment::new("Example")
            .device_name(*name)
            .verify_associated(
                &no_calls(),
                TokenAuth::AccessToken(AccessToken::new(TOKEN)),
                "123456",
            )
            .await
            .unwrap_err();
        refused(&err, Field::DeviceName, words, None);
    }

    // Accepted and sent as given.
    for name in [
        "d".repeat(128),
        "x".to_owned(),
        "Alice's phone \u{1f4f1}".to_owned(),
        // Emoji sequences and Persian words need the zero-width joiners.
        "Alice's \u{1f469}\u{200d}\u{1f4bb}".to_owned(),
        "\u{6af}\u{648}\u{634}\u{6cc}\u{200c}\u{627}\u{645}".to_owned(),
        "\u{7530}\u{4e2d}\u{3000}\u{643}\u{30a4}".to_owned(),
    ] {
        let mut mock = MockCognitoBackend::new();
        let sent = name.clone();
        mock.expect_verify_software_token()
            .withf(move |_, _, device| device.as_deref() == Some(sent.as_str()))
            .times(1)
            .returning(|_, _, _| Ok(verified()));
        mock.expect_set_user_mfa_preference()
            .times(1)
            .returning(|_, _| Ok(()));
        let enrolled = MfaEnrollment::new("Example")
            .device_name(name.clone())
            .verify_associated(
                &mock,
                TokenAuth::AccessToken(AccessToken::new(TOKEN)),
                "123456",
            )
            .await
            .unwrap();
        assert_eq!(enrolled.device_name(), Some(name.as_str()));
    }
}

// ---------------------------------------------------------------- Sessions

#[tokio::test]
async fn sessions_are_20_to_2048_characters() {
    let sign_in = sign_in_without_calls();
    let cases = [
        (String::new(), 0),
        ("s".repeat(19), 19),
        ("s".repeat(2049), 2049),
    ];
    for (session, n) in &cases {
        let got = format!("got {n}");
        let words = ["20 to 2048", got.as_str()];
        let err = sign_in
            .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(session.clone()), "alice")
            .unwrap_err();
        refused(&err, Field::Session, &words, Some(session));
        let err = MfaEnrollment::new("Example")
            .start_with_session(&no_calls(), Session::new(session.clone()), "alice")
            .await
            .unwrap_err();
        refused(&err, Field::Session, &words, Some(session));
        let err = MfaEnrollment::new("Example")
            .verify_associated(
                &no_calls(),
                TokenAuth::Session(Session::new(session.clone())),
                "123456",
            )
            .await
            .unwrap_err();
        refused(&err, Field::Session, &words, Some(session));
        // A saved challenge from a store, with such a Session.
        let saved = saved_json(&[("session", serde_json::json!(session))]);
        let err = sign_in.resume(saved).unwrap_err();
        refused(&err, Field::Session, &words, Some(session));
    }

    // The boundaries are accepted, and sent as they are. Characters are
    // counted, not bytes.
    for session in ["s".repeat(20), "s".repeat(2048), "\u{e9}".repeat(20)] {
        let mut mock = MockCognitoBackend::new();
        let sent = session.clone();
        mock.expect_respond_to_auth_challenge()
            .withf(move |r| r.session.as_ref().map(|s| s.expose_secret()) == Some(sent.as_str()))
            .times(1)
            .returning(|_| Ok(tokens()));
        let sent = session.clone();
        mock.expect_associate_software_token()
            .withf(move |auth| matches!(auth, TokenAuth::Session(s) if s.expose_secret() == sent))
            .times(1)
            .returning(|_| {
                Ok(AssociatedSoftwareToken::new(
                    TotpSecret::new("JBSWY3DPEHPK3PXP"),
                    Some(Session::new(SESSION)),
                ))
            });
        let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
        let SignInStep::TotpRequired(c) = sign_in
            .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(session.clone()), "alice")
            .unwrap()
        else {
            panic!()
        };
        c.answer(&sign_in, "123456").await.unwrap();
        let SignInStep::MfaSetupRequired(c) = sign_in
            .resume_parts("MFA_SETUP", Session::new(session.clone()), "alice")
            .unwrap()
        else {
            panic!()
        };
        c.start_totp(&sign_in, MfaEnrollment::new("Example"))
            .await
            .unwrap();
        let saved = saved_json(&[("session", serde_json::json!(session))]);
        assert!(sign_in.resume(saved).is_ok());
    }
}

/// A saved challenge as a store would hand it back, with `changes` made.
fn saved_json(changes: &[(&str, serde_json::Value)]) -> SavedChallenge {
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 120;
    let mut json = serde_json::json!({
        "v": 1,
        "challenge": "SOFTWARE_TOKEN_MFA",
        "session": SESSION,
        "username": "alice",
        "client_id": CLIENT,
        "user_pool_id": POOL,
        "expires_at": expires,
        "parameters": {},
    });
    for (key, value) in changes {
        json[*key] = value.clone();
    }
    serde_json::from_value(json).unwrap()
}

#[test]
fn saved_challenges_are_checked_when_resumed() {
    let sign_in = sign_in_without_calls();
    type Case = (
        Vec<(&'static str, serde_json::Value)>,
        Field,
        Vec<&'static str>,
    );
    let cases: Vec<Case> = vec![
        (
            vec![("v", 3.into())],
            Field::PendingChallenge,
            vec!["format version 3", "reads 1 and 2"],
        ),
        (
            // Version 2 says which API: without it the value is incomplete.
            vec![("v", 2.into())],
            Field::PendingChallenge,
            vec!["api is missing"],
        ),
        (
            vec![("challenge", "".into())],
            Field::Challenge,
            vec!["1 to 64"],
        ),
        (
            vec![("challenge", "X".repeat(65).into())],
            Field::Challenge,
            vec!["1 to 64"],
        ),
        (
            vec![("username", "has space".into())],
            Field::Username,
            vec!["spaces"],
        ),
        (
            vec![("client_id", "bad id".into())],
            Field::ClientId,
            vec!["letters, digits"],
        ),
        (
            vec![("client_id", "otherclient".into())],
            Field::PendingChallenge,
            vec!["another app client"],
        ),
        (
            vec![("user_pool_id", "us-east-1_Other1".into())],
            Field::PendingChallenge,
            vec!["another app client or user pool"],
        ),
        (
            vec![("user_pool_id", "nopool".into())],
            Field::UserPoolId,
            vec!["REGION_ID"],
        ),
        (
            vec![("expires_at", u64::MAX.into())],
            Field::PendingChallenge,
            vec!["out of range"],
        ),
    ];
    for (changes, field, words) in cases {
        let err = sign_in.resume(saved_json(&changes)).unwrap_err();
        refused(&err, field, &words, None);
    }
    assert!(sign_in.resume(saved_json(&[])).is_ok());
    let err = sign_in
        .resume(saved_json(&[("expires_at", 1_000.into())]))
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
    let err = sign_in
        .resume_parts("", Session::new(SESSION), "alice")
        .unwrap_err();
    refused(&err, Field::Challenge, &["1 to 64"], None);
}

// ----------------------------------------------------- pool and client ids

#[tokio::test]
async fn user_pool_ids_look_like_region_underscore_id() {
    let long = format!("us-east-1_{}", "a".repeat(46));
    assert_eq!(long.len(), 56);
    let cases: &[(&str, &[&str])] = &[
        ("", &["1 to 55", "got 0"]),
        (&long, &["1 to 55", "got 56"]),
        ("us-east-1", &["REGION_ID", "us-east-1_AbC123"]),
        ("us-east-1_", &["REGION_ID"]),
        ("_AbC123", &["REGION_ID"]),
        ("us-east-1_AbC-123", &["REGION_ID"]),
        ("us east-1_AbC123", &["REGION_ID"]),
        ("us-\u{e9}ast-1_AbC123", &["REGION_ID"]),
        ("us-east-1_AbC\u{661}23", &["REGION_ID"]),
    ];
    for (id, words) in cases {
        let err = SignIn::admin(no_calls(), *id, CLIENT).build().unwrap_err();
        refused(&err, Field::UserPoolId, words, None);
        let err = admin::admin_mfa_status(&no_calls(), id, "alice")
            .await
            .unwrap_err();
        refused(&err, Field::UserPoolId, words, None);
        let err = admin::admin_set_totp_preference(
            &no_calls(),
            id,
            "alice",
            FactorPreference {
                enabled: true,
                preferred: true,
            },
        )
        .await
        .unwrap_err();
        refused(&err, Field::UserPoolId, words, None);
        let err = admin::admin_reset_totp(&no_calls(), id, "alice")
            .await
            .unwrap_err();
        refused(&err, Field::UserPoolId, words, None);
        let err = preflight::check(&no_calls(), id, CLIENT, &[])
            .await
            .unwrap_err();
        refused(&err, Field::UserPoolId, words, None);
        let err = preflight::enable_totp(&no_calls(), id, PoolMfaMode::On)
            .await
            .unwrap_err();
        refused(&err, Field::UserPoolId, words, None);
        let err = MfaEnrollment::new("Example")
            .admin_preference(*id, "alice")
            .start_with_access_token(&no_calls(), AccessToken::new(TOKEN))
            .await
            .unwrap_err();
        refused(&err, Field::UserPoolId, words, None);
    }

    let max = format!("us-east-1_{}", "a".repeat(45));
    assert_eq!(max.len(), 55);
    for id in [max.as_str(), "a_b", "us-east-1_AbC123", "eu_central_1_X9"] {
        SignIn::admin(no_calls(), id, CLIENT).build().unwrap();
        let mut mock = MockCognitoBackend::new();
        let sent = id.to_owned();
        mock.expect_get_user_mfa_settings()
            .withf(move |user| {
                matches!(user, cognito_mfa::backend::UserTarget::Admin { user_pool_id, .. }
                    if *user_pool_id == sent)
            })
            .times(1)
            .returning(|_| Ok(settings("alice")));
        admin::admin_mfa_status(&mock, id, "alice").await.unwrap();
    }
    // OFF is not a way to enable TOTP.
    let err = preflight::enable_totp(&no_calls(), POOL, PoolMfaMode::Off)
        .await
        .unwrap_err();
    refused(&err, Field::MfaSetting, &["ON or OPTIONAL"], None);
}

#[tokio::test]
async fn client_ids_are_word_characters_or_plus() {
    let long = "c".repeat(129);
    let cases: &[(&str, &[&str])] = &[
        ("", &["1 to 128", "got 0"]),
        (&long, &["1 to 128", "got 129"]),
        ("bad id", &["letters, digits, '_' or '+'"]),
        ("bad-id", &["letters, digits, '_' or '+'"]),
        ("cl\u{ef}ent", &["letters, digits, '_' or '+'"]),
    ];
    for (id, words) in cases {
        let err = SignIn::public(no_calls(), *id).build().unwrap_err();
        refused(&err, Field::ClientId, words, None);
        let err = SignIn::admin(no_calls(), POOL, *id).build().unwrap_err();
        refused(&err, Field::ClientId, words, None);
        let err = preflight::check(&no_calls(), POOL, id, &[])
            .await
            .unwrap_err();
        refused(&err, Field::ClientId, words, None);
    }
    for id in ["c".repeat(128), "1".to_owned(), "abc+def_123".to_owned()] {
        let mut mock = MockCognitoBackend::new();
        let sent = id.clone();
        mock.expect_initiate_auth()
            .withf(move |r| r.client_id == sent)
            .times(1)
            .returning(|_| Ok(tokens()));
        let sign_in = SignIn::public(mock, id.as_str()).build().unwrap();
        sign_in
            .password("alice", &Password::new("pw"))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn client_secrets_are_24_to_64_characters() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("s".repeat(23), vec!["24 to 64", "got 23"]),
        ("s".repeat(65), vec!["24 to 64", "got 65"]),
        (String::new(), vec!["24 to 64", "got 0"]),
        (format!("{} x", "s".repeat(24)), vec!["letters, digits"]),
        (format!("{}/", "s".repeat(24)), vec!["letters, digits"]),
        (format!("{}\u{e9}", "s".repeat(24)), vec!["letters, digits"]),
    ];
    for (secret, words) in &cases {
        let err = SignIn::admin(no_calls(), POOL, CLIENT)
            .client_secret(ClientSecret::new(secret.clone()))
            .build()
            .unwrap_err();
        refused(&err, Field::ClientSecret, words, Some(secret));
    }
    // The boundaries, and a uuid (moto's secrets), are accepted, and
    // SECRET_HASH is computed from them.
    for secret in [
        "s".repeat(24),
        "s".repeat(64),
        "0b4f7d1e-5c3a-4c55-9d1e-abcdef012345".to_owned(),
        "abc+DEF_123".repeat(3),
    ] {
        let hash = secret_hash(&ClientSecret::new(secret.clone()), "alice", CLIENT);
        let mut mock = MockCognitoBackend::new();
        mock.expect_initiate_auth()
            .withf(move |r| r.parameters.get("SECRET_HASH") == Some(hash.as_str()))
            .times(1)
            .returning(|_| Ok(tokens()));
        let sign_in = SignIn::admin(mock, POOL, CLIENT)
            .client_secret(ClientSecret::new(secret))
            .build()
            .unwrap();
        sign_in
            .password("alice", &Password::new("pw"))
            .await
            .unwrap();
    }
    // A client with a secret needs the user name to refresh.
    let sign_in = SignIn::admin(no_calls(), POOL, CLIENT)
        .client_secret(ClientSecret::new("s".repeat(24)))
        .build()
        .unwrap();
    let err = sign_in
        .refresh(&RefreshToken::new("refresh-token"), None)
        .await
        .unwrap_err();
    refused(&err, Field::Username, &["needed for SECRET_HASH"], None);
}

#[test]
fn session_validity_is_3_to_15_minutes() {
    for minutes in [0, 2, 16, 60] {
        let err = SignIn::admin(no_calls(), POOL, CLIENT)
            .session_validity(Duration::from_secs(minutes * 60))
            .build()
            .unwrap_err();
        refused(&err, Field::Session, &["3 to 15 minutes"], None);
    }
    for minutes in [3, 15] {
        let sign_in = SignIn::admin(no_calls(), POOL, CLIENT)
            .session_validity(Duration::from_secs(minutes * 60))
            .build()
            .unwrap();
        assert_eq!(
            sign_in.session_validity(),
            Some(Duration::from_secs(minutes * 60))
        );
    }
}

// --------------------------------------------------------------- device keys

/// No public flow takes a device key yet (the remembered-device calls are
/// to come), so the check is exercised directly.
#[test]
fn device_keys_look_like_region_underscore_hex() {
    let long = format!("us-east-1_{}", "a".repeat(46));
    let cases: &[(&str, &[&str])] = &[
        ("", &["1 to 55", "got 0"]),
        (&long, &["1 to 55", "got 56"]),
        ("us-east-1", &["REGION_HEX-UUID"]),
        ("us-east-1_", &["REGION_HEX-UUID"]),
        ("_0a1b", &["REGION_HEX-UUID"]),
        ("us-east-1_xyz", &["REGION_HEX-UUID"]),
        ("us-east-1_0A1B", &["REGION_HEX-UUID"]),
        ("us-\u{e9}ast-1_0a1b", &["REGION_HEX-UUID"]),
    ];
    for (key, words) in cases {
        let err = validate::device_key(key).unwrap_err();
        refused(&err, Field::DeviceKey, words, None);
    }
    let max = format!("us-east-1_{}", "a".repeat(45));
    for key in [
        max.as_str(),
        "us-east-1_0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "a_0",
        "us_east_1_0a1b",
    ] {
        validate::device_key(key).unwrap();
    }
}

// -------------------------------------------------------------------- tokens

#[tokio::test]
async fn tokens_are_non_empty_without_white_space() {
    let long = "t".repeat(16385);
    let cases: &[(&str, &[&str])] = &[
        ("", &["1 to 16384", "got 0"]),
        (&long, &["1 to 16384", "got 16385"]),
        ("abc def", &["white space"]),
        ("abc\ndef", &["white space"]),
        ("abc\u{0}def", &["control characters"]),
    ];
    let prefer = FactorPreference {
        enabled: true,
        preferred: true,
    };
    for (token, words) in cases {
        let access = AccessToken::new(*token);
        let err = MfaEnrollment::new("Example")
            .account_name("alice")
            .start_with_access_token(&no_calls(), access.clone())
            .await
            .unwrap_err();
        refused(&err, Field::Token, words, Some(token));
        let err = admin::mfa_status(&no_calls(), &access).await.unwrap_err();
        refused(&err, Field::Token, words, Some(token));
        let err = admin::set_totp_preference(&no_calls(), &access, prefer)
            .await
            .unwrap_err();
        refused(&err, Field::Token, words, Some(token));
        let err = MfaEnrollment::new("Example")
            .verify_associated(&no_calls(), TokenAuth::AccessToken(access), "123456")
            .await
            .unwrap_err();
        refused(&err, Field::Token, words, Some(token));
        let err = sign_in_without_calls()
            .refresh(&RefreshToken::new(*token), Some("alice"))
            .await
            .unwrap_err();
        refused(&err, Field::Token, words, Some(token));
    }

    for token in [
        "t".repeat(16384),
        "x".to_owned(),
        "eyJ.abc-_.def".to_owned(),
    ] {
        let mut mock = MockCognitoBackend::new();
        let sent = token.clone();
        mock.expect_get_user_mfa_settings()
            .withf(move |user| {
                matches!(user, cognito_mfa::backend::UserTarget::AccessToken(t)
                    if t.expose_secret() == sent)
            })
            .times(1)
            .returning(|_| Ok(settings("alice")));
        admin::mfa_status(&mock, &AccessToken::new(token.clone()))
            .await
            .unwrap();
        let mut mock = MockCognitoBackend::new();
        let sent = token.clone();
        mock.expect_initiate_auth()
            .withf(move |r| r.parameters.get("REFRESH_TOKEN") == Some(sent.as_str()))
            .times(1)
            .returning(|_| Ok(tokens()));
        let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
        sign_in
            .refresh(&RefreshToken::new(token), None)
            .await
            .unwrap();
    }
}

// ------------------------------------------- labels and challenge answers

#[tokio::test]
async fn issuer_and_account_names_are_printable_without_colons() {
    let cases: &[(&str, &str, Field, &[&str])] = &[
        ("", "alice", Field::Issuer, &["must not be empty"]),
        ("  ", "alice", Field::Issuer, &["must not be empty"]),
        (
            "Example:Corp",
            "alice",
            Field::Issuer,
            &["':'", "printable"],
        ),
        (
            "Exa\u{7}mple",
            "alice",
            Field::Issuer,
            &["control characters"],
        ),
        ("Example", "alice:admin", Field::AccountName, &["':'"]),
        (
            "Example",
            "al\tice",
            Field::AccountName,
            &["control characters"],
        ),
    ];
    for (issuer, account, field, words) in cases {
        let err = MfaEnrollment::new(*issuer)
            .account_name(*account)
            .start_with_access_token(&no_calls(), AccessToken::new(TOKEN))
            .await
            .unwrap_err();
        refused(&err, *field, words, None);
        let err = MfaEnrollment::new(*issuer)
            .account_name(*account)
            .start_with_session(&no_calls(), Session::new(SESSION), "alice")
            .await
            .unwrap_err();
        refused(&err, *field, words, None);
    }
}

#[tokio::test]
async fn challenge_answers_are_checked_against_what_was_offered() {
    let mut mock = MockCognitoBackend::new();
    let mut seq = mockall::Sequence::new();
    mock.expect_initiate_auth()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Ok(challenge_response(
                "SELECT_MFA_TYPE",
                &[("MFAS_CAN_CHOOSE", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)],
            ))
        });
    mock.expect_initiate_auth()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Ok(challenge_response(
                "NEW_PASSWORD_REQUIRED",
                &[("requiredAttributes", r#"["userAttributes.name"]"#)],
            ))
        });
    let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
    let password = Password::new("pw");
    let SignInStep::SelectMfaType(c) = sign_in.password("alice", &password).await.unwrap() else {
        panic!()
    };
    let rejected = c.choose(&sign_in, MfaFactor::Email).await.unwrap_err();
    refused(
        rejected.error(),
        Field::MfaSetting,
        &["EMAIL_OTP", "not offered"],
        None,
    );
    assert!(rejected.retry().is_some());

    let SignInStep::NewPasswordRequired(c) = sign_in.password("alice", &password).await.unwrap()
    else {
        panic!()
    };
    let new_password = Password::new("N3w-Passw0rd!");
    let rejected = c.answer(&sign_in, &new_password, &[]).await.unwrap_err();
    refused(
        rejected.error(),
        Field::Challenge,
        &["required attribute name", "missing"],
        None,
    );
    let c = rejected.retry().unwrap();
    let rejected = c
        .answer(&sign_in, &Password::new(""), &[("name", "Alice")])
        .await
        .unwrap_err();
    refused(rejected.error(), Field::Password, &["1 to 256"], None);
}

// ------------------------------------------------------------ TOTP secrets

/// The floor is checked directly: `validate::totp_secret` is what the
/// enrollment and the authenticator decode the service's secret through.
#[test]
fn totp_secrets_have_a_floor_that_moto_clears() {
    let cases: &[(&str, &[&str])] = &[
        ("A", &["at least 5 bytes"]),       // no bytes at all: an empty HMAC key
        ("AAAAAAA", &["at least 5 bytes"]), // 4 bytes
        ("mfrgg===", &["at least 5 bytes"]), // 3 bytes, padded, lower case
        ("", &["empty"]),
        (" =-= ", &["empty"]),
        ("not base32!", &["base32"]),
        ("GEZDGNBVGY3TQOJ1", &["base32"]),
    ];
    for (secret, words) in cases {
        let err = validate::totp_secret(secret).unwrap_err();
        refused(&err, Field::TotpSecret, words, Some(secret));
        assert!(
            !err.to_string().contains("got"),
            "the refusal says nothing of the secret's length: {err}"
        );
    }
    for secret in [
        "asdfasdfasdf", // moto's, 7 bytes
        "AAAAAAAA",     // 5 bytes: the floor
        "JBSWY3DPEHPK3PXP",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", // 20 bytes, Cognito's size
        "gezd-gnbv-gy3t-qojq gezd gnbv gy3t qojq====",
    ] {
        validate::totp_secret(secret).unwrap();
    }
}

// ------------------------------------------------- text from the service

/// What the service sends to be shown to a person is handed out only when
/// it is plain printable text: a terminal escape sequence, a line separator
/// or a bidi override in FRIENDLY_DEVICE_NAME, CODE_DELIVERY_DESTINATION or
/// CODE_DELIVERY_DELIVERY_MEDIUM reads as absent.
#[tokio::test]
async fn text_from_the_service_is_shown_only_when_printable() {
    let hostile = [
        "\u{1b}[2J\u{1b}[31mAlice's phone",
        "\u{1b}]0;owned\u{7}phone",
        "\u{9b}31mphone",
        "Alice\u{2028}phone",
        "\u{202e}enohp s'ecilA",
        "Alice\u{0}",
        "",
    ];
    let fine = [
        "Alice's phone",
        "Alice's \u{1f469}\u{200d}\u{1f4bb}",
        "\u{7530}\u{4e2d}\u{3000}\u{643}\u{30a4}",
    ];
    let mut mock = MockCognitoBackend::new();
    let mut seq = mockall::Sequence::new();
    for name in hostile.iter().chain(&fine) {
        let destination = format!("+*******0100{name}");
        let medium = format!("SMS{name}");
        let name = (*name).to_owned();
        mock.expect_initiate_auth()
            .times(1)
            .in_sequence(&mut seq)
            .returning(move |_| {
                Ok(challenge_response(
                    "SOFTWARE_TOKEN_MFA",
                    &[("USERNAME", "alice"), ("FRIENDLY_DEVICE_NAME", &name)],
                ))
            });
        mock.expect_initiate_auth()
            .times(1)
            .in_sequence(&mut seq)
            .returning(move |_| {
                Ok(challenge_response(
                    "SMS_MFA",
                    &[
                        ("USERNAME", "alice"),
                        ("CODE_DELIVERY_DESTINATION", &destination),
                        ("CODE_DELIVERY_DELIVERY_MEDIUM", &medium),
                    ],
                ))
            });
    }
    let sign_in = SignIn::admin(mock, POOL, CLIENT).build().unwrap();
    let password = Password::new("pw");
    for name in hostile.iter().chain(&fine) {
        let shown = fine.contains(name);
        let SignInStep::TotpRequired(c) = sign_in.password("alice", &password).await.unwrap()
        else {
            panic!()
        };
        assert_eq!(c.friendly_device_name(), shown.then_some(*name), "{name:?}");
        let SignInStep::CodeRequired(c) = sign_in.password("alice", &password).await.unwrap()
        else {
            panic!()
        };
        let destination = format!("+*******0100{name}");
        let medium = format!("SMS{name}");
        let destination_shown = shown || name.is_empty();
        assert_eq!(
            c.destination(),
            destination_shown.then_some(destination.as_str()),
            "{name:?}"
        );
        assert_eq!(
            c.medium(),
            destination_shown.then_some(medium.as_str()),
            "{name:?}"
        );
    }
}
