//! What the library costs the client on top of the bare AWS SDK, per
//! administrator MFA sign-in, against a real server (moto); and, with
//! `--flow srp`, what an SRP + TOTP sign-in costs it beside pycognito's
//! (see the last section).
//!
//! ```text
//! MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true \
//!     target/moto-venv/bin/python tests/moto/launch.py -H 127.0.0.1 -p 5055 &
//! cargo run --release --example flow-cost -- --endpoint http://127.0.0.1:5055 --flows 200
//! ```
//!
//! It makes its own user pool (MFA OPTIONAL, TOTP on), an app client with
//! ALLOW_ADMIN_USER_PASSWORD_AUTH (and ALLOW_USER_SRP_AUTH, for `--flow
//! srp`) and users with TOTP enrolled and preferred,
//! all with raw SDK calls (not measured). Then it runs `--flows` sign-ins
//! (AdminInitiateAuth → SOFTWARE_TOKEN_MFA → AdminRespondToAuthChallenge
//! with a real code) through the library (`SignIn::admin` over
//! `SdkBackend`) and as many through the bare SDK client making the same two
//! calls, interleaved (library, sdk, library, sdk, …), on one SDK client.
//!
//! CPU is the client's own: the runtime is current-thread, so every flow
//! runs on the main thread, whose CPU time (user + system, nanoseconds,
//! `/proc/thread-self/schedstat`) is read around each flow. The CPU the
//! process spent on other threads during the run is printed to stderr: it
//! should be near zero.
//!
//! Prints one JSON line:
//! `{"flows", "library_cpu_ms_per_flow", "sdk_cpu_ms_per_flow", "ratio",
//! "library_wall_ms_per_flow", "sdk_wall_ms_per_flow"}`.
//!
//! `--breakdown` adds three variants to the rounds and their figures to the
//! same line: `sdk_override` (the bare SDK plus the per-call
//! `config_override` that the library's `SdkBackend` puts on
//! AdminRespondToAuthChallenge so the SDK never resends a code),
//! `library_plain` (the library over a copy of `SdkBackend` without that
//! override) and `sdk_boxed` (the bare SDK with each call's future in a
//! `Box`, as `async_trait` boxes the library's backend calls); then CPU
//! medians, paired per-round differences in microseconds with their
//! standard errors (`*_minus_*_cpu_us`, `*_se`), and on stderr the sizes of
//! the futures involved.
//!
//! `--only KIND` runs one kind alone (for `perf`, `valgrind`); `--settle-ms`
//! idles after each flow inside its CPU measurement, so work a flow leaves
//! on the runtime is charged to it.
//!
//! moto gives every user the secret `asdfasdfasdf` and accepts only the
//! current 30-second step, with no reuse check; the code is computed with
//! `cognito_mfa::testing::Authenticator` right before each answer, and a
//! flow starts only with at least 2 s left in the step (waiting is not
//! measured).
//!
//! # `--flow srp`: the library against pycognito
//!
//! ```text
//! cargo run --release --example flow-cost -- --endpoint http://127.0.0.1:5055 \
//!     --flows 200 --flow srp --python target/moto-venv/bin/python
//! ```
//!
//! Client CPU per SRP + TOTP sign-in of a public client (InitiateAuth
//! USER_SRP_AUTH → PASSWORD_VERIFIER, answered with the SRP proof →
//! SOFTWARE_TOKEN_MFA with a real code → tokens), the library
//! (`SignIn::public(..).user_pool_id(..)`, `password_srp`, over
//! `SdkBackend`) beside pycognito's (`AWSSRP.authenticate_user`, then
//! RespondToAuthChallenge through boto3), on the same moto server, pool,
//! app client and users. The pycognito side is
//! `examples/flow-cost/pycognito_flow.py` (`--pycognito-script`), run as a
//! subprocess by the Python that `--python` names (one with
//! pycognito==2024.5.1, such as `target/moto-venv/bin/python` once
//! `bash tests/run.sh` has run); it gets the endpoint, pool and users on
//! stdin, makes `--warmup` sign-ins, then one per line flow-cost sends, and
//! at the end reports its own CPU time (`time.process_time()`). The
//! measured sign-ins alternate, the library's then pycognito's, so both see
//! the same load on a shared machine. flow-cost starts no server.
//!
//! The library's CPU is the whole process's (user + system of every thread,
//! `/proc/self/stat`, in ticks of 10 ms) across the loop of measured
//! sign-ins, the same measure as Python's `time.process_time()` across its
//! own; waiting for a fresh TOTP step is a sleep in both, and waiting for
//! the other side a blocking read of a pipe. moto's CPU is not counted:
//! it is another process. moto checks no SRP proof, so this measures the
//! client's work for a real exchange (the proof is computed in full), not
//! whether it is right; the maths is cross-checked against pycognito in
//! `src/srp`.
//!
//! Prints one JSON line: `{"flows", "flow": "srp",
//! "library_cpu_ms_per_flow", "pycognito_cpu_ms_per_flow", "speedup"
//! (pycognito / library), "library_wall_ms_per_flow",
//! "pycognito_wall_ms_per_flow", "pycognito"}` (its version).

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider as cip;
use cip::config::interceptors::InterceptorContext;
use cip::config::retry::{ClassifyRetry, RetryAction};
use cip::config::{Credentials, Region};
use cip::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use cip::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, MessageActionType,
    SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
};
use clap::Parser;
use cognito_mfa::backend::Api;
use cognito_mfa::backend::{
    AppClient, AssociatedSoftwareToken, AuthResponse, AuthTokens, ChallengeName, CognitoBackend,
    InitiateAuthRequest, MfaPreferenceUpdate, PoolMfaConfig, RespondToAuthChallengeRequest,
    TokenAuth, UserMfaSettings, UserTarget, VerifiedSoftwareToken,
};
use cognito_mfa::clock::{Clock as _, SystemClock};
use cognito_mfa::sign_in::{SignIn, SignInStep};
use cognito_mfa::testing::Authenticator;
use cognito_mfa::{
    AccessToken, Error, IdToken, OneTimeCode, Operation, Password, RefreshToken, SdkBackend,
    ServiceError, Session, TotpSecret, TransportError, TransportKind,
};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser, Debug)]
#[command(
    about = "Client CPU of an MFA sign-in: the library against the bare SDK (admin password \
             flow) or against pycognito (SRP)"
)]
struct Args {
    /// The Cognito endpoint (a moto server).
    #[arg(long, default_value = "http://127.0.0.1:5055")]
    endpoint: String,
    /// The sign-in to measure: `admin` (ADMIN_USER_PASSWORD_AUTH + TOTP,
    /// against the bare SDK) or `srp` (USER_SRP_AUTH + TOTP on a public
    /// client, against pycognito; needs --python).
    #[arg(long, value_enum, default_value = "admin")]
    flow: FlowKind,
    /// With --flow srp: a Python that has pycognito==2024.5.1 (bash
    /// tests/run.sh installs it into target/moto-venv).
    #[arg(long)]
    python: Option<PathBuf>,
    /// With --flow srp: the pycognito driver the Python runs.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/flow-cost/pycognito_flow.py"))]
    pycognito_script: PathBuf,
    /// Measured sign-ins of each kind.
    #[arg(long, default_value_t = 200)]
    flows: usize,
    /// Users to sign in, round robin.
    #[arg(long, default_value_t = 4)]
    users: usize,
    /// Unmeasured sign-ins of each kind first (connections, lazy state).
    #[arg(long, default_value_t = 10)]
    warmup: usize,
    /// Also measure the SDK with the library's per-call config override,
    /// and the library without it.
    #[arg(long)]
    breakdown: bool,
    /// Milliseconds to idle after each flow inside its CPU measurement (not
    /// its wall time), so work the flow leaves behind on the runtime is
    /// charged to it and not to the next flow.
    #[arg(long, default_value_t = 0)]
    settle_ms: u64,
    /// For profiling (perf): run only this kind of flow and print its
    /// figures alone.
    #[arg(long, value_enum)]
    only: Option<Kind>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FlowKind {
    /// AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH) → SOFTWARE_TOKEN_MFA.
    Admin,
    /// InitiateAuth (USER_SRP_AUTH) → PASSWORD_VERIFIER → SOFTWARE_TOKEN_MFA.
    Srp,
}

const REGION: &str = "us-east-1";
const PASSWORD: &str = "Flow-Cost-Pass-1!";
/// A flow starts only with at least this much left in the TOTP step.
const MIN_STEP_LEFT: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------------------
// The main thread's CPU time.

/// `/proc/thread-self/schedstat`, opened by (and so naming) the thread that
/// measures; its first field is the thread's CPU time in nanoseconds.
struct ThreadCpu(File);

impl ThreadCpu {
    fn open() -> io::Result<Self> {
        File::open("/proc/thread-self/schedstat").map(Self)
    }

