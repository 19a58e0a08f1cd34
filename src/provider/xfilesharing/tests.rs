//! The client against the scripted site in `fake_site.rs`: uploads as `file_0` then moved with
//! `file/set_folder`, the ownership check, paging and the two meanings of `fld_id=0`, ranged
//! downloads, and the words for what the API cannot do.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::fake_site::{KEY, PAGE_CAP, start};
use super::*;
use crate::provider::{ErrorKind, no_progress};

const CONTENT: &[u8] = b"hello world";

fn names(entries: &[Entry]) -> Vec<(&str, Option<u64>)> {
    let mut names: Vec<_> = entries.iter().map(|e| (e.name.as_str(), e.size)).collect();
    names.sort();
    names
}

#[tokio::test]
async fn uploads_go_as_file_0_then_move_into_the_folder() {
    let (site, host) = start().await;
    let folder = host.create_folder(&FolderId::Root, "Fotos").await.unwrap();
    assert_eq!(folder.kind, EntryKind::Folder);
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let progress: ProgressFn = Arc::new(move |n| {
        counter.fetch_add(n, Ordering::SeqCst);
    });
    let dir = folder.folder_id();
    let entry = host
        .upload(&dir, "été.txt", UploadBody::from_bytes(CONTENT), progress)
        .await
        .unwrap();
    assert_eq!(sent.load(Ordering::SeqCst), CONTENT.len() as u64);
    assert_eq!((entry.name.as_str(), entry.size), ("été.txt", Some(11)));
    assert_eq!(entry.parent, dir);
    let upload = &site.calls_to("upload.cgi")[0];
    assert_eq!(upload["file_0"], "été.txt");
    assert_eq!(upload["utype"], "prem");
    assert!(
        upload["sess_id"].starts_with("sess"),
        "the session upload/server gave"
    );
    let moves = site.calls_to("file/set_folder");
    assert_eq!(moves.len(), 1);
    assert_eq!(
        (moves[0]["file_code"].as_str(), moves[0]["fld_id"].as_str()),
        (entry.id.as_str(), folder.id.as_str())
    );
    assert_eq!(site.folder_of(&entry.id).unwrap().to_string(), folder.id);
    // The folder lists it (name decoded from the site's Latin-1); the root does not.
    assert_eq!(
        names(&host.list(&dir).await.unwrap()),
        [("été.txt", Some(11))]
    );
    let root = host.list(&FolderId::Root).await.unwrap();
    assert_eq!(names(&root), [("Fotos", None)]);

    host.upload(
        &FolderId::Root,
        "r.txt",
        UploadBody::from_bytes("x"),
        no_progress(),
    )
    .await
    .unwrap();
    assert_eq!(
        site.calls_to("file/set_folder").len(),
        1,
        "no move into the root"
    );
}

