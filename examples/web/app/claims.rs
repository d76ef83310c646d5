//! The signed-in page's "claims" section.
//!
//! Hook (token verification): today it shows what the server knows without
//! verifying a token, the user name the sign-in returned and the tokens'
//! lifetime. Once the crate's `verify` feature is merged, verify the ID
//! token with its `TokenVerifier` here (once, at sign-in, keeping the typed
//! claims in `SignedIn`) and list the verified claims instead.

use super::pages;
use super::state::SignedIn;

pub fn section(signed_in: &SignedIn) -> String {
    let tokens = &signed_in.tokens;
    let claims = vec![
        (
            "user name (from the sign-in)".to_owned(),
            signed_in.username.clone(),
        ),
        ("token type".to_owned(), tokens.token_type.clone()),
        (
            "tokens expire in".to_owned(),
            format!("{} s", tokens.expires_in.as_secs()),
        ),
        (
            "ID token".to_owned(),
            if tokens.id_token.is_some() {
                "issued (not verified by this build)".to_owned()
            } else {
                "none".to_owned()
            },
        ),
    ];
    pages::claims(
        "Claims",
        "What the sign-in returned. Verified ID-token claims appear here once token verification is in.",
        &claims,
    )
}
