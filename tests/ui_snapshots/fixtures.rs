//! The states the snapshots draw: panes with entries, jobs, the account picker and its forms,
//! captchas. No times, ports or temp paths appear in them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use haul::app::modal::{AccountForm, Captcha, CaptchaTarget};
use haul::app::{AccountEntry, Keymap, LoginState, Msg, State, update};
use haul::config::new_account::{AccountError, AccountField};
use haul::config::{AccountConfig, ProviderFamily};
use haul::provider::{Challenge, ChallengeKind, ChallengePurpose, Entry, EntryKind, FolderId};
use haul::transfer::{Event, JobSpec, JobState, JobView};

pub fn entry(name: &str, kind: EntryKind, size: u64, day: u32) -> Entry {
    let mut extra = BTreeMap::new();
    extra.insert("downloads".to_string(), "3".to_string());
    extra.insert("access".to_string(), "public".to_string());
    Entry {
        id: format!("id-{name}"),
        name: name.into(),
        kind,
        size: (kind == EntryKind::File).then_some(size),
        modified: Some(format!("2024-03-{day:02} 10:20:30")),
        parent: FolderId::Root,
        md5: None,
        extra,
    }
}

pub fn remote(
    name: &str,
    provider: ProviderFamily,
    base_url: &str,
    login: LoginState,
) -> AccountEntry {
    let config = AccountConfig {
        provider,
        base_url: base_url.into(),
        username: None,
        connections_per_file: None,
    };
    let mut a = AccountEntry::remote(name, &config);
    a.login = login;
    a
}

pub fn base() -> State {
    let mut s = State::new(
        vec![
            AccountEntry::local(),
            remote(
                "k2s",
                ProviderFamily::Keep2share,
                "https://k2s.example/api/v2",
                LoginState::SignedIn,
            ),
            remote(
                "ys",
                ProviderFamily::Yetishare,
                "https://ys.example/api/v2",
                LoginState::NotTried,
            ),
        ],
        "local",
        "ys",
        PathBuf::from("/home/demo/Downloads"),
        Keymap::builtin(),
    );
    s.start();
    let left = vec![
        entry("Projects", EntryKind::Folder, 0, 1),
        entry("holiday.jpg", EntryKind::File, 2_400_000, 2),
        entry("notes.txt", EntryKind::File, 1_234, 3),
        entry("report-final-final-v3.pdf", EntryKind::File, 88_000, 4),
    ];
    update(
        &mut s,
        Msg::Listed {
            side: 0,
            seq: 1,
            result: Ok(left),
        },
    );
    let right = vec![
        entry("Documents", EntryKind::Folder, 0, 5),
        entry("Music", EntryKind::Folder, 0, 6),
        entry("readme.txt", EntryKind::File, 404, 7),
        entry("evil\u{1b}[31mname.txt", EntryKind::File, 9, 8),
    ];
    update(
        &mut s,
        Msg::Listed {
            side: 1,
            seq: 1,
            result: Ok(right),
        },
    );
    s.panes[0].marks.insert("id-notes.txt".into());
    s
}

pub fn job(id: i64, name: &str, state: JobState, done: u64, total: u64) -> JobView {
    let s = base();
    let from = s.panes[0].item_addr(&entry(name, EntryKind::File, total, 1));
    JobView {
        id,
        parent: None,
        batch: id,
        spec: JobSpec::Copy {
            from,
            to: s.panes[1].folder_addr(),
            name: name.into(),
            remove_source: false,
            follow_links: false,
        },
        state,
        done,
        total: Some(total),
        speed: 0.0,
        eta: None,
    }
}

pub fn with_jobs() -> State {
    let mut s = base();
    let jobs = [
        job(1, "holiday.jpg", JobState::Running, 1_200_000, 2_400_000),
        job(2, "notes.txt", JobState::Queued, 0, 1_234),
        job(
            3,
            "report-final-final-v3.pdf",
            JobState::Failed {
                error: "host said: quota exceeded".into(),
            },
            10,
            88_000,
        ),
        job(4, "readme.txt", JobState::Done { note: None }, 404, 404),
    ];
    for j in jobs {
        update(&mut s, Msg::Engine(Event::Added(j)));
    }
    update(
        &mut s,
        Msg::Engine(Event::Progress {
            id: 1,
            done: 1_200_000,
            total: Some(2_400_000),
            speed: 512_000.0,
            eta: Some(Duration::from_secs(3)),
        }),
    );
    s
}

pub fn challenge() -> Challenge {
    Challenge {
        kind: ChallengeKind::ImageCaptcha,
        purpose: ChallengePurpose::Download {
            file_id: "f1".into(),
        },
        id: "c0ffee".into(),
        url: Some("https://k2s.example/api/v2/captcha?id=c0ffee".into()),
        image: None,
    }
}

/// The picker with every sign-in state a person can meet.
pub fn with_accounts() -> State {
    let mut s = base();
    let more = [
        remote(
            "k2s-captcha",
            ProviderFamily::Keep2share,
            "http://127.0.0.1:8800/keep2share/api/v2",
            LoginState::CaptchaWaiting,
        ),
        remote(
            "k2s-old",
            ProviderFamily::Keep2share,
            "https://keep2share.cc/api/v2",
            LoginState::Failed("logging in to keep2share.cc: Invalid login or password".into()),
        ),
        remote(
            "ken",
            ProviderFamily::Xfilesharing,
            "https://kenfiles.com/api",
            LoginState::NoSecret {
                env_var: "HAUL_SECRET_KEN".into(),
            },
        ),
    ];
    for (i, a) in more.into_iter().enumerate() {
        s.accounts.insert(2 + i, a);
    }
    s
}

/// The form part-filled, its secret typed, and the last check's complaint.
pub fn form() -> AccountForm {
    let mut f = AccountForm {
        name: "k2s-new".into(),
        base_url: "ftp://k2s.example".into(),
        username: "me@k2s.example".into(),
        secret: "hunter2-not-shown".into(),
        error: Some(AccountError::at(
            AccountField::BaseUrl,
            "must be an http or https URL, not ftp:",
        )),
        ..Default::default()
    };
    f.focus_on(AccountField::BaseUrl);
    f
}

pub fn login_captcha(
    kind: ChallengeKind,
    opened_in_browser: bool,
    image: Option<Vec<u8>>,
) -> Captcha {
    let url = match kind {
        ChallengeKind::ImageCaptcha => "https://k2s.example/api/v2/captcha?id=5b0d1ea7c4f2e",
        ChallengeKind::ReCaptcha => "https://k2s.example/api/v2/reCaptcha.html?id=5b0d1ea7c4f2e",
    };
    Captcha {
        target: CaptchaTarget::Login("k2s-captcha".into()),
        what: "signing in to k2s-captcha".into(),
        challenge: Challenge {
            kind,
            purpose: ChallengePurpose::Login,
            id: "5b0d1ea7c4f2e".into(),
            url: Some(url.into()),
            image,
        },
        message: "logging in to k2s.example: Invalid captcha code".into(),
        reply: None,
        input: "a4f".into(),
        round: 2,
        opened_in_browser,
        note: None,
    }
}
