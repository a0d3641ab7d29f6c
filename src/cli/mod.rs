//! Flags in, validated configs out, results printed, exit codes returned.
//!
//! Exit codes: 0 success; 1 `index` skipped some records; 2 a fatal error (bad flags, unreadable
//! index, query syntax error).

mod index_cmd;
mod output;
mod search_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Full-text search for news archives.
#[derive(Debug, Parser)]
#[command(name = "dateline", version, about, propagate_version = true)]
pub struct Cli {
    /// Index directory.
    #[arg(long, global = true, env = "DATELINE_INDEX", default_value = "index")]
    index: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Index articles from JSON Lines files (.jsonl, .ndjson, optionally .gz), directories
    /// (recursively) or `-` for standard input.
    Index(index_cmd::IndexArgs),
    /// Search the index.
    Search(search_cmd::SearchArgs),
    /// Show what the index holds.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build the bundled demo archive into the index directory and show example searches.
    Demo,
}

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Index(args) => index_cmd::run(&cli.index, args),
        Command::Search(args) => search_cmd::run(&cli.index, args),
        Command::Stats { json } => search_cmd::stats(&cli.index, json),
        Command::Demo => index_cmd::demo(&cli.index),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dateline: {err:#}");
            2
        }
    }
}
