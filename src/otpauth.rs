//! The `otpauth://` key URI that authenticator apps read from a QR code, and
//! the grouped setup key for typing the secret by hand.
//!
//! Cognito returns only the secret; the issuer and account name shown in the
//! app are the application's to choose. The URI follows Google's Key URI
//! Format with Cognito's fixed parameters (SHA1, 6 digits, 30 seconds):
//!
//! ```text
//! otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
//! ```
//!
//! Both strings hold the secret: show them to the person enrolling, never log
//! them. They are handed over as plain `String`s; the copies the library
//! makes on the way (the canonical secret, the buffer the URI is written
//! into) are zeroized, and a [`PendingEnrollment`](crate::PendingEnrollment)
//! wipes the ones it keeps.

use crate::error::{Error, Field};
use crate::secret::{SecretBuf, TotpSecret};
use crate::totp::canonical_base32;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters is encoded, so the result
/// is safe in both the path (label) and the query of the URI, whatever the
/// app's parser does with `+`, `/`, `?`, `&` or `#`.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `otpauth://totp/` URI for `secret`, labelled `issuer:account_name`.
///
/// The issuer goes both in the label prefix and in the `issuer` parameter,
/// since apps differ on which one they read. Issuer and account name are
/// percent-encoded byte by byte except for RFC 3986 unreserved characters
/// (a space is `%20`, `@` is `%40`, non-ASCII text is UTF-8 encoded). The
/// secret is written in canonical base32: upper case, no padding.
///
/// # Errors
///
/// [`Error::InvalidInput`] for [`Field::Issuer`] or [`Field::AccountName`]
/// when the text is empty (or only whitespace), contains a `:` (the label's
/// separator) or a control character; for [`Field::TotpSecret`] when the
/// secret is not base32.
///
/// # Example
///
/// ```
/// use cognito_mfa::TotpSecret;
/// use cognito_mfa::otpauth::key_uri;
///
/// let secret = TotpSecret::new("JBSWY3DPEHPK3PXP");
/// let uri = key_uri(&secret, "Example Corp", "alice@example.com")?;
/// assert_eq!(
///     uri,
///     "otpauth://totp/Example%20Corp:alice%40example.com?secret=JBSWY3DPEHPK3PXP\
///      &issuer=Example%20Corp&algorithm=SHA1&digits=6&period=30"
/// );
/// # Ok::<(), cognito_mfa::Error>(())
/// ```
pub fn key_uri(secret: &TotpSecret, issuer: &str, account_name: &str) -> Result<String, Error> {
    Ok(key_uri_buf(secret, issuer, account_name)?.into_string())
}

/// [`key_uri`] in a buffer that is zeroized on drop, for the copy a
/// pending enrollment keeps. Written piece by piece into a buffer sized
/// for the whole URI up front, so it never grows: a `format!` would leave
/// the partial URIs of each reallocation in freed memory.
pub(crate) fn key_uri_buf(
    secret: &TotpSecret,
    issuer: &str,
    account_name: &str,
) -> Result<SecretBuf, Error> {
    check_label(issuer, Some(account_name))?;
    let base32 = canonical_base32(secret)?;
    let issuer = utf8_percent_encode(issuer, NOT_UNRESERVED).to_string();
    let account = utf8_percent_encode(account_name, NOT_UNRESERVED).to_string();
    let pieces: [&str; 9] = [
        "otpauth://totp/",
        &issuer,
        ":",
        &account,
        "?secret=",
        &base32,
        "&issuer=",
        &issuer,
        "&algorithm=SHA1&digits=6&period=30",
    ];
    let mut uri = SecretBuf::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        uri.push_str(piece);
    }
    Ok(uri)
}

/// The secret for typing into an authenticator app by hand: canonical base32
/// (upper case, no padding) in groups of four separated by single spaces,
/// such as `JBSW Y3DP EHPK 3PXP`. Apps ignore the spaces.
///
/// # Errors
///
/// [`Error::InvalidInput`] for [`Field::TotpSecret`] when the secret is not
/// base32.
pub fn setup_key(secret: &TotpSecret) -> Result<String, Error> {
    Ok(setup_key_buf(secret)?.into_string())
}

