//! Whole flows with canary secrets; no freed block may hold one.

use crate::scan::{self, Hit};
use cognito_mfa::backend::AppClient;
use cognito_mfa::backend::{
    AssociatedSoftwareToken, AuthResponse, AuthTokens, ChallengeName, CognitoBackend,
    InitiateAuthRequest, MfaPreferenceUpdate, PoolMfaConfig, PoolMfaMode,
    RespondToAuthChallengeRequest, TokenAuth, UserMfaSettings, UserTarget, VerifiedSoftwareToken,
    VerifyStatus,
};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::testing::{
    Authenticator, ClientOptions, InMemoryPool, ManualClock, ScriptedBackend,
};
use cognito_mfa::{
    AccessToken, AfterVerify, Error, IdToken, MfaEnrollment, Operation, Password, RefreshToken,
    ServiceError, Session, TotpSecret,
};
use secrecy::SecretString;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

// Canaries. The TOTP secrets are random base32 (no English text that could
// match something else by chance): 52 characters as Cognito sends, and 32
// in lower case with spaces as moto and people do.
const SECRET: &str = "UVG4UGBFGC5R23ITFTPNMI33F3MR4P3SD7FRS4IXISKNMSJ4TVOA";
const SETUP_SECRET: &str = "grql 4mja dzu7 5wva 53ul tgl7 lr6c tgp5";
const PASSWORD: &str = "Pw-CANARY-q7Zk2#vX9m";
// No two share ten consecutive characters, so a hit names the right one.
const ACCESS: &str = "eyJraWQiOiJxN1oifQ.YWNjZXNz.c2lnLWE";
const ID: &str = "eyJzdWIiOiJ4In0.aWQtdG9rZW4.c2lnLWk";
const REFRESH: &str = "eyJjdHkiOiJKV1QifQ.cmVmcmVzaA.c2lnLXI";
const SESSIONS: [&str; 5] = [
    "AYABeHg9Qx0Wm3Lp-session-1",
    "AYABeKf8Zr4Tq7Vd-session-2",
    "AYABeLp2Nc6Hv1Ws-session-3",
    "AYABeMd5Jw8Ys4Qe-session-4",
    "AYABeNb7Ge3Ku9Rt-session-5",
];
const CODE: &str = "918273";
const WRONG_CODE: &str = "564738";
const SMS_CODE: &str = "20468135";

/// `value` in a `String` with spare capacity, as text read from a socket,
/// a form or a JSON body usually is.
fn roomy(value: &str) -> String {
    let mut s = String::with_capacity(value.len() * 4);
    s.push_str(value);
    s
}

