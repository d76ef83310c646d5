#![cfg(all(feature = "mock", feature = "serde", feature = "test-util"))]
//! No secret leaks: every flow, success and failure, on `MockCognitoBackend`
//! (with canary values for the password, TOTP secret, codes, Sessions,
//! tokens, client secret and SECRET_HASH) and on the in-memory pool (whose
//! random Sessions, tokens and secrets are collected as canaries), with the
//! whole crate logging at TRACE with span events. Every value a flow hands
//! back is formatted with `{:?}` (and `{}` where it has Display), every
//! error with its whole `source()` chain; no canary may appear in any of
//! that, nor in the log.
//!
//! One test in its own binary: tracing caches callsite interest per process,
//! so the global subscriber is installed once, first, and nothing else in
//! this binary runs flows beside it.

use cognito_mfa::backend::{
    AppClient, AssociatedSoftwareToken, AuthFlow, AuthResponse, AuthTokens, ChallengeName,
    FactorPreference, InitiateAuthRequest, MfaFactor, Parameters, PoolMfaConfig, PoolMfaMode,
    RespondToAuthChallengeRequest, TokenAuth, UserMfaSettings, UserStatus, UserTarget,
    VerifiedSoftwareToken, VerifyStatus,
};
use cognito_mfa::clock::Clock;
use cognito_mfa::otpauth::setup_key;
use cognito_mfa::sign_in::{SavedChallenge, SignIn, SignInStep};
use cognito_mfa::testing::{Authenticator, ClientOptions, InMemoryPool, ManualClock};
use cognito_mfa::{
    AccessToken, AfterVerify, ClientSecret, Error, IdToken, MfaEnrollment, MockCognitoBackend,
    OneTimeCode, Operation, Password, RefreshToken, Rejected, ServiceError, Session, TotpSecret,
    TransportError, TransportKind, admin, preflight, secret_hash,
};
use std::collections::BTreeMap;
use std::fmt::{Debug, Display};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

// ------------------------------------------------------------ the canaries

const POOL: &str = "us-east-1_Leak123";
const CLIENT: &str = "leakclient";
const ALIAS: &str = "alice@example.com";
const CANONICAL: &str = "7d1e5c3a-0b4f-4c55-9d1e-abcdef012345";
const CLIENT_SECRET: &str = "CLIENTSECRETCANARY0123456789abcd";
const PASSWORD: &str = "PASSWORDCANARY-hunter2";
const NEW_PASSWORD: &str = "NEWPASSWORDCANARY-Aa1!";
const WEAK_PASSWORD: &str = "WEAKCANARY";
/// Valid base32 (A-Z, 2-7), 20 characters.
const TOTP_SECRET: &str = "CANARYSECRETAAAAAAAA";
const S1: &str = "SESSIONCANARY-ONE-0123456789";
const S2: &str = "SESSIONCANARY-TWO-0123456789";
const S3: &str = "SESSIONCANARY-THREE-0123456789";
const S4: &str = "SESSIONCANARY-FOUR-0123456789";
const S5: &str = "SESSIONCANARY-FIVE-0123456789";
const S6: &str = "SESSIONCANARY-SIX-0123456789";
const ACCESS: &str = "ACCESSCANARY-eyJraWQiOiJhYmMifQ";
const ID: &str = "IDCANARY-eyJraWQiOiJhYmMifQ";
const REFRESH: &str = "REFRESHCANARY-eyJjdHkiOiJKV1QifQ";
const ACCESS2: &str = "ACCESSCANARY2-eyJraWQiOiJkZWYifQ";
const ID2: &str = "IDCANARY2-eyJraWQiOiJkZWYifQ";
const CODE_OK: &str = "918273";
const CODE_WRONG: &str = "564738";
const CODE_REUSED: &str = "102938";
const CODE_MALFORMED: &str = "91827x";
const CODE_SMS: &str = "73645192";
const CODE_EMAIL: &str = "8473619";
const WEBAUTHN_PARAM: &str = "WEBAUTHNCANARY-options";
const WEBAUTHN_ANSWER: &str = "WEBAUTHNCANARY-assertion";

// ----------------------------------------------------------------- the audit

/// Everything formatted from what the flows returned, and the canaries that
/// must not be in it.
#[derive(Default)]
struct Audit {
    shown: Vec<(String, String)>,
    canaries: Vec<String>,
}

impl Audit {
    fn canary(&mut self, value: impl Into<String>) {
        let value = value.into();
        assert!(value.len() >= 6, "a canary too short to tell: {value:?}");
        if !self.canaries.contains(&value) {
            self.canaries.push(value);
        }
    }

    /// A TOTP secret, in every form the crate writes it.
    fn secret(&mut self, secret: &TotpSecret) {
        self.canary(secret.expose_secret());
        let grouped = setup_key(secret).unwrap();
        self.canary(grouped.replace(' ', ""));
        for group in grouped.split(' ').collect::<Vec<_>>().windows(2) {
            // Two groups with their space: a setup key in part.
            self.canary(group.join(" "));
        }
    }

    fn tokens(&mut self, label: &str, tokens: &AuthTokens) {
        self.canary(tokens.access_token.expose_secret());
        if let Some(id) = &tokens.id_token {
            self.canary(id.expose_secret());
        }
        if let Some(refresh) = &tokens.refresh_token {
            self.canary(refresh.expose_secret());
        }
        self.debug(label, tokens);
    }

    fn hashes(&mut self, secret: &ClientSecret, names: &[&str], client_id: &str) {
        for name in names {
            self.canary(secret_hash(secret, name, client_id));
        }
    }

    fn debug(&mut self, label: &str, value: &(impl Debug + ?Sized)) {
        self.shown
            .push((format!("{label} {{:?}}"), format!("{value:?}")));
        self.shown
            .push((format!("{label} {{:#?}}"), format!("{value:#?}")));
    }

    fn both(&mut self, label: &str, value: &(impl Debug + Display + ?Sized)) {
        self.debug(label, value);
        self.shown
            .push((format!("{label} {{}}"), value.to_string()));
    }

    /// An error and its whole source chain.
    fn error(&mut self, label: &str, error: &(dyn std::error::Error + 'static)) {
        let mut next = Some(error);
        let mut depth = 0;
        while let Some(e) = next {
            self.both(&format!("{label} source {depth}"), e);
            next = e.source();
            depth += 1;
        }
    }

    fn rejected<T: 'static>(&mut self, label: &str, rejected: &Rejected<T>) {
        self.error(label, rejected);
    }

    fn step(&mut self, label: &str, step: &SignInStep) {
        self.debug(label, step);
        if let SignInStep::Done(tokens) = step {
            self.tokens(label, tokens);
        }
    }

