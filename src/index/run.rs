//! Indexing whole inputs: records in, articles written, every skip and warning reported.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use crate::Result;
use crate::article::Warning;
use crate::index::{Indexer, Upsert};
use crate::ingest::{self, Input, Parsed, RecordError};

/// Something that happened while indexing, for the caller to show.
#[derive(Debug)]
pub enum Event<'a> {
    /// A record was skipped.
    Skipped(&'a RecordError),
    /// A record was indexed despite a problem.
    Warning {
        /// File name.
        file: &'a str,
        /// 1-based line.
        line: u64,
        /// The problem.
        warning: &'a Warning,
    },
    /// Another article was written.
    Indexed,
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

/// Feeds records into the indexer, counting into `report` and telling `on_event`.
pub fn index_records(
    indexer: &mut Indexer,
    records: impl Iterator<Item = std::result::Result<Parsed, RecordError>>,
    file: &str,
    report: &mut Report,
    on_event: &mut dyn FnMut(Event),
) -> Result<()> {
    for record in records {
        match record {
            Ok(parsed) => {
                for warning in &parsed.warnings {
                    report.warnings += 1;
                    on_event(Event::Warning {
                        file,
                        line: parsed.line,
                        warning,
                    });
                }
                if indexer.add(parsed.article)? == Upsert::Replaced {
                    report.replaced += 1;
                }
                report.indexed += 1;
                on_event(Event::Indexed);
            }
            Err(error) => {
                on_event(Event::Skipped(&error));
                report.skipped.push(error);
            }
        }
    }
    Ok(())
}

/// Indexes every input, then commits. `bytes_read` grows as input is consumed (for a progress
/// bar). A file that cannot be opened is a skipped record at line 0, not a fatal error.
pub fn index_inputs(
    indexer: &mut Indexer,
    inputs: &[Input],
    max_record_bytes: usize,
    bytes_read: Arc<AtomicU64>,
    on_event: &mut dyn FnMut(Event),
) -> Result<Report> {
    let started = Instant::now();
    let mut report = Report::default();
    for input in inputs {
        report.files += 1;
        match ingest::read(input, max_record_bytes, bytes_read.clone()) {
            Ok(records) => index_records(indexer, records, &input.name(), &mut report, on_event)?,
            Err(error) => {
                let error = RecordError {
                    file: input.name(),
                    line: 0,
                    reason: error.to_string(),
                };
                on_event(Event::Skipped(&error));
                report.skipped.push(error);
            }
        }
    }
    indexer.commit()?;
    report.bytes = bytes_read.load(std::sync::atomic::Ordering::Relaxed);
    report.elapsed = started.elapsed();
    Ok(report)
}
