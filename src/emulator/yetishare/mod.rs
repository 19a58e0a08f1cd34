//! The YetiShare File Upload API v2 site, served at `/yetishare/api/v2/`, with its short-URL
//! download links at `/yetishare/<shortUrl>`. The protocol: `docs/protocols/yetishare.md`.

mod accounts;
mod auth;
mod db;
mod download;
mod files;
mod fill;
mod folders;
mod limits;
mod render;
mod reply;
mod request;
mod seed;
mod sessions;
mod upload;
mod url_upload;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{any, get};
use tokio_util::sync::CancellationToken;

pub use accounts::{
    FREE_KEY1, FREE_KEY2, FREE_PASSWORD, FREE_USERNAME, PREMIUM_KEY1, PREMIUM_KEY2,
    PREMIUM_PASSWORD, PREMIUM_USERNAME,
};

use super::DemoAccount;
use super::control::Shared;
use super::persist::{self, SavedState, SiteDirs};
use accounts::{ACCOUNTS, Account};
use db::Db;
use render::Urls;
use reply::Outcome;
use request::{Incoming, Route, UploadSink};
use sessions::Sessions;

const API_ROOT: &str = "/yetishare/api/v2";

/// The endpoints and their actions.
const ROUTES: &[(&str, &[&str])] = &[
    ("authorize", &["index"]),
    ("disable_access_token", &["index"]),
    ("account", &["info", "package"]),
    (
        "file",
        &[
            "upload",
            "download",
            "url_upload_add",
            "url_upload_status",
            "info",
            "edit",
            "delete",
            "move",
            "copy",
        ],
    ),
    (
        "folder",
        &["create", "listing", "info", "edit", "delete", "move"],
    ),
];

pub(crate) struct Site {
    urls: Urls,
    blob_dir: PathBuf,
    temp_dir: PathBuf,
    db: Arc<SavedState<Db>>,
    sessions: Mutex<Sessions>,
    shared: Arc<Shared>,
    fetcher: reqwest::Client,
    stop: CancellationToken,
}

impl Site {
    /// Loads the site's data from `data_dir/yetishare/` (seeding empty accounts if asked).
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
        } = SiteDirs::prepare(data_dir, "yetishare").await?;
        let mut db: Db = json.load().await?.unwrap_or_default();
        url_upload::fail_interrupted(&mut db, &reply::now());
        let fetcher = persist::fetcher()?;
        let site = Arc::new(Self {
            urls: Urls {
                site: format!("{origin}/yetishare"),
            },
            blob_dir,
            temp_dir,
            db: Arc::new(SavedState::new(json, db)),
            sessions: Mutex::new(Sessions::default()),
            shared,
            fetcher,
            stop,
        });
        if seed_demo {
            for account in &ACCOUNTS {
                seed::fill_if_empty(&site, account).await?;
            }
        }
        site.flush().await;
        site.db.spawn_saver(site.stop.clone());
        Ok(site)
    }

    pub(crate) fn demo_accounts(&self) -> Vec<DemoAccount> {
        ACCOUNTS
            .iter()
            .map(|account| DemoAccount {
                name: account.config_name.to_string(),
                provider: "yetishare".to_string(),
                base_url: format!("{}/api/v2", self.urls.site),
                username: Some(account.username.to_string()),
                secret: format!("{}:{}", account.key1, account.key2),
                description: account.description.to_string(),
            })
            .collect()
    }

    fn read<T>(&self, f: impl FnOnce(&Db) -> T) -> T {
        self.db.read(f)
    }

    /// Applies a change; when it succeeds, the saver writes the metadata right after.
    fn change<T, E>(&self, f: impl FnOnce(&mut Db) -> Result<T, E>) -> Result<T, E> {
        self.db.change(f)
    }

    /// Writes the current metadata unless it is already on disk.
    pub(crate) async fn flush(&self) {
        self.db.flush().await;
    }

    fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn blob_path(&self, blob: &str) -> PathBuf {
        self.blob_dir.join(blob)
    }
}

pub(crate) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route(API_ROOT, any(api))
        .route(&format!("{API_ROOT}/"), any(api))
        .route(&format!("{API_ROOT}/{{*rest}}"), any(api))
        .route("/yetishare/{short_url}", get(download::serve))
        .route("/yetishare/{short_url}/{filename}", get(download::serve))
        // Uploads stream to disk; no size cap here (the account's package decides).
        .layer(DefaultBodyLimit::disable())
        .with_state(site)
}

