//! Verifying the tokens a sign-in returns (`verify::TokenVerifier`): the
//! in-memory pool's real RS256 tokens verified by ours and by PyJWT, moto's
//! through moto's JWKS endpoint over HTTP, every refusal shown with a
//! crafted token, the JWKS fetch's bounds and refetch on rotation, and no
//! token in any error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

mod craft;
mod jwks_fetch;
mod leaks;
mod moto_tokens;
mod mutations;
mod pool_tokens;
mod refusals;