/// A TOTP secret as canaries: as sent, canonical, as the setup key groups
/// it, and its key bytes.
fn totp_secret_canaries(label: &str, sent: &str) {
    scan::paused(|| {
        let canonical: String = sent
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let grouped = canonical
            .as_bytes()
            .chunks(4)
            .map(|g| String::from_utf8_lossy(g).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let bytes = totp_rs::Secret::try_from_base32(&canonical)
            .expect("canary secrets are base32")
            .as_bytes()
            .to_vec();
        if canonical != sent {
            scan::secret_text(&format!("{label} (as sent)"), sent);
        }
        scan::secret_text(&format!("{label} (canonical)"), &canonical);
        scan::canary(&format!("{label} (setup key)"), grouped.as_bytes(), 10);
        scan::canary(&format!("{label} (key bytes)"), &bytes, 8);
    });
}

fn code_canary(code: &str) {
    scan::paused(|| scan::canary(&format!("code {code}"), code.as_bytes(), code.len()));
}

fn assert_no_hits(hits: &[Hit]) {
    if hits.is_empty() {
        return;
    }
    let mut report = format!("{} freed block(s) held a canary:\n", hits.len());
    for hit in hits {
        report.push_str(&format!(
            "- {} in a block of {} bytes\n",
            hit.canary, hit.block_size
        ));
    }
    if let Some(trace) = hits.iter().find_map(|h| h.backtrace.as_ref()) {
        report.push_str(&format!("first freed at:\n{trace}"));
    }
    panic!("{report}");
}

fn challenge(name: &str, session: &str, params: &[(&str, &str)]) -> Result<AuthResponse, Error> {
    Ok(AuthResponse::challenge(
        ChallengeName::parse(name),
        Some(Session::new(roomy(session))),
        params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    ))
}

fn tokens() -> Result<AuthResponse, Error> {
    Ok(AuthResponse::tokens(
        AuthTokens::new(AccessToken::new(roomy(ACCESS)), Duration::from_secs(3600))
            .with_id_token(Some(IdToken::new(roomy(ID))))
            .with_refresh_token(Some(RefreshToken::new(roomy(REFRESH)))),
    ))
}

/// Scripted answers carry the canaries in `String`s with spare capacity,
/// as the SDK backend's come from a parsed response; every value is known
/// before the flow, so everything from the first call on is scanned.
#[tokio::test]
async fn scripted_flows_leave_no_plain_copy_in_freed_memory() {
    scan::start();
    scan::paused(|| {
        scan::secret_text("the password", PASSWORD);
        scan::secret_text("the access token", ACCESS);
        scan::secret_text("the ID token", ID);
        scan::secret_text("the refresh token", REFRESH);
        for (i, s) in SESSIONS.iter().enumerate() {
            scan::secret_text(&format!("Session {}", i + 1), s);
        }
    });
    totp_secret_canaries("the TOTP secret", SECRET);
    totp_secret_canaries("the MFA_SETUP secret", SETUP_SECRET);
    for code in [CODE, WRONG_CODE, SMS_CODE] {
        code_canary(code);
    }

    let backend = Arc::new(ScriptedBackend::new());
    let sign_in = SignIn::public(backend.clone(), "client1234567890")
        .build()
        .unwrap();

    // Enrollment with an access token: a malformed code, a wrong one, the
    // right one typed with a space.
    backend.push_associate(Ok(AssociatedSoftwareToken::new(
        TotpSecret::new(roomy(SECRET)),
        None,
    )));
    backend.push_verify(Ok(VerifiedSoftwareToken::new(VerifyStatus::Error, None)));
    backend.push_verify(Ok(VerifiedSoftwareToken::new(VerifyStatus::Success, None)));
    let pending = MfaEnrollment::new("Example App")
        .account_name("alice@example.com")
        .device_name("Alice's phone")
        .after_verify(AfterVerify::LeavePreference)
        .start_with_access_token(&*backend, AccessToken::new(roomy(ACCESS)))
        .await
        .unwrap();
    assert!(pending.uri().contains(SECRET));
    assert!(pending.setup_key().starts_with("UVG4 UGBF"));
    drop(pending.qr_svg().unwrap());
    drop(pending.qr_png().unwrap());
    drop(pending.qr_terminal().unwrap());
    let pending = pending
        .verify(&*backend, "918273 000000")
        .await
        .unwrap_err()
        .retry()
        .expect("a malformed code keeps the enrollment");
    let pending = pending
        .verify(&*backend, WRONG_CODE)
        .await
        .unwrap_err()
        .retry()
        .expect("a wrong code keeps the enrollment");
    pending.verify(&*backend, "918 273").await.unwrap();

    // Sign-in, TOTP: a wrong code, then the right one.
    backend.push_auth(challenge(
        "SOFTWARE_TOKEN_MFA",
        SESSIONS[0],
        &[("FRIENDLY_DEVICE_NAME", "Alice's phone")],
    ));
    backend.push_auth(Err(Error::from_service(
        Operation::RespondToAuthChallenge,
        ServiceError::new("CodeMismatchException", "Invalid code received for user"),
    )));
    backend.push_auth(tokens());
    let password = Password::new(roomy(PASSWORD));
    let SignInStep::TotpRequired(totp) = sign_in.password("alice", &password).await.unwrap() else {
        panic!("expected SOFTWARE_TOKEN_MFA");
    };
    let totp = totp
        .answer(&sign_in, WRONG_CODE)
        .await
        .unwrap_err()
        .retry()
        .expect("a wrong code keeps the challenge");
    let step = totp.answer(&sign_in, "918 273").await.unwrap();
    assert!(matches!(step, SignInStep::Done(_)));
    drop(step);

    // Sign-in, MFA_SETUP: enrollment with the challenge's Session.
    backend.push_auth(challenge(
        "MFA_SETUP",
        SESSIONS[1],
        &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)],
    ));
    backend.push_associate(Ok(AssociatedSoftwareToken::new(
        TotpSecret::new(roomy(SETUP_SECRET)),
        Some(Session::new(roomy(SESSIONS[2]))),
    )));
    backend.push_verify(Ok(VerifiedSoftwareToken::new(
        VerifyStatus::Success,
        Some(Session::new(roomy(SESSIONS[3]))),
    )));
    backend.push_auth(tokens());
    let SignInStep::MfaSetupRequired(setup) = sign_in.password("alice", &password).await.unwrap()
    else {
        panic!("expected MFA_SETUP");
    };
    let setup = setup
        .start_totp(&sign_in, MfaEnrollment::new("Example App"))
        .await
        .unwrap();
    assert!(setup.enrollment().setup_key().starts_with("GRQL 4MJA"));
    let step = setup.verify(&sign_in, CODE).await.unwrap();
    assert!(matches!(step, SignInStep::Done(_)));
    drop(step);

    // Sign-in, SMS_MFA: the code typed in two groups.
    backend.push_auth(challenge(
        "SMS_MFA",
        SESSIONS[4],
        &[
            ("CODE_DELIVERY_DESTINATION", "+*******1234"),
            ("CODE_DELIVERY_DELIVERY_MEDIUM", "SMS"),
        ],
    ));
    backend.push_auth(tokens());
    let SignInStep::CodeRequired(sms) = sign_in.password("alice", &password).await.unwrap() else {
        panic!("expected SMS_MFA");
    };
    let step = sms.answer(&sign_in, "2046 8135").await.unwrap();
    assert!(matches!(step, SignInStep::Done(_)));
    drop(step);

    assert_eq!(backend.auth_left(), 0);
    drop(password);
    drop(sign_in);
    drop(backend);
    assert_no_hits(&scan::finish());
}

