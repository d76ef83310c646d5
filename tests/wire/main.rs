//! The SDK backend on the wire: Cognito's exceptions mapped, faults of the transport, and moto over HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

mod error_mapping;
mod hostile_server;
#[cfg(feature = "local-endpoint")]
mod local_endpoint;
mod moto_backend;
mod moto_harness;
mod one_http_stack;
mod sdk_no_resend;
mod sdk_unreadable_answer;
