#![cfg(feature = "serde")]
//! Property tests of the sign-in state machine: whatever a backend answers
//! (missing fields, empty strings, unknown or arbitrary Unicode challenge
//! names, lists as JSON text, as double-encoded strings, as bare names or as
//! garbage, 100 KB values, arbitrary ChallengeParameters), every step, every
//! accessor, every answer and a save/JSON/resume round trip end in
//! `Ok(step)` or a typed `Err`, never a panic.
//!
//! The backend is the crate's `ScriptedBackend`, replaying a
//! proptest-generated script (mockall is awkward inside proptest). Its
//! futures never wait, so a no-op-waker `block_on` drives them.

use cognito_mfa::backend::{
    AssociatedSoftwareToken, AuthResponse, AuthTokens, ChallengeName, MfaFactor, NewDeviceMetadata,
    Parameters, VerifiedSoftwareToken, VerifyStatus,
};
use cognito_mfa::sign_in::{FirstFactor, FirstFactorKind, SavedChallenge, SignIn, SignInStep};
use cognito_mfa::testing::ScriptedBackend;
use cognito_mfa::{
    AccessToken, ClientSecret, Error, Field, IdToken, MfaEnrollment, Operation, Password,
    RefreshToken, ServiceError, Session, TotpSecret, TransportError, TransportKind,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

const POOL: &str = "us-east-1_Prop123";
const CLIENT: &str = "propclient";

// ------------------------------------------------------------------ driver

/// Drives a future that never waits (the script answers at once).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("the flow waited on a backend that never waits");
}

/// One scripted backend answer.
#[derive(Clone, Debug)]
enum Reply {
    Answer(AuthResponse),
    Service(String, String),
    Transport(TransportKind),
}

impl Reply {
    fn into_result(self, operation: Operation) -> Result<AuthResponse, Error> {
        match self {
            Self::Answer(a) => Ok(a),
            Self::Service(code, message) => Err(Error::from_service(
                operation,
                ServiceError::new(code, message),
            )),
            Self::Transport(kind) => Err(Error::Transport(TransportError::new(
                kind, operation, "scripted",
            ))),
        }
    }
}

/// What AssociateSoftwareToken and VerifySoftwareToken answer.
#[derive(Clone, Debug)]
struct Enrollment {
    secret: String,
    associate_session: Option<String>,
    verified: bool,
    verify_session: Option<String>,
}

/// The most enrollment calls one flow can make: one per person's step.
const ENROLLMENT_CALLS: usize = 8;

// -------------------------------------------------------------- strategies

const KNOWN_CHALLENGES: &[&str] = &[
    "SOFTWARE_TOKEN_MFA",
    "MFA_SETUP",
    "SELECT_MFA_TYPE",
    "NEW_PASSWORD_REQUIRED",
    "SMS_MFA",
    "EMAIL_OTP",
    "PASSWORD_VERIFIER",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
    "WEB_AUTHN",
    "SELECT_CHALLENGE",
    "CUSTOM_CHALLENGE",
];

const KNOWN_KEYS: &[&str] = &[
    "MFAS_CAN_SETUP",
    "MFAS_CAN_CHOOSE",
    "requiredAttributes",
    "userAttributes",
    "FRIENDLY_DEVICE_NAME",
    "CODE_DELIVERY_DESTINATION",
    "CODE_DELIVERY_DELIVERY_MEDIUM",
    "USER_ID_FOR_SRP",
    "USERNAME",
];

const FACTOR_NAMES: &[&str] = &[
    "SOFTWARE_TOKEN_MFA",
    "SMS_MFA",
    "EMAIL_OTP",
    "WEB_AUTHN",
    "",
    "software_token_mfa",
];

/// 100 KB (or more) of one character.
fn huge() -> impl Strategy<Value = String> {
    any::<char>().prop_map(|c| std::iter::repeat_n(c, 100_000).collect())
}

