//! What a hostile server, tampered input or a failing network does: faults, validation and property tests (the tracing output has a binary of its own: tests/tracing).
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
mod validation;