/// [`setup_key`] in a buffer that is zeroized on drop, sized up front (the
/// canonical form is ASCII: one space per four characters, none at the end).
pub(crate) fn setup_key_buf(secret: &TotpSecret) -> Result<SecretBuf, Error> {
    let base32 = canonical_base32(secret)?;
    let spaces = base32.len().saturating_sub(1) / 4;
    let mut key = SecretBuf::with_capacity(base32.len().saturating_add(spaces));
    for (i, c) in base32.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            key.push(' ');
        }
        key.push(c);
    }
    Ok(key)
}

/// Checks an issuer and, when already known, an account name as
/// [`key_uri`] does, so a flow can refuse them before calling the service.
pub(crate) fn check_label(issuer: &str, account_name: Option<&str>) -> Result<(), Error> {
    check_label_part(Field::Issuer, issuer)?;
    if let Some(account_name) = account_name {
        check_label_part(Field::AccountName, account_name)?;
    }
    Ok(())
}

/// Refuses what would break the label or confuse the app. The reason names
/// what is allowed and never repeats the value.
fn check_label_part(field: Field, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    // A colon splits the label into issuer and account: apps would misread it,
    // encoded or not.
    if value.contains(':') {
        return Err(Error::invalid(
            field,
            "must not contain ':' (any other printable text is allowed)",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "must not contain control characters (any other printable text is allowed)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use percent_encoding::percent_decode_str;

    const SECRET: &str = "JBSWY3DPEHPK3PXP";

    fn uri(issuer: &str, account: &str) -> String {
        key_uri(&TotpSecret::new(SECRET), issuer, account).unwrap()
    }

    fn refused_field(result: Result<String, Error>) -> Field {
        match result {
            Err(Error::InvalidInput(i)) => i.field(),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    // Expected strings were cross-checked with Python's
    // urllib.parse.quote(s, safe=''), which keeps exactly the unreserved set.

    #[test]
    fn plain_issuer_and_account() {
        assert_eq!(
            uri("Example", "alice"),
            "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example\
             &algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn space_in_issuer_is_percent_20() {
        assert_eq!(
            uri("Example Corp", "alice"),
            "otpauth://totp/Example%20Corp:alice?secret=JBSWY3DPEHPK3PXP\
             &issuer=Example%20Corp&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn at_sign_in_account_is_encoded() {
        assert_eq!(
            uri("Example", "alice@example.com"),
            "otpauth://totp/Example:alice%40example.com?secret=JBSWY3DPEHPK3PXP\
             &issuer=Example&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn non_ascii_is_utf8_percent_encoded() {
        // Precomposed ü (U+00FC) is C3 BC in UTF-8.
        assert_eq!(
            uri("Z\u{fc}rich Bank", "J\u{fc}rgen"),
            "otpauth://totp/Z%C3%BCrich%20Bank:J%C3%BCrgen?secret=JBSWY3DPEHPK3PXP\
             &issuer=Z%C3%BCrich%20Bank&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn unreserved_kept_and_uri_delimiters_encoded() {
        assert_eq!(
            uri("A-b.c_d~e", "x+y/z?&=#%"),
            "otpauth://totp/A-b.c_d~e:x%2By%2Fz%3F%26%3D%23%25?secret=JBSWY3DPEHPK3PXP\
             &issuer=A-b.c_d~e&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn lowercase_unpadded_secret_is_canonicalised() {
        let got = key_uri(&TotpSecret::new("asdfasdfasdf"), "Example", "alice").unwrap();
        assert_eq!(
            got,
            "otpauth://totp/Example:alice?secret=ASDFASDFASDF&issuer=Example\
             &algorithm=SHA1&digits=6&period=30"
        );
        // Padding and spaces go too.
        let padded = key_uri(
            &TotpSecret::new("jbsw y3dp ehpk 3pxp===="),
            "Example",
            "alice",
        );
        assert_eq!(padded.unwrap(), uri("Example", "alice"));
    }

    #[test]
    fn colon_refused_in_either_part() {
        let secret = TotpSecret::new(SECRET);
        assert_eq!(
            refused_field(key_uri(&secret, "Example:Corp", "alice")),
            Field::Issuer
        );
        assert_eq!(
            refused_field(key_uri(&secret, "Example", "alice:admin")),
            Field::AccountName
        );
    }

    #[test]
    fn empty_and_control_characters_refused() {
        let secret = TotpSecret::new(SECRET);
        assert_eq!(refused_field(key_uri(&secret, "", "alice")), Field::Issuer);
        assert_eq!(
            refused_field(key_uri(&secret, "Example", "")),
            Field::AccountName
        );
        assert_eq!(
            refused_field(key_uri(&secret, "  ", "alice")),
            Field::Issuer
        );
        assert_eq!(
            refused_field(key_uri(&secret, "Exa\nmple", "alice")),
            Field::Issuer
        );
        assert_eq!(
            refused_field(key_uri(&secret, "Example", "al\u{7f}ice")),
            Field::AccountName
        );
        assert_eq!(
            refused_field(key_uri(&secret, "Example", "al\u{85}ice")),
            Field::AccountName
        );
    }

    #[test]
    fn refusal_never_echoes_the_value() {
        let secret = TotpSecret::new(SECRET);
        let err = key_uri(&secret, "canary:issuer", "alice").unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("canary"), "{shown}");
        let err = key_uri(&secret, "Example", "canary\taccount").unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("canary"), "{shown}");
    }

    #[test]
    fn bad_secret_refused() {
        let err = key_uri(&TotpSecret::new("not base32!"), "Example", "alice").unwrap_err();
        assert!(matches!(err, Error::InvalidInput(ref i) if i.field() == Field::TotpSecret));
        assert!(setup_key(&TotpSecret::new("")).is_err());
    }

    #[test]
    fn round_trip_by_percent_decoding() {
        let cases = [
            ("Example", "alice"),
            ("Example Corp", "alice@example.com"),
            ("Z\u{fc}rich Bank", "J\u{fc}rgen"),
            ("A-b.c_d~e", "x+y/z?&=#%"),
            ("\u{6771}\u{4eac}", "\u{1f600} smile"),
        ];
        for (issuer, account) in cases {
            let got = uri(issuer, account);
            let rest = got.strip_prefix("otpauth://totp/").unwrap();
            let (label, query) = rest.split_once('?').unwrap();
            // Every reserved character is encoded, so the raw ':' and '&'
            // are the URI's own delimiters.
            let (label_issuer, label_account) = label.split_once(':').unwrap();
            let decode = |s: &str| percent_decode_str(s).decode_utf8().unwrap().into_owned();
            assert_eq!(decode(label_issuer), issuer);
            assert_eq!(decode(label_account), account);
            let params: Vec<(&str, &str)> = query
                .split('&')
                .map(|p| p.split_once('=').unwrap())
                .collect();
            let decoded: Vec<(&str, String)> =
                params.iter().map(|(k, v)| (*k, decode(v))).collect();
            assert_eq!(
                decoded,
                [
                    ("secret", SECRET.to_owned()),
                    ("issuer", issuer.to_owned()),
                    ("algorithm", "SHA1".to_owned()),
                    ("digits", "6".to_owned()),
                    ("period", "30".to_owned()),
                ]
            );
        }
    }

    #[test]
    fn setup_key_groups_of_four() {
        let key = setup_key(&TotpSecret::new("jbswy3dpehpk3pxp")).unwrap();
        assert_eq!(key, "JBSW Y3DP EHPK 3PXP");
        // A short last group stays short, with no trailing space.
        let key = setup_key(&TotpSecret::new("asdfasdfasdf=")).unwrap();
        assert_eq!(key, "ASDF ASDF ASDF");
        let key = setup_key(&TotpSecret::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQAB")).unwrap();
        assert_eq!(key, "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ AB");
    }
}
