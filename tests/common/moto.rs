//! A moto server to run the integration tests against, and fixtures built with the raw SDK.
//!
//! The server is `tests/moto/launch.py` (moto's server plus one patch: `MFAS_CAN_SETUP` is sent
//! as JSON text in a string, as Cognito does). It runs under the Python named by
//! `$COGNITO_MFA_MOTO_PYTHON`, else `target/moto-venv/bin/python`; `bash tests/run.sh` creates
//! that virtualenv with the pinned moto. The server's output goes to
//! `target/moto-logs/moto-<pid>-<port>.log`.
//!
//! Fixtures use the raw `aws-sdk-cognitoidentityprovider` client: tests may set up with it, the
//! library under test is what they exercise. Each test makes its own pool, so tests can share a
//! server and run in parallel.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{Credentials, Region};
use aws_sdk_cognitoidentityprovider::error::DisplayErrorContext;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, MessageActionType, SoftwareTokenMfaConfigType,
    UserPoolMfaType,
};
use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};

/// The region every test uses (moto accepts any; one everywhere keeps the backends together).
pub const REGION: &str = "us-east-1";

/// The TOTP secret moto hands to every user: lowercase, unpadded, 12 characters (7 bytes).
pub const MOTO_TOTP_SECRET: &str = "asdfasdfasdf";

/// How long to wait for the server to answer after spawning it.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Environment variable naming the Python that has `moto[server]` installed.
const PYTHON_ENV: &str = "COGNITO_MFA_MOTO_PYTHON";

/// A running moto server. [`MotoServer::start`] owns its process and kills it on drop;
/// [`MotoServer::shared`] is one server per test binary, which stops when the binary exits
/// (the launcher watches its parent, since statics are never dropped).
pub struct MotoServer {
    child: Child,
    pub port: u16,
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    log_path: PathBuf,
}

impl MotoServer {
    /// The server shared by all the tests of this test binary, started on first use.
    pub fn shared() -> &'static MotoServer {
        static SHARED: OnceLock<MotoServer> = OnceLock::new();
        SHARED.get_or_init(MotoServer::start)
    }

    /// A fresh server of its own (for tests that need empty state or to stop the server).
    /// Panics, with the tail of the server's log, when it does not come up.
    pub fn start() -> MotoServer {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let python = python_path(manifest_dir);
        let launcher = manifest_dir.join("tests/moto/launch.py");
        let log_dir = manifest_dir.join("target/moto-logs");
        fs::create_dir_all(&log_dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", log_dir.display()));

        // The free port is released before moto binds it, so another process may take it in
        // between: try a few ports before giving up.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let port = free_port();
            let log_path = log_dir.join(format!("moto-{}-{port}.log", std::process::id()));
            let log = File::create(&log_path)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
            let log_for_stdout = log
                .try_clone()
                .unwrap_or_else(|e| panic!("cannot clone {}: {e}", log_path.display()));
            let started = Instant::now();
            let mut child = Command::new(&python)
                .arg(&launcher)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .env("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
                .env("PYTHONUNBUFFERED", "1")
                .current_dir(manifest_dir)
                .stdin(Stdio::null())
                .stdout(log_for_stdout)
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot run moto's launcher with {}: {e}\n{}",
                        python.display(),
                        setup_hint()
                    )
                });

            match wait_until_ready(&mut child, port, started + START_TIMEOUT) {
                Ok(()) => {
                    return MotoServer {
                        child,
                        port,
                        endpoint: format!("http://127.0.0.1:{port}"),
                        log_path,
                    };
                }
                Err(failure) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = fs::read_to_string(&log_path).unwrap_or_default();
                    let port_taken = matches!(failure, StartFailure::Exited(_))
                        && log.contains("Address already in use");
                    if port_taken && attempts < 3 {
                        continue;
                    }
                    panic!(
                        "moto server (python {}, port {port}) did not start after {:.1} s: \
                         {failure}\nlog {}:\n{}\n{}",
                        python.display(),
                        started.elapsed().as_secs_f64(),
                        log_path.display(),
                        tail(&log, 40),
                        setup_hint()
                    );
                }
            }
        }
    }

    /// Where the server's stdout and stderr go.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// SDK configuration for this server: its endpoint, [`REGION`] and dummy credentials.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .load()
            .await
    }

    /// A raw Cognito client talking to this server.
    pub async fn client(&self) -> Client {
        Client::new(&self.sdk_config().await)
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn python_path(manifest_dir: &Path) -> PathBuf {
    match std::env::var_os(PYTHON_ENV) {
        Some(python) if !python.is_empty() => {
            let python = PathBuf::from(python);
            // A bare name is looked up on PATH by the spawn; a path must exist.
            if python.components().count() > 1 && !python.exists() {
                panic!(
                    "{PYTHON_ENV}={} does not exist.\n{}",
                    python.display(),
                    setup_hint()
                );
            }
            python
        }
        _ => {
            let python = manifest_dir.join("target/moto-venv/bin/python");
            if !python.exists() {
                panic!(
                    "the moto tests need Python with moto[server] at {} (or {PYTHON_ENV}), \
                     and there is none.\n{}",
                    python.display(),
                    setup_hint()
                );
            }
            python
        }
    }
}

fn setup_hint() -> &'static str {
    "Run the project's test command, `bash tests/run.sh`: it creates target/moto-venv with \
     moto[server]==5.2.1 and runs the whole suite. Or point COGNITO_MFA_MOTO_PYTHON at a Python \
     that has moto[server]==5.2.1."
}

pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap_or_else(|e| panic!("cannot bind a free port on 127.0.0.1: {e}"));
    listener
        .local_addr()
        .expect("local address of a bound listener")
        .port()
}

enum StartFailure {
    Exited(ExitStatus),
    TimedOut(String),
    Wait(std::io::Error),
}

impl std::fmt::Display for StartFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartFailure::Exited(status) => write!(f, "the launcher exited ({status})"),
            StartFailure::TimedOut(last) => write!(f, "no answer in time (last try: {last})"),
            StartFailure::Wait(e) => write!(f, "cannot watch the launcher: {e}"),
        }
    }
}

/// Polls until `GET /moto-api/` answers 200, the child exits, or the deadline passes.
fn wait_until_ready(child: &mut Child, port: u16, deadline: Instant) -> Result<(), StartFailure> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Err(StartFailure::Exited(status)),
            Ok(None) => {}
            Err(e) => return Err(StartFailure::Wait(e)),
        }
        let last = match http_get_status(address, "/moto-api/") {
            Ok(200) => return Ok(()),
            Ok(status) => format!("HTTP {status}"),
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            return Err(StartFailure::TimedOut(last));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The status code of a plain HTTP/1.1 GET, without an HTTP client dependency.
fn http_get_status(address: SocketAddr, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_millis(500))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let status_line = response.lines().next().unwrap_or_default();
    let mut parts = status_line.split_whitespace();
    match (parts.next(), parts.next().and_then(|s| s.parse().ok())) {
        (Some(version), Some(status)) if version.starts_with("HTTP/1.") => Ok(status),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not an HTTP response: {status_line:?}"),
        )),
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// ----------------------------------------------------------------------------------------------
// Fixtures
// ----------------------------------------------------------------------------------------------

/// A user pool and an app client on a moto server, made for one test.
pub struct TestPool {
    pub client: Client,
    pub pool_id: String,
    pub client_id: String,
    pub client_secret: Option<String>,
}

