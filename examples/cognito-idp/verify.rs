//! `verify-token`: checks an ID or access token as a service would
//! (`cognito_mfa::verify::TokenVerifier`) and prints its verified claims.
//!
//! ```text
//! cognito-idp verify-token --user-pool-id us-east-1_AbC123 --client-id "$CLIENT_ID" \
//!     --token "$ACCESS_TOKEN" [--jwks-url http://127.0.0.1:5000/us-east-1_AbC123/.well-known/jwks.json]
//! ```
//!
//! Not in the AWS CLI. The token's `token_use` says which checks apply (an
//! ID token's `aud`, an access token's `client_id`); `--token-use` insists
//! on one. The keys come from Cognito's JWKS URL for the pool, or
//! `--jwks-url` (moto and the local endpoint serve them at their own
//! address; the issuer expected stays Cognito's). Exit status: 0 and the
//! claims as JSON on stdout; 1 and `error: TokenError: KIND: message` on
//! stderr when the token is refused or the keys can't be fetched (`retryable`
//! said when it is); 2 for bad input (a malformed pool or client id). The
//! token is never printed.

use clap::Args;
use cognito_mfa::verify::{Claims, TokenError, TokenUse, TokenVerifier};
use serde_json::{Map, Value, json};
use std::process::ExitCode;
use std::time::SystemTime;

#[derive(Args)]
pub(crate) struct VerifyTokenArgs {
    /// The user pool id, such as us-east-1_AbC123 (its region is read from it).
    #[arg(long)]
    user_pool_id: String,
    /// An app client id whose tokens are accepted (repeat for several).
    #[arg(long, required = true)]
    client_id: Vec<String>,
    /// The ID or access token (or COGNITO_TOKEN).
    #[arg(long, env = "COGNITO_TOKEN", hide_env_values = true)]
    token: String,
    /// Where to fetch the pool's keys, instead of Cognito's JWKS URL.
    #[arg(long)]
    jwks_url: Option<String>,
    /// Accept only this kind of token: id or access.
    #[arg(long, value_parser = ["id", "access"])]
    token_use: Option<String>,
}

fn unix(t: Option<SystemTime>) -> Value {
    t.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(Value::Null, |d| json!(d.as_secs()))
}

/// The claims as JSON, under their names in the token.
fn claims_json(claims: &Claims) -> Value {
    let mut out = Map::new();
    out.insert("sub".into(), json!(claims.sub));
    out.insert("username".into(), json!(claims.username));
    out.insert("token_use".into(), json!(claims.token_use.as_str()));
    out.insert("client_id".into(), json!(claims.client_id));
    out.insert("iss".into(), json!(claims.issuer));
    out.insert("cognito:groups".into(), json!(claims.groups));
    if let Some(email) = &claims.email {
        out.insert("email".into(), json!(email));
    }
    if let Some(verified) = claims.email_verified {
        out.insert("email_verified".into(), json!(verified));
    }
    if !claims.scopes.is_empty() {
        out.insert("scope".into(), json!(claims.scopes.join(" ")));
    }
    out.insert("auth_time".into(), unix(claims.auth_time));
    out.insert("iat".into(), unix(claims.issued_at));
    out.insert("exp".into(), unix(Some(claims.expires_at)));
    if let Some(jti) = &claims.jti {
        out.insert("jti".into(), json!(jti));
    }
    if let Some(event_id) = &claims.event_id {
        out.insert("event_id".into(), json!(event_id));
    }
    for (name, value) in &claims.other {
        out.insert(name.clone(), value.clone());
    }
    Value::Object(out)
}

async fn verify(verifier: &TokenVerifier, args: &VerifyTokenArgs) -> Result<Claims, TokenError> {
    match args.token_use.as_deref() {
        Some("id") => verifier.verify_str(&args.token, TokenUse::Id).await,
        Some(_) => verifier.verify_str(&args.token, TokenUse::Access).await,
        // Either kind: the token's own token_use decides, after its signature.
        None => match verifier.verify_str(&args.token, TokenUse::Access).await {
            Err(TokenError::WrongUse { found, .. }) if found == "id" => {
                verifier.verify_str(&args.token, TokenUse::Id).await
            }
            other => other,
        },
    }
}

pub(crate) async fn run(args: VerifyTokenArgs) -> ExitCode {
    let mut builder = TokenVerifier::builder(&args.user_pool_id, &args.client_id);
    if let Some(url) = &args.jwks_url {
        builder = builder.jwks_url(url);
    }
    let verifier = match builder.build() {
        Ok(verifier) => verifier,
        Err(e) => {
            eprintln!("error: InvalidInput: {e}");
            return ExitCode::from(2);
        }
    };
    match verify(&verifier, &args).await {
        Ok(claims) => {
            let json = serde_json::to_string_pretty(&claims_json(&claims)).unwrap_or_default();
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let retry = if e.is_retryable() { " (retryable)" } else { "" };
            eprintln!("error: TokenError: {}: {e}{retry}", e.kind());
            ExitCode::from(1)
        }
    }
}
