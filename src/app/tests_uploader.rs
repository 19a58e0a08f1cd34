//! The uploader's keys in the TUI: link export, access, checking a file again, and the
//! new-account form's site presets.

use crossterm::event::KeyCode;

use super::links::LinkItem;
use super::modal::Modal;
use super::tests::{key, state};
use super::*;
use crate::config::ProviderFamily;
use crate::config::new_account::AccountField;

/// The right pane (on `ys`) focused, with `r.bin` and a second file, both marked.
fn two_marked() -> State {
    let mut s = state();
    s.focus = 1;
    let seq = s.panes[1].begin_listing();
    let entries = vec![
        tests::entry("r.bin", crate::provider::EntryKind::File, 5),
        tests::entry("x[1].zip", crate::provider::EntryKind::File, 2048),
    ];
    update(
        &mut s,
        Msg::Listed {
            side: 1,
            seq,
            result: Ok(entries),
        },
    );
    key(&mut s, KeyCode::Char(' '));
    key(&mut s, KeyCode::Char(' '));
    s
}

fn export(s: &State) -> &modal::LinkExport {
    match s.modals.last() {
        Some(Modal::Export(e)) => e,
        _ => panic!("the export is not on top"),
    }
}

#[test]
fn export_asks_for_the_marked_links_and_copies_them_in_the_chosen_format() {
    let mut s = two_marked();
    let fx = key(&mut s, KeyCode::Char('E'));
    let [
        Effect::ExportLinks {
            account,
            entries,
            shown,
        },
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(account, "ys");
    assert_eq!(entries.len(), 2);
    assert_eq!(shown, &["ys:/r.bin", "ys:/x[1].zip"]);
    // Nothing to copy before the host answers.
    assert!(key(&mut s, KeyCode::Char('c')).is_empty());
    let items = vec![
        LinkItem::new(
            "ys:/r.bin",
            "https://ys.example/1/r.bin",
            "r.bin",
            Some(5),
            "ys",
        ),
        LinkItem::new(
            "ys:/x[1].zip",
            "https://ys.example/2",
            "x[1].zip",
            Some(2048),
            "ys",
        ),
    ];
    update(
        &mut s,
        Msg::Links {
            account: "ys".into(),
            result: Ok(items),
        },
    );
    assert_eq!(export(&s).formats[export(&s).choice], "plain");
    key(&mut s, KeyCode::Right);
    key(&mut s, KeyCode::Right);
    assert_eq!(export(&s).formats[export(&s).choice], "bbcode");
    let fx = key(&mut s, KeyCode::Char('c'));
    let [Effect::Clipboard(text)] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(
        text,
        "[url=https://ys.example/1/r.bin]r.bin[/url] (5 B)\n[url=https://ys.example/2]x\u{ff3b}1\u{ff3d}.zip[/url] (2.0 KiB)"
    );
    assert!(s.status.as_deref().unwrap().contains("2 links copied"));
    key(&mut s, KeyCode::Left);
    key(&mut s, KeyCode::Left);
    key(&mut s, KeyCode::Left);
    assert_eq!(
        export(&s).formats[export(&s).choice],
        "json",
        "choices wrap"
    );
    key(&mut s, KeyCode::Esc);
    assert!(s.modals.is_empty());
}

#[test]
fn export_formats_include_the_configs_and_follow_the_keymap() {
    let mut s = two_marked();
    s.link_formats =
        crate::config::Config::parse("[links.formats]\nforum = \"{name}: {link}\"\n", "c.toml")
            .unwrap()
            .links;
    let mut overrides = keymap::Overrides::new();
    overrides
        .entry("panes".into())
        .or_default()
        .insert("export_links".into(), vec!["Ctrl-e".into()]);
    s.keymap = Keymap::load(&overrides, "c.toml").unwrap();
    assert!(key(&mut s, KeyCode::Char('E')).is_empty());
    assert_eq!(tests::ctrl(&mut s, 'e').len(), 1);
    assert_eq!(export(&s).formats.last().map(String::as_str), Some("forum"));
    update(
        &mut s,
        Msg::Links {
            account: "ys".into(),
            result: Err("signing in failed".into()),
        },
    );
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert_eq!(s.status.as_deref(), Some("signing in failed"));
    // On the local disk there are no links to export.
    key(&mut s, KeyCode::Esc);
    s.focus = 0;
    assert!(tests::ctrl(&mut s, 'e').is_empty());
    assert!(s.modals.is_empty());
}

#[test]
fn access_is_picked_then_set_and_the_pane_lists_again() {
    let mut s = two_marked();
    assert!(key(&mut s, KeyCode::Char('A')).is_empty());
    key(&mut s, KeyCode::Right);
    let fx = key(&mut s, KeyCode::Enter);
    let [
        Effect::SetAccess {
            account,
            entries,
            access,
        },
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!((account.as_str(), *access), ("ys", Access::Private));
    assert_eq!(entries[1].0, "x[1].zip");
    assert!(s.modals.is_empty());
    assert!(s.panes[1].marks.is_empty());
    update(
        &mut s,
        Msg::AccessSet {
            account: "ys".into(),
            access: Access::Private,
            result: Ok(vec![
                ("r.bin".into(), Ok(())),
                (
                    "x[1].zip".into(),
                    Err("the host's API can't change a file's access".into()),
                ),
            ]),
        },
    );
    let status = s.status.clone().unwrap();
    assert_eq!(
        status,
        "ys: 1 of 2 made private; x[1].zip: the host's API can't change a file's access"
    );
    assert!(s.stale[1], "the pane on the account lists again");
    key(&mut s, KeyCode::Char('A'));
    key(&mut s, KeyCode::Esc);
    assert!(s.modals.is_empty());
}

#[test]
fn c_in_the_info_view_asks_the_host_and_the_badge_follows() {
    let mut s = two_marked();
    let fx = key(&mut s, KeyCode::Char('i'));
    assert!(matches!(&fx[..], [Effect::Link { .. }]), "{fx:?}");
    let id = match s.modals.last() {
        Some(Modal::Info { entry, .. }) => entry.id.clone(),
        _ => panic!("no info"),
    };
    let fx = key(&mut s, KeyCode::Char('c'));
    let [Effect::Check { account, entry }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!((account.as_str(), entry.id.as_str()), ("ys", id.as_str()));
    assert!(matches!(
        s.modals.last(),
        Some(Modal::Info {
            health: Some(None),
            ..
        })
    ));
    update(
        &mut s,
        Msg::Checked {
            account: "ys".into(),
            entry_id: id.clone(),
            result: Ok(Availability::Deleted),
        },
    );
    assert!(matches!(
        s.modals.last(),
        Some(Modal::Info {
            health: Some(Some(Ok(Availability::Deleted))),
            ..
        })
    ));
    let listed = s.panes[1].entries.iter().find(|e| e.id == id).unwrap();
    assert_eq!(listed.availability(), Some(Availability::Deleted));
    // `y` copies the link once it is there; `c` no longer does.
    update(
        &mut s,
        Msg::Link {
            entry_id: id,
            result: Ok("https://ys.example/1".into()),
        },
    );
    let fx = key(&mut s, KeyCode::Char('y'));
    assert!(matches!(&fx[..], [Effect::Clipboard(url)] if url == "https://ys.example/1"));
    key(&mut s, KeyCode::Char('q'));
    assert!(s.modals.is_empty());
}

#[test]
fn the_new_account_form_offers_the_known_sites() {
    let mut s = state();
    key(&mut s, KeyCode::Char('a'));
    key(&mut s, KeyCode::Char('n'));
    key(&mut s, KeyCode::Tab);
    let form = |s: &State| match s.modals.last() {
        Some(Modal::AccountForm(f)) => (
            f.field(),
            f.site().map(|s| s.host.clone()),
            f.provider(),
            f.base_url.value().to_string(),
        ),
        _ => panic!("no form"),
    };
    assert_eq!(form(&s).0, AccountField::Site);
    key(&mut s, KeyCode::Right);
    let first = &crate::config::sites::sites()[0];
    assert_eq!(form(&s).1.as_deref(), Some(first.host.as_str()));
    assert_eq!(form(&s).2, first.provider);
    assert_eq!(form(&s).3, first.base_url);
    // Back around to "another site", then to the last one: an XFileSharing site.
    key(&mut s, KeyCode::Left);
    assert_eq!(form(&s).1, None);
    key(&mut s, KeyCode::Left);
    assert_eq!(form(&s).2, ProviderFamily::Xfilesharing);
}

#[test]
fn a_batch_over_quota_asks_before_it_is_queued() {
    let mut s = two_marked();
    let fx = key(&mut s, KeyCode::F(5));
    let [Effect::Enqueue(specs)] = &fx[..] else {
        panic!("{fx:?}")
    };
    let specs = specs.clone();
    // The driver's preflight finds it too large: a modal, nothing queued yet.
    let short = vec!["48.0 GiB queued, 30.0 GiB of traffic left on ys".to_string()];
    let over = |s: &mut State| {
        update(
            s,
            Msg::OverQuota {
                specs: specs.clone(),
                shortfalls: short.clone(),
            },
        )
    };
    assert!(over(&mut s).is_empty());
    match s.modals.last() {
        Some(Modal::Confirm { message, .. }) => {
            assert!(
                message.contains("30.0 GiB of traffic left on ys"),
                "{message}"
            );
            assert!(message.contains("Start anyway?"), "{message}");
        }
        _ => panic!("no question"),
    }
    // Cancel: gone, nothing queued.
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    assert!(s.modals.is_empty());
    // Continue: queued as it was, without asking the quotas again.
    over(&mut s);
    let fx = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&fx[..], [Effect::EnqueueAnyway(v)] if *v == specs),
        "{fx:?}"
    );
    assert!(s.modals.is_empty());
}

#[test]
fn a_file_fetched_by_link_is_weighed_like_every_batch() {
    let mut s = two_marked();
    key(&mut s, KeyCode::Char('L'));
    for c in "https://host.example/file/abc123/".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let fx = key(&mut s, KeyCode::Enter);
    let [Effect::Fetch { account, id, to }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!((account.as_str(), id.as_str()), ("ys", "abc123"));
    assert!(to.is_local(), "into the other pane: {to:?}");
    // The driver looked it up: it starts as every batch does, with the quota preflight...
    let spec = crate::transfer::JobSpec::Copy {
        from: crate::transfer::ItemAddr {
            account: "ys".into(),
            id: "abc123".into(),
            kind: crate::provider::EntryKind::File,
            name: "big.iso".into(),
            size: Some(48 << 30),
            md5: None,
            shown: "ys:#abc123".into(),
        },
        to: to.clone(),
        name: "big.iso".into(),
        remove_source: false,
        follow_links: false,
    };
    let fx = update(&mut s, Msg::FetchLookedUp(spec.clone()));
    assert!(
        matches!(&fx[..], [Effect::Enqueue(v)] if *v == [spec.clone()]),
        "{fx:?}"
    );
    // ...so a shortfall asks, and going on queues it as it was.
    update(
        &mut s,
        Msg::OverQuota {
            specs: vec![spec.clone()],
            shortfalls: vec!["48.0 GiB queued, 30.0 GiB of traffic left on ys".into()],
        },
    );
    assert!(
        matches!(s.modals.last(), Some(Modal::Confirm { message, .. })
        if message.contains("30.0 GiB of traffic left on ys")),
        "no question"
    );
    let fx = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&fx[..], [Effect::EnqueueAnyway(v)] if *v == [spec.clone()]),
        "{fx:?}"
    );
}