impl TestPool {
    /// A new pool with MFA `mfa` (`"OFF"`, `"ON"` or `"OPTIONAL"`; TOTP enabled unless OFF)
    /// and an app client, with a secret when `generate_secret`.
    pub async fn new(server: &MotoServer, mfa: &str, generate_secret: bool) -> TestPool {
        let client = server.client().await;
        let pool_id = create_pool(&client, mfa).await;
        let (client_id, client_secret) =
            create_app_client(&client, &pool_id, generate_secret).await;
        TestPool {
            client,
            pool_id,
            client_id,
            client_secret,
        }
    }

    /// See [`create_confirmed_user`].
    pub async fn create_confirmed_user(&self, username: &str, password: &str) {
        create_confirmed_user(&self.client, &self.pool_id, username, password).await;
    }

    /// See [`create_user_with_temp_password`].
    pub async fn create_user_with_temp_password(&self, username: &str, temp_password: &str) {
        create_user_with_temp_password(&self.client, &self.pool_id, username, temp_password).await;
    }

    /// See [`admin_password_sign_in`].
    pub async fn admin_password_sign_in(&self, username: &str, password: &str) -> String {
        admin_password_sign_in(
            &self.client,
            &self.pool_id,
            &self.client_id,
            self.client_secret.as_deref(),
            username,
            password,
        )
        .await
    }

    /// SECRET_HASH for `username`, when the app client has a secret.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.client_secret
            .as_deref()
            .map(|secret| secret_hash(secret, username, &self.client_id))
    }
}

static POOL_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates a user pool with a unique name and returns its id. `mfa` is `"OFF"`, `"ON"` or
/// `"OPTIONAL"`; for ON and OPTIONAL, TOTP (software token) MFA is enabled with
/// SetUserPoolMfaConfig.
pub async fn create_pool(client: &Client, mfa: &str) -> String {
    let mfa_type = match mfa {
        "OFF" => UserPoolMfaType::Off,
        "ON" => UserPoolMfaType::On,
        "OPTIONAL" => UserPoolMfaType::Optional,
        other => panic!("create_pool: MFA must be OFF, ON or OPTIONAL, not {other:?}"),
    };
    let name = format!(
        "cognito-mfa-test-{}-{}",
        std::process::id(),
        POOL_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let created = client
        .create_user_pool()
        .pool_name(&name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateUserPool {name}: {}", DisplayErrorContext(&e)));
    let pool_id = created
        .user_pool()
        .and_then(|pool| pool.id())
        .unwrap_or_else(|| panic!("CreateUserPool {name}: no pool id in {created:?}"))
        .to_owned();

    if mfa_type != UserPoolMfaType::Off {
        client
            .set_user_pool_mfa_config()
            .user_pool_id(&pool_id)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .mfa_configuration(mfa_type)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "SetUserPoolMfaConfig {pool_id} {mfa}: {}",
                    DisplayErrorContext(&e)
                )
            });
    }
    pool_id
}

/// Creates an app client that allows the admin and user password flows, SRP and refresh
/// tokens; returns its id and, with `generate_secret`, its secret.
pub async fn create_app_client(
    client: &Client,
    pool_id: &str,
    generate_secret: bool,
) -> (String, Option<String>) {
    let created = client
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("cognito-mfa-test-client")
        .generate_secret(generate_secret)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "CreateUserPoolClient {pool_id}: {}",
                DisplayErrorContext(&e)
            )
        });
    let app_client = created
        .user_pool_client()
        .unwrap_or_else(|| panic!("CreateUserPoolClient {pool_id}: no client in {created:?}"));
    let client_id = app_client
        .client_id()
        .unwrap_or_else(|| panic!("CreateUserPoolClient {pool_id}: no client id"))
        .to_owned();
    let client_secret = app_client.client_secret().map(str::to_owned);
    assert_eq!(
        client_secret.is_some(),
        generate_secret,
        "CreateUserPoolClient {pool_id}: generate_secret={generate_secret} but secret is {client_secret:?}"
    );
    (client_id, client_secret)
}

