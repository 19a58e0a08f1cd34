//! XFileSharing end to end over real HTTP: the provider against the in-process emulator, every
//! endpoint it uses and their error paths, bytes up and down, mojibake names, `fld_id=0`,
//! copy = clone, move = set_folder, and what the API cannot do.

#[path = "../common/mod.rs"]
mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures::StreamExt;
use haul::emulator::xfilesharing::PREMIUM_KEY;
use haul::emulator::{EmulatorHandle, Faults};
use haul::provider::xfilesharing::{StorageLeft, XFileSharing};
use haul::provider::{
    Entry, EntryKind, EntryRef, ErrorKind, FolderId, Provider, ProviderError, RemoteJobState,
    UploadBody, no_progress,
};
use serde_json::Value;

struct Env {
    server: EmulatorHandle,
    _data: tempfile::TempDir,
}

async fn env(seed_demo: bool) -> Env {
    let data = tempfile::tempdir().unwrap();
    let server = haul::emulator::start(common::config(data.path(), seed_demo))
        .await
        .unwrap();
    Env {
        server,
        _data: data,
    }
}

impl Env {
    fn client(&self, account: &str) -> XFileSharing {
        let acc = common::account(&self.server, account);
        XFileSharing::new(&acc.base_url, &acc.secret).unwrap()
    }

    fn api(&self) -> String {
        common::account(&self.server, "xfs").base_url
    }

    /// Requests the emulator has seen on one XFS route (`file/list`, `upload.cgi`, ...).
    fn calls(&self, route: &str) -> u64 {
        self.server.stats()["by_route"][format!("xfilesharing/{route}")]
            .as_u64()
            .unwrap_or(0)
    }

    /// A raw GET of the API, bypassing haul's client, to see the wire as it is.
    async fn raw(&self, endpoint: &str, params: &[(&str, &str)]) -> Value {
        let mut query = vec![("key", PREMIUM_KEY)];
        query.extend_from_slice(params);
        reqwest::Client::new()
            .get(format!("{}/{endpoint}", self.api()))
            .query(&query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Many files in one `upload.cgi` request (parts `file_0`, `file_1`, ...), as XFS's own
    /// browser uploader sends them: the cheap way to fill an account. Returns their codes.
    async fn raw_upload_many(&self, files: &[(String, Vec<u8>)]) -> Vec<String> {
        let server = self.raw("upload/server", &[]).await;
        let url = server["result"].as_str().unwrap().to_string();
        let mut form = reqwest::multipart::Form::new()
            .text("sess_id", server["sess_id"].as_str().unwrap().to_string())
            .text("utype", "prem");
        for (n, (name, bytes)) in files.iter().enumerate() {
            form = form.part(
                format!("file_{n}"),
                reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.clone()),
            );
        }
        let reply: Value = reqwest::Client::new()
            .post(url)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = reply.as_array().expect("upload.cgi answers an array");
        assert_eq!(items.len(), files.len(), "{reply}");
        items
            .iter()
            .map(|item| {
                assert_eq!(item["file_status"], "OK", "{item}");
                item["file_code"].as_str().unwrap().to_string()
            })
            .collect()
    }
}

async fn upload(p: &XFileSharing, folder: &FolderId, name: &str, data: &[u8]) -> Entry {
    p.upload(
        folder,
        name,
        UploadBody::from_bytes(data.to_vec()),
        no_progress(),
    )
    .await
    .unwrap_or_else(|e| panic!("upload {name}: {e}"))
}

async fn download_from(p: &XFileSharing, file: &EntryRef, offset: u64) -> (u64, Vec<u8>) {
    let mut dl = p.open_download(file, offset).await.unwrap();
    let mut got = Vec::new();
    while let Some(chunk) = dl.body.next().await {
        got.extend_from_slice(&chunk.unwrap());
    }
    (dl.offset, got)
}

async fn download(p: &XFileSharing, file: &EntryRef) -> Vec<u8> {
    download_from(p, file, 0).await.1
}

fn names(entries: &[Entry]) -> Vec<&str> {
    let mut names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    names.sort_unstable();
    names
}

/// The error of a call whose success is not `Debug` (a download stream).
fn failure<T>(result: haul::provider::Result<T>) -> ProviderError {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn one_line(e: &ProviderError) {
    assert!(
        !e.message.is_empty() && !e.message.contains('\n'),
        "one line: {e:?}"
    );
}

mod accounts_and_transfers;
mod errors;
mod files_and_folders;
