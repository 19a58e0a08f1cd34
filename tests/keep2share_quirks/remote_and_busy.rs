//! Remote uploads from loopback, busy hosts and missing sessions.

use super::*;

async fn follow(p: &Keep2Share, job: &str) -> RemoteJobState {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = p.remote_upload_status(job).await.unwrap();
        match state {
            RemoteJobState::Done { .. } | RemoteJobState::Failed(_) => return state,
            _ if Instant::now() > deadline => panic!("remote upload stuck: {state:?}"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_uploads_from_a_loopback_server_land_in_the_folder() {
    let payload = common::pattern(300_000, 9);
    let addr = common::file_server("/files/remote.bin", payload.clone()).await;
    let e = env(false).await;
    let p = e.premium();
    assert!(p.capabilities().remote_url_upload);
    let dir = p.create_folder(&FolderId::Root, "fetched").await.unwrap();
    let job = p
        .remote_upload(&format!("http://{addr}/files/remote.bin"), &dir.folder_id())
        .await
        .unwrap();
    assert!(job.bytes().all(|b| b.is_ascii_digit()), "{job}");
    let RemoteJobState::Done {
        file_id: Some(file_id),
    } = follow(&p, &job).await
    else {
        panic!("the job did not finish with a file");
    };
    let file = p.stat(&EntryRef::file(file_id)).await.unwrap();
    assert_eq!(file.name, "remote.bin");
    assert_eq!(file.size, Some(payload.len() as u64));
    assert_eq!(file.parent, dir.folder_id(), "where it was asked to go");
    let listed = p.list(&dir.folder_id()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(read_all(&p, &file.as_ref(), 0).await, payload);
    // Asking again about a finished job does no harm.
    assert!(matches!(
        p.remote_upload_status(&job).await.unwrap(),
        RemoteJobState::Done { .. }
    ));

    // At the root, no move is needed.
    let job = p
        .remote_upload(&format!("http://{addr}/files/remote.bin"), &FolderId::Root)
        .await
        .unwrap();
    assert!(matches!(
        follow(&p, &job).await,
        RemoteJobState::Done { .. }
    ));
    assert!(
        p.list(&FolderId::Root)
            .await
            .unwrap()
            .iter()
            .any(|f| f.name == "remote.bin")
    );

    // A URL the source doesn't have fails on the host; a non-http URL is refused at once.
    let job = p
        .remote_upload(&format!("http://{addr}/missing.bin"), &dir.folder_id())
        .await
        .unwrap();
    assert!(matches!(follow(&p, &job).await, RemoteJobState::Failed(_)));
    let err = p
        .remote_upload("ftp://example.com/x", &FolderId::Root)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    assert!(err.message.contains("Invalid url"), "{err}");
    let err = p.remote_upload_status("1").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_hosts_and_missing_sessions() {
    let e = env(false).await;
    let p = e.premium();
    p.authenticate().await.unwrap();
    e.server.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 429,
        retry_after_secs: Some(3),
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err}");
    assert_eq!(err.retry_after, Some(Duration::from_secs(3)));
    e.server.set_faults(Faults {
        fail_every: Some(1),
        fail_status: 503,
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err}");
    e.server.set_faults(Faults::default());
    p.list(&FolderId::Root).await.expect("fine again");

    // A session that can't be renewed (the fault kills every token at once) fails once, in words.
    e.server.set_faults(Faults {
        expire_tokens_after: Some(0),
        ..Default::default()
    });
    let err = p.list(&FolderId::Root).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err}");
    assert!(
        err.message.contains("logging in again did not help"),
        "{err}"
    );
    e.server.set_faults(Faults::default());
}