    fn now(&self) -> io::Result<Duration> {
        let mut buf = [0u8; 128];
        let n = self.0.read_at(&mut buf, 0)?;
        first_field_ns(&buf[..n])
    }
}

fn first_field_ns(text: &[u8]) -> io::Result<Duration> {
    let text = std::str::from_utf8(text).map_err(io::Error::other)?;
    let ns: u64 = text
        .split_whitespace()
        .next()
        .ok_or_else(|| io::Error::other("empty schedstat"))?
        .parse()
        .map_err(io::Error::other)?;
    Ok(Duration::from_nanos(ns))
}

/// User + system CPU time of the whole process, threads that have exited
/// included: `utime` and `stime` of `/proc/self/stat`, in clock ticks of
/// 10 ms (Linux reports them in USER_HZ, 100 on every architecture).
fn process_cpu_stat() -> io::Result<Duration> {
    const TICK: Duration = Duration::from_millis(10);
    let text = std::fs::read_to_string("/proc/self/stat")?;
    // The command name, field 2, is in parentheses and may hold spaces:
    // the fields after it start at field 3, `state`.
    let after_name = text
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| io::Error::other("no command name in /proc/self/stat"))?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |field: usize| -> io::Result<u32> {
        fields
            .get(field - 3)
            .ok_or_else(|| io::Error::other("a short /proc/self/stat"))?
            .parse()
            .map_err(io::Error::other)
    };
    Ok(TICK * (ticks(14)? + ticks(15)?))
}

