//! Lenient readers for host JSON: numbers that arrive as strings, `null`/`false` for empty.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A value as a string whatever its JSON type (`"12"`, `12`, `null` -> None).
pub fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A non-negative integer from a number or a numeric string.
pub fn u64_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
}

/// Serde adapter: `Option<String>` from string, number or null.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(string_of(&Value::deserialize(d)?).filter(|s| !s.is_empty()))
}

/// Serde adapter: `Option<u64>` from number, numeric string or null.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(u64_of(&Value::deserialize(d)?))
}

/// Serde adapter: a list that may arrive as `[]`, `null`, `false` or be missing.
pub fn lenient_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(serde::de::Error::custom))
            .collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(_, v)| serde_json::from_value(v).map_err(serde::de::Error::custom))
            .collect(),
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_as_strings() {
        assert_eq!(u64_of(&json!("149084")), Some(149084));
        assert_eq!(u64_of(&json!(12)), Some(12));
        assert_eq!(u64_of(&json!(null)), None);
        assert_eq!(u64_of(&json!("abc")), None);
        assert_eq!(string_of(&json!(52)), Some("52".into()));
    }
}
