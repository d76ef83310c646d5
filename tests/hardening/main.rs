//! What a hostile server, tampered input or a failing network does: faults, validation, property tests and the tracing output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

mod faults;
mod proptest_inputs;
mod sign_in_tracing;
mod validation;
