//! What needs no site: the capabilities and the words for what the API cannot do, and the key
//! kept out of `Debug`. Everything the client says to a site is tested against the emulator
//! (`tests/xfilesharing_quirks/`, `tests/conformance/`).

use super::*;
use crate::provider::ErrorKind;

const KEY: &str = "k3yk3yk3yk3y";

#[tokio::test]
async fn what_the_api_cannot_do_is_said_in_words() {
    let host = XFileSharing::new("https://kenfiles.com/api", KEY).unwrap();
    let caps = host.capabilities();
    assert!(!caps.delete && !caps.move_folders && caps.move_files && caps.server_side_copy);
    let e = host.delete(&EntryRef::file("abc")).await.unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Unsupported, "kenfiles' API has no delete")
    );
    let e = host
        .move_entry(&EntryRef::folder("15"), &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Unsupported, "kenfiles' API cannot move folders")
    );
    let e = host
        .copy_entry(&EntryRef::folder("15"), &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(!format!("{host:?}").contains(KEY));
}
