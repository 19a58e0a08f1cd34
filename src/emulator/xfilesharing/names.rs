//! Names as the Perl server keeps them: the bytes it received, `"` written as `&quote;`, cut at
//! 128 bytes, and sent back one char per byte (Latin-1), so a UTF-8 name comes back as mojibake
//! (`café.txt` -> `cafÃ©.txt`). The emulator stores that Latin-1 form as it is sent.

/// Longest stored name, in bytes.
const MAX_NAME_BYTES: usize = 128;

/// The stored (and emitted) form of a name a client sent.
pub(super) fn stored(raw: &str) -> String {
    let escaped = raw.replace('"', "&quote;");
    escaped
        .bytes()
        .take(MAX_NAME_BYTES)
        .map(char::from)
        .collect()
}

/// The bytes behind a stored name, read as UTF-8 (lossily, as a cut may split a character):
/// what a browser shows for the file, and the name in its download URL.
pub(super) fn original(stored: &str) -> String {
    let bytes: Vec<u8> = stored
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether `needle` (as a client sends it) occurs in a stored name, ignoring ASCII case like
/// MySQL's `LIKE '%...%'`.
pub(super) fn contains(stored_name: &str, needle: &str) -> bool {
    let needle = stored(needle).to_ascii_lowercase();
    stored_name.to_ascii_lowercase().contains(&needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_come_back_as_latin1_mojibake() {
        assert_eq!(stored("café.txt"), "cafÃ©.txt");
        assert_eq!(stored("相片"), "ç\u{9b}¸ç\u{89}\u{87}");
        assert_eq!(original(&stored("相片")), "相片");
        assert_eq!(stored("plain.txt"), "plain.txt");
    }

    #[test]
    fn quotes_are_escaped_and_long_names_cut() {
        assert_eq!(stored("a \"b\"/c"), "a &quote;b&quote;/c");
        let long = "é".repeat(100);
        assert_eq!(stored(&long).chars().count(), 128);
        assert!(original(&stored(&long)).starts_with(&"é".repeat(64)));
    }

    #[test]
    fn name_filters_match_substrings() {
        assert!(contains(&stored("Quarterly-Report.md"), "report"));
        assert!(contains(&stored("café.txt"), "fé"));
        assert!(!contains(&stored("notes.txt"), "café"));
    }
}
