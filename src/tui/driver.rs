//! The driver: runs the update's effects (engine calls directly, since they only send
//! commands; network, disk and keyring work in tasks) and feeds results back as messages.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Effect, JobOp, LoginProblem, Msg};
use crate::config::AccountConfig;
use crate::config::new_account::AccountError;
use crate::config::secrets::{Secret, SecretKept};
use crate::http::retry::{self, RetryNotice};
use crate::provider::local::LocalFs;
use crate::provider::{ChallengePurpose, EntryRef, ErrorKind, Provider, ProviderError};
use crate::transfer::{Engine, ItemAddr, JobSpec, LOCAL};

/// What the terminal UI needs of the configured accounts (the command line's context).
#[async_trait]
pub trait AccountBook: Send + Sync {
    /// The shared provider of a configured account.
    async fn provider(&self, account: &str) -> Result<Arc<dyn Provider>, OpenFailure>;

    /// Write a new account (checked as `haul accounts add` checks it) and keep its secret.
    async fn add_account(
        &self,
        name: &str,
        account: AccountConfig,
        secret: Option<Secret>,
    ) -> Result<Option<SecretKept>, AccountError>;

    /// Keep a new secret for an account; its next use signs in with it.
    async fn replace_secret(&self, account: &str, secret: Secret) -> Result<SecretKept, String>;
}

/// Why an account's provider could not be opened.
#[derive(Debug, Clone)]
pub enum OpenFailure {
    /// No secret anywhere: `env_var` is the variable to set.
    NoSecret {
        env_var: String,
    },
    Failed(String),
}

impl From<OpenFailure> for LoginProblem {
    fn from(f: OpenFailure) -> Self {
        match f {
            OpenFailure::NoSecret { env_var } => LoginProblem::NoSecret { env_var },
            OpenFailure::Failed(why) => LoginProblem::Failed(why),
        }
    }
}

/// Whether an error means signing in stopped (rather than the call itself failing).
fn stops_sign_in(e: &ProviderError) -> bool {
    e.kind == ErrorKind::Auth || login_challenge(e)
}

fn login_challenge(e: &ProviderError) -> bool {
    e.kind == ErrorKind::CaptchaRequired
        && e.challenge
            .as_ref()
            .is_some_and(|c| c.purpose == ChallengePurpose::Login)
}

/// A failed sign-in as the update sees it: a login captcha to show, or the reason.
fn login_problem(e: ProviderError) -> LoginProblem {
    if login_challenge(&e)
        && let Some(challenge) = e.challenge
    {
        return LoginProblem::Captcha {
            challenge: *challenge,
            message: e.message,
        };
    }
    LoginProblem::Failed(e.message)
}

/// One batch: an "apply to all" answer lasts for these jobs only.
fn enqueue(engine: &Engine, tx: &UnboundedSender<Msg>, specs: Vec<JobSpec>) {
    if let Err(e) = engine.enqueue_batch(specs) {
        let _ = tx.send(Msg::Failed {
            title: "Cannot queue".into(),
            detail: e.to_string(),
        });
    }
}

pub struct Driver {
    pub tx: UnboundedSender<Msg>,
    pub engine: Engine,
    pub book: Arc<dyn AccountBook>,
}

