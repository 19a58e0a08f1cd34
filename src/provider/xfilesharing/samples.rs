//! Canned replies from the vendor page and the protocol notes, read the way the endpoints read
//! them: envelopes, ints vs strings, `"undef"` codes, mojibake names, `fld_id` spellings.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;

use super::account::{AccountDetails, DayStats, StorageLeft};
use super::errors::{Reply, parse_reply};
use super::site::Site;
use super::types::{
    CreatedFolderDto, DeletedFile, DeletedFileDto, FileInfoDto, FileListDto, FolderListDto,
    UrlUploadStatus, code_in, decode_name,
};
use super::{job_state, stats_total};
use crate::provider::{FolderId, RemoteJobState};

fn site() -> Site {
    Site::parse("https://kenfiles.com/api").unwrap()
}

fn reply(body: &str) -> Reply {
    parse_reply(
        "x",
        StatusCode::OK,
        &HeaderMap::new(),
        body.as_bytes(),
        &site(),
    )
    .unwrap()
}

#[test]
fn vendor_account_info() {
    let r = reply(
        r#"{"msg": "OK", "result": {"email": "[email protected]", "balance": "0.04900",
        "storage_used": null, "premium_expire": "2022-02-18 11:16:07", "storage_left": "inf"},
        "status": 200, "server_time": "2021-10-22 04:51:54"}"#,
    );
    let mut details: AccountDetails = r.result_as().unwrap();
    details.server_time = Some("2021-10-22 04:51:54".into());
    assert_eq!(details.email.as_deref(), Some("[email protected]"));
    assert_eq!(details.balance.as_deref(), Some("0.04900"));
    assert_eq!(details.storage_used, None);
    assert_eq!(details.storage_left, Some(StorageLeft::Unlimited));
    assert_eq!(details.is_premium(), Some(true));
    details.server_time = Some("2023-01-01 00:00:00".into());
    assert_eq!(details.is_premium(), Some(false));
}

#[test]
fn katfile_and_old_account_info() {
    let details: AccountDetails = serde_json::from_value(json!({
        "email": "a@b", "storage_used": "180427", "storage_left": 879609302040373_u64,
        "premim_expire": "2030-01-01 00:00:00", "traffic_left": "5 GB"}))
    .unwrap();
    assert_eq!(details.storage_used, Some(180427));
    assert_eq!(
        details.storage_left,
        Some(StorageLeft::Bytes(879609302040373))
    );
    assert_eq!(
        details.premium_until().as_deref(),
        Some("2030-01-01 00:00:00")
    );
    assert_eq!(details.is_premium(), None, "no server time, no verdict");
    assert_eq!(details.other["traffic_left"], "5 GB");
}

#[test]
fn account_stats_days() {
    let r = reply(
        r#"{"msg":"OK","result":[{"downloads":"3","sales":"0","profit_sales":"0.00000",
        "profit_refs":"0.00000","profit_site":"0.00000","views":"10","refs":"0",
        "profit_total":"0.01500",},{"day":"2024-01-02","downloads":"4","profit_total":"0.00250"}],
        "status":200}"#,
    );
    let days: Vec<DayStats> = r.result_as().unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days[1].day.as_deref(), Some("2024-01-02"));
    let total = |f: fn(&DayStats) -> Option<&String>| stats_total(&days, f);
    assert_eq!(total(|d| d.downloads.as_ref()).as_deref(), Some("7"));
    assert_eq!(
        total(|d| d.profit_total.as_ref()).as_deref(),
        Some("0.01750")
    );
    assert_eq!(total(|d| d.views.as_ref()).as_deref(), Some("10"));
    assert_eq!(total(|d| d.sales.as_ref().filter(|_| false)), None);
    // The vendor page's own sample lacks a comma after `]`: an error, never a panic.
    let vendor = "{\"msg\": \"OK\", \"result\": [{\"downloads\": \"0\",}]\n\"status\": 200,}";
    assert!(
        parse_reply(
            "account/stats",
            StatusCode::OK,
            &HeaderMap::new(),
            vendor.as_bytes(),
            &site()
        )
        .is_err()
    );
}

