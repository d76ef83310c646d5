//! Checks of input against Cognito's documented limits, made locally so bad
//! input gets a clear error before any call.
//!
//! Each check returns [`crate::Error::InvalidInput`]
//! naming the field and what is allowed; the refused value is never echoed,
//! since it may be a secret.

use crate::error::{Error, Field};

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

/// A challenge name: 1 to 64 characters.
pub fn challenge_name(name: &str) -> Result<(), Error> {
    len_between(Field::Challenge, name, 1, 64)
}

/// A TOTP code: six ASCII digits once spaces are taken out (people type
/// `123 456`). Returns the six digits.
pub fn user_code(code: &str) -> Result<String, Error> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(Field::UserCode, "must be digits only"));
    }
    if digits.len() != 6 {
        return Err(Error::invalid(
            Field::UserCode,
            format!("must be exactly 6 digits (got {})", digits.len()),
        ));
    }
    Ok(digits)
}

/// A user name or alias: 1 to 128 characters, no white space or control
/// characters (Cognito's `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`).
pub fn username(name: &str) -> Result<(), Error> {
    len_between(Field::Username, name, 1, 128)?;
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            Field::Username,
            "must not contain spaces or control characters",
        ));
    }
    Ok(())
}

/// A password as sent to InitiateAuth: 1 to 256 characters.
pub fn password(password: &str) -> Result<(), Error> {
    len_between(Field::Password, password, 1, 256)
}

/// The friendly device name sent with VerifySoftwareToken: 1 to 128
/// printable characters.
pub fn device_name(name: &str) -> Result<(), Error> {
    len_between(Field::DeviceName, name, 1, 128)?;
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            Field::DeviceName,
            "must not contain control characters",
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
        assert!(password("").is_err());
        assert!(token("abc.def.ghi").is_ok());
        assert!(token("abc def").is_err());
    }
}