impl Driver {
    fn provider(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Arc<dyn Provider>, OpenFailure>> + use<> {
        let book = self.book.clone();
        let account = account.to_string();
        async move {
            if account == LOCAL {
                Ok(Arc::new(LocalFs) as Arc<dyn Provider>)
            } else {
                book.provider(&account).await
            }
        }
    }

    /// Sign in to `account` on its own (not for a listing) and say how it went.
    fn sign_in(&self, account: String) {
        let provider = self.provider(&account);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match provider.await {
                Ok(p) => p.authenticate().await.map_err(login_problem),
                Err(f) => Err(f.into()),
            };
            let _ = tx.send(Msg::Login {
                account,
                pane: None,
                result,
            });
        });
    }

    pub fn run(&self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::List {
                side,
                seq,
                account,
                folder,
                sign_in,
            } => {
                let provider = self.provider(&account);
                let heard = tx.clone();
                let scope = Arc::new(move |notice: &RetryNotice| {
                    let _ = heard.send(Msg::ListRetrying {
                        side,
                        seq,
                        host: notice.host.clone(),
                        wait_ms: notice.wait.as_millis() as u64,
                        attempt: notice.attempt,
                        of: notice.of,
                        reason: notice.reason.clone(),
                    });
                });
                tokio::spawn(retry::scoped(scope, async move {
                    let pane = Some((side, seq));
                    let login = |result| Msg::Login {
                        account: account.clone(),
                        pane,
                        result,
                    };
                    let p = match provider.await {
                        Ok(p) => p,
                        Err(f) => {
                            let _ = tx.send(login(Err(f.into())));
                            return;
                        }
                    };
                    if sign_in {
                        let signed = p.authenticate().await.map_err(login_problem);
                        let stop = signed.is_err();
                        let _ = tx.send(login(signed));
                        if stop {
                            return;
                        }
                    }
                    let pages = tx.clone();
                    let sink = move |entries: Vec<crate::provider::Entry>, restart: bool| {
                        let _ = pages.send(Msg::ListedPage {
                            side,
                            seq,
                            entries,
                            restart,
                        });
                    };
                    let msg = match p.list_pages(&folder, &sink).await {
                        Ok(entries) => Msg::Listed {
                            side,
                            seq,
                            result: Ok(entries),
                        },
                        Err(e) if account != LOCAL && stops_sign_in(&e) => {
                            login(Err(login_problem(e)))
                        }
                        Err(e) => Msg::Listed {
                            side,
                            seq,
                            result: Err(e.to_string()),
                        },
                    };
                    let _ = tx.send(msg);
                }));
            }
            Effect::SignIn { account } => self.sign_in(account),
            Effect::AnswerLogin {
                account,
                challenge,
                answer,
            } => {
                let provider = self.provider(&account);
                tokio::spawn(async move {
                    let result = match provider.await {
                        Ok(p) => p
                            .answer_challenge(&challenge, &answer)
                            .await
                            .map(drop)
                            .map_err(login_problem),
                        Err(f) => Err(f.into()),
                    };
                    let _ = tx.send(Msg::Login {
                        account,
                        pane: None,
                        result,
                    });
                });
            }
            Effect::AddAccount {
                name,
                account,
                secret,
            } => {
                let book = self.book.clone();
                tokio::spawn(async move {
                    let result = book.add_account(&name, account.clone(), secret).await;
                    let _ = tx.send(Msg::AccountSaved {
                        name,
                        account,
                        result,
                    });
                });
            }
            Effect::SetSecret { account, secret } => {
                let book = self.book.clone();
                tokio::spawn(async move {
                    let result = book.replace_secret(&account, secret).await;
                    let kept = result.is_ok();
                    let _ = tx.send(Msg::SecretSaved {
                        account: account.clone(),
                        result,
                    });
                    if !kept {
                        return;
                    }
                    let result = match book.provider(&account).await {
                        Ok(p) => p.authenticate().await.map_err(login_problem),
                        Err(f) => Err(f.into()),
                    };
                    let _ = tx.send(Msg::Login {
                        account,
                        pane: None,
                        result,
                    });
                });
            }
            // Bytes to or from a host: weighed against the accounts' quotas first.
            Effect::Enqueue(specs) if Engine::moves_bytes(&specs) => {
                let engine = self.engine.clone();
                tokio::spawn(async move {
                    let shortfalls = engine.over_quota(&specs).await;
                    if shortfalls.is_empty() {
                        enqueue(&engine, &tx, specs);
                    } else {
                        let _ = tx.send(Msg::OverQuota { specs, shortfalls });
                    }
                });
            }
            // One group: a row per host in the queue (and in `haul queue ls`).
            Effect::Mirror { items, to, force } => {
                let Some(first) = to.first() else { return };
                let first_host = self.provider(&first.account);
                let engine = self.engine.clone();
                let mirror = super::mirror::Mirror { items, to, force };
                tokio::spawn(super::mirror::run(engine, tx, mirror, first_host));
            }
            Effect::Enqueue(specs) | Effect::EnqueueAnyway(specs) => {
                enqueue(&self.engine, &tx, specs)
            }
            Effect::Job(id, op) => match op {
                JobOp::Pause => self.engine.pause(id),
                JobOp::Resume => self.engine.resume(id),
                JobOp::Cancel => self.engine.cancel(id),
                JobOp::Retry => self.engine.retry(id),
                JobOp::Shift(by) => self.engine.shift(id, by),
            },
            Effect::PauseAll => self.engine.pause_all(),
            Effect::SetBandwidth(rate) => self.engine.set_bwlimit(rate),
            Effect::ResumeAll => self.engine.resume_all(),
            Effect::ClearFinished => {
                let engine = self.engine.clone();
                tokio::spawn(async move {
                    engine.clear_finished().await;
                });
            }
            Effect::AnswerConflict(reply, answer) => {
                let _ = reply.send(answer);
            }
            Effect::AnswerCaptcha(reply, answer) => {
                let _ = reply.send(answer);
            }
            Effect::Link { account, entry } => {
                let provider = self.provider(&account);
                tokio::spawn(async move {
                    let result = match provider.await {
                        Ok(p) => p.public_link(&entry).await.map_err(|e| e.to_string()),
                        Err(f) => Err(open_failure_text(&account, f)),
                    };
                    let _ = tx.send(Msg::Link {
                        entry_id: entry.id,
                        result,
                    });
                });
            }
            Effect::Fetch { account, id, to } => {
                let provider = self.provider(&account);
                let engine = self.engine.clone();
                tokio::spawn(async move {
                    let found = match provider.await {
                        Ok(p) => p.stat(&EntryRef::file(id.clone())).await.ok(),
                        Err(_) => None,
                    };
                    // Some hosts can't describe another account's public file: go by id.
                    let (name, size, md5) = match found {
                        Some(e) => (e.name, e.size, e.md5),
                        None => (id.clone(), None, None),
                    };
                    let name = crate::sanitize::local_file_name(&name).0;
                    let from = ItemAddr {
                        shown: format!("{account}:#{id}"),
                        account,
                        id,
                        kind: crate::provider::EntryKind::File,
                        name: name.clone(),
                        size,
                        md5,
                    };
                    let spec = crate::transfer::JobSpec::Copy {
                        from,
                        to,
                        name,
                        remove_source: false,
                        follow_links: false,
                    };
                    if let Err(e) = engine.adopt_or_enqueue(spec) {
                        let _ = tx.send(Msg::Failed {
                            title: "Cannot queue".into(),
                            detail: e.to_string(),
                        });
                    }
                });
            }
            Effect::OpenUrl(url) => {
                let result = if !crate::app::is_web_url(&url) {
                    Err("only http and https links are opened".to_string())
                } else if !browser_available() {
                    Err("HAUL_NO_BROWSER is set, or there is no display".to_string())
                } else {
                    open::that_detached(&url).map_err(|e| e.to_string())
                };
                let _ = tx.send(Msg::UrlOpened { url, result });
            }
            Effect::ExportLinks {
                account,
                entries,
                shown,
            } => {
                let provider = Box::pin(self.provider(&account));
                super::uploader::export_links(tx, provider, account, entries, shown);
            }
            Effect::SetAccess {
                account,
                entries,
                access,
            } => {
                let provider = Box::pin(self.provider(&account));
                super::uploader::set_access(tx, provider, account, entries, access);
            }
            Effect::Check { account, entry } => {
                let provider = Box::pin(self.provider(&account));
                super::uploader::check(tx, provider, account, entry);
            }
            Effect::Clipboard(_) => {}
            Effect::Quit => {}
        }
    }
}

/// Whether a browser can be opened here: not with `HAUL_NO_BROWSER` set, and on Linux and
/// the BSDs only with a display (`DISPLAY`, `WAYLAND_DISPLAY`) or `BROWSER` set; without one
/// the opener would start a text browser inside this very terminal, or nothing at all.
pub fn browser_available() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("HAUL_NO_BROWSER") {
        return false;
    }
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    set("DISPLAY") || set("WAYLAND_DISPLAY") || set("BROWSER")
}

fn open_failure_text(account: &str, f: OpenFailure) -> String {
    match f {
        OpenFailure::NoSecret { env_var } => format!("no secret for {account}: set {env_var}"),
        OpenFailure::Failed(why) => why,
    }
}
