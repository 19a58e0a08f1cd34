//! The reply shapes in the protocol notes, read into haul's types.

use serde_json::json;

use super::*;

fn items(reply: Value) -> Vec<FileItem> {
    file_items(&reply, "test").unwrap()
}

#[test]
fn list_item_with_extended_info() {
    let reply = json!({"status":"success","code":200,"files":[{"id":"4632a04bb0d2b","name":"test","is_available":false,"is_folder":false,"date_created":"2019-01-01 00:00:01","size":1024,"md5":"a457f1dd3623a399d78a9672d225ddd5","extended_info":{"abuses":[{"type":"hash","projects":["k2s"],"blocked_to":"2020-01-01 00:00:01"}],"storage_object":"available","size":1024,"date_download_last":"2019-01-01 00:00:01","downloads":1,"access":"public","content_type":"text"}}]});
    let parent = FolderId::Id("5432a01230d2b".into());
    let e = items(reply).remove(0).into_entry(Some(&parent)).unwrap();
    assert_eq!(e.id, "4632a04bb0d2b");
    assert_eq!(e.name, "test");
    assert_eq!(e.kind, EntryKind::File);
    assert_eq!(e.size, Some(1024));
    assert_eq!(e.modified.as_deref(), Some("2019-01-01 00:00:01"));
    assert_eq!(e.parent, parent);
    assert_eq!(e.md5.as_deref(), Some("a457f1dd3623a399d78a9672d225ddd5"));
    assert_eq!(e.extra["access"], "public");
    assert_eq!(e.extra["available"], "no");
    assert_eq!(e.extra["downloads"], "1");
    assert_eq!(e.extra["content type"], "text");
}

#[test]
fn strings_for_booleans_and_sizes_and_nulls_for_absent() {
    let reply = json!({"files":[
        {"id":"a","name":"dir","is_folder":"true","size":null,"md5":null,"extended_info":false},
        {"id":"b","name":"f","is_folder":"false","is_available":"true","size":"2857","md5":""},
    ]});
    let mut list = items(reply)
        .into_iter()
        .map(|i| i.into_entry(Some(&FolderId::Root)).unwrap());
    let dir = list.next().unwrap();
    assert_eq!(dir.kind, EntryKind::Folder);
    assert_eq!(dir.size, None);
    let file = list.next().unwrap();
    assert_eq!(file.kind, EntryKind::File);
    assert_eq!(file.size, Some(2857));
    assert_eq!(file.md5, None);
    assert_eq!(file.extra["available"], "yes");
}

#[test]
fn files_info_item_names_its_parent_and_iso_time() {
    let reply = json!({"status":"success","code":200,"files":[{"id":"da4a6352cb666","name":"Super video.mp4","size":479125093,"is_available":true,"access":"premium","is_folder":false,"md5":"6661db843941f4b406e590c21caa9ca1","isAvailableForFree":false,"parent_id":"1632a04bb0d2a","created_at":"2019-03-26T08:09:32.000Z"},
        {"id":"x","name":"at root","parent_id":null}]});
    let mut list = items(reply)
        .into_iter()
        .map(|i| i.into_entry(None).unwrap());
    let e = list.next().unwrap();
    assert_eq!(e.parent, FolderId::Id("1632a04bb0d2a".into()));
    assert_eq!(e.modified.as_deref(), Some("2019-03-26 08:09:32"));
    assert_eq!(e.extra["access"], "premium");
    assert_eq!(e.extra["free download"], "no");
    assert_eq!(list.next().unwrap().parent, FolderId::Root);
}

#[test]
fn files_as_one_object_or_keyed_by_id() {
    let one = json!({"files":{"id":"1632a04bb0d2b","name":"test.mp4","size":1024}});
    assert_eq!(items(one).len(), 1);
    let keyed = json!({"files":{"a":{"id":"a"},"b":{"id":"b"}}});
    assert_eq!(items(keyed).len(), 2);
    assert!(items(json!({"files":null})).is_empty());
    assert!(items(json!({})).is_empty());
    let bad = json!({"files":["nope"]});
    assert!(file_items(&bad, "getFilesList").is_err());
    let no_id = items(json!({"files":[{"name":"x"}]})).remove(0);
    assert!(no_id.into_entry(None).is_err());
}