/// The in-memory pool is test code and keeps plain copies as it likes, so
/// its own work (every poll of its futures, and dropping them) is not
/// scanned; everything else is, and each secret it hands out becomes a
/// canary the moment it crosses into the library.
#[tokio::test]
async fn in_memory_pool_flow_leaves_no_plain_copy_in_freed_memory() {
    let clock = ManualClock::starting_now();
    let pool = InMemoryPool::with_clock(clock.clone());
    pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
    let client = pool.create_client(ClientOptions::new()).unwrap();
    pool.create_user("alice", PASSWORD).unwrap();

    scan::start();
    scan::paused(|| scan::secret_text("the password", PASSWORD));
    let backend = Watched(pool.clone());
    let sign_in = SignIn::admin(backend.clone(), pool.pool_id(), &client.client_id)
        .clock(clock.clone())
        .build()
        .unwrap();
    let password = Password::new(roomy(PASSWORD));
    let tokens = sign_in
        .password("alice", &password)
        .await
        .unwrap()
        .into_tokens()
        .expect("no MFA yet");

    let pending = MfaEnrollment::new("Example App")
        .device_name("Alice's phone")
        .start_with_access_token(&backend, tokens.access_token)
        .await
        .unwrap();
    assert!(scan::has_canary("the TOTP secret (canonical)"));
    let phone = Authenticator::new(pending.secret()).unwrap();
    let code = phone.code_for_clock(&clock);
    code_canary(code.expose_secret());
    pending
        .verify(&backend, code.expose_secret())
        .await
        .unwrap();

    clock.advance(Duration::from_secs(30));
    let SignInStep::TotpRequired(totp) = sign_in.password("alice", &password).await.unwrap() else {
        panic!("expected SOFTWARE_TOKEN_MFA");
    };
    let code = phone.code_for_clock(&clock);
    code_canary(code.expose_secret());
    let step = totp.answer(&sign_in, code.expose_secret()).await.unwrap();
    assert!(matches!(step, SignInStep::Done(_)));

    drop((step, code, phone, password, sign_in, backend));
    let hits = scan::finish();
    drop(pool);
    assert_no_hits(&hits);
}

