//! Big folders on every emulated provider: the emulator's fill hook puts thousands of entries in
//! one folder at once, and a listing brings every one of them, page by page where the host
//! pages (the pages a pane shows as they come).

use std::collections::HashSet;
use std::sync::Mutex;

use haul::provider::FolderId;

use crate::common;

const COUNT: usize = 2_500;

/// Fills a new folder of `account` through `/__emulator/<provider>/fill` and lists it.
async fn fill_and_list(provider: &str, account: &str) {
    let data = tempfile::tempdir().expect("tempdir");
    let server = haul::emulator::start(common::config(data.path(), false))
        .await
        .expect("emulator");
    let demo = common::account(&server, account);
    let p = super::operations::open(&demo, None);
    let big = p
        .create_folder(&FolderId::Root, "big")
        .await
        .expect("mkdir");
    let hook = format!("{}/__emulator/{provider}/fill", server.base_url());
    let client = reqwest::Client::new();
    let filled: serde_json::Value = client
        .post(&hook)
        .json(&serde_json::json!({"account": account, "parent": big.id, "count": COUNT}))
        .send()
        .await
        .expect("fill")
        .json()
        .await
        .expect("fill answers JSON");
    assert_eq!(filled["created"], COUNT, "{provider}: {filled}");
    let refused = client
        .post(&hook)
        .json(&serde_json::json!({"account": "nobody", "count": 1}))
        .send()
        .await
        .expect("fill");
    assert_eq!(refused.status(), 400, "{provider}: an unknown account");

    let pages = Mutex::new(Vec::new());
    let sink = |entries: Vec<haul::provider::Entry>, _restart: bool| {
        pages.lock().unwrap().push(entries);
    };
    let rest = p.list_pages(&big.folder_id(), &sink).await.expect("listed");
    let pages = pages.into_inner().unwrap();
    let mut all: Vec<String> = pages.iter().flatten().map(|e| e.name.clone()).collect();
    all.extend(rest.iter().map(|e| e.name.clone()));
    assert_eq!(all.len(), COUNT, "{provider}: every entry once");
    let names: HashSet<&str> = all.iter().map(String::as_str).collect();
    assert_eq!(names.len(), COUNT, "{provider}: no entry twice");
    assert!(names.contains("item-00001.txt") && names.contains("item-02500.txt"));
    if provider != "yetishare" {
        // Hosts that page: a first page was handed on before the listing ended.
        let pieces = pages.len() + usize::from(!rest.is_empty());
        assert!(
            !pages.is_empty() && pieces > 1,
            "{provider}: {pieces} pieces"
        );
    }
    let stats = server.stats();
    if provider == "xfilesharing" {
        // 1,000 a page, and no folder/list sending the files as well.
        assert_eq!(stats["by_route"]["xfilesharing/file/list"], 3, "{stats}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filled_yetishare_folder_lists_completely() {
    fill_and_list("yetishare", "ys").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filled_keep2share_folder_lists_completely_in_pages() {
    fill_and_list("keep2share", "k2s").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filled_xfilesharing_folder_lists_completely_in_pages() {
    fill_and_list("xfilesharing", "xfs").await;
}
