//! Test doubles: an in-memory Cognito user pool, an injectable clock, and an
//! authenticator app. Enabled by the `test-util` feature.
//!
//! - [`InMemoryPool`] implements [`CognitoBackend`](crate::CognitoBackend)
//!   in memory, with the behaviour moto lacks: a random 160-bit secret per
//!   association, TOTP checked one step early or late, single-use codes,
//!   Sessions that are spent by use and expire (after the app client's
//!   AuthSessionValidity, 3 to 15 minutes), the lockout after repeated
//!   wrong passwords, user names checked against Cognito's pattern,
//!   passwords, SECRET_HASH and delivered codes compared in constant time,
//!   a real SRP server for USER_SRP_AUTH (a verifier per user; the
//!   PASSWORD_VERIFIER proof checked, so a client whose SRP maths or
//!   TIMESTAMP is wrong fails as on Cognito), and Cognito's exact exceptions
//!   (code and message), mapped through
//!   [`Error::from_service`](crate::Error::from_service).
//! - [`ManualClock`] lets a test step past a Session's expiry or into the
//!   next TOTP step without sleeping; hand the same clock to the
//!   [`SignIn`](crate::sign_in::SignIn) ([`InMemoryPool::clock`]) so both
//!   sides read one time.
//! - [`ScriptedBackend`] replays scripted answers; [`Intercept`] forwards to
//!   another backend while a hook fails, loses or records calls.
//! - [`Authenticator`] computes the codes a phone would show.
//! - [`LocalCognito`] (feature `local-endpoint`) serves in-memory pools over
//!   HTTP in Cognito's JSON protocol, for any AWS SDK, boto3 or the AWS CLI.
//!
//! ```
//! use cognito_mfa::backend::{
//!     Api, AuthFlow, ChallengeName, CognitoBackend, InitiateAuthRequest, Parameters, PoolMfaConfig,
//!     PoolMfaMode, RespondToAuthChallengeRequest, TokenAuth,
//! };
//! use cognito_mfa::testing::{Authenticator, ClientOptions, InMemoryPool, ManualClock};
//! use std::time::SystemTime;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let clock = ManualClock::new(SystemTime::now());
//! let pool = InMemoryPool::with_clock(clock.clone());
//! pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::On, true));
//! let client = pool.create_client(ClientOptions::new())?;
//! pool.create_user("alice", "correct horse")?;
//!
//! // The ON pool asks a user without a factor to set one up.
//! let setup = pool
//!     .initiate_auth(InitiateAuthRequest::new(
//!         Api::Public,
//!         client.client_id.clone(),
//!         AuthFlow::UserPassword,
//!         Parameters::new()
//!             .with("USERNAME", "alice")
//!             .with("PASSWORD", "correct horse"),
//!     ))
//!     .await?;
//! assert_eq!(setup.challenge, Some(ChallengeName::MfaSetup));
//! let s1 = setup.session.ok_or("no session")?;
//! let associated = pool.associate_software_token(TokenAuth::Session(s1)).await?;
//! let app = Authenticator::new(&associated.secret_code)?;
//! let s2 = associated.session.ok_or("no session")?;
//! let verified = pool
//!     .verify_software_token(TokenAuth::Session(s2), app.code_for_clock(&clock), None)
//!     .await?;
//! let done = pool
//!     .respond_to_auth_challenge(RespondToAuthChallengeRequest::new(
//!         Api::Public,
//!         client.client_id.clone(),
//!         ChallengeName::MfaSetup,
//!         verified.session,
//!         Parameters::new().with("USERNAME", "alice"),
//!     ))
//!     .await?;
//! assert!(done.tokens.is_some());
//! # Ok(())
//! # }
//! ```
//!
//! # Where Cognito is undocumented
//!
//! The pool picks a behaviour and keeps to it:
//!
//! - **Unknown user**: `UserNotFoundException` "User does not exist.", as
//!   Cognito sends while PreventUserExistenceErrors is off (with it on, an
//!   unknown user looks like a wrong password). The pool models it off.
//! - **Federated user** (EXTERNAL_PROVIDER) at InitiateAuth:
//!   `NotAuthorizedException` "Incorrect username or password." — they have
//!   no password in the pool. AdminGetUser shows their status.
//! - **Wrong codes per Session**: a Session survives two wrong codes; the
//!   third spends it (the next use gets "Invalid session for the user.").
//!   A reused code, a missing parameter or a wrong SECRET_HASH leaves the
//!   Session usable.
//! - **Wrong passwords**: Cognito documents the lockout (after the fifth
//!   wrong password in a row, 2^(n−5) seconds for n wrong passwords, up to
//!   "approximately 15 minutes"; attempts during it get
//!   `NotAuthorizedException` "Password attempts exceeded", which maps to
//!   [`Error::Throttled`](crate::Error::Throttled), and don't lengthen it;
//!   cleared by a right password after it, or by 15 minutes without an
//!   attempt). The pool's choices where that is vague: the longest lockout
//!   is exactly 15 minutes; a right password before any lockout clears the
//!   count too; the 15 quiet minutes clear it with or without a lockout;
//!   InitiateAuth's PASSWORD and an SRP proof at PASSWORD_VERIFIER count
//!   (one count for both; over SRP the lockout is answered there, not at
//!   InitiateAuth), so the lockout Cognito also applies after five wrong MFA
//!   codes is not modelled (a Session is spent after three, above); an
//!   unknown or federated user has no count.
//! - **Reused codes**: the last accepted TOTP step is kept per user (the
//!   verifying code included); a code matching only that step or earlier
//!   ones gets `ExpiredCodeException`.
//! - **USERNAME in ChallengeResponses** that is not the canonical name
//!   (an alias, say): `NotAuthorizedException` "Invalid session for the
//!   user." — the Session is bound to its user. SECRET_HASH there must be
//!   over the canonical name; at InitiateAuth it may be over the name as
//!   typed or the canonical one; at REFRESH_TOKEN_AUTH over USERNAME, the
//!   canonical name or the `sub`.
//! - **Verified but not enabled**: VerifySoftwareToken marks the token
//!   verified; SetUserMFAPreference enables it. On an ON pool a verified
//!   token counts as the user's factor anyway. Answering MFA_SETUP enables
//!   TOTP (without making it preferred).
//! - **Answering another challenge** than the one issued:
//!   `InvalidParameterException`. Answering MFA_SETUP before the token is
//!   verified: `InvalidParameterException` "User has not verified software
//!   token mfa". VerifySoftwareToken with nothing associated:
//!   `InvalidParameterException`.
//! - **SMS and email**: the pool acts as if both were configured; codes are
//!   six digits, never sent, and read with
//!   [`InMemoryPool::last_delivered_code`]. A wrong one gets
//!   `CodeMismatchException` "Invalid code or auth state for the user.".
//! - **Tokens**: access and ID tokens are RS256 JWTs with Cognito's claims,
//!   signed with an RSA-2048 key per pool made on first use, whose key set
//!   [`InMemoryPool::jwks_json`] returns (and the local endpoint serves at
//!   `/{poolId}/.well-known/jwks.json`); `cognito:groups` comes from
//!   [`InMemoryPool::add_user_to_group`]. They live an hour (`expires_in`
//!   3600, `Bearer`); `auth_time` is the time of issue, refreshes included
//!   (Cognito keeps the first sign-in's). Refresh tokens are opaque and live
//!   30 days; REFRESH_TOKEN_AUTH returns new access and ID tokens only.
//!   [`InMemoryPool::set_signed_tokens`] turns the JWTs off for benchmarks.
//! - **USER_SRP_AUTH**: the pool keeps an SRP verifier per user, from a
//!   random 16-byte salt, computed whenever the password is set (the setup
//!   helpers, the NEW_PASSWORD_REQUIRED answer); the proof is over the pool
//!   name (the pool id after its `_`) and USER_ID_FOR_SRP = the canonical
//!   user name, which is what Cognito sends there (moto sends the `sub`).
//!   InitiateAuth and AdminInitiateAuth (the client must allow
//!   ALLOW_USER_SRP_AUTH) answer PASSWORD_VERIFIER with SALT, SRP_B,
//!   SECRET_BLOCK (base64 of 1,024 random bytes, opaque), USER_ID_FOR_SRP,
//!   USERNAME and a Session (Cognito is reported to send none here); the
//!   exchange (b, A, the user) is bound to that Session and block, and one
//!   answer, right or wrong, spends it. An SRP_A that is not hex, is over
//!   3072 bits or is ≡ 0 mod N: `InvalidParameterException` "Invalid SRP_A
//!   value." at InitiateAuth. A federated user: "Incorrect username or
//!   password." at InitiateAuth, as for a password.
//! - **The PASSWORD_VERIFIER answer**: a missing parameter, or a TIMESTAMP
//!   that does not parse, is `InvalidParameterException` (the latter with
//!   Cognito's "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in
//!   english.") and leaves the Session usable. A TIMESTAMP that parses but
//!   is not the exact text (a zero-padded day, a wrong weekday), one more
//!   than 5 minutes from the pool's clock (the pool's window: Cognito
//!   documents none), a PASSWORD_CLAIM_SECRET_BLOCK that is not the one
//!   sent, or a signature that does not verify are all what Cognito answers
//!   a wrong password with: `NotAuthorizedException` "Incorrect username or
//!   password.", counted for the lockout; the sign-in must start again.

mod authenticator;
mod clock;
mod doubles;
#[cfg(feature = "local-endpoint")]
mod endpoint;
mod pool;

pub use authenticator::Authenticator;
pub use clock::ManualClock;
pub use doubles::{Call, Decision, Intercept, ScriptedBackend, SeenRequest, not_scripted};
#[cfg(feature = "local-endpoint")]
pub use endpoint::{LocalCognito, LocalCognitoBuilder};
pub use pool::{ClientOptions, InMemoryPool, SentMessage};
