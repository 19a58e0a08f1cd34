//! What needs no host: the base URLs accepted, and secrets kept out of `Debug`. Everything the
//! client says to a host is tested against the emulator (`tests/keep2share_quirks/`,
//! `tests/conformance/`).

use super::*;
use crate::provider::ErrorKind;

const PASSWORD: &str = "s3cret-pass";
const ACCESS_TOKEN: &str = "tok-9f8e7d6c5b4a";

fn password() -> Credentials {
    Credentials::from_secret(Some("[email protected]"), PASSWORD).unwrap()
}

#[test]
fn only_http_base_urls() {
    assert!(Keep2Share::new("https://k2s.cc/api/v2", password()).is_ok());
    for bad in ["ftp://k2s.cc/api/v2", "k2s.cc", ""] {
        let e = Keep2Share::new(bad, password()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad}");
    }
}

#[test]
fn debug_never_shows_secrets() {
    let p = Keep2Share::new("https://k2s.cc/api/v2", password()).unwrap();
    let t = Keep2Share::new(
        "https://k2s.cc/api/v2",
        Credentials::AccessToken(ACCESS_TOKEN.into()),
    )
    .unwrap();
    let shown = format!("{p:?} {t:?}");
    assert!(
        !shown.contains(PASSWORD) && !shown.contains(ACCESS_TOKEN),
        "{shown}"
    );
}