/// Any text: arbitrary Unicode, empty, or plain.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        1 => Just(String::new()),
        3 => "[a-zA-Z0-9_@.+-]{1,40}",
    ]
}

/// Any text, now and then 100 KB of it.
fn text_or_huge() -> impl Strategy<Value = String> {
    prop_oneof![12 => text(), 1 => huge()]
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        prop::sample::select(FACTOR_NAMES).prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn factor_names() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(FACTOR_NAMES).prop_map(str::to_owned),
        0..4,
    )
}

/// A ChallengeParameters value in every shape lists arrive in, and others.
fn parameter_value() -> impl Strategy<Value = String> {
    prop_oneof![
        // JSON text of a list, as Cognito sends it.
        factor_names().prop_map(|v| serde_json::to_string(&v).unwrap()),
        // That text as a JSON string again (double-encoded).
        factor_names()
            .prop_map(|v| { serde_json::to_string(&serde_json::to_string(&v).unwrap()).unwrap() }),
        // A bare name.
        prop::sample::select(FACTOR_NAMES).prop_map(str::to_owned),
        // Any JSON at all (arrays of numbers, objects, nesting).
        arb_json().prop_map(|j| j.to_string()),
        // userAttributes-like objects with arbitrary values.
        prop::collection::btree_map("[a-z_:.]{1,12}", arb_json(), 0..5)
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect()).to_string()),
        // Truncated JSON and garbage.
        "\\[\"[A-Z_]{0,10}",
        text_or_huge(),
    ]
}

fn parameters() -> impl Strategy<Value = BTreeMap<String, String>> {
    let key = prop_oneof![
        3 => prop::sample::select(KNOWN_KEYS).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    prop::collection::btree_map(key, parameter_value(), 0..8)
}

fn challenge_name() -> impl Strategy<Value = Option<ChallengeName>> {
    prop_oneof![
        1 => Just(None),
        6 => prop::sample::select(KNOWN_CHALLENGES).prop_map(|n| Some(ChallengeName::parse(n))),
        1 => Just(Some(ChallengeName::parse(""))),
        1 => "[A-Z_]{1,80}".prop_map(|n| Some(ChallengeName::parse(&n))),
        2 => any::<String>().prop_map(|n| Some(ChallengeName::parse(&n))),
        1 => huge().prop_map(|n| Some(ChallengeName::parse(&n))),
    ]
}

fn session_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9_-]{20,300}",
        1 => Just("s".repeat(2048)),
        1 => Just("s".repeat(2049)),
        1 => "[a-z]{0,19}",
        1 => text_or_huge(),
    ]
}

fn maybe_session() -> impl Strategy<Value = Option<String>> {
    prop_oneof![1 => Just(None), 6 => session_text().prop_map(Some)]
}

fn tokens() -> impl Strategy<Value = AuthTokens> {
    (
        text_or_huge(),
        prop::option::of(text()),
        prop::option::of(text()),
        any::<u64>(),
        text(),
        prop::option::of((text(), text())),
    )
        .prop_map(|(access, id, refresh, secs, kind, device)| {
            AuthTokens::new(AccessToken::new(access), Duration::from_secs(secs))
                .with_id_token(id.map(IdToken::new))
                .with_refresh_token(refresh.map(RefreshToken::new))
                .with_token_type(kind)
                .with_new_device(device.map(|(device_key, device_group_key)| {
                    NewDeviceMetadata::new(device_key, device_group_key)
                }))
        })
}

fn auth_response() -> impl Strategy<Value = AuthResponse> {
    (
        challenge_name(),
        maybe_session(),
        parameters(),
        prop_oneof![4 => Just(None), 1 => tokens().prop_map(Some)],
    )
        .prop_map(|(challenge, session, parameters, tokens)| {
            let mut v = AuthResponse::default();
            v.challenge = challenge;
            v.session = session.map(Session::new);
            v.parameters = parameters;
            v.tokens = tokens;
            v
        })
}

fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        6 => auth_response().prop_map(Reply::Answer),
        2 => (
            prop_oneof![
                prop::sample::select(&[
                    "CodeMismatchException",
                    "ExpiredCodeException",
                    "NotAuthorizedException",
                    "TooManyRequestsException",
                    "InvalidPasswordException",
                    "InvalidParameterException",
                    "SoftwareTokenMFANotFoundException",
                ][..])
                .prop_map(str::to_owned),
                text(),
            ],
            text(),
        )
            .prop_map(|(c, m)| Reply::Service(c, m)),
        1 => prop::sample::select(
            &[
                TransportKind::NotSent,
                TransportKind::TimedOut,
                TransportKind::Io,
                TransportKind::BadResponse,
            ][..]
        )
        .prop_map(Reply::Transport),
    ]
}

fn enrollment() -> impl Strategy<Value = Enrollment> {
    (
        prop_oneof![
            Just("JBSWY3DPEHPK3PXP".to_owned()),
            Just("asdfasdfasdf".to_owned()),
            "[A-Z2-7]{0,40}",
            text(),
        ],
        maybe_session(),
        any::<bool>(),
        maybe_session(),
    )
        .prop_map(
            |(secret, associate_session, verified, verify_session)| Enrollment {
                secret,
                associate_session,
                verified,
                verify_session,
            },
        )
}

fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{6}",
        "[0-9]{6,8}",
        "[0-9 ]{0,12}",
        "[0-9\u{a0}\u{2003}\u{660}-\u{669}a-z]{0,8}",
        text(),
    ]
}

/// A flow: the sign-in configuration, the script, and the person's input.
#[derive(Debug, Clone)]
struct Flow {
    admin: bool,
    with_secret: bool,
    username: String,
    first: AuthResponse,
    rest: Vec<Reply>,
    enrollment: Enrollment,
    codes: Vec<String>,
    factor: Option<MfaFactor>,
    save_first: Vec<bool>,
}

fn flow() -> impl Strategy<Value = Flow> {
    (
        any::<bool>(),
        any::<bool>(),
        prop_oneof![8 => Just("alice@example.com".to_owned()), 1 => text()],
        auth_response(),
        prop::collection::vec(reply(), 0..4),
        enrollment(),
        prop::collection::vec(code(), 4),
        prop::option::of(prop::sample::select(
            &[MfaFactor::SoftwareToken, MfaFactor::Sms, MfaFactor::Email][..],
        )),
        prop::collection::vec(any::<bool>(), 4),
    )
        .prop_map(
            |(admin, with_secret, username, first, rest, enrollment, codes, factor, save_first)| {
                Flow {
                    admin,
                    with_secret,
                    username,
                    first,
                    rest,
                    enrollment,
                    codes,
                    factor,
                    save_first,
                }
            },
        )
}

// ------------------------------------------------------------------ checks

fn sign_in(flow: &Flow) -> SignIn {
    // The shared scripted backend: the first answer for InitiateAuth, the
    // rest in order for RespondToAuthChallenge, then "not scripted".
    let backend = ScriptedBackend::new();
    let (initiate, respond) = if flow.admin {
        (
            Operation::AdminInitiateAuth,
            Operation::AdminRespondToAuthChallenge,
        )
    } else {
        (Operation::InitiateAuth, Operation::RespondToAuthChallenge)
    };
    backend.push_auth(Reply::Answer(flow.first.clone()).into_result(initiate));
    for reply in &flow.rest {
        backend.push_auth(reply.clone().into_result(respond));
    }
    let e = &flow.enrollment;
    for _ in 0..ENROLLMENT_CALLS {
        backend.push_associate(Ok(AssociatedSoftwareToken::new(
            TotpSecret::new(e.secret.clone()),
            e.associate_session.clone().map(Session::new),
        )));
        let status = if e.verified {
            VerifyStatus::Success
        } else {
            VerifyStatus::Error
        };
        backend.push_verify(Ok(VerifiedSoftwareToken::new(
            status,
            e.verify_session.clone().map(Session::new),
        )));
    }
    let builder = if flow.admin {
        SignIn::admin(backend, POOL, CLIENT)
    } else {
        SignIn::public(backend, CLIENT)
    };
    let builder = if flow.with_secret {
        builder.client_secret(ClientSecret::new("propsecret0123456789abcdefgh"))
    } else {
        builder
    };
    builder.build().expect("a valid configuration")
}

