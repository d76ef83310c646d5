//! The cognito-idp example's KEY=VALUE lists (the AWS CLI's shorthand, or
//! a JSON object): arbitrary text never panics, an accepted list has
//! non-empty, trimmed, unique keys, and a refusal never repeats a value
//! (it may be a password).
#![no_main]

#[path = "../../examples/cognito-idp/shorthand.rs"]
mod shorthand;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match shorthand::parse_key_values(text) {
        Ok(map) => {
            assert!(!map.is_empty());
            for key in map.keys() {
                assert!(!key.is_empty());
                if !text.trim_start().starts_with('{') {
                    assert_eq!(key.trim(), key, "keys are trimmed");
                    assert!(!key.contains(',') && !key.contains('='));
                }
            }
        }
        Err(message) => {
            // The wording is printable ASCII and may name keys: with every
            // key taken out, anything else (a control, non-ASCII) can only
            // be an echoed value. JSON keys are decoded, so they can't be
            // found in the text: that form is checked by its tests.
            if text.trim_start().starts_with('{') {
                return;
            }
            let mut keys: Vec<&str> = text
                .split(',')
                .map(|item| item.split_once('=').map_or(item, |(key, _)| key).trim())
                .filter(|key| !key.is_empty())
                .collect();
            // Longest first: a short key inside a long one must not break it.
            keys.sort_by_key(|key| std::cmp::Reverse(key.len()));
            let mut residue = message.clone();
            for key in keys {
                residue = residue.replace(key, "");
            }
            assert!(
                residue.chars().all(|c| c.is_ascii_graphic() || c == ' '),
                "a value was echoed: {message:?}"
            );
        }
    }
});
