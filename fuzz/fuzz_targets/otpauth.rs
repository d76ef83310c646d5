//! Arbitrary issuer, account name and secret: `otpauth::key_uri` never
//! panics, refuses a ':' / control character / empty label part, and
//! otherwise writes a URI whose label and `issuer` parameter percent-decode
//! back to exactly what was given. (The crate only writes these URIs; it
//! never parses one.)
#![no_main]

use arbitrary::Arbitrary;
use cognito_mfa::otpauth::{key_uri, setup_key};
use cognito_mfa::{Error, Field, TotpSecret};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    issuer: String,
    account: String,
    /// Use this secret rather than a valid fixed one.
    secret: Option<String>,
}

fn refused(part: &str) -> bool {
    part.chars().all(char::is_whitespace)
        || part.contains(':')
        || part.chars().any(char::is_control)
}

fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            assert!(
                bytes[i].is_ascii_alphanumeric() || b"-._~".contains(&bytes[i]),
                "unencoded {:?}",
                bytes[i] as char
            );
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fuzz_target!(|input: Input| {
    let fixed = input.secret.is_none();
    let secret = TotpSecret::new(
        input
            .secret
            .unwrap_or_else(|| "JBSWY3DPEHPK3PXP".to_owned()),
    );
    let _ = setup_key(&secret);
    match key_uri(&secret, &input.issuer, &input.account) {
        Err(Error::InvalidInput(i)) => match i.field() {
            Field::Issuer => assert!(refused(&input.issuer)),
            Field::AccountName => assert!(!refused(&input.issuer) && refused(&input.account)),
            Field::TotpSecret => assert!(!fixed, "the fixed secret is base32"),
            other => panic!("refused {other:?}"),
        },
        Err(other) => panic!("not InvalidInput: {other:?}"),
        Ok(uri) => {
            assert!(!refused(&input.issuer) && !refused(&input.account));
            let rest = uri.strip_prefix("otpauth://totp/").expect("scheme");
            let (label, query) = rest.split_once('?').expect("query");
            let (issuer, account) = label.split_once(':').expect("label");
            assert_eq!(decode(issuer), input.issuer.as_bytes());
            assert_eq!(decode(account), input.account.as_bytes());
            let params: Vec<(&str, &str)> = query
                .split('&')
                .map(|p| p.split_once('=').expect("key=value"))
                .collect();
            assert_eq!(params.len(), 5, "{uri}");
            assert_eq!(params[0].0, "secret");
            assert_eq!(params[1], ("issuer", issuer));
            assert_eq!(
                &params[2..],
                [("algorithm", "SHA1"), ("digits", "6"), ("period", "30")]
            );
        }
    }
});
