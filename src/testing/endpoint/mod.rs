//! [`LocalCognito`]: the in-memory pool served over HTTP in Cognito's JSON
//! protocol, so `SdkBackend`, any AWS SDK, boto3, pycognito or the AWS CLI
//! can run MFA flows against it offline, with Cognito's semantics
//! (per-user secrets, single-use codes, Sessions that expire, the exact
//! exceptions, a real SRP server). Enabled by the `local-endpoint` feature.
//!
//! The protocol is awsJson1_1: `POST /` with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>` and a JSON
//! body; an answer is HTTP 200 with a JSON body, an exception is HTTP 400
//! (500 for `InternalErrorException`) with `{"__type": code, "message":
//! text}` and the `x-amzn-ErrorType` header; every answer has an
//! `x-amzn-RequestId`. Bodies over 1 MiB are refused (HTTP 413).
//!
//! **It checks no AWS credentials and no request signature** (like moto):
//! the admin calls are open to whoever reaches the port. It binds 127.0.0.1
//! by default; keep it there. It logs nothing about requests: their bodies
//! hold passwords, codes, Sessions and tokens.
//!
//! # Calls served
//!
//! Those [`CognitoBackend`](crate::CognitoBackend) makes —
//! AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
//! AdminSetUserMFAPreference, GetUser, AdminGetUser,
//! AdminDeleteSoftwareToken, InitiateAuth, AdminInitiateAuth,
//! RespondToAuthChallenge, AdminRespondToAuthChallenge,
//! GetUserPoolMfaConfig, SetUserPoolMfaConfig, DescribeUserPoolClient, and
//! the device calls ConfirmDevice, (Admin)UpdateDeviceStatus,
//! (Admin)ListDevices, (Admin)GetDevice, (Admin)ForgetDevice —
//! and the setup a test needs: CreateUserPool (each call a new, separate
//! pool; MfaConfiguration, DeviceConfiguration, UserPoolTier and
//! Policies.SignInPolicy.AllowedFirstAuthFactors), DescribeUserPool (the
//! same back), CreateUserPoolClient
//! (ClientName, GenerateSecret, ExplicitAuthFlows, AuthSessionValidity),
//! AdminCreateUser (TemporaryPassword, UserAttributes; no message is ever
//! sent), AdminSetUserPassword and AdminUpdateUserAttributes. Any other
//! call gets `UnknownOperationException` naming it. Each pool's key set is
//! at `GET /{poolId}/.well-known/jwks.json`, as Cognito serves it, for a
//! `verify::TokenVerifier` (feature `verify`) with `.jwks_url(..)`.
//!
//! ```no_run
//! use cognito_mfa::testing::LocalCognito;
//!
//! # async fn demo() -> std::io::Result<()> {
//! let server = LocalCognito::start().await?;
//! // Point an SDK at it with any region and dummy credentials.
//! println!("{}", server.endpoint());
//! # Ok(())
//! # }
//! ```

mod http;
mod ops;
mod wire;

use crate::clock::{Clock, SystemClock};
use crate::testing::InMemoryPool;
use ops::State;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A local Cognito endpoint over in-memory pools, serving until dropped.
///
/// Pools are made by CreateUserPool over the wire, or by
/// [`create_pool`](Self::create_pool) from the test, which then sets them
/// up with [`InMemoryPool`]'s helpers directly. Every pool reads the
/// server's clock: hand it a [`ManualClock`](super::ManualClock) with
/// [`LocalCognitoBuilder::clock`] to step past an expiry.
pub struct LocalCognito {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

/// How a [`LocalCognito`] starts: where it listens and which clock its
/// pools read.
pub struct LocalCognitoBuilder {
    addr: SocketAddr,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for LocalCognitoBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalCognitoBuilder")
            .field("addr", &self.addr)
            .field("clock", &self.clock)
            .finish()
    }
}

impl Default for LocalCognitoBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            clock: Arc::new(SystemClock),
        }
    }
}

impl LocalCognitoBuilder {
    /// The address to listen on; by default 127.0.0.1 and a free port.
    #[must_use]
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The port on 127.0.0.1 (0: a free one).
    #[must_use]
    pub fn port(self, port: u16) -> Self {
        self.addr(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
    }

    /// The clock every pool reads; by default the system's.
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Binds and starts serving on the current Tokio runtime.
    ///
    /// Fails when the address can't be bound, or when called outside a
    /// Tokio runtime.
    pub async fn start(self) -> io::Result<LocalCognito> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| io::Error::other(format!("LocalCognito needs a Tokio runtime: {e}")))?;
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(self.clock));
        let task = runtime.spawn(http::serve(listener, Arc::clone(&state)));
        Ok(LocalCognito { addr, state, task })
    }
}

impl LocalCognito {
    /// Starts on 127.0.0.1, a free port, the system clock.
    pub async fn start() -> io::Result<Self> {
        Self::builder().start().await
    }

    /// A builder, to choose the address or the clock.
    pub fn builder() -> LocalCognitoBuilder {
        LocalCognitoBuilder::default()
    }

    /// The endpoint URL to give an SDK, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A new pool, as CreateUserPool makes (MFA OFF, TOTP disabled), to
    /// set up from Rust.
    pub fn create_pool(&self, name: &str) -> InMemoryPool {
        self.state.create_pool(name)
    }

    /// The pool with this id, made over the wire or by
    /// [`create_pool`](Self::create_pool).
    pub fn pool(&self, user_pool_id: &str) -> Option<InMemoryPool> {
        self.state.pool(user_pool_id)
    }

    /// The ids of the pools served.
    pub fn pool_ids(&self) -> Vec<String> {
        self.state.pool_ids()
    }
}

impl fmt::Debug for LocalCognito {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalCognito")
            .field("addr", &self.addr)
            .field("pools", &self.state.pool_ids())
            .finish()
    }
}

impl Drop for LocalCognito {
    fn drop(&mut self) {
        // The serving task owns the listener and every connection's task:
        // aborting it closes the port and drops them all.
        self.task.abort();
    }
}
