//! Sign-in: the state machine against the mock, a script and moto, and the scenarios run on every peer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

mod devices;
mod moto_sign_in;
mod proptest_state_machine;
mod scenarios;
mod sign_in_mock;
mod srp;
mod user_auth;
