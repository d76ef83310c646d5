//! The AWS CLI's shorthand for maps, `KEY=VALUE,KEY=VALUE`, and its JSON
//! form. A module of its own so the fuzz target `cli_key_values` can take
//! it in as it is.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Parses a map in the AWS CLI's shorthand, `KEY=VALUE,KEY=VALUE`, or as a
/// JSON object of strings and booleans. A value may contain `=` (all after
/// the first belongs to it) but not `,` (use the JSON form). An empty list,
/// an empty item, an item without `=`, an empty key and a repeated key are
/// errors. Messages never repeat a value: it may be a password.
pub fn parse_key_values(text: &str) -> Result<BTreeMap<String, String>, String> {
    let text = text.trim();
    if text.starts_with('{') {
        return parse_json_map(text);
    }
    if text.is_empty() {
        return Err("the list is empty (expected KEY=VALUE,KEY=VALUE)".into());
    }
    let mut map = BTreeMap::new();
    for (i, item) in text.split(',').enumerate() {
        let n = i + 1;
        if item.trim().is_empty() {
            return Err(format!("item {n} is empty (expected KEY=VALUE)"));
        }
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!("item {n} has no '=' (expected KEY=VALUE)"));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("item {n} has an empty key (expected KEY=VALUE)"));
        }
        if map.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(format!("{key} is given twice"));
        }
    }
    Ok(map)
}

/// The JSON form of a map: `{"KEY": "VALUE", "Enabled": true}`.
fn parse_json_map(text: &str) -> Result<BTreeMap<String, String>, String> {
    // serde_json's message could quote the input: report the position only.
    let object: Map<String, Value> = serde_json::from_str(text)
        .map_err(|e| format!("not a JSON object of strings (at column {})", e.column()))?;
    if object.is_empty() {
        return Err("the JSON object is empty".into());
    }
    object
        .into_iter()
        .map(|(key, value)| match value {
            _ if key.is_empty() => Err("a key is empty".to_owned()),
            Value::String(s) => Ok((key, s)),
            Value::Bool(b) => Ok((key, b.to_string())),
            _ => Err(format!("the value of {key} must be a string or a boolean")),
        })
        .collect()
}
