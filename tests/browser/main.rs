//! The web example (examples/web) as a person uses it, in headless Chromium driven over
//! WebDriver (Debian's `chromium` and `chromium-driver`; `bash tests/run.sh` installs them).
//! The app runs in-process on the in-memory pool, on a manual clock the test moves: a TOTP code
//! can't be used twice in its 30-second step, so each new code comes from the next step without
//! waiting for it. Screenshots of each page go to `target/screenshots/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

// The very app `cargo run --example web` serves. Parts only `main.rs` uses (the online backend,
// the cookie key from text) are dead code here.
#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/web/app/mod.rs"]
mod app;

mod driver;
mod flows;
mod http_checks;
mod server;
