//! `cargo run --example web` as the README says: offline, it prints the URL and the seeded
//! credentials and serves the sign-in page there; online (the AWS SDK against the local Cognito
//! endpoint, feature `local-endpoint`), a person signs in over SRP and sets up TOTP with plain
//! HTTP requests, and remembers a device. The example is killed when each test ends.

use crate::common::cli::example_binary;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Kills the example when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The example started with `args` and `env`, once it printed its URL.
struct Web {
    _running: Running,
    printed: Vec<String>,
    host_port: String,
}

impl Web {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(example_binary("web"));
        command
            .args(["--port", "0"])
            .args(args)
            .env_remove("RUST_LOG")
            .env_remove("WEB_COOKIE_KEY")
            .env_remove("COGNITO_CLIENT_SECRET")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("start the web example");
        let stdout = child.stdout.take().unwrap();
        let running = Running(child);

        // Lines until the URL, read on a thread so a silent example fails the test, not hangs it.
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let done = line.starts_with("open");
                if lines.send(line).is_err() || done {
                    return;
                }
            }
        });
        let mut printed = Vec::new();
        loop {
            let line = received
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no URL printed within 60 s; printed: {printed:#?}"));
            let done = line.starts_with("open");
            printed.push(line);
            if done {
                break;
            }
        }
        let mut web = Self {
            _running: running,
            printed,
            host_port: String::new(),
        };
        let url = web.value("open");
        web.host_port = url
            .strip_prefix("http://127.0.0.1:")
            .map(|rest| format!("127.0.0.1:{}", rest.trim_end_matches('/')))
            .unwrap_or_else(|| panic!("a URL on 127.0.0.1: {url}"));
        web
    }

    /// The first word after `label` on the line that starts with it.
    fn value(&self, label: &str) -> String {
        self.printed
            .iter()
            .find_map(|l| l.strip_prefix(label))
            .map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .unwrap_or_else(|| panic!("no {label:?} line in {:#?}", self.printed))
    }

    /// One HTTP/1.1 request; the whole answer as text.
    fn request(&self, method: &str, path: &str, cookie: Option<&str>, form: &str) -> String {
        let mut stream = TcpStream::connect(&self.host_port).expect("connect to the example");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{cookie}\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            self.host_port,
            form.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read the answer");
        answer
    }
}

/// The value of `name="csrf" value="..."` in a page.
#[cfg(feature = "local-endpoint")]
fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[at..].split('"').next().unwrap().to_owned()
}

/// `Location:` of a redirect.
#[cfg(feature = "local-endpoint")]
fn location(answer: &str) -> &str {
    answer
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap_or_else(|| panic!("not a redirect: {answer}"))
        .trim()
}

#[test]
fn the_web_example_runs_offline_and_prints_where_and_who() {
    let web = Web::start(&[], &[]);
    assert!(
        web.value("backend").starts_with("in-memory"),
        "{:#?}",
        web.printed
    );
    assert_eq!(web.value("user"), "alice");
    assert!(web.value("password").len() >= 8, "{:#?}", web.printed);

    // It serves the sign-in page there.
    let page = web.request("GET", "/", None, "");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("<h1>Sign in</h1>"), "{page}");
    assert!(page.contains("id=\"username\""), "{page}");
}

/// The AWS environment of an online run: a region, dummy credentials, no profile files.
#[cfg(feature = "local-endpoint")]
const ONLINE_ENV: &[(&str, &str)] = &[
    ("AWS_REGION", "us-east-1"),
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_CONFIG_FILE", "/nonexistent/aws/config"),
    (
        "AWS_SHARED_CREDENTIALS_FILE",
        "/nonexistent/aws/credentials",
    ),
    ("AWS_EC2_METADATA_DISABLED", "true"),
];

/// The `name=value` of the cookie `name` an answer sets, if it sets one.
#[cfg(feature = "local-endpoint")]
fn set_cookie<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    answer
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .filter_map(|c| c.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
}

