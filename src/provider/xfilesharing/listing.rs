//! Browsing on top of the endpoints: a folder's children, every page of `file/list`, whether a
//! file is the account's own, and where a folder sits.

use std::collections::{HashMap, HashSet, VecDeque};

use super::XFileSharing;
use super::endpoints::FILES_PER_PAGE;
use super::types::{FileInfo, ListedFile};
use crate::provider::{Entry, EntryRef, ErrorKind, FolderId, ProviderError, Result};

/// Pages of `file/list` read at most in one walk (a site that ignores `page` ends sooner).
const MAX_PAGES: u32 = 10_000;
/// Folders searched at most to find where one folder sits.
const MAX_FOLDERS_SEARCHED: usize = 5_000;
/// Bytes of a name sent as `file/list`'s substring filter (the site keeps 128 bytes of names).
const MAX_FILTER_BYTES: usize = 100;

/// A piece of `name` the site's substring filter will find: the start of the name up to the
/// first character the site may store escaped (`"` becomes `&quote;`). `None` if nothing is left.
fn name_filter(name: &str) -> Option<&str> {
    let end = name.find(['"', '&', '<', '>', '\'']).unwrap_or(name.len());
    let mut cut = end.min(MAX_FILTER_BYTES);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(&name[..cut]).filter(|f| !f.trim().is_empty())
}

impl XFileSharing {
    /// Folders and files directly inside `folder`. Subfolders come from `folder/list`. Files come
    /// from `file/list`, paged, except in the root: there `fld_id=0` would list the whole
    /// account, so the root's files come from `folder/list` (sizes from `file/info`).
    pub(super) async fn children(&self, folder: &FolderId) -> Result<Vec<Entry>> {
        let listing = self.folder_list_with(folder, folder.is_root()).await?;
        let own_id = folder.id().unwrap_or("0");
        let folders = listing
            .folders
            .into_iter()
            .filter(|f| f.fld_id != own_id && f.fld_id != "0")
            .map(|f| f.into_entry(folder.clone()));
        let files = match (folder, listing.files) {
            (FolderId::Root, Some(files)) => self.with_sizes(files).await?,
            (FolderId::Root, None) => {
                let all = self.all_files(None, None).await?;
                all.into_iter().filter(|f| f.folder().is_root()).collect()
            }
            (FolderId::Id(id), _) => {
                let inside = self.all_files(Some(id), None).await?;
                let elsewhere = |f: &ListedFile| f.fld_id.as_ref().is_some_and(|f| f != id);
                inside.into_iter().filter(|f| !elsewhere(f)).collect()
            }
        };
        let files = files
            .into_iter()
            .map(|f| f.into_entry(folder.clone(), &self.api.site));
        Ok(folders.chain(files).collect())
    }

    /// `files` with the sizes `folder/list` left out filled in from `file/info`, where the site
    /// has that endpoint.
    async fn with_sizes(&self, mut files: Vec<ListedFile>) -> Result<Vec<ListedFile>> {
        let unsized_codes: Vec<&str> = files
            .iter()
            .filter(|f| f.size.is_none())
            .map(|f| f.code.as_str())
            .collect();
        if unsized_codes.is_empty() {
            return Ok(files);
        }
        let infos = match self.file_info(&unsized_codes).await {
            Ok(infos) => infos,
            Err(e) if e.kind == ErrorKind::Unsupported => return Ok(files),
            Err(e) => return Err(e),
        };
        let sizes: HashMap<String, u64> = infos
            .into_iter()
            .filter_map(|i| Some((i.code, i.size?)))
            .collect();
        for file in files.iter_mut().filter(|f| f.size.is_none()) {
            file.size = sizes.get(&file.code).copied();
        }
        Ok(files)
    }

    /// Every page of `file/list` for `folder` (`None`: the whole account), names filtered by
    /// `name` when given.
    async fn all_files(&self, folder: Option<&str>, name: Option<&str>) -> Result<Vec<ListedFile>> {
        let mut files = Vec::new();
        self.walk_files(folder, name, |page| {
            files.extend(page);
            false
        })
        .await?;
        Ok(files)
    }

    /// Read `file/list` page by page, handing each page's new files to `found_it` until it says
    /// it found what it wanted, the pages run out, or the site repeats itself.
    async fn walk_files(
        &self,
        folder: Option<&str>,
        name: Option<&str>,
        mut found_it: impl FnMut(Vec<ListedFile>) -> bool,
    ) -> Result<()> {
        let mut seen = HashSet::new();
        for page in 1..=MAX_PAGES {
            let listed = self.file_list_matching(folder, page, name).await?;
            let sent = listed.files.len();
            let new: Vec<ListedFile> = listed
                .files
                .into_iter()
                .filter(|f| seen.insert(f.code.clone()))
                .collect();
            let no_news = new.is_empty();
            if found_it(new) || no_news {
                break;
            }
            let finished = match listed.results_total {
                Some(total) => seen.len() as u64 >= total,
                None => sent < FILES_PER_PAGE as usize,
            };
            if finished {
                break;
            }
        }
        Ok(())
    }

    /// Fails unless `folder` exists; each folder is asked about once (concurrent uploads into
    /// it wait for the one answer), the root never.
    pub(super) async fn check_folder(&self, folder: &FolderId) -> Result<()> {
        let Some(id) = folder.id() else {
            return Ok(());
        };
        let cell = self
            .known_folders
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(id.to_owned())
            .or_default()
            .clone();
        cell.get_or_try_init(|| async { self.folder_list_with(folder, false).await.map(drop) })
            .await
            .map(drop)
    }

