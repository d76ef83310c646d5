//! Checks of input against Cognito's documented limits, made locally so bad
//! input gets a clear error before any call.
//!
//! Each check returns [`crate::Error::InvalidInput`]
//! naming the field and what is allowed; the refused value is never echoed,
//! since it may be a secret.

use crate::error::{Error, Field};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

fn len_between(field: Field, value: &str, min: usize, max: usize) -> Result<(), Error> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(Error::invalid(
            field,
            format!("must be {min} to {max} characters long (got {n})"),
        ));
    }
    Ok(())
}

/// Cognito's `\w`: the patterns are ECMAScript regular expressions, where
/// `\w` is ASCII only (`[A-Za-z0-9_]`).
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// One character of Cognito's user name pattern
/// `[\p{L}\p{M}\p{S}\p{N}\p{P}]`: a letter, mark, symbol, number or
/// punctuation. Everything else is refused: separators (spaces, U+2028,
/// U+2029), controls, format characters (bidi overrides such as U+202E,
/// U+200B, the BOM), surrogates, private use and unassigned code points.
fn is_name_char(c: char) -> bool {
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Mark
            | GeneralCategoryGroup::Symbol
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
    )
}

/// One character of text shown to a person (a device name, a masked
/// destination): a user name character, a space (`Zs`), or a zero-width
/// (non-)joiner, which emoji sequences and Persian or Indic words need and
/// which can neither reorder text nor drive a terminal. Refused: controls
/// (escape sequences start with one), line and paragraph separators, the
/// other format characters (bidi embeddings, overrides and isolates), private
/// use and unassigned code points.
fn is_display_char(c: char) -> bool {
    is_name_char(c)
        || c == '\u{200C}'
        || c == '\u{200D}'
        || (c.general_category_group() == GeneralCategoryGroup::Separator
            && c != '\u{2028}'
            && c != '\u{2029}')
}

/// Whether a value from the service can be shown to a person as it is:
/// non-empty and every character [printable](is_display_char). A value that
/// is not is withheld, never cleaned: what is left after stripping an
/// escape sequence's ESC is still not what the service meant to show.
pub(crate) fn is_display_text(text: &str) -> bool {
    !text.is_empty() && text.chars().all(is_display_char)
}

/// A challenge name: 1 to 64 characters.
pub fn challenge_name(name: &str) -> Result<(), Error> {
    len_between(Field::Challenge, name, 1, 64)
}

/// A TOTP code: six ASCII digits once spaces are taken out (people type
/// `123 456`). Returns the six digits, in a `String` of exactly six bytes;
/// wrap it in a [`OneTimeCode`](crate::OneTimeCode) at once, which wipes it.
pub fn user_code(code: &str) -> Result<String, Error> {
    // At most six digits are kept, in a zeroized buffer of exactly that
    // size: no reallocation leaves a copy behind, nor does a refused code.
    let mut digits = crate::secret::SecretBuf::with_capacity(6);
    let mut count = 0usize;
    for c in code.chars().filter(|c| !c.is_whitespace()) {
        if !c.is_ascii_digit() {
            return Err(Error::invalid(Field::UserCode, "must be digits only"));
        }
        if count < 6 {
            digits.push(c);
        }
        count = count.saturating_add(1);
    }
    if count != 6 {
        return Err(Error::invalid(
            Field::UserCode,
            format!("must be exactly 6 digits (got {count})"),
        ));
    }
    Ok(digits.into_string())
}

/// A code sent by text message or email (SMS_MFA, EMAIL_OTP, SMS_OTP): 6
/// to 8 ASCII digits once spaces are taken out. Returns the digits, in a
/// `String` sized to them; wrap it in a [`OneTimeCode`](crate::OneTimeCode)
/// at once, which wipes it.
pub fn delivered_code(code: &str) -> Result<String, Error> {
    // Sized to the input, which the digits never outgrow, and zeroized: no
    // reallocation or refused code leaves a copy behind.
    let mut digits = crate::secret::SecretBuf::with_capacity(code.len());
    for c in code.chars().filter(|c| !c.is_whitespace()) {
        digits.push(c);
    }
    let typed = digits.as_str();
    if !(6..=8).contains(&typed.len()) || !typed.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(Field::UserCode, "must be 6 to 8 digits"));
    }
    Ok(digits.into_string())
}

/// The largest passkey credential taken: an assertion is a few KB.
const MAX_CREDENTIAL_BYTES: usize = 64 * 1024;

