//! The pool's JSON Web Key Set: parsing it, fetching it (bounded), and the
//! cache the verifier reads on every token.

use super::error::KeysUnavailableKind;
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

/// The smallest RSA modulus accepted, in bytes (2048 bits, what Cognito
/// uses; aws-lc refuses smaller keys for RS256 too).
const MIN_MODULUS_BYTES: usize = 256;

/// The RS256 keys of one pool, by `kid`, each parsed into aws-lc's form
/// once (rebuilding it from `n` and `e` on every token, as jsonwebtoken
/// does, costs about 2 µs of a 16 µs check).
#[derive(Default)]
pub(super) struct KeySet {
    keys: HashMap<String, ParsedPublicKey>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kids: Vec<&String> = self.keys.keys().collect();
        kids.sort();
        f.debug_struct("KeySet").field("kids", &kids).finish()
    }
}

impl KeySet {
    /// The RS256 signing keys of a JWKS document. Keys of another type,
    /// algorithm or use are skipped; a document with no usable key is
    /// refused.
    pub(super) fn parse(json: &[u8]) -> Result<Self, KeysUnavailableKind> {
        let doc: Value =
            serde_json::from_slice(json).map_err(|_| KeysUnavailableKind::Malformed)?;
        let entries = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(KeysUnavailableKind::Malformed)?;
        let mut keys = HashMap::new();
        for entry in entries {
            let field = |name: &str| entry.get(name).and_then(Value::as_str);
            let usable = field("kty") == Some("RSA")
                && field("alg").is_none_or(|a| a == "RS256")
                && field("use").is_none_or(|u| u == "sig");
            let (Some(kid), Some(n), Some(e)) = (field("kid"), field("n"), field("e")) else {
                continue;
            };
            if !usable {
                continue;
            }
            let Some(key) = rsa_key(n, e) else {
                continue;
            };
            keys.insert(kid.to_owned(), key);
        }
        if keys.is_empty() {
            return Err(KeysUnavailableKind::Malformed);
        }
        Ok(Self { keys })
    }

    pub(super) fn get(&self, kid: &str) -> Option<&ParsedPublicKey> {
        self.keys.get(kid)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub(super) fn kids(&self) -> Vec<String> {
        let mut kids: Vec<String> = self.keys.keys().cloned().collect();
        kids.sort();
        kids
    }
}

/// An RS256 verification key from a JWK's `n` and `e` (base64url), of 2048
/// to 8192 bits (aws-lc's bounds for RSASSA-PKCS1-v1_5).
fn rsa_key(n: &str, e: &str) -> Option<ParsedPublicKey> {
    let n = URL_SAFE_NO_PAD.decode(n).ok()?;
    let e = URL_SAFE_NO_PAD.decode(e).ok()?;
    if n.iter().skip_while(|&&b| b == 0).count() < MIN_MODULUS_BYTES {
        return None;
    }
    let der = RsaPublicKeyComponents { n: &n, e: &e }.as_der().ok()?;
    ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der.as_ref()).ok()
}

/// One HTTP client for the JWKS URL: plain for `http://` (moto, the local
/// endpoint), rustls on aws-lc with the system's roots for `https://`.
enum Transport {
    Http(Client<HttpConnector, Empty<Bytes>>),
    Https(Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>),
}

/// Fetches the key set from one URL, within a time and size bound.
pub(super) struct Fetcher {
    url: Uri,
    timeout: Duration,
    max_bytes: usize,
    transport: std::sync::OnceLock<Result<Transport, KeysUnavailableKind>>,
}

impl fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetcher")
            .field("url", &self.url)
            .field("timeout", &self.timeout)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    pub(super) fn new(url: Uri, timeout: Duration, max_bytes: usize) -> Self {
        Self {
            url,
            timeout,
            max_bytes,
            transport: std::sync::OnceLock::new(),
        }
    }

    pub(super) fn url(&self) -> &Uri {
        &self.url
    }

    fn transport(&self) -> Result<&Transport, KeysUnavailableKind> {
        self.transport
            .get_or_init(|| {
                let mut http = HttpConnector::new();
                http.set_connect_timeout(Some(self.timeout));
                let builder = Client::builder(TokioExecutor::new());
                if self.url.scheme_str() == Some("https") {
                    http.enforce_http(false);
                    let provider = rustls::crypto::aws_lc_rs::default_provider();
                    let https = hyper_rustls::HttpsConnectorBuilder::new()
                        .with_provider_and_native_roots(provider)
                        .map_err(|_| KeysUnavailableKind::Connect)?
                        .https_only()
                        .enable_http1()
                        .wrap_connector(http);
                    Ok(Transport::Https(builder.build(https)))
                } else {
                    Ok(Transport::Http(builder.build(http)))
                }
            })
            .as_ref()
            .map_err(|kind| *kind)
    }

    /// GET the URL: the whole answer within the timeout, at most
    /// `max_bytes` of body, HTTP 200, a key set with an RS256 key.
    pub(super) async fn fetch(&self) -> Result<KeySet, KeysUnavailableKind> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(KeysUnavailableKind::NoRuntime);
        }
        let transport = self.transport()?;
        let request = Request::get(self.url.clone())
            .header(hyper::header::ACCEPT, "application/json")
            .body(Empty::new())
            .map_err(|_| KeysUnavailableKind::Connect)?;
        let whole = async {
            let response = match transport {
                Transport::Http(client) => client.request(request).await,
                Transport::Https(client) => client.request(request).await,
            }
            .map_err(|_| KeysUnavailableKind::Connect)?;
            if response.status() != StatusCode::OK {
                return Err(KeysUnavailableKind::Status(response.status().as_u16()));
            }
            let body = Limited::new(response.into_body(), self.max_bytes)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        KeysUnavailableKind::TooLarge
                    } else {
                        KeysUnavailableKind::Connect
                    }
                })?
                .to_bytes();
            KeySet::parse(&body)
        };
        tokio::time::timeout(self.timeout, whole)
            .await
            .map_err(|_| KeysUnavailableKind::Timeout)?
    }
}