/// CPU time of every thread of the process.
fn process_cpu() -> io::Result<Duration> {
    let mut total = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task")? {
        let path = task?.path().join("schedstat");
        // A thread may have exited since the listing.
        if let Ok(text) = std::fs::read(&path) {
            total += first_field_ns(&text)?;
        }
    }
    Ok(total)
}

// ---------------------------------------------------------------------------
// The library's no-resend classifier, as `SdkBackend` installs it per call.

#[derive(Debug)]
struct NoResendOfCodes;

impl ClassifyRetry for NoResendOfCodes {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e)) if !e.is_operation_error() => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "flow-cost: never resend a one-time code"
    }
}

fn no_resend() -> cip::config::Builder {
    cip::Config::builder().retry_classifier(NoResendOfCodes)
}

// ---------------------------------------------------------------------------
// `SdkBackend` without the override on AdminRespondToAuthChallenge: the
// same calls and conversions as src/sdk.rs, for `--breakdown`.

struct PlainBackend {
    sdk: SdkBackend,
}

fn transport(op: Operation, err: impl std::error::Error) -> Error {
    Error::Transport(TransportError::new(
        TransportKind::Io,
        op,
        DisplayErrorContext(&err).to_string(),
    ))
}

fn map_err<E>(op: Operation, err: SdkError<E>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(ctx) => Error::from_service(
            op,
            ServiceError::new(
                ctx.err().code().unwrap_or("Unknown"),
                ctx.err().message().unwrap_or(""),
            ),
        ),
        _ => transport(op, err),
    }
}

#[async_trait]
impl CognitoBackend for PlainBackend {
    async fn associate_software_token(
        &self,
        auth: TokenAuth,
    ) -> Result<AssociatedSoftwareToken, Error> {
        self.sdk.associate_software_token(auth).await
    }

    async fn verify_software_token(
        &self,
        auth: TokenAuth,
        code: OneTimeCode,
        friendly_device_name: Option<String>,
    ) -> Result<VerifiedSoftwareToken, Error> {
        self.sdk
            .verify_software_token(auth, code, friendly_device_name)
            .await
    }

    async fn set_user_mfa_preference(
        &self,
        user: UserTarget,
        update: MfaPreferenceUpdate,
    ) -> Result<(), Error> {
        self.sdk.set_user_mfa_preference(user, update).await
    }

    async fn get_user_mfa_settings(&self, user: UserTarget) -> Result<UserMfaSettings, Error> {
        self.sdk.get_user_mfa_settings(user).await
    }

