//! Making untrusted text from servers safe for the terminal and the local filesystem.

use std::borrow::Cow;

/// Text safe to print: control characters (including ESC, so no escape sequences) become `?`;
/// invisible characters that change how text reads (bidi controls, zero-width characters) are
/// shown as `\u{202e}` escapes, so a person sees they are there.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe_char(c) || is_invisible(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else if is_unsafe_char(c) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A JSON value as one line of text safe to print: characters a terminal would act on (DEL, C1
/// controls, bidi overrides, which JSON may carry raw) or draw as nothing (zero-width ones)
/// are written as `\uXXXX` escapes, which any JSON reader reads back as the same characters.
pub fn json_for_terminal(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let escaped = |c: char| is_unsafe_char(c) || is_invisible(c);
    if !text.chars().any(escaped) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
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
    c.is_control() || is_bidi(c)
}

/// Bidi controls: they reorder what follows (`NAME<RLO>gpj.exe` shows as `...exe.jpg`).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

/// Characters a terminal draws as nothing: bidi controls, zero-width spaces and joiners, the
/// word joiner, the byte-order mark, the soft hyphen.
fn is_invisible(c: char) -> bool {
    is_bidi(c)
        || matches!(
            c,
            '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}' | '\u{180e}'
        )
}

/// Longest file name most filesystems take, in bytes.
pub const NAME_MAX: usize = 255;

/// `name` cut to at most `max` bytes, keeping a short extension and adding `~` and 8 hex digits
/// of a hash of the whole name (so two long names that share a beginning stay apart).
pub fn shorten_name(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    use sha2::Digest;
    let hash = hex::encode(&sha2::Sha256::digest(name.as_bytes())[..4]);
    let ext = match name.rfind('.') {
        Some(dot) if dot > 0 && name.len() - dot <= 16 => &name[dot..],
        _ => "",
    };
    let room = max.saturating_sub(ext.len() + 1 + hash.len());
    let stem = &name[..name.len() - ext.len()];
    let mut cut = room.min(stem.len());
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{hash}{ext}", &stem[..cut])
}

/// A remote name made safe as one local path component.
///
/// Returns the safe name and whether it had to change. Separators, NUL, control characters,
/// bidi controls and zero-width characters become `_`; `.`/`..`/empty names get a placeholder;
/// names over [`NAME_MAX`] bytes are shortened by [`shorten_name`].
pub fn local_file_name(name: &str) -> (String, bool) {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | '\0' => '_',
            c if is_unsafe_char(c) || is_invisible(c) => '_',
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
    let out = shorten_name(&out, NAME_MAX);
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

    #[test]
    fn invisible_characters_show_in_the_terminal_and_leave_local_names() {
        assert_eq!(for_terminal("a\u{200b}b\u{202e}c"), "a\\u{200b}b\\u{202e}c");
        assert_eq!(
            local_file_name("\u{200b}x\u{200d}.txt\u{feff}").0,
            "_x_.txt_"
        );
        assert_eq!(local_file_name("x\u{202e}gpj.exe").0, "x_gpj.exe");
    }

    #[test]
    fn long_names_are_shortened_apart_keeping_the_extension() {
        let a = format!("{}a.mkv", "x".repeat(10_000));
        let b = format!("{}b.mkv", "x".repeat(10_000));
        let (sa, changed) = local_file_name(&a);
        let (sb, _) = local_file_name(&b);
        assert!(changed);
        assert!(sa.len() <= NAME_MAX && sb.len() <= NAME_MAX, "{}", sa.len());
        assert!(sa.ends_with(".mkv") && sa.starts_with("xxxx"));
        assert_ne!(sa, sb);
        assert_eq!(local_file_name(&a).0, sa, "the same name every time");
        let multibyte = "é".repeat(300);
        let short = shorten_name(&multibyte, 100);
        assert!(short.len() <= 100 && short.contains('~'));
        let exact = "y".repeat(255);
        assert_eq!(local_file_name(&exact), (exact.clone(), false));
    }
}
