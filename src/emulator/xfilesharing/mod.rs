//! The XFileSharing Pro (XFS) site, as KenFiles and its relatives run it: the API at
//! `/xfilesharing/api/<group>/<action>`, upload servers at `/xfilesharing/s<N>/cgi-bin/upload.cgi`,
//! direct links at `/xfilesharing/s<N>/cgi-bin/dl.cgi/<token>/<name>` and a page per file at
//! `/xfilesharing/<file_code>`. The protocol: `docs/protocols/xfilesharing.md`.
//!
//! Kept on purpose, as clients meet them on real hosts: every JSON answer is HTTP 200 (an
//! unknown endpoint is the web server's HTML 404); the key travels as `key=` in the query or a
//! POST form, never in a header; the free account writes `status` as a string; `folder/create`
//! answers `fld_id` as a string while listings give numbers; renames answer `"true"`;
//! `file/list` pages and reads `fld_id=0` as the whole account while `folder/list` is the root,
//! unpaged; names come back as Latin-1 mojibake; there is no delete and no folder move.

mod account_info;
mod accounts;
mod db;
mod download;
mod files;
mod fill;
mod folders;
mod life;
mod names;
mod params;
mod paths;
mod quirks;
mod reply;
mod seed;
mod tokens;
mod upload;
mod url_upload;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::any;
use tokio_util::sync::CancellationToken;

pub use accounts::{FREE_KEY, PREMIUM_KEY};

use super::DemoAccount;
use super::control::Shared;
use super::persist::{self, SavedState, SiteDirs};
use accounts::{ACCOUNTS, Account, StatusStyle};
use db::Db;
use params::Params;
use paths::{Endpoint, SitePath};
use reply::Outcome;
use tokens::Tokens;

const SITE_ROOT: &str = "/xfilesharing";

/// Neither lifetime is documented; both are generous.
const SESSION_LIFETIME: Duration = Duration::from_secs(24 * 3600);
const LINK_LIFETIME: Duration = Duration::from_secs(6 * 3600);
/// `sess_id` length (KenFiles' sample has 16, katfile 61).
const SESSION_ID_LEN: usize = 32;
const LINK_TOKEN_LEN: usize = 52;

pub(crate) struct Site {
    /// `http://127.0.0.1:PORT/xfilesharing`
    site_url: String,
    blob_dir: PathBuf,
    temp_dir: PathBuf,
    db: Arc<SavedState<Db>>,
    /// Upload sessions: `sess_id` -> account id.
    sessions: Mutex<Tokens<u64>>,
    /// Direct links: token -> file code.
    links: Mutex<Tokens<String>>,
    /// Server URLs handed out (upload servers, direct links), so the host changes between
    /// calls.
    servers_handed: AtomicU64,
    shared: Arc<Shared>,
    fetcher: reqwest::Client,
    stop: CancellationToken,
    /// Site quirks reproduced only when a test asks (`quirks.rs`).
    quirks: quirks::Quirks,
    /// The last folder `file/list` walked, kept while the data does not change, so that each
    /// of its pages costs the page, not the folder.
    listed: Mutex<Option<files::ListedFolder>>,
}

impl Site {
    /// Loads the site's data from `data_dir/xfilesharing/` (seeding empty accounts if asked).
    pub(crate) async fn open(
        data_dir: &Path,
        origin: &str,
        shared: Arc<Shared>,
        stop: CancellationToken,
        seed_demo: bool,
    ) -> io::Result<Arc<Self>> {
        let SiteDirs {
            blob_dir,
            temp_dir,
            metadata: json,
        } = SiteDirs::prepare(data_dir, "xfilesharing").await?;
        let mut db: Db = json.load().await?.unwrap_or_default();
        url_upload::fail_interrupted(&mut db);
        let fetcher = persist::fetcher()?;
        let site = Arc::new(Self {
            site_url: format!("{origin}{SITE_ROOT}"),
            blob_dir,
            temp_dir,
            db: Arc::new(SavedState::new(json, db)),
            sessions: Mutex::new(Tokens::new(SESSION_ID_LEN, SESSION_LIFETIME)),
            links: Mutex::new(Tokens::new(LINK_TOKEN_LEN, LINK_LIFETIME)),
            servers_handed: AtomicU64::new(0),
            shared,
            fetcher,
            stop,
            quirks: quirks::Quirks::default(),
            listed: Mutex::new(None),
        });
        if seed_demo {
            for account in &ACCOUNTS {
                seed::fill_if_empty(&site, account).await?;
            }
        }
        site.db.flush().await;
        site.db.spawn_saver(site.stop.clone());
        Ok(site)
    }