#[tokio::test]
async fn uploads_outside_the_account_and_refusals_are_caught() {
    let (site, host) = start().await;
    site.anonymous_uploads.store(true, Ordering::SeqCst);
    let e = host
        .upload(
            &FolderId::Root,
            "a.txt",
            UploadBody::from_bytes(CONTENT),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transient);
    assert!(e.message.contains("outside this account") && e.message.contains("restarted"));
    assert!(
        e.landed.is_none(),
        "not this account's: sent again, not finished"
    );
    site.anonymous_uploads.store(false, Ordering::SeqCst);

    site.uploads_fail.store(true, Ordering::SeqCst);
    let e = host
        .upload(
            &FolderId::Root,
            "a.txt",
            UploadBody::from_bytes(CONTENT),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transient);
    assert!(
        e.message
            .starts_with("the upload failed; it must be restarted from its source")
    );
    assert!(
        e.message.contains("502") && !e.message.contains('\n'),
        "{}",
        e.message
    );
    assert_eq!(
        site.calls_to("upload.cgi").len(),
        2,
        "the spent body is never sent again"
    );
    site.uploads_fail.store(false, Ordering::SeqCst);

    // A site that changes the name is still found (and its name is the one reported).
    site.underscore_names.store(true, Ordering::SeqCst);
    let entry = host
        .upload(
            &FolderId::Root,
            "my file.txt",
            UploadBody::from_bytes(CONTENT),
            no_progress(),
        )
        .await
        .unwrap();
    assert_eq!(entry.name, "my_file.txt");
    site.underscore_names.store(false, Ordering::SeqCst);

    let e = host
        .upload(
            &FolderId::Root,
            "empty",
            UploadBody::from_bytes(""),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.ends_with("null filesize or wrong file path"));

    let e = host
        .upload(
            &FolderId::Id("999".into()),
            "a.txt",
            UploadBody::from_bytes(CONTENT),
            no_progress(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "checked before sending: {e}");
    assert_eq!(site.calls_to("upload.cgi").len(), 4);
}

#[tokio::test]
async fn listings_page_and_keep_the_root_apart_from_the_account() {
    let (site, host) = start().await;
    let docs = site.add_folder("Docs", 0);
    let inner = site.add_folder("Inner", docs);
    for n in 0..5 {
        site.add_file(&format!("root{n}.bin"), 0, &vec![b'r'; n + 1]);
    }
    for n in 0..3 {
        site.add_file(&format!("doc{n}.txt"), docs, b"doc");
    }
    site.add_file("相片.jpg", inner, b"jpeg");

    let root = host.list(&FolderId::Root).await.unwrap();
    let expected: Vec<(String, Option<u64>)> = std::iter::once(("Docs".to_owned(), None))
        .chain((0..5).map(|n| (format!("root{n}.bin"), Some(n + 1))))
        .collect();
    let got: Vec<(String, Option<u64>)> = names(&root)
        .into_iter()
        .map(|(n, s)| (n.to_owned(), s))
        .collect();
    assert_eq!(got, expected, "the root only, sizes from file/info");
    assert!(root.iter().all(|e| e.parent == FolderId::Root));
    assert!(
        site.calls_to("file/list").is_empty(),
        "file/list fld_id=0 is the whole account"
    );
    assert_eq!(site.calls_to("file/info").len(), 1);

    let docs_dir = FolderId::Id(docs.to_string());
    let listed = host.list(&docs_dir).await.unwrap();
    assert_eq!(
        names(&listed),
        [
            ("Inner", None),
            ("doc0.txt", Some(3)),
            ("doc1.txt", Some(3)),
            ("doc2.txt", Some(3))
        ]
    );
    let pages = site.calls_to("file/list");
    assert_eq!(pages.len(), 3_usize.div_ceil(PAGE_CAP));
    assert!(pages.iter().all(|p| p["fld_id"] == docs.to_string()));
    assert_eq!(pages[1]["page"], "2");

    let inner_dir = FolderId::Id(inner.to_string());
    assert_eq!(
        names(&host.list(&inner_dir).await.unwrap()),
        [("相片.jpg", Some(4))]
    );
    // The whole account, as file/list's own paging sees it.
    let first = host.file_list(None, 1).await.unwrap();
    assert_eq!(
        (first.files.len(), first.results_total),
        (PAGE_CAP, Some(9))
    );

    let e = host.list(&FolderId::Id("4242".into())).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("Folder not exist or not yours"));
}

