//! USER_AUTH, choice-based sign-in, the AWS CLI way, typed into the `cognito-idp` example
//! against the local endpoint (`testing::LocalCognito`: moto refuses USER_AUTH). The pool
//! allows PASSWORD and EMAIL_OTP first, has TOTP and email MFA on, and its app client allows
//! USER_AUTH. Every respond-to-auth-challenge is a process of its own: the challenge is
//! rebuilt from its name, Session and user name, so a SELECT_CHALLENGE's AvailableChallenges
//! are unknown to it and Cognito (the pool) judges the ANSWER. The emailed codes are read from
//! the pool's outbox, as a person reads their mailbox; TOTP codes are the authenticator's for
//! the endpoint's `ManualClock`.

use crate::cli_walkthrough::{assert_challenge, assert_silent_success, assert_tokens, keys, text};
use crate::common::cli::{CognitoIdp, Run};
use cognito_mfa::TotpSecret;
use cognito_mfa::backend::{AuthFlow, MfaFactor, PoolMfaConfig, PoolMfaMode};
use cognito_mfa::testing::{Authenticator, ClientOptions, InMemoryPool, LocalCognito, ManualClock};
use serde_json::Value;
use std::time::{Duration, SystemTime};

const PASSWORD: &str = "User-Auth-Pass-1!";

struct Setup {
    #[allow(dead_code)] // held for its Drop: the endpoint stops with the test
    server: LocalCognito,
    pool: InMemoryPool,
    clock: ManualClock,
    pool_id: String,
    client_id: String,
    cli: CognitoIdp,
}

impl Setup {
    /// The pool (PASSWORD and EMAIL_OTP first; OPTIONAL MFA with TOTP and email), a public
    /// client allowing USER_AUTH, and `users`, each with an email address.
    async fn new(users: &[&str]) -> Self {
        // A minute back, whole seconds: within the five minutes the pool allows between an
        // SRP TIMESTAMP (the example's own clock) and its clock, which the test steps on.
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(now - 60));
        let server = LocalCognito::builder()
            .clock(clock.clone())
            .start()
            .await
            .expect("a local endpoint");
        let pool = server.create_pool("cli-user-auth");
        pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true).with_email(true));
        pool.set_first_auth_factors(&["PASSWORD", "EMAIL_OTP"])
            .unwrap();
        let client = pool
            .create_client(
                ClientOptions::new()
                    .explicit_auth_flows([AuthFlow::UserAuth, AuthFlow::RefreshToken]),
            )
            .expect("an app client");
        for user in users {
            pool.create_user(*user, PASSWORD).expect("a user");
            pool.set_user_attribute(user, "email", format!("{user}@example.com"))
                .unwrap();
        }
        Self {
            pool_id: pool.pool_id().to_owned(),
            client_id: client.client_id,
            cli: CognitoIdp::new(server.endpoint()),
            server,
            pool,
            clock,
        }
    }

    /// `initiate-auth --auth-flow USER_AUTH` (with `--user-pool-id` when `with_pool`).
    fn user_auth(&self, parameters: &str, with_pool: bool) -> Run {
        let mut args = vec![
            "initiate-auth",
            "--client-id",
            &self.client_id,
            "--auth-flow",
            "USER_AUTH",
            "--auth-parameters",
            parameters,
        ];
        if with_pool {
            args.extend(["--user-pool-id", &self.pool_id]);
        }
        self.cli.run(&args)
    }

    /// `respond-to-auth-challenge` (with `--user-pool-id` when `with_pool`).
    fn respond(&self, challenge: &str, session: &str, responses: &str, with_pool: bool) -> Run {
        let mut args = vec![
            "respond-to-auth-challenge",
            "--client-id",
            &self.client_id,
            "--challenge-name",
            challenge,
            "--session",
            session,
            "--challenge-responses",
            responses,
        ];
        if with_pool {
            args.extend(["--user-pool-id", &self.pool_id]);
        }
        self.cli.run(&args)
    }

    /// The code last emailed to `user`, checked to be USER_AUTH's first factor.
    fn emailed_code(&self, user: &str) -> String {
        let sent = self.pool.last_message_to(user).expect("a code was sent");
        assert!(sent.first_factor, "a first factor's code: {sent:?}");
        assert_eq!(sent.medium, MfaFactor::Email);
        assert_eq!(sent.destination, format!("{user}@example.com"));
        sent.code.expose_secret().to_owned()
    }

    /// The authenticator's code for the next 30-second step of the endpoint's clock (each
    /// code once: the pool refuses a code used again).
    fn next_totp(&self, secret: &TotpSecret) -> String {
        self.clock.advance(Duration::from_secs(30));
        Authenticator::new(secret)
            .unwrap()
            .code_for_clock(&self.clock)
            .expose_secret()
            .to_owned()
    }

    /// Answers the SOFTWARE_TOKEN_MFA challenge `out` printed with the authenticator's code,
    /// and asserts the tokens.
    #[track_caller]
    fn answer_totp(&self, out: &Value, user: &str, secret: &TotpSecret) {
        let session = assert_challenge(out, "SOFTWARE_TOKEN_MFA");
        let code = self.next_totp(secret);
        let responses = format!("USERNAME={user},SOFTWARE_TOKEN_MFA_CODE={code}");
        assert_tokens(
            &self
                .respond("SOFTWARE_TOKEN_MFA", session, &responses, false)
                .json(),
        );
    }

    /// Signs `user` in with PREFERRED_CHALLENGE=PASSWORD (no MFA yet: the tokens at once) and
    /// enrolls TOTP the AWS CLI way, enabled and preferred.
    fn enroll_totp(&self, user: &str) -> TotpSecret {
        let out = self
            .user_auth(
                &format!("USERNAME={user},PREFERRED_CHALLENGE=PASSWORD,PASSWORD={PASSWORD}"),
                false,
            )
            .json();
        let access_token = text(assert_tokens(&out), "AccessToken").to_owned();
        let cli = &self.cli;
        let out = cli.json(&["associate-software-token", "--access-token", &access_token]);
        let secret = TotpSecret::new(text(&out, "SecretCode"));
        let code = self.next_totp(&secret);
        let out = cli.json(&[
            "verify-software-token",
            "--access-token",
            &access_token,
            "--user-code",
            &code,
        ]);
        assert_eq!(out["Status"], "SUCCESS");
        assert_silent_success(&cli.run(&[
            "set-user-mfa-preference",
            "--software-token-mfa-settings",
            "Enabled=true,PreferredMfa=true",
            "--access-token",
            &access_token,
        ]));
        secret
    }
}