/// Formats an error and its whole source chain, and asks every predicate.
fn touch(error: &(dyn std::error::Error + 'static)) {
    let mut next = Some(error);
    while let Some(e) = next {
        let _ = format!("{e} {e:?}");
        next = e.source();
    }
}

fn touch_error(error: &Error) {
    let _ = (
        error.recovery(),
        error.is_retryable(),
        error.can_retry_challenge(),
        error.must_restart(),
        error.service_code(),
    );
    touch(error);
}

/// The user name check is the library's own here: tests/hardening holds its
/// independent oracle; this test is about the state machine.
fn username_ok(name: &str) -> bool {
    cognito_mfa::validate::username(name).is_ok()
}

/// Whether challenge parameters are within what the sign-in keeps: 64
/// entries and 64 KiB of names and values in all.
fn parameters_fit(parameters: &BTreeMap<String, String>) -> bool {
    let size: usize = parameters.iter().map(|(k, v)| k.len() + v.len()).sum();
    parameters.len() <= 64 && size <= 64 * 1024
}

/// Whether a pending challenge with these parts meets the limits a saved
/// challenge is checked against when resumed.
fn resumable(saved: &SavedChallenge) -> bool {
    let name = saved.challenge_name();
    let session = saved.session().expose_secret().chars().count();
    !name.is_empty()
        && name.chars().count() <= 64
        && (20..=2048).contains(&session)
        && username_ok(saved.username())
}

/// What a step shows through its accessors, to compare before and after a
/// save/resume round trip.
#[derive(Debug, PartialEq)]
enum Shown {
    Done,
    Totp(Option<String>, String),
    Setup(Vec<MfaFactor>, String),
    Select(Vec<MfaFactor>, String),
    NewPassword(Vec<String>, BTreeMap<String, String>, String),
    Code(Option<MfaFactor>, Option<String>, Option<String>, String),
    SelectFirst(Vec<String>, String),
    WebAuthn(Option<String>, String),
    Unsupported(String, Vec<String>, String),
}

fn show(step: &SignInStep) -> Shown {
    let _ = format!("{step:?}");
    let _ = step.challenge_name();
    match step {
        SignInStep::Done(tokens) => {
            let _ = format!("{tokens:?}");
            Shown::Done
        }
        SignInStep::TotpRequired(c) => {
            let _ = c.expires_at();
            Shown::Totp(
                c.friendly_device_name().map(str::to_owned),
                c.username().to_owned(),
            )
        }
        SignInStep::MfaSetupRequired(c) => Shown::Setup(c.can_set_up(), c.username().to_owned()),
        SignInStep::SelectMfaType(c) => Shown::Select(c.choices(), c.username().to_owned()),
        SignInStep::NewPasswordRequired(c) => Shown::NewPassword(
            c.required_attributes(),
            c.user_attributes(),
            c.username().to_owned(),
        ),
        SignInStep::CodeRequired(c) => Shown::Code(
            c.factor(),
            c.destination().map(str::to_owned),
            c.medium().map(str::to_owned),
            c.username().to_owned(),
        ),
        SignInStep::SelectChallenge(c) => Shown::SelectFirst(
            c.choices().iter().map(|f| f.as_str().to_owned()).collect(),
            c.username().to_owned(),
        ),
        SignInStep::WebAuthnRequired(c) => Shown::WebAuthn(
            c.credential_request_options().map(str::to_owned),
            c.username().to_owned(),
        ),
        SignInStep::Unsupported(c) => {
            let names: Vec<String> = c.parameter_names().map(str::to_owned).collect();
            for name in &names {
                assert!(c.parameter(name).is_some());
            }
            touch_error(&c.to_error());
            Shown::Unsupported(c.name().to_owned(), names, c.username().to_owned())
        }
        other => panic!("a step this test does not know: {other:?}"),
    }
}

/// Saves the step, round-trips it through JSON and resumes it. Returns the
/// resumed step, or `None` when resuming was refused (with a typed error)
/// or the step was `Done`.
fn save_and_resume(sign_in: &SignIn, step: SignInStep) -> Option<SignInStep> {
    let before = show(&step);
    let name = step.challenge_name().map(str::to_owned);
    let Some(saved) = step.into_saved() else {
        assert_eq!(before, Shown::Done);
        return None;
    };
    assert_eq!(Some(saved.challenge_name()), name.as_deref());
    let debug = format!("{saved:?}");
    let session = saved.session().expose_secret();
    if session.len() >= 4 {
        assert!(
            !debug.contains(session),
            "Debug of a SavedChallenge shows its Session"
        );
    }
    let json = serde_json::to_string(&saved).expect("a SavedChallenge always serializes");
    let back: SavedChallenge =
        serde_json::from_str(&json).expect("what the crate writes, it reads");
    assert_eq!(back.challenge_name(), saved.challenge_name());
    assert_eq!(back.username(), saved.username());
    assert_eq!(back.parameters(), saved.parameters());
    assert_eq!(back.expires_at(), saved.expires_at());
    let ok = resumable(&back);
    match sign_in.resume(back) {
        Ok(step) => {
            assert!(ok, "resumed a challenge outside the limits: {debug}");
            assert_eq!(show(&step), before, "the round trip changed the step");
            Some(step)
        }
        Err(e) => {
            assert!(
                !ok,
                "a challenge within the limits was refused: {e}: {debug}"
            );
            assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
            touch_error(&e);
            None
        }
    }
}

/// Answers a step with the flow's input; the next step or a typed error.
fn answer(sign_in: &SignIn, step: SignInStep, flow: &Flow, round: usize) -> Option<SignInStep> {
    let code = flow.codes[round % flow.codes.len()].as_str();
    fn rejected<T: 'static>(r: cognito_mfa::Rejected<T>) -> Error {
        touch(&r);
        let _ = format!("{r} {r:?}");
        r.into_error()
    }
    let result = match step {
        SignInStep::Done(_) => return None,
        SignInStep::TotpRequired(c) => block_on(c.answer(sign_in, code)).map_err(rejected),
        SignInStep::MfaSetupRequired(c) => {
            let enrollment = MfaEnrollment::new("Prop Corp").device_name("prop phone");
            match block_on(c.start_totp(sign_in, enrollment)) {
                Ok(setup) => {
                    let e = setup.enrollment();
                    let _ = (e.uri(), e.setup_key(), e.issuer(), e.account_name());
                    let _ = (format!("{setup:?}"), setup.username());
                    block_on(setup.verify(sign_in, code)).map_err(rejected)
                }
                Err(e) => Err(e),
            }
        }
        SignInStep::SelectMfaType(c) => {
            let factor = flow
                .factor
                .or_else(|| c.choices().first().copied())
                .unwrap_or(MfaFactor::SoftwareToken);
            block_on(c.choose(sign_in, factor)).map_err(rejected)
        }
        SignInStep::NewPasswordRequired(c) => {
            let required = c.required_attributes();
            let attributes: Vec<(&str, &str)> =
                required.iter().map(|name| (name.as_str(), code)).collect();
            block_on(c.answer(sign_in, &Password::new(code), &attributes)).map_err(rejected)
        }
        SignInStep::CodeRequired(c) => block_on(c.answer(sign_in, code)).map_err(rejected),
        SignInStep::SelectChallenge(c) => {
            // The password factor when offered (or nothing is listed), else a code.
            let password = Password::new(code);
            let factor =
                if c.choices().is_empty() || c.choices().contains(&FirstFactorKind::Password) {
                    FirstFactor::Password(&password)
                } else {
                    FirstFactor::EmailOtp
                };
            block_on(c.choose(sign_in, factor)).map_err(rejected)
        }
        SignInStep::WebAuthnRequired(c) => {
            let credential = format!(r#"{{"id":{}}}"#, serde_json::Value::from(code));
            block_on(c.answer(sign_in, &credential)).map_err(rejected)
        }
        SignInStep::Unsupported(c) => {
            let raw = Parameters::new().with("ANSWER", code);
            block_on(c.respond_raw(sign_in, raw))
        }
        other => panic!("a step this test does not know: {other:?}"),
    };
    match result {
        Ok(step) => Some(step),
        Err(e) => {
            touch_error(&e);
            None
        }
    }
}

/// The call a flow starts with.
fn initiate_operation(flow: &Flow) -> Operation {
    if flow.admin {
        Operation::AdminInitiateAuth
    } else {
        Operation::InitiateAuth
    }
}

/// The first step must follow from the backend's first answer.
fn check_first(flow: &Flow, result: &Result<SignInStep, Error>) {
    if !username_ok(&flow.username) {
        assert!(
            matches!(result, Err(Error::InvalidInput(i)) if i.field() == Field::Username),
            "{result:?}"
        );
        return;
    }
    let first = &flow.first;
    // Later steps use the canonical name Cognito returned.
    let canonical = ["USERNAME", "USER_ID_FOR_SRP"]
        .iter()
        .filter_map(|k| first.parameters.get(*k))
        .find(|v| !v.is_empty());
    let canonical_ok = canonical.is_none_or(|c| cognito_mfa::validate::username(c).is_ok());
    match (&first.tokens, &first.challenge, &first.session, result) {
        (Some(_), _, _, Ok(SignInStep::Done(_))) => {}
        (None, None, _, Err(Error::UnexpectedResponse { operation, .. })) => {
            assert_eq!(*operation, initiate_operation(flow));
        }
        // A challenge name or user name outside Cognito's limits, a step the
        // library answers itself (PASSWORD_VERIFIER and the device steps)
        // in a sign-in that holds no secret for it, and a person's challenge
        // without a Session that could be saved and resumed: refused as an
        // unexpected answer.
        (None, Some(name), session, Err(Error::UnexpectedResponse { operation, .. }))
            if !(1..=64).contains(&name.as_str().chars().count())
                || !parameters_fit(&first.parameters)
                || !canonical_ok
                || name.is_answered_by_library()
                || session
                    .as_ref()
                    .is_none_or(|s| !(20..=2048).contains(&s.expose_secret().chars().count())) =>
        {
            assert_eq!(*operation, initiate_operation(flow));
        }
        (None, Some(name), Some(_), Ok(step)) => {
            assert!(!name.is_answered_by_library(), "{name} reached a person");
            assert!(
                parameters_fit(&first.parameters),
                "oversized parameters kept"
            );
            assert_eq!(step.challenge_name(), Some(name.as_str()));
            let kind_ok = match name {
                ChallengeName::SoftwareTokenMfa => matches!(step, SignInStep::TotpRequired(_)),
                ChallengeName::MfaSetup => matches!(step, SignInStep::MfaSetupRequired(_)),
                ChallengeName::SelectMfaType => matches!(step, SignInStep::SelectMfaType(_)),
                ChallengeName::NewPasswordRequired => {
                    matches!(step, SignInStep::NewPasswordRequired(_))
                }
                ChallengeName::SmsMfa | ChallengeName::EmailOtp | ChallengeName::SmsOtp => {
                    matches!(step, SignInStep::CodeRequired(_))
                }
                ChallengeName::SelectChallenge => matches!(step, SignInStep::SelectChallenge(_)),
                ChallengeName::WebAuthn => matches!(step, SignInStep::WebAuthnRequired(_)),
                _ => matches!(step, SignInStep::Unsupported(_)),
            };
            assert!(kind_ok, "{name} became {step:?}");
            let canonical = canonical.map_or(flow.username.as_str(), String::as_str);
            let shown = match show(step) {
                Shown::Totp(_, u)
                | Shown::Setup(_, u)
                | Shown::Select(_, u)
                | Shown::NewPassword(_, _, u)
                | Shown::Code(_, _, _, u)
                | Shown::SelectFirst(_, u)
                | Shown::WebAuthn(_, u)
                | Shown::Unsupported(_, _, u) => u,
                Shown::Done => unreachable!(),
            };
            assert_eq!(shown, canonical);
        }
        (_, _, _, other) => panic!("{first:?} became {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    /// Whatever the backend answers, every step and answer ends in
    /// `Ok(step)` or a typed error, and a save/resume round trip keeps the
    /// step as it was (or is refused with a typed error when the backend's
    /// values are outside Cognito's limits).
    #[test]
    fn arbitrary_backend_answers_never_panic(flow in flow()) {
        let sign_in = sign_in(&flow);
        let result = block_on(sign_in.password(&flow.username, &Password::new("pw")));
        check_first(&flow, &result);
        let mut step = match result {
            Ok(step) => step,
            Err(e) => {
                touch_error(&e);
                return Ok(());
            }
        };
        for round in 0..4 {
            if flow.save_first[round] {
                match save_and_resume(&sign_in, step) {
                    Some(resumed) => step = resumed,
                    None => break,
                }
            } else {
                let _ = show(&step);
            }
            match answer(&sign_in, step, &flow, round) {
                Some(next) => step = next,
                None => break,
            }
        }
    }

    /// The factor lists read from MFAS_CAN_SETUP and MFAS_CAN_CHOOSE are the
    /// known names of the JSON list, in order; anything but a JSON list of
    /// strings (or one bare name) reads as an empty list.
    #[test]
    fn factor_lists_read_as_documented(
        names in factor_names(),
        shape in 0u8..4,
        garbage in text(),
    ) {
        let (value, expected): (String, Vec<MfaFactor>) = match shape {
            0 => (
                serde_json::to_string(&names).unwrap(),
                names.iter().filter_map(|n| MfaFactor::parse(n)).collect(),
            ),
            1 => (
                format!(" {} ", serde_json::to_string(&names).unwrap()),
                names.iter().filter_map(|n| MfaFactor::parse(n)).collect(),
            ),
            2 => {
                let one = names.first().cloned().unwrap_or_default();
                let expected = MfaFactor::parse(&one).into_iter().collect();
                (one, expected)
            }
            _ => {
                let expected = serde_json::from_str::<Vec<String>>(garbage.trim())
                    .map(|v| v.iter().filter_map(|n| MfaFactor::parse(n)).collect())
                    .unwrap_or_else(|_| {
                        MfaFactor::parse(garbage.trim()).into_iter().collect()
                    });
                (garbage, expected)
            }
        };
        for (challenge, key) in [("MFA_SETUP", "MFAS_CAN_SETUP"), ("SELECT_MFA_TYPE", "MFAS_CAN_CHOOSE")] {
            let flow = Flow {
                admin: true,
                with_secret: false,
                username: "alice".to_owned(),
                first: AuthResponse::challenge(ChallengeName::parse(challenge), Some(Session::new("s".repeat(40))), [(key.to_owned(), value.clone())].into_iter().collect()),
                rest: Vec::new(),
                enrollment: Enrollment {
                    secret: String::new(),
                    associate_session: None,
                    verified: false,
                    verify_session: None,
                },
                codes: vec![String::new()],
                factor: None,
                save_first: vec![false],
            };
            let step = block_on(sign_in(&flow).password("alice", &Password::new("pw"))).unwrap();
            let got = match step {
                SignInStep::MfaSetupRequired(c) => c.can_set_up(),
                SignInStep::SelectMfaType(c) => c.choices(),
                other => panic!("{other:?}"),
            };
            prop_assert_eq!(&got, &expected, "{:?}", value);
        }
    }
}
