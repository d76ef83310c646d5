//! The `cognito-idp` example refuses bad input before any call: exit status 2 and one line on
//! stderr that names the problem without repeating the value. Every run points at a port where
//! nothing listens, so a call would fail differently (exit 1, a transport error): the last test
//! shows that it does.

use crate::common::cli::{CognitoIdp, Run, closed_port_endpoint};

fn cli() -> CognitoIdp {
    CognitoIdp::new(closed_port_endpoint())
}

/// Asserts the run was refused as bad input: exit 2, nothing on stdout, one line on stderr
/// holding `expected` and none of `hidden`.
#[track_caller]
fn assert_refused(run: &Run, expected: &str, hidden: &[&str]) {
    assert_eq!(run.code(), 2, "expected exit 2: {run:#?}");
    assert_eq!(run.stdout, "", "nothing on stdout: {run:#?}");
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "one line on stderr: {run:#?}");
    let line = lines[0];
    assert!(line.starts_with("error: "), "{line}");
    assert!(line.contains(expected), "{line:?} should say {expected:?}");
    for secret in hidden {
        assert!(!line.contains(secret), "{line:?} repeats {secret:?}");
    }
    for not_a_call in ["Transport", "dispatch", "connect"] {
        assert!(
            !line.contains(not_a_call),
            "{line:?} looks like a call was made"
        );
    }
}

const POOL: &str = "us-east-1_AbC123";
const CLIENT: &str = "4f9a2c1b7e3d5a6b";
const TOKEN: &str = "eyJraWQiOiJhYmMifQ.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
const SESSION: &str = "AYABeD5y-session-canary-0123456789";

#[test]
fn a_code_that_is_not_six_digits() {
    let cli = cli();
    for code in ["12345", "1234567", "12a456", ""] {
        let run = cli.run(&[
            "verify-software-token",
            "--access-token",
            TOKEN,
            "--user-code",
            code,
        ]);
        assert_refused(&run, "--user-code", &[TOKEN]);
        if !code.is_empty() {
            assert!(!run.stderr.contains(code), "the code is repeated: {run:#?}");
        }
    }
    let run = cli.run(&[
        "verify-software-token",
        "--session",
        SESSION,
        "--user-code",
        "54321",
    ]);
    assert_refused(&run, "exactly 6 digits", &["54321", SESSION]);

    let run = cli.run(&[
        "admin-respond-to-auth-challenge",
        "--user-pool-id",
        POOL,
        "--client-id",
        CLIENT,
        "--challenge-name",
        "SOFTWARE_TOKEN_MFA",
        "--session",
        SESSION,
        "--challenge-responses",
        "USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=98765",
    ]);
    assert_refused(&run, "SOFTWARE_TOKEN_MFA_CODE", &["98765", SESSION]);
}

#[test]
fn a_malformed_key_value_list() {
    let cli = cli();
    let initiate = |parameters: &str| {
        cli.run(&[
            "admin-initiate-auth",
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
            "--auth-flow",
            "ADMIN_USER_PASSWORD_AUTH",
            "--auth-parameters",
            parameters,
        ])
    };
    let cases = [
        // (parameters, what the message says)
        ("USERNAME=alice,hunter2-secret", "item 2 has no '='"),
        ("USERNAME=alice,=hunter2-secret", "item 2 has an empty key"),
        ("", "the list is empty"),
        ("USERNAME=alice,,PASSWORD=hunter2-secret", "item 2 is empty"),
        (
            "USERNAME=alice,PASSWORD=hunter2-secret,PASSWORD=hunter2-secret",
            "PASSWORD is given twice",
        ),
        ("USERNAME=alice", "PASSWORD is missing"),
        (
            "USERNAME=alice,PASSWORD=hunter2-secret,DEVICE_KEY=x",
            "unexpected key \"DEVICE_KEY\"",
        ),
        (
            r#"{"USERNAME": "alice", "PASSWORD": "hunter2-secret""#,
            "not a JSON object",
        ),
        (
            r#"{"USERNAME": "alice", "PASSWORD": 12345}"#,
            "must be a string",
        ),
    ];
    for (parameters, expected) in cases {
        let run = initiate(parameters);
        assert_refused(&run, expected, &["hunter2-secret"]);
        assert!(run.stderr.contains("--auth-parameters"), "{run:#?}");
    }

    let run = cli.run(&[
        "admin-respond-to-auth-challenge",
        "--user-pool-id",
        POOL,
        "--client-id",
        CLIENT,
        "--challenge-name",
        "NEW_PASSWORD_REQUIRED",
        "--session",
        SESSION,
        "--challenge-responses",
        "USERNAME=carol,NEW_PASSWORD=New-Pass-2!,userAttributes.=x",
    ]);
    assert_refused(&run, "needs an attribute name", &["New-Pass-2!"]);
}