    fn check(&self, log: &str) {
        let mut texts: Vec<(&str, &str)> = self
            .shown
            .iter()
            .map(|(l, t)| (l.as_str(), t.as_str()))
            .collect();
        texts.push(("the log", log));
        for canary in &self.canaries {
            for (label, text) in &texts {
                assert!(
                    !holds(text, canary),
                    "{canary:?} leaked into {label}:\n{text}"
                );
            }
        }
    }
}

/// Whether `text` holds `canary`; a canary of digits (a code) only where it
/// stands alone, not inside a longer number (a timestamp).
fn holds(text: &str, canary: &str) -> bool {
    if !canary.bytes().all(|b| b.is_ascii_digit()) {
        return text.contains(canary);
    }
    text.match_indices(canary).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + canary.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// --------------------------------------------------------------- the test

#[test]
fn no_flow_leaks_a_secret_into_values_errors_or_logs() {
    use tracing_subscriber::fmt::format::FmtSpan;

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .without_time()
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let mut audit = Audit::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        mock_flows(&mut audit).await;
        pool_flows(&mut audit).await;
        sdk_flows(&mut audit).await;
    });

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The log is there and covers the flows.
    for span in [
        "cognito_mfa.sign_in.initiate",
        "cognito_mfa.sign_in.respond",
        "cognito_mfa.sign_in.refresh",
        "cognito_mfa.enroll.start",
        "cognito_mfa.enroll.verify",
        "cognito_mfa.enroll.verify_associated",
        "software token associated",
        r#"outcome="retry""#,
        r#"outcome="error""#,
        r#"outcome="tokens""#,
        r#"outcome="verified""#,
    ] {
        assert!(log.contains(span), "the log lacks {span}:\n{log}");
    }
    assert!(
        audit.canaries.len() > 60,
        "{} canaries",
        audit.canaries.len()
    );
    assert!(audit.shown.len() > 300, "{} values", audit.shown.len());
    audit.check(&log);
}

// ----------------------------------------------------------- mock flows

fn service(operation: Operation, code: &str, message: &str) -> Error {
    Error::from_service(operation, ServiceError::new(code, message))
}

fn respond_error(code: &str, message: &str) -> Error {
    service(Operation::RespondToAuthChallenge, code, message)
}

fn challenge(name: &str, session: &str, params: &[(&str, &str)]) -> AuthResponse {
    let mut parameters: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    parameters.insert("USER_ID_FOR_SRP".to_owned(), CANONICAL.to_owned());
    AuthResponse::challenge(
        ChallengeName::parse(name),
        Some(Session::new(session)),
        parameters,
    )
}

fn canary_tokens() -> AuthResponse {
    AuthResponse::tokens(
        AuthTokens::new(AccessToken::new(ACCESS), Duration::from_secs(3600))
            .with_id_token(Some(IdToken::new(ID)))
            .with_refresh_token(Some(RefreshToken::new(REFRESH))),
    )
}

fn code_is(r: &RespondToAuthChallengeRequest, key: &str, code: &str) -> bool {
    r.responses.get(key) == Some(code)
}

fn mock_sign_in(mock: MockCognitoBackend, audit: &mut Audit) -> SignIn {
    let builder = SignIn::admin(mock, POOL, CLIENT).client_secret(ClientSecret::new(CLIENT_SECRET));
    audit.debug("SignInBuilder", &builder);
    let sign_in = builder.build().unwrap();
    audit.debug("SignIn", &sign_in);
    sign_in
}

fn password_answers(mock: &mut MockCognitoBackend, answer: AuthResponse) {
    mock.expect_initiate_auth()
        .withf(|r: &InitiateAuthRequest| r.parameters.get("PASSWORD") == Some(PASSWORD))
        .times(1)
        .returning(move |_| Ok(answer.clone()));
}

fn expect_respond(
    mock: &mut MockCognitoBackend,
    session: &'static str,
    check: impl Fn(&RespondToAuthChallengeRequest) -> bool + Send + Sync + 'static,
    answer: impl Fn() -> Result<AuthResponse, Error> + Send + Sync + 'static,
) {
    mock.expect_respond_to_auth_challenge()
        .withf(move |r| r.session.as_ref().map(|s| s.expose_secret()) == Some(session) && check(r))
        .times(1)
        .returning(move |_| answer());
}

fn totp_mock_challenge(step: SignInStep) -> cognito_mfa::sign_in::TotpChallenge {
    match step {
        SignInStep::TotpRequired(c) => c,
        other => panic!("expected SOFTWARE_TOKEN_MFA, got {other:?}"),
    }
}

async fn mock_flows(audit: &mut Audit) {
    for canary in [
        CLIENT_SECRET,
        PASSWORD,
        NEW_PASSWORD,
        WEAK_PASSWORD,
        S1,
        S2,
        S3,
        S4,
        S5,
        S6,
        ACCESS,
        ID,
        REFRESH,
        ACCESS2,
        ID2,
        CODE_OK,
        CODE_WRONG,
        CODE_REUSED,
        CODE_MALFORMED,
        CODE_SMS,
        CODE_EMAIL,
        WEBAUTHN_PARAM,
        WEBAUTHN_ANSWER,
    ] {
        audit.canary(canary);
    }
    audit.secret(&TotpSecret::new(TOTP_SECRET));
    audit.hashes(
        &ClientSecret::new(CLIENT_SECRET),
        &[ALIAS, CANONICAL],
        CLIENT,
    );

    mock_password(audit).await;
    mock_totp(audit).await;
    mock_mfa_setup(audit).await;
    mock_new_password(audit).await;
    mock_select_and_codes(audit).await;
    mock_unsupported_and_refresh(audit).await;
    mock_saved(audit).await;
    mock_enrollment(audit).await;
    mock_admin_and_preflight(audit).await;
}

async fn mock_password(audit: &mut Audit) {
    let mut mock = MockCognitoBackend::new();
    password_answers(&mut mock, canary_tokens());
    mock.expect_initiate_auth()
        .withf(|r| r.parameters.get("PASSWORD") == Some(NEW_PASSWORD))
        .times(1)
        .returning(|_| {
            Err(service(
                Operation::InitiateAuth,
                "NotAuthorizedException",
                "Incorrect username or password.",
            ))
        });
    let sign_in = mock_sign_in(mock, audit);
    let step = sign_in.password(ALIAS, &Password::new(PASSWORD)).await;
    audit.step("password ok", step.as_ref().unwrap());
    let err = sign_in
        .password(ALIAS, &Password::new(NEW_PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials));
    audit.error("password wrong", &err);
}

