//! The Keep2Share API v2 site, served at `/keep2share/api/v2/<method>`, with its upload node
//! at `/keep2share/upload` and direct download links under `/keep2share/prx/`. The protocol:
//! `docs/protocols/keep2share.md`.
//!
//! Test hooks live under `/__emulator/keep2share/` (see `hooks.rs`); the demo accounts' names
//! and credentials are the constants below.

mod accounts;
mod auth;
mod captcha;
mod db;
mod dedupe;
mod download;
mod font;
mod hooks;
mod life;
mod listing;
mod manage;
mod remote;
mod render;
mod reply;
mod request;
mod seed;
mod sessions;
mod settings;
mod signing;
mod upload;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use axum::Router;
use axum::body::to_bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, RawQuery, Request, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub use accounts::{
    CAPTCHA_PASSWORD, CAPTCHA_USERNAME, FREE_PASSWORD, FREE_USERNAME, PREMIUM_ACCESS_TOKEN,
    PREMIUM_PASSWORD, PREMIUM_USERNAME,
};
pub use seed::{DEAD_FILE_ID, DEAD_FILE_NAME, SHARED_FILE_ID, SHARED_FILE_NAME, SHARED_FOLDER_ID};
pub use settings::Settings;

use super::DemoAccount;
use super::control::Shared;
use super::persist::{self, JsonFile, SiteDirs};
use accounts::ACCOUNTS;
use db::Db;
use reply::{Failure, Outcome, invalid_params};
use request::{BODY_LIMIT, Params};
use sessions::{ActiveDownloads, Sessions};

const API_ROOT: &str = "/keep2share/api/v2";

/// Every method, as the doc spells it; requests name them in any case.
const METHODS: &[&str] = &[
    "login",
    "test",
    "accountInfo",
    "getBalance",
    "getDomainsList",
    "getFilesList",
    "getFoldersList",
    "createFolder",
    "updateFile",
    "updateFiles",
    "deleteFiles",
    "getFilesInfo",
    "getUrl",
    "requestCaptcha",
    "captcha",
    "captcha.html",
    "requestReCaptcha",
    "reCaptcha",
    "reCaptcha.html",
    "getUploadFormData",
    "findFile",
    "findByFirst5MbSha1Hash",
    "findByFullMd5Hash",
    "createFileByHash",
    "remoteUploadAdd",
    "remoteUploadStatus",
];

fn method_named(requested: &str) -> Option<&'static str> {
    METHODS
        .iter()
        .copied()
        .find(|method| method.eq_ignore_ascii_case(requested))
}

pub(crate) struct Site {
    /// `http://127.0.0.1:PORT`
    origin: String,
    blob_dir: PathBuf,
    temp_dir: PathBuf,
    db: Mutex<Saved>,
    /// Signals the saver that the metadata changed.
    dirty: Notify,
    json: JsonFile,
    sessions: Mutex<Sessions>,
    downloads: ActiveDownloads,
    settings: RwLock<Settings>,
    /// Signs upload forms and download links.
    secret: Vec<u8>,
    shared: Arc<Shared>,
    fetcher: reqwest::Client,
    stop: CancellationToken,
}

struct Saved {
    db: Db,
    /// Bumped by every change; the metadata file knows which generation it holds.
    generation: u64,
}