/// Online: the same binary through the AWS SDK against the local Cognito endpoint, with a pool
/// that demands MFA: SRP sign-in, the setup page, the code, signed in.
#[cfg(feature = "local-endpoint")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_example_signs_in_online_through_the_sdk() {
    use cognito_mfa::TotpSecret;
    use cognito_mfa::backend::{PoolMfaConfig, PoolMfaMode};
    use cognito_mfa::testing::{Authenticator, ClientOptions, LocalCognito};

    let local = LocalCognito::start().await.unwrap();
    let pool = local.create_pool("web");
    pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::On, true));
    let client = pool.create_client(ClientOptions::new()).unwrap();
    pool.create_user("bob", "Bobs-Passw0rd!").unwrap();
    let endpoint = local.endpoint();
    let pool_id = pool.pool_id().to_owned();

    let flow = tokio::task::spawn_blocking(move || {
        let web = Web::start(
            &[
                "--user-pool-id",
                &pool_id,
                "--client-id",
                &client.client_id,
                "--endpoint-url",
                &endpoint,
            ],
            ONLINE_ENV,
        );
        assert!(
            web.printed.iter().any(|l| l.contains(&pool_id)),
            "{:#?}",
            web.printed
        );
        let page = web.request("GET", "/", None, "");
        let cookie = page
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: "))
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let form = format!("csrf={}&username=bob&password=Bobs-Passw0rd!", csrf(&page));
        let answer = web.request("POST", "/sign-in", Some(&cookie), &form);
        assert_eq!(location(&answer), "/setup", "{answer}");
        let setup = web.request("GET", "/setup", Some(&cookie), "");
        let at = setup.find("id=\"setup-key\">").expect("a setup key") + 15;
        let key: String = setup[at..].split('<').next().unwrap().replace(' ', "");
        let code = Authenticator::new(&TotpSecret::new(key))
            .unwrap()
            .current_code();
        let form = format!("csrf={}&code={}", csrf(&setup), code.expose_secret());
        let answer = web.request("POST", "/setup", Some(&cookie), &form);
        assert_eq!(location(&answer), "/signed-in", "{answer}");
        // Signed in under a new session id.
        let cookie = answer
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: "))
            .and_then(|c| c.split(';').next())
            .expect("a rotated session cookie")
            .to_owned();
        let signed_in = web.request("GET", "/signed-in", Some(&cookie), "");
        assert!(
            signed_in.contains("<strong id=\"who\">bob</strong>"),
            "{signed_in}"
        );
        assert!(signed_in.contains("id=\"mfa\">on"), "{signed_in}");
    });
    flow.await.unwrap();
}