async fn mock_totp(audit: &mut Audit) {
    let key = "SOFTWARE_TOKEN_MFA_CODE";
    let mut mock = MockCognitoBackend::new();
    password_answers(
        &mut mock,
        challenge(
            "SOFTWARE_TOKEN_MFA",
            S1,
            &[("FRIENDLY_DEVICE_NAME", "Alice's phone")],
        ),
    );
    expect_respond(
        &mut mock,
        S1,
        move |r| code_is(r, key, CODE_WRONG),
        || {
            Err(respond_error(
                "CodeMismatchException",
                "Invalid code received for user",
            ))
        },
    );
    expect_respond(
        &mut mock,
        S1,
        move |r| code_is(r, key, CODE_REUSED),
        || {
            Err(respond_error(
                "ExpiredCodeException",
                "Your software token has already been used once.",
            ))
        },
    );
    expect_respond(
        &mut mock,
        S1,
        move |r| code_is(r, key, CODE_OK),
        || Ok(canary_tokens()),
    );
    // An expired Session, whose message echoes the Session and the code.
    expect_respond(
        &mut mock,
        S2,
        |_| true,
        || {
            Err(respond_error(
                "NotAuthorizedException",
                &format!("Invalid session for the user, session is expired: {S2} {CODE_OK}"),
            ))
        },
    );
    // A time-out after sending.
    expect_respond(
        &mut mock,
        S3,
        |_| true,
        || {
            Err(Error::Transport(TransportError::new(
                TransportKind::TimedOut,
                Operation::RespondToAuthChallenge,
                "operation timeout occurred after 3s",
            )))
        },
    );
    // A code mismatch whose message echoes the code.
    expect_respond(
        &mut mock,
        S4,
        |_| true,
        || {
            Err(respond_error(
                "CodeMismatchException",
                &format!("Invalid code {CODE_WRONG} received for user"),
            ))
        },
    );
    let sign_in = mock_sign_in(mock, audit);

    let step = sign_in
        .password(ALIAS, &Password::new(PASSWORD))
        .await
        .unwrap();
    audit.step("TOTP challenge", &step);
    let c = totp_mock_challenge(step);
    audit.debug("TOTP device name", &c.friendly_device_name());
    let rejected = c.answer(&sign_in, CODE_MALFORMED).await.unwrap_err();
    audit.rejected("TOTP malformed", &rejected);
    let c = rejected.retry().unwrap();
    let rejected = c.answer(&sign_in, CODE_WRONG).await.unwrap_err();
    audit.rejected("TOTP wrong", &rejected);
    let c = rejected.retry().unwrap();
    let rejected = c.answer(&sign_in, CODE_REUSED).await.unwrap_err();
    audit.rejected("TOTP reused", &rejected);
    let c = rejected.retry().unwrap();
    let step = c.answer(&sign_in, CODE_OK).await.unwrap();
    audit.step("TOTP ok", &step);

    for (session, code, label) in [
        (S2, CODE_OK, "TOTP expired session"),
        (S3, CODE_OK, "TOTP time-out"),
        (S4, CODE_WRONG, "TOTP mismatch echo"),
    ] {
        let c = totp_mock_challenge(
            sign_in
                .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(session), CANONICAL)
                .unwrap(),
        );
        audit.debug(label, &c);
        let rejected = c.answer(&sign_in, code).await.unwrap_err();
        audit.rejected(label, &rejected);
        audit.debug(label, &rejected.into_parts());
    }
}

async fn mock_mfa_setup(audit: &mut Audit) {
    let mut mock = MockCognitoBackend::new();
    password_answers(
        &mut mock,
        challenge(
            "MFA_SETUP",
            S1,
            &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)],
        ),
    );
    mock.expect_associate_software_token()
        .withf(|a| matches!(a, TokenAuth::Session(s) if s.expose_secret() == S1))
        .times(1)
        .returning(|_| {
            Ok(AssociatedSoftwareToken::new(
                TotpSecret::new(TOTP_SECRET),
                Some(Session::new(S2)),
            ))
        });
    mock.expect_verify_software_token()
        .withf(|_, code, _| code.expose_secret() == CODE_WRONG)
        .times(1)
        .returning(|_, _, _| {
            Err(service(
                Operation::VerifySoftwareToken,
                "EnableSoftwareTokenMFAException",
                "Code mismatch and fail enable Software Token MFA",
            ))
        });
    mock.expect_verify_software_token()
        .withf(|a, code, _| {
            matches!(a, TokenAuth::Session(s) if s.expose_secret() == S2)
                && code.expose_secret() == CODE_OK
        })
        .times(1)
        .returning(|_, _, _| {
            Ok(VerifiedSoftwareToken::new(
                VerifyStatus::Success,
                Some(Session::new(S3)),
            ))
        });
    expect_respond(&mut mock, S3, |_| true, || Ok(canary_tokens()));
    let sign_in = mock_sign_in(mock, audit);
    let step = sign_in
        .password(ALIAS, &Password::new(PASSWORD))
        .await
        .unwrap();
    audit.step("MFA_SETUP", &step);
    let SignInStep::MfaSetupRequired(c) = step else {
        panic!()
    };
    audit.debug("MFA_SETUP can set up", &c.can_set_up());
    let setup = c
        .start_totp(
            &sign_in,
            MfaEnrollment::new("Leak Corp").device_name("Alice's phone"),
        )
        .await
        .unwrap();
    audit.debug("PendingMfaSetup", &setup);
    audit.debug("PendingMfaSetup enrollment", setup.enrollment());
    let rejected = setup.verify(&sign_in, CODE_WRONG).await.unwrap_err();
    audit.rejected("MFA_SETUP wrong", &rejected);
    let setup = rejected.retry().unwrap();
    let step = setup.verify(&sign_in, CODE_OK).await.unwrap();
    audit.step("MFA_SETUP done", &step);
}