#[test]
fn mojibake_names_are_decoded_only_when_they_round_trip() {
    assert_eq!(decode_name("caf\u{c3}\u{a9}.txt"), "café.txt");
    assert_eq!(decode_name("ç\u{9b}¸ç\u{89}\u{87}"), "相片");
    assert_eq!(decode_name("café.txt"), "café.txt", "real Latin-1 stays");
    assert_eq!(decode_name("相片"), "相片", "real UTF-8 stays");
    assert_eq!(decode_name("plain.bin"), "plain.bin");
    assert_eq!(decode_name("say &quote;hi&quote;"), "say \"hi\"");
    // Cut at 128 bytes inside an "é": the half character goes, the rest decodes.
    let cut: String = format!("x{}", "é".repeat(100))
        .bytes()
        .take(128)
        .map(char::from)
        .collect();
    assert_eq!(decode_name(&cut), format!("x{}", "é".repeat(63)));
    assert_eq!(
        decode_name("caf\u{c3}"),
        "caf\u{c3}",
        "short names are not cut"
    );
}

#[test]
fn file_info_items() {
    let r = reply(
        r#"{"status":200,"msg":"OK","result":[
        {"filecode":"abc123def456","name":"caf\u00c3\u00a9.bin","status":200,"size":1048576,"uploaded":"2024-01-01 10:00:00","downloads":0},
        {"filecode":"zzz","status":404},
        {"file_code":"new123new123","name":"n","status":"200","size":"5"},
        {"fileCode":"voe","file_size":7,"name":"v"},
        {"filecode":"undef","status":200}],"server_time":"x"}"#,
    );
    let items: Vec<FileInfoDto> = r.result_or_default().unwrap();
    let infos: Vec<_> = items
        .into_iter()
        .filter_map(FileInfoDto::into_info)
        .collect();
    assert_eq!(infos.len(), 4);
    assert_eq!(infos[0].name.as_deref(), Some("café.bin"));
    assert_eq!((infos[0].found, infos[0].size), (true, Some(1048576)));
    assert!(!infos[1].found);
    assert_eq!(
        (infos[2].code.as_str(), infos[2].size),
        ("new123new123", Some(5))
    );
    assert!(infos[3].found && infos[3].size == Some(7));
}

