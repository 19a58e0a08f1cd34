//! Folder and file objects as the API prints them: DB columns as strings, computed counters as
//! integers, the root as `null`.

use serde_json::{Value, json};

use super::db::{Db, File, Folder, Status};

/// The site's public URLs (`http://127.0.0.1:PORT/yetishare`).
pub(super) struct Urls {
    pub(super) site: String,
}

impl Urls {
    pub(super) fn file(&self, file: &File) -> String {
        format!("{}/{}", self.site, file.short_url)
    }

    fn folder(&self, folder: &Folder) -> String {
        let slug: String = folder
            .name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        format!("{}/folder/{}/{slug}", self.site, folder.id)
    }

    /// Where the uploader lives; upload errors name it (`Error on: <url>. ...`).
    pub(super) fn upload_handler(&self) -> String {
        format!("{}/core/page/ajax/api_upload_handler.ajax.php", self.site)
    }
}

fn id_or_null(id: Option<u64>) -> Value {
    id.map_or(Value::Null, |id| Value::String(id.to_string()))
}

/// A folder as `folder/listing` (without password) or `folder/info` (with it) shows it.
pub(super) fn folder(urls: &Urls, db: &Db, folder: &Folder, with_password: bool) -> Value {
    let files: Vec<&File> = db
        .files
        .values()
        .filter(|f| f.folder_id == Some(folder.id) && f.status == Status::Active)
        .collect();
    let total_size: u64 = files.iter().map(|f| f.size).sum();
    let total_downloads: u64 = files.iter().map(|f| f.downloads).sum();
    let child_folder_count = db.child_folders(folder.account_id, Some(folder.id)).len();
    let mut object = json!({
        "id": folder.id.to_string(),
        "parentId": id_or_null(folder.parent_id),
        "folderName": folder.name,
        "totalSize": total_size.to_string(),
        "isPublic": folder.is_public.to_string(),
    });
    if with_password && let Value::Object(map) = &mut object {
        map.insert("accessPassword".into(), json!(folder.access_password));
    }
    if let Value::Object(map) = &mut object {
        map.extend([
            ("date_added".to_string(), json!(folder.date_added)),
            ("date_updated".to_string(), json!(folder.date_updated)),
            ("url_folder".to_string(), json!(urls.folder(folder))),
            ("total_downloads".to_string(), json!(total_downloads)),
            ("child_folder_count".to_string(), json!(child_folder_count)),
            ("file_count".to_string(), json!(files.len())),
        ]);
    }
    object
}

/// A file as `folder/listing` shows it (no dates).
pub(super) fn listed_file(urls: &Urls, file: &File) -> Value {
    json!({
        "id": file.id.to_string(),
        "filename": file.filename,
        "shortUrl": file.short_url,
        "fileType": file.file_type,
        "extension": file.extension,
        "fileSize": file.size.to_string(),
        "status": file.status.as_str(),
        "downloads": file.downloads.to_string(),
        "folderId": id_or_null(file.folder_id),
        "keywords": file.keywords,
        "url_file": urls.file(file),
    })
}

/// A file as `file/info` (and the file actions that return it) shows it: `status` as newer
/// servers name it, and `file_status` as the 4.x source aliases it.
pub(super) fn file_info(urls: &Urls, file: &File) -> Value {
    let url = urls.file(file);
    json!({
        "id": file.id.to_string(),
        "filename": file.filename,
        "shortUrl": file.short_url,
        "fileType": file.file_type,
        "extension": file.extension,
        "fileSize": file.size.to_string(),
        "uploadedIP": "127.0.0.1",
        "uploadedDate": file.uploaded_date,
        "status": file.status.as_str(),
        "file_status": file.status.as_str(),
        "downloads": file.downloads.to_string(),
        "lastAccessed": file.last_accessed,
        "folderId": id_or_null(file.folder_id),
        "keywords": file.keywords,
        "isPublic": "1",
        "uploadSource": file.upload_source,
        "url_file": url,
        "url_file_info": format!("{url}~i"),
        "url_file_stats": format!("{url}~s"),
        "url_file_delete": format!("{url}~d?{}", file.delete_hash),
    })
}

/// One element of `file/upload`'s `data` array, as the site's uploader answers.
pub(super) fn uploaded_file(urls: &Urls, file: &File) -> Value {
    let url = urls.file(file);
    json!({
        "name": file.filename,
        "size": file.size.to_string(),
        "type": "application/octet-stream",
        "error": null,
        "url": url,
        "delete_url": format!("{url}~d?{}", file.delete_hash),
        "info_url": format!("{url}~i"),
        "delete_type": "DELETE",
        "delete_hash": file.delete_hash,
        "hash": file.md5,
        "stats_url": format!("{url}~s"),
        "short_url": file.short_url,
        "file_id": file.id.to_string(),
        "unique_hash": file.unique_hash,
        "url_html": format!(
            "<a href=\"{url}\" target=\"_blank\" title=\"View file on haul emulator\">view {} on haul emulator</a>",
            file.filename
        ),
        "url_bbcode": format!("[url]{url}[/url]"),
    })
}

/// Human size as the uploader's messages print it ("10 MB").
pub(super) fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_the_uploader() {
        assert_eq!(size_text(10_485_760), "10 MB");
        assert_eq!(size_text(10_737_418_240), "10 GB");
        assert_eq!(size_text(1536), "1.5 KB");
        assert_eq!(size_text(12), "12 bytes");
    }
}
