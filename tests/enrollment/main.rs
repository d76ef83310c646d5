//! Enrollment: AssociateSoftwareToken → VerifySoftwareToken → preference, the otpauth URI and QR codes, the admin calls and the pool preflight.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../common/mod.rs"]
mod common;

mod admin_preflight_mock;
mod enrollment_mock;
mod moto_enrollment;
mod otpauth_qr;
mod saved;
