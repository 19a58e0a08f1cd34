//! Making untrusted text from servers safe for the terminal and the local filesystem.

use std::borrow::Cow;

/// Text safe to print: control characters (including ESC, so no escape sequences) become `?`.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe_char) {
        Cow::Owned(
            s.chars()
                .map(|c| if is_unsafe_char(c) { '?' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A remote name made safe as one local path component.
///
/// Returns the safe name and whether it had to change. Separators, NUL and control characters
/// become `_`; `.`/`..`/empty names get a placeholder; overlong names are cut on a char boundary.
pub fn local_file_name(name: &str) -> (String, bool) {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | '\0' => '_',
            c if is_unsafe_char(c) => '_',
            c => c,
        })
        .collect();
    let trimmed = out.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        out = format!("_{}", trimmed.replace('.', "_"));
        if out == "_" {
            out = "_unnamed".to_string();
        }
    }
    // Most filesystems cap a component at 255 bytes.
    if out.len() > 255 {
        let mut cut = 255;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    let changed = out != name;
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_loses_escapes() {
        assert_eq!(for_terminal("a\u{1b}[2Jb\n"), "a?[2Jb?");
        assert_eq!(for_terminal("plain näme"), "plain näme");
    }

    #[test]
    fn file_names_cannot_escape() {
        assert_eq!(local_file_name("../../etc/passwd").0, ".._.._etc_passwd");
        assert_eq!(local_file_name("..").0, "___");
        assert_eq!(local_file_name("").0, "_unnamed");
        assert_eq!(local_file_name("a\0b").0, "a_b");
        assert_eq!(local_file_name("ok.txt"), ("ok.txt".to_string(), false));
        assert!(local_file_name(&"é".repeat(200)).0.len() <= 255);
    }
}
