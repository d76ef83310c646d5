//! # cognito-mfa
//!
//! TOTP multi-factor authentication for Amazon Cognito user pools.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod backend;
mod error;
mod sdk;
mod secret;
mod secret_hash;
pub mod totp;
pub mod validate;

pub use backend::CognitoBackend;
#[cfg(any(test, feature = "mock"))]
pub use backend::MockCognitoBackend;
pub use error::{
    Error, Field, InvalidInput, Operation, Recovery, Rejected, ServiceError, TransportError,
    TransportKind,
};
pub use sdk::SdkBackend;
pub use secret::{
    AccessToken, ClientSecret, IdToken, OneTimeCode, Password, RefreshToken, Session, TotpSecret,
};
pub use secret_hash::secret_hash;
