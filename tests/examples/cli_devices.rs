//! Remembered devices the AWS CLI way, typed into the `cognito-idp` example against the local
//! endpoint (`testing::LocalCognito`: moto has no devices): sign in with a code, confirm the
//! device into a `--device-file`, list and get it, sign in on it without a code, make it not
//! remembered (the code again, and the device's proof after it), forget it (a warning, the code
//! again). The pool checks the device's SRP proof against the verifier the tool registered, so
//! a sign-in that skips the code proves the file holds the right device password.
//!
//! The endpoint runs on a `ManualClock` set to known instants, so the codes are the
//! authenticator's for that instant and the dates printed are known answers (the AWS CLI's
//! form, Python's `datetime.isoformat()`, with the date and time from GNU `date`).

use crate::cli_walkthrough::{assert_challenge, assert_silent_success, keys, text};
use crate::common::cli::{CognitoIdp, Run, scratch_dir};
use cognito_mfa::TotpSecret;
use cognito_mfa::backend::{DeviceConfiguration, PoolMfaConfig, PoolMfaMode};
use cognito_mfa::testing::{Authenticator, ClientOptions, LocalCognito, ManualClock};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, SystemTime};

const PASSWORD: &str = "Device-Pass-1!";

/// The instant `offset_secs` after `base_secs` and a half second: exact in the endpoint's float
/// seconds, so the dates printed carry a known fraction.
fn at(base_secs: u64, offset_secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH
        + Duration::from_secs(base_secs + offset_secs)
        + Duration::from_millis(500)
}

/// What the AWS CLI prints for `at(base_secs, offset_secs)` (Python's `isoformat()` in UTC),
/// with the date and time from GNU `date`, an implementation nobody here wrote.
fn aws_cli_date(base_secs: u64, offset_secs: u64) -> String {
    let out = std::process::Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("@{}", base_secs + offset_secs),
            "+%Y-%m-%dT%H:%M:%S",
        ])
        .output()
        .expect("GNU date");
    assert!(out.status.success(), "{out:?}");
    format!(
        "{}.500000+00:00",
        String::from_utf8(out.stdout).unwrap().trim()
    )
}

