//! # cognito-mfa
//!
//! TOTP multi-factor authentication for Amazon Cognito user pools: enroll a
//! person's authenticator app, then sign them in with it, with every
//! challenge Cognito can put in between.
//!
//! The crate speaks to Cognito through one trait, [`CognitoBackend`].
//! [`SdkBackend`] implements it over the AWS SDK for Rust; the `test-util`
//! feature adds an in-memory user pool ([`testing::InMemoryPool`]) that
//! behaves like Cognito offline; the `mock` feature adds a mockall
//! `MockCognitoBackend`.
//!
//! # The steps
//!
//! **1. Check the pool once.** [`preflight::check`] says in plain words what
//! stands between a user pool and working TOTP: MFA off, TOTP disabled, an
//! app client that lacks the auth flow, a client secret (SECRET_HASH), how
//! long a challenge Session lives. [`preflight::enable_totp`] turns TOTP on.
//!
//! **2. Enroll.** A signed-in person turns on their authenticator app:
//! [`MfaEnrollment`] calls AssociateSoftwareToken and hands back a
//! [`PendingEnrollment`] with the `otpauth://` URI, a QR code (feature
//! `qr`) and the setup key; [`PendingEnrollment::verify`] calls
//! VerifySoftwareToken with their first code and sets the MFA preference.
//! A wrong code hands the same pending enrollment back to try again.
//!
//! **3. Sign in.** [`sign_in::SignIn`] starts with the password
//! (AdminInitiateAuth or InitiateAuth; over SRP with
//! [`password_srp`](sign_in::SignIn::password_srp), whose PASSWORD_VERIFIER
//! the library answers itself) and returns a
//! [`sign_in::SignInStep`]: the tokens, or the next challenge as its own
//! type: a TOTP code, MFA setup (enrollment with the challenge's Session),
//! a factor to pick, a new password, an SMS or email code, or an
//! unsupported challenge. Each answer consumes the challenge; a pending
//! challenge can be saved ([`sign_in::SavedChallenge`], feature `serde`) and
//! resumed in another request.
//!
//! **4. Trust the tokens.** With the `verify` feature, `verify::TokenVerifier`
//! checks the ID or access token a request carries: RS256 under the pool's
//! key (its JWKS fetched once and cached), issuer, client, `token_use`,
//! expiry; typed claims, typed refusals.
//!
//! **5. Administer.** [`admin`] reads a user's MFA status, sets the TOTP
//! preference, and resets a lost authenticator.
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_mfa::backend::{PoolMfaConfig, PoolMfaMode};
//! use cognito_mfa::sign_in::{SignIn, SignInStep};
//! use cognito_mfa::testing::{Authenticator, ClientOptions, InMemoryPool, ManualClock};
//! use cognito_mfa::{MfaEnrollment, Password};
//!
//! // Offline here; `SdkBackend::from_conf(&aws_config)` against Cognito.
//! let clock = ManualClock::starting_now();
//! let pool = InMemoryPool::with_clock(clock.clone());
//! pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
//! let client = pool.create_client(ClientOptions::new())?;
//! pool.create_user("alice", "correct horse")?;
//!
//! let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
//!     .clock(clock.clone()) // one time for both sides
//!     .build()?;
//! let password = Password::new("correct horse");
//! let tokens = sign_in.password("alice", &password).await?.into_tokens().ok_or("no tokens")?;
//!
//! // Enroll: show pending.uri() as a QR code, then check the first code.
//! let pending = MfaEnrollment::new("Example App")
//!     .device_name("Alice's phone")
//!     .start_with_access_token(&pool, tokens.access_token)
//!     .await?;
//! let phone = Authenticator::new(pending.secret())?; // stands in for the app
//! pending.verify(&pool, phone.code_for_clock(&clock).expose_secret()).await?;
//!
//! // Sign in with MFA (a code is single-use: wait for the next one).
//! clock.advance(std::time::Duration::from_secs(30));
//! let SignInStep::TotpRequired(challenge) = sign_in.password("alice", &password).await? else {
//!     return Err("expected a TOTP challenge".into());
//! };
//! let step = challenge.answer(&sign_in, phone.code_for_clock(&clock).expose_secret()).await?;
//! assert!(matches!(step, SignInStep::Done(_)));
//! # Ok(())
//! # }
//! # #[cfg(feature = "test-util")]
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! # Errors
//!
//! One [`Error`], `#[non_exhaustive]`, whose variants an application acts on
//! without reading strings; [`Error::recovery`] says what to do next. Input
//! is checked against Cognito's limits before any call ([`validate`]).
//!
//! # Secrets
//!
//! Passwords, codes, TOTP secrets, Sessions, tokens and client secrets are
//! [secrecy](https://docs.rs/secrecy) newtypes ([`Password`],
//! [`OneTimeCode`], [`TotpSecret`], [`Session`], [`AccessToken`], ...):
//! `Debug` prints `** redacted **`, nothing implements `Display`, and
//! errors and tracing spans never hold them. A [`sign_in::SavedChallenge`]
//! is a bearer credential for one challenge: keep it server side.
//!
//! # Features
//!
//! | feature | what it adds |
//! |---|---|
//! | `qr` | QR codes of the otpauth URI: SVG, PNG, terminal text ([`qr`]) |
//! | `serde` | `Serialize`/`Deserialize` for [`sign_in::SavedChallenge`] |
//! | `test-util` | [`testing`]: the in-memory pool, a manual clock, an authenticator |
//! | `mock` | `MockCognitoBackend`, a mockall mock of [`CognitoBackend`] |
//! | `local-endpoint` | `testing::LocalCognito`: the in-memory pool over HTTP in Cognito's JSON protocol (a test server) |
//! | `verify` | `verify::TokenVerifier`: checks the ID and access tokens a pool issues (RS256, JWKS cached) |
#![cfg_attr(docsrs, feature(doc_cfg))]
// Denied, not forbidden: `srp::bn` (aws-lc big-number FFI for SRP) is the
// one module allowed `unsafe`.
#![deny(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub mod admin;
pub mod backend;
pub mod clock;
pub mod device;
pub mod enrollment;
mod error;
pub mod otpauth;
pub mod preflight;
#[cfg(feature = "qr")]
#[cfg_attr(docsrs, doc(cfg(feature = "qr")))]
pub mod qr;
mod sdk;
mod secret;
mod secret_hash;
pub mod sign_in;
mod srp;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod testing;
pub mod totp;
pub mod validate;
#[cfg(feature = "verify")]
#[cfg_attr(docsrs, doc(cfg(feature = "verify")))]
pub mod verify;