async fn mock_new_password(audit: &mut Audit) {
    let mut mock = MockCognitoBackend::new();
    password_answers(
        &mut mock,
        challenge(
            "NEW_PASSWORD_REQUIRED",
            S1,
            &[
                ("requiredAttributes", r#"["userAttributes.name"]"#),
                ("userAttributes", r#"{"email":"alice@example.com"}"#),
            ],
        ),
    );
    expect_respond(
        &mut mock,
        S1,
        |r| r.responses.get("NEW_PASSWORD") == Some(WEAK_PASSWORD),
        || {
            Err(respond_error(
                "InvalidPasswordException",
                "Password does not conform to policy: Password must have symbol characters",
            ))
        },
    );
    expect_respond(
        &mut mock,
        S1,
        |r| r.responses.get("NEW_PASSWORD") == Some(NEW_PASSWORD),
        || Ok(canary_tokens()),
    );
    let sign_in = mock_sign_in(mock, audit);
    let step = sign_in
        .password(ALIAS, &Password::new(PASSWORD))
        .await
        .unwrap();
    audit.step("NEW_PASSWORD_REQUIRED", &step);
    let SignInStep::NewPasswordRequired(c) = step else {
        panic!()
    };
    audit.debug("required", &c.required_attributes());
    audit.debug("attributes", &c.user_attributes());
    let rejected = c
        .answer(&sign_in, &Password::new(NEW_PASSWORD), &[])
        .await
        .unwrap_err();
    audit.rejected("NEW_PASSWORD missing attribute", &rejected);
    let c = rejected.retry().unwrap();
    let attrs = [("name", "Alice")];
    let rejected = c
        .answer(&sign_in, &Password::new(WEAK_PASSWORD), &attrs)
        .await
        .unwrap_err();
    assert!(matches!(rejected.error(), Error::PasswordPolicy(_)));
    audit.rejected("NEW_PASSWORD policy", &rejected);
    let c = rejected.retry().unwrap();
    let step = c
        .answer(&sign_in, &Password::new(NEW_PASSWORD), &attrs)
        .await
        .unwrap();
    audit.step("NEW_PASSWORD done", &step);
}

async fn mock_select_and_codes(audit: &mut Audit) {
    let mut mock = MockCognitoBackend::new();
    password_answers(
        &mut mock,
        challenge(
            "SELECT_MFA_TYPE",
            S1,
            &[("MFAS_CAN_CHOOSE", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)],
        ),
    );
    expect_respond(
        &mut mock,
        S1,
        |r| r.responses.get("ANSWER") == Some("SOFTWARE_TOKEN_MFA"),
        || Ok(challenge("SOFTWARE_TOKEN_MFA", S2, &[])),
    );
    expect_respond(
        &mut mock,
        S2,
        |r| code_is(r, "SOFTWARE_TOKEN_MFA_CODE", CODE_OK),
        || Ok(canary_tokens()),
    );
    for (session, key, code) in [
        (S5, "SMS_MFA_CODE", CODE_SMS),
        (S6, "EMAIL_OTP_CODE", CODE_EMAIL),
    ] {
        expect_respond(
            &mut mock,
            session,
            move |r| code_is(r, key, CODE_OK),
            || {
                Err(respond_error(
                    "CodeMismatchException",
                    "Invalid code or auth state for the user.",
                ))
            },
        );
        expect_respond(
            &mut mock,
            session,
            move |r| code_is(r, key, code),
            || Ok(canary_tokens()),
        );
    }
    let sign_in = mock_sign_in(mock, audit);
    let step = sign_in
        .password(ALIAS, &Password::new(PASSWORD))
        .await
        .unwrap();
    audit.step("SELECT_MFA_TYPE", &step);
    let SignInStep::SelectMfaType(c) = step else {
        panic!()
    };
    audit.debug("choices", &c.choices());
    let rejected = c.choose(&sign_in, MfaFactor::Email).await.unwrap_err();
    audit.rejected("SELECT not offered", &rejected);
    let c = rejected.retry().unwrap();
    let step = c.choose(&sign_in, MfaFactor::SoftwareToken).await.unwrap();
    audit.step("SELECT chose TOTP", &step);
    let step = totp_mock_challenge(step)
        .answer(&sign_in, CODE_OK)
        .await
        .unwrap();
    audit.step("SELECT done", &step);

    for (name, session, code) in [("SMS_MFA", S5, CODE_SMS), ("EMAIL_OTP", S6, CODE_EMAIL)] {
        let step = sign_in
            .resume_parts(name, Session::new(session), CANONICAL)
            .unwrap();
        audit.step(name, &step);
        let SignInStep::CodeRequired(c) = step else {
            panic!()
        };
        audit.debug(name, &(c.factor(), c.destination(), c.medium()));
        let rejected = c.answer(&sign_in, CODE_OK).await.unwrap_err();
        audit.rejected(name, &rejected);
        let c = rejected.retry().unwrap();
        let step = c.answer(&sign_in, code).await.unwrap();
        audit.step(name, &step);
    }
}

async fn mock_unsupported_and_refresh(audit: &mut Audit) {
    let mut mock = MockCognitoBackend::new();
    password_answers(
        &mut mock,
        // A challenge the crate does not model (WEB_AUTHN now has its own step).
        challenge(
            "CUSTOM_CHALLENGE",
            S1,
            &[("CREDENTIAL_REQUEST_OPTIONS", WEBAUTHN_PARAM)],
        ),
    );
    expect_respond(
        &mut mock,
        S1,
        |r| r.responses.get("CREDENTIAL") == Some(WEBAUTHN_ANSWER),
        || Ok(canary_tokens()),
    );
    mock.expect_initiate_auth()
        .withf(|r| {
            r.flow == AuthFlow::RefreshToken && r.parameters.get("REFRESH_TOKEN") == Some(REFRESH)
        })
        .times(1)
        .returning(|_| {
            Ok(AuthResponse::tokens(
                AuthTokens::new(AccessToken::new(ACCESS2), Duration::from_secs(3600))
                    .with_id_token(Some(IdToken::new(ID2))),
            ))
        });
    mock.expect_initiate_auth()
        .withf(|r| {
            r.flow == AuthFlow::RefreshToken && r.parameters.get("REFRESH_TOKEN") == Some(ACCESS2)
        })
        .times(1)
        .returning(|_| {
            Err(service(
                Operation::InitiateAuth,
                "NotAuthorizedException",
                "Invalid Refresh Token",
            ))
        });
    let sign_in = mock_sign_in(mock, audit);
    let step = sign_in
        .password(ALIAS, &Password::new(PASSWORD))
        .await
        .unwrap();
    audit.step("unsupported", &step);
    let SignInStep::Unsupported(c) = step else {
        panic!()
    };
    audit.debug(
        "unsupported names",
        &c.parameter_names().collect::<Vec<_>>(),
    );
    audit.error("unsupported error", &c.to_error());
    let step = c
        .respond_raw(
            &sign_in,
            Parameters::new().with("CREDENTIAL", WEBAUTHN_ANSWER),
        )
        .await
        .unwrap();
    audit.step("unsupported answered", &step);

    let t = sign_in
        .refresh(&RefreshToken::new(REFRESH), Some(CANONICAL))
        .await
        .unwrap();
    audit.tokens("refreshed", &t);
    let err = sign_in
        .refresh(&RefreshToken::new(ACCESS2), Some(CANONICAL))
        .await
        .unwrap_err();
    audit.error("refresh refused", &err);
}

async fn mock_saved(audit: &mut Audit) {
    let mut mock = MockCognitoBackend::new();
    password_answers(
        &mut mock,
        challenge(
            "SOFTWARE_TOKEN_MFA",
            S6,
            &[("FRIENDLY_DEVICE_NAME", "Alice's phone")],
        ),
    );
    expect_respond(
        &mut mock,
        S6,
        |r| code_is(r, "SOFTWARE_TOKEN_MFA_CODE", CODE_OK),
        || Ok(canary_tokens()),
    );
    let sign_in = mock_sign_in(mock, audit);
    let step = sign_in
        .password(ALIAS, &Password::new(PASSWORD))
        .await
        .unwrap();
    let saved = step.into_saved().unwrap();
    audit.debug("SavedChallenge", &saved);
    audit.debug("SavedChallenge parameters", saved.parameters());
    // The JSON holds the Session by design: it is what a store keeps. It is
    // not checked for canaries.
    let json = serde_json::to_string(&saved).unwrap();
    assert!(json.contains(S6));
    let back: SavedChallenge = serde_json::from_str(&json).unwrap();
    audit.debug("SavedChallenge back", &back);
    let step = sign_in.resume(back).unwrap();
    audit.step("resumed", &step);
    let step = totp_mock_challenge(step)
        .answer(&sign_in, CODE_OK)
        .await
        .unwrap();
    audit.step("resumed done", &step);
}

async fn mock_enrollment(audit: &mut Audit) {
    let mut mock = MockCognitoBackend::new();
    mock.expect_associate_software_token()
        .withf(|a| matches!(a, TokenAuth::AccessToken(t) if t.expose_secret() == ACCESS))
        .times(2)
        .returning(|_| {
            Ok(AssociatedSoftwareToken::new(
                TotpSecret::new(TOTP_SECRET),
                None,
            ))
        });
    let verify = |code: &'static str, answer: fn() -> Result<VerifiedSoftwareToken, Error>| {
        move |mock: &mut MockCognitoBackend| {
            mock.expect_verify_software_token()
                .withf(move |_, c, _| c.expose_secret() == code)
                .returning(move |_, _, _| answer());
        }
    };
    verify(CODE_WRONG, || {
        Err(service(
            Operation::VerifySoftwareToken,
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
        ))
    })(&mut mock);
    verify(CODE_REUSED, || {
        Err(service(
            Operation::VerifySoftwareToken,
            "ExpiredCodeException",
            "Your software token has already been used once.",
        ))
    })(&mut mock);
    verify(CODE_OK, || {
        Ok(VerifiedSoftwareToken::new(VerifyStatus::Success, None))
    })(&mut mock);
    // The preference: once fine, once refused.
    let mut seq = mockall::Sequence::new();
    mock.expect_set_user_mfa_preference()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    mock.expect_set_user_mfa_preference()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| {
            Err(service(
                Operation::SetUserMfaPreference,
                "InvalidParameterException",
                "User has not verified software token mfa",
            ))
        });

    let enrollment = MfaEnrollment::new("Leak Corp")
        .account_name(ALIAS)
        .device_name("Alice's phone");
    audit.debug("MfaEnrollment", &enrollment);
    let pending = enrollment
        .clone()
        .start_with_access_token(&mock, AccessToken::new(ACCESS))
        .await
        .unwrap();
    audit.debug("PendingEnrollment", &pending);
    audit.both("issuer", pending.issuer());
    audit.both("account", pending.account_name());
    for (code, label) in [
        (CODE_MALFORMED, "enroll malformed"),
        (CODE_WRONG, "enroll wrong"),
        (CODE_REUSED, "enroll reused"),
    ] {
        let pending_again = pending.clone();
        let rejected = pending_again.verify(&mock, code).await.unwrap_err();
        audit.rejected(label, &rejected);
        assert!(rejected.retry().is_some(), "{label}");
    }
    let enrolled = pending.verify(&mock, CODE_OK).await.unwrap();
    audit.debug("Enrolled", &enrolled);

    // Verified, but the preference call fails.
    let pending = enrollment
        .start_with_access_token(&mock, AccessToken::new(ACCESS))
        .await
        .unwrap();
    let rejected = pending.verify(&mock, CODE_OK).await.unwrap_err();
    audit.rejected("enroll preference failure", &rejected);
    assert!(rejected.retry().is_none());

    // The stateless path, on the MFA_SETUP Session.
    let mut mock = MockCognitoBackend::new();
    mock.expect_verify_software_token()
        .withf(|a, c, _| {
            matches!(a, TokenAuth::Session(s) if s.expose_secret() == S2)
                && c.expose_secret() == CODE_OK
        })
        .times(1)
        .returning(|_, _, _| {
            Ok(VerifiedSoftwareToken::new(
                VerifyStatus::Success,
                Some(Session::new(S3)),
            ))
        });
    let enrolled = MfaEnrollment::new("Leak Corp")
        .verify_associated(&mock, TokenAuth::Session(Session::new(S2)), CODE_OK)
        .await
        .unwrap();
    audit.debug("Enrolled with Session", &enrolled);
    audit.debug("TokenAuth", &TokenAuth::Session(Session::new(S2)));
    audit.debug(
        "TokenAuth",
        &TokenAuth::AccessToken(AccessToken::new(ACCESS)),
    );
}

