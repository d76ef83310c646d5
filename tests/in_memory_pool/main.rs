//! The in-memory pool behaves as Cognito does: expiry, reuse, per-user secrets, exact errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

mod in_memory_pool;