/// The device attributes as (name, value) pairs.
fn attributes(device: &Value) -> Vec<(String, String)> {
    device["DeviceAttributes"]
        .as_array()
        .unwrap_or_else(|| panic!("no DeviceAttributes in {device:#}"))
        .iter()
        .map(|a| {
            assert_eq!(keys(a), ["Name", "Value"], "{a:#}");
            (text(a, "Name").to_owned(), text(a, "Value").to_owned())
        })
        .collect()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

struct Walkthrough {
    #[allow(dead_code)] // held for its Drop: the endpoint stops with the test
    server: LocalCognito,
    clock: ManualClock,
    pool_id: String,
    client_id: String,
    cli: CognitoIdp,
    /// A minute before the test began, in whole seconds: the clock runs from there, staying
    /// within the five minutes the pool allows between an SRP TIMESTAMP (the example's own
    /// clock) and its own.
    base_secs: u64,
}

impl Walkthrough {
    /// An OPTIONAL pool with TOTP whose DeviceConfiguration remembers every confirmed device and
    /// lets remembered devices skip MFA (ChallengeRequiredOnNewDevice=true,
    /// DeviceOnlyRememberedOnUserPrompt=false), a public client and `user`.
    async fn new(user: &str) -> Self {
        let base_secs = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - 60;
        let clock = ManualClock::new(at(base_secs, 0));
        let server = LocalCognito::builder()
            .clock(clock.clone())
            .start()
            .await
            .expect("a local endpoint");
        let pool = server.create_pool("cli-devices");
        pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
        pool.set_device_configuration(Some(DeviceConfiguration::new(true, false)));
        let client = pool
            .create_client(ClientOptions::new())
            .expect("an app client");
        pool.create_user(user, PASSWORD).expect("a user");
        let cli = CognitoIdp::new(server.endpoint());
        Self {
            pool_id: pool.pool_id().to_owned(),
            client_id: client.client_id,
            server,
            clock,
            cli,
            base_secs,
        }
    }

    fn srp(&self, user: &str, device_file: Option<&Path>) -> Run {
        let parameters = format!("USERNAME={user},PASSWORD={PASSWORD}");
        let file = device_file.map(|p| p.to_str().unwrap());
        let mut args = vec![
            "initiate-auth",
            "--client-id",
            &self.client_id,
            "--user-pool-id",
            &self.pool_id,
            "--auth-flow",
            "USER_SRP_AUTH",
            "--auth-parameters",
            &parameters,
        ];
        if let Some(file) = file {
            args.extend(["--device-file", file]);
        }
        self.cli.run(&args)
    }

    fn respond_with_code(
        &self,
        user: &str,
        session: &str,
        code: &str,
        device_file: Option<&Path>,
    ) -> Run {
        let responses = format!("USERNAME={user},SOFTWARE_TOKEN_MFA_CODE={code}");
        let file = device_file.map(|p| p.to_str().unwrap());
        let mut args = vec![
            "respond-to-auth-challenge",
            "--client-id",
            &self.client_id,
            "--challenge-name",
            "SOFTWARE_TOKEN_MFA",
            "--session",
            session,
            "--challenge-responses",
            &responses,
        ];
        if let Some(file) = file {
            args.extend(["--device-file", file]);
        }
        self.cli.run(&args)
    }

    fn set_clock(&self, offset: u64) {
        self.clock.set(at(self.base_secs, offset));
    }

    fn date(&self, offset: u64) -> String {
        aws_cli_date(self.base_secs, offset)
    }

    /// The authenticator's code at `at(offset)`, with the clock set there.
    fn code_at(&self, secret: &TotpSecret, offset: u64) -> String {
        self.set_clock(offset);
        Authenticator::new(secret)
            .unwrap()
            .code_for_clock(&self.clock)
            .expose_secret()
            .to_owned()
    }
}

/// Asserts an AuthenticationResult with an access token; returns it. (Lighter than the
/// walkthrough's `assert_tokens`: a refresh brings no refresh token.)
#[track_caller]
fn assert_result(out: &Value) -> &Value {
    assert_eq!(keys(out), ["AuthenticationResult"], "{out:#}");
    let result = &out["AuthenticationResult"];
    text(result, "AccessToken");
    result
}

// Multi-threaded: the endpoint serves while the test blocks on the example's runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remembered_device_walkthrough() {
    let w = Walkthrough::new("alice").await;
    let cli = &w.cli;
    let dir = scratch_dir("cli-devices-walkthrough");
    let device_file = dir.join("alice.device.json");
    let device_arg = device_file.to_str().unwrap();

    // No factor yet: tokens at once (and a device, not confirmed: a first sign-in's).
    let out = w.srp("alice", None).json();
    let access_token = text(assert_result(&out), "AccessToken").to_owned();

    // Enroll TOTP the AWS CLI way.
    let out = cli.json(&["associate-software-token", "--access-token", &access_token]);
    let secret = TotpSecret::new(text(&out, "SecretCode"));
    let code = w.code_at(&secret, 30);
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

    // SRP and a code: the tokens bring NewDeviceMetadata.
    let code = w.code_at(&secret, 60);
    let out = w.srp("alice", None).json();
    let session = assert_challenge(&out, "SOFTWARE_TOKEN_MFA");
    let out = w.respond_with_code("alice", session, &code, None).json();
    let result = assert_result(&out);
    let access_token = text(result, "AccessToken").to_owned();
    let metadata = &result["NewDeviceMetadata"];
    assert_eq!(keys(metadata), ["DeviceGroupKey", "DeviceKey"], "{out:#}");
    let device_key = text(metadata, "DeviceKey").to_owned();
    let group_key = text(metadata, "DeviceGroupKey").to_owned();

    // confirm-device: the verifier computed here, the device in a 0600 file, the AWS CLI's
    // answer on stdout.
    let confirm = |path: &str| {
        cli.run(&[
            "confirm-device",
            "--access-token",
            &access_token,
            "--device-key",
            &device_key,
            "--device-group-key",
            &group_key,
            "--device-name",
            "Build box",
            "--device-file",
            path,
        ])
    };
    let run = confirm(device_arg);
    assert_eq!(run.stderr, "", "{run:#?}");
    assert_eq!(
        run.json(),
        serde_json::json!({ "UserConfirmationNecessary": false })
    );
    #[cfg(unix)]
    assert_eq!(mode(&device_file), 0o600);
    let stored_text = std::fs::read_to_string(&device_file).unwrap();
    let stored: Value = serde_json::from_str(&stored_text).unwrap();
    assert_eq!(
        keys(&stored),
        ["device_group_key", "device_key", "device_password", "v"]
    );
    assert_eq!(stored["v"], 1);
    assert_eq!(stored["device_key"], device_key.as_str());
    assert_eq!(stored["device_group_key"], group_key.as_str());
    assert_eq!(
        text(&stored, "device_password").len(),
        56,
        "base64 of 40 bytes"
    );
    assert!(!run.stdout.contains(text(&stored, "device_password")));

    // The file is never overwritten: a second confirm-device to it is refused before any call.
    let again = confirm(device_arg);
    assert_eq!(again.code(), 2, "{again:#?}");
    assert!(again.stderr.contains("exists"), "{again:#?}");
    assert_eq!(std::fs::read_to_string(&device_file).unwrap(), stored_text);

    // list-devices / get-device and the admin twins: the AWS CLI's shape, dates as it prints
    // them (known answers: the device was made at +60s and is not yet authenticated).
    let out = cli.json(&["list-devices", "--access-token", &access_token]);
    assert_eq!(
        keys(&out),
        ["Devices"],
        "one page, no PaginationToken: {out:#}"
    );
    let listed = out["Devices"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1, "the confirmed device only: {out:#}");
    let device = &listed[0];
    assert_eq!(
        keys(device),
        [
            "DeviceAttributes",
            "DeviceCreateDate",
            "DeviceKey",
            "DeviceLastModifiedDate"
        ],
        "{device:#}"
    );
    assert_eq!(device["DeviceKey"], device_key.as_str());
    assert_eq!(device["DeviceCreateDate"], w.date(60).as_str());
    assert_eq!(device["DeviceLastModifiedDate"], w.date(60).as_str());
    let attributes = attributes(device);
    assert!(
        attributes.contains(&("device_name".into(), "Build box".into())),
        "{attributes:?}"
    );
    assert!(
        attributes.contains(&("dev:device_remembered_status".into(), "remembered".into())),
        "{attributes:?}"
    );
    let out = cli.json(&[
        "get-device",
        "--access-token",
        &access_token,
        "--device-key",
        &device_key,
    ]);
    assert_eq!(out, serde_json::json!({ "Device": device }));
    let admin = ["--user-pool-id", w.pool_id.as_str(), "--username", "alice"];
    let out = cli.json(&[&["admin-list-devices"][..], &admin[..]].concat());
    assert_eq!(out, serde_json::json!({ "Devices": listed }));
    let admin_get = || {
        cli.run(
            &[
                &["admin-get-device", "--device-key", &device_key][..],
                &admin[..],
            ]
            .concat(),
        )
    };
    let out = admin_get().json();
    assert_eq!(out, serde_json::json!({ "Device": device }));

    // A sign-in on the device: no code, no new device; the device's last sign-in is recorded.
    w.set_clock(90);
    let run = w.srp("alice", Some(&device_file));
    assert_eq!(run.stderr, "", "{run:#?}");
    let out = run.json();
    let result = assert_result(&out);
    assert!(result.get("NewDeviceMetadata").is_none(), "{out:#}");
    let refresh_token = text(result, "RefreshToken").to_owned();
    let got = admin_get().json();
    assert_eq!(
        got["Device"]["DeviceLastAuthenticatedDate"],
        w.date(90).as_str(),
        "{got:#}"
    );

    // The admin password flow and a refresh on the device.
    let out = cli.json(&[
        "admin-initiate-auth",
        "--user-pool-id",
        &w.pool_id,
        "--client-id",
        &w.client_id,
        "--auth-flow",
        "ADMIN_USER_PASSWORD_AUTH",
        "--auth-parameters",
        &format!("USERNAME=alice,PASSWORD={PASSWORD}"),
        "--device-file",
        device_arg,
    ]);
    assert!(assert_result(&out).get("NewDeviceMetadata").is_none());
    let refresh = || {
        cli.run(&[
            "initiate-auth",
            "--client-id",
            &w.client_id,
            "--auth-flow",
            "REFRESH_TOKEN_AUTH",
            "--auth-parameters",
            &format!("REFRESH_TOKEN={refresh_token}"),
            "--device-file",
            device_arg,
        ])
    };
    assert_result(&refresh().json());

    // Not remembered: the next sign-in with the file asks for the code, and the device proves
    // itself after it (no new device, and its last sign-in moves on).
    assert_silent_success(&cli.run(&[
        "update-device-status",
        "--access-token",
        &access_token,
        "--device-key",
        &device_key,
        "--device-remembered-status",
        "not_remembered",
    ]));
    let out = cli.json(&["list-devices", "--access-token", &access_token]);
    assert_eq!(
        out,
        serde_json::json!({ "Devices": [] }),
        "lists remembered devices only"
    );
    let code = w.code_at(&secret, 120);
    let out = w.srp("alice", Some(&device_file)).json();
    let session = assert_challenge(&out, "SOFTWARE_TOKEN_MFA");
    let run = w.respond_with_code("alice", session, &code, Some(&device_file));
    assert_eq!(run.stderr, "", "{run:#?}");
    let out = run.json();
    assert!(
        assert_result(&out).get("NewDeviceMetadata").is_none(),
        "{out:#}"
    );
    let got = admin_get().json();
    assert_eq!(
        got["Device"]["DeviceLastAuthenticatedDate"],
        w.date(120).as_str(),
        "the device's proof after the code: {got:#}"
    );

    // Remembered again by an administrator, then forgotten: the next sign-in with the file says
    // the file is stale (and leaves it), and goes on without the device: the code again.
    assert_silent_success(
        &cli.run(
            &[
                &[
                    "admin-update-device-status",
                    "--device-key",
                    &device_key,
                    "--device-remembered-status",
                    "remembered",
                ][..],
                &admin[..],
            ]
            .concat(),
        ),
    );
    assert_silent_success(
        &cli.run(
            &[
                &["admin-forget-device", "--device-key", &device_key][..],
                &admin[..],
            ]
            .concat(),
        ),
    );
    let code = w.code_at(&secret, 150);
    let run = w.srp("alice", Some(&device_file));
    let out = run.json();
    let session = assert_challenge(&out, "SOFTWARE_TOKEN_MFA");
    let warning = run.stderr_lines();
    assert_eq!(warning.len(), 1, "{run:#?}");
    assert!(warning[0].starts_with("warning: "), "{run:#?}");
    for said in ["stale", device_arg, &device_key, "confirm-device"] {
        assert!(warning[0].contains(said), "{said:?} missing: {run:#?}");
    }
    assert!(device_file.exists(), "the user's file is left alone");
    let out = w.respond_with_code("alice", session, &code, None).json();
    assert_eq!(
        keys(&assert_result(&out)["NewDeviceMetadata"]),
        ["DeviceGroupKey", "DeviceKey"],
        "a new device to confirm: {out:#}"
    );

    // A refresh on the forgotten device: refused, with the same advice.
    let run = refresh();
    assert_eq!(run.code(), 1, "{run:#?}");
    assert_eq!(run.stdout, "", "{run:#?}");
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 2, "the warning and the error: {run:#?}");
    assert!(
        lines[0].starts_with("warning: ") && lines[0].contains("stale"),
        "{run:#?}"
    );
    assert!(
        lines[0].contains("sign in again without --device-file"),
        "{run:#?}"
    );
    assert!(lines[1].starts_with("error: DeviceNotFound"), "{run:#?}");

    // get-device of the forgotten device: a one-line service error.
    let run = admin_get();
    assert_eq!(run.code(), 1, "{run:#?}");
    assert_eq!(run.stderr_lines().len(), 1, "{run:#?}");
}