#[test]
fn mirror_picks_several_accounts_and_queues_one_group() {
    let mut s = state();
    for (name, family) in [
        ("k2s", ProviderFamily::Keep2share),
        ("xfs", ProviderFamily::Xfilesharing),
    ] {
        s.accounts.push(tests::account(name, family));
    }
    // The local pane: a.txt marked (the cursor starts on Docs).
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Char(' '));
    assert!(key(&mut s, KeyCode::Char('M')).is_empty());
    let shown = |s: &State| match s.modals.last() {
        Some(Modal::Mirror(p)) => p
            .targets
            .iter()
            .map(|(to, on)| format!("{}{}", to.shown, if *on { "*" } else { "" }))
            .collect::<Vec<_>>(),
        _ => panic!("no mirror picker"),
    };
    // Every other account, local excluded; the other pane's account into its folder.
    assert_eq!(shown(&s), ["ys:/", "k2s:/", "xfs:/"]);
    // Nothing ticked: Enter says so and stays.
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(matches!(s.modals.last(), Some(Modal::Mirror(_))));
    key(&mut s, KeyCode::Char(' '));
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Char(' '));
    assert_eq!(shown(&s), ["ys:/*", "k2s:/", "xfs:/*"]);
    let fx = key(&mut s, KeyCode::Enter);
    let [Effect::Mirror { items, to, force }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].name, "a.txt");
    let accounts: Vec<&str> = to.iter().map(|t| t.account.as_str()).collect();
    assert_eq!(accounts, ["ys", "xfs"]);
    assert!(!force, "the quotas are weighed first");
    assert!(s.modals.is_empty());
    assert!(s.show_queue, "the group shows in the queue view");
    // The driver queues a row per host as one batch and names it: the rows say so.
    for (id, to) in [(7, &to[0]), (8, &to[1])] {
        let view = crate::transfer::JobView {
            id,
            parent: None,
            batch: 7,
            spec: crate::transfer::JobSpec::Copy {
                from: items[0].clone(),
                to: to.clone(),
                name: "a.txt".into(),
                remove_source: false,
                follow_links: false,
            },
            state: crate::transfer::JobState::Queued,
            done: 0,
            total: None,
            speed: 0.0,
            eta: None,
        };
        update(&mut s, Msg::Engine(crate::transfer::Event::Added(view)));
    }
    update(
        &mut s,
        Msg::Grouped {
            batch: 7,
            name: "mirror #7".into(),
        },
    );
    // Over quota, the driver asks back; going on mirrors it as asked, without weighing again.
    update(
        &mut s,
        Msg::MirrorOverQuota {
            items: items.clone(),
            to: to.clone(),
            shortfalls: vec!["1.0 KiB queued, 10 B of storage left on xfs".into()],
        },
    );
    assert!(
        matches!(s.modals.last(), Some(Modal::Confirm { message, .. })
        if message.contains("10 B of storage left on xfs"))
    );
    let again = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&again[..], [Effect::Mirror { force: true, to: t, .. }] if t == to),
        "{again:?}"
    );
    let titles: Vec<String> = s.queue.rows.iter().map(|r| s.queue.row_title(r)).collect();
    assert_eq!(
        titles,
        [
            "[mirror #7] upload a.txt -> ys:/",
            "[mirror #7] upload a.txt -> xfs:/"
        ]
    );
}
