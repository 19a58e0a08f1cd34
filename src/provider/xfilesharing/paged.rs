//! A folder's listing with the pages of `file/list` fetched several at a time: the first page
//! says how many files there are (`results_total`), the rest are asked for at once and handed
//! on in order, in growing chunks (the first screenful comes early, and a pane does not take
//! in a thousand pages of 100 one by one).

use std::collections::HashSet;

use futures::{StreamExt, TryStreamExt, stream};

use super::XFileSharing;
use super::endpoints::FILES_PER_PAGE;
use super::types::ListedFile;
use crate::provider::{Entry, FolderId, PageSink, Result};

/// Pages of `file/list` in flight at once.
const PAGES_AT_ONCE: usize = 8;
/// Pages read at most (as the sequential walk).
const MAX_PAGES: u64 = 10_000;
/// The largest chunk handed on at once; chunks double up to it.
const MAX_CHUNK: usize = 16_384;

/// Entries gathered into chunks that double in size.
pub(crate) struct Chunker<'a> {
    sink: &'a PageSink<'a>,
    buffer: Vec<Entry>,
    next: usize,
}

impl<'a> Chunker<'a> {
    pub(crate) fn new(sink: &'a PageSink<'a>, first: usize) -> Self {
        Chunker {
            sink,
            buffer: Vec::new(),
            next: first.max(1),
        }
    }

    pub(crate) fn push(&mut self, entries: impl IntoIterator<Item = Entry>) {
        self.buffer.extend(entries);
        if self.buffer.len() >= self.next {
            (self.sink)(std::mem::take(&mut self.buffer), false);
            self.next = (self.next * 2).min(MAX_CHUNK);
        }
    }

    /// What is left, for the listing's end.
    pub(crate) fn rest(self) -> Vec<Entry> {
        self.buffer
    }
}

impl XFileSharing {
    /// The children of `folder`, handed to `sink` as pages arrive; returns those not handed on.
    pub(super) async fn children_pages(
        &self,
        folder: &FolderId,
        sink: &PageSink<'_>,
    ) -> Result<Vec<Entry>> {
        // The root's files come from elsewhere (see `children`): listed in one go.
        let FolderId::Id(id) = folder else {
            return self.children(folder).await;
        };
        let (listing, first) = futures::try_join!(
            self.folder_list_with(folder, false),
            self.file_list_matching(Some(id), 1, None)
        )?;
        let Some(total) = first.results_total else {
            // Without a total the pages can only be walked one after another.
            return self.children(folder).await;
        };
        let mut out = Chunker::new(sink, FILES_PER_PAGE as usize);
        out.push(
            listing
                .folders
                .into_iter()
                .filter(|f| f.fld_id != *id && f.fld_id != "0")
                .map(|f| f.into_entry(folder.clone())),
        );
        let mut seen = HashSet::new();
        let take = |seen: &mut HashSet<String>, files: Vec<ListedFile>| -> Vec<Entry> {
            files
                .into_iter()
                .filter(|f| seen.insert(f.code.clone()))
                .filter(|f| f.fld_id.as_ref().is_none_or(|f| f == id))
                .map(|f| f.into_entry(folder.clone(), &self.api.site))
                .collect()
        };
        // A site may send fewer per page than asked: the first page tells how many.
        let per_page = first.files.len().max(1) as u64;
        out.push(take(&mut seen, first.files));
        let pages = total.div_ceil(per_page).min(MAX_PAGES);
        let mut rest = stream::iter(2..=pages)
            .map(|page| self.file_list_matching(Some(id), page as u32, None))
            .buffered(PAGES_AT_ONCE);
        while let Some(page) = rest.try_next().await? {
            out.push(take(&mut seen, page.files));
        }
        drop(rest);
        // Files added while the pages were read: on, page by page, until the count is reached
        // or a page brings nothing new.
        let mut page = pages + 1;
        while (seen.len() as u64) < total && page <= MAX_PAGES {
            let listed = self.file_list_matching(Some(id), page as u32, None).await?;
            let before = seen.len();
            out.push(take(&mut seen, listed.files));
            if seen.len() == before {
                break;
            }
            page += 1;
        }
        Ok(out.rest())
    }
}