    async fn admin_delete_software_token(
        &self,
        user_pool_id: String,
        username: String,
    ) -> Result<(), Error> {
        self.sdk
            .admin_delete_software_token(user_pool_id, username)
            .await
    }

    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, Error> {
        // SdkBackend's InitiateAuth has no override: the library's own path.
        self.sdk.initiate_auth(request).await
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, Error> {
        const OP: Operation = Operation::AdminRespondToAuthChallenge;
        let pool = request
            .api
            .admin_user_pool_id()
            .ok_or_else(|| transport(OP, io::Error::other("admin only")))?
            .to_owned();
        let session = request
            .session
            .as_ref()
            .map(|s| s.expose_secret().to_owned())
            .unwrap_or_default();
        let responses: HashMap<String, String> = request
            .responses
            .expose_all()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        // As SdkBackend: what was sent, to redact from an error message.
        let sent: Vec<&str> = request
            .responses
            .expose_all()
            .map(|(_, v)| v)
            .chain([session.as_str()])
            .collect();
        let out = self
            .sdk
            .client()
            .admin_respond_to_auth_challenge()
            .user_pool_id(pool)
            .client_id(request.client_id)
            .challenge_name(ChallengeNameType::from(request.challenge.as_str()))
            .session(session.as_str())
            .set_challenge_responses(Some(responses))
            .send()
            .await
            .map_err(|e| map_err(OP, e))?;
        drop(sent);
        let tokens = out.authentication_result().map(|r| {
            AuthTokens::new(
                AccessToken::new(r.access_token().unwrap_or_default()),
                Duration::from_secs(u64::try_from(r.expires_in()).unwrap_or(0)),
            )
            .with_id_token(r.id_token().map(IdToken::new))
            .with_refresh_token(r.refresh_token().map(RefreshToken::new))
            .with_token_type(r.token_type().unwrap_or("Bearer").to_owned())
        });
        Ok({
            let mut v = AuthResponse::default();
            v.challenge = out
                .challenge_name()
                .map(|c| ChallengeName::parse(c.as_str()));
            v.session = out.session().map(Session::new);
            v.parameters = out
                .challenge_parameters()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            v.tokens = tokens;
            v
        })
    }

    async fn get_user_pool_mfa_config(&self, user_pool_id: String) -> Result<PoolMfaConfig, Error> {
        self.sdk.get_user_pool_mfa_config(user_pool_id).await
    }

    async fn set_user_pool_mfa_config(
        &self,
        user_pool_id: String,
        config: PoolMfaConfig,
    ) -> Result<PoolMfaConfig, Error> {
        self.sdk
            .set_user_pool_mfa_config(user_pool_id, config)
            .await
    }

    async fn describe_user_pool_client(
        &self,
        user_pool_id: String,
        client_id: String,
    ) -> Result<AppClient, Error> {
        self.sdk
            .describe_user_pool_client(user_pool_id, client_id)
            .await
    }
}

// ---------------------------------------------------------------------------
// Setup with raw SDK calls (not measured).

struct User {
    name: String,
    password: Password,
    /// The SecretCode as the server sent it, for the pycognito driver.
    secret: TotpSecret,
    app: Authenticator,
}

struct Setup {
    pool_id: String,
    client_id: String,
    users: Vec<User>,
}

fn step_left(now: SystemTime) -> Duration {
    let step = Duration::from_secs(30).as_nanos();
    let into = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
        % step;
    Duration::from_nanos(u64::try_from(step - into).unwrap_or(0))
}

/// Waits out the end of the TOTP step when less than [`MIN_STEP_LEFT`] is
/// left, so a code made in this step reaches moto in it.
async fn wait_for_step() {
    let left = step_left(SystemClock.now());
    if left < MIN_STEP_LEFT {
        tokio::time::sleep(left + Duration::from_millis(100)).await;
    }
}

/// The app client's flows: the admin password flow (also how the users are
/// enrolled), refresh tokens, and SRP for `--flow srp`.
const CLIENT_FLOWS: [ExplicitAuthFlowsType; 3] = [
    ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
    ExplicitAuthFlowsType::AllowRefreshTokenAuth,
    ExplicitAuthFlowsType::AllowUserSrpAuth,
];

async fn setup(client: &cip::Client, users: usize) -> Result<Setup, BoxError> {
    let name = format!("flow-cost-{}", std::process::id());
    let created = client.create_user_pool().pool_name(&name).send().await?;
    let pool_id = created
        .user_pool()
        .and_then(|p| p.id())
        .ok_or("CreateUserPool: no id")?
        .to_owned();
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await?;
    let app_client = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("flow-cost")
        .set_explicit_auth_flows(Some(CLIENT_FLOWS.to_vec()))
        .send()
        .await?;
    let client_id = app_client
        .user_pool_client()
        .and_then(|c| c.client_id())
        .ok_or("CreateUserPoolClient: no id")?
        .to_owned();

    let mut enrolled = Vec::with_capacity(users);
    for i in 0..users {
        let name = format!("flow-user-{i}");
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(&name)
            .message_action(MessageActionType::Suppress)
            .send()
            .await?;
        client
            .admin_set_user_password()
            .user_pool_id(&pool_id)
            .username(&name)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await?;
        let signed_in = client
            .admin_initiate_auth()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", &name)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await?;
        let access = signed_in
            .authentication_result()
            .and_then(|r| r.access_token())
            .ok_or("AdminInitiateAuth before MFA: no tokens")?
            .to_owned();
        let associated = client
            .associate_software_token()
            .access_token(&access)
            .send()
            .await?;
        let secret = TotpSecret::new(associated.secret_code().ok_or("no SecretCode")?);
        let app = Authenticator::new(&secret)?;
        wait_for_step().await;
        client
            .verify_software_token()
            .access_token(&access)
            .user_code(app.current_code().expose_secret())
            .send()
            .await?;
        client
            .admin_set_user_mfa_preference()
            .user_pool_id(&pool_id)
            .username(&name)
            .software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            )
            .send()
            .await?;
        enrolled.push(User {
            name,
            password: Password::new(PASSWORD),
            secret,
            app,
        });
    }
    Ok(Setup {
        pool_id,
        client_id,
        users: enrolled,
    })
}

// ---------------------------------------------------------------------------
// The flows.

async fn library_flow(sign_in: &SignIn, user: &User) -> Result<(), BoxError> {
    let step = sign_in.password(&user.name, &user.password).await?;
    let SignInStep::TotpRequired(challenge) = step else {
        return Err(format!(
            "expected SOFTWARE_TOKEN_MFA, got {:?}",
            step.challenge_name()
        )
        .into());
    };
    let code = user.app.current_code();
    let done = challenge
        .answer(sign_in, code.expose_secret())
        .await
        .map_err(|r| r.into_error())?;
    done.into_tokens().ok_or("no tokens")?;
    Ok(())
}

