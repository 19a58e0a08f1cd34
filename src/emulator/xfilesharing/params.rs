//! Reading parameters the way Perl's `CGI` does: the query string and, for a POST, an
//! urlencoded form body, merged (the first value of a repeated name wins). Headers carry none:
//! an `X-Api-Key` header is not a key.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{Method, header};

/// Largest form body read; a bigger one is ignored.
const FORM_LIMIT: usize = 1 << 20;

#[derive(Debug, Default)]
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    fn add(&mut self, pairs: url::form_urlencoded::Parse<'_>) {
        self.0
            .extend(pairs.map(|(name, value)| (name.into_owned(), value.into_owned())));
    }

    /// The first value sent under `name`, even empty.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value, or `""` when absent.
    pub(super) fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }

    /// The value when sent and not empty.
    pub(super) fn provided(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|value| !value.is_empty())
    }

    /// The value as Perl's numeric context reads it (see [`perl_int`]); 0 when absent.
    pub(super) fn int(&self, name: &str) -> i64 {
        perl_int(self.text(name))
    }

    /// Adds a value after those already read (a multipart text field).
    pub(super) fn insert(&mut self, name: String, value: String) {
        self.0.push((name, value));
    }
}

/// Reads the query string, then the form body of a POST.
pub(super) async fn read(request: Request) -> Params {
    let mut params = Params::default();
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if let Some(query) = request.uri().query() {
        params.add(url::form_urlencoded::parse(query.as_bytes()));
    }
    if request.method() == Method::POST {
        // Read even when not a form, so the connection stays usable.
        if let Ok(body) = to_bytes(request.into_body(), FORM_LIMIT).await
            && is_form
        {
            // CGI puts the body's values before the query's.
            let mut merged = Params::default();
            merged.add(url::form_urlencoded::parse(&body));
            merged.0.append(&mut params.0);
            params = merged;
        }
    }
    params
}

/// Perl's number from a string: optional spaces and sign, then leading digits; otherwise 0.
pub(super) fn perl_int(value: &str) -> i64 {
    let trimmed = value.trim_start();
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let magnitude = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |total, digit| {
            total
                .saturating_mul(10)
                .saturating_add(i64::from(digit - b'0'))
        });
    if negative { -magnitude } else { magnitude }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_perl() {
        assert_eq!(perl_int("12abc"), 12);
        assert_eq!(perl_int(" 7"), 7);
        assert_eq!(perl_int("abc"), 0);
        assert_eq!(perl_int("-3"), -3);
        assert_eq!(perl_int(""), 0);
        assert_eq!(perl_int("99999999999999999999999"), i64::MAX);
    }
}
