#![cfg(all(feature = "test-util", feature = "serde", feature = "mock"))]
//! USER_SRP_AUTH sign-in (`SignIn::password_srp`) against a script: what is
//! sent at each step, that PASSWORD_VERIFIER is answered by the library and
//! never reaches the person, the TIMESTAMP from the injected clock, the
//! typed errors for what the service may send, and that no password or SRP
//! value reaches a saved challenge, `Debug` or an error.
//!
//! That the claim is *right* (a real SRP server accepts it) is proven by the
//! unit tests in `src/srp/` against the module's server side and by the
//! pycognito cross-check; here the script stands in for Cognito.

use crate::common::canary::{CANARY_PASSWORD, CLIENT_SECRET, assert_no_canary};
use cognito_mfa::backend::{
    Api, AuthFlow, AuthResponse, AuthTokens, ChallengeName, InitiateAuthRequest,
    RespondToAuthChallengeRequest,
};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::testing::{Decision, Intercept, ManualClock, ScriptedBackend, SeenRequest};
use cognito_mfa::{
    AccessToken, ClientSecret, Error, Field, MockCognitoBackend, Operation, Password, Recovery,
    Session, secret_hash,
};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

const POOL: &str = "us-east-1_MfaPool42";
const CLIENT: &str = "client1234567890abc";
/// What the person typed: an alias.
const ALIAS: &str = "alice@example.com";
/// The canonical user name Cognito names the user by (ChallengeParameters USERNAME).
const CANONICAL: &str = "alice";
/// What the proof is over (moto: the sub; Cognito: the same as USERNAME).
const SRP_ID: &str = "9b2d7c4e-1111-4222-8333-944455556666";
const SALT: &str = "36ef01c6dde9fe503da333b1acc758ba";
const SESSION_PV: &str = "SESSION-PV-0123456789abcdefghij";
const SESSION_TOTP: &str = "SESSION-TOTP-0123456789abcdefgh";
/// Real Cognito's SECRET_BLOCK is base64, about 1.5 KB.
const SECRET_BLOCK: &str = "U0VDUkVUQkxPQ0stY2FuYXJ5LWJhc2U2NC1ibG9jay0wMTIzNDU2Nzg5YWJjZGVm";
/// 1 December 2026, 01:46:10 UTC: a one-digit day.
const DEC_1: u64 = 1_796_089_570;
/// 10 December 2026, 09:05:03 UTC: a two-digit day.
const DEC_10: u64 = 1_796_893_503;
/// RFC 5054's 3072-bit prime, as SRP_B: ≡ 0 (mod N).
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

// ---------------------------------------------------------------- helpers

/// A full-size SRP_B that is not ≡ 0: any value in [1, N) will do for a
/// script (the claim is checked against a real server in the unit tests).
fn srp_b() -> String {
    format!("7{}", "ab".repeat(383))
}

fn b_with(params: &[(&str, &str)], without: &[&str]) -> BTreeMap<String, String> {
    params
        .iter()
        .filter(|(k, _)| !without.contains(k))
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// PASSWORD_VERIFIER as Cognito sends it, with `changes` applied and the
/// parameters in `without` left out.
fn password_verifier(changes: &[(&str, &str)], without: &[&str]) -> AuthResponse {
    let b = srp_b();
    let mut params: Vec<(&str, &str)> = vec![
        ("SALT", SALT),
        ("SRP_B", &b),
        ("SECRET_BLOCK", SECRET_BLOCK),
        ("USER_ID_FOR_SRP", SRP_ID),
        ("USERNAME", CANONICAL),
    ];
    for (k, v) in changes {
        match params.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v,
            None => params.push((k, v)),
        }
    }
    AuthResponse::challenge(
        ChallengeName::PasswordVerifier,
        Some(Session::new(SESSION_PV)),
        b_with(&params, without),
    )
}

fn totp_challenge() -> AuthResponse {
    AuthResponse::challenge(
        ChallengeName::SoftwareTokenMfa,
        Some(Session::new(SESSION_TOTP)),
        b_with(&[("FRIENDLY_DEVICE_NAME", "Alice's phone")], &[]),
    )
}

