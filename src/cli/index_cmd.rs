//! `dateline index` and `dateline demo`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use clap::Args;
use dateline::index::{Event, Report, index_inputs};
use dateline::ingest::{DEFAULT_MAX_RECORD_BYTES, DEFAULT_PAGE_TIME_LIMIT, ReadOptions, discover};
use dateline::{Indexer, IndexerOptions};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output::{human_bytes, thousands};

/// tantivy needs at least this much writer memory per thread.
const MIN_MEMORY_PER_THREAD_MB: usize = 15;

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files, directories or `-` (standard input).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Writer memory budget in MB, whatever the corpus size.
    #[arg(long, default_value_t = 256)]
    memory: usize,
    /// Indexing threads (default: the number of cores, at most 8).
    #[arg(long)]
    threads: Option<usize>,
    /// Commit after this many articles: a crash loses at most these.
    #[arg(long, default_value_t = 100_000)]
    commit_every: usize,
    /// Skip records larger than this many bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_RECORD_BYTES)]
    max_record_bytes: usize,
    /// Skip a web page (a file, a WARC record, a feed) that takes longer than this many
    /// seconds to read.
    #[arg(long, default_value_t = DEFAULT_PAGE_TIME_LIMIT.as_secs_f64())]
    page_seconds: f64,
    /// Also find people, places and organisations the gazetteer does not know, with the
    /// statistical model (English articles; about three times slower).
    #[arg(long)]
    find_new_names: bool,
    /// Do not group copies of one article into stories (every article is a story of its own,
    /// and copies indexed later cannot find it).
    #[arg(long)]
    no_stories: bool,
    /// Print only the summary and errors.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(index: &Path, corrections: Option<PathBuf>, args: IndexArgs) -> anyhow::Result<i32> {
    let mut options = IndexerOptions {
        memory_bytes: args.memory << 20,
        commit_every: args.commit_every,
        corrections,
        statistical_entities: args.find_new_names,
        stories: !args.no_stories,
        ..IndexerOptions::default()
    };
    if let Some(threads) = args.threads {
        if threads == 0 {
            bail!("`--threads 0`: use at least 1");
        }
        options.threads = threads;
    }
    // Fewer threads rather than a budget tantivy refuses.
    options.threads = options
        .threads
        .min(args.memory / MIN_MEMORY_PER_THREAD_MB)
        .max(1);
    if args.memory < MIN_MEMORY_PER_THREAD_MB {
        bail!(
            "`--memory {}` is too small: the writer needs at least {MIN_MEMORY_PER_THREAD_MB} MB",
            args.memory
        );
    }
    let found = discover(&args.paths)?;
    if !found.ignored.is_empty() {
        eprintln!(
            "note: ignored {} file(s) whose names are not of a format Dateline reads (.jsonl, .ndjson, .json, .html, .htm, .xml, .rss, .atom, .warc, .txt, optionally .gz), e.g. `{}`",
            found.ignored.len(),
            found.ignored[0].display()
        );
    }
    for (path, why) in &found.unreadable {
        eprintln!("note: cannot read `{}`: {why}", path.display());
    }
    if found.inputs.is_empty() {
        bail!("nothing to index: no files of a format Dateline reads under the given paths");
    }
    let total_bytes: Option<u64> = found.inputs.iter().map(|i| i.size()).sum();
    let mut indexer = Indexer::open(index, &options)?;
    let bar = progress_bar(total_bytes, args.quiet);
    let bytes_read = Arc::new(AtomicU64::new(0));
    let started = std::time::Instant::now();
    let mut articles = 0u64;
    let mut on_event = |event: Event| match event {
        Event::Indexed => {
            articles += 1;
            if articles.is_multiple_of(256) {
                bar.set_position(bytes_read.load(Ordering::Relaxed));
                let rate = articles as f64 / started.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!("{} articles, {rate:.0}/s", thousands(articles)));
            }
        }
        Event::Skipped(error) => bar.suspend(|| eprintln!("skipped {error}")),
        Event::Warning {
            file,
            location,
            warning,
        } => bar.suspend(|| eprintln!("warning {file}{location}: {}", warning.0)),
    };
    let report = index_inputs(
        &mut indexer,
        &found.inputs,
        &ReadOptions {
            max_record_bytes: args.max_record_bytes,
            page_time_limit: page_time_limit(args.page_seconds)?,
        },
        bytes_read.clone(),
        &mut on_event,
    )?;
    bar.finish_and_clear();
    indexer
        .finish()
        .with_context(|| format!("finishing the index in `{}`", index.display()))?;
    print_summary(&report, index);
    Ok(if report.skipped.is_empty() { 0 } else { 1 })
}

