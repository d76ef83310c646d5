//! The signed-in page's "claims" section: the ID token's claims, verified
//! once at sign-in (`routes::signed_in`) against the pool's keys with the
//! crate's `TokenVerifier` (RS256, issuer, audience, use, expiry).

use super::devices::date as utc;
use super::pages;
use super::state::SignedIn;

pub fn section(signed_in: &SignedIn) -> String {
    let c = &signed_in.claims;
    let mut claims = vec![
        ("cognito:username".to_owned(), c.username.clone()),
        ("sub".to_owned(), c.sub.clone()),
    ];
    if let Some(email) = &c.email {
        let verified = match c.email_verified {
            Some(true) => " (verified)",
            Some(false) => " (not verified)",
            None => "",
        };
        claims.push(("email".to_owned(), format!("{email}{verified}")));
    }
    if !c.groups.is_empty() {
        claims.push(("cognito:groups".to_owned(), c.groups.join(", ")));
    }
    if let Some(at) = c.auth_time {
        claims.push(("auth_time".to_owned(), utc(at)));
    }
    claims.push(("exp".to_owned(), utc(c.expires_at)));
    claims.push(("iss".to_owned(), c.issuer.clone()));
    claims.push(("aud".to_owned(), c.client_id.clone()));
    pages::claims(
        "Claims",
        "The ID token's claims, verified at sign-in against the pool's keys (RS256, issuer, audience, use, expiry).",
        &claims,
    )
}