/// An SRP sign-in through the library: InitiateAuth USER_SRP_AUTH, the
/// PASSWORD_VERIFIER answered inside `password_srp`, then the code.
async fn srp_flow(sign_in: &SignIn, user: &User) -> Result<(), BoxError> {
    let step = sign_in.password_srp(&user.name, &user.password).await?;
    let SignInStep::TotpRequired(challenge) = step else {
        return Err(format!(
            "expected SOFTWARE_TOKEN_MFA after PASSWORD_VERIFIER, got {:?}",
            step.challenge_name()
        )
        .into());
    };
    let code = user.app.current_code();
    let done = challenge
        .answer(sign_in, code.expose_secret())
        .await
        .map_err(|r| r.into_error())?;
    done.into_tokens().ok_or("no tokens")?;
    Ok(())
}

/// The same calls on the bare SDK client. `with_override` adds the
/// library's per-call config override; `boxed` puts each call's future in a
/// `Box`, as `async_trait` does for the library's backend calls.
async fn sdk_flow(
    client: &cip::Client,
    setup: &Setup,
    user: &User,
    with_override: bool,
    boxed: bool,
) -> Result<(), BoxError> {
    let initiate = client
        .admin_initiate_auth()
        .user_pool_id(&setup.pool_id)
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", &user.name)
        .auth_parameters("PASSWORD", user.password.expose_secret())
        .send();
    let started = if boxed {
        Box::pin(initiate).await?
    } else {
        initiate.await?
    };
    if started.challenge_name() != Some(&ChallengeNameType::SoftwareTokenMfa) {
        return Err(format!("expected SOFTWARE_TOKEN_MFA, got {started:?}").into());
    }
    let session = started.session().ok_or("no Session")?;
    let code = user.app.current_code();
    let request = client
        .admin_respond_to_auth_challenge()
        .user_pool_id(&setup.pool_id)
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(session)
        .challenge_responses("USERNAME", &user.name)
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", code.expose_secret());
    let done = match (with_override, boxed) {
        (true, _) => {
            request
                .customize()
                .config_override(no_resend())
                .send()
                .await?
        }
        (false, true) => Box::pin(request.send()).await?,
        (false, false) => request.send().await?,
    };
    done.authentication_result()
        .and_then(|r| r.access_token())
        .ok_or("no tokens")?;
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Kind {
    Library,
    Sdk,
    SdkOverride,
    LibraryPlain,
    SdkBoxed,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Library => "library",
            Self::Sdk => "sdk",
            Self::SdkOverride => "sdk_override",
            Self::LibraryPlain => "library_plain",
            Self::SdkBoxed => "sdk_boxed",
        }
    }
}

struct Runner<'a> {
    client: &'a cip::Client,
    setup: &'a Setup,
    library: &'a SignIn,
    plain: &'a SignIn,
    cpu: &'a ThreadCpu,
    settle: Duration,
}

#[derive(Default)]
struct Samples {
    cpu: Vec<Duration>,
    wall: Vec<Duration>,
}

impl Samples {
    fn mean_ms(v: &[Duration]) -> f64 {
        let total: Duration = v.iter().sum();
        total.as_secs_f64() * 1e3 / v.len().max(1) as f64
    }

    fn median_ms(v: &[Duration]) -> f64 {
        let mut v = v.to_vec();
        v.sort();
        v.get(v.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    }
}

impl Runner<'_> {
    async fn run(&self, kind: Kind, user: &User) -> Result<(Duration, Duration), BoxError> {
        wait_for_step().await;
        let cpu0 = self.cpu.now()?;
        let wall0 = Instant::now();
        match kind {
            Kind::Library => library_flow(self.library, user).await?,
            Kind::LibraryPlain => library_flow(self.plain, user).await?,
            Kind::Sdk => sdk_flow(self.client, self.setup, user, false, false).await?,
            Kind::SdkOverride => sdk_flow(self.client, self.setup, user, true, false).await?,
            Kind::SdkBoxed => sdk_flow(self.client, self.setup, user, false, true).await?,
        }
        let wall = wall0.elapsed();
        if !self.settle.is_zero() {
            // Let the runtime finish this flow's work that outlives it (the
            // connection tasks), so it is counted here and not in the next flow.
            tokio::time::sleep(self.settle).await;
        }
        let cpu = self.cpu.now()? - cpu0;
        Ok((cpu, wall))
    }
}