fn tokens() -> AuthResponse {
    AuthResponse::tokens(AuthTokens::new(
        AccessToken::new("ACCESS-after-srp"),
        Duration::from_secs(3600),
    ))
}

/// One sign-in call as the spy saw it, values included.
#[derive(Debug, Clone)]
struct Sent {
    operation: Operation,
    values: BTreeMap<String, String>,
}

/// A script behind a spy that keeps each call's parameter values.
struct Rig {
    script: Arc<ScriptedBackend>,
    sent: Arc<Mutex<Vec<Sent>>>,
    sign_in: SignIn,
}

#[derive(Clone, Copy, Debug)]
struct Setup {
    admin: bool,
    secret: bool,
}

const EVERY_SETUP: [Setup; 4] = [
    Setup {
        admin: true,
        secret: true,
    },
    Setup {
        admin: true,
        secret: false,
    },
    Setup {
        admin: false,
        secret: true,
    },
    Setup {
        admin: false,
        secret: false,
    },
];

impl Rig {
    fn new(setup: Setup, at: u64) -> Self {
        let script = Arc::new(ScriptedBackend::new());
        let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
        let log = sent.clone();
        let backend = Intercept::new(script.clone(), move |call| {
            if let Some(p) = call.parameters {
                log.lock().unwrap().push(Sent {
                    operation: call.operation,
                    values: p
                        .expose_all()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect(),
                });
            }
            Decision::Forward
        });
        let builder = if setup.admin {
            SignIn::admin(backend, POOL, CLIENT)
        } else {
            SignIn::public(backend, CLIENT).user_pool_id(POOL)
        };
        let builder = if setup.secret {
            builder.client_secret(ClientSecret::new(CLIENT_SECRET))
        } else {
            builder
        };
        let sign_in = builder
            .clock(ManualClock::new(UNIX_EPOCH + Duration::from_secs(at)))
            .build()
            .unwrap();
        Self {
            script,
            sent,
            sign_in,
        }
    }

    fn script(&self, answers: impl IntoIterator<Item = AuthResponse>) -> &Self {
        for answer in answers {
            self.script.push_auth(Ok(answer));
        }
        self
    }

    async fn sign_in(&self) -> Result<SignInStep, Error> {
        self.sign_in
            .password_srp(ALIAS, &Password::new(CANARY_PASSWORD))
            .await
    }

    fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    fn seen(&self) -> Vec<SeenRequest> {
        self.script.requests()
    }
}

fn names(seen: &SeenRequest) -> Vec<&str> {
    seen.parameter_names.iter().map(String::as_str).collect()
}

fn sorted(mut names: Vec<&str>) -> Vec<&str> {
    names.sort_unstable();
    names
}