/// A browser's passkey credential for WEB_AUTHN (`CREDENTIAL`): the
/// PublicKeyCredential as a JSON object, at most 64 KiB.
pub fn web_authn_credential(json: &str) -> Result<(), Error> {
    let is_object = json.len() <= MAX_CREDENTIAL_BYTES
        && serde_json::from_str::<serde_json::Value>(json).is_ok_and(|v| v.is_object());
    if is_object {
        Ok(())
    } else {
        Err(Error::invalid(
            Field::Challenge,
            "the credential must be the browser's PublicKeyCredential as a JSON object, \
             at most 64 KiB",
        ))
    }
}

/// A user name or alias: 1 to 128 characters of Cognito's pattern
/// `[\p{L}\p{M}\p{S}\p{N}\p{P}]+` (letters, marks, symbols, numbers,
/// punctuation), by Unicode general category: no spaces, control or format
/// characters (U+202E, U+200B, the BOM), private use or unassigned code
/// points.
pub fn username(name: &str) -> Result<(), Error> {
    len_between(Field::Username, name, 1, 128)?;
    if !name.chars().all(is_name_char) {
        return Err(Error::invalid(
            Field::Username,
            "must be letters, marks, symbols, numbers or punctuation only \
             (no spaces, control, format, private-use or unassigned characters)",
        ));
    }
    Ok(())
}

/// A password as sent to InitiateAuth: 1 to 256 characters.
pub fn password(password: &str) -> Result<(), Error> {
    len_between(Field::Password, password, 1, 256)
}

/// The friendly device name sent with VerifySoftwareToken: 1 to 128
/// printable characters. Cognito sends the name back in later challenges
/// (`FRIENDLY_DEVICE_NAME`) for an app to show, so what could disguise or
/// garble it there is refused: controls (terminal escape sequences), line
/// and paragraph separators, bidi and other format characters (the
/// zero-width joiner and non-joiner excepted), private use and unassigned
/// code points. Spaces and emoji are fine.
pub fn device_name(name: &str) -> Result<(), Error> {
    len_between(Field::DeviceName, name, 1, 128)?;
    if !is_display_text(name) {
        return Err(Error::invalid(
            Field::DeviceName,
            "must be printable: no control characters, line or paragraph separators, \
             bidi or other format characters, private-use or unassigned code points",
        ));
    }
    Ok(())
}

/// The fewest bytes a TOTP secret may decode to: 5 (40 bits), one whole
/// base32 group of 8 characters. See [`totp_secret`].
pub const MIN_TOTP_SECRET_BYTES: usize = 5;

/// A TOTP secret (`SecretCode`) as the service sent it: base32 in any case,
/// padding, spaces and dashes ignored, decoding to at least
/// [`MIN_TOTP_SECRET_BYTES`].
///
/// Why a floor, and why this one: the secret is the HMAC key behind every
/// code. A degenerate one (`"A"` decodes to no bytes at all, an empty key;
/// a few bytes are found by trying every key against one or two codes seen
/// over a shoulder) makes every future code predictable, and only a broken
/// or hostile server sends one. Cognito's API promises at least 16 base32
/// characters (80 bits; the in-memory pool hands out 160), and RFC 4226 §4
/// asks for 128 bits and recommends 160. The floor is lower than all of
/// these because moto, the test server, gives every user the 7-byte
/// (56-bit) secret `asdfasdfasdf`, which must keep working; 40 bits refuses
/// the empty and truncated secrets without refusing it. Only the length
/// can be judged here, not the randomness: that stays the service's.
pub fn totp_secret(secret: &str) -> Result<(), Error> {
    let mut symbols = 0usize;
    // Counted, not copied: the secret is not duplicated to be checked.
    for c in secret.chars() {
        if c.is_whitespace() || c == '=' || c == '-' {
            continue;
        }
        if !(c.is_ascii_alphabetic() || ('2'..='7').contains(&c)) {
            return Err(Error::invalid(
                Field::TotpSecret,
                "must be base32 (A-Z, 2-7)",
            ));
        }
        symbols = symbols.saturating_add(1);
    }
    if symbols == 0 {
        return Err(Error::invalid(Field::TotpSecret, "is empty"));
    }
    // Each base32 symbol carries 5 bits; trailing bits short of a byte are
    // dropped by the decoder.
    let bytes = symbols.saturating_mul(5) / 8;
    if bytes < MIN_TOTP_SECRET_BYTES {
        return Err(Error::invalid(
            Field::TotpSecret,
            // Not how long it was: a refusal says nothing about the secret.
            format!("must be at least {MIN_TOTP_SECRET_BYTES} bytes (8 base32 characters)"),
        ));
    }
    Ok(())
}