async fn mock_admin_and_preflight(audit: &mut Audit) {
    let settings = |status| {
        let mut v = UserMfaSettings::new(CANONICAL.to_owned());
        v.enabled = vec![MfaFactor::SoftwareToken];
        v.preferred = Some(MfaFactor::SoftwareToken);
        v.status = status;
        v.account_enabled = Some(true);
        v
    };
    let mut mock = MockCognitoBackend::new();
    mock.expect_get_user_mfa_settings()
        .returning(move |user| match user {
            UserTarget::AccessToken(t) if t.expose_secret() == ACCESS => Ok(settings(None)),
            UserTarget::AccessToken(_) => Err(service(
                Operation::GetUser,
                "NotAuthorizedException",
                "Invalid Access Token",
            )),
            UserTarget::Admin { .. } => Ok(settings(Some(UserStatus::Confirmed))),
        });
    mock.expect_set_user_mfa_preference()
        .returning(|_, _| Ok(()));
    mock.expect_admin_delete_software_token().returning(|_, _| {
        Err(service(
            Operation::AdminDeleteSoftwareToken,
            "UserNotFoundException",
            "User does not exist.",
        ))
    });
    mock.expect_get_user_pool_mfa_config()
        .returning(|_| Ok(PoolMfaConfig::new(PoolMfaMode::On, true)));
    mock.expect_set_user_pool_mfa_config()
        .returning(|_, config| Ok(config));
    mock.expect_describe_user_pool_client().returning(|_, _| {
        Ok({
            let mut v = AppClient::new(CLIENT.to_owned());
            v.client_name = Some("leak".to_owned());
            v.client_secret = Some(ClientSecret::new(CLIENT_SECRET));
            v.explicit_auth_flows = vec!["ALLOW_USER_PASSWORD_AUTH".to_owned()];
            v.auth_session_validity = Some(Duration::from_secs(300));
            v
        })
    });
    mock.expect_describe_user_pool()
        .returning(|_| Ok(cognito_mfa::backend::UserPoolDescription::new()));
    let access = AccessToken::new(ACCESS);
    let prefer = FactorPreference {
        enabled: true,
        preferred: true,
    };
    audit.debug(
        "mfa_status",
        &admin::mfa_status(&mock, &access).await.unwrap(),
    );
    let err = admin::mfa_status(&mock, &AccessToken::new(ACCESS2))
        .await
        .unwrap_err();
    audit.error("mfa_status refused", &err);
    audit.debug(
        "admin_mfa_status",
        &admin::admin_mfa_status(&mock, POOL, CANONICAL)
            .await
            .unwrap(),
    );
    admin::set_totp_preference(&mock, &access, prefer)
        .await
        .unwrap();
    admin::admin_set_totp_preference(&mock, POOL, CANONICAL, prefer)
        .await
        .unwrap();
    let err = admin::admin_reset_totp(&mock, POOL, CANONICAL)
        .await
        .unwrap_err();
    audit.error("admin_reset_totp", &err);
    let report = preflight::check(&mock, POOL, CLIENT, &[AuthFlow::AdminUserPassword])
        .await
        .unwrap();
    audit.both("preflight report", &report);
    for finding in &report.findings {
        audit.both("finding", finding);
    }
    let enabled = preflight::enable_totp(&mock, POOL, PoolMfaMode::Optional)
        .await
        .unwrap();
    audit.debug("enable_totp", &enabled);
    use cognito_mfa::CognitoBackend as _;
    let client = mock
        .describe_user_pool_client(POOL.to_owned(), CLIENT.to_owned())
        .await
        .unwrap();
    audit.debug("AppClient", &client);
}