/// Verifying a token (feature `verify`) leaves no copy of it in freed
/// memory: neither its text nor its decoded signature, which with the
/// payload would give the token back.
#[tokio::test]
async fn verifying_a_token_leaves_no_copy_of_it_in_freed_memory() {
    use base64::Engine as _;
    use cognito_mfa::verify::{TokenError, TokenVerifier};

    let clock = ManualClock::starting_now();
    let pool = InMemoryPool::with_clock(clock.clone());
    let client = pool.create_client(ClientOptions::new()).unwrap();
    pool.create_user("alice", PASSWORD).unwrap();
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .clock(clock.clone())
        .build()
        .unwrap();
    let tokens = sign_in
        .password("alice", &Password::new(PASSWORD))
        .await
        .unwrap()
        .into_tokens()
        .unwrap();
    let verifier = TokenVerifier::builder(pool.pool_id(), [&client.client_id])
        .keys_from_json(pool.jwks_json())
        .clock(clock.clone())
        .build()
        .unwrap();
    let id = tokens.id_token.clone().unwrap();
    let (message, signature) = id.expose_secret().rsplit_once('.').unwrap();
    let forged = IdToken::new(format!("{message}.{}", &signature[..signature.len() - 4]) + "AAAA");

    scan::start();
    scan::paused(|| {
        for (label, token) in [
            ("the ID token", id.expose_secret()),
            ("the access token", tokens.access_token.expose_secret()),
            ("the forged token", forged.expose_secret()),
        ] {
            scan::secret_text(label, token);
            let signature = token.rsplit('.').next().unwrap();
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(signature)
                .unwrap();
            scan::canary(&format!("{label}'s signature"), &bytes, 16);
        }
    });
    let claims = verifier.verify_id_token(&id).await.unwrap();
    let access = verifier
        .verify_access_token(&tokens.access_token)
        .await
        .unwrap();
    let refused = verifier.verify_id_token(&forged).await.unwrap_err();
    assert_eq!(refused, TokenError::BadSignature);
    drop((claims, access, refused));
    let hits = scan::finish();
    drop((tokens, id, forged, verifier, sign_in, pool));
    assert_no_hits(&hits);
}

/// The scanner finds what it is meant to, so a pass means something: a
/// plain `String` dropped with the canary, and the reallocation
/// `SecretString::from(String)` makes of a string with spare capacity
/// (secrecy 0.10 calls `into_boxed_str`, which shrinks it and frees the old
/// buffer as it is). Zeroized buffers are not hits. Its canary is its own,
/// so the copies it leaves on purpose are no other test's business.
#[test]
fn the_scanner_finds_plain_copies_and_only_those() {
    const CANARY: &str = "SELFTEST-CANARY-zq81Lk";
    let watch = || {
        scan::start();
        scan::paused(|| scan::secret_text("the canary", CANARY));
    };
    watch();
    drop(std::hint::black_box(CANARY.to_owned()));
    let hits = scan::finish();
    assert_eq!(hits.len(), 1, "{hits:?}");

    watch();
    drop(std::hint::black_box(SecretString::from(roomy(CANARY))));
    let hits = scan::finish();
    assert_eq!(hits.len(), 1, "secrecy's realloc: {hits:?}");

    watch();
    drop(std::hint::black_box(SecretString::from(CANARY)));
    drop(std::hint::black_box(zeroize::Zeroizing::new(roomy(CANARY))));
    drop(std::hint::black_box(Password::new(roomy(CANARY))));
    drop(std::hint::black_box(Password::from(CANARY)));
    assert_no_hits(&scan::finish());
}