    pub(crate) fn demo_accounts(&self) -> Vec<DemoAccount> {
        ACCOUNTS
            .iter()
            .map(|account| DemoAccount {
                name: account.config_name.to_string(),
                provider: "xfilesharing".to_string(),
                base_url: format!("{}/api", self.site_url),
                username: None,
                secret: account.key.to_string(),
                description: account.description.to_string(),
            })
            .collect()
    }

    /// Writes the metadata unless it is already on disk.
    pub(crate) async fn flush(&self) {
        self.db.flush().await;
    }

    /// The public link of a file.
    fn file_url(&self, code: &str) -> String {
        format!("{}/{code}", self.site_url)
    }

    /// The next file server's base, `.../xfilesharing/s<N>` (N cycles through 1..=4).
    fn next_server(&self) -> String {
        let n = self.servers_handed.fetch_add(1, Ordering::Relaxed) % 4 + 1;
        format!("{}/s{n}", self.site_url)
    }

    fn sessions(&self) -> MutexGuard<'_, Tokens<u64>> {
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn links(&self) -> MutexGuard<'_, Tokens<String>> {
        self.links
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn blob_path(&self, blob: &str) -> PathBuf {
        self.blob_dir.join(blob)
    }
}

pub(crate) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route(SITE_ROOT, any(not_found))
        .route(&format!("{SITE_ROOT}/"), any(not_found))
        .route(&format!("{SITE_ROOT}/{{*rest}}"), any(serve))
        // Uploads stream to disk; no size cap.
        .layer(DefaultBodyLimit::disable())
        .with_state(site)
}

/// The test hooks under `/__emulator/xfilesharing/` (neither counted nor faulted).
pub(crate) fn test_router(site: Arc<Site>) -> Router {
    life::router(site.clone())
        .merge(quirks::router(site.clone()))
        .merge(fill::router(site))
}

/// The stats name of a request under `/xfilesharing/`, or `None` for other paths.
pub(crate) fn route_key(path: &str) -> Option<String> {
    let rest = path.strip_prefix(SITE_ROOT)?.strip_prefix('/')?;
    Some(format!(
        "xfilesharing/{}",
        SitePath::parse(rest).stats_name()
    ))
}

async fn not_found() -> Response {
    reply::not_found_page()
}

/// Every request under the site root, by what its path means.
async fn serve(State(site): State<Arc<Site>>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let rest = path
        .strip_prefix(SITE_ROOT)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or_default();
    let method = request.method().clone();
    match SitePath::parse(rest) {
        SitePath::Api(Some(endpoint)) => api(&site, endpoint, request).await,
        SitePath::UploadCgi if method == Method::POST => upload::receive(&site, request).await,
        SitePath::DlCgi { token } if method == Method::GET || method == Method::HEAD => {
            download::serve(&site, token, &method, request.headers()).await
        }
        SitePath::FilePage { code } if method == Method::GET || method == Method::HEAD => {
            download::file_page(&site, code)
        }
        _ => reply::not_found_page(),
    }
}

/// An API call: parameters, the key (checked before anything else), the action.
async fn api(site: &Arc<Site>, endpoint: Endpoint, request: Request) -> Response {
    let params = params::read(request).await;
    let Some(account) = accounts::by_key(params.text("key")) else {
        return reply::render(Err(reply::INVALID_KEY), StatusStyle::Number);
    };
    reply::render(run(site, account, endpoint, &params), account.status_style)
}

fn run(
    site: &Arc<Site>,
    account: &'static Account,
    endpoint: Endpoint,
    params: &Params,
) -> Outcome {
    match endpoint {
        Endpoint::AccountInfo => account_info::info(site, account),
        Endpoint::AccountStats => account_info::stats(site, account, params),
        Endpoint::UploadServer => upload::server(site, account),
        Endpoint::UploadUrl => url_upload::add_or_check(site, account, params),
        Endpoint::FileDirectLink => download::direct_link(site, account, params),
        Endpoint::FileInfo => files::info(site, params),
        Endpoint::FileList => files::list(site, account, params),
        Endpoint::FileRename => files::rename(site, account, params),
        Endpoint::FileClone => files::clone(site, account, params),
        Endpoint::FileSetFolder => files::set_folder(site, account, params),
        Endpoint::FilesDeleted => files::deleted(site, account, params),
        Endpoint::FilesDmca => files::dmca(site, account, params),
        Endpoint::FilesCheck => files::check(site, params),
        Endpoint::FolderList => folders::list(site, account, params),
        Endpoint::FolderCreate => folders::create(site, account, params),
        Endpoint::FolderRename => folders::rename(site, account, params),
    }
}