impl Site {
    /// Loads the site's data from `data_dir/keep2share/` (seeding empty demo accounts if asked).
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
        } = SiteDirs::prepare(data_dir, "keep2share").await?;
        let mut db: Db = json.load().await?.unwrap_or_default();
        remote::fail_interrupted(&mut db);
        let secret = match hex::decode(&db.secret) {
            Ok(secret) if !secret.is_empty() => secret,
            _ => {
                let secret = rand::random::<[u8; 32]>().to_vec();
                db.secret = hex::encode(&secret);
                secret
            }
        };
        let fetcher = persist::fetcher()?;
        let site = Arc::new(Self {
            origin: origin.to_string(),
            blob_dir,
            temp_dir,
            // Generation 1 is newer than "nothing written yet", so the first flush writes.
            db: Mutex::new(Saved { db, generation: 1 }),
            dirty: Notify::new(),
            json,
            sessions: Mutex::new(Sessions::default()),
            downloads: ActiveDownloads::default(),
            settings: RwLock::new(Settings::default()),
            secret,
            shared,
            fetcher,
            stop,
        });
        if seed_demo {
            for account in ACCOUNTS.iter().filter(|a| a.config_name.is_some()) {
                seed::fill_if_empty(&site, account).await?;
            }
        }
        site.flush().await;
        site.spawn_saver();
        Ok(site)
    }

    /// The accounts for a config (the login-captcha account is left out: it needs a person).
    pub(crate) fn demo_accounts(&self) -> Vec<DemoAccount> {
        ACCOUNTS
            .iter()
            .filter_map(|account| {
                let name = account.config_name?;
                let description = if account.premium {
                    account.description.to_string()
                } else {
                    format!(
                        "{}; other accounts' files take a captcha and a countdown, e.g. the \
                         premium account's /Shared/{SHARED_FILE_NAME} (file id {SHARED_FILE_ID})",
                        account.description
                    )
                };
                Some(DemoAccount {
                    name: name.to_string(),
                    provider: "keep2share".to_string(),
                    base_url: self.api_root(),
                    username: Some(account.username.to_string()),
                    secret: account.password.to_string(),
                    description,
                })
            })
            .collect()
    }

    fn api_root(&self) -> String {
        format!("{}{API_ROOT}", self.origin)
    }

    fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn set_settings(&self, settings: Settings) {
        *self
            .settings
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = settings;
    }

    fn read<T>(&self, f: impl FnOnce(&Db) -> T) -> T {
        f(&self.lock_db().db)
    }

    /// Applies a change; when it succeeds, the saver writes the metadata right after.
    fn change<T, E>(&self, f: impl FnOnce(&mut Db) -> Result<T, E>) -> Result<T, E> {
        let value = {
            let mut saved = self.lock_db();
            let value = f(&mut saved.db)?;
            saved.generation += 1;
            value
        };
        self.dirty.notify_one();
        Ok(value)
    }

    /// Writes the current metadata unless it is already on disk.
    pub(crate) async fn flush(&self) {
        let (generation, db) = {
            let saved = self.lock_db();
            (saved.generation, saved.db.clone())
        };
        let serialized = tokio::task::spawn_blocking(move || serde_json::to_vec(&db))
            .await
            .map_err(io::Error::other)
            .and_then(|bytes| bytes.map_err(io::Error::other));
        let saved = match serialized {
            Ok(bytes) => self.json.save(generation, bytes).await,
            Err(error) => Err(error),
        };
        if let Err(error) = saved {
            tracing::warn!(%error, "could not save the Keep2Share metadata");
        }
    }

    /// Saves after changes, coalescing bursts, and once more when the emulator stops.
    fn spawn_saver(self: &Arc<Self>) {
        let site = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = site.dirty.notified() => site.flush().await,
                    () = site.stop.cancelled() => {
                        site.flush().await;
                        return;
                    }
                }
            }
        });
    }

    fn lock_db(&self) -> MutexGuard<'_, Saved> {
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn blob_path(&self, blob: &str) -> PathBuf {
        self.blob_dir.join(blob)
    }

    /// Deletes stored bytes no file uses any more.
    async fn remove_blobs(&self, blobs: &[String]) {
        for blob in blobs {
            if let Err(error) = tokio::fs::remove_file(self.blob_path(blob)).await {
                tracing::warn!(%error, "could not delete a stored file");
            }
        }
    }
}

