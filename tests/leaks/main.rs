//! No secret in Debug output or logs, whole flows at TRACE. Its own binary: it installs a global tracing subscriber.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

mod leaks;
