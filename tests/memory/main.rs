//! No plain copy of a secret is left in freed memory by the library's client
//! side. Its own binary: it installs a global allocator ([`scan`]) that looks
//! in every block freed on the test's thread for canary secrets.
//!
//! # What is scanned
//!
//! Every block freed on the test's thread while a flow runs: the secret
//! newtypes' constructors, enrollment (AssociateSoftwareToken's secret, the
//! otpauth URI, the setup key, the QR codes, VerifySoftwareToken's code),
//! sign-in (the password, the Sessions, TOTP and SMS answers, malformed and
//! wrong codes, tokens), the `Authenticator`'s TOTP generator, verifying
//! tokens (`verify::TokenVerifier`: their text and decoded signature) and
//! whatever the library drops of what the backend returned. Every reallocation is
//! made to move, so growing or shrinking a buffer in place hides nothing.
//!
//! # What is not
//!
//! - The backend's own work. With the scripted backend there is none to
//!   speak of (it keeps no values). The in-memory pool is test code that
//!   keeps its copies as it likes, so it runs with the scanner paused; its
//!   secrets become canaries the moment they cross into the library. The
//!   SDK backend is not exercised here: the AWS SDK takes requests as plain
//!   `String`s and serialises them into a body the library cannot reach.
//! - Values the caller is handed by design: the `String`s returned by
//!   `otpauth::key_uri`, `otpauth::setup_key`, `validate::user_code` and the
//!   QR renderings are the caller's to keep or wipe. (The copies a
//!   `PendingEnrollment` keeps are wiped.)
//! - Copies in other encodings than the ones searched for: a secret is
//!   looked for as UTF-8 and UTF-32 text (any 10 consecutive characters, as
//!   sent, canonical and grouped as the setup key), as key bytes (any 8) and
//!   codes whole. The QR module matrix and its renderings, HMAC state and the
//!   stack are out of reach of a free-time scan.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod flows;
mod scan;

#[global_allocator]
static ALLOCATOR: scan::ScanningAllocator = scan::ScanningAllocator;