/// The test hooks under `/__emulator/yetishare/` (neither counted nor faulted).
pub(crate) fn test_router(site: Arc<Site>) -> Router {
    limits::router(site.clone()).merge(fill::router(site))
}

/// The stats name of a request under `/yetishare/`, or `None` for other paths.
pub(crate) fn route_key(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/yetishare/")?;
    let Some(api) = rest.strip_prefix("api/v2") else {
        return Some("yetishare/download".to_string());
    };
    if !api.is_empty() && !api.starts_with('/') {
        return Some("yetishare/download".to_string());
    }
    let route = Route::parse(api);
    let known = ROUTES.iter().any(|(endpoint, actions)| {
        *endpoint == route.endpoint && actions.contains(&route.action.as_str())
    });
    Some(match (known, route.action.as_str()) {
        (false, _) => "yetishare/unknown".to_string(),
        (true, "index") => format!("yetishare/{}", route.endpoint),
        (true, action) => format!("yetishare/{}/{action}", route.endpoint),
    })
}

/// Every API request: route, method, parameters, token purge, the endpoint's own checks, the
/// action.
async fn api(State(site): State<Arc<Site>>, request: Request) -> Response {
    let route = Route::parse(
        request
            .uri()
            .path()
            .strip_prefix(API_ROOT)
            .unwrap_or_default(),
    );
    let Some((_, actions)) = ROUTES
        .iter()
        .find(|(endpoint, _)| *endpoint == route.endpoint)
    else {
        return reply::no_endpoint(&route.endpoint);
    };
    if request.method() != Method::GET && request.method() != Method::POST {
        return reply::invalid_method();
    }
    let limit = |params: &request::Params| upload::limit_for(params);
    let wants_upload = route.endpoint == "file" && route.action == "upload";
    let sink = wants_upload.then(|| UploadSink {
        temp_dir: &site.temp_dir,
        limit: &limit,
    });
    let incoming = request::read(request, sink).await;
    site.sessions().purge_idle(Instant::now());

    if route.endpoint == "authorize" {
        if route.action != "index" {
            return reply::no_method(&route.endpoint, &route.action);
        }
        return reply::render(auth::authorize(&site, &incoming.params));
    }
    // The endpoint classes check the token in their constructor, before looking for the
    // action.
    let account = match auth::validate(&site, &incoming.params) {
        Ok(account) => account,
        Err(message) => return reply::render(Err(message)),
    };
    if !actions.contains(&route.action.as_str()) {
        return reply::no_method(&route.endpoint, &route.action);
    }
    reply::render(run(&site, account, &route, incoming).await)
}

async fn run(
    site: &Arc<Site>,
    account: &'static Account,
    route: &Route,
    incoming: Incoming,
) -> Outcome {
    let params = &incoming.params;
    match (route.endpoint.as_str(), route.action.as_str()) {
        ("disable_access_token", _) => Ok(auth::disable_access_token(site, params)),
        ("account", "info") => Ok(auth::account_info(site, account)),
        ("account", "package") => {
            let limits = site.read(|db| db.limits(account.id));
            Ok(reply::keys(serde_json::json!({
                "data": account.package_info(&limits)
            })))
        }
        ("file", "upload") => upload::upload(site, account, incoming).await,
        ("file", "download") => files::download(site, account, params),
        ("file", "url_upload_add") => url_upload::add(site, account, params).await,
        ("file", "url_upload_status") => url_upload::status(site, account, params),
        ("file", "info") => files::info(site, account, params),
        ("file", "edit") => files::edit(site, account, params),
        ("file", "delete") => files::delete(site, account, params),
        ("file", "move") => files::move_file(site, account, params),
        ("file", "copy") => files::copy(site, account, params),
        ("folder", "create") => folders::create(site, account, params),
        ("folder", "listing") => folders::listing(site, account, params),
        ("folder", "info") => folders::info(site, account, params),
        ("folder", "edit") => folders::edit(site, account, params),
        ("folder", "delete") => folders::delete(site, account, params),
        ("folder", "move") => folders::move_folder(site, account, params),
        _ => Err(format!(
            "No method found within endpoint ({}): {}",
            route.endpoint, route.action
        )),
    }
}
