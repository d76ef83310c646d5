//! The examples as a person runs them: the quickstart, the cognito-idp walkthrough and its
//! verify-token.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

mod cli_input;
mod cli_walkthrough;
mod quickstart;
mod verify_token;
