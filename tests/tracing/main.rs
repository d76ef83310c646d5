//! What the library writes to the logs. A binary of its own, with one test: tracing caches each
//! callsite's interest process-wide, and other tests' threads meeting the same spans with no
//! subscriber made a scoped subscriber miss spans now and then when this shared a binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

mod sign_in_tracing;