#[tokio::test]
async fn file_info_asks_fifty_codes_at_a_time() {
    let (site, host) = start().await;
    let code = site.add_file("a.bin", 0, b"abc");
    let unknown: Vec<String> = (0..119).map(|n| format!("u{n:011}")).collect();
    let mut codes: Vec<&str> = unknown.iter().map(String::as_str).collect();
    codes.push(&code);
    let infos = host.file_info(&codes).await.unwrap();
    assert_eq!(infos.len(), 120);
    assert_eq!(infos.iter().filter(|i| i.found).count(), 1);
    let batches: Vec<usize> = site
        .calls_to("file/info")
        .iter()
        .map(|c| c["file_code"].split(',').count())
        .collect();
    assert_eq!(batches, [50, 50, 20]);
    assert_eq!(
        host.file_info(&["a,b"]).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn rename_move_copy_and_stat() {
    let (site, host) = start().await;
    let docs = site.add_folder("Docs", 0);
    let deep = site.add_folder("Deep", docs);
    let code = site.add_file("a.txt", 0, CONTENT);
    let file = EntryRef::file(code.clone());

    host.rename(&file, "b \"quoted\".txt").await.unwrap();
    host.rename(&EntryRef::folder(docs.to_string()), "Papers")
        .await
        .unwrap();
    let deep_dir = FolderId::Id(deep.to_string());
    host.move_entry(&file, &deep_dir).await.unwrap();
    assert_eq!(site.folder_of(&code), Some(deep));
    let stat = host.stat(&file).await.unwrap();
    assert_eq!(
        (stat.name.as_str(), stat.size),
        ("b \"quoted\".txt", Some(11))
    );
    assert_eq!(stat.parent, deep_dir);

    let folder = host
        .stat(&EntryRef::folder(deep.to_string()))
        .await
        .unwrap();
    assert_eq!(
        (folder.name.as_str(), folder.parent.clone()),
        ("Deep", FolderId::Id(docs.to_string()))
    );
    let papers = host
        .stat(&EntryRef::folder(docs.to_string()))
        .await
        .unwrap();
    assert_eq!(
        (papers.name.as_str(), papers.parent),
        ("Papers", FolderId::Root)
    );

    let copy = host.copy_entry(&file, &FolderId::Root).await.unwrap();
    assert_ne!(copy.id, code);
    assert_eq!(
        (copy.name.as_str(), copy.size, copy.parent.clone()),
        ("b \"quoted\".txt", Some(11), FolderId::Root)
    );
    assert_eq!(
        site.calls_to("file/set_folder").len(),
        1,
        "a copy into the root stays put"
    );
    let copy = host.copy_entry(&file, &deep_dir).await.unwrap();
    assert_eq!(
        site.folder_of(&copy.id),
        Some(deep),
        "moved after the clone"
    );
    assert!(copy.extra["link"].ends_with(&copy.id));

    for missing in [
        EntryRef::file("nosuchcode12"),
        EntryRef::folder("777"),
        EntryRef::folder(code.clone()),
    ] {
        assert_eq!(
            host.stat(&missing).await.unwrap_err().kind,
            ErrorKind::NotFound,
            "{missing:?}"
        );
    }
    let e = host
        .move_entry(&file, &FolderId::Id("555".into()))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.ends_with("Your account don't have such folder"));
    assert_eq!(
        host.public_link(&file).await.unwrap(),
        format!("{}/{code}", site.base)
    );
}

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

    let (_site, host) = start().await;
    let e = host.files_deleted(Some(20)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(
        e.message
            .contains("API has no files/deleted (HTTP 404 at http://127.0.0.1:")
    );
    assert!(!e.message.contains(KEY) && !e.message.contains('\n'));
}

#[tokio::test]
async fn a_wrong_key_is_an_auth_error_that_never_shows_the_key() {
    let (site, _) = start().await;
    let host = XFileSharing::new(&format!("{}/api", site.base), "wrongkey9876").unwrap();
    let e = host.authenticate().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(e.message.ends_with("refused account/info: Invalid key"));
    let e = host.files_deleted(None).await.unwrap_err();
    assert!(!e.message.contains("wrongkey9876"), "{}", e.message);
    assert!(!format!("{host:?}").contains("wrongkey9876"));
}

#[tokio::test]
async fn downloads_resume_and_say_when_direct_links_are_off() {
    let (site, host) = start().await;
    let code = site.add_file("a.txt", 0, CONTENT);
    let fetch = |offset: u64| {
        let (host, code) = (host.clone(), code.clone());
        async move {
            let mut sink = Vec::new();
            let done = host
                .download(&EntryRef::file(code), offset, &mut sink, no_progress())
                .await
                .unwrap();
            (done.offset, done.total, sink)
        }
    };
    assert_eq!(fetch(0).await, (0, Some(11), CONTENT.to_vec()));
    assert_eq!(fetch(6).await, (6, Some(11), b"world".to_vec()));
    assert_eq!(fetch(11).await, (11, Some(11), Vec::new()));
    let e = host
        .open_download(&EntryRef::file(code.clone()), 20)
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = host
        .open_download(&EntryRef::file("nosuchcode12"), 0)
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind, ErrorKind::NotFound);
    site.direct_links_disabled.store(true, Ordering::SeqCst);
    let e = host
        .open_download(&EntryRef::file(code), 0)
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(e.message.contains("no direct download links (Not enabled)"));
}

#[tokio::test]
async fn account_info_and_remote_uploads() {
    let (site, host) = start().await;
    let info = host.account_info().await.unwrap();
    assert_eq!(info.email.as_deref(), Some("[email protected]"));
    assert_eq!(info.plan.as_deref(), Some("premium"));
    assert_eq!(info.premium_until.as_deref(), Some("2030-01-01 00:00:00"));
    assert_eq!((info.storage_used, info.storage_limit), (None, None));
    assert_eq!(info.extra["storage left"], "unlimited");
    assert_eq!(info.extra["balance"], "0.04900");
    assert_eq!(info.extra["downloads (2 days)"], "5");
    assert_eq!(info.extra["profit (2 days)"], "0.00300");

    let job = host
        .remote_upload("https://example.com/1mb.bin", &FolderId::Id("7".into()))
        .await
        .unwrap();
    let added = &site.calls_to("upload/url")[0];
    assert_eq!(
        (added["url"].as_str(), added["fld_id"].as_str()),
        ("https://example.com/1mb.bin", "7")
    );
    assert_eq!(
        host.remote_upload_status(&job).await.unwrap(),
        RemoteJobState::Pending
    );
    site.state.lock().unwrap().files.push(fake_site::FakeFile {
        code: job.clone(),
        name: "1mb.bin".into(),
        fld_id: 0,
        content: vec![0; 16],
        owned: true,
    });
    assert_eq!(
        host.remote_upload_status(&job).await.unwrap(),
        RemoteJobState::Done {
            file_id: Some(job.clone())
        }
    );
    let e = host
        .remote_upload("file:///etc/passwd", &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}
