//! A hostile or broken host, for testing that clients survive one: odd and dangerous names,
//! download bodies that lie about their length, replies that are not the JSON they should be,
//! and links that lead elsewhere. Each misbehaviour is one named [`HostileCase`], switched on by
//! `haul emulator --hostile CASE,...` or the `hostile` field of `POST /__emulator/faults`.
//!
//! Everything here rewrites what the honest sites answer: a layer over the API replies
//! ([`replies::layer`]), and a hook in the download handlers ([`download_case`]). The sites'
//! data is never changed.

mod bodies;
mod links;
mod names;
mod replies;
mod shapes;

use std::hash::{DefaultHasher, Hash, Hasher};

pub(crate) use bodies::respond as hostile_body;
pub(crate) use links::{elsewhere_router, redirect};
pub(crate) use replies::layer;

/// One way a host misbehaves. When several cases of one kind are on, each entry, file or
/// reply takes one of them (by its id, or in turn for replies).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum HostileCase {
    /// Names in listings and file info start with `../`.
    NameDotdot,
    /// Names are absolute paths: `/tmp/haul-hostile-NAME`.
    NameSlash,
    /// Names start with `..\..\`.
    NameBackslash,
    /// Names hold a NUL character.
    NameNul,
    /// Names hold control characters (CR, LF, BEL, BS, TAB, DEL).
    NameControl,
    /// Names hold ANSI escape sequences (clear screen, colour, window title, hyperlink).
    NameAnsi,
    /// Names hold a right-to-left override (U+202E), so `NAME<RLO>gpj.exe` shows as `...exe.jpg`.
    NameBidi,
    /// Names hold zero-width characters (U+200B, U+200D, U+FEFF).
    NameZeroWidth,
    /// Names are 10,000 characters long.
    NameLong,
    /// Files and folders are all named `..`.
    NameDotdotEntry,
    /// Every file in a folder has one name (`twin.txt`).
    NameDuplicate,
    /// Download bodies end at half the listed size, without a Content-Length.
    BodyShort,
    /// Download bodies go 64 KiB past the listed size, without a Content-Length.
    BodyLong,
    /// Download bodies never end (the file, then zeros), without a Content-Length.
    BodyEndless,
    /// Content-Length says the listed size; the body stops at half and the connection closes.
    BodyLyingLength,
    /// Content-Length and body agree on half the listed size.
    BodyLengthMismatch,
    /// API replies are an HTML error page (HTTP 200).
    ReplyHtml,
    /// API replies are cut in the middle of the JSON.
    ReplyTruncated,
    /// Listings and file info carry numbers for names and objects for lists.
    ReplyWrongTypes,
    /// API replies are over 64 MiB (whitespace, then the JSON).
    ReplyHuge,
    /// API replies are an empty HTTP 200.
    ReplyEmpty,
    /// Download links handed out by the API are `file:///etc/passwd`.
    LinkToFile,
    /// Download links handed out by the API are `ftp://` URLs.
    LinkToFtp,
    /// Download links handed out by the API are `javascript:` URLs.
    LinkToJavascript,
    /// Download links handed out by the API lead to another host.
    LinkToOtherHost,
    /// Downloads redirect (302) to `file:///etc/passwd`.
    RedirectToFile,
    /// Downloads redirect (302) to an `ftp://` URL.
    RedirectToFtp,
    /// Downloads redirect (302) to a `javascript:` URL.
    RedirectToJavascript,
    /// Downloads redirect (302) to another host.
    RedirectToOtherHost,
}

/// The kinds of misbehaviour; one case of each kind applies at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name,
    Body,
    Reply,
    Link,
    Redirect,
}

impl HostileCase {
    /// Every case: what `--hostile` without a list switches on.
    pub fn all() -> Vec<HostileCase> {
        <HostileCase as clap::ValueEnum>::value_variants().to_vec()
    }

    fn kind(self) -> Kind {
        use HostileCase::*;
        match self {
            NameDotdot | NameSlash | NameBackslash | NameNul | NameControl | NameAnsi
            | NameBidi | NameZeroWidth | NameLong | NameDotdotEntry | NameDuplicate => Kind::Name,
            BodyShort | BodyLong | BodyEndless | BodyLyingLength | BodyLengthMismatch => Kind::Body,
            ReplyHtml | ReplyTruncated | ReplyWrongTypes | ReplyHuge | ReplyEmpty => Kind::Reply,
            LinkToFile | LinkToFtp | LinkToJavascript | LinkToOtherHost => Kind::Link,
            RedirectToFile | RedirectToFtp | RedirectToJavascript | RedirectToOtherHost => {
                Kind::Redirect
            }
        }
    }
}

/// The case of `kind` that applies to the thing `seed` stands for (an entry's id, a file), if
/// any case of that kind is on.
fn pick(cases: &[HostileCase], kind: Kind, seed: impl Hash) -> Option<HostileCase> {
    let mut hasher = DefaultHasher::new();
    seed.hash(&mut hasher);
    pick_in_turn(cases, kind, hasher.finish())
}

/// The `turn`th case of `kind` (round the ones that are on), if any is on.
fn pick_in_turn(cases: &[HostileCase], kind: Kind, turn: u64) -> Option<HostileCase> {
    let mut of_kind: Vec<HostileCase> = cases
        .iter()
        .copied()
        .filter(|case| case.kind() == kind)
        .collect();
    of_kind.dedup();
    let count = u64::try_from(of_kind.len())
        .ok()
        .filter(|&count| count > 0)?;
    of_kind
        .get(usize::try_from(turn % count).unwrap_or(0))
        .copied()
}

/// The misbehaviour a download of `file` gets: its body's case, if one is on.
pub(crate) fn download_case(cases: &[HostileCase], file: &str) -> Option<HostileCase> {
    pick(cases, Kind::Body, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case_on_the_wire_and_the_command_line() {
        assert_eq!(
            serde_json::to_string(&HostileCase::NameZeroWidth).unwrap(),
            "\"name-zero-width\""
        );
        let parsed: HostileCase =
            <HostileCase as clap::ValueEnum>::from_str("link-to-other-host", false).unwrap();
        assert_eq!(parsed, HostileCase::LinkToOtherHost);
        assert_eq!(HostileCase::all().len(), 29);
    }

    #[test]
    fn one_case_of_a_kind_applies() {
        let cases = [HostileCase::NameAnsi, HostileCase::BodyShort];
        assert_eq!(pick(&cases, Kind::Name, "x"), Some(HostileCase::NameAnsi));
        assert_eq!(pick(&cases, Kind::Body, 7), Some(HostileCase::BodyShort));
        assert_eq!(pick(&cases, Kind::Reply, 7), None);
        let all = HostileCase::all();
        let picked: std::collections::HashSet<_> = (0..5)
            .filter_map(|turn| pick_in_turn(&all, Kind::Reply, turn))
            .collect();
        assert_eq!(picked.len(), 5, "every reply case takes its turn");
        let named: std::collections::HashSet<_> = (0..200)
            .filter_map(|id| pick(&all, Kind::Name, id))
            .collect();
        assert_eq!(named.len(), 11, "entries spread over the name cases");
    }
}