// ----------------------------------------------------------- pool flows

/// Ten seconds into a TOTP step.
const T0: u64 = 1_700_000_020;
const STEP: Duration = Duration::from_secs(30);
const POOL_PASSWORD: &str = "POOLPWCANARY-Corr3ct!";
const POOL_TEMP_PASSWORD: &str = "POOLTEMPCANARY-Tmp0!";
const POOL_NEW_PASSWORD: &str = "POOLNEWCANARY-N3w-Pw!";
const POOL_WEAK_PASSWORD: &str = "poolweakcanary";
const BOGUS_SESSION: &str = "POOLSESSIONCANARY-0123456789";
const BOGUS_TOKEN: &str = "POOLTOKENCANARY-0123456789";

struct PoolWorld {
    pool: InMemoryPool,
    clock: ManualClock,
    sign_in: SignIn,
    client_id: String,
}

impl PoolWorld {
    /// Saves the step, stores it as JSON and resumes it, collecting its
    /// Session as a canary.
    fn through_store(&self, audit: &mut Audit, label: &str, step: SignInStep) -> SignInStep {
        audit.step(label, &step);
        let saved = step.into_saved().expect("a challenge");
        audit.canary(saved.session().expose_secret());
        audit.debug(label, &saved);
        let json = serde_json::to_string(&saved).unwrap();
        assert!(json.contains(saved.session().expose_secret()), "by design");
        let step = self
            .sign_in
            .resume(serde_json::from_str(&json).unwrap())
            .unwrap();
        audit.step(label, &step);
        step
    }

    fn code(&self, audit: &mut Audit, app: &Authenticator) -> OneTimeCode {
        let code = app.code_for_clock(&self.clock);
        audit.canary(code.expose_secret());
        code
    }

    /// A six-digit code that is not `code`, nor the neighbouring steps'.
    fn wrong(&self, audit: &mut Audit, app: &Authenticator) -> String {
        let now = self.clock.now();
        let taken: Vec<String> = [now - STEP, now, now + STEP]
            .iter()
            .map(|t| app.code_at(*t).expose_secret().to_owned())
            .collect();
        let wrong = (0..)
            .map(|n: u32| format!("{:06}", (n * 7_919 + 13) % 1_000_000))
            .find(|c| !taken.contains(c))
            .unwrap();
        audit.canary(wrong.clone());
        wrong
    }

    async fn password(&self, audit: &mut Audit, name: &str, password: &str) -> SignInStep {
        audit.canary(password);
        let step = self
            .sign_in
            .password(name, &Password::new(password))
            .await
            .unwrap();
        audit.step(name, &step);
        step
    }

    /// Enrolls `name` with TOTP from an access token; the clock then moves
    /// to the next step.
    async fn enroll(&self, audit: &mut Audit, name: &str, after: AfterVerify) -> Authenticator {
        let SignInStep::Done(t) = self.password(audit, name, POOL_PASSWORD).await else {
            panic!("{name} has a factor already")
        };
        let pending = MfaEnrollment::new("Leak Corp")
            .device_name(format!("{name}'s phone"))
            .after_verify(after)
            .start_with_access_token(&self.pool, t.access_token)
            .await
            .unwrap();
        audit.debug("PendingEnrollment", &pending);
        audit.secret(pending.secret());
        audit.secret(&self.pool.user_secret(name).unwrap());
        let app = Authenticator::new(pending.secret()).unwrap();
        audit.debug("Authenticator", &app);
        let rejected = pending
            .verify(&self.pool, CODE_MALFORMED)
            .await
            .unwrap_err();
        audit.rejected("pool enroll malformed", &rejected);
        let wrong = self.wrong(audit, &app);
        let rejected = rejected
            .retry()
            .unwrap()
            .verify(&self.pool, &wrong)
            .await
            .unwrap_err();
        audit.rejected("pool enroll wrong", &rejected);
        let code = self.code(audit, &app);
        let enrolled = rejected
            .retry()
            .unwrap()
            .verify(&self.pool, code.expose_secret())
            .await
            .unwrap();
        audit.debug("Enrolled", &enrolled);
        self.clock.advance(STEP);
        app
    }
}

fn totp(step: SignInStep) -> cognito_mfa::sign_in::TotpChallenge {
    totp_mock_challenge(step)
}

