//! Comparing secrets in constant time: passwords, SECRET_HASH and SMS or
//! email codes. A comparison that stops at the first differing byte tells
//! someone timing the answers how much of a guess was right.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Whether `given` equals `expected`, in a time that depends on their
/// lengths only, never on where they differ.
///
/// Both are MACed under one fixed key, then the two 32-byte tags are
/// compared with hmac's `verify_slice`, which is constant time. The tags
/// make the compared lengths equal, so not even a length mismatch returns
/// early; the key need not be secret, as nothing is learnt from a tag that
/// the comparison does not already hide.
pub(super) fn same_secret(given: &str, expected: &str) -> bool {
    let expected = tag(expected).finalize().into_bytes();
    tag(given).verify_slice(&expected).is_ok()
}

fn tag(text: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&Default::default());
    mac.update(text.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_only_when_equal() {
        assert!(same_secret("Corr3ct-Horse", "Corr3ct-Horse"));
        assert!(same_secret("", ""));
        assert!(!same_secret("Corr3ct-Horse", "Corr3ct-Horsf"));
        assert!(!same_secret("Corr3ct-Hors", "Corr3ct-Horse"));
        assert!(!same_secret("Corr3ct-Horse!", "Corr3ct-Horse"));
        assert!(!same_secret("", "123456"));
        assert!(!same_secret("123456", "123457"));
    }
}