fn page_time_limit(seconds: f64) -> anyhow::Result<std::time::Duration> {
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        bail!("`--page-seconds {seconds}`: use a number of seconds above 0 and at most 86400");
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

fn progress_bar(total_bytes: Option<u64>, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    // Drawn on stderr only when it is a terminal.
    let target = ProgressDrawTarget::stderr();
    match total_bytes {
        Some(total) => {
            let bar = ProgressBar::with_draw_target(Some(total), target);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}",
                )
                .expect("valid template"),
            );
            bar
        }
        None => {
            let bar = ProgressBar::with_draw_target(None, target);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .expect("valid template"),
            );
            bar
        }
    }
}

fn print_summary(report: &Report, index: &Path) {
    eprintln!(
        "indexed {} articles ({} new, {} replaced) from {} input(s) into `{}` in {:.1} s: {:.0} articles/s, {}/s",
        thousands(report.indexed),
        thousands(report.indexed - report.replaced),
        thousands(report.replaced),
        report.files,
        index.display(),
        report.elapsed.as_secs_f64(),
        report.articles_per_second(),
        human_bytes(report.megabytes_per_second().mul_add(1e6, 0.0) as u64),
    );
    print_formats(report);
    if report.warnings > 0 {
        eprintln!(
            "{} article(s) indexed with warnings (listed above)",
            thousands(report.warnings)
        );
    }
    if !report.skipped.is_empty() {
        eprintln!(
            "skipped {} record(s):",
            thousands(report.skipped.len() as u64)
        );
        for error in report.skipped.iter().take(20) {
            eprintln!("  {error}");
        }
        if report.skipped.len() > 20 {
            eprintln!("  … and {} more, listed above", report.skipped.len() - 20);
        }
    }
}

/// One line per input format: files, records, articles, and what was skipped or passed over.
fn print_formats(report: &Report) {
    if report.formats.is_empty() {
        return;
    }
    eprintln!(
        "  {:<12} {:>7} {:>9} {:>9} {:>8}",
        "format", "files", "records", "articles", "skipped"
    );
    for (format, counts) in &report.formats {
        let name = format.map_or_else(|| "unreadable".to_string(), |f| f.to_string());
        let skipped: u64 = counts.skipped.values().sum();
        let list = |items: Vec<String>| items.join(", ");
        let skips = list(
            counts
                .skipped
                .iter()
                .map(|(kind, n)| format!("{} {}", thousands(*n), kind.label()))
                .collect(),
        );
        let passes = list(
            counts
                .passed
                .iter()
                .map(|(what, n)| format!("{} {what}", thousands(*n)))
                .collect(),
        );
        let notes = match (skips.is_empty(), passes.is_empty()) {
            (true, true) => String::new(),
            (false, true) => format!("  ({skips})"),
            (true, false) => format!("  (passed over: {passes})"),
            (false, false) => format!("  ({skips}; passed over: {passes})"),
        };
        eprintln!(
            "  {:<12} {:>7} {:>9} {:>9} {:>8}{notes}",
            name,
            thousands(counts.files),
            thousands(counts.records),
            thousands(counts.articles),
            thousands(skipped),
        );
    }
}

pub fn reindex(index: &Path, corrections: Option<PathBuf>) -> anyhow::Result<i32> {
    dateline::index::open(index)?;
    let started = std::time::Instant::now();
    let options = IndexerOptions {
        corrections,
        ..IndexerOptions::default()
    };
    let mut indexer = Indexer::open(index, &options)?;
    let bar = progress_bar(None, false);
    let count = indexer.reindex(&mut |done| {
        if done.is_multiple_of(256) {
            bar.set_message(format!("{} articles re-tagged", thousands(done)));
        }
    })?;
    bar.finish_and_clear();
    indexer.finish()?;
    eprintln!(
        "re-tagged {} articles in `{}` in {:.1} s",
        thousands(count),
        index.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

pub fn demo(index: &Path) -> anyhow::Result<i32> {
    let mut on_event = |event: Event| match event {
        Event::Skipped(error) => eprintln!("skipped {error}"),
        Event::Warning {
            file,
            location,
            warning,
        } => eprintln!("warning {file}{location}: {}", warning.0),
        Event::Indexed => {}
    };
    let report = dateline::demo::build(index, &mut on_event)?;
    let shown = index.display();
    let flag = if index == Path::new("index") {
        String::new()
    } else {
        format!(" --index {shown}")
    };
    println!(
        "Built the demo archive (fictional sample coverage): {} articles in {:.1} s into `{shown}`.",
        report.indexed,
        report.elapsed.as_secs_f64()
    );
    println!("\nTry:");
    for example in [
        "summit",
        "\"state visit\" --sort newest",
        "саммит",
        "정상회담",
        "Gipfeltreffen --language de",
        "treaty --from 2024-06-19 --to 2024-06-21 --histogram day",
        "title:Pyongyang -sanctions",
    ] {
        println!("  dateline{flag} search {example}");
    }
    println!("  dateline{flag} stats");
    Ok(if report.skipped.is_empty() { 0 } else { 1 })
}