fn with_secret_hash(secret: bool, names: &[&'static str]) -> Vec<&'static str> {
    let mut names = names.to_vec();
    if secret {
        names.push("SECRET_HASH");
    }
    sorted(names)
}

fn hash(name: &str) -> String {
    secret_hash(&ClientSecret::new(CLIENT_SECRET), name, CLIENT)
}

fn unexpected_what(error: &Error) -> &'static str {
    match error {
        Error::UnexpectedResponse { what, .. } => what,
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

fn srp_what(error: &Error) -> (Operation, &'static str) {
    match error {
        Error::Srp { operation, what } => (*operation, what),
        other => panic!("expected Error::Srp, got {other:?}"),
    }
}

fn initiate_op(setup: Setup) -> Operation {
    if setup.admin {
        Operation::AdminInitiateAuth
    } else {
        Operation::InitiateAuth
    }
}

fn respond_op(setup: Setup) -> Operation {
    if setup.admin {
        Operation::AdminRespondToAuthChallenge
    } else {
        Operation::RespondToAuthChallenge
    }
}

// ------------------------------------------------------------ the flow

/// USER_SRP_AUTH → PASSWORD_VERIFIER → SOFTWARE_TOKEN_MFA → tokens, on
/// both APIs, with and without a client secret: exactly what each request
/// carries, and the person sees only the TOTP step.
#[tokio::test]
async fn srp_sign_in_answers_password_verifier_and_hands_over_totp() {
    for setup in EVERY_SETUP {
        let rig = Rig::new(setup, DEC_10);
        rig.script([password_verifier(&[], &[]), totp_challenge(), tokens()]);
        let step = rig.sign_in().await.unwrap();
        let SignInStep::TotpRequired(challenge) = step else {
            panic!("{setup:?}: expected the TOTP step, got {step:?}");
        };
        assert_eq!(challenge.username(), CANONICAL, "{setup:?}");
        assert_eq!(challenge.friendly_device_name(), Some("Alice's phone"));

        let seen = rig.seen();
        assert_eq!(seen.len(), 2, "{setup:?}: {seen:?}");
        // InitiateAuth: USERNAME (as typed), SRP_A, SECRET_HASH over the typed name.
        assert_eq!(seen[0].operation, initiate_op(setup));
        assert_eq!(
            sorted(names(&seen[0])),
            with_secret_hash(setup.secret, &["SRP_A", "USERNAME"])
        );
        // PASSWORD_VERIFIER, answered by the library, with its Session.
        assert_eq!(seen[1].operation, respond_op(setup));
        assert_eq!(seen[1].challenge.as_deref(), Some("PASSWORD_VERIFIER"));
        assert!(seen[1].had_session);
        assert_eq!(
            sorted(names(&seen[1])),
            with_secret_hash(
                setup.secret,
                &[
                    "PASSWORD_CLAIM_SECRET_BLOCK",
                    "PASSWORD_CLAIM_SIGNATURE",
                    "TIMESTAMP",
                    "USERNAME"
                ]
            )
        );

        let sent = rig.sent();
        assert_eq!(sent[0].operation, initiate_op(setup));
        assert_eq!(sent[1].operation, respond_op(setup));
        let initiate = &sent[0].values;
        assert_eq!(initiate["USERNAME"], ALIAS);
        let a = &initiate["SRP_A"];
        assert!(
            a.len() > 700
                && !a.starts_with('0')
                && a.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
            "SRP_A is unpadded lowercase hex of a 3072-bit A: {a}"
        );
        let answer = &sent[1].values;
        assert_eq!(answer["PASSWORD_CLAIM_SECRET_BLOCK"], SECRET_BLOCK);
        assert_eq!(answer["TIMESTAMP"], "Thu Dec 10 09:05:03 UTC 2026");
        assert_eq!(answer["USERNAME"], CANONICAL);
        let signature = &answer["PASSWORD_CLAIM_SIGNATURE"];
        assert!(
            signature.len() == 44 && signature.ends_with('='),
            "base64 of 32 bytes: {signature}"
        );
        if setup.secret {
            assert_eq!(initiate["SECRET_HASH"], hash(ALIAS));
            assert_eq!(answer["SECRET_HASH"], hash(CANONICAL));
        }
        // No password on the wire, ever.
        for call in &sent {
            assert!(call.values.values().all(|v| !v.contains(CANARY_PASSWORD)));
        }

        // The TOTP step goes on like any other, with the canonical name.
        let done = challenge.answer(&rig.sign_in, "123456").await.unwrap();
        assert!(matches!(done, SignInStep::Done(_)), "{done:?}");
        let sent = rig.sent();
        assert_eq!(sent[2].values["USERNAME"], CANONICAL);
        assert_eq!(sent[2].values["SOFTWARE_TOKEN_MFA_CODE"], "123456");
        assert_eq!(rig.script.auth_left(), 0);
    }
}

/// The request's flow is USER_SRP_AUTH on the API the sign-in was built for.
#[tokio::test]
async fn srp_sign_in_uses_user_srp_auth_on_either_api() {
    for admin in [true, false] {
        let mut mock = MockCognitoBackend::new();
        let api = if admin { Api::admin(POOL) } else { Api::Public };
        let want = api.clone();
        mock.expect_initiate_auth()
            .withf(move |r: &InitiateAuthRequest| {
                r.flow == AuthFlow::UserSrp && r.api == want && r.client_id == CLIENT
            })
            .times(1)
            .returning(|_| Ok(password_verifier(&[], &[])));
        let want = api.clone();
        mock.expect_respond_to_auth_challenge()
            .withf(move |r: &RespondToAuthChallengeRequest| {
                r.challenge == ChallengeName::PasswordVerifier
                    && r.api == want
                    && r.session.as_ref().map(Session::expose_secret) == Some(SESSION_PV)
            })
            .times(1)
            .returning(|_| Ok(tokens()));
        let sign_in = if admin {
            SignIn::admin(mock, POOL, CLIENT)
        } else {
            SignIn::public(mock, CLIENT).user_pool_id(POOL)
        }
        .build()
        .unwrap();
        let step = sign_in
            .password_srp(ALIAS, &Password::new(CANARY_PASSWORD))
            .await
            .unwrap();
        assert!(matches!(step, SignInStep::Done(_)), "{step:?}");
    }
}

/// Whatever follows PASSWORD_VERIFIER comes out as the password flow's
/// steps do.
#[tokio::test]
async fn what_follows_password_verifier_is_the_persons_step() {
    let next = [
        (ChallengeName::MfaSetup, "MFA_SETUP"),
        (ChallengeName::NewPasswordRequired, "NEW_PASSWORD_REQUIRED"),
        (ChallengeName::SelectMfaType, "SELECT_MFA_TYPE"),
        (ChallengeName::SoftwareTokenMfa, "SOFTWARE_TOKEN_MFA"),
    ];
    for (name, wire) in next {
        let rig = Rig::new(EVERY_SETUP[3], DEC_10);
        let params = match name {
            ChallengeName::MfaSetup => {
                b_with(&[("MFAS_CAN_SETUP", "[\"SOFTWARE_TOKEN_MFA\"]")], &[])
            }
            ChallengeName::SelectMfaType => b_with(
                &[("MFAS_CAN_CHOOSE", "[\"SOFTWARE_TOKEN_MFA\",\"SMS_MFA\"]")],
                &[],
            ),
            ChallengeName::NewPasswordRequired => b_with(
                &[("userAttributes", "{}"), ("requiredAttributes", "[]")],
                &[],
            ),
            _ => BTreeMap::new(),
        };
        rig.script([
            password_verifier(&[], &[]),
            AuthResponse::challenge(name, Some(Session::new(SESSION_TOTP)), params),
        ]);
        let step = rig.sign_in().await.unwrap();
        assert_eq!(step.challenge_name(), Some(wire));
        let matched = match &step {
            SignInStep::MfaSetupRequired(c) => c.username() == CANONICAL,
            SignInStep::NewPasswordRequired(c) => c.username() == CANONICAL,
            SignInStep::SelectMfaType(c) => c.username() == CANONICAL,
            SignInStep::TotpRequired(c) => c.username() == CANONICAL,
            _ => false,
        };
        assert!(matched, "{wire}: {step:?}");
    }
    // And tokens straight away.
    let rig = Rig::new(EVERY_SETUP[0], DEC_10);
    rig.script([password_verifier(&[], &[]), tokens()]);
    let tokens = rig.sign_in().await.unwrap().into_tokens().unwrap();
    assert_eq!(tokens.access_token.expose_secret(), "ACCESS-after-srp");
}

/// Cognito may send PASSWORD_VERIFIER without a Session: the answer goes
/// without one.
#[tokio::test]
async fn password_verifier_without_a_session_is_answered_without_one() {
    let rig = Rig::new(EVERY_SETUP[2], DEC_10);
    let mut pv = password_verifier(&[], &[]);
    pv.session = None;
    rig.script([pv, tokens()]);
    assert!(matches!(rig.sign_in().await.unwrap(), SignInStep::Done(_)));
    let seen = rig.seen();
    assert_eq!(seen[1].challenge.as_deref(), Some("PASSWORD_VERIFIER"));
    assert!(!seen[1].had_session);
}

/// USERNAME in the answer is the canonical name: ChallengeParameters
/// USERNAME first (moto's USER_ID_FOR_SRP is the sub, not accepted there),
/// else USER_ID_FOR_SRP; SECRET_HASH over the same.
#[tokio::test]
async fn the_answer_names_the_user_canonically() {
    let rig = Rig::new(EVERY_SETUP[0], DEC_10);
    rig.script([password_verifier(&[], &["USERNAME"]), tokens()]);
    rig.sign_in().await.unwrap();
    let answer = &rig.sent()[1].values;
    assert_eq!(answer["USERNAME"], SRP_ID);
    assert_eq!(answer["SECRET_HASH"], hash(SRP_ID));
}

// -------------------------------------------------------------- TIMESTAMP

/// TIMESTAMP is the sign-in's clock in Cognito's format, day unpadded.
#[tokio::test]
async fn timestamp_comes_from_the_injected_clock() {
    let cases = [
        (DEC_1, "Tue Dec 1 01:46:10 UTC 2026"),
        (DEC_10, "Thu Dec 10 09:05:03 UTC 2026"),
        (1_739_212_212, "Mon Feb 10 18:30:12 UTC 2025"),
        (1_773_040_089, "Mon Mar 9 07:08:09 UTC 2026"),
    ];
    for (at, want) in cases {
        let rig = Rig::new(EVERY_SETUP[1], at);
        rig.script([password_verifier(&[], &[]), tokens()]);
        rig.sign_in().await.unwrap();
        assert_eq!(rig.sent()[1].values["TIMESTAMP"], want);
    }
}

// ---------------------------------------------------------- what is kept

/// A TOTP challenge reached over SRP saves with nothing of the password or
/// the SRP exchange in it, and resumes.
#[tokio::test]
async fn a_saved_challenge_after_srp_holds_no_srp_state() {
    let rig = Rig::new(EVERY_SETUP[2], DEC_10);
    rig.script([password_verifier(&[], &[]), totp_challenge(), tokens()]);
    let step = rig.sign_in().await.unwrap();
    let saved = step.into_saved().unwrap();
    let json = serde_json::to_string(&saved).unwrap();
    let sent = rig.sent();
    let srp_a = sent[0].values["SRP_A"].clone();
    let signature = sent[1].values["PASSWORD_CLAIM_SIGNATURE"].clone();
    for canary in [
        CANARY_PASSWORD,
        &srp_a,
        &srp_a[..64],
        &signature,
        SALT,
        &srp_b()[..64],
        SECRET_BLOCK,
        SESSION_PV,
        "SRP",
        "PASSWORD",
        "TIMESTAMP",
    ] {
        assert!(
            !json.contains(canary),
            "{canary} in the saved challenge: {json}"
        );
    }
    // What it does hold: the TOTP step's own state.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["challenge"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(value["session"], SESSION_TOTP);
    assert_eq!(value["username"], CANONICAL);

    let resumed = rig.sign_in.resume(saved).unwrap();
    let SignInStep::TotpRequired(challenge) = resumed else {
        panic!("expected the TOTP step, got {resumed:?}");
    };
    let done = challenge.answer(&rig.sign_in, "654321").await.unwrap();
    assert!(matches!(done, SignInStep::Done(_)));
}

/// A second PASSWORD_VERIFIER in the same sign-in is refused: the ephemeral
/// is spent by the first claim, and nothing more is sent.
#[tokio::test]
async fn a_second_password_verifier_is_refused() {
    let rig = Rig::new(EVERY_SETUP[0], DEC_10);
    rig.script([password_verifier(&[], &[]), password_verifier(&[], &[])]);
    let error = rig.sign_in().await.unwrap_err();
    assert!(
        unexpected_what(&error).contains("PASSWORD_VERIFIER"),
        "{error}"
    );
    assert!(matches!(
        error,
        Error::UnexpectedResponse {
            operation: Operation::AdminRespondToAuthChallenge,
            ..
        }
    ));
    let seen = rig.seen();
    assert_eq!(seen.len(), 2, "one claim only: {seen:?}");
}

/// After a TOTP step reached over SRP, a PASSWORD_VERIFIER is refused: the
/// pending challenge holds no SRP secrets to answer it with.
#[tokio::test]
async fn password_verifier_after_a_persons_step_is_refused() {
    let rig = Rig::new(EVERY_SETUP[3], DEC_10);
    rig.script([
        password_verifier(&[], &[]),
        totp_challenge(),
        password_verifier(&[], &[]),
    ]);
    let SignInStep::TotpRequired(challenge) = rig.sign_in().await.unwrap() else {
        panic!("expected the TOTP step");
    };
    let rejected = challenge.answer(&rig.sign_in, "123456").await.unwrap_err();
    assert!(matches!(
        rejected.error(),
        Error::UnexpectedResponse {
            operation: Operation::RespondToAuthChallenge,
            ..
        }
    ));
    assert_eq!(rig.seen().len(), 3);
}

// ------------------------------------------------- what the service sends

/// B ≡ 0 (mod N) (0, N, N in upper or lower case, -N) is refused before any
/// claim is sent, as a typed error.
#[tokio::test]
async fn a_degenerate_srp_b_is_refused() {
    let n_lower = N_HEX.to_lowercase();
    let minus_n = format!("-{N_HEX}");
    for b in ["0", "000", "-0", N_HEX, &n_lower, &minus_n] {
        for setup in [EVERY_SETUP[0], EVERY_SETUP[3]] {
            let rig = Rig::new(setup, DEC_10);
            rig.script([password_verifier(&[("SRP_B", b)], &[])]);
            let error = rig.sign_in().await.unwrap_err();
            let (operation, what) = srp_what(&error);
            assert_eq!(operation, initiate_op(setup));
            assert!(what.contains("SRP_B") && what.contains("zero"), "{what}");
            assert_eq!(error.kind(), "Srp");
            assert_eq!(error.recovery(), Recovery::Restart);
            assert_eq!(rig.seen().len(), 1, "nothing answered for B = {b:.8}");
        }
    }
}

/// Malformed SALT or SRP_B (not hex, over 3072 bits) and an empty
/// SECRET_BLOCK: a typed error naming the parameter, never its value.
#[tokio::test]
async fn malformed_srp_values_are_refused_by_name() {
    let huge = "1".repeat(769);
    let cases: [(&str, &str, &str); 6] = [
        ("SALT", "not-hex!", "SALT"),
        ("SALT", "0x1234", "SALT"),
        ("SRP_B", "12 34", "SRP_B"),
        ("SRP_B", &huge, "SRP_B"),
        ("SALT", &huge, "SALT"),
        ("SRP_B", "-", "SRP_B"),
    ];
    for (param, value, named) in cases {
        let rig = Rig::new(EVERY_SETUP[2], DEC_10);
        rig.script([password_verifier(&[(param, value)], &[])]);
        let error = rig.sign_in().await.unwrap_err();
        let (_, what) = srp_what(&error);
        assert!(what.contains(named), "{param}={value:.10}: {what}");
        if value.len() > 2 {
            assert!(!error.to_string().contains(value), "{error}");
        }
        assert_eq!(rig.seen().len(), 1);
    }
}

/// A negative SALT (Cognito has sent them) is read as a signed number and
/// answered: a crash there would tell an attacker the user doesn't exist.
#[tokio::test]
async fn a_negative_salt_is_answered() {
    let rig = Rig::new(EVERY_SETUP[0], DEC_1);
    rig.script([
        password_verifier(&[("SALT", "-16e48ee8d8e3e1a04ee2f0d1a2b3c4d5")], &[]),
        totp_challenge(),
    ]);
    let step = rig.sign_in().await.unwrap();
    assert!(matches!(step, SignInStep::TotpRequired(_)), "{step:?}");
    assert_eq!(
        rig.sent()[1].values["TIMESTAMP"],
        "Tue Dec 1 01:46:10 UTC 2026"
    );
}

/// moto's SECRET_BLOCK is a uuid, not base64: still answered, and echoed
/// exactly as received.
#[tokio::test]
async fn a_moto_secret_block_is_echoed_as_received() {
    let uuid = "1d2b7f2e-55aa-4c8e-9d4f-0f3a2b1c4d5e";
    let rig = Rig::new(EVERY_SETUP[3], DEC_10);
    rig.script([password_verifier(&[("SECRET_BLOCK", uuid)], &[]), tokens()]);
    rig.sign_in().await.unwrap();
    assert_eq!(rig.sent()[1].values["PASSWORD_CLAIM_SECRET_BLOCK"], uuid);
}

/// A PASSWORD_VERIFIER missing SALT, SRP_B, SECRET_BLOCK or
/// USER_ID_FOR_SRP (or with it empty) is a typed error, and nothing is
/// answered.
#[tokio::test]
async fn missing_challenge_parameters_are_typed_errors() {
    for missing in ["SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"] {
        for response in [
            password_verifier(&[], &[missing]),
            password_verifier(&[(missing, "")], &[]),
        ] {
            let rig = Rig::new(EVERY_SETUP[1], DEC_10);
            rig.script([response]);
            let error = rig.sign_in().await.unwrap_err();
            let what = unexpected_what(&error);
            assert!(what.contains(missing), "{missing}: {what}");
            assert!(matches!(
                error,
                Error::UnexpectedResponse {
                    operation: Operation::AdminInitiateAuth,
                    ..
                }
            ));
            assert_eq!(rig.seen().len(), 1);
        }
    }
}

// ------------------------------------------------------------ local checks

/// A public client without the pool id can't sign in over SRP: refused
/// before any call.
#[tokio::test]
async fn a_public_client_needs_the_pool_id() {
    let script = Arc::new(ScriptedBackend::new());
    let sign_in = SignIn::public(script.clone(), CLIENT).build().unwrap();
    let error = sign_in
        .password_srp(ALIAS, &Password::new(CANARY_PASSWORD))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(i) if i.field() == Field::UserPoolId),
        "{error:?}"
    );
    assert!(script.calls().is_empty());
}

/// The user name and password are checked as for the password flow.
#[tokio::test]
async fn input_is_checked_before_any_call() {
    let rig = Rig::new(EVERY_SETUP[0], DEC_10);
    let error = rig
        .sign_in
        .password_srp("", &Password::new(CANARY_PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(&error, Error::InvalidInput(i) if i.field() == Field::Username));
    let error = rig
        .sign_in
        .password_srp(ALIAS, &Password::new(""))
        .await
        .unwrap_err();
    assert!(matches!(&error, Error::InvalidInput(i) if i.field() == Field::Password));
    assert!(rig.seen().is_empty());
}

// ------------------------------------------------------------------ leaks

/// No step, saved challenge or error of an SRP sign-in shows the password
/// (or the SRP values) in `Debug` or `Display`.
#[tokio::test]
async fn nothing_of_the_password_reaches_debug_or_errors() {
    let mut texts = Vec::new();

    let rig = Rig::new(EVERY_SETUP[0], DEC_10);
    texts.push(format!("{:?}", rig.sign_in));
    rig.script([password_verifier(&[], &[]), totp_challenge()]);
    let step = rig.sign_in().await.unwrap();
    texts.push(format!("{step:?}"));
    let srp_a = rig.sent()[0].values["SRP_A"].clone();
    let signature = rig.sent()[1].values["PASSWORD_CLAIM_SIGNATURE"].clone();
    let saved = step.into_saved().unwrap();
    texts.push(format!("{saved:?}"));

    let mut errors = Vec::new();
    for response in [
        password_verifier(&[("SRP_B", "0")], &[]),
        password_verifier(&[("SALT", "zz")], &[]),
        password_verifier(&[], &["USER_ID_FOR_SRP"]),
    ] {
        let rig = Rig::new(EVERY_SETUP[2], DEC_10);
        rig.script([response]);
        errors.push(rig.sign_in().await.unwrap_err());
    }
    let rig = Rig::new(EVERY_SETUP[1], DEC_10);
    rig.script([password_verifier(&[], &[]), password_verifier(&[], &[])]);
    errors.push(rig.sign_in().await.unwrap_err());
    let rig = Rig::new(EVERY_SETUP[3], DEC_10);
    rig.script([password_verifier(&[], &[]), totp_challenge()]);
    let SignInStep::TotpRequired(challenge) = rig.sign_in().await.unwrap() else {
        panic!("expected the TOTP step");
    };
    let rejected = challenge.answer(&rig.sign_in, "12345").await.unwrap_err();
    texts.push(format!("{rejected:?}"));
    texts.push(rejected.to_string());
    for error in &errors {
        texts.push(format!("{error:?}"));
        texts.push(error.to_string());
    }
    let all = texts.join("\n");
    assert_no_canary(&all, &[&srp_a[..32], &signature, SECRET_BLOCK]);
    assert!(!all.contains("PASSWORDCANARY"));
}
