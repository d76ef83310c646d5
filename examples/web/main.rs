//! A web back end on cognito-mfa, with axum: sign in with user name and
//! password (SRP), then a TOTP code, or the authenticator setup (QR code,
//! setup key) when the pool demands MFA; a signed-in page; an account page
//! to set up an authenticator and see remembered devices; sign out.
//!
//! ```text
//! cargo run --example web                       # offline: in-memory pool, seeded user
//! cargo run --example web -- --user-pool-id us-east-1_AbC123 --client-id 1example23456789
//! cargo run --example web -- --user-pool-id POOL --client-id CLIENT --endpoint-url http://127.0.0.1:5000
//! ```
//!
//! It serves plain HTTP on 127.0.0.1 for development. Behind TLS (a proxy
//! that terminates it), pass `--secure-cookies`: cookies get `Secure` and
//! the `__Host-` prefix, and responses HSTS. See the README's "Web
//! example" for the security choices and what production must revisit.

mod app;

use app::backend::{Offline, Online, SEED_PASSWORD, SEED_USER};
use app::security::{self, CookiePolicy};
use app::state::AppState;
use clap::Parser;
use cognito_mfa::clock::SystemClock;
use std::net::{Ipv4Addr, SocketAddr};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The cognito-mfa web example.
#[derive(Parser)]
struct Args {
    /// The port on 127.0.0.1 (0: a free one).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// A real user pool (or moto's, or the local endpoint's): with
    /// --client-id, the example runs online through the AWS SDK, with the
    /// region and credentials of the standard AWS environment.
    #[arg(long, requires = "client_id")]
    user_pool_id: Option<String>,
    /// The app client (it must allow ALLOW_USER_SRP_AUTH).
    #[arg(long, requires = "user_pool_id")]
    client_id: Option<String>,
    /// The app client's secret, if it has one.
    #[arg(long, env = "COGNITO_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// moto or a local endpoint, e.g. http://127.0.0.1:5000.
    #[arg(long)]
    endpoint_url: Option<String>,
    /// The key the remembered-device cookie is encrypted with: 64 bytes,
    /// base64. Without it a fresh key is drawn, and remembered browsers are
    /// forgotten at restart.
    #[arg(long, env = "WEB_COOKIE_KEY", hide_env_values = true)]
    cookie_key: Option<String>,
    /// Served over TLS (by a proxy in front): Secure, __Host- cookies and HSTS.
    #[arg(long)]
    secure_cookies: bool,
}

const ISSUER: &str = "cognito-mfa web example";

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let key = security::cookie_key(args.cookie_key.as_deref())?;
    let policy = CookiePolicy {
        secure: args.secure_cookies,
    };
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port))).await?;
    let url = format!("http://{}/", listener.local_addr()?);

    let (sign_in, verifier, offline) = match (args.user_pool_id, args.client_id) {
        (Some(user_pool_id), Some(client_id)) => {
            let online = Online {
                user_pool_id,
                client_id,
                client_secret: args.client_secret,
                endpoint_url: args.endpoint_url,
            };
            let (sign_in, verifier) = online.sign_in().await?;
            (sign_in, verifier, None)
        }
        _ => {
            let offline = Offline::seeded(SystemClock)?;
            (
                offline.sign_in.clone(),
                offline.verifier.clone(),
                Some(offline),
            )
        }
    };
    println!("cognito-mfa web example");
    match &offline {
        Some(offline) => {
            println!(
                "backend   in-memory user pool {} (offline; MFA ON, TOTP; devices remembered on request)",
                offline.pool.pool_id()
            );
            println!("client    {}", offline.client_id);
            println!("user      {SEED_USER}");
            println!("password  {SEED_PASSWORD}   (a demo password, printed on purpose)");
            println!("          the first sign-in sets up an authenticator app: scan the QR code");
        }
        None => println!(
            "backend   Cognito user pool {} through the AWS SDK",
            sign_in.user_pool_id().unwrap_or("?")
        ),
    }
    println!("open      {url}");
    let app = app::router(AppState::new(
        sign_in,
        verifier,
        ISSUER.to_owned(),
        key,
        policy,
    ));
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