pub use backend::CognitoBackend;
#[cfg(any(test, feature = "mock"))]
pub use backend::MockCognitoBackend;
pub use enrollment::{AfterVerify, Enrolled, MfaEnrollment, PendingEnrollment, SavedEnrollment};
pub use error::{
    Error, Field, InvalidInput, Operation, Recovery, Rejected, ServiceError, TransportError,
    TransportKind,
};
/// The mockall crate the `mock` feature builds [`MockCognitoBackend`] with,
/// re-exported so tests use its predicates and sequences without depending
/// on a matching version themselves.
///
/// ```
/// use cognito_mfa::backend::{AuthResponse, AuthTokens};
/// use cognito_mfa::mockall::predicate::always;
/// use cognito_mfa::sign_in::{SignIn, SignInStep};
/// use cognito_mfa::{AccessToken, MockCognitoBackend, Password};
/// use std::time::Duration;
///
/// # async fn demo() -> Result<(), cognito_mfa::Error> {
/// let mut mock = MockCognitoBackend::new();
/// mock.expect_initiate_auth().with(always()).times(1).returning(|_| {
///     Ok(AuthResponse::tokens(AuthTokens::new(
///         AccessToken::new("access"),
///         Duration::from_secs(3600),
///     )))
/// });
/// let sign_in = SignIn::public(mock, "client1234567890").build()?;
/// let step = sign_in.password("alice", &Password::new("pw")).await?;
/// assert!(matches!(step, SignInStep::Done(_)));
/// # Ok(())
/// # }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub use mockall;
pub use sdk::SdkBackend;
pub use secret::{
    AccessToken, ClientSecret, IdToken, OneTimeCode, Password, RefreshToken, Session, TotpSecret,
};
pub use secret_hash::secret_hash;

// The README's examples compile as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