    /// The codes of the account's files whose names match `name`'s filter (`None` when the
    /// name makes no filter): what was there before an upload.
    pub(super) async fn codes_like(&self, name: &str) -> Result<Option<HashSet<String>>> {
        let Some(filter) = name_filter(name) else {
            return Ok(None);
        };
        let mut codes = HashSet::new();
        self.walk_files(None, Some(filter), |page| {
            codes.extend(page.into_iter().map(|f| f.code));
            false
        })
        .await?;
        Ok(Some(codes))
    }

    /// The one file of `len` bytes named like `name` that `before` did not have: what an upload
    /// whose reply was lost left. `None` when there is none, or more than one.
    pub(super) async fn appeared(
        &self,
        name: &str,
        len: u64,
        before: &HashSet<String>,
    ) -> Result<Option<ListedFile>> {
        let Some(filter) = name_filter(name) else {
            return Ok(None);
        };
        let mut new = Vec::new();
        self.walk_files(None, Some(filter), |page| {
            new.extend(
                page.into_iter()
                    .filter(|f| !before.contains(&f.code) && f.size == Some(len)),
            );
            false
        })
        .await?;
        Ok(match <[ListedFile; 1]>::try_from(new) {
            Ok([one]) => Some(one),
            Err(_) => None,
        })
    }

    /// The account's own listing of file `code` (named `name`), or `None` if the file is not in
    /// this account. `file/info` and `file/set_folder` cannot tell: only `file/list` can. The
    /// name narrows the search; a site that stored the name differently is searched in full.
    pub(super) async fn owned_file(&self, code: &str, name: &str) -> Result<Option<ListedFile>> {
        let filter = name_filter(name);
        let mut found = self.find_listed(code, filter).await?;
        if found.is_none() && filter.is_some() {
            found = self.find_listed(code, None).await?;
        }
        Ok(found)
    }

    async fn find_listed(&self, code: &str, name: Option<&str>) -> Result<Option<ListedFile>> {
        let mut found = None;
        self.walk_files(None, name, |page| {
            found = page.into_iter().find(|f| f.code == code);
            found.is_some()
        })
        .await?;
        Ok(found)
    }

    /// What `file/info` says about one code; NotFound when the site does not know it.
    pub(super) async fn known_file(&self, code: &str) -> Result<FileInfo> {
        let infos = self.file_info(&[code]).await?;
        infos
            .into_iter()
            .find(|i| i.code == code.trim() && i.found)
            .ok_or_else(|| ProviderError::not_found(format!("{} has no file {code}", self.host())))
    }

    /// A file of the account, with its folder.
    pub(super) async fn file_entry(&self, code: &str) -> Result<Entry> {
        let info = self.known_file(code).await?;
        let name = info.name.clone().unwrap_or_default();
        let owned = self.owned_file(&info.code, &name).await?.ok_or_else(|| {
            ProviderError::not_found(format!(
                "file {code} on {} is not in this account",
                self.host()
            ))
        })?;
        let parent = owned.folder();
        let mut entry = owned.into_entry(parent, &self.api.site);
        entry.size = entry.size.or(info.size);
        Ok(entry)
    }

    /// A folder with its name and parent. There is no `folder/info`: the folder is asked for
    /// directly (a quick NotFound), then looked for from the root down.
    pub(super) async fn folder_entry(&self, id: &str) -> Result<Entry> {
        let not_found = || ProviderError::not_found(format!("{} has no folder {id}", self.host()));
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) || id == "0" {
            return Err(not_found());
        }
        self.folder_list_with(&FolderId::Id(id.to_owned()), false)
            .await?;
        let mut queue = VecDeque::from([FolderId::Root]);
        let mut searched = HashSet::new();
        while let Some(parent) = queue.pop_front() {
            if searched.len() >= MAX_FOLDERS_SEARCHED {
                return Err(ProviderError::fatal(format!(
                    "folder {id} is not among the first {MAX_FOLDERS_SEARCHED} folders of this \
                     account on {}",
                    self.host()
                )));
            }
            let listing = self.folder_list_with(&parent, false).await?;
            for folder in listing.folders {
                if folder.fld_id == id {
                    return Ok(folder.into_entry(parent));
                }
                if searched.insert(folder.fld_id.clone()) {
                    queue.push_back(FolderId::Id(folder.fld_id));
                }
            }
        }
        Err(not_found())
    }

    /// Check that `entry` is a file; `action` names what cannot be done to folders.
    pub(super) fn file_only<'a>(&self, entry: &'a EntryRef, action: &str) -> Result<&'a str> {
        match entry.kind {
            crate::provider::EntryKind::File => Ok(&entry.id),
            crate::provider::EntryKind::Folder => Err(ProviderError::unsupported(format!(
                "{} API cannot {action} folders",
                self.api.site.possessive()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_filters_stop_where_the_site_escapes() {
        assert_eq!(name_filter("report 2024.pdf"), Some("report 2024.pdf"));
        assert_eq!(name_filter("say \"hi\".txt"), Some("say "));
        assert_eq!(name_filter("\"quoted\""), None);
        let long = "é".repeat(80);
        let filter = name_filter(&long).unwrap();
        assert!(filter.len() <= MAX_FILTER_BYTES && long.starts_with(filter));
    }
}
