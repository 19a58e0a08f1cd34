//! Keeping secrets out of messages and logs.

/// Secrets shorter than this are not scrubbed from messages (they would mangle ordinary words).
const MIN_SCRUBBED_LEN: usize = 6;

/// A URL with every query value and any password removed, safe for logs and messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.query().is_some() {
                let keys: Vec<String> = u.query_pairs().map(|(k, _)| format!("{k}=***")).collect();
                u.set_query(Some(&keys.join("&")));
            }
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => "<url>".to_string(),
    }
}

/// `text` with every secret in `secrets` (of a scrubbable length) replaced by `***`.
pub fn scrub<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if secret.len() >= MIN_SCRUBBED_LEN && out.contains(secret) {
            out = out.replace(secret, "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_query_values() {
        assert_eq!(
            redact_url("http://h/x?access_token=abc&account_id=1"),
            "http://h/x?access_token=***&account_id=***"
        );
        assert_eq!(redact_url("http://u:pw@h/x"), "http://u@h/x");
        assert_eq!(redact_url("not a url"), "<url>");
    }

    #[test]
    fn scrubs_long_secrets_only() {
        assert_eq!(
            scrub("token abcdef123 refused; key ab", ["abcdef123", "ab"]),
            "token *** refused; key ab"
        );
    }
}
