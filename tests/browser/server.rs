//! The web example's app in-process, on a seeded in-memory pool and a manual clock.

use crate::app;
use crate::app::backend::Offline;
use crate::app::security::CookiePolicy;
use crate::app::state::AppState;
use axum_extra::extract::cookie::Key;
use cognito_mfa::testing::{InMemoryPool, ManualClock};

pub struct Server {
    pub url: String,
    pub clock: ManualClock,
    pub state: AppState,
    /// The pool itself, for what Cognito holds (its devices) and what happens elsewhere.
    pub pool: InMemoryPool,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub async fn start() -> Self {
        Self::start_trusting(None).await
    }

    /// The app, its token verifier trusting `keys` (a JWKS) instead of its own pool's.
    pub async fn start_trusting(keys: Option<String>) -> Self {
        let clock = ManualClock::starting_now();
        let offline = Offline::seeded(clock.clone()).expect("seed the in-memory pool");
        let verifier = match keys {
            None => offline.verifier.clone(),
            Some(keys) => cognito_mfa::verify::TokenVerifier::builder(
                offline.pool.pool_id(),
                [offline.client_id.as_str()],
            )
            .keys_from_json(keys)
            .clock(clock.clone())
            .build()
            .expect("a verifier"),
        };
        let state = AppState::new(
            offline.sign_in.clone(),
            verifier,
            "cognito-mfa web example".to_owned(),
            Key::generate(),
            CookiePolicy { secure: false },
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = app::router(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("serve the app");
        });
        Self {
            url,
            clock,
            state,
            pool: offline.pool,
            task,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