#[test]
fn values_may_hold_an_equals_sign_and_the_json_form_commas() {
    // Well-formed: these get past the checks and fail at the (closed) endpoint instead.
    let cli = cli();
    for parameters in [
        "USERNAME=alice,PASSWORD=pa=ss==",
        r#"{"USERNAME": "alice", "PASSWORD": "pa,ss"}"#,
    ] {
        let run = cli.run(&[
            "admin-initiate-auth",
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
            "--auth-flow",
            "ADMIN_USER_PASSWORD_AUTH",
            "--auth-parameters",
            parameters,
        ]);
        assert_eq!(run.code(), 1, "{run:#?}");
        assert!(run.stderr.starts_with("error: Transport: "), "{run:#?}");
    }
}

#[test]
fn an_unknown_or_unsupported_auth_flow() {
    let cli = cli();
    let initiate = |command: &str, flow: &str| {
        let mut args = vec![command];
        if command == "admin-initiate-auth" {
            args.extend(["--user-pool-id", POOL]);
        }
        args.extend([
            "--client-id",
            CLIENT,
            "--auth-flow",
            flow,
            "--auth-parameters",
            "USERNAME=alice,PASSWORD=hunter2-secret",
        ]);
        cli.run(&args)
    };
    let run = initiate("admin-initiate-auth", "PASSWORD_PLEASE");
    assert_refused(&run, "unknown auth flow", &["hunter2-secret"]);
    assert!(
        run.stderr
            .contains("expected ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH or REFRESH_TOKEN_AUTH"),
        "{run:#?}"
    );
    let run = initiate("admin-initiate-auth", "USER_PASSWORD_AUTH");
    assert_refused(&run, "USER_PASSWORD_AUTH goes with initiate-auth", &[]);
    let run = initiate("initiate-auth", "ADMIN_USER_PASSWORD_AUTH");
    assert_refused(
        &run,
        "ADMIN_USER_PASSWORD_AUTH goes with admin-initiate-auth",
        &[],
    );
    let run = initiate("initiate-auth", "CUSTOM_AUTH");
    assert_refused(&run, "CUSTOM_AUTH is not supported", &["hunter2-secret"]);
    assert!(
        run.stderr
            .contains("expected USER_PASSWORD_AUTH, USER_SRP_AUTH or REFRESH_TOKEN_AUTH"),
        "{run:#?}"
    );
}

/// `initiate-auth --auth-flow USER_SRP_AUTH` with `--auth-parameters` and the extra arguments.
fn srp_initiate(cli: &CognitoIdp, parameters: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "initiate-auth",
        "--client-id",
        CLIENT,
        "--auth-flow",
        "USER_SRP_AUTH",
        "--auth-parameters",
        parameters,
    ];
    args.extend(extra);
    cli.run(&args)
}

#[test]
fn srp_on_initiate_auth_needs_the_pool_id() {
    // The pool's name enters the SRP proof, and InitiateAuth does not carry it: without
    // --user-pool-id (this tool's extension of initiate-auth) nothing is sent.
    let cli = cli();
    let run = srp_initiate(&cli, "USERNAME=alice,PASSWORD=hunter2-secret", &[]);
    assert_refused(
        &run,
        "--user-pool-id: is needed with USER_SRP_AUTH",
        &["hunter2-secret"],
    );
    // Even with a client secret from the environment, and whatever the parameters hold.
    let run = crate::common::cli::run(
        cli.command()
            .env(
                "COGNITO_CLIENT_SECRET",
                "client-secret-canary-0123456789abcdef",
            )
            .args([
                "initiate-auth",
                "--client-id",
                CLIENT,
                "--auth-flow",
                "USER_SRP_AUTH",
                "--auth-parameters",
                "USERNAME=alice,PASSWORD=hunter2-secret",
            ]),
    );
    assert_refused(
        &run,
        "--user-pool-id",
        &["hunter2-secret", "client-secret-canary-0123456789abcdef"],
    );

    // A pool id that can't be one is refused too.
    let run = srp_initiate(
        &cli,
        "USERNAME=alice,PASSWORD=hunter2-secret",
        &["--user-pool-id", "not-a-pool-id"],
    );
    assert_refused(&run, "--user-pool-id", &["hunter2-secret"]);
}