/// Asserts SELECT_CHALLENGE as the AWS CLI prints it, AvailableChallenges a top-level member;
/// returns the Session and the choices.
#[track_caller]
fn assert_select(out: &Value) -> (&str, Vec<&str>) {
    assert_eq!(
        keys(out),
        [
            "AvailableChallenges",
            "ChallengeName",
            "ChallengeParameters",
            "Session"
        ],
        "{out:#}"
    );
    assert_eq!(out["ChallengeName"], "SELECT_CHALLENGE", "{out:#}");
    let choices = out["AvailableChallenges"]
        .as_array()
        .unwrap_or_else(|| panic!("AvailableChallenges is a list: {out:#}"))
        .iter()
        .map(|c| c.as_str().expect("names"))
        .collect();
    (text(out, "Session"), choices)
}

/// Asserts an EMAIL_OTP challenge that says where the code went; returns its Session.
#[track_caller]
fn assert_email_otp<'a>(out: &'a Value, masked: &str) -> &'a str {
    let session = assert_challenge(out, "EMAIL_OTP");
    let parameters = &out["ChallengeParameters"];
    assert_eq!(parameters["CODE_DELIVERY_DESTINATION"], masked, "{out:#}");
    assert_eq!(
        parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL",
        "{out:#}"
    );
    session
}

/// A user without MFA: USER_AUTH → SELECT_CHALLENGE offering EMAIL_OTP → ANSWER=EMAIL_OTP →
/// EMAIL_OTP (where the code went) → the emailed code → tokens. A wrong code is the service's
/// refusal (exit 1). PREFERRED_CHALLENGE=EMAIL_OTP goes straight to the code; the admin API
/// does the same, and ANSWER=PASSWORD signs in with the password.
// Multi-threaded: the endpoint serves while the test blocks on the example's runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_code_as_the_first_factor() {
    let s = Setup::new(&["alice"]).await;

    let out = s.user_auth("USERNAME=alice", false).json();
    let (session, mut choices) = assert_select(&out);
    choices.sort_unstable();
    assert_eq!(
        choices,
        ["EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"],
        "{out:#}"
    );
    assert!(s.pool.outbox().is_empty(), "nothing sent before the choice");

    let out = s
        .respond(
            "SELECT_CHALLENGE",
            session,
            "USERNAME=alice,ANSWER=EMAIL_OTP",
            false,
        )
        .json();
    let session = assert_email_otp(&out, "a***@e***").to_owned();
    let code = s.emailed_code("alice");
    assert_eq!(code.len(), 8, "Cognito's email sign-in codes are 8 digits");
    assert!(!out.to_string().contains(&code), "the code is not printed");

    let wrong = format!("{:08}", (code.parse::<u32>().unwrap() + 1) % 100_000_000);
    let run = s.respond(
        "EMAIL_OTP",
        &session,
        &format!("USERNAME=alice,EMAIL_OTP_CODE={wrong}"),
        false,
    );
    assert_eq!(run.code(), 1, "{run:#?}");
    assert!(run.stderr.starts_with("error: CodeMismatch: "), "{run:#?}");
    assert!(!run.stderr.contains(&wrong), "{run:#?}");

    let out = s
        .respond(
            "EMAIL_OTP",
            &session,
            &format!("USERNAME=alice,EMAIL_OTP_CODE={code}"),
            false,
        )
        .json();
    assert_tokens(&out);

    // PREFERRED_CHALLENGE=EMAIL_OTP: the code at once, no choice.
    let out = s
        .user_auth("USERNAME=alice,PREFERRED_CHALLENGE=EMAIL_OTP", false)
        .json();
    let session = assert_email_otp(&out, "a***@e***").to_owned();
    let code = s.emailed_code("alice");
    // Spaces are ignored, as the person may type them.
    let spaced = format!("{} {}", &code[..4], &code[4..]);
    let out = s
        .respond(
            "EMAIL_OTP",
            &session,
            &format!(r#"{{"USERNAME":"alice","EMAIL_OTP_CODE":"{spaced}"}}"#),
            false,
        )
        .json();
    assert_tokens(&out);

    // The admin API: admin-initiate-auth USER_AUTH, then ANSWER=PASSWORD with the password.
    let admin = [
        "--user-pool-id",
        s.pool_id.as_str(),
        "--client-id",
        &s.client_id,
    ];
    let out = s.cli.json(
        &[
            &["admin-initiate-auth"][..],
            &admin[..],
            &[
                "--auth-flow",
                "USER_AUTH",
                "--auth-parameters",
                "USERNAME=alice",
            ][..],
        ]
        .concat(),
    );
    let (session, _) = assert_select(&out);
    let responses = format!("USERNAME=alice,ANSWER=PASSWORD,PASSWORD={PASSWORD}");
    let out = s.cli.json(
        &[
            &["admin-respond-to-auth-challenge"][..],
            &admin[..],
            &[
                "--challenge-name",
                "SELECT_CHALLENGE",
                "--session",
                session,
                "--challenge-responses",
                &responses,
            ][..],
        ]
        .concat(),
    );
    assert_tokens(&out);
}