// Multi-threaded: the endpoint serves while the test blocks on the example's runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_devices_pages_with_the_aws_cli_s_flags() {
    let w = Walkthrough::new("bob").await;
    let cli = &w.cli;
    let dir = scratch_dir("cli-devices-pages");
    // Three devices, each from its own sign-in (no MFA: the password alone), each confirmed.
    let mut keys_made = Vec::new();
    let mut access_token = String::new();
    for i in 0..3 {
        w.set_clock(i * 30);
        let out = w.srp("bob", None).json();
        let result = assert_result(&out);
        access_token = text(result, "AccessToken").to_owned();
        let metadata = &result["NewDeviceMetadata"];
        let key = text(metadata, "DeviceKey").to_owned();
        let path = dir.join(format!("bob-{i}.json"));
        let out = cli.json(&[
            "confirm-device",
            "--access-token",
            &access_token,
            "--device-key",
            &key,
            "--device-group-key",
            text(metadata, "DeviceGroupKey"),
            "--device-file",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out["UserConfirmationNecessary"], false);
        keys_made.push(key);
    }
    let page = |token: Option<&str>| {
        let mut args = vec![
            "list-devices",
            "--access-token",
            &access_token,
            "--limit",
            "2",
        ];
        if let Some(token) = token {
            args.extend(["--pagination-token", token]);
        }
        cli.json(&args)
    };
    let first = page(None);
    assert_eq!(keys(&first), ["Devices", "PaginationToken"], "{first:#}");
    let second = page(Some(text(&first, "PaginationToken")));
    assert_eq!(keys(&second), ["Devices"], "the last page: {second:#}");
    let listed: Vec<&str> = first["Devices"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["Devices"].as_array().unwrap())
        .map(|d| text(d, "DeviceKey"))
        .collect();
    assert_eq!(listed, keys_made);
}
