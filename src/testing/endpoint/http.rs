//! The HTTP side: hyper 1 serving `POST /`, the operation named by
//! `X-Amz-Target`, and each pool's JWKS at `GET /{poolId}/.well-known/jwks.json`.

use super::ops::{self, State};
use crate::error::ServiceError;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// The largest request body read: Cognito's requests are a few KiB.
const MAX_BODY: usize = 1024 * 1024;
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const JSON: &str = "application/x-amz-json-1.1";

/// Accepts connections until the task is aborted; each is served on a task
/// of a set this one owns, so aborting it ends them too.
pub(super) async fn serve(listener: TcpListener, state: Arc<State>) {
    let mut connections = JoinSet::new();
    loop {
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, _)) => {
                let state = Arc::clone(&state);
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(answer(&state, request).await) }
                    });
                    // A connection that fails (the client went away) ends
                    // alone; nothing about it is logged.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            // Out of file descriptors, say: wait a little rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn answer(state: &State, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let request_id = request_id();
    if request.method() == Method::GET
        && let Some(jwks) = jwks(state, request.uri().path())
    {
        let mut answer = response(StatusCode::OK, jwks.into_bytes(), &request_id, None);
        answer
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return answer;
    }
    if request.method() != Method::POST || request.uri().path() != "/" {
        return error(
            StatusCode::NOT_FOUND,
            &ServiceError::new(
                "UnknownOperationException",
                "cognito-mfa's local endpoint serves POST / only",
            ),
            &request_id,
        );
    }
    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix(TARGET_PREFIX))
        .map(str::to_owned);
    let Some(operation) = operation else {
        return error(
            StatusCode::BAD_REQUEST,
            &ServiceError::new(
                "UnknownOperationException",
                format!("X-Amz-Target must be {TARGET_PREFIX}<Operation>"),
            ),
            &request_id,
        );
    };
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &ServiceError::new(
                    "SerializationException",
                    format!("request body unreadable or over {MAX_BODY} bytes"),
                ),
                &request_id,
            );
        }
    };
    match ops::dispatch(state, &operation, &body) {
        Ok(json) => response(StatusCode::OK, json, &request_id, None),
        Err(e) if e.code() == "InternalErrorException" => {
            error(StatusCode::INTERNAL_SERVER_ERROR, &e, &request_id)
        }
        Err(e) => error(StatusCode::BAD_REQUEST, &e, &request_id),
    }
}

/// `GET /{poolId}/.well-known/jwks.json`: the pool's key set, as Cognito
/// serves it (at its issuer URL), so a verifier can fetch it over HTTP.
fn jwks(state: &State, path: &str) -> Option<String> {
    let pool_id = path
        .strip_prefix('/')?
        .strip_suffix("/.well-known/jwks.json")?;
    Some(state.pool(pool_id)?.jwks_json())
}

/// A request id in the uuid shape AWS sends.
fn request_id() -> String {
    let n: u128 = rand::random();
    let hex = format!("{n:032x}");
    let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default();
    format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    )
}

fn error(status: StatusCode, e: &ServiceError, request_id: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({
        "__type": e.code(),
        "message": e.message().unwrap_or_default(),
    });
    response(
        status,
        body.to_string().into_bytes(),
        request_id,
        Some(e.code()),
    )
}

fn response(
    status: StatusCode,
    body: Vec<u8>,
    request_id: &str,
    error_type: Option<&str>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(code) = error_type.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert("x-amzn-errortype", code);
    }
    response
}