/// A challenge Session: 20 to 2048 characters.
pub fn session(session: &str) -> Result<(), Error> {
    len_between(Field::Session, session, 20, 2048)
}

/// A user pool id, such as `us-east-1_AbC123`: `[\w-]+_[0-9a-zA-Z]+`, 1 to
/// 55 characters.
pub fn user_pool_id(id: &str) -> Result<(), Error> {
    len_between(Field::UserPoolId, id, 1, 55)?;
    let ok = id.rsplit_once('_').is_some_and(|(region, rest)| {
        !region.is_empty()
            && region.chars().all(|c| is_word(c) || c == '-')
            && !rest.is_empty()
            && rest.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if !ok {
        return Err(Error::invalid(
            Field::UserPoolId,
            "must look like REGION_ID, e.g. us-east-1_AbC123",
        ));
    }
    Ok(())
}

/// An app client id: 1 to 128 word characters or `+`.
pub fn client_id(id: &str) -> Result<(), Error> {
    len_between(Field::ClientId, id, 1, 128)?;
    if !id.chars().all(|c| is_word(c) || c == '+') {
        return Err(Error::invalid(
            Field::ClientId,
            "must be letters, digits, '_' or '+'",
        ));
    }
    Ok(())
}

/// An app client secret: 24 to 64 word characters, `+` or `-` (moto's are uuids).
pub fn client_secret(secret: &str) -> Result<(), Error> {
    len_between(Field::ClientSecret, secret, 24, 64)?;
    if !secret.chars().all(|c| is_word(c) || c == '+' || c == '-') {
        return Err(Error::invalid(
            Field::ClientSecret,
            "must be letters, digits, '_', '+' or '-'",
        ));
    }
    Ok(())
}

/// A remembered device's key: `[\w-]+_[0-9a-f-]+`, 1 to 55 characters.
pub fn device_key(key: &str) -> Result<(), Error> {
    len_between(Field::DeviceKey, key, 1, 55)?;
    // `\w` takes '_' and the tail can't: split at the last '_'.
    let ok = key.rsplit_once('_').is_some_and(|(region, rest)| {
        !region.is_empty()
            && region.chars().all(|c| is_word(c) || c == '-')
            && !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-')
    });
    if !ok {
        return Err(Error::invalid(
            Field::DeviceKey,
            "must look like REGION_HEX-UUID",
        ));
    }
    Ok(())
}

/// A remembered device's group key (`DeviceGroupKey`, like `-abCD12efG`):
/// 1 to 128 printable ASCII characters without spaces. Cognito publishes
/// no pattern; this bounds what the SRP proof hashes.
pub fn device_group_key(key: &str) -> Result<(), Error> {
    len_between(Field::DeviceGroupKey, key, 1, 128)?;
    if !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::invalid(
            Field::DeviceGroupKey,
            "must be printable ASCII without spaces",
        ));
    }
    Ok(())
}

/// A remembered device's password: this crate draws base64 of 40 bytes (56
/// characters); other clients' are accepted up to 1024 printable ASCII
/// characters without spaces.
pub fn device_password(password: &str) -> Result<(), Error> {
    len_between(Field::DevicePassword, password, 1, 1024)?;
    if !password.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::invalid(
            Field::DevicePassword,
            "must be printable ASCII without spaces",
        ));
    }
    Ok(())
}

