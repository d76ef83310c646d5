//! The examples as a person runs them: the quickstart, the cognito-idp walkthrough (devices and
//! verify-token included) and the web example.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

#[cfg(feature = "local-endpoint")]
mod cli_devices;
mod cli_input;
#[cfg(feature = "local-endpoint")]
mod cli_user_auth;
mod cli_walkthrough;
mod quickstart;
mod verify_token;
mod web;