/// The site's routes (counted and faulted by the shared layer).
pub(crate) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route(&format!("{API_ROOT}/{{method}}"), any(api))
        .route(upload::NODE_PATH, post(upload::node))
        .route("/keep2share/prx/{nonce}/{file_id}", get(download::serve))
        // Uploads stream to disk; no size cap here (the quota decides).
        .layer(DefaultBodyLimit::disable())
        .with_state(site)
}

/// The test hooks under `/__emulator/keep2share/` (neither counted nor faulted).
pub(crate) fn test_router(site: Arc<Site>) -> Router {
    hooks::router(site.clone()).merge(life::router(site))
}

/// The stats name of a request under `/keep2share/`, or `None` for other paths.
pub(crate) fn route_key(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/keep2share/")?;
    let name = if let Some(method) = rest.strip_prefix("api/v2/") {
        method_named(method).unwrap_or("unknown")
    } else if format!("/keep2share/{rest}") == upload::NODE_PATH {
        "upload"
    } else if rest.starts_with("prx/") {
        "download"
    } else {
        "unknown"
    };
    Some(format!("keep2share/{name}"))
}

/// Every API call: the method from the path (any case), the JSON body, the method itself.
async fn api(
    State(site): State<Arc<Site>>,
    UrlPath(requested): UrlPath<String>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let Some(method) = method_named(&requested) else {
        return Failure::bare(404, "Method not found").into_response();
    };
    let is_get = request.method() == Method::GET || request.method() == Method::HEAD;
    if !is_get && request.method() != Method::POST {
        return Failure::bare(405, "Method not allowed").into_response();
    }
    let params = match to_bytes(request.into_body(), BODY_LIMIT).await {
        Ok(body) => Params::parse(&body),
        Err(_) => Err(invalid_params()),
    };
    // The captcha image and the reCaptcha page take `id` from the query (or a JSON body).
    let from_query = query.and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "id")
            .map(|(_, value)| value.into_owned())
    });
    let id = from_query.or_else(|| {
        let params = params.as_ref().ok()?;
        params.string("id").ok().flatten()
    });
    match method {
        "captcha" | "captcha.html" => return captcha::image(&site, id.as_deref()),
        "reCaptcha" | "reCaptcha.html" => return captcha::page(&site, id.as_deref()),
        _ => {}
    }
    if is_get {
        return Failure::bare(405, "Method not allowed").into_response();
    }
    let outcome = match params {
        Ok(params) => call(&site, method, &params).await,
        Err(failure) => Err(failure),
    };
    reply::render(outcome)
}

async fn call(site: &Arc<Site>, method: &str, params: &Params) -> Outcome {
    match method {
        "login" => auth::login(site, params),
        "test" => auth::test(site, params),
        "accountInfo" => auth::account_info(site, params),
        "getBalance" => auth::balance(site, params),
        "getDomainsList" => auth::domains(site, params),
        "getFilesList" => listing::files_list(site, params),
        "getFoldersList" => listing::folders_list(site, params),
        "getFilesInfo" => listing::files_info(site, params),
        "createFolder" => manage::create_folder(site, params),
        "updateFile" => manage::update_file(site, params),
        "updateFiles" => manage::update_files(site, params),
        "deleteFiles" => manage::delete_files(site, params).await,
        "getUrl" => download::get_url(site, params),
        "requestCaptcha" => captcha::request(site),
        "requestReCaptcha" => captcha::request_re(site),
        "getUploadFormData" => upload::form_data(site, params),
        "findFile" => dedupe::find_file(site, params),
        "findByFirst5MbSha1Hash" => dedupe::find_by_head_sha1(site, params),
        "findByFullMd5Hash" => dedupe::find_by_full_md5(site, params),
        "createFileByHash" => dedupe::create_file_by_hash(site, params),
        "remoteUploadAdd" => remote::add(site, params),
        "remoteUploadStatus" => remote::status(site, params),
        _ => Err(Failure::bare(404, "Method not found")),
    }
}
