//! `haul link [-r] [--format FORMAT] ACCOUNT:PATH...`: the public links of many files at once,
//! one line each (or one JSON array), for forums, pages and scripts.

use super::picked::{Failures, Folders, Picked, by_account, pick};
use super::{CliError, CliResult, Context, output};
use crate::app::links::{LinkItem, render};

pub async fn run(ctx: &Context, targets: &[String], recursive: bool, format: &str) -> CliResult {
    let format = ctx
        .links()
        .format(format)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let folders = if recursive {
        Folders::Expand
    } else {
        Folders::Keep
    };
    let picked = pick(ctx, targets, folders, false).await?;
    let mut items: Vec<Option<LinkItem>> = vec![None; picked.len()];
    let mut failed = Failures::default();
    for (account, indexes) in by_account(&picked) {
        let provider = ctx.provider(&account).await?;
        let (indexes, entries): (Vec<usize>, Vec<_>) = indexes
            .iter()
            .filter_map(|&i| Some((i, picked[i].entry.clone()?)))
            .unzip();
        let links = provider
            .public_links(&entries)
            .await
            .map_err(|e| e.context(&account))?;
        for (&i, link) in indexes.iter().zip(links) {
            match link
                .map_err(|e| e.message)
                .and_then(|url| item(&picked[i], &url))
            {
                Ok(item) => items[i] = Some(item),
                Err(why) => failed.note(&picked[i].shown, &why),
            }
        }
    }
    let items: Vec<LinkItem> = items.into_iter().flatten().collect();
    if !items.is_empty() {
        output::line(render(&format, &items))?;
    }
    failed.finish(picked.len(), |n| {
        format!("{n} of {} entries have no link", picked.len())
    })
}

fn item(p: &Picked, url: &str) -> Result<LinkItem, String> {
    let size = p.entry.as_ref().and_then(|e| e.size);
    LinkItem::new(&p.shown, url, p.name(), size, &p.account)
}
