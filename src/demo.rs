//! The bundled demo archive: fictional sample coverage of a summit, written by the Dateline
//! team (see `demo/README.md`). It is compiled into the binary so `dateline demo` works from
//! any directory.

use std::path::Path;

use crate::index::{Event, Indexer, IndexerOptions, Report, index_records};
use crate::ingest::{DEFAULT_MAX_RECORD_BYTES, JsonlReader};
use crate::{Error, Result};

/// File that marks an index directory as built by `dateline demo`, so it may be rebuilt.
pub const MARKER: &str = ".dateline-demo";

/// The archive's files: name and JSON Lines text.
pub const FILES: [(&str, &str); 8] = [
    ("demo/en.jsonl", include_str!("../demo/en.jsonl")),
    ("demo/ru.jsonl", include_str!("../demo/ru.jsonl")),
    ("demo/ko.jsonl", include_str!("../demo/ko.jsonl")),
    ("demo/ja.jsonl", include_str!("../demo/ja.jsonl")),
    ("demo/de.jsonl", include_str!("../demo/de.jsonl")),
    ("demo/fr.jsonl", include_str!("../demo/fr.jsonl")),
    ("demo/zh.jsonl", include_str!("../demo/zh.jsonl")),
    ("demo/es.jsonl", include_str!("../demo/es.jsonl")),
];

/// Builds a fresh demo index in `dir`. The directory must be empty, hold a previous demo index,
/// or not exist: an index of the user's own is never overwritten.
pub fn build(dir: &Path, on_event: &mut dyn FnMut(Event)) -> Result<Report> {
    if dir.join("meta.json").exists() {
        if !dir.join(MARKER).exists() {
            return Err(Error::NotAnIndex {
                path: dir.to_path_buf(),
                reason:
                    "it holds an index that is not the demo's, which the demo will not overwrite"
                        .to_string(),
            });
        }
        clear(dir)?;
    }
    let started = std::time::Instant::now();
    let mut indexer = Indexer::open(dir, &IndexerOptions::default())?;
    std::fs::write(
        dir.join(MARKER),
        "built by `dateline demo`; safe to delete\n",
    )
    .map_err(|e| Error::io(dir.join(MARKER), e))?;
    let mut report = Report::default();
    for (name, text) in FILES {
        let records = JsonlReader::new(name.to_string(), text.as_bytes(), DEFAULT_MAX_RECORD_BYTES);
        index_records(&mut indexer, records, name, &mut report, on_event)?;
        report.files += 1;
        report.bytes += text.len() as u64;
    }
    indexer.finish()?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Removes a previous demo index's files, keeping files a repository checkout keeps there.
fn clear(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if name == ".gitkeep" || name == "README.md" {
            continue;
        }
        let path = entry.path();
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}
