//! Access tokens (one alive per user, 1 hour sliding idle expiry) and download tokens
//! (24 hours). Kept in memory: a restarted emulator asks clients to authorize again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};

/// Tokens unused for this long are deleted by the next API request.
const IDLE_EXPIRY: Duration = Duration::from_secs(60 * 60);
/// A `download_url` works this long.
const DOWNLOAD_VALIDITY: Duration = Duration::from_secs(24 * 60 * 60);
const ACCESS_TOKEN_LEN: usize = 128;

struct AccessToken {
    account_id: u64,
    last_used: Instant,
    /// Successful validations so far (for the `expire_tokens_after` fault).
    uses: u64,
}

struct DownloadGrant {
    file_id: u64,
    expires: Instant,
}

#[derive(Default)]
pub(super) struct Sessions {
    access: HashMap<String, AccessToken>,
    downloads: HashMap<String, DownloadGrant>,
}

impl Sessions {
    /// What every API request does first: forget tokens idle for an hour.
    pub(super) fn purge_idle(&mut self, now: Instant) {
        self.access
            .retain(|_, token| now.duration_since(token.last_used) < IDLE_EXPIRY);
    }

    /// A new token for the account; its older tokens stop working.
    pub(super) fn issue(&mut self, account_id: u64, now: Instant) -> String {
        self.access
            .retain(|_, token| token.account_id != account_id);
        let token: String = rand::rng()
            .sample_iter(Alphanumeric)
            .take(ACCESS_TOKEN_LEN)
            .map(char::from)
            .collect();
        self.access.insert(
            token.clone(),
            AccessToken {
                account_id,
                last_used: now,
                uses: 0,
            },
        );
        token
    }

    /// Whether the token belongs to the account; a success counts as a use and slides the
    /// expiry. With `expire_after`, a token that was already used that many times is deleted.
    pub(super) fn validate(
        &mut self,
        token: &str,
        account_id: u64,
        expire_after: Option<u64>,
        now: Instant,
    ) -> bool {
        let Some(found) = self.access.get_mut(token) else {
            return false;
        };
        if found.account_id != account_id {
            return false;
        }
        if expire_after.is_some_and(|limit| found.uses >= limit) {
            self.access.remove(token);
            return false;
        }
        found.uses += 1;
        found.last_used = now;
        true
    }

    pub(super) fn revoke(&mut self, token: &str) {
        self.access.remove(token);
    }

    /// A 64-hex download token for the file, valid 24 hours.
    pub(super) fn grant_download(&mut self, file_id: u64, now: Instant) -> String {
        self.downloads.retain(|_, grant| grant.expires > now);
        let seed: [u8; 32] = rand::random();
        let mut hasher = Sha256::new();
        hasher.update(seed);
        hasher.update(file_id.to_be_bytes());
        let token = hex::encode(hasher.finalize());
        self.downloads.insert(
            token.clone(),
            DownloadGrant {
                file_id,
                expires: now + DOWNLOAD_VALIDITY,
            },
        );
        token
    }

    pub(super) fn may_download(&self, token: &str, file_id: u64, now: Instant) -> bool {
        self.downloads
            .get(token)
            .is_some_and(|grant| grant.file_id == file_id && grant.expires > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_revokes_the_older_one() {
        let mut sessions = Sessions::default();
        let now = Instant::now();
        let first = sessions.issue(1, now);
        let other_user = sessions.issue(2, now);
        let second = sessions.issue(1, now);
        assert_eq!(first.len(), 128);
        assert!(first.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(!sessions.validate(&first, 1, None, now));
        assert!(sessions.validate(&second, 1, None, now));
        assert!(sessions.validate(&other_user, 2, None, now));
        assert!(
            !sessions.validate(&second, 2, None, now),
            "token and account must match"
        );
    }

    #[test]
    fn tokens_expire_after_an_idle_hour_and_slide_with_use() {
        let mut sessions = Sessions::default();
        let start = Instant::now();
        let token = sessions.issue(1, start);
        let later = start + Duration::from_secs(50 * 60);
        sessions.purge_idle(later);
        assert!(sessions.validate(&token, 1, None, later));
        let still = later + Duration::from_secs(50 * 60);
        sessions.purge_idle(still);
        assert!(sessions.validate(&token, 1, None, still));
        let idle = still + IDLE_EXPIRY;
        sessions.purge_idle(idle);
        assert!(!sessions.validate(&token, 1, None, idle));
    }

    #[test]
    fn the_expiry_fault_counts_uses() {
        let mut sessions = Sessions::default();
        let now = Instant::now();
        let token = sessions.issue(1, now);
        assert!(sessions.validate(&token, 1, Some(2), now));
        assert!(sessions.validate(&token, 1, Some(2), now));
        assert!(!sessions.validate(&token, 1, Some(2), now));
        assert!(
            !sessions.validate(&token, 1, None, now),
            "an expired token is gone"
        );
    }

    #[test]
    fn download_tokens_last_a_day() {
        let mut sessions = Sessions::default();
        let now = Instant::now();
        let token = sessions.grant_download(7, now);
        assert_eq!(token.len(), 64);
        assert!(sessions.may_download(&token, 7, now + Duration::from_secs(3600)));
        assert!(!sessions.may_download(&token, 8, now));
        assert!(!sessions.may_download(&token, 7, now + DOWNLOAD_VALIDITY));
    }
}