/// `SdkBackend` against a local server that echoes what it was sent: in its
/// error messages, and (answers of 200) the Session and tokens of a real
/// answer. The SDK's own events at TRACE, inside the library's spans, are
/// in the log the test reads.
async fn sdk_flows(audit: &mut Audit) {
    use crate::common::http::{Answer, Server, plain_config};

    const SDK_PASSWORD: &str = "SDKPASSWORDCANARY-9f3a";
    const SDK_SESSION: &str = "SDKSESSIONCANARY-0123456789abcdefghij";
    const SDK_CODE: &str = "271828";
    const SDK_ACCESS: &str = "SDKACCESSCANARY-eyJraWQ";
    for canary in [SDK_PASSWORD, SDK_SESSION, SDK_CODE, SDK_ACCESS] {
        audit.canary(canary);
    }
    // Every request's body echoed in the message: everything it carried.
    let echo = Server::start(|body| {
        Answer::cognito_error(400, "ResourceNotFoundException", body, "req-echo")
    })
    .await;
    let backend = cognito_mfa::SdkBackend::from_conf(&plain_config(&echo.endpoint).await);
    let sign_in = SignIn::public(backend, "sdkclient").build().unwrap();
    let err = sign_in
        .password("alice", &Password::new(SDK_PASSWORD))
        .await
        .unwrap_err();
    audit.error("sdk: echoed password", &err);
    let step = sign_in
        .resume_parts("SOFTWARE_TOKEN_MFA", Session::new(SDK_SESSION), "alice")
        .unwrap();
    let SignInStep::TotpRequired(c) = step else {
        panic!("a TOTP challenge");
    };
    let rejected = c.answer(&sign_in, SDK_CODE).await.unwrap_err();
    audit.rejected("sdk: echoed code and Session", &rejected);

    // A good answer: the Session, then tokens, in bodies the SDK parses.
    let answers = Server::start(|body| {
        if body.contains("SOFTWARE_TOKEN_MFA_CODE") {
            Answer::json(&serde_json::json!({
                "AuthenticationResult": {
                    "AccessToken": SDK_ACCESS, "ExpiresIn": 3600, "TokenType": "Bearer"
                }
            }))
        } else {
            Answer::json(&serde_json::json!({
                "ChallengeName": "SOFTWARE_TOKEN_MFA",
                "Session": SDK_SESSION,
                "ChallengeParameters": { "USERNAME": "alice" }
            }))
        }
    })
    .await;
    let backend = cognito_mfa::SdkBackend::from_conf(&plain_config(&answers.endpoint).await);
    let sign_in = SignIn::public(backend, "sdkclient").build().unwrap();
    let step = sign_in
        .password("alice", &Password::new(SDK_PASSWORD))
        .await
        .unwrap();
    audit.debug("sdk: challenge", &step);
    let SignInStep::TotpRequired(c) = step else {
        panic!("a TOTP challenge");
    };
    let done = c.answer(&sign_in, SDK_CODE).await.unwrap();
    audit.debug("sdk: tokens", &done);
}