/// The size of the futures each flow builds (created, never polled): the
/// library's backend calls are boxed (`async_trait`), the bare SDK's live in
/// the caller's future.
fn print_future_sizes(client: &cip::Client, setup: &Setup, library: &SignIn) {
    let backend = SdkBackend::new(client.clone());
    let user = &setup.users[0];
    let initiate = backend.initiate_auth(InitiateAuthRequest::new(
        Api::admin(setup.pool_id.clone()),
        setup.client_id.clone(),
        cognito_mfa::backend::AuthFlow::AdminUserPassword,
        cognito_mfa::backend::Parameters::new(),
    ));
    let respond = backend.respond_to_auth_challenge(RespondToAuthChallengeRequest::new(
        Api::admin(setup.pool_id.clone()),
        setup.client_id.clone(),
        ChallengeName::SoftwareTokenMfa,
        Some(Session::new("unused-session-for-sizing")),
        cognito_mfa::backend::Parameters::new(),
    ));
    let send = client.admin_initiate_auth().send();
    eprintln!(
        "flow-cost: future sizes in bytes: SdkBackend::initiate_auth (boxed) {}, \
         SdkBackend::respond_to_auth_challenge (boxed) {}, AdminInitiateAuth send() {}, \
         library_flow {}, sdk_flow {}",
        std::mem::size_of_val(&*initiate),
        std::mem::size_of_val(&*respond),
        std::mem::size_of_val(&send),
        std::mem::size_of_val(&library_flow(library, user)),
        std::mem::size_of_val(&sdk_flow(client, setup, user, false, false)),
    );
}

/// Mean and standard error of `a[i] - b[i]`, in microseconds.
fn paired_us(a: &[Duration], b: &[Duration]) -> (f64, f64) {
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x.as_secs_f64() - y.as_secs_f64()) * 1e6)
        .collect();
    let n = d.len() as f64;
    if d.len() < 2 {
        return (d.first().copied().unwrap_or(0.0), 0.0);
    }
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

// ---------------------------------------------------------------------------
// `--flow srp`: the library against pycognito.

/// What the pycognito driver reports.
struct PycognitoFigures {
    cpu_ms_per_flow: f64,
    wall_ms_per_flow: f64,
    version: String,
}

/// Checks, before anything is set up, that `python` runs and has pycognito.
fn check_pycognito(python: &std::path::Path) -> Result<(), BoxError> {
    let output = Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m, pycognito; print(m.version('pycognito'))",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run --python {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "--python {} has no pycognito (`bash tests/run.sh` installs pycognito==2024.5.1 \
             into target/moto-venv): {}",
            python.display(),
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
        )
        .into());
    }
    Ok(())
}

/// The pycognito driver (`examples/flow-cost/pycognito_flow.py`), run by
/// `--python`, told a line at a time when to sign in, so that its sign-ins
/// alternate with the library's. Killed if dropped before [`finish`].
///
/// [`finish`]: Pycognito::finish
struct Pycognito {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Pycognito {
    /// Starts the driver with the endpoint, pool and users, and waits
    /// while it makes its `--warmup` sign-ins.
    fn start(args: &Args, python: &std::path::Path, setup: &Setup) -> Result<Self, BoxError> {
        let users: Vec<serde_json::Value> = setup
            .users
            .iter()
            .map(|u| {
                serde_json::json!({
                    "username": u.name,
                    "password": u.password.expose_secret(),
                    "totp_secret": u.secret.expose_secret(),
                })
            })
            .collect();
        let orders = serde_json::json!({
            "endpoint": args.endpoint,
            "region": REGION,
            "pool_id": setup.pool_id,
            "client_id": setup.client_id,
            "users": users,
            "warmup": args.warmup,
            "min_step_left_s": MIN_STEP_LEFT.as_secs_f64(),
        });
        let mut child = Command::new(python)
            .arg(&args.pycognito_script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("the driver's stdin and stdout are not piped".into());
        };
        let mut driver = Self {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        };
        driver.send(&orders.to_string())?;
        driver.expect("ready")?;
        Ok(driver)
    }

    /// One measured sign-in.
    fn sign_in(&mut self) -> Result<(), BoxError> {
        self.send("sign-in")?;
        self.expect("ok")
    }

    /// Ends the run: the driver's figures.
    fn finish(mut self) -> Result<PycognitoFigures, BoxError> {
        self.send("done")?;
        let line = self.read_line()?;
        let figures: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("the pycognito driver's last line is not JSON ({e}): {line}"))?;
        let number = |key: &str| {
            figures[key]
                .as_f64()
                .ok_or_else(|| format!("no {key} in the driver's line: {figures}"))
        };
        Ok(PycognitoFigures {
            cpu_ms_per_flow: number("cpu_ms_per_flow")?,
            wall_ms_per_flow: number("wall_ms_per_flow")?,
            version: figures["pycognito"]
                .as_str()
                .unwrap_or("unknown")
                .to_owned(),
        })
    }

