//! The web example's application, apart from `main.rs` so the browser test
//! (tests/browser) serves the very same app in-process.

pub mod backend;
mod claims;
pub mod devices;
mod pages;
mod routes;
pub mod security;
pub mod state;

use axum::Router;
use axum::routing::{get, post};
use security::CookiePolicy;
use state::AppState;

/// Every route, with the security headers on every response.
pub fn router(state: AppState) -> Router {
    let policy: CookiePolicy = state.policy();
    Router::new()
        .route("/", get(routes::home))
        .route("/style.css", get(routes::style))
        .route("/sign-in", post(routes::sign_in))
        .route("/code", get(routes::code_page).post(routes::code))
        .route("/setup", get(routes::setup_page).post(routes::setup))
        .route("/signed-in", get(routes::signed_in_page))
        .route("/account", get(routes::account_page))
        .route("/account/totp/start", post(routes::totp_start))
        .route("/account/totp/verify", post(routes::totp_verify))
        .route("/account/totp/cancel", post(routes::totp_cancel))
        .route("/account/devices/forget", post(routes::forget_device))
        .route("/sign-out", post(routes::sign_out))
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn_with_state(
            policy,
            security::headers,
        ))
        .with_state(state)
}
