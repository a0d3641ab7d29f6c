//! `dateline saved add|list|rm` and `dateline alerts run`.

use std::io::{self, Write};
use std::path::Path;

use clap::{Args, Subcommand};
use dateline::Engine;
use dateline::state::State;

use super::output::{finish_output, thousands};
use super::search_cmd::SearchArgs;

#[derive(Debug, Subcommand)]
pub enum SavedCommand {
    /// Save a search under a name: the query, filters and order, as `dateline search` takes
    /// them.
    Add(Box<AddArgs>),
    /// List the saved searches with how many articles match each now.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a saved search (by id or name).
    Rm {
        /// Its id or its name.
        search: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Its name.
    name: String,
    /// POST its new matches as JSON to this address (alerts).
    #[arg(long, value_name = "URL")]
    webhook: Option<String>,
    #[command(flatten)]
    search: SearchArgs,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// One round: check, record the new stories (feeds, "new" counts), deliver webhooks.
    Run {
        /// Print the round's report as JSON.
        #[arg(long)]
        json: bool,
        /// Seconds before a failed webhook delivery is tried again (doubling each time).
        #[arg(long, default_value_t = 30, value_name = "SECONDS")]
        webhook_retry: u64,
    },
}

/// `dateline alerts run`.
pub fn alerts(index: &Path, state: &Path, command: AlertsCommand) -> anyhow::Result<i32> {
    let AlertsCommand::Run {
        json,
        webhook_retry,
    } = command;
    let saved = State::open(state)?;
    let engine = Engine::open(index)?;
    let checked = dateline::alerts::check(&engine, &saved)?;
    let policy = dateline::alerts::RetryPolicy {
        first_wait_secs: webhook_retry.max(1),
    };
    let delivered = dateline::alerts::deliver(&saved, policy)?;
    let mut out = io::stdout().lock();
    let printed = if json {
        let report = serde_json::json!({ "checked": checked, "webhooks": delivered });
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)
    } else {
        writeln!(
            out,
            "checked {} saved search(es) against {} new article(s): {} new stor(ies) for {} of them; webhooks: {} delivered, {} to retry, {} given up",
            thousands(checked.searches as u64),
            thousands(checked.new_articles as u64),
            thousands(checked.new_matches as u64),
            thousands(checked.searches_with_new as u64),
            delivered.delivered,
            delivered.retrying,
            delivered.given_up,
        )
        .and_then(|()| {
            checked.failed.iter().try_for_each(|(id, error)| {
                writeln!(out, "saved search {id} cannot run: {error}")
            })
        })
    };
    finish_output(printed)?;
    Ok(if checked.failed.is_empty() { 0 } else { 1 })
}

pub fn run(index: &Path, state: &Path, command: SavedCommand) -> anyhow::Result<i32> {
    let saved = State::open(state)?;
    let mut out = io::stdout().lock();
    let printed = match command {
        SavedCommand::Add(args) => {
            let json = args.search.json;
            let request = args.search.request()?;
            // A search whose query cannot run is refused now rather than failing every time.
            let engine = Engine::open(index)?;
            let total = engine.count(&request)?;
            let webhook = args
                .webhook
                .as_deref()
                .map(dateline::state::checked_webhook);
            let webhook = webhook.transpose()?;
            let added = saved.add_saved(&args.name, &request, engine.latest_stamp())?;
            if let Some(url) = &webhook {
                saved.set_webhook(added.id, Some(url))?;
            }
            let alert = saved.alert_status(added.id)?;
            if json {
                let shown = added.view(total, alert);
                writeln!(out, "{}", serde_json::to_string_pretty(&shown)?)
            } else {
                writeln!(
                    out,
                    "saved search {} `{}`: {} article(s) match now; its feed is {}",
                    added.id,
                    added.name,
                    thousands(total),
                    added.feed()
                )
            }
        }
        SavedCommand::List { json } => {
            let engine = Engine::open(index)?;
            let mut listed = Vec::new();
            for one in saved.saved()? {
                let total = engine.count(&one.request)?;
                let alert = saved.alert_status(one.id)?;
                listed.push((one, total, alert));
            }
            if json {
                let all: Vec<_> = listed
                    .iter()
                    .map(|(s, t, a)| s.view(*t, a.clone()))
                    .collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&all)?)
            } else if listed.is_empty() {
                writeln!(
                    out,
                    "no saved searches: save one with `dateline saved add NAME QUERY`"
                )
            } else {
                listed.iter().try_for_each(|(s, total, alert)| {
                    writeln!(
                        out,
                        "{:>4}  {}  `{}`  {} article(s), {} new stor(ies) found by alerts",
                        s.id,
                        s.name,
                        s.request.q,
                        thousands(*total),
                        thousands(alert.found)
                    )
                })
            }
        }
        SavedCommand::Rm { search } => {
            let found = match search.parse::<i64>() {
                Ok(id) => Some(saved.saved_search(id)?),
                Err(_) => saved.saved_named(&search)?,
            };
            let Some(found) = found else {
                anyhow::bail!("no saved search named `{search}`: `dateline saved list` shows them");
            };
            saved.remove_saved(found.id)?;
            writeln!(out, "deleted saved search {} `{}`", found.id, found.name)
        }
    };
    finish_output(printed)
}