#[test]
fn file_list_page() {
    let r = reply(
        r#"{"msg":"OK","result":{"files":[
        {"name":"a.bin","file_code":"aaaaaaaaaaaa","downloads":"0","thumbnail":"","public":"1","size":10,"link":"https://kenfiles.com/aaaaaaaaaaaa/a.bin.html","fld_id":0,"uploaded":"2024-01-01 00:00:00"},
        {"name":"b.bin","file_code":"bbbbbbbbbbbb","size":"20","fld_id":"15"}],
        "results_total":"7","results":2}}"#,
    );
    let list: FileListDto = r.result_or_default().unwrap();
    assert_eq!(list.results_total, Some(7));
    let files: Vec<_> = list
        .files
        .into_iter()
        .map(|f| f.into_file("h").unwrap())
        .collect();
    assert_eq!(files[0].folder(), FolderId::Root);
    assert_eq!(files[1].folder(), FolderId::Id("15".into()));
    let a = files[0].clone().into_entry(FolderId::Root, &site());
    assert_eq!((a.id.as_str(), a.size), ("aaaaaaaaaaaa", Some(10)));
    assert_eq!(
        a.extra["link"],
        "https://kenfiles.com/aaaaaaaaaaaa/a.bin.html"
    );
    assert_eq!(a.modified.as_deref(), Some("2024-01-01 00:00:00"));
    let b = files[1]
        .clone()
        .into_entry(FolderId::Id("15".into()), &site());
    assert_eq!(b.size, Some(20));
    assert_eq!(
        b.extra["link"], "https://kenfiles.com/bbbbbbbbbbbb",
        "made up when missing"
    );
    // Some FileQ samples send the result without status or server_time, or an empty list.
    let r = reply(r#"{"result":{"files":[],"results_total":0}}"#);
    assert!(
        r.result_or_default::<FileListDto>()
            .unwrap()
            .files
            .is_empty()
    );
    let bad = reply(r#"{"status":200,"result":{"files":[{"name":"no code"}]}}"#);
    let list: FileListDto = bad.result_or_default().unwrap();
    let e = list
        .files
        .into_iter()
        .next()
        .unwrap()
        .into_file("h")
        .unwrap_err();
    assert!(e.message.contains("without an id"));
}

#[test]
fn folder_list_with_and_without_files() {
    let r = reply(
        r#"{"status":200,"msg":"OK","result":{
        "folders":[{"fld_id":15,"code":null,"name":"folder1"},{"fld_id":"16","code":"x8k2","name":"Fotos \u00c3\u00a9t\u00c3\u00a9"}],
        "files":[{"fld_id":0,"link":"https://kenfiles.com/cccccccccccc","file_code":"cccccccccccc","uploaded":"2024-01-01 00:00:00","name":"c.txt"}]}}"#,
    );
    let list: FolderListDto = r.result_or_default().unwrap();
    let folders: Vec<_> = list
        .folders
        .into_iter()
        .map(|f| f.into_folder("h").unwrap())
        .collect();
    assert_eq!(folders[0].fld_id, "15");
    assert_eq!(folders[1].name, "Fotos été");
    let entry = folders[1].clone().into_entry(FolderId::Root);
    assert_eq!(entry.extra["share_code"], "x8k2");
    assert!(entry.is_folder());
    let files = list.files.unwrap();
    assert_eq!(files.len(), 1);
    let file = files.into_iter().next().unwrap().into_file("h").unwrap();
    assert_eq!(file.size, None, "folder/list may leave sizes out");

    let without: FolderListDto = reply(r#"{"status":200,"result":{"folders":[]}}"#)
        .result_or_default()
        .unwrap();
    assert!(
        without.files.is_none(),
        "files left out is not the same as none"
    );
    let empty: FolderListDto = reply(r#"{"status":200,"result":{"folders":null,"files":[]}}"#)
        .result_or_default()
        .unwrap();
    assert_eq!(empty.files.map(|f| f.len()), Some(0));
}

#[test]
fn created_folder_id_is_a_string() {
    let created: CreatedFolderDto =
        reply(r#"{"status":200,"msg":"OK","result":{"fld_id":"211628"}}"#)
            .result_or_default()
            .unwrap();
    assert_eq!(created.fld_id.as_deref(), Some("211628"));
    let created: CreatedFolderDto = reply(r#"{"status":200,"result":{"fld_id":211629}}"#)
        .result_or_default()
        .unwrap();
    assert_eq!(created.fld_id.as_deref(), Some("211629"));
}

#[test]
fn codes_in_clone_and_url_upload_replies() {
    let clone = reply(
        r#"{"status":200,"result":{"url":"https://kenfiles.com/newnewnewnew","filecode":"newnewnewnew"}}"#,
    );
    assert_eq!(
        code_in(clone.result().unwrap()).as_deref(),
        Some("newnewnewnew")
    );
    // KenFiles' upload/url sample: a bare array with a trailing comma.
    let kenfiles = reply("[\n{\n\"file_code\": \"b578rni0e1ka\",\n}\n]");
    assert_eq!(
        code_in(kenfiles.result().unwrap()).as_deref(),
        Some("b578rni0e1ka")
    );
    let xvs = reply(r#"{"status":200,"msg":"OK","result":{"filecode":"x1"}}"#);
    assert_eq!(code_in(xvs.result().unwrap()).as_deref(), Some("x1"));
    let undef = reply(r#"[{"file_code":"undef","file_status":"OK"}]"#);
    assert_eq!(code_in(undef.result().unwrap()), None);

    let fileq = reply(r#"{"status":200,"msg":"WORKING","server_time":"2024-01-01 00:00:00"}"#);
    let status = UrlUploadStatus::from_reply(fileq.result(), fileq.message());
    assert_eq!(
        status,
        UrlUploadStatus {
            code: None,
            state: Some("WORKING".into())
        }
    );
    let object =
        reply(r#"{"status":200,"msg":"OK","result":{"file_code":"c","status":"PENDING"}}"#);
    let status = UrlUploadStatus::from_reply(object.result(), object.message());
    assert_eq!(status.state.as_deref(), Some("PENDING"));
    assert_eq!(status.code.as_deref(), Some("c"));
}

#[test]
fn remote_job_words() {
    assert_eq!(
        job_state("WORKING"),
        Some(RemoteJobState::Running {
            done: None,
            total: None
        })
    );
    assert_eq!(job_state("pending"), Some(RemoteJobState::Pending));
    assert_eq!(
        job_state("OK"),
        Some(RemoteJobState::Done { file_id: None })
    );
    assert!(matches!(
        job_state("ERROR"),
        Some(RemoteJobState::Failed(_))
    ));
    assert_eq!(job_state("hmm"), None);
}

#[test]
fn deleted_files() {
    let r = reply(
        r#"{"status":200,"result":[{"deleted_ago_sec":4,"deleted":"2024-01-01 00:00:04","file_code":"dddddddddddd","name":"gone.txt"},{"file_code":"undef"}]}"#,
    );
    let items: Vec<DeletedFileDto> =
        crate::provider::json::lenient_vec(r.result().unwrap()).unwrap();
    let files: Vec<DeletedFile> = items.into_iter().map(DeletedFile::from).collect();
    assert_eq!(files[0].code.as_deref(), Some("dddddddddddd"));
    assert_eq!(files[0].deleted_ago_sec, Some(4));
    assert_eq!(files[1].code, None);
}
