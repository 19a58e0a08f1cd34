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

/// A JSON value as one line of text safe to print: characters a terminal would act on (DEL, C1
/// controls, bidi overrides, which JSON may carry raw) are written as `\uXXXX` escapes, which
/// any JSON reader reads back as the same characters.
pub fn json_for_terminal(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if !text.chars().any(is_unsafe_char) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe_char(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
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
    fn json_keeps_its_data_and_loses_what_terminals_act_on() {
        let value = serde_json::json!({"name": "a\u{9b}2J\u{202e}b\u{7f}\n"});
        let text = json_for_terminal(&value);
        assert!(!text.chars().any(is_unsafe_char), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
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