#[test]
fn folders_list_parallel_arrays() {
    let reply = json!({"status":"success","code":200,"foldersList":["/test","simple"],"foldersIds":["5432a01230d2b","1632a04bb0d2a"],"parentFoldersList":["/k2s","/"],"parentFoldersIds":["6432b01230d2b",null]});
    let folders = read::<FoldersListReply>(reply, "getFoldersList")
        .unwrap()
        .folders();
    assert_eq!(
        folders,
        vec![
            FolderSummary {
                id: "5432a01230d2b".into(),
                name: "/test".into(),
                parent: FolderId::Id("6432b01230d2b".into())
            },
            FolderSummary {
                id: "1632a04bb0d2a".into(),
                name: "simple".into(),
                parent: FolderId::Root
            },
        ]
    );
}

#[test]
fn account_expires_in_every_shape() {
    assert_eq!(expiry_of(&json!(false)), Expiry::Never);
    assert_eq!(expiry_of(&Value::Null), Expiry::Never);
    assert_eq!(expiry_of(&json!(0)), Expiry::Never);
    assert_eq!(expiry_of(&json!(true)), Expiry::Unknown);
    let at = |s| Expiry::At(DateTime::from_timestamp(s, 0).unwrap());
    assert_eq!(expiry_of(&json!(1232243)), at(1232243));
    assert_eq!(expiry_of(&json!("1700000000")), at(1700000000));
    assert_eq!(
        expiry_of(&json!("2022-04-24T00:00:00.000Z")),
        at(1650758400)
    );
    assert_eq!(expiry_of(&json!("soon")), Expiry::Unreadable("soon".into()));
}

#[test]
fn lenient_booleans() {
    for (v, b) in [
        (json!(true), Some(true)),
        (json!("true"), Some(true)),
        (json!("1"), Some(true)),
        (json!(1), Some(true)),
        (json!(false), Some(false)),
        (json!("false"), Some(false)),
        (json!(0), Some(false)),
        (json!(null), None),
        (json!("maybe"), None),
    ] {
        assert_eq!(bool_of(&v), b, "{v}");
    }
}

#[test]
fn changes_leave_out_what_stays() {
    assert!(FileChanges::default().params().is_empty());
    let move_to_root = FileChanges {
        new_parent: Some(FolderId::Root),
        ..Default::default()
    };
    assert_eq!(
        Value::Object(move_to_root.params()),
        json!({"new_parent": "/"})
    );
    let all = FileChanges {
        new_name: Some("n".into()),
        new_parent: Some(FolderId::Id("f".into())),
        new_access: Some(Access::Premium),
        new_is_public: Some(true),
    };
    assert_eq!(
        Value::Object(all.params()),
        json!({"new_name":"n","new_parent":"f","new_access":"premium","new_is_public":true})
    );
}

#[test]
fn form_values_as_text() {
    assert_eq!(form_text(&json!(true)), "true");
    assert_eq!(form_text(&json!("{}")), "{}");
    assert_eq!(form_text(&json!(5)), "5");
    assert_eq!(form_text(&Value::Null), "");
    let form: UploadForm = read(
        json!({"status":"success","code":200,"form_action":"http://file-api-26.keep2share.cc:8000/upload","file_field":"file","form_data":{"ajax":true,"params":"{}","signature":"264567c43b813fce606d5a390b71"}}),
        "getUploadFormData",
    )
    .unwrap();
    assert_eq!(form.form_data.len(), 3);
    assert_eq!(form.file_field.as_deref(), Some("file"));
}

#[test]
fn upload_node_reply() {
    let r: UploadReply = read(
        json!({"status":"success","success":true,"status_code":200,"user_file_id":"cd4540513fe4d","link":"https://k2s.cc/file/cd4540513fe4d"}),
        "upload",
    )
    .unwrap();
    assert_eq!(r.status_code, Some(200));
    assert_eq!(r.user_file_id.as_deref(), Some("cd4540513fe4d"));
}

#[test]
fn malformed_replies_are_one_line_errors() {
    let e = read::<CreatedFile>(json!({"status":"success"}), "createFileByHash").unwrap_err();
    assert!(e.message.contains("createFileByHash"), "{}", e.message);
    assert!(!e.message.contains('\n'));
}