/// The pool behind a door that pauses the scanner while the pool works and
/// registers every secret it hands out as a canary. Requests reach the pool
/// as clones, so the library's own values are freed where they are scanned.
#[derive(Clone)]
struct Watched(InMemoryPool);

/// Polls a future of the pool's with the scanner paused.
struct Paused<F>(F);

impl<F: Future + Unpin> Future for Paused<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        scan::paused(|| Pin::new(&mut self.0).poll(cx))
    }
}

async fn pool_call<F: Future + Unpin>(future: F) -> F::Output {
    let mut future = Paused(future);
    let output = (&mut future).await;
    scan::paused(move || drop(future));
    output
}

fn session_canary(session: Option<&Session>) {
    if let Some(s) = session {
        scan::paused(|| scan::secret_text("a Session from the pool", s.expose_secret()));
    }
}

fn auth_canaries(answer: &Result<AuthResponse, Error>) {
    let Ok(answer) = answer else { return };
    session_canary(answer.session.as_ref());
    if let Some(t) = &answer.tokens {
        scan::paused(|| {
            scan::secret_text("an access token", t.access_token.expose_secret());
            if let Some(id) = &t.id_token {
                scan::secret_text("an ID token", id.expose_secret());
            }
            if let Some(refresh) = &t.refresh_token {
                scan::secret_text("a refresh token", refresh.expose_secret());
            }
        });
    }
}

#[async_trait::async_trait]
impl CognitoBackend for Watched {
    async fn associate_software_token(
        &self,
        auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error> {
        let answer = pool_call(self.0.associate_software_token(auth.clone())).await;
        drop(auth);
        if let Ok(a) = &answer {
            totp_secret_canaries("the TOTP secret", a.secret_code.expose_secret());
            session_canary(a.session.as_ref());
        }
        answer
    }

    async fn verify_software_token(
        &self,
        auth: TokenAuth,
        code: cognito_mfa::OneTimeCode,
        friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error> {
        let answer = pool_call(self.0.verify_software_token(
            auth.clone(),
            code.clone(),
            friendly_device_name.clone(),
        ))
        .await;
        drop((auth, code, friendly_device_name));
        if let Ok(v) = &answer {
            session_canary(v.session.as_ref());
        }
        answer
    }

    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        let answer = pool_call(self.0.set_user_mfa_preference(user.clone(), update)).await;
        drop(user);
        answer
    }

    async fn get_user_mfa_settings(&self, user: UserTarget) -> Result<UserMfaSettings, Error> {
        let answer = pool_call(self.0.get_user_mfa_settings(user.clone())).await;
        drop(user);
        answer
    }

    async fn admin_delete_software_token(
        &self,
        user_pool_id: String,
        username: String,
    ) -> Result<(), Error> {
        pool_call(self.0.admin_delete_software_token(user_pool_id, username)).await
    }

    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        let answer = pool_call(self.0.initiate_auth(request.clone())).await;
        drop(request);
        auth_canaries(&answer);
        answer
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        let answer = pool_call(self.0.respond_to_auth_challenge(request.clone())).await;
        drop(request);
        auth_canaries(&answer);
        answer
    }

    async fn get_user_pool_mfa_config(&self, user_pool_id: String) -> Result<PoolMfaConfig, Error> {
        pool_call(self.0.get_user_pool_mfa_config(user_pool_id)).await
    }

    async fn set_user_pool_mfa_config(
        &self,
        user_pool_id: String,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        pool_call(self.0.set_user_pool_mfa_config(user_pool_id, config)).await
    }

    async fn describe_user_pool_client(
        &self,
        user_pool_id: String,
        client_id: String,
    ) -> Result<AppClient, Error> {
        pool_call(self.0.describe_user_pool_client(user_pool_id, client_id)).await
    }
}