    fn send(&mut self, line: &str) -> Result<(), BoxError> {
        writeln!(self.stdin, "{line}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| self.failure(&format!("cannot write to it ({e})")))
    }

    fn read_line(&mut self) -> Result<String, BoxError> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) => Err(self.failure("it stopped")),
            Ok(_) => Ok(line.trim_end().to_owned()),
            Err(e) => Err(self.failure(&format!("cannot read from it ({e})"))),
        }
    }

    fn expect(&mut self, word: &str) -> Result<(), BoxError> {
        let line = self.read_line()?;
        if line == word {
            Ok(())
        } else {
            Err(format!("the pycognito driver said {line:?}, not {word:?}").into())
        }
    }

    /// The driver failed: ends it, and says why with its stderr.
    fn failure(&mut self, what: &str) -> BoxError {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        format!(
            "the pycognito driver failed: {what}: {}\n(--python must name a Python with \
             pycognito==2024.5.1: `bash tests/run.sh` installs it into target/moto-venv)",
            stderr.trim()
        )
        .into()
    }
}

impl Drop for Pycognito {
    fn drop(&mut self) {
        // Finished: already gone. Otherwise (an error on either side) it
        // would wait for a line that never comes.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `--flow srp`: the library's SRP + TOTP sign-ins alternating with
/// pycognito's, on one pool.
async fn srp_main(args: &Args, client: &cip::Client) -> Result<(), BoxError> {
    let python = args.python.as_deref().ok_or(
        "--flow srp needs --python PATH: a Python with pycognito==2024.5.1 \
         (`bash tests/run.sh` installs it into target/moto-venv)",
    )?;
    if !args.pycognito_script.is_file() {
        return Err(format!(
            "the pycognito driver {} is missing (--pycognito-script)",
            args.pycognito_script.display()
        )
        .into());
    }
    if args.breakdown || args.only.is_some() {
        return Err("--breakdown and --only go with --flow admin".into());
    }
    check_pycognito(python)?;
    let setup = setup(client, args.users)
        .await
        .map_err(|e| format!("setup against {}: {e}", args.endpoint))?;
    // A public client: no AWS credentials needed, the pool id for the proof.
    let sign_in = SignIn::public(SdkBackend::new(client.clone()), &setup.client_id)
        .user_pool_id(&setup.pool_id)
        .build()?;
    let mut users = setup.users.iter().cycle();
    for _ in 0..args.warmup {
        wait_for_step().await;
        srp_flow(&sign_in, users.next().ok_or("no users")?).await?;
    }
    let mut pycognito = Pycognito::start(args, python, &setup)?;

    // Alternating, library then pycognito, in one fresh TOTP window each.
    // While the driver signs in, this process is blocked on its pipe.
    let main_thread = ThreadCpu::open()?;
    let (stat0, main0) = (process_cpu_stat()?, main_thread.now()?);
    let mut wall = Duration::ZERO;
    let mut main_thread_flows = Duration::ZERO;
    for _ in 0..args.flows {
        wait_for_step().await;
        let user = users.next().ok_or("no users")?;
        let (cpu0, started) = (main_thread.now()?, Instant::now());
        srp_flow(&sign_in, user).await?;
        wall += started.elapsed();
        main_thread_flows += main_thread.now()? - cpu0;
        pycognito.sign_in()?;
    }
    let library_cpu = process_cpu_stat()? - stat0;
    let main_thread_loop = main_thread.now()? - main0;
    let py = pycognito.finish()?;
    if library_cpu.is_zero() {
        return Err("too few flows to measure in ticks of 10 ms: use --flows 50 or more".into());
    }

    let per_flow_ms = |d: Duration| d.as_secs_f64() * 1e3 / args.flows as f64;
    eprintln!(
        "flow-cost: library CPU per flow: {:.3} ms (process, /proc/self/stat, whole loop), \
         {:.3} ms (main thread, whole loop), {:.3} ms (main thread, the sign-ins alone)",
        per_flow_ms(library_cpu),
        per_flow_ms(main_thread_loop),
        per_flow_ms(main_thread_flows),
    );
    let library_ms = per_flow_ms(library_cpu);
    println!(
        "{{\"flows\": {}, \"flow\": \"srp\", \"library_cpu_ms_per_flow\": {}, \
         \"pycognito_cpu_ms_per_flow\": {}, \"speedup\": {}, \"library_wall_ms_per_flow\": {}, \
         \"pycognito_wall_ms_per_flow\": {}, \"pycognito\": {}}}",
        args.flows,
        round(library_ms),
        round(py.cpu_ms_per_flow),
        round(py.cpu_ms_per_flow / library_ms),
        round(per_flow_ms(wall)),
        round(py.wall_ms_per_flow),
        serde_json::Value::from(py.version),
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flow-cost: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), BoxError> {
    if args.flows == 0 || args.users == 0 {
        return Err("--flows and --users must be at least 1".into());
    }
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&args.endpoint)
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "flow-cost",
        ))
        .load()
        .await;
    // One SDK client for every variant: same config, same connection pool.
    let client = cip::Client::new(&config);
    if args.flow == FlowKind::Srp {
        return srp_main(&args, &client).await;
    }
    let setup = setup(&client, args.users)
        .await
        .map_err(|e| format!("setup against {}: {e}", args.endpoint))?;
    let library = SignIn::admin(
        SdkBackend::new(client.clone()),
        &setup.pool_id,
        &setup.client_id,
    )
    .build()?;
    let plain = SignIn::admin(
        PlainBackend {
            sdk: SdkBackend::new(client.clone()),
        },
        &setup.pool_id,
        &setup.client_id,
    )
    .build()?;
    let cpu = ThreadCpu::open()?;
    let runner = Runner {
        client: &client,
        setup: &setup,
        library: &library,
        plain: &plain,
        cpu: &cpu,
        settle: Duration::from_millis(args.settle_ms),
    };

