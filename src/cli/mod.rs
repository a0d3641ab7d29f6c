//! Flags in, validated configs out, results printed, exit codes returned.
//!
//! Exit codes: 0 success; 1 `index` skipped some records; 2 a fatal error (bad flags, unreadable
//! index, query syntax error).

mod batch_cmd;
mod entities_cmd;
mod index_cmd;
mod output;
mod saved_cmd;
mod search_cmd;
mod serve_cmd;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Full-text search for news archives.
#[derive(Debug, Parser)]
#[command(name = "dateline", version, about, propagate_version = true)]
pub struct Cli {
    /// Index directory.
    #[arg(long, global = true, env = "DATELINE_INDEX", default_value = "index")]
    index: PathBuf,
    /// Your entity corrections file (merge, rename, never, retype, add; see README), applied
    /// when indexing, re-indexing and tagging.
    #[arg(long, global = true, env = "DATELINE_CORRECTIONS")]
    corrections: Option<PathBuf>,
    /// The state database (saved searches, history); default: `dateline.db` in the index
    /// directory.
    #[arg(long, global = true, env = "DATELINE_STATE")]
    state: Option<PathBuf>,
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
    /// Export every article matching a search (no result cap) as NDJSON or CSV on stdout.
    Export(search_cmd::ExportArgs),
    /// Count a list of terms or names (one a line, or a CSV column): articles, stories, first
    /// and last date, top outlets of each, as CSV or NDJSON on stdout.
    Batch(batch_cmd::BatchArgs),
    /// Show a story: every version in time order, its outlet, how long after the first it
    /// ran, and what it changed against the first.
    Story {
        /// The story id (16 hex digits, as search results give it).
        id: String,
        /// Print the `/api/stories/{id}` JSON.
        #[arg(long)]
        json: bool,
    },
    /// Other stories on the subject of an article (not copies of it), best first.
    Similar {
        /// The article id.
        id: String,
        /// How many stories, at most (1 to 50).
        #[arg(long, default_value_t = 10)]
        size: usize,
        /// Print the `/api/articles/{id}/similar` JSON.
        #[arg(long)]
        json: bool,
    },
    /// Saved searches: add, list, rm.
    #[command(subcommand)]
    Saved(saved_cmd::SavedCommand),
    /// Alerts: check every saved search against the articles indexed since its last check
    /// and deliver the webhooks due (for cron; `dateline serve` does it after every commit).
    #[command(subcommand)]
    Alerts(saved_cmd::AlertsCommand),
    /// Re-tag every article of the index from its stored text (after editing the corrections
    /// file), without re-reading the source files.
    Reindex,
    /// Tag people, places and organisations in JSON Lines `{"id","text"}` (or plain text),
    /// printing `{"id","spans":[{"start","end","label","text","entity"}]}` per input (offsets in
    /// characters).
    Tag {
        /// Files (default: standard input).
        paths: Vec<PathBuf>,
    },
    /// Score entity tagging against CoNLL-style gold files (PER/LOC/ORG, exact spans).
    EvalEntities {
        /// Gold files: `token TAG` per line, BIO or IO tags.
        #[arg(required = true)]
        gold: Vec<PathBuf>,
    },
    /// Train the statistical entity tagger on CoNLL-style gold files (GUM's training split:
    /// never its dev split, which is for evaluation).
    TrainEntities {
        /// Training files.
        #[arg(required = true)]
        gold: Vec<PathBuf>,
        /// Passes over the data.
        #[arg(long, default_value_t = 8)]
        epochs: usize,
        /// Where to write the model.
        #[arg(long, default_value = "data/entities/model.bin.gz")]
        out: PathBuf,
    },
    /// Serve the JSON API and the web front end.
    Serve {
        /// Address to listen on (loopback by default; 0.0.0.0:PORT serves other machines too).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Let pages from this origin call the API (CORS is off by default).
        #[arg(long)]
        cors: Option<String>,
        /// Also answer requests addressed to this host name (repeat for several). IP addresses
        /// and `localhost` are always answered; other names are refused, against DNS rebinding.
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_hosts: Vec<String>,
        #[command(flatten)]
        alerts: serve_cmd::AlertArgs,
    },
    /// Build the bundled demo archive into the index directory, then serve it.
    Demo {
        /// Address to serve on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Only build the archive and print example searches.
        #[arg(long)]
        no_serve: bool,
    },
}

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let state = cli
        .state
        .clone()
        .unwrap_or_else(|| dateline::state::State::path_for(&cli.index));
    let result = match cli.command {
        Command::Saved(command) => saved_cmd::run(&cli.index, &state, command),
        Command::Alerts(command) => saved_cmd::alerts(&cli.index, &state, command),
        Command::Index(args) => index_cmd::run(&cli.index, cli.corrections, args),
        Command::Reindex => index_cmd::reindex(&cli.index, cli.corrections),
        Command::Search(args) => search_cmd::run(&cli.index, args),
        Command::Stats { json } => search_cmd::stats(&cli.index, json),
        Command::Story { id, json } => search_cmd::story(&cli.index, &id, json),
        Command::Similar { id, size, json } => search_cmd::similar(&cli.index, &id, size, json),
        Command::Export(args) => search_cmd::export(&cli.index, args),
        Command::Batch(args) => batch_cmd::run(&cli.index, args),
        Command::Tag { paths } => entities_cmd::tag(&paths, cli.corrections.as_deref()),
        Command::EvalEntities { gold } => entities_cmd::eval(&gold),
        Command::TrainEntities { gold, epochs, out } => entities_cmd::train(&gold, epochs, &out),
        Command::Serve {
            addr,
            cors,
            allow_hosts,
            alerts,
        } => serve_cmd::serve(
            &cli.index,
            &state,
            addr,
            cors.as_deref(),
            allow_hosts,
            alerts,
        ),
        Command::Demo { addr, no_serve } => index_cmd::demo(&cli.index).and_then(|code| {
            if no_serve {
                Ok(code)
            } else {
                println!();
                serve_cmd::serve(
                    &cli.index,
                    &state,
                    addr,
                    None,
                    Vec::new(),
                    serve_cmd::AlertArgs::default(),
                )
            }
        }),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dateline: {err:#}");
            2
        }
    }
}