/// Creates an app client that allows exactly `flows`; returns its id and, with
/// `generate_secret`, its secret.
pub async fn create_app_client_with_flows(
    client: &Client,
    pool_id: &str,
    flows: &[ExplicitAuthFlowsType],
    generate_secret: bool,
) -> (String, Option<String>) {
    let created = client
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("cognito-mfa-test-narrow-client")
        .generate_secret(generate_secret)
        .set_explicit_auth_flows(Some(flows.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "CreateUserPoolClient {pool_id}: {}",
                DisplayErrorContext(&e)
            )
        });
    let app_client = created
        .user_pool_client()
        .unwrap_or_else(|| panic!("CreateUserPoolClient {pool_id}: no client in {created:?}"));
    let client_id = app_client
        .client_id()
        .unwrap_or_else(|| panic!("CreateUserPoolClient {pool_id}: no client id"))
        .to_owned();
    (client_id, app_client.client_secret().map(str::to_owned))
}

/// Creates a CONFIRMED user with a permanent password (no invitation message).
pub async fn create_confirmed_user(client: &Client, pool_id: &str, username: &str, password: &str) {
    client
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "AdminCreateUser {pool_id} {username}: {}",
                DisplayErrorContext(&e)
            )
        });
    client
        .admin_set_user_password()
        .user_pool_id(pool_id)
        .username(username)
        .password(password)
        .permanent(true)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "AdminSetUserPassword {pool_id} {username}: {}",
                DisplayErrorContext(&e)
            )
        });
}

/// Creates a user in FORCE_CHANGE_PASSWORD with `temp_password` (no invitation message): the
/// first sign-in answers NEW_PASSWORD_REQUIRED, then MFA_SETUP on a pool with MFA ON.
pub async fn create_user_with_temp_password(
    client: &Client,
    pool_id: &str,
    username: &str,
    temp_password: &str,
) {
    client
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .temporary_password(temp_password)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "AdminCreateUser {pool_id} {username}: {}",
                DisplayErrorContext(&e)
            )
        });
}

/// Signs a confirmed user without an MFA challenge in with ADMIN_USER_PASSWORD_AUTH and returns
/// the access token. Panics if moto answers with a challenge instead of tokens.
pub async fn admin_password_sign_in(
    client: &Client,
    pool_id: &str,
    client_id: &str,
    client_secret: Option<&str>,
    username: &str,
    password: &str,
) -> String {
    let mut request = client
        .admin_initiate_auth()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password);
    if let Some(secret) = client_secret {
        request = request.auth_parameters("SECRET_HASH", secret_hash(secret, username, client_id));
    }
    let output = request.send().await.unwrap_or_else(|e| {
        panic!(
            "AdminInitiateAuth {pool_id} {username}: {}",
            DisplayErrorContext(&e)
        )
    });
    output
        .authentication_result()
        .and_then(|result| result.access_token())
        .unwrap_or_else(|| {
            panic!(
                "AdminInitiateAuth {pool_id} {username}: expected tokens, got challenge {:?}",
                output.challenge_name()
            )
        })
        .to_owned()
}

