//! Indexing whole inputs: records in, articles written, every skip and warning reported.
//!
//! Reading and extracting (decompression, JSON, HTML readability, feeds, WARC) run on their
//! own thread, ahead of the indexing thread (language detection, entity tagging, tantivy), so
//! the two overlap on a multi-core machine.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use crate::article::Warning;
use crate::index::{Indexer, Upsert};
use crate::ingest::{
    self, Format, Input, Item, Location, Parsed, ReadOptions, RecordError, SkipKind,
};
use crate::stories::Signature;
use crate::{Error, Result};

/// How many records the reading thread may run ahead of the indexing thread.
const READ_AHEAD: usize = 256;

/// Something that happened while indexing, for the caller to show.
#[derive(Debug)]
pub enum Event<'a> {
    /// A record was skipped.
    Skipped(&'a RecordError),
    /// A record was indexed despite a problem.
    Warning {
        /// File name.
        file: &'a str,
        /// Where in the file.
        location: Location,
        /// The problem.
        warning: &'a Warning,
    },
    /// Another article was written.
    Indexed,
}

/// What happened to the records of one format.
#[derive(Debug, Default, Clone)]
pub struct FormatCounts {
    /// Files read in this format.
    pub files: u64,
    /// Records found: articles, skipped and passed.
    pub records: u64,
    /// Articles indexed.
    pub articles: u64,
    /// Records skipped, by reason.
    pub skipped: BTreeMap<SkipKind, u64>,
    /// Records that are rightly not articles (WARC requests, 404 pages), by what they are.
    pub passed: BTreeMap<&'static str, u64>,
}

impl FormatCounts {
    fn add(&mut self, other: &FormatCounts) {
        self.files += other.files;
        self.records += other.records;
        self.articles += other.articles;
        for (kind, n) in &other.skipped {
            *self.skipped.entry(*kind).or_default() += n;
        }
        for (what, n) in &other.passed {
            *self.passed.entry(what).or_default() += n;
        }
    }
}

/// Where the time of a run went.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    /// Reading, decompressing and extracting articles (the reading thread's busy time).
    pub extraction: Duration,
    /// Language detection and entity tagging.
    pub analysis: Duration,
    /// tantivy: tokenising, stemming, writing, committing (the rest of the indexing thread).
    pub indexing: Duration,
}

/// What an indexing run did.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Articles written (new plus replaced).
    pub indexed: u64,
    /// Of those, how many replaced an article with the same id.
    pub replaced: u64,
    /// Records that could not be indexed.
    pub skipped: Vec<RecordError>,
    /// Records indexed with a warning.
    pub warnings: u64,
    /// Inputs read.
    pub files: u64,
    /// Bytes read from the inputs (compressed size for gzip).
    pub bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Counts per input format; `None` for files that could not be read as any format.
    pub formats: BTreeMap<Option<Format>, FormatCounts>,
    /// Where the time went.
    pub timings: Timings,
}

