//! A local HTTP server on 127.0.0.1 that answers every request the way a
//! test says: a Cognito error, a body of any size, bytes dripped slowly, or
//! silence. It counts the requests and keeps their bodies, so a test can
//! tell how often a code was sent.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with a request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// An HTTP answer: status, extra headers, body.
    Http(u16, Vec<(String, String)>, Vec<u8>),
    /// A 200 whose head promises `len` bytes, then one byte a second.
    Drip(usize),
    /// Accept and say nothing.
    Silence,
}

impl Answer {
    /// Cognito's JSON error: `__type` and `message`, with a request id.
    pub fn cognito_error(status: u16, code: &str, message: &str, request_id: &str) -> Self {
        let body = serde_json::json!({ "__type": code, "message": message }).to_string();
        Self::Http(
            status,
            vec![
                ("x-amzn-ErrorType".to_owned(), code.to_owned()),
                ("x-amzn-RequestId".to_owned(), request_id.to_owned()),
            ],
            body.into_bytes(),
        )
    }

    /// A 200 with a JSON body.
    pub fn json(body: &serde_json::Value) -> Self {
        Self::Http(200, Vec::new(), body.to_string().into_bytes())
    }
}

/// The running server: its endpoint and the request bodies it received.
#[derive(Clone)]
pub struct Server {
    pub endpoint: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts a server answering every request with `answer(request body)`.
    pub async fn start(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        let answer = Arc::new(answer);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let seen = seen.clone();
                let answer = answer.clone();
                tokio::spawn(async move { serve(socket, &seen, &*answer).await });
            }
        });
        Self { endpoint, bodies }
    }

    /// How many requests arrived whole.
    pub fn requests(&self) -> usize {
        self.bodies.lock().unwrap().len()
    }

    /// The request bodies, in order.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

async fn serve(
    mut socket: TcpStream,
    seen: &Mutex<Vec<String>>,
    answer: &(dyn Fn(&str) -> Answer + Send + Sync),
) {
    loop {
        let Some(body) = read_request(&mut socket).await else {
            return;
        };
        seen.lock().unwrap().push(body.clone());
        match answer(&body) {
            Answer::Http(status, headers, body) => {
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\n\
                     Content-Length: {}\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if socket.write_all(head.as_bytes()).await.is_err()
                    || socket.write_all(&body).await.is_err()
                {
                    return;
                }
            }
            Answer::Drip(len) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
                     Content-Length: {len}\r\n\r\n"
                );
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for _ in 0..len {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    if socket.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            }
            Answer::Silence => {
                // Hold the connection open and say nothing.
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Reads one request (head and Content-Length body); `None` at the end.
async fn read_request(socket: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + len {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    Some(String::from_utf8_lossy(&data[head_end..head_end + len]).into_owned())
}

/// An `SdkConfig` for `endpoint` with dummy credentials and nothing else set
/// (no timeouts, the default retry policy): what the README shows.
pub async fn plain_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_cognitoidentityprovider::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await
}