/// A token (access, ID or refresh): non-empty, at most 16384 characters, no
/// white space.
pub fn token(token: &str) -> Result<(), Error> {
    len_between(Field::Token, token, 1, 16384)?;
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            Field::Token,
            "must not contain white space or control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: Error) -> Field {
        match e {
            Error::InvalidInput(i) => i.field(),
            other => panic!("not invalid input: {other:?}"),
        }
    }

    #[test]
    fn user_codes() {
        assert_eq!(user_code("123456").ok().as_deref(), Some("123456"));
        assert_eq!(user_code(" 123 456 ").ok().as_deref(), Some("123456"));
        assert_eq!(field_of(user_code("12345").unwrap_err()), Field::UserCode);
        assert_eq!(field_of(user_code("1234567").unwrap_err()), Field::UserCode);
        assert_eq!(field_of(user_code("12a456").unwrap_err()), Field::UserCode);
        assert_eq!(field_of(user_code("١٢٣٤٥٦").unwrap_err()), Field::UserCode);
        assert_eq!(field_of(user_code("").unwrap_err()), Field::UserCode);
        let msg = user_code("98765").unwrap_err().to_string();
        assert!(msg.contains("exactly 6 digits"), "{msg}");
        assert!(
            !msg.contains("98765"),
            "the refused code must not be echoed"
        );
    }

    #[test]
    fn user_names_by_general_category() {
        for good in [
            "alice",
            "\u{e9}lodie",
            "\u{65e5}\u{672c}",
            "e\u{301}",
            "\u{a9}\u{1f600}",
            "a.b-c_d+e@f",
        ] {
            assert!(username(good).is_ok(), "{good:?}");
        }
        // Zs, Zl, Cc, Cf (bidi override, zero-width space, BOM, ZWJ), Co, Cn.
        for bad in [
            "a b",
            "a\u{2028}b",
            "a\u{7f}b",
            "a\u{202e}b",
            "a\u{200b}b",
            "\u{feff}a",
            "a\u{200d}b",
            "a\u{e000}b",
            "a\u{378}b",
        ] {
            assert_eq!(
                field_of(username(bad).unwrap_err()),
                Field::Username,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn totp_secret_floor() {
        assert!(totp_secret("asdfasdfasdf").is_ok(), "moto's 7-byte secret");
        assert!(totp_secret("AAAAAAAA").is_ok(), "5 bytes");
        assert!(totp_secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").is_ok());
        assert!(totp_secret("MFRGG===").is_err(), "3 bytes, padded");
        for bad in ["A", "AAAAAAA", "", " = ", "0189ABCD", "AAAAAAA\u{e9}"] {
            assert_eq!(
                field_of(totp_secret(bad).unwrap_err()),
                Field::TotpSecret,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn display_text() {
        assert!(is_display_text("+*******0100"));
        assert!(is_display_text("a***@e***"));
        assert!(!is_display_text(""));
        assert!(!is_display_text("\u{1b}]0;title\u{7}"));
        assert!(!is_display_text("\u{9b}31m"));
        assert!(!is_display_text("SMS\u{202e}"));
    }

    #[test]
    fn ids() {
        assert!(user_pool_id("us-east-1_AbC123").is_ok());
        assert!(user_pool_id("us-east-1").is_err());
        assert!(user_pool_id("us-east-1_").is_err());
        assert!(user_pool_id(&format!("us-east-1_{}", "a".repeat(60))).is_err());
        assert!(client_id("4f9a2c1b7e3d").is_ok());
        assert!(client_id("bad id").is_err());
        assert!(client_id("").is_err());
        assert!(client_secret(&"s".repeat(24)).is_ok());
        assert!(client_secret(&"s".repeat(23)).is_err());
        assert!(client_secret(&"s".repeat(65)).is_err());
        assert!(device_key("us-east-1_0a1b2c3d-4e5f").is_ok());
        assert!(device_key("us-east-1_xyz").is_err());
    }

    #[test]
    fn sessions_and_names() {
        assert!(session(&"s".repeat(20)).is_ok());
        assert!(session(&"s".repeat(19)).is_err());
        assert!(session(&"s".repeat(2049)).is_err());
        assert!(username("alice@example.com").is_ok());
        assert!(username("élodie").is_ok());
        assert!(username("has space").is_err());
        assert!(username("").is_err());
        assert!(device_name("Alice's phone").is_ok());
        assert!(device_name("").is_err());
        assert!(device_name("bad\nname").is_err());
        assert!(device_name("Alice's phone \u{1f469}\u{200d}\u{1f4bb}").is_ok());
        assert!(device_name("\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}").is_ok());
        for bad in [
            "\u{1b}[2J",
            "a\u{2028}b",
            "a\u{2029}b",
            "\u{202e}enohp",
            "a\u{2066}b",
        ] {
            assert!(device_name(bad).is_err(), "{bad:?}");
        }
        assert!(password("").is_err());
        assert!(token("abc.def.ghi").is_ok());
        assert!(token("abc def").is_err());
    }

    #[test]
    fn delivered_codes_and_credentials() {
        assert_eq!(delivered_code("123 456").unwrap(), "123456");
        assert_eq!(delivered_code("1234 5678").unwrap(), "12345678");
        for bad in ["12345", "123456789", "12345a", ""] {
            assert!(delivered_code(bad).is_err(), "{bad:?}");
        }
        assert!(web_authn_credential(r#"{"id":"x"}"#).is_ok());
        for bad in ["[1]", "\"x\"", "not json", ""] {
            assert!(web_authn_credential(bad).is_err(), "{bad:?}");
        }
        let big = format!(r#"{{"id":"{}"}}"#, "x".repeat(64 * 1024));
        assert!(web_authn_credential(&big).is_err());
    }
}
