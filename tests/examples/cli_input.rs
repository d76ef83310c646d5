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
        run.stderr.contains(
            "expected ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH, USER_AUTH or REFRESH_TOKEN_AUTH"
        ),
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
        run.stderr.contains(
            "expected USER_PASSWORD_AUTH, USER_SRP_AUTH, USER_AUTH or REFRESH_TOKEN_AUTH"
        ),
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

    let respond = |challenge: &str, responses: &str| respond_to(&cli, challenge, responses, &[]);
    let run = respond("CUSTOM_CHALLENGE", "USERNAME=alice");
    assert_refused(&run, "\"CUSTOM_CHALLENGE\" is not supported", &[SESSION]);
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
        "confirm-device",
        "update-device-status",
        "admin-update-device-status",
        "get-device",
        "admin-get-device",
        "list-devices",
        "admin-list-devices",
        "forget-device",
        "admin-forget-device",
        "enroll",
        "sign-in",
    ] {
        assert!(run.stdout.contains(command), "{command} missing: {run:#?}");
    }
    // initiate-auth's and respond-to-auth-challenge's --user-pool-id are this tool's extension
    // (USER_SRP_AUTH, and USER_AUTH's PASSWORD_SRP), and say so.
    for (command, mentions) in [
        ("initiate-auth", ["USER_SRP_AUTH", "USER_AUTH"]),
        (
            "respond-to-auth-challenge",
            ["PASSWORD_SRP", "SELECT_CHALLENGE"],
        ),
    ] {
        let run = cli().run(&[command, "--help"]);
        assert_eq!(run.code(), 0, "{run:#?}");
        for text in [&["--user-pool-id", "Not in the AWS CLI"][..], &mentions[..]].concat() {
            assert!(run.stdout.contains(text), "{text} missing: {run:#?}");
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Device commands and --device-file
// ------------------------------------------------------------------------------------------------

const DEVICE_KEY: &str = "us-east-1_00000000-1111-2222-3333-444444444444";
const GROUP_KEY: &str = "-Abc123";
/// A device password that must never be repeated.
const DEVICE_PASSWORD: &str = "ZGV2aWNlLXBhc3N3b3JkLWNhbmFyeS1kZXZpY2UtcGFzc3dvcmQtY2E=";

/// Writes `content` to `dir/name`, mode 0600 (no warning about a shared file).
fn device_file(dir: &std::path::Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path.to_str().unwrap().to_owned()
}

fn good_device_json() -> String {
    format!(
        r#"{{"v":1,"device_key":"{DEVICE_KEY}","device_group_key":"{GROUP_KEY}","device_password":"{DEVICE_PASSWORD}"}}"#
    )
}

fn confirm(cli: &CognitoIdp, key: &str, group_key: &str, file: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "confirm-device",
        "--access-token",
        TOKEN,
        "--device-key",
        key,
        "--device-group-key",
        group_key,
        "--device-file",
        file,
    ];
    args.extend(extra);
    cli.run(&args)
}

#[test]
fn device_keys_and_statuses_are_checked() {
    let cli = cli();
    for bad in ["nokey", "us-east-1_XYZ", "us east 1_0000"] {
        for command in ["get-device", "forget-device"] {
            let run = cli.run(&[command, "--access-token", TOKEN, "--device-key", bad]);
            assert_refused(&run, "--device-key", &[TOKEN]);
        }
        let run = cli.run(&[
            "admin-get-device",
            "--user-pool-id",
            POOL,
            "--username",
            "alice",
            "--device-key",
            bad,
        ]);
        assert_refused(&run, "--device-key", &[]);
    }
    for status in ["REMEMBERED", "yes", ""] {
        let run = cli.run(&[
            "update-device-status",
            "--access-token",
            TOKEN,
            "--device-key",
            DEVICE_KEY,
            "--device-remembered-status",
            status,
        ]);
        assert_refused(&run, "remembered or not_remembered", &[TOKEN]);
    }
    let run = cli.run(&[
        "admin-update-device-status",
        "--user-pool-id",
        "not a pool",
        "--username",
        "alice",
        "--device-key",
        DEVICE_KEY,
        "--device-remembered-status",
        "remembered",
    ]);
    assert_refused(&run, "--user-pool-id", &[]);
    // --limit is Cognito's 0 to 60; a bad page token is refused too.
    let run = cli.run(&["list-devices", "--access-token", TOKEN, "--limit", "61"]);
    assert_eq!(run.code(), 2, "{run:#?}");
    assert!(run.stderr.contains("--limit"), "{run:#?}");
    let run = cli.run(&[
        "admin-list-devices",
        "--user-pool-id",
        POOL,
        "--username",
        "alice",
        "--pagination-token",
        "has space",
    ]);
    assert_refused(&run, "--pagination-token", &[]);
}

#[test]
fn confirm_device_refuses_bad_input_and_makes_no_file() {
    let cli = cli();
    let dir = crate::common::cli::scratch_dir("cli-input-confirm");
    let path = dir.join("new.json");
    let file = path.to_str().unwrap();

    // The verifier is this tool's to compute.
    let run = confirm(
        &cli,
        DEVICE_KEY,
        GROUP_KEY,
        file,
        &[
            "--device-secret-verifier-config",
            "PasswordVerifier=abc,Salt=def",
        ],
    );
    assert_refused(&run, "--device-secret-verifier-config", &["abc"]);
    // Bad keys and names.
    assert_refused(
        &confirm(&cli, "nokey", GROUP_KEY, file, &[]),
        "--device-key",
        &[TOKEN],
    );
    assert_refused(
        &confirm(&cli, DEVICE_KEY, "has space", file, &[]),
        "--device-group-key",
        &[TOKEN],
    );
    assert_refused(
        &confirm(
            &cli,
            DEVICE_KEY,
            GROUP_KEY,
            file,
            &["--device-name", "a\nb"],
        ),
        "--device-name",
        &[],
    );
    assert!(!path.exists(), "no file for refused input");

    // --device-file is required: the device password must be kept somewhere.
    let run = cli.run(&[
        "confirm-device",
        "--access-token",
        TOKEN,
        "--device-key",
        DEVICE_KEY,
        "--device-group-key",
        GROUP_KEY,
    ]);
    assert_eq!(run.code(), 2, "{run:#?}");
    assert!(run.stderr.contains("--device-file"), "{run:#?}");

    // An existing file, or a symlink (even a dangling one), is never written through.
    let existing = device_file(&dir, "existing.json", "keep me");
    assert_refused(
        &confirm(&cli, DEVICE_KEY, GROUP_KEY, &existing, &[]),
        "exists",
        &[],
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    #[cfg(unix)]
    {
        let target = dir.join("target.json");
        let link = dir.join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let run = confirm(&cli, DEVICE_KEY, GROUP_KEY, link.to_str().unwrap(), &[]);
        assert_refused(&run, "--device-file", &[]);
        assert!(!target.exists(), "nothing written through the link");
    }
    let run = confirm(
        &cli,
        DEVICE_KEY,
        GROUP_KEY,
        dir.join("no/such/dir.json").to_str().unwrap(),
        &[],
    );
    assert_refused(&run, "cannot create", &[]);

    // Well-formed: the file is made, ConfirmDevice fails (nothing listens), the file is gone.
    let run = confirm(&cli, DEVICE_KEY, GROUP_KEY, file, &[]);
    assert_eq!(run.code(), 1, "{run:#?}");
    assert!(
        run.stderr.starts_with("error: Transport: ConfirmDevice "),
        "{run:#?}"
    );
    assert!(
        !path.exists(),
        "the empty file of an unconfirmed device is removed"
    );
}

#[test]
fn a_device_file_is_read_and_checked_before_any_call() {
    let cli = cli();
    let dir = crate::common::cli::scratch_dir("cli-input-device-file");
    let srp = |file: &str| {
        srp_initiate(
            &cli,
            "USERNAME=alice,PASSWORD=hunter2-secret",
            &["--user-pool-id", POOL, "--device-file", file],
        )
    };
    let missing = dir.join("missing.json");
    assert_refused(
        &srp(missing.to_str().unwrap()),
        "cannot read",
        &["hunter2-secret"],
    );

    let good = good_device_json();
    let cases = [
        // (file content, what the message says)
        ("not json", "not a device file"),
        ("{}", "not a device file"),
        (
            &good.replace(DEVICE_KEY, "us east 1_0000") as &str,
            "invalid device key",
        ),
        (&good.replace(r#""v":1"#, r#""v":2"#), "format 2"),
        (
            &good.replace(r#""v":1"#, &format!(r#""v":"{DEVICE_PASSWORD}""#)),
            "not a device file",
        ),
        (
            &good.replace(r#""device_password""#, r#""password""#),
            "not a device file",
        ),
        (
            &good.replace(DEVICE_PASSWORD, "has space"),
            "not a device file",
        ),
    ];
    for (i, (content, expected)) in cases.iter().enumerate() {
        let file = device_file(&dir, &format!("bad-{i}.json"), content);
        let run = srp(&file);
        assert_refused(&run, expected, &[DEVICE_PASSWORD, "hunter2-secret"]);
        assert!(run.stderr.contains("--device-file"), "{run:#?}");
    }

    // respond-to-auth-challenge reads it too.
    let bad = device_file(&dir, "bad-respond.json", "[]");
    let run = cli.run(&[
        "respond-to-auth-challenge",
        "--client-id",
        CLIENT,
        "--challenge-name",
        "SOFTWARE_TOKEN_MFA",
        "--session",
        SESSION,
        "--challenge-responses",
        "USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=123456",
        "--device-file",
        &bad,
    ]);
    assert_refused(&run, "not a device file", &[SESSION]);

    // A good file: the call is made (and fails: nothing listens).
    let file = device_file(&dir, "good.json", &good);
    let run = srp(&file);
    assert_eq!(run.code(), 1, "{run:#?}");
    assert!(
        run.stderr.starts_with("error: Transport: InitiateAuth "),
        "{run:#?}"
    );
    assert!(!run.stderr.contains(DEVICE_PASSWORD), "{run:#?}");

    // A file others may read: a warning (as ssh gives of a key), and the sign-in goes on.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let run = srp(&file);
        assert_eq!(run.code(), 1, "{run:#?}");
        let lines = run.stderr_lines();
        assert_eq!(lines.len(), 2, "{run:#?}");
        assert!(
            lines[0].starts_with("warning: ") && lines[0].contains("chmod 600"),
            "{run:#?}"
        );
    }
}

#[test]
fn opaque_values_may_start_with_a_hyphen() {
    // Cognito's device group keys start with '-', and an opaque token, Session or page token may: each is taken
    // as the flag's value (the call is made, and fails: nothing listens), not as a flag.
    let cli = cli();
    let session = format!("-_{SESSION}");
    let run = cli.run(&[
        "respond-to-auth-challenge",
        "--client-id",
        CLIENT,
        "--challenge-name",
        "SOFTWARE_TOKEN_MFA",
        "--session",
        &session,
        "--challenge-responses",
        "USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=123456",
    ]);
    assert_eq!(run.code(), 1, "{run:#?}");
    assert!(run.stderr.starts_with("error: Transport: "), "{run:#?}");
    let run = cli.run(&[
        "verify-software-token",
        "--session",
        &session,
        "--user-code",
        "123456",
    ]);
    assert_eq!(run.code(), 1, "{run:#?}");
    let run = cli.run(&[
        "list-devices",
        "--access-token",
        TOKEN,
        "--pagination-token",
        "-page",
    ]);
    assert_eq!(run.code(), 1, "{run:#?}");
    let token = format!("-{TOKEN}");
    let run = cli.run(&[
        "get-device",
        "--access-token",
        &token,
        "--device-key",
        DEVICE_KEY,
    ]);
    assert_eq!(run.code(), 1, "{run:#?}");
    let run = cli.run(&["associate-software-token", "--access-token", &token]);
    assert_eq!(run.code(), 1, "{run:#?}");
    let dir = crate::common::cli::scratch_dir("cli-input-hyphen");
    let path = dir.join("device.json");
    let run = confirm(&cli, DEVICE_KEY, "-8abc", path.to_str().unwrap(), &[]);
    assert_eq!(run.code(), 1, "{run:#?}");
    assert!(
        run.stderr.starts_with("error: Transport: ConfirmDevice "),
        "{run:#?}"
    );
}

// ------------------------------------------------------------------------------------------------
// USER_AUTH: PREFERRED_CHALLENGE, SELECT_CHALLENGE, EMAIL_OTP / SMS_OTP, WEB_AUTHN
// ------------------------------------------------------------------------------------------------

/// `initiate-auth --auth-flow USER_AUTH` with `--auth-parameters` and the extra arguments.
fn user_auth(cli: &CognitoIdp, parameters: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "initiate-auth",
        "--client-id",
        CLIENT,
        "--auth-flow",
        "USER_AUTH",
        "--auth-parameters",
        parameters,
    ];
    args.extend(extra);
    cli.run(&args)
}

/// `respond-to-auth-challenge` to `challenge` with SESSION, `--challenge-responses` and the
/// extra arguments.
fn respond_to(cli: &CognitoIdp, challenge: &str, responses: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "respond-to-auth-challenge",
        "--client-id",
        CLIENT,
        "--challenge-name",
        challenge,
        "--session",
        SESSION,
        "--challenge-responses",
        responses,
    ];
    args.extend(extra);
    cli.run(&args)
}

#[test]
fn user_auth_preferences_are_checked() {
    let cli = cli();
    let cases = [
        // (parameters, what the message says)
        (
            "USERNAME=alice,PREFERRED_CHALLENGE=hunter2-secret",
            "PREFERRED_CHALLENGE must be PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or WEB_AUTHN",
        ),
        (
            "USERNAME=alice,PREFERRED_CHALLENGE=EMAIL_OTP,PASSWORD=hunter2-secret",
            "PASSWORD goes only with PREFERRED_CHALLENGE=PASSWORD or PREFERRED_CHALLENGE=PASSWORD_SRP",
        ),
        (
            "USERNAME=alice,PASSWORD=hunter2-secret",
            "PASSWORD goes only with PREFERRED_CHALLENGE=PASSWORD",
        ),
        (
            "USERNAME=alice,PREFERRED_CHALLENGE=WEB_AUTHN,SRP_A=0a1b2c3d",
            "SRP_A goes only with PREFERRED_CHALLENGE=PASSWORD",
        ),
        (
            "USERNAME=alice,PREFERRED_CHALLENGE=PASSWORD",
            "PASSWORD is missing: PREFERRED_CHALLENGE=PASSWORD takes it",
        ),
        (
            "USERNAME=alice,PREFERRED_CHALLENGE=PASSWORD_SRP,SRP_A=0a1b2c3d",
            "SRP_A is computed by this tool: pass PASSWORD with PASSWORD_SRP",
        ),
        ("PREFERRED_CHALLENGE=EMAIL_OTP", "USERNAME is missing"),
        (
            "USERNAME=alice,PREFERRED_CHALLENGE=EMAIL_OTP,EMAIL_OTP_CODE=hunter2-secret",
            "unexpected key \"EMAIL_OTP_CODE\"",
        ),
    ];
    for (parameters, expected) in cases {
        let run = user_auth(&cli, parameters, &["--user-pool-id", POOL]);
        assert_refused(&run, expected, &["hunter2-secret", "0a1b2c3d"]);
    }
    // A password longer than Cognito takes (256 characters).
    let long = "p".repeat(257);
    let run = user_auth(
        &cli,
        &format!("USERNAME=alice,PREFERRED_CHALLENGE=PASSWORD,PASSWORD={long}"),
        &[],
    );
    assert_refused(&run, "PASSWORD", &[&long]);
    // PASSWORD_SRP: the pool's name enters the proof, as for USER_SRP_AUTH.
    let run = user_auth(
        &cli,
        "USERNAME=alice,PREFERRED_CHALLENGE=PASSWORD_SRP,PASSWORD=hunter2-secret",
        &[],
    );
    assert_refused(
        &run,
        "--user-pool-id: is needed with PASSWORD_SRP",
        &["hunter2-secret"],
    );
    // No USER_AUTH on a remembered device here (the file is not even read).
    let run = user_auth(
        &cli,
        "USERNAME=alice",
        &["--device-file", "/nonexistent/alice.device"],
    );
    assert_refused(&run, "--device-file: USER_AUTH is not signed in", &[]);
}

#[test]
fn select_challenge_and_code_answers_are_checked() {
    let cli = cli();
    let respond = |challenge: &str, responses: &str, extra: &[&str]| {
        respond_to(&cli, challenge, responses, extra)
    };
    let select = [
        ("USERNAME=alice", "ANSWER is missing"),
        (
            "USERNAME=alice,ANSWER=hunter2-secret",
            "ANSWER must be PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or WEB_AUTHN",
        ),
        (
            "USERNAME=alice,ANSWER=SOFTWARE_TOKEN_MFA",
            "ANSWER must be PASSWORD",
        ),
        (
            "USERNAME=alice,ANSWER=EMAIL_OTP,PASSWORD=hunter2-secret",
            "PASSWORD goes only with ANSWER=PASSWORD or ANSWER=PASSWORD_SRP",
        ),
        (
            "USERNAME=alice,ANSWER=PASSWORD",
            "PASSWORD is missing: ANSWER=PASSWORD takes it",
        ),
        (
            "USERNAME=alice,ANSWER=PASSWORD_SRP,SRP_A=0a1b2c3d,PASSWORD=hunter2-secret",
            "SRP_A is computed by this tool",
        ),
        (
            "USERNAME=alice,ANSWER=SMS_OTP,SMS_OTP_CODE=12345678",
            "unexpected key \"SMS_OTP_CODE\"",
        ),
        ("ANSWER=EMAIL_OTP", "USERNAME is missing"),
    ];
    for (responses, expected) in select {
        let run = respond("SELECT_CHALLENGE", responses, &["--user-pool-id", POOL]);
        assert_refused(&run, expected, &["hunter2-secret", "0a1b2c3d", SESSION]);
    }
    let run = respond(
        "SELECT_CHALLENGE",
        "USERNAME=alice,ANSWER=PASSWORD_SRP,PASSWORD=hunter2-secret",
        &[],
    );
    assert_refused(
        &run,
        "--user-pool-id: is needed with PASSWORD_SRP",
        &["hunter2-secret", SESSION],
    );

    // The codes sent by email or text: 6 to 8 digits, never repeated.
    for (challenge, key) in [("EMAIL_OTP", "EMAIL_OTP_CODE"), ("SMS_OTP", "SMS_OTP_CODE")] {
        for code in ["12345", "123456789", "1234a678", "98-76-54"] {
            let run = respond(challenge, &format!("USERNAME=alice,{key}={code}"), &[]);
            assert_refused(&run, &format!("{key} must be 6 to 8 digits"), &[SESSION]);
            assert!(!run.stderr.contains(code), "the code is repeated: {run:#?}");
        }
        let run = respond(
            challenge,
            "USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=123456",
            &[],
        );
        assert_refused(&run, &format!("{key} is missing"), &["123456"]);
    }
    let run = respond(
        "EMAIL_OTP",
        "USERNAME=alice,EMAIL_OTP_CODE=12345678,PASSWORD=hunter2-secret",
        &[],
    );
    assert_refused(
        &run,
        "unexpected key \"PASSWORD\"",
        &["12345678", "hunter2-secret"],
    );

    // WEB_AUTHN: the credential must be a JSON object (in the JSON form of the map).
    for responses in [
        "USERNAME=alice,CREDENTIAL=not-json-canary",
        r#"{"USERNAME":"alice","CREDENTIAL":"[\"not-json-canary\"]"}"#,
    ] {
        let run = respond("WEB_AUTHN", responses, &[]);
        assert_refused(&run, "CREDENTIAL must be", &["not-json-canary", SESSION]);
    }
    let huge = format!(
        r#"{{"USERNAME":"alice","CREDENTIAL":"{{\"id\":\"{}\"}}"}}"#,
        "a".repeat(64 * 1024)
    );
    let run = respond("WEB_AUTHN", &huge, &[]);
    assert_refused(&run, "at most 64 KiB", &[SESSION]);
    let run = respond("WEB_AUTHN", "USERNAME=alice", &[]);
    assert_refused(&run, "CREDENTIAL is missing", &[SESSION]);

    // What only USER_AUTH asks is not answered on a remembered device (the file is not read).
    for (challenge, responses) in [
        ("SELECT_CHALLENGE", "USERNAME=alice,ANSWER=EMAIL_OTP"),
        ("SMS_OTP", "USERNAME=alice,SMS_OTP_CODE=123456"),
        (
            "WEB_AUTHN",
            r#"{"USERNAME":"alice","CREDENTIAL":"{\"id\":\"c\"}"}"#,
        ),
    ] {
        let run = respond(
            challenge,
            responses,
            &["--device-file", "/nonexistent/alice.device"],
        );
        assert_refused(
            &run,
            &format!("--device-file: {challenge} follows USER_AUTH"),
            &[SESSION],
        );
    }
}

#[test]
fn well_formed_user_auth_reaches_for_the_endpoint() {
    // Each is well-formed: the call is made, and fails (nothing listens): exit 1.
    let cli = cli();
    let mut runs = vec![
        (user_auth(&cli, "USERNAME=alice", &[]), "InitiateAuth"),
        (
            user_auth(
                &cli,
                "USERNAME=alice,PREFERRED_CHALLENGE=PASSWORD_SRP,PASSWORD=hunter2-secret",
                &["--user-pool-id", POOL],
            ),
            "InitiateAuth",
        ),
        (
            cli.run(&[
                "admin-initiate-auth",
                "--user-pool-id",
                POOL,
                "--client-id",
                CLIENT,
                "--auth-flow",
                "USER_AUTH",
                "--auth-parameters",
                "USERNAME=alice,PREFERRED_CHALLENGE=PASSWORD,PASSWORD=hunter2-secret",
            ]),
            "AdminInitiateAuth",
        ),
    ];
    for (challenge, responses, extra) in [
        (
            "SELECT_CHALLENGE",
            "USERNAME=alice,ANSWER=EMAIL_OTP",
            &[][..],
        ),
        (
            "SELECT_CHALLENGE",
            "USERNAME=alice,ANSWER=PASSWORD_SRP,PASSWORD=hunter2-secret",
            &["--user-pool-id", POOL][..],
        ),
        (
            "EMAIL_OTP",
            "USERNAME=alice,EMAIL_OTP_CODE=1234 5678",
            &[][..],
        ),
        ("SMS_OTP", "USERNAME=alice,SMS_OTP_CODE=123456", &[][..]),
        (
            "WEB_AUTHN",
            r#"{"USERNAME":"alice","CREDENTIAL":"{\"id\":\"c\",\"type\":\"public-key\"}"}"#,
            &[][..],
        ),
    ] {
        runs.push((
            respond_to(&cli, challenge, responses, extra),
            "RespondToAuthChallenge",
        ));
    }
    for (run, operation) in runs {
        assert_eq!(run.code(), 1, "{run:#?}");
        assert_eq!(run.stderr_lines().len(), 1, "{run:#?}");
        assert!(
            run.stderr
                .starts_with(&format!("error: Transport: {operation} ")),
            "{run:#?}"
        );
        for secret in ["hunter2-secret", SESSION, "1234 5678"] {
            assert!(!run.stderr.contains(secret), "{secret:?} in {run:#?}");
        }
    }
}
