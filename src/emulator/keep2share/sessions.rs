//! What the site keeps in memory only: login sessions (`auth_token`, sliding expiry), image
//! captchas and reCaptchas with their answers, free-download keys, failed-login counters, and
//! the downloads in flight per user. A restarted emulator asks clients to log in again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;

use crate::emulator::shaping::Occupancy;

/// A captcha or reCaptcha challenge can be answered this long.
const CHALLENGE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// A free-download key works this long once its countdown is over (for several links).
const FREE_KEY_LIFETIME: Duration = Duration::from_secs(30 * 60);
const TOKEN_LEN: usize = 26;
/// Captcha answers use letters and digits that don't look alike in the image font.
pub(super) const CAPTCHA_ALPHABET: &[u8] = b"abcdefhjkmnprstuvwxyz2345678";
const CAPTCHA_LEN: usize = 6;

struct Session {
    account_id: u64,
    last_used: Instant,
    /// Successful validations so far (for the `expire_tokens_after` fault).
    uses: u64,
}

struct Challenge {
    answer: String,
    created: Instant,
}

/// A key earned by answering a download captcha.
pub(super) struct FreeKey {
    pub(super) file_id: String,
    pub(super) ready_at: Instant,
}

#[derive(Default)]
pub(super) struct Sessions {
    tokens: HashMap<String, Session>,
    captchas: HashMap<String, Challenge>,
    re_captchas: HashMap<String, Challenge>,
    free_keys: HashMap<String, FreeKey>,
    /// Wrong passwords per (lowercased) login since its last successful login.
    failed_logins: HashMap<String, u32>,
}

fn random_lowercase(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(|b| char::from(b).to_ascii_lowercase())
        .collect()
}

/// 13 hex characters, like the doc's challenge ids.
fn challenge_id() -> String {
    hex::encode(rand::random::<[u8; 7]>())[..13].to_string()
}

impl Sessions {
    /// A new session token for the account (26 lowercase letters and digits).
    pub(super) fn issue_token(&mut self, account_id: u64, now: Instant) -> String {
        let token = random_lowercase(TOKEN_LEN);
        self.tokens.insert(
            token.clone(),
            Session {
                account_id,
                last_used: now,
                uses: 0,
            },
        );
        token
    }

    /// The account a token belongs to. A token idle for `lifetime` is gone; with
    /// `expire_after`, so is one already used that many times. A success slides the expiry.
    pub(super) fn validate_token(
        &mut self,
        token: &str,
        lifetime: Duration,
        expire_after: Option<u64>,
        now: Instant,
    ) -> Option<u64> {
        self.tokens
            .retain(|_, session| now.duration_since(session.last_used) < lifetime);
        let session = self.tokens.get_mut(token)?;
        if expire_after.is_some_and(|limit| session.uses >= limit) {
            self.tokens.remove(token);
            return None;
        }
        session.uses += 1;
        session.last_used = now;
        Some(session.account_id)
    }

    fn forget_old_challenges(&mut self, now: Instant) {
        let fresh =
            |challenge: &Challenge| now.duration_since(challenge.created) < CHALLENGE_LIFETIME;
        self.captchas.retain(|_, challenge| fresh(challenge));
        self.re_captchas.retain(|_, challenge| fresh(challenge));
    }

    /// A new image captcha: its challenge id.
    pub(super) fn new_captcha(&mut self, now: Instant) -> String {
        self.forget_old_challenges(now);
        let mut rng = rand::rng();
        let answer: String = (0..CAPTCHA_LEN)
            .map(|_| char::from(CAPTCHA_ALPHABET[rng.random_range(0..CAPTCHA_ALPHABET.len())]))
            .collect();
        let id = challenge_id();
        self.captchas.insert(
            id.clone(),
            Challenge {
                answer,
                created: now,
            },
        );
        id
    }

    pub(super) fn captcha_answer(&self, challenge: &str) -> Option<String> {
        self.captchas.get(challenge).map(|c| c.answer.clone())
    }

    /// Whether `response` answers the challenge (case and surrounding blanks aside). A right
    /// answer uses the challenge up; a wrong one leaves it for another try.
    pub(super) fn solve_captcha(&mut self, challenge: &str, response: &str, now: Instant) -> bool {
        self.forget_old_challenges(now);
        let right = self
            .captchas
            .get(challenge)
            .is_some_and(|c| c.answer.eq_ignore_ascii_case(response.trim()));
        if right {
            self.captchas.remove(challenge);
        }
        right
    }

