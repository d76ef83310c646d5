//! What the server keeps between requests: the app client's `SignIn` (and
//! through it the one backend handle) and a store of browser sessions, each
//! holding its pending challenge or enrollment in memory.

use super::security::{self, CookiePolicy};
use axum::extract::FromRef;
use axum_extra::extract::cookie::Key;
use cognito_mfa::PendingEnrollment;
use cognito_mfa::backend::AuthTokens;
use cognito_mfa::sign_in::{PendingMfaSetup, SignIn, TotpChallenge};
use cognito_mfa::verify::{Claims, TokenVerifier};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many codes a person may type for one pending sign-in or enrollment,
/// whatever Cognito allows: past it they sign in again.
pub const MAX_CODE_ATTEMPTS: u8 = 5;

/// A browser session not used for this long is dropped, with whatever
/// challenge it held.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// At most this many sessions are kept; past it the oldest go first, so a
/// flood of anonymous visits can't grow the store without bound.
const MAX_SESSIONS: usize = 10_000;

/// The application's state, shared by every request (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    sign_in: SignIn,
    verifier: TokenVerifier,
    issuer: String,
    cookie_key: Key,
    policy: CookiePolicy,
    sessions: Mutex<HashMap<String, WebSession>>,
}

impl AppState {
    /// The state for one app client. `issuer` labels the authenticator entry.
    pub fn new(
        sign_in: SignIn,
        verifier: TokenVerifier,
        issuer: String,
        cookie_key: Key,
        policy: CookiePolicy,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                sign_in,
                verifier,
                issuer,
                cookie_key,
                policy,
                sessions: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn verifier(&self) -> &TokenVerifier {
        &self.inner.verifier
    }

    pub fn sign_in(&self) -> &SignIn {
        &self.inner.sign_in
    }

    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    pub fn policy(&self) -> CookiePolicy {
        self.inner.policy
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, WebSession>> {
        self.inner
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the session `id` out of the store (a request works on it
    /// without holding the lock across a call to Cognito); `None` when
    /// unknown or idle too long.
    pub fn take(&self, id: &str) -> Option<WebSession> {
        let session = self.sessions().remove(id)?;
        (session.last_seen.elapsed() < IDLE_TIMEOUT).then_some(session)
    }

    /// Puts a session back under `id`.
    pub fn put(&self, id: String, mut session: WebSession) {
        session.last_seen = Instant::now();
        let mut sessions = self.sessions();
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, s| s.last_seen.elapsed() < IDLE_TIMEOUT);
            if sessions.len() >= MAX_SESSIONS
                && let Some(oldest) = sessions
                    .iter()
                    .min_by_key(|(_, s)| s.last_seen)
                    .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        sessions.insert(id, session);
    }

    /// How many sessions are held (for the tests).
    #[allow(dead_code)]
    pub fn session_count(&self) -> usize {
        self.sessions().len()
    }
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Self {
        state.inner.cookie_key.clone()
    }
}

/// One browser's session, server side.
pub struct WebSession {
    /// The CSRF token every form of this session carries.
    pub csrf: String,
    /// Where the person is.
    pub stage: Stage,
    /// A message for the next page shown (then dropped).
    pub flash: Option<String>,
    last_seen: Instant,
}

impl WebSession {
    /// A fresh anonymous session with its own CSRF token.
    pub fn new() -> Option<Self> {
        Some(Self {
            csrf: security::random_token()?,
            stage: Stage::Anonymous,
            flash: None,
            last_seen: Instant::now(),
        })
    }
}

/// Where a browser session is in the sign-in.
pub enum Stage {
    /// Not signed in.
    Anonymous,
    /// SOFTWARE_TOKEN_MFA: waiting for a code. The challenge holds the
    /// Session, a bearer credential: it never leaves the server.
    Code {
        challenge: Box<TotpChallenge>,
        attempts: u8,
    },
    /// MFA_SETUP: the QR code is shown, waiting for the first code. Holds
    /// the TOTP secret (to show the page again after a wrong code).
    Setup {
        setup: Box<PendingMfaSetup>,
        attempts: u8,
    },
    /// Signed in.
    SignedIn(Box<SignedIn>),
}

/// A signed-in person.
pub struct SignedIn {
    /// The canonical user name from the sign-in.
    pub username: String,
    /// The tokens Cognito issued: server side only.
    pub tokens: AuthTokens,
    /// An authenticator being set up from the account page.
    pub enrolling: Option<(Box<PendingEnrollment>, u8)>,
    /// The ID token's claims, verified once, at sign-in.
    pub claims: Claims,
}