impl Report {
    /// Articles per second.
    pub fn articles_per_second(&self) -> f64 {
        self.indexed as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Megabytes (10^6 bytes) read per second.
    pub fn megabytes_per_second(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Indexes one item (with its text signature when the reading thread computed it), counting
/// it into `report` and `counts` and telling `on_event`.
fn index_item(
    indexer: &mut Indexer,
    item: Item,
    signature: Option<Signature>,
    file: &str,
    report: &mut Report,
    counts: &mut FormatCounts,
    on_event: &mut dyn FnMut(Event),
) -> Result<()> {
    counts.records += 1;
    match item {
        Item::Article(parsed) => {
            for warning in &parsed.warnings {
                report.warnings += 1;
                on_event(Event::Warning {
                    file,
                    location: parsed.location,
                    warning,
                });
            }
            let upsert = match indexer.add_signed(parsed.article, signature) {
                Ok(upsert) => upsert,
                Err(failed @ Error::AnalysisFailed { .. }) => {
                    let error = RecordError {
                        file: file.to_string(),
                        location: parsed.location,
                        kind: SkipKind::Failed,
                        reason: failed.to_string(),
                    };
                    skip(error, report, counts, on_event);
                    return Ok(());
                }
                Err(other) => return Err(other),
            };
            if upsert == Upsert::Replaced {
                report.replaced += 1;
            }
            report.indexed += 1;
            counts.articles += 1;
            on_event(Event::Indexed);
        }
        Item::Skipped(error) => skip(error, report, counts, on_event),
        Item::Passed(what) => *counts.passed.entry(what).or_default() += 1,
    }
    Ok(())
}

/// Counts a skipped record and tells `on_event`.
fn skip(
    error: RecordError,
    report: &mut Report,
    counts: &mut FormatCounts,
    on_event: &mut dyn FnMut(Event),
) {
    *counts.skipped.entry(error.kind).or_default() += 1;
    on_event(Event::Skipped(&error));
    report.skipped.push(error);
}

/// Feeds records of one stream into the indexer, counting into `report` and telling
/// `on_event`. (No thread: for articles already in memory.)
pub fn index_records(
    indexer: &mut Indexer,
    records: impl Iterator<Item = std::result::Result<Parsed, RecordError>>,
    file: &str,
    report: &mut Report,
    on_event: &mut dyn FnMut(Event),
) -> Result<()> {
    let mut counts = FormatCounts::default();
    for record in records {
        let item = match record {
            Ok(parsed) => Item::Article(parsed),
            Err(error) => Item::Skipped(error),
        };
        index_item(indexer, item, None, file, report, &mut counts, on_event)?;
    }
    Ok(())
}

/// What the reading thread sends. Nearly every message is an `Item`, so the size difference
/// between the variants costs nothing.
#[allow(clippy::large_enum_variant)]
enum Message {
    /// An item of input `usize`, with its article's text signature when stories are on.
    Item(usize, Item, Option<Signature>),
    /// An input is read: as what format, or why it could not be.
    Finished(std::result::Result<Format, RecordError>),
}

/// Indexes every input, then commits. `bytes_read` grows as input is consumed (for a progress
/// bar). A file that cannot be opened or is not text is a skipped record, not a fatal error.
pub fn index_inputs(
    indexer: &mut Indexer,
    inputs: &[Input],
    options: &ReadOptions,
    bytes_read: Arc<AtomicU64>,
    on_event: &mut dyn FnMut(Event),
) -> Result<Report> {
    let started = Instant::now();
    let analysis_before = indexer.analysis_time();
    let mut report = Report::default();
    let names: Vec<String> = inputs.iter().map(Input::name).collect();
    let mut busy = Duration::ZERO;
    let extraction = std::thread::scope(|scope| -> Result<Duration> {
        let (sender, receiver) = sync_channel::<Message>(READ_AHEAD);
        let bytes = bytes_read.clone();
        // Signatures are a function of the text alone: the reading thread computes them, off
        // the indexing thread's path.
        let sign = indexer.finds_stories();
        let reader = scope.spawn(move || {
            let thread_started = Instant::now();
            let mut waiting = Duration::ZERO;
            for (i, input) in inputs.iter().enumerate() {
                let mut send = |message: Message| {
                    let before = Instant::now();
                    let sent = sender.send(message).is_ok();
                    waiting += before.elapsed();
                    sent
                };
                let result = ingest::read(input, options, bytes.clone(), &mut |item| {
                    let signature = match &item {
                        Item::Article(parsed) if sign => Some(Signature::of(&parsed.article.body)),
                        _ => None,
                    };
                    send(Message::Item(i, item, signature))
                });
                if !send(Message::Finished(result)) {
                    break;
                }
            }
            thread_started.elapsed().saturating_sub(waiting)
        });
        let mut counts = FormatCounts::default();
        for message in receiver {
            match message {
                Message::Item(i, item, signature) => {
                    let before = Instant::now();
                    index_item(
                        indexer,
                        item,
                        signature,
                        &names[i],
                        &mut report,
                        &mut counts,
                        on_event,
                    )?;
                    busy += before.elapsed();
                }
                Message::Finished(result) => {
                    report.files += 1;
                    let format = match result {
                        Ok(format) => Some(format),
                        Err(error) => {
                            index_item(
                                indexer,
                                Item::Skipped(error),
                                None,
                                "",
                                &mut report,
                                &mut counts,
                                on_event,
                            )?;
                            None
                        }
                    };
                    counts.files = 1;
                    report
                        .formats
                        .entry(format)
                        .or_default()
                        .add(&std::mem::take(&mut counts));
                }
            }
        }
        Ok(reader.join().expect("the reading thread does not panic"))
    })?;
    let before = Instant::now();
    indexer.commit()?;
    busy += before.elapsed();
    report.bytes = bytes_read.load(Ordering::Relaxed);
    report.elapsed = started.elapsed();
    let analysis = indexer.analysis_time() - analysis_before;
    report.timings = Timings {
        extraction,
        analysis,
        indexing: busy.saturating_sub(analysis),
    };
    Ok(report)
}