#[test]
fn srp_takes_the_password_not_srp_a() {
    let cli = cli();
    let with_pool = ["--user-pool-id", POOL];
    // The AWS CLI's way (SRP_A computed elsewhere) is refused with a hint.
    for parameters in [
        "USERNAME=alice,SRP_A=0a1b2c3d",
        "USERNAME=alice,PASSWORD=hunter2-secret,SRP_A=0a1b2c3d",
    ] {
        let run = srp_initiate(&cli, parameters, &with_pool);
        assert_refused(
            &run,
            "SRP_A is computed by this tool: pass USERNAME and PASSWORD",
            &["hunter2-secret", "0a1b2c3d"],
        );
    }
    let run = srp_initiate(&cli, "USERNAME=alice", &with_pool);
    assert_refused(&run, "PASSWORD is missing", &[]);
    let run = srp_initiate(
        &cli,
        "USERNAME=alice,PASSWORD=hunter2-secret,DEVICE_KEY=x",
        &with_pool,
    );
    assert_refused(&run, "unexpected key \"DEVICE_KEY\"", &["hunter2-secret"]);

    // PASSWORD_VERIFIER is the tool's to answer, inside initiate-auth.
    let run = cli.run(&[
        "respond-to-auth-challenge",
        "--client-id",
        CLIENT,
        "--challenge-name",
        "PASSWORD_VERIFIER",
        "--session",
        SESSION,
        "--challenge-responses",
        "USERNAME=alice",
    ]);
    assert_refused(
        &run,
        "PASSWORD_VERIFIER is answered by initiate-auth itself",
        &[SESSION],
    );
}

#[test]
fn srp_with_the_pool_id_reaches_for_the_endpoint() {
    // Well-formed, on either API: SRP_A is computed and the call made (to the closed port).
    let cli = cli();
    let public = srp_initiate(
        &cli,
        "USERNAME=alice,PASSWORD=hunter2-secret",
        &["--user-pool-id", POOL],
    );
    let admin = cli.run(&[
        "admin-initiate-auth",
        "--user-pool-id",
        POOL,
        "--client-id",
        CLIENT,
        "--auth-flow",
        "USER_SRP_AUTH",
        "--auth-parameters",
        "USERNAME=alice,PASSWORD=hunter2-secret",
    ]);
    for (run, operation) in [(public, "InitiateAuth"), (admin, "AdminInitiateAuth")] {
        assert_eq!(run.code(), 1, "{run:#?}");
        assert_eq!(run.stderr_lines().len(), 1, "{run:#?}");
        assert!(
            run.stderr
                .starts_with(&format!("error: Transport: {operation} ")),
            "{run:#?}"
        );
        assert!(!run.stderr.contains("hunter2-secret"), "{run:#?}");
    }
    // The other flows take --user-pool-id on initiate-auth too, and don't need it.
    let run = cli.run(&[
        "initiate-auth",
        "--user-pool-id",
        POOL,
        "--client-id",
        CLIENT,
        "--auth-flow",
        "USER_PASSWORD_AUTH",
        "--auth-parameters",
        "USERNAME=alice,PASSWORD=hunter2-secret",
    ]);
    assert_eq!(run.code(), 1, "{run:#?}");
    assert!(
        run.stderr.starts_with("error: Transport: InitiateAuth "),
        "{run:#?}"
    );
}

#[test]
fn secret_hash_is_refused_with_a_hint() {
    let cli = cli();
    let run = cli.run(&[
        "initiate-auth",
        "--client-id",
        CLIENT,
        "--auth-flow",
        "USER_PASSWORD_AUTH",
        "--auth-parameters",
        "USERNAME=alice,PASSWORD=hunter2-secret,SECRET_HASH=c2VjcmV0LWhhc2g=",
    ]);
    assert_refused(
        &run,
        "SECRET_HASH is computed by this tool: pass --client-secret",
        &["hunter2-secret", "c2VjcmV0LWhhc2g="],
    );
    let run = cli.run(&[
        "respond-to-auth-challenge",
        "--client-id",
        CLIENT,
        "--challenge-name",
        "SOFTWARE_TOKEN_MFA",
        "--session",
        SESSION,
        "--challenge-responses",
        "USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=123456,SECRET_HASH=c2VjcmV0LWhhc2g=",
    ]);
    assert_refused(&run, "--client-secret", &["c2VjcmV0LWhhc2g=", "123456"]);

    // A client secret that can't be one is refused too, without being shown.
    let run = cli.run(&[
        "initiate-auth",
        "--client-id",
        CLIENT,
        "--client-secret",
        "short-secret",
        "--auth-flow",
        "USER_PASSWORD_AUTH",
        "--auth-parameters",
        "USERNAME=alice,PASSWORD=hunter2-secret",
    ]);
    assert_refused(&run, "--client-secret", &["short-secret", "hunter2-secret"]);
}