/// A user with TOTP: PREFERRED_CHALLENGE=PASSWORD_SRP with PASSWORD (the tool proves it and
/// answers PASSWORD_VERIFIER) → SOFTWARE_TOKEN_MFA → the code → tokens. The same through
/// SELECT_CHALLENGE's ANSWER=PASSWORD_SRP, answered by a later process. The pool checks the
/// SRP proof: a wrong password is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_srp_then_totp() {
    let s = Setup::new(&["bob"]).await;
    let secret = s.enroll_totp("bob");

    let run = s.user_auth(
        &format!("USERNAME=bob,PREFERRED_CHALLENGE=PASSWORD_SRP,PASSWORD={PASSWORD}"),
        true,
    );
    assert!(!run.stdout.contains(PASSWORD), "{run:#?}");
    let out = run.json();
    s.answer_totp(&out, "bob", &secret);

    // Chosen at SELECT_CHALLENGE, in a process of its own (with --user-pool-id: the proof).
    let out = s.user_auth("USERNAME=bob", false).json();
    let (session, _) = assert_select(&out);
    let out = s
        .respond(
            "SELECT_CHALLENGE",
            session,
            &format!("USERNAME=bob,ANSWER=PASSWORD_SRP,PASSWORD={PASSWORD}"),
            true,
        )
        .json();
    s.answer_totp(&out, "bob", &secret);

    let run = s.user_auth(
        "USERNAME=bob,PREFERRED_CHALLENGE=PASSWORD_SRP,PASSWORD=Wr0ng-pass-canary!",
        true,
    );
    assert_eq!(run.code(), 1, "{run:#?}");
    assert!(
        run.stderr.starts_with("error: WrongCredentials: "),
        "{run:#?}"
    );
    assert!(!run.stderr.contains("Wr0ng-pass-canary!"), "{run:#?}");
}

/// A user with TOTP is offered the password factors only, though the pool allows EMAIL_OTP
/// and the user has an email address: AvailableChallenges is PASSWORD and PASSWORD_SRP;
/// preferring EMAIL_OTP gets SELECT_CHALLENGE instead. The resumed SELECT_CHALLENGE does not
/// know the choices, so ANSWER=EMAIL_OTP goes to the pool, which refuses it (exit 1, not the
/// tool's exit 2): no code is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_mfa_is_offered_no_email_code() {
    let s = Setup::new(&["carol"]).await;
    s.enroll_totp("carol");

    let out = s.user_auth("USERNAME=carol", false).json();
    let (session, choices) = assert_select(&out);
    assert_eq!(choices, ["PASSWORD", "PASSWORD_SRP"], "{out:#}");

    let out = s
        .user_auth("USERNAME=carol,PREFERRED_CHALLENGE=EMAIL_OTP", false)
        .json();
    let (_, choices) = assert_select(&out);
    assert_eq!(choices, ["PASSWORD", "PASSWORD_SRP"], "{out:#}");

    let run = s.respond(
        "SELECT_CHALLENGE",
        session,
        "USERNAME=carol,ANSWER=EMAIL_OTP",
        false,
    );
    assert_eq!(
        run.code(),
        1,
        "the pool's refusal, not the tool's: {run:#?}"
    );
    assert_eq!(run.stdout, "", "{run:#?}");
    assert_eq!(run.stderr_lines().len(), 1, "{run:#?}");
    assert!(
        run.stderr
            .starts_with("error: Service: RespondToAuthChallenge ")
            && run.stderr.contains("Invalid ANSWER for SELECT_CHALLENGE"),
        "{run:#?}"
    );
    assert!(
        s.pool.last_message_to("carol").is_none(),
        "no code sent: {:?}",
        s.pool.outbox()
    );
}