    /// A new reCaptcha: its challenge id (the token to paste is on its page).
    pub(super) fn new_re_captcha(&mut self, now: Instant) -> String {
        self.forget_old_challenges(now);
        let id = challenge_id();
        self.re_captchas.insert(
            id.clone(),
            Challenge {
                answer: hex::encode(rand::random::<[u8; 20]>()),
                created: now,
            },
        );
        id
    }

    pub(super) fn re_captcha_token(&self, challenge: &str) -> Option<String> {
        self.re_captchas.get(challenge).map(|c| c.answer.clone())
    }

    pub(super) fn solve_re_captcha(&mut self, challenge: &str, token: &str, now: Instant) -> bool {
        self.forget_old_challenges(now);
        let right = self
            .re_captchas
            .get(challenge)
            .is_some_and(|c| c.answer == token.trim());
        if right {
            self.re_captchas.remove(challenge);
        }
        right
    }

    /// A free-download key for the file, usable from `ready_at`.
    pub(super) fn grant_free_key(&mut self, file_id: &str, ready_at: Instant) -> String {
        let now = Instant::now();
        self.free_keys
            .retain(|_, key| now < key.ready_at + FREE_KEY_LIFETIME);
        let key = hex::encode(rand::random::<[u8; 16]>());
        self.free_keys.insert(
            key.clone(),
            FreeKey {
                file_id: file_id.to_string(),
                ready_at,
            },
        );
        key
    }

    /// The key, unless it expired.
    pub(super) fn free_key(&self, key: &str, now: Instant) -> Option<&FreeKey> {
        self.free_keys
            .get(key)
            .filter(|key| now < key.ready_at + FREE_KEY_LIFETIME)
    }

    pub(super) fn failed_logins(&self, login: &str) -> u32 {
        self.failed_logins.get(login).copied().unwrap_or(0)
    }

    /// Counts a wrong password; returns the count so far.
    pub(super) fn record_failed_login(&mut self, login: &str) -> u32 {
        let count = self.failed_logins.entry(login.to_string()).or_insert(0);
        *count += 1;
        *count
    }

    pub(super) fn clear_failed_logins(&mut self, login: &str) {
        self.failed_logins.remove(login);
    }
}

/// Downloads being sent, per user (0: anonymous), for the free one-at-a-time rule.
pub(super) type ActiveDownloads = Occupancy<u64>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_slide_and_expire() {
        let mut sessions = Sessions::default();
        let start = Instant::now();
        let life = Duration::from_secs(60);
        let token = sessions.issue_token(7, start);
        assert_eq!(token.len(), 26);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        let later = start + Duration::from_secs(50);
        assert_eq!(sessions.validate_token(&token, life, None, later), Some(7));
        let still = later + Duration::from_secs(50);
        assert_eq!(sessions.validate_token(&token, life, None, still), Some(7));
        let idle = still + life;
        assert_eq!(sessions.validate_token(&token, life, None, idle), None);
    }

    #[test]
    fn the_expiry_fault_counts_uses() {
        let mut sessions = Sessions::default();
        let now = Instant::now();
        let life = Duration::from_secs(60);
        let token = sessions.issue_token(1, now);
        assert!(
            sessions
                .validate_token(&token, life, Some(1), now)
                .is_some()
        );
        assert!(
            sessions
                .validate_token(&token, life, Some(1), now)
                .is_none()
        );
        assert!(sessions.validate_token(&token, life, None, now).is_none());
    }

    #[test]
    fn captchas_survive_wrong_answers_and_are_used_up_by_right_ones() {
        let mut sessions = Sessions::default();
        let now = Instant::now();
        let id = sessions.new_captcha(now);
        let answer = sessions.captcha_answer(&id).unwrap();
        assert_eq!(answer.len(), CAPTCHA_LEN);
        assert!(!sessions.solve_captcha(&id, "wrong!", now));
        assert!(sessions.solve_captcha(&id, &answer.to_uppercase(), now));
        assert!(!sessions.solve_captcha(&id, &answer, now));
    }

    #[test]
    fn one_download_at_a_time_when_asked() {
        let active = ActiveDownloads::default();
        let first = active.enter(&5, Some(1)).unwrap();
        assert!(active.busy(&5));
        assert!(active.enter(&5, Some(1)).is_none());
        let parallel = active.enter(&5, None);
        assert!(parallel.is_some());
        drop(parallel);
        drop(first);
        assert!(!active.busy(&5));
    }
}
