//! Reading a Keep2Share API call: the JSON body whatever the content type (an empty body is
//! `{}`), `null` treated like an absent key, numbers and numeric strings alike, booleans as
//! JSON booleans or the strings "true"/"false".

use serde_json::{Map, Value};

use super::reply::{Failure, invalid_params};

/// The largest JSON body read.
pub(super) const BODY_LIMIT: usize = 8 << 20;

/// A call's parameters. Every getter answers 400/2 for a value of the wrong type.
#[derive(Debug, Default)]
pub(super) struct Params(Map<String, Value>);

impl Params {
    /// The body as parameters; anything but a JSON object (or nothing) is 400/2.
    pub(super) fn parse(body: &[u8]) -> Result<Self, Failure> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            _ => Err(invalid_params()),
        }
    }

    fn value(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|value| !value.is_null())
    }

    /// A string (numbers are taken as their text). An empty string counts as absent.
    pub(super) fn string(&self, key: &str) -> Result<Option<String>, Failure> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::String(text)) if text.is_empty() => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(Value::Number(number)) => Ok(Some(number.to_string())),
            Some(_) => Err(invalid_params()),
        }
    }

    /// A required string: absent or empty is 400/2.
    pub(super) fn required(&self, key: &str) -> Result<String, Failure> {
        self.string(key)?.ok_or_else(invalid_params)
    }

    pub(super) fn bool(&self, key: &str) -> Result<Option<bool>, Failure> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(Value::String(text)) if text.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(text)) if text.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(invalid_params()),
        }
    }

    /// A whole number (JSON number or digits in a string).
    pub(super) fn int(&self, key: &str) -> Result<Option<i64>, Failure> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Number(number)) => number.as_i64().map(Some).ok_or_else(invalid_params),
            Some(Value::String(text)) => {
                text.trim().parse().map(Some).map_err(|_| invalid_params())
            }
            Some(_) => Err(invalid_params()),
        }
    }

    /// A list of ids: strings or numbers.
    pub(super) fn strings(&self, key: &str) -> Result<Option<Vec<String>>, Failure> {
        let Some(value) = self.value(key) else {
            return Ok(None);
        };
        let items = value.as_array().ok_or_else(invalid_params)?;
        items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.clone()),
                Value::Number(number) => Ok(number.to_string()),
                _ => Err(invalid_params()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A required, non-empty list.
    pub(super) fn required_list(&self, key: &str) -> Result<Vec<String>, Failure> {
        self.strings(key)?
            .filter(|items| !items.is_empty())
            .ok_or_else(invalid_params)
    }

    pub(super) fn object(&self, key: &str) -> Result<Option<&Map<String, Value>>, Failure> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(_) => Err(invalid_params()),
        }
    }
}

/// 400/2 unless `condition` holds.
pub(super) fn require(condition: bool) -> Result<(), Failure> {
    if condition {
        Ok(())
    } else {
        Err(invalid_params())
    }
}

/// Whether `id` looks like a Keep2Share id: 13 hex characters, or one of the longer "special"
/// ids made of letters, digits, `-` and `_`.
pub(super) fn well_formed_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(body: &str) -> Params {
        Params::parse(body.as_bytes()).unwrap()
    }

    #[test]
    fn empty_bodies_are_empty_objects_and_other_json_is_refused() {
        assert!(params("").0.is_empty());
        assert!(params(" \n").0.is_empty());
        assert!(Params::parse(b"[1]").is_err());
        assert!(Params::parse(b"{nope").is_err());
    }

    #[test]
    fn null_is_absent_and_types_are_lenient() {
        let p = params(
            r#"{"a":null,"b":"","c":"x","n":7,"t":"TRUE","f":false,"s":"12","ids":["a",5]}"#,
        );
        assert_eq!(p.string("a").unwrap(), None);
        assert_eq!(p.string("b").unwrap(), None);
        assert_eq!(p.string("c").unwrap().as_deref(), Some("x"));
        assert_eq!(p.string("n").unwrap().as_deref(), Some("7"));
        assert_eq!(p.bool("t").unwrap(), Some(true));
        assert_eq!(p.bool("f").unwrap(), Some(false));
        assert!(p.bool("c").is_err());
        assert_eq!(p.int("s").unwrap(), Some(12));
        assert_eq!(p.int("n").unwrap(), Some(7));
        assert!(p.int("c").is_err());
        assert_eq!(
            p.strings("ids").unwrap(),
            Some(vec!["a".into(), "5".into()])
        );
        assert!(p.required_list("missing").is_err());
    }

    #[test]
    fn ids_are_hex_or_special() {
        assert!(well_formed_id("4632a04bb0d2b"));
        assert!(well_formed_id("some-special_id"));
        assert!(!well_formed_id(""));
        assert!(!well_formed_id("a b"));
        assert!(!well_formed_id(&"a".repeat(65)));
    }
}
