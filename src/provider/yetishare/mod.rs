//! YetiShare File Upload API v2 (zippyshare.cloud, cyberfile.me, potansiyelperisi.com, ...).
//! TEMPORARY STUB on main until the real provider lands from its branch.

use async_trait::async_trait;

use super::*;

pub enum Credentials {
    Keys { key1: String, key2: String },
    Password { username: String, password: String },
}

impl Credentials {
    pub fn from_secret(_username: Option<&str>, _secret: &str) -> Result<Credentials> {
        Err(ProviderError::unsupported("stub"))
    }
}

pub struct YetiShare;

impl YetiShare {
    pub fn new(_base_url: &str, _credentials: Credentials) -> Result<YetiShare> {
        Err(ProviderError::unsupported("stub"))
    }
    pub async fn disable_access_token(&self) -> Result<()> {
        todo!()
    }
}

#[async_trait]
impl Provider for YetiShare {
    fn family(&self) -> &'static str {
        "yetishare"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    async fn authenticate(&self) -> Result<()> {
        todo!()
    }
    async fn list(&self, _folder: &FolderId) -> Result<Vec<Entry>> {
        todo!()
    }
    async fn stat(&self, _entry: &EntryRef) -> Result<Entry> {
        todo!()
    }
    async fn create_folder(&self, _parent: &FolderId, _name: &str) -> Result<Entry> {
        todo!()
    }
    async fn rename(&self, _entry: &EntryRef, _new_name: &str) -> Result<()> {
        todo!()
    }
    async fn move_entry(&self, _entry: &EntryRef, _dest: &FolderId) -> Result<()> {
        todo!()
    }
    async fn copy_entry(&self, _entry: &EntryRef, _dest: &FolderId) -> Result<Entry> {
        todo!()
    }
    async fn delete(&self, _entry: &EntryRef) -> Result<()> {
        todo!()
    }
    async fn upload(
        &self,
        _parent: &FolderId,
        _name: &str,
        _body: UploadBody,
        _progress: ProgressFn,
    ) -> Result<Entry> {
        todo!()
    }
    async fn open_download(&self, _file: &EntryRef, _offset: u64) -> Result<DownloadStream> {
        todo!()
    }
    async fn public_link(&self, _entry: &EntryRef) -> Result<String> {
        todo!()
    }
    async fn account_info(&self) -> Result<AccountInfo> {
        todo!()
    }
}
