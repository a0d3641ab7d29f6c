//! `dateline saved add|list|rm` and `dateline history`.

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
    #[command(flatten)]
    search: SearchArgs,
}

pub fn run(index: &Path, state: &Path, command: SavedCommand) -> anyhow::Result<i32> {
    let saved = State::open(state)?;
    let mut out = io::stdout().lock();
    let printed = match command {
        SavedCommand::Add(args) => {
            let json = args.search.json;
            let request = args.search.request()?;
            // A search whose query cannot run is refused now rather than failing every time.
            let total = Engine::open(index)?.count(&request)?;
            let added = saved.add_saved(&args.name, &request)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&added.view(total))?)
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
                listed.push((one, total));
            }
            if json {
                let all: Vec<_> = listed.iter().map(|(s, t)| s.view(*t)).collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&all)?)
            } else if listed.is_empty() {
                writeln!(
                    out,
                    "no saved searches: save one with `dateline saved add NAME QUERY`"
                )
            } else {
                listed.iter().try_for_each(|(s, total)| {
                    writeln!(
                        out,
                        "{:>4}  {}  `{}`  {} article(s)",
                        s.id,
                        s.name,
                        s.request.q,
                        thousands(*total)
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