    let only = args.only.map(|k| [k]);
    let kinds: &[Kind] = if let Some(only) = &only {
        only
    } else if args.breakdown {
        &[
            Kind::Library,
            Kind::Sdk,
            Kind::SdkOverride,
            Kind::LibraryPlain,
            Kind::SdkBoxed,
        ]
    } else {
        &[Kind::Library, Kind::Sdk]
    };
    if args.breakdown {
        print_future_sizes(&client, &setup, &library);
    }
    let mut users = setup.users.iter().cycle();
    for _ in 0..args.warmup {
        for &kind in kinds {
            let user = users.next().ok_or("no users")?;
            runner.run(kind, user).await?;
        }
    }

    let mut samples: Vec<Samples> = kinds.iter().map(|_| Samples::default()).collect();
    let main0 = cpu.now()?;
    let process0 = process_cpu()?;
    for _ in 0..args.flows {
        for (i, &kind) in kinds.iter().enumerate() {
            let user = users.next().ok_or("no users")?;
            let (c, w) = runner.run(kind, user).await?;
            samples[i].cpu.push(c);
            samples[i].wall.push(w);
        }
    }
    let other_threads = (process_cpu()? - process0).saturating_sub(cpu.now()? - main0);
    eprintln!(
        "flow-cost: CPU on other threads during the measured flows: {:.3} ms in total",
        other_threads.as_secs_f64() * 1e3
    );

    if let Some([kind]) = only {
        println!(
            "{{\"flows\": {}, \"kind\": \"{}\", \"cpu_ms_per_flow\": {}, \"wall_ms_per_flow\": {}}}",
            args.flows,
            kind.name(),
            round(Samples::mean_ms(&samples[0].cpu)),
            round(Samples::mean_ms(&samples[0].wall)),
        );
        return Ok(());
    }
    let mean_cpu = |k: usize| Samples::mean_ms(&samples[k].cpu);
    let mean_wall = |k: usize| Samples::mean_ms(&samples[k].wall);
    // Built by hand to keep the fields in this order.
    let mut fields: Vec<(String, f64)> = vec![
        ("library_cpu_ms_per_flow".into(), mean_cpu(0)),
        ("sdk_cpu_ms_per_flow".into(), mean_cpu(1)),
        ("ratio".into(), mean_cpu(0) / mean_cpu(1)),
        ("library_wall_ms_per_flow".into(), mean_wall(0)),
        ("sdk_wall_ms_per_flow".into(), mean_wall(1)),
    ];
    if args.breakdown {
        for (i, &kind) in kinds.iter().enumerate().skip(2) {
            fields.push((format!("{}_cpu_ms_per_flow", kind.name()), mean_cpu(i)));
            fields.push((format!("{}_wall_ms_per_flow", kind.name()), mean_wall(i)));
        }
        for (i, &kind) in kinds.iter().enumerate() {
            let median = Samples::median_ms(&samples[i].cpu);
            fields.push((format!("{}_cpu_ms_median", kind.name()), median));
        }
        // Paired differences, flow by flow within a round (the rounds
        // share the machine's state), in microseconds: mean and its
        // standard error.
        let index = |k: Kind| kinds.iter().position(|&x| x == k).unwrap_or(0);
        let pairs = [
            ("library_minus_sdk", Kind::Library, Kind::Sdk),
            ("sdk_override_minus_sdk", Kind::SdkOverride, Kind::Sdk),
            (
                "library_minus_library_plain",
                Kind::Library,
                Kind::LibraryPlain,
            ),
            ("library_plain_minus_sdk", Kind::LibraryPlain, Kind::Sdk),
            ("sdk_boxed_minus_sdk", Kind::SdkBoxed, Kind::Sdk),
            ("library_minus_sdk_boxed", Kind::Library, Kind::SdkBoxed),
        ];
        for (name, a, b) in pairs {
            let (mean, se) = paired_us(&samples[index(a)].cpu, &samples[index(b)].cpu);
            fields.push((format!("{name}_cpu_us"), mean));
            fields.push((format!("{name}_cpu_us_se"), se));
        }
        fields.push((
            "other_threads_cpu_ms".into(),
            other_threads.as_secs_f64() * 1e3,
        ));
    }
    let mut line = format!("{{\"flows\": {}", args.flows);
    for (name, value) in fields {
        line.push_str(&format!(", \"{name}\": {}", round(value)));
    }
    line.push('}');
    println!("{line}");
    Ok(())
}