/// Cognito's SECRET_HASH: Base64(HMAC-SHA256(key = client secret, username + client id)).
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(client_secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

// ----------------------------------------------------------------------------------------------
// TOTP timing
// ----------------------------------------------------------------------------------------------

/// TOTP time step, seconds.
pub const TOTP_STEP: Duration = Duration::from_secs(30);

/// The least time that must be left in the current step when a test makes a code.
pub const MIN_TOTP_TIME_LEFT: Duration = Duration::from_secs(5);

/// Waits, if needed, until at least [`MIN_TOTP_TIME_LEFT`] is left in the current 30-second
/// TOTP step. Call it right before generating a code that is sent to moto.
///
/// moto accepts a code only for the current step (real Cognito also accepts one step early or
/// late), so a code made in the last second of a step can reach moto in the next step and be
/// refused. Waiting out the end of the step leaves the test at least 5 seconds to send it.
/// The sleep is on a blocking thread, real time even when tokio's clock is paused.
pub async fn wait_for_fresh_totp_window() {
    let left = totp_time_left(SystemTime::now());
    if left < MIN_TOTP_TIME_LEFT {
        // A little past the boundary, so the next step has surely begun.
        let pause = left + Duration::from_millis(250);
        tokio::task::spawn_blocking(move || std::thread::sleep(pause))
            .await
            .expect("sleeping thread");
    }
}

/// Time left in the TOTP step that `now` is in.
pub fn totp_time_left(now: SystemTime) -> Duration {
    let since_epoch = now
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    let step_nanos = TOTP_STEP.as_nanos();
    let into_step = since_epoch.as_nanos() % step_nanos;
    Duration::from_nanos(u64::try_from(step_nanos - into_step).expect("under 30 s"))
}

/// An `SdkBackend` on the shared moto server.
pub async fn backend() -> cognito_mfa::SdkBackend {
    cognito_mfa::SdkBackend::from_conf(&MotoServer::shared().sdk_config().await)
}

/// The current code for `secret`, made right after waiting out the end of a
/// TOTP step (moto checks the current 30-second step only).
pub async fn fresh_code(secret: &cognito_mfa::TotpSecret) -> String {
    wait_for_fresh_totp_window().await;
    cognito_mfa::testing::Authenticator::new(secret)
        .expect("moto's secret is base32")
        .current_code()
        .expose_secret()
        .to_owned()
}

/// A six-digit code that is none of the codes of the previous, current and
/// next step.
pub fn wrong_code(secret: &cognito_mfa::TotpSecret) -> String {
    let app = cognito_mfa::testing::Authenticator::new(secret).expect("moto's secret is base32");
    let now = std::time::SystemTime::now();
    let step = std::time::Duration::from_secs(30);
    let near: Vec<String> = [now - step, now, now + step]
        .iter()
        .map(|at| app.code_at(*at).expose_secret().to_owned())
        .collect();
    let right: u32 = near[1].parse().expect("digits");
    (1..)
        .map(|i| format!("{:06}", (right + i) % 1_000_000))
        .find(|c| !near.contains(c))
        .expect("a code that is not near")
}

// ----------------------------------------------------------------------------------------------
// Users with TOTP
// ----------------------------------------------------------------------------------------------

impl TestPool {
    /// Creates a confirmed user and enrolls TOTP for them with raw SDK calls: a password sign-in
    /// (ADMIN_USER_PASSWORD_AUTH), AssociateSoftwareToken, VerifySoftwareToken with a real code,
    /// then AdminSetUserMFAPreference (enabled and preferred), so that every later sign-in asks
    /// for a code. Returns the secret moto handed out ([`MOTO_TOTP_SECRET`]).
    pub async fn create_user_with_totp(
        &self,
        username: &str,
        password: &str,
    ) -> cognito_mfa::TotpSecret {
        self.create_confirmed_user(username, password).await;
        let access_token = self.admin_password_sign_in(username, password).await;
        let associated = self
            .client
            .associate_software_token()
            .access_token(&access_token)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "AssociateSoftwareToken {username}: {}",
                    DisplayErrorContext(&e)
                )
            });
        let secret = cognito_mfa::TotpSecret::new(
            associated
                .secret_code()
                .unwrap_or_else(|| panic!("AssociateSoftwareToken {username}: no SecretCode")),
        );
        let code = fresh_code(&secret).await;
        self.client
            .verify_software_token()
            .access_token(&access_token)
            .user_code(code)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "VerifySoftwareToken {username}: {}",
                    DisplayErrorContext(&e)
                )
            });
        self.client
            .admin_set_user_mfa_preference()
            .user_pool_id(&self.pool_id)
            .username(username)
            .software_token_mfa_settings(
                aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            )
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "AdminSetUserMFAPreference {username}: {}",
                    DisplayErrorContext(&e)
                )
            });
        secret
    }
}
