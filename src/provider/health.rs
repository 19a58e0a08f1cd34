//! Who may download an entry ([`Access`]), and whether a file still lives on its host
//! ([`Availability`]): the shared words of `haul access`, `haul check` and the TUI's badges.

use super::types::Entry;

/// Who may download an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone with the link.
    Public,
    /// Only the owner.
    Private,
    /// Only premium users.
    Premium,
}

impl Access {
    pub const ALL: [Access; 3] = [Access::Public, Access::Private, Access::Premium];

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Private => "private",
            Access::Premium => "premium",
        }
    }

    /// `public`, `private` or `premium` (any case).
    pub fn parse(s: &str) -> Option<Access> {
        Access::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The [`Entry::extra`] key under which a listing records what the host says of a file's
/// availability (its [`Availability::to_extra`] text).
pub const AVAILABILITY_KEY: &str = "availability";

/// Whether a file still lives on its host, as the host says, and if not why.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Availability {
    /// Anyone with the link can download it.
    Alive,
    /// It lives, but only its owner can download it.
    Private,
    /// It lives, but only premium users can download it.
    PremiumOnly,
    /// Gone: deleted (by its owner, or expired), or never there.
    Deleted,
    /// Taken down by the host (abuse, DMCA).
    Blocked,
    /// The host gave no usable answer ("undef"); what it said, in words.
    Undefined(String),
}

impl Availability {
    /// The state in one word or two: `alive`, `private`, `premium only`, `deleted`, `blocked`,
    /// `undef`.
    pub fn word(&self) -> &'static str {
        match self {
            Availability::Alive => "alive",
            Availability::Private => "private",
            Availability::PremiumOnly => "premium only",
            Availability::Deleted => "deleted",
            Availability::Blocked => "blocked",
            Availability::Undefined(_) => "undef",
        }
    }

    /// Whether the link is dead: the file is gone, blocked, or the host can't say it is there.
    /// Private and premium-only files live (their owner chose who may download them).
    pub fn is_dead(&self) -> bool {
        matches!(
            self,
            Availability::Deleted | Availability::Blocked | Availability::Undefined(_)
        )
    }

    /// What the host said beyond the word, where it said more.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Availability::Undefined(why) if !why.is_empty() => Some(why),
            _ => None,
        }
    }

    /// The text kept in [`Entry::extra`] under [`AVAILABILITY_KEY`]: the word, and for `undef`
    /// what the host said after `": "`.
    pub fn to_extra(&self) -> String {
        match self.detail() {
            Some(why) => format!("{}: {why}", self.word()),
            None => self.word().to_string(),
        }
    }

    /// Read [`Availability::to_extra`]'s text back.
    pub fn from_extra(text: &str) -> Option<Availability> {
        let (word, detail) = text.split_once(": ").unwrap_or((text, ""));
        Some(match word {
            "alive" => Availability::Alive,
            "private" => Availability::Private,
            "premium only" => Availability::PremiumOnly,
            "deleted" => Availability::Deleted,
            "blocked" => Availability::Blocked,
            "undef" => Availability::Undefined(detail.to_string()),
            _ => return None,
        })
    }
}

impl std::fmt::Display for Availability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_extra())
    }
}

impl Entry {
    /// What the listing said about the file's availability, where the host's listing says.
    pub fn availability(&self) -> Option<Availability> {
        self.extra
            .get(AVAILABILITY_KEY)
            .and_then(|t| Availability::from_extra(t))
    }

    /// Record what the host says about the file's availability.
    pub fn set_availability(&mut self, availability: &Availability) {
        self.extra
            .insert(AVAILABILITY_KEY.to_string(), availability.to_extra());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_through_the_extra_map() {
        for a in [
            Availability::Alive,
            Availability::Private,
            Availability::PremiumOnly,
            Availability::Deleted,
            Availability::Blocked,
            Availability::Undefined("status 451".into()),
            Availability::Undefined(String::new()),
        ] {
            assert_eq!(Availability::from_extra(&a.to_extra()), Some(a.clone()));
        }
        assert_eq!(Availability::from_extra("gone"), None);
        assert!(Availability::Blocked.is_dead() && !Availability::Private.is_dead());
        assert_eq!(Access::parse(" Premium"), Some(Access::Premium));
        assert_eq!(Access::parse("secret"), None);
    }
}