/// Online, remembered devices through the AWS SDK against the local endpoint (a pool that
/// tracks devices, opt-in, remembered ones skipping MFA): the code with "remember this device"
/// confirms the device (ConfirmDevice, UpdateDeviceStatus over HTTP); a sign-in presenting the
/// cookie asks no code (DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER over HTTP, the proof
/// checked by the pool); the account page lists it (ListDevices) and forgets it (ForgetDevice).
/// The endpoint runs on a manual clock, moved to the next 30-second step for the second code.
#[cfg(feature = "local-endpoint")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_example_remembers_a_device_online_through_the_sdk() {
    use cognito_mfa::TotpSecret;
    use cognito_mfa::backend::{
        DeviceConfiguration, DeviceRememberedStatus, PoolMfaConfig, PoolMfaMode, UserTarget,
    };
    use cognito_mfa::device;
    use cognito_mfa::testing::{Authenticator, ClientOptions, LocalCognito, ManualClock};

    // The example runs on the system clock and verifies the ID token it gets: a pool clock ahead
    // of it would issue tokens from the future. A minute behind, advanced by 30 s below, it stays
    // behind, and within the pool's five minutes for the device proof's TIMESTAMP.
    let clock = ManualClock::new(std::time::SystemTime::now() - Duration::from_secs(60));
    let local = LocalCognito::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let pool = local.create_pool("web-devices");
    pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::On, true));
    pool.set_device_configuration(Some(DeviceConfiguration::new(true, true)));
    let client = pool.create_client(ClientOptions::new()).unwrap();
    pool.create_user("bob", "Bobs-Passw0rd!").unwrap();
    let endpoint = local.endpoint();
    let pool_id = pool.pool_id().to_owned();
    let runtime = tokio::runtime::Handle::current();

    let flow = tokio::task::spawn_blocking(move || {
        let bobs_devices = || {
            runtime
                .block_on(device::list_all(
                    &pool,
                    UserTarget::Admin {
                        user_pool_id: pool_id.clone(),
                        username: "bob".into(),
                    },
                ))
                .expect("AdminListDevices")
        };
        let web = Web::start(
            &[
                "--user-pool-id",
                &pool_id,
                "--client-id",
                &client.client_id,
                "--endpoint-url",
                &endpoint,
            ],
            ONLINE_ENV,
        );
        // A fresh session's sign-in; the answer and the session cookie.
        let sign_in = |device: Option<&str>| {
            let page = web.request("GET", "/", None, "");
            let sid = set_cookie(&page, "sid")
                .expect("a session cookie")
                .to_owned();
            let cookies = match device {
                Some(device) => format!("{sid}; {device}"),
                None => sid.clone(),
            };
            let form = format!("csrf={}&username=bob&password=Bobs-Passw0rd!", csrf(&page));
            (web.request("POST", "/sign-in", Some(&cookies), &form), sid)
        };

        // First sign-in: the setup, no device remembered.
        let (answer, sid) = sign_in(None);
        assert_eq!(location(&answer), "/setup", "{answer}");
        let setup = web.request("GET", "/setup", Some(&sid), "");
        let at = setup.find("id=\"setup-key\">").expect("a setup key") + 15;
        let key: String = setup[at..].split('<').next().unwrap().replace(' ', "");
        let phone = Authenticator::new(&TotpSecret::new(key)).unwrap();
        let code = phone.code_for_clock(&clock);
        let form = format!("csrf={}&code={}", csrf(&setup), code.expose_secret());
        let answer = web.request("POST", "/setup", Some(&sid), &form);
        assert_eq!(location(&answer), "/signed-in", "{answer}");
        assert!(set_cookie(&answer, "device").is_none(), "{answer}");
        assert!(bobs_devices().is_empty(), "nothing remembered unasked");

        // Second sign-in: the code with the box ticked.
        clock.advance(Duration::from_secs(30));
        let (answer, sid) = sign_in(None);
        assert_eq!(location(&answer), "/code", "{answer}");
        let page = web.request("GET", "/code", Some(&sid), "");
        let code = phone.code_for_clock(&clock);
        let form = format!(
            "csrf={}&code={}&remember=yes",
            csrf(&page),
            code.expose_secret()
        );
        let answer = web.request("POST", "/code", Some(&sid), &form);
        assert_eq!(location(&answer), "/signed-in", "{answer}");
        let device = set_cookie(&answer, "device")
            .expect("the device cookie")
            .to_owned();
        let remembered = bobs_devices();
        assert_eq!(remembered.len(), 1, "{remembered:?}");
        assert_eq!(
            remembered[0].name(),
            Some("Web browser"),
            "no User-Agent sent"
        );
        assert_eq!(
            remembered[0].remembered_status(),
            Some(DeviceRememberedStatus::Remembered)
        );
        assert!(
            !device.contains(&remembered[0].device_key),
            "the cookie is encrypted: {device}"
        );

        // Third sign-in, presenting the device: no code.
        let (answer, _) = sign_in(Some(&device));
        assert_eq!(location(&answer), "/signed-in", "{answer}");
        let sid = set_cookie(&answer, "sid")
            .expect("a rotated session")
            .to_owned();
        let cookies = format!("{sid}; {device}");
        let account = web.request("GET", "/account", Some(&cookies), "");
        assert!(account.contains("Web browser"), "{account}");
        assert!(account.contains("(this browser)"), "{account}");

        // Forget it from the account page: gone at Cognito, the cookie removed.
        let form = format!(
            "csrf={}&device_key={}",
            csrf(&account),
            remembered[0].device_key
        );
        let answer = web.request("POST", "/account/devices/forget", Some(&cookies), &form);
        assert_eq!(location(&answer), "/account", "{answer}");
        assert_eq!(set_cookie(&answer, "device"), Some("device="), "{answer}");
        assert!(bobs_devices().is_empty());
    });
    flow.await.unwrap();
}
