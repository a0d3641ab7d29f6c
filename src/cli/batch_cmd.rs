//! `dateline batch FILE`: a list of terms or names, each counted against the archive.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use dateline::Engine;
use dateline::search::{
    BATCH_CSV_HEADER, ExportFormat, SearchRequest, TermsAs, batch_csv_fields, batch_terms,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output::{finish_output, thousands};
use super::search_cmd::Filters;

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The list: one term a line, or a CSV file with `--column`; `-` for standard input.
    file: PathBuf,
    /// Read each line as a query (`putin w/5 kim`) or as a name matched as the exact phrase.
    #[arg(long = "as", value_enum, default_value_t = TermsAs::Query)]
    read_as: TermsAs,
    /// The file is CSV with a header row: take the terms from this column.
    #[arg(long, value_name = "NAME")]
    column: Option<String>,
    #[command(flatten)]
    filters: Filters,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    format: ExportFormat,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(index: &Path, args: BatchArgs) -> anyhow::Result<i32> {
    let mut text = String::new();
    if args.file.as_os_str() == "-" {
        io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(&args.file)
            .map_err(|e| anyhow::anyhow!("cannot read the list `{}`: {e}", args.file.display()))?;
    }
    let terms = batch_terms(&text, args.column.as_deref())?;
    let mut base = SearchRequest::default();
    args.filters.apply(&mut base);
    let engine = Engine::open(index)?;
    let progress = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(terms.len() as u64), ProgressDrawTarget::stderr())
    };
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} terms, {per_sec}",
        )
        .expect("valid template"),
    );
    let mut failed = 0;
    let mut count = |row: &dateline::search::BatchRow| {
        failed += usize::from(row.error.is_some());
        progress.inc(1);
    };
    let written = match args.format {
        ExportFormat::Ndjson => (|| -> io::Result<()> {
            let mut out = io::BufWriter::new(io::stdout().lock());
            for term in &terms {
                let row = engine.batch_row(term, &base, args.read_as);
                count(&row);
                serde_json::to_writer(&mut out, &row)?;
                out.write_all(b"\n")?;
            }
            out.flush()
        })(),
        ExportFormat::Csv => (|| -> io::Result<()> {
            let mut out = csv::Writer::from_writer(io::stdout().lock());
            out.write_record(BATCH_CSV_HEADER)?;
            for term in &terms {
                let row = engine.batch_row(term, &base, args.read_as);
                count(&row);
                out.write_record(batch_csv_fields(&row))?;
            }
            out.flush()
        })(),
    };
    progress.finish_and_clear();
    if written.is_ok() {
        eprintln!(
            "counted {} term(s); {} could not run (their `error` says why)",
            thousands(terms.len() as u64),
            thousands(failed as u64)
        );
    }
    finish_output(written)
}
