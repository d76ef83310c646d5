//! [`Claims`]: what a verified token says, typed.

use super::error::{TokenError, TokenUse};
use serde_json::{Map, Value};
use std::time::{Duration, SystemTime};

/// The claims of a verified ID or access token.
///
/// The ones every app reads are typed fields; everything else the token
/// carried (custom attributes, `cognito:roles`, `origin_jti`, ...) is in
/// [`other`](Self::other) as JSON. It holds no secret: the signature is not
/// kept, and nothing here lets anyone present the token again.
///
/// ```
/// # use cognito_mfa::verify::{Claims, TokenUse};
/// fn greet(claims: &Claims) -> String {
///     match claims.token_use {
///         TokenUse::Id => format!("hello {}", claims.email.as_deref().unwrap_or(&claims.username)),
///         _ => format!("hello {}", claims.username),
///     }
/// }
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// `sub`: the user's immutable id in the pool (a UUID). Key your data
    /// on this, not on the user name.
    pub sub: String,
    /// The user name: `cognito:username` in an ID token, `username` in an
    /// access token.
    pub username: String,
    /// `token_use`: which token this is.
    pub token_use: TokenUse,
    /// The app client the token was issued to: `aud` in an ID token,
    /// `client_id` in an access token.
    pub client_id: String,
    /// `iss`: the user pool's URL.
    pub issuer: String,
    /// `cognito:groups`: the user's groups, empty when none.
    pub groups: Vec<String>,
    /// `email` (ID tokens, when the user has one).
    pub email: Option<String>,
    /// `email_verified` (ID tokens, when the user has an email).
    pub email_verified: Option<bool>,
    /// `scope`, split on spaces (access tokens), empty when none.
    pub scopes: Vec<String>,
    /// `auth_time`: when the person signed in (refreshes keep it).
    pub auth_time: Option<SystemTime>,
    /// `iat`: when this token was issued.
    pub issued_at: Option<SystemTime>,
    /// `exp`: when this token expires.
    pub expires_at: SystemTime,
    /// `jti`: the token's own id.
    pub jti: Option<String>,
    /// `event_id`: the sign-in event.
    pub event_id: Option<String>,
    /// Every other claim, as it came.
    pub other: Map<String, Value>,
}

impl Claims {
    /// Whether the user is in `group` (`cognito:groups`).
    ///
    /// ```
    /// # fn check(claims: &cognito_mfa::verify::Claims) -> bool {
    /// claims.in_group("admins")
    /// # }
    /// ```
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// Whether the access token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Takes the typed claims out of a verified payload. `token_use` and
    /// the client were checked by the caller.
    pub(super) fn from_payload(
        mut map: Map<String, Value>,
        token_use: TokenUse,
    ) -> Result<Self, TokenError> {
        let (user_claim, client_claim) = match token_use {
            TokenUse::Id => ("cognito:username", "aud"),
            TokenUse::Access => ("username", "client_id"),
        };
        let sub = take_string(&mut map, "sub")?.ok_or(TokenError::MissingClaim { claim: "sub" })?;
        let username = take_string(&mut map, user_claim)?
            .ok_or(TokenError::MissingClaim { claim: user_claim })?;
        let client_id = match map.remove(client_claim) {
            Some(Value::String(s)) => s,
            // A one-element `aud` array names the client too.
            Some(Value::Array(a)) => a
                .into_iter()
                .find_map(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .ok_or(TokenError::MissingClaim {
                    claim: client_claim,
                })?,
            _ => {
                return Err(TokenError::MissingClaim {
                    claim: client_claim,
                });
            }
        };
        let issuer =
            take_string(&mut map, "iss")?.ok_or(TokenError::MissingClaim { claim: "iss" })?;
        map.remove("token_use");
        let groups = match map.remove("cognito:groups") {
            None => Vec::new(),
            Some(Value::Array(a)) => a
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(malformed_claim()),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(malformed_claim()),
        };
        let email = take_string(&mut map, "email")?;
        let email_verified = match map.remove("email_verified") {
            None => None,
            Some(Value::Bool(b)) => Some(b),
            // Some pools send it as a string.
            Some(Value::String(s)) if s == "true" => Some(true),
            Some(Value::String(s)) if s == "false" => Some(false),
            Some(_) => return Err(malformed_claim()),
        };
        let scopes = take_string(&mut map, "scope")?
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let auth_time = take_time(&mut map, "auth_time")?;
        let issued_at = take_time(&mut map, "iat")?;
        let expires_at =
            take_time(&mut map, "exp")?.ok_or(TokenError::MissingClaim { claim: "exp" })?;
        let jti = take_string(&mut map, "jti")?;
        let event_id = take_string(&mut map, "event_id")?;
        Ok(Self {
            sub,
            username,
            token_use,
            client_id,
            issuer,
            groups,
            email,
            email_verified,
            scopes,
            auth_time,
            issued_at,
            expires_at,
            jti,
            event_id,
            other: map,
        })
    }
}

fn malformed_claim() -> TokenError {
    TokenError::Malformed {
        reason: "a claim has the wrong type",
    }
}

fn take_string(map: &mut Map<String, Value>, name: &str) -> Result<Option<String>, TokenError> {
    match map.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed_claim()),
    }
}

/// A NumericDate claim (seconds since the epoch; RFC 7519 allows a
/// fraction).
pub(super) fn numeric_date(value: &Value) -> Result<SystemTime, TokenError> {
    let secs = value.as_f64().ok_or_else(malformed_claim)?;
    if !secs.is_finite() || !(0.0..=1e11).contains(&secs) {
        return Err(malformed_claim());
    }
    Ok(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs))
}

fn take_time(map: &mut Map<String, Value>, name: &str) -> Result<Option<SystemTime>, TokenError> {
    map.remove(name).as_ref().map(numeric_date).transpose()
}
