//! Short-lived random tokens kept in memory (a restart forgets them, as a real server's
//! sessions outlive no reinstall): upload sessions and direct-link tokens.

use std::collections::HashMap;
use std::time::{Duration, Instant};

const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `len` random lowercase alphanumerics.
pub(super) fn random_code(len: usize) -> String {
    (0..len)
        .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
        .collect()
}

/// Tokens that each stand for a value until `lifetime` after they were issued.
pub(super) struct Tokens<V> {
    len: usize,
    lifetime: Duration,
    issued: HashMap<String, (V, Instant)>,
}

impl<V: Clone> Tokens<V> {
    pub(super) fn new(len: usize, lifetime: Duration) -> Self {
        Self {
            len,
            lifetime,
            issued: HashMap::new(),
        }
    }

    pub(super) fn issue(&mut self, value: V, now: Instant) -> String {
        self.issued
            .retain(|_, (_, issued)| now.duration_since(*issued) < self.lifetime);
        let token = random_code(self.len);
        self.issued.insert(token.clone(), (value, now));
        token
    }

    pub(super) fn get(&self, token: &str, now: Instant) -> Option<V> {
        self.issued
            .get(token)
            .filter(|(_, issued)| now.duration_since(*issued) < self.lifetime)
            .map(|(value, _)| value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire() {
        let start = Instant::now();
        let mut tokens = Tokens::new(16, Duration::from_secs(10));
        let token = tokens.issue(7u64, start);
        assert_eq!(token.len(), 16);
        assert_eq!(tokens.get(&token, start + Duration::from_secs(9)), Some(7));
        assert_eq!(tokens.get(&token, start + Duration::from_secs(10)), None);
        assert_eq!(tokens.get("nope", start), None);
    }
}