#[test]
fn bad_mfa_settings_and_challenges() {
    let cli = cli();
    for (settings, expected) in [
        (
            "Enabled=yes,PreferredMfa=true",
            "Enabled must be true or false",
        ),
        (
            "Enabled=true,Preferred=true",
            "unexpected key \"Preferred\"",
        ),
        ("Enabled", "item 1 has no '='"),
        (r#"{"Enabled": 1}"#, "must be a string or a boolean"),
    ] {
        let run = cli.run(&[
            "set-user-mfa-preference",
            "--access-token",
            TOKEN,
            "--software-token-mfa-settings",
            settings,
        ]);
        assert_refused(&run, expected, &[TOKEN]);
    }
    let run = cli.run(&[
        "admin-set-user-mfa-preference",
        "--user-pool-id",
        "not-a-pool-id",
        "--username",
        "bob",
        "--software-token-mfa-settings",
        "Enabled=true,PreferredMfa=true",
    ]);
    assert_refused(&run, "--user-pool-id", &[]);

    let respond = |challenge: &str, responses: &str| {
        cli.run(&[
            "respond-to-auth-challenge",
            "--client-id",
            CLIENT,
            "--challenge-name",
            challenge,
            "--session",
            SESSION,
            "--challenge-responses",
            responses,
        ])
    };
    let run = respond("WEB_AUTHN", "USERNAME=alice");
    assert_refused(&run, "\"WEB_AUTHN\" is not supported", &[SESSION]);
    let run = respond("SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE=123456");
    assert_refused(&run, "USERNAME is missing", &["123456"]);
    let run = respond("SELECT_MFA_TYPE", "USERNAME=alice,ANSWER=CARRIER_PIGEON");
    assert_refused(&run, "ANSWER must be", &[]);
    let run = respond("MFA_SETUP", "USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=123456");
    assert_refused(&run, "unexpected key", &["123456"]);
    let run = cli.run(&[
        "respond-to-auth-challenge",
        "--client-id",
        CLIENT,
        "--challenge-name",
        "MFA_SETUP",
        "--session",
        "too-short",
        "--challenge-responses",
        "USERNAME=alice",
    ]);
    assert_refused(&run, "--session", &["too-short"]);
}

#[test]
fn a_missing_flag_is_clap_s_error() {
    let run = cli().run(&["verify-software-token", "--user-code", "123456"]);
    assert_eq!(run.code(), 2, "{run:#?}");
    assert!(run.stderr.contains("--access-token"), "{run:#?}");
    let run = cli().run(&[
        "associate-software-token",
        "--access-token",
        TOKEN,
        "--session",
        SESSION,
    ]);
    assert_eq!(run.code(), 2, "{run:#?}");
    assert!(run.stderr.contains("cannot be used with"), "{run:#?}");
}

#[test]
fn well_formed_input_does_reach_for_the_endpoint() {
    // The same closed port as above: a call fails with exit 1 and a one-line transport error.
    let run = cli().run(&["associate-software-token", "--access-token", TOKEN]);
    assert_eq!(run.code(), 1, "{run:#?}");
    assert_eq!(run.stderr_lines().len(), 1, "{run:#?}");
    assert!(
        run.stderr
            .starts_with("error: Transport: AssociateSoftwareToken "),
        "{run:#?}"
    );
    assert!(!run.stderr.contains(TOKEN), "{run:#?}");
}

#[test]
fn help_lists_every_command() {
    let run = cli().run(&["--help"]);
    assert_eq!(run.code(), 0, "{run:#?}");
    for command in [
        "associate-software-token",
        "verify-software-token",
        "set-user-mfa-preference",
        "admin-set-user-mfa-preference",
        "initiate-auth",
        "admin-initiate-auth",
        "respond-to-auth-challenge",
        "admin-respond-to-auth-challenge",
        "enroll",
        "sign-in",
    ] {
        assert!(run.stdout.contains(command), "{command} missing: {run:#?}");
    }
    // initiate-auth's --user-pool-id is this tool's extension, and says so.
    let run = cli().run(&["initiate-auth", "--help"]);
    assert_eq!(run.code(), 0, "{run:#?}");
    for text in ["--user-pool-id", "Not in the AWS CLI", "USER_SRP_AUTH"] {
        assert!(run.stdout.contains(text), "{text} missing: {run:#?}");
    }
}