async fn pool_flows(audit: &mut Audit) {
    for canary in [
        POOL_PASSWORD,
        POOL_TEMP_PASSWORD,
        POOL_NEW_PASSWORD,
        POOL_WEAK_PASSWORD,
        BOGUS_SESSION,
        BOGUS_TOKEN,
    ] {
        audit.canary(canary);
    }
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(T0));
    let pool = InMemoryPool::with_clock(clock.clone());
    pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
    audit.debug("InMemoryPool", &pool);
    let client = pool
        .create_client(ClientOptions::new().generate_secret(true))
        .unwrap();
    audit.debug("AppClient", &client);
    let secret = client.client_secret.clone().unwrap();
    audit.canary(secret.expose_secret());
    let names = ["alice", ALIAS, "carol", "dave", "erin", "fred"];
    audit.hashes(&secret, &names, &client.client_id);
    for name in ["alice", "carol", "erin", "fred"] {
        pool.create_user(name, POOL_PASSWORD).unwrap();
    }
    pool.set_user_attribute("alice", "email", ALIAS).unwrap();
    pool.admin_create_user("dave", POOL_TEMP_PASSWORD).unwrap();
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .client_secret(secret.clone())
        .build()
        .unwrap();
    audit.debug("SignIn", &sign_in);
    let w = PoolWorld {
        pool,
        clock,
        sign_in,
        client_id: client.client_id.clone(),
    };

    // Password: wrong, unknown user, right.
    for (name, password, label) in [
        ("alice", POOL_NEW_PASSWORD, "pool wrong password"),
        ("nobody", POOL_PASSWORD, "pool unknown user"),
    ] {
        let err = w
            .sign_in
            .password(name, &Password::new(password))
            .await
            .unwrap_err();
        audit.error(label, &err);
    }

    // Enrollment, then TOTP at sign-in: reused, wrong, expired, right.
    let app = w.enroll(audit, "alice", AfterVerify::EnableAndPrefer).await;
    let earlier = app.code_at(w.clock.now() - STEP);
    audit.canary(earlier.expose_secret());
    let step = w.password(audit, ALIAS, POOL_PASSWORD).await;
    let c = totp(w.through_store(audit, "pool TOTP", step));
    let rejected = c
        .answer(&w.sign_in, earlier.expose_secret())
        .await
        .unwrap_err();
    assert!(matches!(rejected.error(), Error::CodeAlreadyUsed));
    audit.rejected("pool TOTP reused", &rejected);
    let wrong = w.wrong(audit, &app);
    let rejected = rejected
        .retry()
        .unwrap()
        .answer(&w.sign_in, &wrong)
        .await
        .unwrap_err();
    audit.rejected("pool TOTP wrong", &rejected);
    let code = w.code(audit, &app);
    let step = rejected
        .retry()
        .unwrap()
        .answer(&w.sign_in, code.expose_secret())
        .await
        .unwrap();
    audit.step("pool TOTP ok", &step);
    let alice_tokens = step.into_tokens().unwrap();

    w.clock.advance(STEP);
    let step = w.password(audit, "alice", POOL_PASSWORD).await;
    let c = totp(w.through_store(audit, "pool TOTP expiring", step));
    w.clock.advance(Duration::from_secs(181));
    let code = w.code(audit, &app);
    let rejected = c
        .answer(&w.sign_in, code.expose_secret())
        .await
        .unwrap_err();
    assert!(matches!(rejected.error(), Error::SessionExpired));
    audit.rejected("pool TOTP expired", &rejected);

    // MFA_SETUP on an ON pool.
    w.pool
        .set_mfa_config(PoolMfaConfig::new(PoolMfaMode::On, true));
    let step = w.password(audit, "carol", POOL_PASSWORD).await;
    let SignInStep::MfaSetupRequired(c) = w.through_store(audit, "pool MFA_SETUP", step) else {
        panic!()
    };
    let setup = c
        .start_totp(&w.sign_in, MfaEnrollment::new("Leak Corp"))
        .await
        .unwrap();
    audit.debug("pool PendingMfaSetup", &setup);
    audit.secret(setup.enrollment().secret());
    let carol = Authenticator::new(setup.enrollment().secret()).unwrap();
    let wrong = w.wrong(audit, &carol);
    let rejected = setup.verify(&w.sign_in, &wrong).await.unwrap_err();
    audit.rejected("pool MFA_SETUP wrong", &rejected);
    let code = w.code(audit, &carol);
    let step = rejected
        .retry()
        .unwrap()
        .verify(&w.sign_in, code.expose_secret())
        .await
        .unwrap();
    audit.step("pool MFA_SETUP done", &step);
    w.pool
        .set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));

    // NEW_PASSWORD_REQUIRED: refused by the policy, then set.
    let step = w.password(audit, "dave", POOL_TEMP_PASSWORD).await;
    let SignInStep::NewPasswordRequired(c) = w.through_store(audit, "pool NEW_PASSWORD", step)
    else {
        panic!()
    };
    let rejected = c
        .answer(&w.sign_in, &Password::new(POOL_WEAK_PASSWORD), &[])
        .await
        .unwrap_err();
    assert!(matches!(rejected.error(), Error::PasswordPolicy(_)));
    audit.rejected("pool NEW_PASSWORD policy", &rejected);
    let step = rejected
        .retry()
        .unwrap()
        .answer(&w.sign_in, &Password::new(POOL_NEW_PASSWORD), &[])
        .await
        .unwrap();
    audit.step("pool NEW_PASSWORD done", &step);

    // SELECT_MFA_TYPE between TOTP and SMS, then an SMS code.
    w.enroll(audit, "erin", AfterVerify::EnableOnly).await;
    w.pool.enable_sms_mfa("erin").unwrap();
    let step = w.password(audit, "erin", POOL_PASSWORD).await;
    let SignInStep::SelectMfaType(c) = w.through_store(audit, "pool SELECT", step) else {
        panic!()
    };
    let step = c.choose(&w.sign_in, MfaFactor::Sms).await.unwrap();
    let SignInStep::CodeRequired(c) = w.through_store(audit, "pool SMS", step) else {
        panic!()
    };
    let sms = w.pool.last_delivered_code("erin").unwrap();
    audit.canary(sms.expose_secret());
    let wrong = format!(
        "{:06}",
        (sms.expose_secret().parse::<u32>().unwrap() + 1) % 1_000_000
    );
    audit.canary(wrong.clone());
    let rejected = c.answer(&w.sign_in, &wrong).await.unwrap_err();
    audit.rejected("pool SMS wrong", &rejected);
    let step = rejected
        .retry()
        .unwrap()
        .answer(&w.sign_in, sms.expose_secret())
        .await
        .unwrap();
    audit.step("pool SMS done", &step);

    // EMAIL_OTP.
    w.pool.enable_email_mfa("fred").unwrap();
    let step = w.password(audit, "fred", POOL_PASSWORD).await;
    let SignInStep::CodeRequired(c) = w.through_store(audit, "pool EMAIL", step) else {
        panic!()
    };
    let email = w.pool.last_delivered_code("fred").unwrap();
    audit.canary(email.expose_secret());
    let step = c.answer(&w.sign_in, email.expose_secret()).await.unwrap();
    audit.step("pool EMAIL done", &step);

    // An unsupported challenge rebuilt from parts, on a Session the pool
    // does not know.
    let step = w
        .sign_in
        .resume_parts("CUSTOM_CHALLENGE", Session::new(BOGUS_SESSION), "alice")
        .unwrap();
    audit.step("pool unsupported", &step);
    let SignInStep::Unsupported(c) = step else {
        panic!()
    };
    let err = c
        .respond_raw(
            &w.sign_in,
            Parameters::new().with("CREDENTIAL", BOGUS_TOKEN),
        )
        .await
        .unwrap_err();
    audit.error("pool unsupported refused", &err);

    // Refresh: right and wrong.
    let refresh = alice_tokens.refresh_token.clone().unwrap();
    let t = w.sign_in.refresh(&refresh, Some("alice")).await.unwrap();
    audit.tokens("pool refreshed", &t);
    let err = w
        .sign_in
        .refresh(&RefreshToken::new(BOGUS_TOKEN), Some("alice"))
        .await
        .unwrap_err();
    audit.error("pool refresh refused", &err);

    // Admin and preflight.
    let access = alice_tokens.access_token.clone();
    let prefer = FactorPreference {
        enabled: true,
        preferred: true,
    };
    audit.debug(
        "pool mfa_status",
        &admin::mfa_status(&w.pool, &access).await.unwrap(),
    );
    let err = admin::mfa_status(&w.pool, &AccessToken::new(BOGUS_TOKEN))
        .await
        .unwrap_err();
    audit.error("pool mfa_status refused", &err);
    admin::set_totp_preference(&w.pool, &access, prefer)
        .await
        .unwrap();
    let pool_id = w.pool.pool_id().to_owned();
    audit.debug(
        "pool admin_mfa_status",
        &admin::admin_mfa_status(&w.pool, &pool_id, "erin")
            .await
            .unwrap(),
    );
    admin::admin_set_totp_preference(&w.pool, &pool_id, "erin", prefer)
        .await
        .unwrap();
    admin::admin_reset_totp(&w.pool, &pool_id, "erin")
        .await
        .unwrap();
    let err = admin::admin_reset_totp(&w.pool, &pool_id, "nobody")
        .await
        .unwrap_err();
    audit.error("pool admin_reset_totp refused", &err);
    let report = preflight::check(
        &w.pool,
        &pool_id,
        &w.client_id,
        &[AuthFlow::AdminUserPassword, AuthFlow::UserSrp],
    )
    .await
    .unwrap();
    assert!(report.client_has_secret);
    audit.both("pool preflight", &report);
    use cognito_mfa::CognitoBackend as _;
    let described = w
        .pool
        .describe_user_pool_client(pool_id.clone(), w.client_id.clone())
        .await
        .unwrap();
    audit.debug("pool AppClient", &described);
    audit.debug("pool client secret", &w.pool.client_secret(&w.client_id));

    // A wrong SECRET_HASH: a client configured with another secret.
    let other = SignIn::admin(w.pool.clone(), &pool_id, &w.client_id)
        .client_secret(ClientSecret::new("OTHERSECRETCANARY0123456789"))
        .build()
        .unwrap();
    audit.canary("OTHERSECRETCANARY0123456789");
    audit.hashes(
        &ClientSecret::new("OTHERSECRETCANARY0123456789"),
        &["alice"],
        &w.client_id,
    );
    let err = other
        .password("alice", &Password::new(POOL_PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHashMismatch), "{err:?}");
    audit.error("pool secret hash", &err);
}
